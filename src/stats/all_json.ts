/**
 * The run's `all.json` (Hyperfoil run-schema v3.0) as `JsonWriter` writes it:
 * key order, phase-name splitting, histogram bucket lists, sessions interleaved
 * by agent, and Java's number formatting (doubles as `999999.0` / `1.2582911E7`).
 * @module
 */
import { javaDouble } from "./_java_format.ts";
import type { IterationStep } from "./histogram.ts";
import type { SlaFailure } from "./sla.ts";
import { decodeSnapshot, type StatsSnapshot } from "./snapshot.ts";
import { StatsData } from "./stats_data.ts";
import { type StatisticsSummary, summarize } from "./summary.ts";

export const RUN_SCHEMA = "http://hyperfoil.io/run-schema/v3.0";

/** `info.json`, and the first key of `all.json`. */
export interface RunInfo {
  id: string;
  benchmark: string;
  params: Record<string, string>;
  /** Epoch ms. */
  startTime: number;
  /** Epoch ms. */
  terminateTime: number;
  cancelled: boolean;
  description: string | null;
  errors: RunError[];
}

export interface RunError {
  /** Only when the error came from an agent. */
  agent?: string;
  msg: string | null;
}

/** A min/max gauge over one collection period of one agent (sessions, connections). */
export interface LowHighRecord {
  /** Epoch ms. */
  timestamp: number;
  low: number;
  high: number;
}

/** One agent's share of a (phase, step, metric). */
export interface AgentMetricStats {
  total: StatsData | StatsSnapshot;
  /** Per-period summaries of this agent; absent means none were kept. */
  series?: StatisticsSummary[];
}

/** Everything known about one (phase, step, metric) at the end of the run. */
export interface MetricStats {
  /** Full phase instance name, e.g. `steady/001/buy`. */
  phase: string;
  stepId: number;
  metric: string;
  isWarmup: boolean;
  /** Merged over agents; start/end are the earliest period start and latest period end, widened to the phase's run. */
  total: StatsData | StatsSnapshot;
  /** Per-period summaries merged over agents, ascending; empty periods left out. */
  series: StatisticsSummary[];
  /** By agent name. */
  agents?: Record<string, AgentMetricStats>;
}

export interface AllJsonInput {
  info?: RunInfo;
  /** Default "unknown". */
  version?: string;
  /** Default "unknown". */
  commit?: string | null;
  /** In detection order. */
  failures: readonly SlaFailure[];
  stats: readonly MetricStats[];
  /** Phase name → agent name → records, in order. */
  sessions?: Record<string, Record<string, LowHighRecord[]>>;
  /** Authority → type (`used connections`, `HTTP 1.x`, …) → agent name → records. */
  connections?: Record<string, Record<string, Record<string, LowHighRecord[]>>>;
  /** Phase name → agent name → usage text. */
  agentCpu?: Record<string, Record<string, string>>;
}

/** A number Jackson writes as a Java double; serialises as a plain number with `JSON.stringify`. */
export class JavaDouble {
  constructor(readonly value: number) {}
  toJSON(): number {
    return this.value;
  }
}

/** Compact JSON with Java formatting for {@link JavaDouble}s; undefined members are skipped. */
export function stringifyJava(value: unknown): string {
  if (value === null) return "null";
  if (value instanceof JavaDouble) return javaDouble(value.value);
  switch (typeof value) {
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (Array.isArray(value)) return `[${value.map(stringifyJava).join(",")}]`;
      const parts: string[] = [];
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (v !== undefined) parts.push(`${JSON.stringify(k)}:${stringifyJava(v)}`);
      }
      return `{${parts.join(",")}}`;
    }
    default:
      throw new TypeError(`Cannot write a ${typeof value} as JSON`);
  }
}

/** Splits a phase instance name into phase, iteration and fork (`JsonWriter.parsePhaseName`). */
export function splitPhaseName(name: string): { phase: string; iteration: string; fork: string } {
  const slash = name.indexOf("/");
  if (slash < 0) return { phase: name, iteration: "", fork: "" };
  const phase = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  if (rest === "") return { phase, iteration: "", fork: "" };
  const second = rest.indexOf("/");
  if (second >= 0) return { phase, iteration: rest.slice(0, second), fork: rest.slice(second + 1) };
  return /^[0-9]+$/.test(rest)
    ? { phase, iteration: rest, fork: "" }
    : { phase, iteration: "", fork: rest };
}

/** Code-unit order, as Java's `String.compareTo`. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The order of `stats[]`, CSV rows and agents' stats: phase name, metric, step id. */
export function sortMetricStats<T extends { phase: string; metric: string; stepId: number }>(
  stats: readonly T[],
): T[] {
  return [...stats].sort((a, b) =>
    compareStrings(a.phase, b.phase) || compareStrings(a.metric, b.metric) || a.stepId - b.stepId
  );
}

