/**
 * Fewer points to draw, same picture: a long run has thousands of 1-s slots
 * but a chart only a few hundred pixel columns. Each column keeps its lowest
 * and highest point, so spikes and dips survive. Only drawing uses this; the
 * tables always read the full data.
 * @module
 */

export interface Point {
  x: number;
  y: number;
}

/** A min/max gauge at one x (sessions, connections). */
export interface BandPoint {
  x: number;
  lo: number;
  hi: number;
}

/** The column of `x` among `buckets` equal columns over [x0, x1]. */
function column(x: number, x0: number, x1: number, buckets: number): number {
  if (x1 <= x0) return 0;
  return Math.min(buckets - 1, Math.max(0, Math.floor(((x - x0) / (x1 - x0)) * buckets)));
}

/**
 * Keeps, per column, the points with the lowest and highest y (in x order; one
 * when they are the same point). Points must be sorted by x. Returns the input
 * when it already has at most two points per column.
 */
export function downsampleMinMax(points: readonly Point[], buckets: number): Point[] {
  if (points.length <= 2 * buckets || buckets < 1) return [...points];
  const x0 = points[0].x;
  const x1 = points[points.length - 1].x;
  const out: Point[] = [];
  let current = -1;
  let lo: Point | undefined;
  let hi: Point | undefined;
  const flush = () => {
    if (lo === undefined || hi === undefined) return;
    if (lo === hi) out.push(lo);
    else if (lo.x <= hi.x) out.push(lo, hi);
    else out.push(hi, lo);
  };
  for (const p of points) {
    const c = column(p.x, x0, x1, buckets);
    if (c !== current) {
      flush();
      current = c;
      lo = hi = p;
      continue;
    }
    if (p.y < lo!.y) lo = p;
    if (p.y > hi!.y) hi = p;
  }
  flush();
  return out;
}

/** Per column one point at the column's first x with the lowest `lo` and highest `hi`. */
export function downsampleBand(points: readonly BandPoint[], buckets: number): BandPoint[] {
  if (points.length <= buckets || buckets < 1) return [...points];
  const x0 = points[0].x;
  const x1 = points[points.length - 1].x;
  const out: BandPoint[] = [];
  let current = -1;
  for (const p of points) {
    const c = column(p.x, x0, x1, buckets);
    if (c !== current) {
      out.push({ ...p });
      current = c;
      continue;
    }
    const last = out[out.length - 1];
    last.lo = Math.min(last.lo, p.lo);
    last.hi = Math.max(last.hi, p.hi);
  }
  return out;
}
