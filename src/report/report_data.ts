/**
 * What the report shows, computed from a checked all.json: the run's summary
 * and verdict, per phase a row per metric (from `total`, never from the
 * drawn series), time series relative to the run's start, percentile curves
 * from `histogram.percentiles`, sessions, connections and a per-agent
 * breakdown. Plain data; html.ts turns it into a page.
 * @module
 */
import type { StatisticsSummary } from "../stats/summary.ts";
import type { BandPoint, Point } from "./downsample.ts";
import type { Failure, RunDocument, StatEntry } from "./run_document.ts";

export interface ReportDataOptions {
  /** Include warm-up phases; default false (as Hyperfoil's report and `hf run`). */
  warmup?: boolean;
}

export interface StatusCounts {
  s2xx: number;
  s3xx: number;
  s4xx: number;
  s5xx: number;
  other: number;
  cacheHits: number;
}

/** One (phase, metric) of the tables; everything from `total.summary`. */
export interface MetricRow {
  metric: string;
  summary: StatisticsSummary;
  /** Responses per second over the metric's time span; NaN when it has none. */
  throughput: number;
  /** SLA failures counted for this entry (`total.failures`). */
  failures: number;
  /** Undefined when no HTTP status was recorded. */
  status?: StatusCounts;
}

/** Per-second series of one metric; x is seconds since the run started. */
export interface MetricSeries {
  metric: string;
  /** `requestCount` of each 1-s slot. */
  throughput: Point[];
  /** ns. */
  p50: Point[];
  /** ns. */
  p99: Point[];
  /** Hyperfoil's errors/s: 4xx + 5xx + other statuses + connection errors + timeouts. */
  errors: Point[];
}

/** A latency percentile distribution: x = 1/(1−p) (log axis), y = ns. */
export interface PercentileCurve {
  metric: string;
  points: Point[];
  samples: number;
}

export interface AgentBand {
  agent: string;
  points: BandPoint[];
}

export interface PhaseView {
  /** Full phase instance name. */
  name: string;
  isWarmup: boolean;
  /** Epoch ms. */
  start: number;
  end: number;
  rows: MetricRow[];
  series: MetricSeries[];
  distribution: PercentileCurve[];
  /** Sessions in use per agent (min–max per period). */
  sessions: AgentBand[];
  failures: Failure[];
}

export interface GaugeSeries {
  /** `used connections`, or `used connections · agent-a` with several agents. */
  label: string;
  points: BandPoint[];
}

export interface AgentRow {
  agent: string;
  phase: string;
  row: MetricRow;
  /** `agentCpu` text, when the agent reported it for the phase. */
  cpu?: string;
}

export type Verdict = "passed" | "failed" | "cancelled";

export interface ReportData {
  id: string;
  benchmark: string;
  description: string | null;
  version: string;
  verdict: Verdict;
  /** Epoch ms; the run's start, the origin of every time axis. */
  startTime: number;
  endTime: number;
  agents: string[];
  failures: Failure[];
  errors: { agent?: string; msg: string | null }[];
  phases: PhaseView[];
  /** Warm-up phases left out (see {@link ReportDataOptions.warmup}). */
  hiddenWarmup: string[];
  connections: { authority: string; series: GaugeSeries[] }[];
  agentRows: AgentRow[];
  totals: { requests: number; responses: number; errors: number };
}

/** Every error a summary counts: invalid responses, timeouts, connection and internal errors. */
export function errorCount(s: StatisticsSummary): number {
  return s.invalid + s.requestTimeouts + s.connectionErrors + s.internalErrors;
}

function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}

export function statusCounts(s: StatisticsSummary): StatusCounts | undefined {
  const http = s.extensions.http;
  if (http === undefined) return undefined;
  return {
    s2xx: num(http.status_2xx),
    s3xx: num(http.status_3xx),
    s4xx: num(http.status_4xx),
    s5xx: num(http.status_5xx),
    other: num(http.status_other),
    cacheHits: num(http.cacheHits),
  };
}

/** Responses per second over the summary's span, as the CLI table computes it. */
export function throughputOf(s: StatisticsSummary): number {
  return s.endTime > s.startTime ? (1000 * s.responseCount) / (s.endTime - s.startTime) : NaN;
}

function metricRow(e: StatEntry): MetricRow {
  const s = e.total.summary;
  return {
    metric: e.metric,
    summary: s,
    throughput: throughputOf(s),
    failures: e.total.failures,
    status: statusCounts(s),
  };
}

/** Errors per slot as Hyperfoil's report charts them. */
function slotErrors(s: StatisticsSummary): number {
  const st = statusCounts(s);
  const http = st === undefined ? 0 : st.s4xx + st.s5xx + st.other;
  return http + s.connectionErrors + s.requestTimeouts;
}

function metricSeries(e: StatEntry, t0: number): MetricSeries {
  // A slot is plotted at its middle, as Hyperfoil's report does.
  const at = (s: StatisticsSummary) => ((s.startTime + s.endTime) / 2 - t0) / 1000;
  const sorted = [...e.series].sort((a, b) => a.startTime - b.startTime);
  return {
    metric: e.metric,
    throughput: sorted.map((s) => ({ x: at(s), y: s.requestCount })),
    p50: sorted.map((s) => ({ x: at(s), y: s.percentileResponseTime["50.0"] })),
    p99: sorted.map((s) => ({ x: at(s), y: s.percentileResponseTime["99.0"] })),
    errors: sorted.map((s) => ({ x: at(s), y: slotErrors(s) })),
  };
}