/** Decoded statistics, whichever form they were given in. */
export function statsData(value: StatsData | StatsSnapshot): StatsData {
  return value instanceof StatsData ? value : decodeSnapshot(value);
}

/** Hyperfoil's `WriterUtil.printInSync`: record 0 of every agent, then record 1, … */
export function interleaveByAgent<T>(byAgent: Record<string, readonly T[]>): [string, T][] {
  const agents = Object.keys(byAgent);
  const out: [string, T][] = [];
  const longest = Math.max(0, ...agents.map((a) => byAgent[a].length));
  for (let i = 0; i < longest; i++) {
    for (const a of agents) if (i < byAgent[a].length) out.push([a, byAgent[a][i]]);
  }
  return out;
}

/** Sum of the agents' i-th records, then the lowest low and highest high (`SessionPoolStats.findMinMax`). */
export function sessionsMinMax(byAgent: Record<string, readonly LowHighRecord[]>): {
  low: number;
  high: number;
} {
  let low = 2147483647;
  let high = 0;
  const agents = Object.values(byAgent);
  const longest = Math.max(0, ...agents.map((r) => r.length));
  for (let i = 0; i < longest; i++) {
    let sumLow = 0, sumHigh = 0;
    for (const records of agents) {
      if (i < records.length) {
        sumLow += records[i].low;
        sumHigh += records[i].high;
      }
    }
    low = Math.min(low, sumLow);
    high = Math.max(high, sumHigh);
  }
  return { low, high };
}

/** The lowest low and highest high of one agent's records; 0/0 without records. */
export function agentSessionsMinMax(records: readonly LowHighRecord[] | undefined): {
  low: number;
  high: number;
} {
  if (records === undefined || records.length === 0) return { low: 0, high: 0 };
  return {
    low: Math.min(...records.map((r) => r.low)),
    high: Math.max(...records.map((r) => r.high)),
  };
}

/** One `histogram` bucket. */
export interface HistogramBucket {
  from: JavaDouble;
  to: JavaDouble;
  percentile: JavaDouble;
  count: number;
  totalCount: number;
}

function bucket(from: number, to: number, percentile: number, count: number, totalCount: number) {
  return {
    from: new JavaDouble(from),
    to: new JavaDouble(to),
    percentile: new JavaDouble(percentile / 100),
    count,
    totalCount,
  };
}

/**
 * `JsonWriter.histogramArray`: empty steps merged into one bucket, one bucket per
 * step with samples, stop after the step above `maxPercentile`, one tail bucket
 * for the rest.
 */
export function histogramBuckets(
  steps: readonly IterationStep[],
  maxPercentile: number,
): HistogramBucket[] {
  const out: HistogramBucket[] = [];
  let from = -1, to = -1, percentileTo = -1, total = 0;
  let i = 0;
  let last: IterationStep | undefined;
  while (i < steps.length) {
    const s = steps[i++];
    last = s;
    if (s.countAddedInThisIterationStep === 0) {
      if (from < 0) {
        from = s.valueIteratedFrom;
        total = s.totalCountToThisValue;
      }
      to = s.valueIteratedTo;
      percentileTo = s.percentileLevelIteratedTo;
    } else {
      if (from >= 0) {
        out.push(bucket(from, to, percentileTo, 0, total));
        from = -1;
      }
      out.push(
        bucket(
          s.valueIteratedFrom,
          s.valueIteratedTo,
          s.percentileLevelIteratedTo,
          s.countAddedInThisIterationStep,
          s.totalCountToThisValue,
        ),
      );
    }
    if (s.percentileLevelIteratedTo > maxPercentile) break;
  }
  if (from >= 0) out.push(bucket(from, to, percentileTo, 0, total));
  if (last !== undefined) {
    const tailFrom = last.valueIteratedTo;
    const before = last.totalCountToThisValue;
    const end = steps[steps.length - 1];
    if (end.totalCountToThisValue !== before) {
      out.push(
        bucket(
          tailFrom,
          end.valueIteratedTo,
          end.percentileLevelIteratedTo,
          end.totalCountToThisValue - before,
          end.totalCountToThisValue,
        ),
      );
    }
  }
  return out;
}

function histogramJson(data: StatsData) {
  return {
    percentiles: histogramBuckets(data.histogram.percentiles(5), 100),
    linear: histogramBuckets(data.histogram.linearBucketValues(1_000_000), 95),
  };
}

