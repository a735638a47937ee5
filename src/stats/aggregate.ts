/**
 * Merging on the controller, as Hyperfoil's `StatisticsStore` and `Data`: agents'
 * delta snapshots are summed into totals (overall and per agent), collection
 * periods are merged across agents into the 1-s series after a delay for late
 * snapshots, windowed SLAs are judged on each merged period and whole-phase
 * SLAs when the phase completes.
 * @module
 */
import type { Phase, Sla } from "../benchmark/model.ts";
import type { AllJsonInput, LowHighRecord, MetricStats, RunInfo } from "./all_json.ts";
import { type SlaFailure, SlaTracker } from "./sla.ts";
import { decodeSnapshot, type StatsSnapshot } from "./snapshot.ts";
import { StatsData } from "./stats_data.ts";
import { type StatisticsSummary, summarize } from "./summary.ts";

/** Hyperfoil's `RequestStats`: one row of `/stats/total`, `/stats/recent` and the CLI table. */
export interface RequestStats {
  phase: string;
  stepId: number;
  metric: string;
  summary: StatisticsSummary;
  failedSLAs: string[];
  isWarmup: boolean;
}

export type PhaseStatsInfo = Pick<Phase, "id" | "name" | "isWarmup" | "customSla">;

export interface RunStatisticsOptions {
  /** The benchmark's phases (after expansion). */
  phases: readonly PhaseStatsInfo[];
  /** `statisticsCollectionPeriod` in ms; default 1000. */
  periodMs?: number;
  /**
   * The SLAs of the step with this id (a request's `sla`). Hyperfoil gives a request
   * without `sla` one default SLA (`DEFAULT_SLA`); return that for such steps.
   * Metrics recorded with step id 0 use the phase's `customSla` instead.
   */
  stepSlas?: (stepId: number) => readonly Sla[] | undefined;
  /** Periods to wait for late snapshots before merging a period; default 60 (Hyperfoil's). */
  mergeDelay?: number;
  /** SLA failures kept in `failures` (session-limit failures are always kept); default 100. */
  maxFailures?: number;
  /** Called on every SLA failure when detected (e.g. to fail the phase). */
  onFailure?: (failure: SlaFailure) => void;
}

/** The statistics of one (phase, step, metric) across agents. */
export class MetricData {
  /** Merged over agents. */
  readonly total: StatsData = new StatsData();
  readonly perAgent: Map<string, StatsData> = new Map();
  /** Period summaries merged over agents; empty periods left out. */
  readonly series: StatisticsSummary[] = [];
  readonly agentSeries: Map<string, StatisticsSummary[]> = new Map();
  private readonly lastStats = new Map<string, Map<number, StatsData>>();
  private highestSequenceId = 0;
  private nextToMerge = 0;
  private done = false;

  constructor(
    readonly phase: string,
    readonly isWarmup: boolean,
    readonly stepId: number,
    readonly metric: string,
    private readonly sla: SlaTracker,
    private readonly mergeDelay: number,
    private readonly reportFailure: (f: SlaFailure) => void,
  ) {}

  get completed(): boolean {
    return this.done;
  }

  /** Adds an agent's period; takes ownership of `stats`. False once completed. */
  record(agent: string, sequenceId: number, stats: StatsData): boolean {
    if (this.done) return false;
    this.total.add(stats);
    let mine = this.perAgent.get(agent);
    if (mine === undefined) this.perAgent.set(agent, mine = new StatsData());
    mine.add(stats);
    let partials = this.lastStats.get(agent);
    if (partials === undefined) this.lastStats.set(agent, partials = new Map());
    const partial = partials.get(sequenceId);
    if (partial === undefined) partials.set(sequenceId, stats);
    else partial.add(stats);
    while (sequenceId > this.highestSequenceId) {
      this.highestSequenceId++;
      const due = this.highestSequenceId - this.mergeDelay;
      while (due >= this.nextToMerge) this.merge(this.nextToMerge++);
    }
    return true;
  }