/**
 * The curve of `histogram.percentiles`. Empty buckets are skipped (their `to`
 * is above any sample at that percentile); the p = 1 bucket (the maximum) has
 * no finite 1/(1−p), so it goes one step right of the last finite point:
 * at the sample count, or twice the last x when that is already further.
 */
export function percentileCurve(e: StatEntry): PercentileCurve {
  const buckets = [...e.histogram.percentiles].sort((a, b) => a.percentile - b.percentile);
  const samples = buckets.length === 0 ? 0 : buckets[buckets.length - 1].totalCount;
  const points: Point[] = [];
  for (const b of buckets) {
    if (b.percentile < 1) {
      if (b.count > 0) points.push({ x: 1 / (1 - b.percentile), y: b.to });
      continue;
    }
    const last = points.length === 0 ? 1 : points[points.length - 1].x;
    points.push({ x: Math.max(samples, last * 2), y: b.to });
    break;
  }
  return { metric: e.metric, points, samples };
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = out.get(k);
    if (list === undefined) out.set(k, [it]);
    else list.push(it);
  }
  return out;
}

function bandsByAgent<T extends { timestamp: number; agent: string }>(
  records: readonly T[],
  t0: number,
  lo: (r: T) => number,
  hi: (r: T) => number,
): AgentBand[] {
  return [...groupBy(records, (r) => r.agent)].map(([agent, rs]) => ({
    agent,
    points: [...rs].sort((a, b) => a.timestamp - b.timestamp).map((r) => ({
      x: (r.timestamp - t0) / 1000,
      lo: lo(r),
      hi: hi(r),
    })),
  }));
}

function phaseView(name: string, entries: StatEntry[], doc: RunDocument, t0: number): PhaseView {
  return {
    name,
    isWarmup: entries.some((e) => e.isWarmup),
    start: Math.min(...entries.map((e) => e.total.start)),
    end: Math.max(...entries.map((e) => e.total.end)),
    rows: entries.map(metricRow),
    series: entries.map((e) => metricSeries(e, t0)),
    distribution: entries.map(percentileCurve),
    sessions: bandsByAgent(
      doc.sessions[name] ?? [],
      t0,
      (r) => r.minSessions,
      (r) => r.maxSessions,
    ),
    failures: doc.failures.filter((f) => f.phase === name),
  };
}

function connectionViews(doc: RunDocument, t0: number): ReportData["connections"] {
  return Object.entries(doc.connections).map(([authority, byType]) => {
    const series: GaugeSeries[] = [];
    for (const [type, records] of Object.entries(byType)) {
      const bands = bandsByAgent(records, t0, (r) => r.min, (r) => r.max);
      for (const b of bands) {
        series.push({ label: bands.length > 1 ? `${type} · ${b.agent}` : type, points: b.points });
      }
    }
    return { authority, series };
  });
}

/** Shapes a checked all.json for the page. */
export function reportData(doc: RunDocument, options: ReportDataOptions = {}): ReportData {
  const shown = doc.stats.filter((e) => options.warmup || !e.isWarmup);
  const hiddenWarmup = [
    ...new Set(doc.stats.filter((e) => !options.warmup && e.isWarmup).map((e) => e.name)),
  ];
  const starts = doc.stats.map((e) => e.total.start).filter((t) => t > 0);
  const t0 = doc.info.startTime > 0 ? doc.info.startTime : Math.min(...starts, Date.now());
  const ends = doc.stats.map((e) => e.total.end);
  const endTime = doc.info.terminateTime > 0 ? doc.info.terminateTime : Math.max(t0, ...ends);
  const phases = [...groupBy(shown, (e) => e.name)]
    .map(([name, entries]) => phaseView(name, entries, doc, t0))
    .sort((a, b) => a.start - b.start || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const agentRows: AgentRow[] = doc.agents.flatMap((a) =>
    a.stats.filter((e) => options.warmup || !e.isWarmup).map((e) => ({
      agent: a.name,
      phase: e.name,
      row: metricRow(e),
      cpu: doc.agentCpu[e.name]?.[a.name],
    }))
  );
  const totals = { requests: 0, responses: 0, errors: 0 };
  for (const e of shown) {
    totals.requests += e.total.summary.requestCount;
    totals.responses += e.total.summary.responseCount;
    totals.errors += errorCount(e.total.summary);
  }
  const failed = doc.failures.length > 0 || doc.info.errors.length > 0;
  return {
    id: doc.info.id,
    benchmark: doc.info.benchmark,
    description: doc.info.description,
    version: doc.version,
    verdict: doc.info.cancelled ? "cancelled" : failed ? "failed" : "passed",
    startTime: t0,
    endTime,
    agents: doc.agents.map((a) => a.name),
    failures: doc.failures,
    errors: doc.info.errors,
    phases,
    hiddenWarmup,
    connections: connectionViews(doc, t0),
    agentRows,
    totals,
  };
}
