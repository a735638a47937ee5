/**
 * Line and band (min–max area) charts as SVG text, drawn on the server so the
 * report shows them without JavaScript. Axes get round ticks; long series are
 * downsampled per pixel column for drawing only. Each series is a
 * `<g class="series" data-key data-points data-drawn>` whose line is one
 * `<path>` with a vertex per drawn point, so tools (and tests) can check what
 * was plotted; few enough points also get `<circle>`s with `<title>` tooltips.
 * @module
 */
import { escapeHtml } from "./_escape.ts";
import { type BandPoint, downsampleBand, downsampleMinMax, type Point } from "./downsample.ts";
import {
  decadeTicks,
  formatClockSeconds,
  linearScale,
  logScale,
  niceTicks,
  type Scale,
  timeTicks,
} from "./scale.ts";

export interface LineSeries {
  /** Identifies the series in the legend's toggles and `data-key`. */
  key: string;
  label: string;
  /** Sorted by x. */
  points: readonly Point[];
  color?: string;
  dashed?: boolean;
}

export interface BandSeries {
  key: string;
  label: string;
  /** Sorted by x; the area between `lo` and `hi` is filled, `hi` is also drawn as a line. */
  points: readonly BandPoint[];
  color?: string;
}

export interface AxisSpec {
  /** `time`: x in seconds from 0 with clock labels; `log`: decades from 1. Default `linear`. */
  kind?: "linear" | "time" | "log";
  /** Tick labels; default the number. */
  format?: (value: number) => string;
  /** Shown at the axis' end. */
  label?: string;
  /** Whole numbers only (counts): no tick steps below 1. */
  integer?: boolean;
}

export interface ChartSpec {
  title: string;
  x: AxisSpec;
  y: AxisSpec;
  lines?: readonly LineSeries[];
  bands?: readonly BandSeries[];
  /** A line breaks where consecutive points are further apart than this in x; default never. */
  gap?: number;
  /** Tooltip text of one point; default `label: x, y` with the axes' formats. */
  tip?: (series: string, p: Point) => string;
  /** Default 560. */
  width?: number;
  /** Default 240. */
  height?: number;
}

/** Colors told apart by most readers (Tableau 10), used in series order. */
export const PALETTE = [
  "#4e79a7",
  "#e15759",
  "#59a14f",
  "#f28e2b",
  "#b07aa1",
  "#76b7b2",
  "#9c755f",
  "#edc948",
  "#ff9da7",
  "#bab0ac",
];

const MARGIN = { left: 68, right: 14, top: 12, bottom: 34 };
/** Up to this many drawn points per series get a hoverable circle. */
const MAX_MARKERS = 150;

function n1(v: number): string {
  return String(Math.round(v * 10) / 10);
}

function xTicks(spec: AxisSpec, max: number): number[] {
  if (spec.kind === "time") return timeTicks(max);
  if (spec.kind === "log") return decadeTicks(Math.max(max, 10));
  return niceTicks(0, max);
}

/**
 * The x axis ends at its last tick, unless that wastes more than a tenth of
 * the width (7201 s would stretch to 9000 s): then at the data's end, and the
 * ticks past it go.
 */
function xAxis(
  spec: AxisSpec,
  max: number,
  range: [number, number],
): { x: Scale; ticks: number[] } {
  const ticks = xTicks(spec, max);
  const last = ticks[ticks.length - 1];
  if (spec.kind === "log") return { x: logScale([1, last], range), ticks };
  const end = last - ticks[0] > 1.1 * (max - ticks[0]) && max > ticks[0] ? max : last;
  return { x: linearScale([ticks[0], end], range), ticks: ticks.filter((t) => t <= end) };
}

/** `M x,y L x,y …`, starting anew after a gap. */
export function linePath(
  points: readonly Point[],
  x: Scale,
  y: Scale,
  gap = Infinity,
): string {
  const parts: string[] = [];
  let prev: Point | undefined;
  for (const p of points) {
    const cmd = prev === undefined || p.x - prev.x > gap ? "M" : "L";
    parts.push(`${cmd}${n1(x(p.x))},${n1(y(p.y))}`);
    prev = p;
  }
  return parts.join(" ");
}

function bandPath(points: readonly BandPoint[], x: Scale, y: Scale): string {
  if (points.length === 0) return "";
  const top = points.map((p) => `${n1(x(p.x))},${n1(y(p.hi))}`);
  const bottom = [...points].reverse().map((p) => `${n1(x(p.x))},${n1(y(p.lo))}`);
  return `M${top.join(" L")} L${bottom.join(" L")} Z`;
}