  private merge(sequenceId: number): void {
    const sum = new StatsData();
    for (const [agent, partials] of this.lastStats) {
      const s = partials.get(sequenceId);
      if (s === undefined) continue;
      partials.delete(sequenceId);
      sum.add(s);
      let series = this.agentSeries.get(agent);
      if (series === undefined) this.agentSeries.set(agent, series = []);
      series.push(summarize(s));
    }
    if (!sum.isEmpty()) this.series.push(summarize(sum));
    for (const f of this.sla.addPeriod(sum)) this.reportFailure(f);
  }

  /** Merges the remaining periods and judges the whole-phase SLAs. */
  complete(): void {
    if (this.done) return;
    while (this.nextToMerge <= this.highestSequenceId) this.merge(this.nextToMerge++);
    for (const f of this.sla.complete(this.total)) this.reportFailure(f);
    this.done = true;
  }

  /** Widens the total's time span to the phase's actual start and completion. */
  adjustTimestamps(start: number, completion: number): void {
    this.total.widen(start, completion);
  }

  /** The second-to-last period received, summed over agents (undefined when none or empty). */
  recent(): StatsData | undefined {
    let last = -1;
    for (const partials of this.lastStats.values()) {
      for (const id of partials.keys()) last = Math.max(last, id);
    }
    if (last < 0) return undefined;
    const sum = new StatsData();
    for (const partials of this.lastStats.values()) {
      const s = partials.get(last - 1);
      if (s !== undefined) sum.add(s);
    }
    return sum.isEmpty() ? undefined : sum;
  }

  /** The plain form `all.json` and the CSV writers take. */
  toMetricStats(): MetricStats {
    const agents: MetricStats["agents"] = {};
    for (const [agent, total] of this.perAgent) {
      agents[agent] = { total, series: this.agentSeries.get(agent) };
    }
    return {
      phase: this.phase,
      stepId: this.stepId,
      metric: this.metric,
      isWarmup: this.isWarmup,
      total: this.total,
      series: this.series,
      agents,
    };
  }
}

/** Every statistic of a run on the controller (Hyperfoil's `StatisticsStore`). */
export class RunStatistics {
  /** SLA and session-limit failures in detection order. */
  readonly failures: SlaFailure[] = [];
  /** Phase name → agent → session-pool records. */
  readonly sessions: Record<string, Record<string, LowHighRecord[]>> = {};
  /** Authority → type → agent → records. */
  readonly connections: Record<string, Record<string, Record<string, LowHighRecord[]>>> = {};
  /** Phase name → agent → CPU usage text (the first report wins). */
  readonly agentCpu: Record<string, Record<string, string>> = {};
  private readonly data = new Map<string, MetricData>();
  private readonly phases: Map<number, PhaseStatsInfo>;
  private readonly periodMs: number;
  private readonly mergeDelay: number;
  private readonly maxFailures: number;

  constructor(private readonly options: RunStatisticsOptions) {
    this.phases = new Map(options.phases.map((p) => [p.id, p]));
    this.periodMs = options.periodMs ?? 1000;
    this.mergeDelay = options.mergeDelay ?? 60;
    this.maxFailures = options.maxFailures ?? 100;
  }

  private slaFailure(f: SlaFailure): void {
    if (this.failures.length < this.maxFailures) this.failures.push(f);
    this.options.onFailure?.(f);
  }

  /** The data of (phaseId, stepId, metric), created on first use. */
  metricData(phaseId: number, stepId: number, metric: string): MetricData {
    const key = `${phaseId}\u0000${stepId}\u0000${metric}`;
    let d = this.data.get(key);
    if (d === undefined) {
      const phase = this.phases.get(phaseId);
      if (phase === undefined) throw new RangeError(`Unknown phase id ${phaseId}`);
      const slas = stepId !== 0 ? this.options.stepSlas?.(stepId) : phase.customSla[metric];
      const tracker = new SlaTracker(phase.name, metric, slas ?? [], this.periodMs);
      d = new MetricData(
        phase.name,
        phase.isWarmup,
        stepId,
        metric,
        tracker,
        this.mergeDelay,
        (f) => this.slaFailure(f),
      );
      this.data.set(key, d);
    }
    return d;
  }

  /** Adds a snapshot from `agent`; false when its phase's statistics were already completed. */
  record(agent: string, snapshot: StatsSnapshot): boolean {
    return this.metricData(snapshot.phase, snapshot.stepId, snapshot.metric)
      .record(agent, snapshot.sequenceId, decodeSnapshot(snapshot));
  }

