/**
 * Numbers as wrk prints them (its `units.c`): a value scaled to the largest
 * unit it reaches 85 % of, two decimals, then padded into a fixed-width
 * column whose two trailing spaces shrink by one for every letter of the unit.
 * Scripts that parse wrk's output parse these strings, so they match byte for byte.
 * @module
 */

interface Units {
  scale: number;
  base: string;
  /** Larger units in order; the last one is never reached (as in wrk). */
  units: readonly string[];
}

const TIME_US: Units = { scale: 1000, base: "us", units: ["ms", "s"] };
const TIME_S: Units = { scale: 60, base: "s", units: ["m", "h"] };
const BINARY: Units = { scale: 1024, base: "", units: ["K", "M", "G", "T", "P"] };
const METRIC: Units = { scale: 1000, base: "", units: ["k", "M", "G", "T", "P"] };

function formatUnits(n: number, u: Units, decimals: number): string {
  let amount = n;
  let unit = u.base;
  const threshold = u.scale * 0.85;
  for (let i = 0; i + 1 < u.units.length && amount >= threshold; i++) {
    amount /= u.scale;
    unit = u.units[i];
  }
  return `${amount.toFixed(decimals)}${unit}`;
}

/** A time in µs: `635.91us`, `0.89ms`, `12.92ms`; a second or more as `1.50s`, `2.00m`. */
export function formatTimeUs(us: number): string {
  return us >= 1_000_000 ? formatUnits(us / 1_000_000, TIME_S, 2) : formatUnits(us, TIME_US, 2);
}

/** A whole time in s, as wrk's `Running 10s test`: `10s`, `2m`, `1h`. */
export function formatTimeS(s: number): string {
  return formatUnits(s, TIME_S, 0);
}

/** Bytes in powers of 1024 without the `B`: `139.52M`, `13.94M`, `512.00`. */
export function formatBinary(n: number): string {
  return formatUnits(n, BINARY, 2);
}

/** A count in powers of 1000: `56.20k`, `8.07k`, `512.00`. */
export function formatMetric(n: number): string {
  return formatUnits(n, METRIC, 2);
}

/**
 * wrk's `print_units`: `text` right-aligned in `width` minus the padding,
 * followed by the padding (2 spaces, one less per trailing unit letter).
 */
export function padUnits(text: string, width: number): string {
  let pad = 2;
  const isLetter = (c: string | undefined) => c !== undefined && /[A-Za-z]/.test(c);
  if (isLetter(text.at(-1))) pad--;
  if (isLetter(text.at(-2))) pad--;
  const w = width - pad;
  // `%*.*s` truncates as well as pads.
  return text.slice(0, w).padStart(w) + "  ".slice(0, pad);
}
