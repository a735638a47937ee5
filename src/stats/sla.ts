/**
 * SLA evaluation as Hyperfoil's `SLA.validate` and `StatisticsStore.Window`:
 * whole-phase SLAs judge the phase total when the phase completes; windowed
 * SLAs judge the sum of the last `window / period` collection periods on every
 * period, once the window is full. An SLA reports its first violated condition.
 * @module
 */
import type { Sla } from "../benchmark/model.ts";
import { javaFixed } from "./_java_format.ts";
import { StatsData } from "./stats_data.ts";
import { type StatisticsSummary, summarize } from "./summary.ts";

export const BLOCKED_MESSAGE =
  "Progress was blocked waiting for a free connection. Hint: increase http.sharedConnections.";
export const SESSION_LIMIT_MESSAGE = "Exceeded session limit";

/** A failed SLA (or a phase-level failure such as the session limit), as plain data. */
export interface SlaFailure {
  /** Full phase instance name. */
  phase: string;
  /** null for phase-level failures (the session limit). */
  metric: string | null;
  message: string;
  /** Epoch ms: the time span of the statistics judged. */
  start: number;
  end: number;
  /** Summary of the statistics judged (all zero for phase-level failures). */
  summary: StatisticsSummary;
}

const msToNs = (ms: number) => Math.round(ms * 1e6);

/** The message of the first condition `stats` violates, or undefined when the SLA holds. */
export function slaViolation(sla: Sla, stats: StatsData): string | undefined {
  const errors = stats.errors();
  const errorRatio = errors / stats.requestCount;
  if (errors > 0 && errorRatio >= sla.errorRatio) {
    return `Error ratio exceeded: required ${javaFixed(sla.errorRatio, 3)}, actual ${
      javaFixed(errorRatio, 3)
    }`;
  }
  // Hyperfoil divides by requests: an invalid response may not have been recorded.
  const invalidRatio = stats.responseCount === 0 ? 0 : stats.invalid / stats.requestCount;
  if (stats.invalid > 0 && invalidRatio >= sla.invalidRatio) {
    return `Invalid response ratio exceeded: required ${javaFixed(sla.invalidRatio, 3)}, actual ${
      javaFixed(invalidRatio, 3)
    }`;
  }
  const h = stats.histogram;
  if (sla.meanResponseTime !== undefined) {
    const required = msToNs(sla.meanResponseTime);
    const mean = h.mean();
    if (mean >= required) {
      return `Mean response time exceeded: required ${required}, actual ${javaFixed(mean, 3)}`;
    }
  }
  if (stats.blockedTime > 0) {
    const ratio = stats.blockedTime / (stats.blockedTime + h.mean() * h.totalCount);
    if (ratio > sla.blockedRatio) return BLOCKED_MESSAGE;
  }
  for (const [key, limitMs] of Object.entries(sla.limits)) {
    const fraction = Number(key);
    const required = msToNs(limitMs);
    // Hyperfoil passes the fraction where HdrHistogram expects a percentage (so it checks
    // p0.99 for 0.99); we check the percentile the user wrote.
    const actual = h.valueAtPercentile(fraction * 100);
    if (actual >= required) {
      return `Response time at percentile ${
        javaFixed(fraction, 6)
      } exceeded: required ${required}, actual ${actual}`;
    }
  }
  return undefined;
}

function failure(phase: string, metric: string | null, message: string, stats: StatsData) {
  const summary = summarize(stats);
  return { phase, metric, message, start: summary.startTime, end: summary.endTime, summary };
}

/** Judges `stats` of (phase, metric) against one SLA. */
export function evaluateSla(
  sla: Sla,
  phase: string,
  metric: string,
  stats: StatsData,
): SlaFailure | undefined {
  const message = slaViolation(sla, stats);
  return message === undefined ? undefined : failure(phase, metric, message, stats);
}

/** The phase-level failure recorded when a phase ran out of sessions. */
export function sessionLimitFailure(phase: string, start: number, end: number): SlaFailure {
  const empty = new StatsData();
  empty.widen(start, end);
  return failure(phase, null, SESSION_LIMIT_MESSAGE, empty);
}

/** Periods in an SLA's window: ⌊window / period⌋, at least 1. */
export function windowPeriods(sla: Sla, periodMs: number): number {
  return Math.max(1, Math.trunc((sla.window ?? 0) / periodMs));
}

/** The sum of the last N periods (Hyperfoil's `StatisticsStore.Window`). */
export class SlaWindow {
  private readonly ring: (StatsData | undefined)[];
  private ptr = 0;
  /** The running sum; its time span only ever grows, as in Hyperfoil. */
  readonly current: StatsData = new StatsData();

  constructor(readonly size: number) {
    if (!(size >= 1)) throw new RangeError(`Window size must be at least 1 period, got ${size}`);
    this.ring = new Array(size);
  }

  add(stats: StatsData): void {
    const old = this.ring[this.ptr];
    if (old !== undefined) this.current.subtract(old);
    this.ring[this.ptr] = stats;
    this.current.add(stats);
    this.ptr = (this.ptr + 1) % this.ring.length;
  }

  get full(): boolean {
    return this.ring[this.ptr] !== undefined;
  }
}

/** The SLAs of one (phase, metric): windowed ones per period, whole-phase ones at completion. */
export class SlaTracker {
  private readonly windows: { sla: Sla; window: SlaWindow }[];
  private readonly whole: Sla[];

  constructor(
    readonly phase: string,
    readonly metric: string,
    slas: readonly Sla[],
    periodMs: number,
  ) {
    this.windows = slas.filter((s) => (s.window ?? 0) > 0)
      .map((sla) => ({ sla, window: new SlaWindow(windowPeriods(sla, periodMs)) }));
    this.whole = slas.filter((s) => !((s.window ?? 0) > 0));
  }

  /** One collection period, summed over agents, in order (empty periods too). */
  addPeriod(stats: StatsData): SlaFailure[] {
    const out: SlaFailure[] = [];
    for (const { sla, window } of this.windows) {
      window.add(stats);
      if (!window.full) continue;
      const f = evaluateSla(sla, this.phase, this.metric, window.current);
      if (f !== undefined) out.push(f);
    }
    return out;
  }

  /** The phase total once the phase completed. */
  complete(total: StatsData): SlaFailure[] {
    const out: SlaFailure[] = [];
    for (const sla of this.whole) {
      const f = evaluateSla(sla, this.phase, this.metric, total);
      if (f !== undefined) out.push(f);
    }
    return out;
  }
}
