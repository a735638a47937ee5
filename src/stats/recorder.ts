/**
 * Recording on an executor: one {@link Statistics} per (phase, step, metric),
 * kept by a {@link StatsRegistry}. A sample goes into the interval bucket of
 * the collection period in which its request *started* (as in Hyperfoil), so a
 * slow response still counts in the second it was sent. Every period the
 * registry turns finished buckets into delta snapshots for the bus and recycles
 * them.
 *
 * Timestamps are nanoseconds on the registry's clock: by default
 * `performance.now() * 1e6`, whose zero is `performance.timeOrigin`.
 * Recording allocates nothing once a bucket exists; buckets come from a pool.
 * @module
 */
import { encodeSnapshot, type StatsSnapshot } from "./snapshot.ts";
import { COUNTERS_TYPE, StatsData } from "./stats_data.ts";

export { ExtensionCounters, StatsData } from "./stats_data.ts";

export interface StatsRegistryOptions {
  /** Width of an interval bucket in ms: the benchmark's `statisticsCollectionPeriod` (default 1000). */
  periodMs?: number;
  /** Epoch ms at ns 0 of the clock (default `performance.timeOrigin`). */
  timeOriginMs?: number;
  /** The current time in ns on the clock (default `performance.now() * 1e6`). */
  nowNs?: () => number;
}

interface Clock {
  readonly periodMs: number;
  readonly periodNs: number;
  readonly timeOriginMs: number;
  /** Recycled buckets. */
  readonly pool: StatsData[];
}

/** The statistics of one (phase, step, metric) on one executor. */
export class Statistics {
  private startNs: number;
  private startEpochMs: number;
  private endEpochMs = Number.POSITIVE_INFINITY;
  private readonly periodNs: number;
  private readonly slots = new Map<number, StatsData>();
  // The bucket used last and its bounds in ns: nearly every sample hits it, with two comparisons.
  private lastIndex = -1;
  private lastFrom = Number.POSITIVE_INFINITY;
  private lastTo = Number.NEGATIVE_INFINITY;
  private last: StatsData | undefined;

  constructor(
    readonly phaseId: number,
    readonly stepId: number,
    readonly metric: string,
    private readonly clock: Clock,
    startNs: number,
  ) {
    this.periodNs = clock.periodNs;
    this.startNs = startNs;
    this.startEpochMs = this.epochMs(startNs);
  }

  private epochMs(ns: number): number {
    return Math.floor(this.clock.timeOriginMs + ns / 1e6);
  }

  /** Restarts the period grid at `nowNs` (the phase started). */
  start(nowNs: number): void {
    this.startNs = nowNs;
    this.startEpochMs = this.epochMs(nowNs);
    this.endEpochMs = Number.POSITIVE_INFINITY;
    this.forgetLast();
  }

  private forgetLast(): void {
    this.lastIndex = -1;
    this.lastFrom = Number.POSITIVE_INFINITY;
    this.lastTo = Number.NEGATIVE_INFINITY;
    this.last = undefined;
  }

  /** The phase ended at `nowNs`: the last bucket is clipped there and everything is collected. */
  end(nowNs: number): void {
    this.endEpochMs = this.epochMs(nowNs);
  }

  get ended(): boolean {
    return this.endEpochMs !== Number.POSITIVE_INFINITY;
  }

  /** The bucket for a request started at `startNs`. */
  bucket(startNs: number): StatsData {
    if (startNs >= this.lastFrom && startNs < this.lastTo) return this.last as StatsData;
    return this.bucketAt(startNs);
  }

  private bucketAt(startNs: number): StatsData {
    // A request predating the phase start counts in the first period, as in Hyperfoil.
    const raw = Math.floor((startNs - this.startNs) / this.periodNs);
    const index = raw > 0 ? raw : 0; // also maps NaN to the first period
    let data = this.slots.get(index);
    if (data === undefined) {
      data = this.clock.pool.pop() ?? new StatsData();
      this.slots.set(index, data);
    }
    this.lastIndex = index;
    this.lastFrom = index === 0 ? Number.NEGATIVE_INFINITY : this.startNs + index * this.periodNs;
    this.lastTo = this.startNs + (index + 1) * this.periodNs;
    this.last = data;
    return data;
  }

  recordRequest(startNs: number): void {
    this.bucket(startNs).recordRequest();
  }

  /** A response to a request sent at `startNs`; `status` ≤ 0 for non-HTTP metrics. */
  recordResponse(startNs: number, endNs: number, status = 0): void {
    this.bucket(startNs).recordResponse(endNs - startNs, status);
  }

  recordInvalid(startNs: number): void {
    this.bucket(startNs).recordInvalid();
  }

  recordConnectionError(startNs: number): void {
    this.bucket(startNs).recordConnectionError();
  }

  recordTimeout(startNs: number): void {
    this.bucket(startNs).recordTimeout();
  }

  recordInternalError(startNs: number): void {
    this.bucket(startNs).recordInternalError();
  }