function infoJson(info: RunInfo): Record<string, unknown> {
  const ordered: Record<string, unknown> = {
    id: info.id,
    benchmark: info.benchmark,
    params: info.params,
    startTime: info.startTime,
    terminateTime: info.terminateTime,
    cancelled: info.cancelled,
    description: info.description,
    errors: info.errors.map((
      e,
    ) => (e.agent === undefined ? { msg: e.msg } : { agent: e.agent, msg: e.msg })),
  };
  // Anything else the controller put into info goes after the known keys.
  for (const [k, v] of Object.entries(info)) if (!(k in ordered)) ordered[k] = v;
  return ordered;
}

function nameParts(name: string) {
  const { phase, iteration, fork } = splitPhaseName(name);
  return { name, phase, iteration, fork };
}

/** The `all.json` document as objects in key order; doubles are {@link JavaDouble}s. */
export function allJsonDocument(input: AllJsonInput): Record<string, unknown> {
  const sorted = sortMetricStats(input.stats);
  const sessions = input.sessions ?? {};
  const failures = input.failures;
  const totals = sorted.map((m) => statsData(m.total));
  const doc: Record<string, unknown> = {};
  if (input.info !== undefined && Object.keys(input.info).length > 0) {
    doc.info = infoJson(input.info);
  }
  doc.$schema = RUN_SCHEMA;
  doc.version = input.version ?? "unknown";
  doc.commit = input.commit === undefined ? "unknown" : input.commit;
  doc.failures = failures.map((f) => ({
    phase: f.phase,
    metric: f.metric,
    message: f.message,
    start: f.start,
    end: f.end,
    percentileResponseTime: f.summary.percentileResponseTime,
  }));
  doc.stats = sorted.map((m, i) => {
    const total = totals[i];
    const failureCount = failures.filter((f) =>
      f.phase === m.phase && (f.metric === null || f.metric === m.metric)
    ).length;
    const minMax = sessions[m.phase] === undefined
      ? { low: 0, high: 0 }
      : sessionsMinMax(sessions[m.phase]);
    return {
      ...nameParts(m.phase),
      metric: m.metric,
      isWarmup: m.isWarmup,
      total: {
        phase: m.phase,
        metric: m.metric,
        start: finiteOr0(total.startTime),
        end: total.endTime,
        summary: summarize(total),
        failures: failureCount,
        minSessions: minMax.low,
        maxSessions: minMax.high,
      },
      histogram: histogramJson(total),
      series: m.series,
    };
  });
  doc.sessions = sorted.filter((m) => sessions[m.phase] !== undefined).map((m) => ({
    ...nameParts(m.phase),
    sessions: interleaveByAgent(sessions[m.phase]).map(([agent, r]) => ({
      timestamp: r.timestamp,
      agent,
      minSessions: r.low,
      maxSessions: r.high,
    })),
  }));
  const agentNames = [...new Set(sorted.flatMap((m) => Object.keys(m.agents ?? {})))]
    .sort(compareStrings);
  doc.agents = agentNames.map((agent) => ({
    name: agent,
    stats: sorted.flatMap((m, i) => {
      const own = m.agents?.[agent];
      if (own === undefined) return [];
      const data = statsData(own.total);
      const minMax = agentSessionsMinMax(sessions[m.phase]?.[agent]);
      return [{
        ...nameParts(m.phase),
        metric: m.metric,
        isWarmup: m.isWarmup,
        total: {
          phase: m.phase,
          metric: m.metric,
          start: finiteOr0(totals[i].startTime),
          end: totals[i].endTime,
          summary: summarize(data),
          minSessions: minMax.low,
          maxSessions: minMax.high,
        },
        histogram: histogramJson(data),
        series: own.series ?? [],
      }];
    }),
  }));
  const connections: Record<string, Record<string, unknown[]>> = {};
  for (const [authority, byType] of Object.entries(input.connections ?? {})) {
    connections[authority] = {};
    for (const [type, byAgent] of Object.entries(byType)) {
      connections[authority][type] = interleaveByAgent(byAgent).map(([agent, r]) => ({
        timestamp: r.timestamp,
        agent,
        min: r.low,
        max: r.high,
      }));
    }
  }
  doc.connections = connections;
  doc.agentCpu = input.agentCpu ?? {};
  return doc;
}

function finiteOr0(n: number): number {
  return Number.isFinite(n) ? n : 0;
}

/** The text of `all.json`, byte for byte as Hyperfoil's writer would produce it. */
export function renderAllJson(input: AllJsonInput): string {
  return stringifyJava(allJsonDocument(input));
}

/** The text of `info.json`. */
export function renderInfoJson(info: RunInfo): string {
  return stringifyJava(infoJson(info));
}
