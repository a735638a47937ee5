/**
 * Axes for the report's charts: mapping data to pixels and choosing round tick
 * values (1-2-5 steps for counts and latencies, clock-like steps for time,
 * decades for the percentile axis).
 * @module
 */

/** Maps a domain onto a pixel range; `log` needs a positive domain. */
export interface Scale {
  (value: number): number;
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
}

/** A linear scale; a zero-width domain maps everything to the range's start. */
export function linearScale(domain: [number, number], range: [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return Object.assign((v: number) => r0 + (v - d0) * k, { domain, range });
}

/** A base-10 logarithmic scale over a positive domain; values below its start clamp to it. */
export function logScale(domain: [number, number], range: [number, number]): Scale {
  const [d0, d1] = domain;
  if (!(d0 > 0 && d1 > 0)) {
    throw new RangeError(`A log scale needs a positive domain, found [${d0}, ${d1}]`);
  }
  const inner = linearScale([Math.log10(d0), Math.log10(d1)], range);
  return Object.assign((v: number) => inner(Math.log10(Math.max(v, d0))), { domain, range });
}

/** The 1-2-5 step that cuts `span` into about `count` parts. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const f = raw / magnitude;
  const nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nice * magnitude;
}

/**
 * Round ticks from `min` covering `max`: the last tick is ≥ max, so it can end
 * the axis. `minStep` keeps counts from getting fractional ticks.
 */
export function niceTicks(min: number, max: number, count = 5, minStep = 0): number[] {
  if (!(max > min)) max = min + 1;
  const step = Math.max(niceStep(max - min, count), minStep);
  const first = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let v = first; v < max + step * 1e-9; v += step) ticks.push(round(v, step));
  if (ticks[ticks.length - 1] < max) ticks.push(round(ticks[ticks.length - 1] + step, step));
  return ticks;
}

/** Removes floating-point noise relative to the step (0.30000000000000004 → 0.3). */
function round(v: number, step: number): number {
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(v.toFixed(Math.min(digits, 15)));
}

const TIME_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 21600];

/** Ticks in seconds at clock-like steps (…, 30 s, 1 min, 2 min, 5 min, …), from 0 to ≥ max. */
export function timeTicks(maxSeconds: number, count = 6): number[] {
  const max = Math.max(maxSeconds, 1);
  const step = TIME_STEPS_S.find((s) => max / s <= count) ?? niceStep(max, count);
  const ticks: number[] = [];
  for (let v = 0; v < max + step; v += step) {
    ticks.push(v);
    if (v >= max) break;
  }
  return ticks;
}

/** Seconds as an axis label: `45s`, `2:30`, `1:02:03`. */
export function formatClockSeconds(s: number): string {
  const whole = Math.round(s);
  if (whole < 60) return `${whole}s`;
  const hh = Math.floor(whole / 3600);
  const mm = Math.floor((whole % 3600) / 60);
  const ss = String(whole % 60).padStart(2, "0");
  return hh > 0 ? `${hh}:${String(mm).padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}

/** Powers of ten from 1 up to the first ≥ max. */
export function decadeTicks(max: number): number[] {
  const ticks = [1];
  while (ticks[ticks.length - 1] < max) ticks.push(ticks[ticks.length - 1] * 10);
  return ticks;
}