  /** `blockedNs` spent waiting for a connection by a request sent at `startNs`. */
  recordBlocked(startNs: number, blockedNs: number): void {
    this.bucket(startNs).recordBlocked(blockedNs);
  }

  recordCacheHit(startNs: number): void {
    this.bucket(startNs).recordCacheHit();
  }

  /** Adds `delta` to counter `name` of the custom extension `key` (`counters`, `transfersize`, …). */
  incrementExtension(
    startNs: number,
    key: string,
    name: string,
    delta = 1,
    type: string = COUNTERS_TYPE,
  ): void {
    this.bucket(startNs).incrementExtension(key, name, delta, type);
  }

  /** `sent` and `received` bytes of a request started at `startNs` (`transferSizeRecorder` `key`). */
  recordTransferSize(startNs: number, key: string, sent: number, received: number): void {
    this.bucket(startNs).addTransferSize(key, sent, received);
  }

  /**
   * Appends snapshots of the buckets whose period is over at `nowNs` (all of
   * them once ended), oldest first, and recycles the buckets. Empty buckets are
   * dropped.
   */
  collect(nowNs: number, out: StatsSnapshot[]): void {
    if (this.slots.size === 0) return;
    const limit = this.ended
      ? Number.POSITIVE_INFINITY
      : Math.floor((nowNs - this.startNs) / this.periodNs);
    const due = [...this.slots.keys()].filter((i) => i < limit).sort((a, b) => a - b);
    const { periodMs, pool } = this.clock;
    for (const index of due) {
      const data = this.slots.get(index) as StatsData;
      this.slots.delete(index);
      if (index === this.lastIndex) this.forgetLast();
      if (!data.isEmpty()) {
        const start = this.startEpochMs + index * periodMs;
        data.widen(start, Math.min(this.endEpochMs, start + periodMs));
        out.push(encodeSnapshot(data, {
          phase: this.phaseId,
          stepId: this.stepId,
          metric: this.metric,
          sequenceId: index,
        }));
      }
      data.reset();
      pool.push(data);
    }
  }

  /** Whether buckets are waiting to be collected. */
  get pending(): boolean {
    return this.slots.size > 0;
  }
}

/** All statistics of one executor (thread) or agent, keyed by (phaseId, stepId, metric). */
export class StatsRegistry {
  private readonly clock: Clock;
  private readonly nowNs: () => number;
  private readonly byKey = new Map<string, Statistics>();
  private readonly phaseStart = new Map<number, number>();
  private readonly phaseEnd = new Map<number, number>();

  constructor(options: StatsRegistryOptions = {}) {
    const periodMs = options.periodMs ?? 1000;
    if (!(periodMs > 0)) throw new RangeError(`Period must be positive, got ${periodMs} ms`);
    this.clock = {
      periodMs,
      periodNs: periodMs * 1e6,
      timeOriginMs: options.timeOriginMs ?? performance.timeOrigin,
      pool: [],
    };
    this.nowNs = options.nowNs ?? (() => performance.now() * 1e6);
  }

  get periodMs(): number {
    return this.clock.periodMs;
  }

  /** The statistics for a key, created on first use (do this before the hot path). */
  statistics(phaseId: number, stepId: number, metric: string): Statistics {
    const key = `${phaseId}\u0000${stepId}\u0000${metric}`;
    let s = this.byKey.get(key);
    if (s === undefined) {
      s = new Statistics(
        phaseId,
        stepId,
        metric,
        this.clock,
        this.phaseStart.get(phaseId) ?? this.nowNs(),
      );
      const end = this.phaseEnd.get(phaseId);
      if (end !== undefined) s.end(end);
      this.byKey.set(key, s);
    }
    return s;
  }

  /** The phase started: its buckets are counted from `nowNs`. */
  startPhase(phaseId: number, nowNs: number = this.nowNs()): void {
    this.phaseStart.set(phaseId, nowNs);
    this.phaseEnd.delete(phaseId);
    for (const s of this.byKey.values()) if (s.phaseId === phaseId) s.start(nowNs);
  }

  /** The phase ended: the next `collect` flushes all its buckets. */
  endPhase(phaseId: number, nowNs: number = this.nowNs()): void {
    this.phaseEnd.set(phaseId, nowNs);
    for (const s of this.byKey.values()) if (s.phaseId === phaseId) s.end(nowNs);
  }

  /** Snapshots of every finished bucket (see {@link Statistics.collect}). */
  collect(nowNs: number = this.nowNs()): StatsSnapshot[] {
    const out: StatsSnapshot[] = [];
    for (const s of this.byKey.values()) s.collect(nowNs, out);
    return out;
  }

  /** Whether a phase still has buckets to collect. */
  hasPending(phaseId: number): boolean {
    for (const s of this.byKey.values()) if (s.phaseId === phaseId && s.pending) return true;
    return false;
  }

  /** Every statistics object, in creation order. */
  all(): Statistics[] {
    return [...this.byKey.values()];
  }
}