function axes(
  spec: ChartSpec,
  xt: number[],
  yt: number[],
  x: Scale,
  y: Scale,
  size: { w: number; h: number },
): string {
  const fx = spec.x.format ??
    (spec.x.kind === "time" ? formatClockSeconds : (v: number) => String(v));
  const fy = spec.y.format ?? ((v: number) => String(v));
  const [left, right] = x.range;
  const [bottom, top] = y.range;
  const out: string[] = [`<g class="axes">`];
  for (const t of yt) {
    const py = n1(y(t));
    out.push(
      `<line class="grid" x1="${left}" x2="${right}" y1="${py}" y2="${py}"/>`,
      `<text class="tick" x="${left - 6}" y="${py}" dy="0.32em" text-anchor="end">${
        escapeHtml(fy(t))
      }</text>`,
    );
  }
  for (const t of xt) {
    const px = n1(x(t));
    // A label at the right edge would be cut in half.
    const anchor = x(t) > right - 20 ? "end" : "middle";
    out.push(
      `<line class="tickmark" x1="${px}" x2="${px}" y1="${bottom}" y2="${bottom + 4}"/>`,
      `<text class="tick" x="${px}" y="${bottom + 16}" text-anchor="${anchor}">${
        escapeHtml(fx(t))
      }</text>`,
    );
  }
  out.push(`<line class="axis" x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}"/>`);
  out.push(`<line class="axis" x1="${left}" x2="${left}" y1="${top}" y2="${bottom}"/>`);
  if (spec.x.label !== undefined) {
    out.push(
      `<text class="axis-label" x="${right}" y="${size.h - 2}" text-anchor="end">${
        escapeHtml(spec.x.label)
      }</text>`,
    );
  }
  if (spec.y.label !== undefined) {
    out.push(
      `<text class="axis-label" x="${left + 4}" y="${top + 10}">${escapeHtml(spec.y.label)}</text>`,
    );
  }
  out.push(`</g>`);
  return out.join("");
}

interface Drawn {
  key: string;
  label: string;
  color: string;
  dashed: boolean;
}

/** One chart: `<figure>` with caption, SVG and a legend whose buttons toggle series. */
export function lineChart(spec: ChartSpec): string {
  const w = spec.width ?? 560;
  const h = spec.height ?? 240;
  const lines = spec.lines ?? [];
  const bands = spec.bands ?? [];
  const xs = [...lines.flatMap((s) => s.points), ...bands.flatMap((s) => s.points)].map((p) => p.x);
  const ys = [
    ...lines.flatMap((s) => s.points.map((p) => p.y)),
    ...bands.flatMap((s) => s.points.map((p) => p.hi)),
  ];
  const caption = `<figcaption>${escapeHtml(spec.title)}</figcaption>`;
  if (xs.length === 0) {
    return `<figure class="chart empty">${caption}<p class="nodata">No data recorded.</p></figure>`;
  }
  const yt = niceTicks(0, Math.max(...ys, 0) || 1, 5, spec.y.integer ? 1 : 0);
  const range: [number, number] = [MARGIN.left, w - MARGIN.right];
  const { x, ticks: xt } = xAxis(spec.x, Math.max(...xs), range);
  const y = linearScale([0, yt[yt.length - 1]], [h - MARGIN.bottom, MARGIN.top]);
  const columns = Math.max(1, Math.round(range[1] - range[0]));
  // Downsampled points are up to two columns apart: only a wider gap is one in the data.
  const columnWidth = (x.domain[1] - x.domain[0]) / columns;
  const gap = spec.gap === undefined ? undefined : Math.max(spec.gap, 2.5 * columnWidth);
  const drawn: Drawn[] = [];
  const body: string[] = [];
  let i = 0;
  const tip = spec.tip ??
    ((label: string, p: Point) =>
      `${label}: ${(spec.x.format ?? String)(p.x)}, ${(spec.y.format ?? String)(p.y)}`);
  for (const b of bands) {
    const color = b.color ?? PALETTE[i++ % PALETTE.length];
    const pts = downsampleBand(b.points, columns);
    const hiLine = pts.map((p) => ({ x: p.x, y: p.hi }));
    body.push(
      `<g class="series band" data-key="${
        escapeHtml(b.key)
      }" data-points="${b.points.length}" data-drawn="${pts.length}">`,
      `<path class="area" d="${bandPath(pts, x, y)}" fill="${color}"/>`,
      `<path class="line" d="${linePath(hiLine, x, y, gap)}" stroke="${color}"/>`,
      markers(hiLine, x, y, color, (p) => tip(b.label, p)),
      `</g>`,
    );
    drawn.push({ key: b.key, label: b.label, color, dashed: false });
  }
  for (const s of lines) {
    const color = s.color ?? PALETTE[i++ % PALETTE.length];
    const pts = downsampleMinMax(s.points, columns);
    body.push(
      `<g class="series" data-key="${
        escapeHtml(s.key)
      }" data-points="${s.points.length}" data-drawn="${pts.length}">`,
      `<path class="line${s.dashed ? " dashed" : ""}" d="${
        linePath(pts, x, y, gap)
      }" stroke="${color}"/>`,
      markers(pts, x, y, color, (p) => tip(s.label, p)),
      `</g>`,
    );
    drawn.push({ key: s.key, label: s.label, color, dashed: s.dashed ?? false });
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" role="img" ` +
    `aria-label="${escapeHtml(spec.title)}">` +
    axes(spec, xt, yt, x, y, { w, h }) + body.join("") + `</svg>`;
  return `<figure class="chart">${caption}${svg}${legend(drawn)}</figure>`;
}

function markers(
  pts: readonly Point[],
  x: Scale,
  y: Scale,
  color: string,
  text: (p: Point) => string,
): string {
  if (pts.length > MAX_MARKERS) return "";
  return pts.map((p) =>
    `<circle cx="${n1(x(p.x))}" cy="${n1(y(p.y))}" r="2.2" fill="${color}"><title>${
      escapeHtml(text(p))
    }</title></circle>`
  ).join("");
}

function legend(series: readonly Drawn[]): string {
  const items = series.map((s) =>
    `<li><button type="button" data-key="${escapeHtml(s.key)}" aria-pressed="true">` +
    `<span class="swatch${s.dashed ? " dashed" : ""}" style="border-color:${s.color}"></span>${
      escapeHtml(s.label)
    }</button></li>`
  );
  return `<ul class="legend">${items.join("")}</ul>`;
}
