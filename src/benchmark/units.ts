/** Durations and sizes as Hyperfoil writes them. */

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  "μs": 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

const DURATION = /^\s*(-?\d+(?:\.\d+)?)\s*(ns|us|μs|ms|s|m|h)?\s*$/;

/**
 * Parses a duration into nanoseconds. `bareUnit` is the unit of a number with
 * no suffix (Hyperfoil reads phase durations in seconds, response times need
 * a unit); undefined means a unit is required. Returns undefined when invalid.
 */
export function parseDurationNs(text: string, bareUnit?: "s" | "ms"): number | undefined {
  const m = DURATION.exec(text);
  if (!m) return undefined;
  const unit = m[2] ?? bareUnit;
  if (unit === undefined) return undefined;
  return Math.round(Number(m[1]) * UNIT_NS[unit]);
}

export const DURATION_EXPECTED = "a duration such as '500ms', '10s', '2m' or '1h'";

/** Milliseconds, the unit of the model's phase times. */
export function nsToMs(ns: number): number {
  return ns / 1e6;
}