  /** Every metric of the phase is complete: merge what is left and judge whole-phase SLAs. */
  completePhase(phaseName: string): void {
    for (const d of this.data.values()) if (d.phase === phaseName) d.complete();
  }

  /** Completes whatever is still open; returns a message for each (Hyperfoil reports them as errors). */
  completeAll(): string[] {
    const messages: string[] = [];
    for (const d of this.data.values()) {
      if (d.completed) continue;
      messages.push(
        `Data for ${d.phase}/${d.stepId}/${d.metric} were not completed when the phase terminated - was the data received after that?`,
      );
      d.complete();
    }
    return messages;
  }

  /** Widens the totals of a phase to its actual start and completion (epoch ms). */
  adjustPhaseTimestamps(phaseName: string, start: number, completion: number): void {
    for (const d of this.data.values()) {
      if (d.phase === phaseName) d.adjustTimestamps(start, completion);
    }
  }

  /** A phase-level failure (the session limit); kept regardless of the cap. */
  addFailure(failure: SlaFailure): void {
    this.failures.push(failure);
  }

  recordSessionStats(
    agent: string,
    timestamp: number,
    phaseName: string,
    low: number,
    high: number,
  ): void {
    const byAgent = this.sessions[phaseName] ??= {};
    (byAgent[agent] ??= []).push({ timestamp, low, high });
  }

  /** One agent's connection gauges for a period: authority → type → {low, high}. */
  recordConnectionStats(
    agent: string,
    timestamp: number,
    stats: Record<string, Record<string, { low: number; high: number }>>,
  ): void {
    for (const [authority, byType] of Object.entries(stats)) {
      for (const [type, { low, high }] of Object.entries(byType)) {
        const byAgent = (this.connections[authority] ??= {})[type] ??= {};
        (byAgent[agent] ??= []).push({ timestamp, low, high });
      }
    }
  }

  recordCpuUsage(phaseName: string, agent: string, usage: string): void {
    const byAgent = this.agentCpu[phaseName] ??= {};
    byAgent[agent] ??= usage;
  }

  /** All metric data, in `all.json` order. */
  metrics(): MetricData[] {
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return [...this.data.values()].sort((a, b) =>
      cmp(a.phase, b.phase) || cmp(a.metric, b.metric) || a.stepId - b.stepId
    );
  }

  private failedSlas(d: MetricData): string[] {
    return this.failures.filter((f) =>
      f.phase === d.phase && (f.metric === null || f.metric === d.metric)
    )
      .map((f) => f.message);
  }

  private requestStats(d: MetricData, stats: StatsData): RequestStats {
    return {
      phase: d.phase,
      stepId: d.stepId,
      metric: d.metric,
      summary: summarize(stats),
      failedSLAs: this.failedSlas(d),
      isWarmup: d.isWarmup,
    };
  }

  /** `/stats/total`: everything recorded so far, by start time, phase, metric. */
  totalSummary(): RequestStats[] {
    return sortRequestStats([...this.data.values()].map((d) => this.requestStats(d, d.total)));
  }

  /** `/stats/recent`: each metric's second-to-last period, unless older than `minValidTimestamp`. */
  recentSummary(minValidTimestamp: number): RequestStats[] {
    const out: RequestStats[] = [];
    for (const d of this.data.values()) {
      const recent = d.recent();
      if (recent === undefined || recent.startTime < minValidTimestamp) continue;
      out.push(this.requestStats(d, recent));
    }
    return sortRequestStats(out);
  }

  /** The input of `renderAllJson` and `csvFiles`. */
  allJsonInput(
    meta: { info?: RunInfo; version?: string; commit?: string | null } = {},
  ): AllJsonInput {
    return {
      ...meta,
      failures: this.failures,
      stats: this.metrics().map((d) => d.toMetricStats()),
      sessions: this.sessions,
      connections: this.connections,
      agentCpu: this.agentCpu,
    };
  }
}

function sortRequestStats(rows: RequestStats[]): RequestStats[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return rows.sort((a, b) =>
    a.summary.startTime - b.summary.startTime || cmp(a.phase, b.phase) || cmp(a.metric, b.metric)
  );
}
