/**
 * A run's statistics as the REST API serves them, whether the run is live in
 * this process (its `RunStatistics`) or only on disk (its `all.json`):
 * `RequestStats` rows, histograms, series, session and connection gauges
 * and agent CPU. Runs from disk have no step ids (all.json has none: 0) and
 * no encoded histograms.
 * @module
 */
import type { RequestStats } from "../../stats/aggregate.ts";
import type { LowHighRecord } from "../../stats/all_json.ts";
import type { StatisticsSummary } from "../../stats/summary.ts";
import type { RunStatistics } from "../../stats/aggregate.ts";

/** openapi `components/schemas/Histogram`. */
export interface HistogramJson {
  phase: string;
  metric: string;
  /** Epoch ms. */
  startTime: number;
  /** Epoch ms. */
  endTime: number;
  /** HdrHistogram V2 compressed, base64 (ns). */
  data: string;
}

/** Phase → agent → records. */
export type SessionRecords = Record<string, Record<string, LowHighRecord[]>>;
/** Target → connection type → agent → records. */
export type ConnectionRecords = Record<string, Record<string, Record<string, LowHighRecord[]>>>;

export interface MetricKey {
  phase: string;
  stepId: number;
  metric: string;
}

export interface RunStatsView {
  total(): RequestStats[];
  recent(now: number): RequestStats[];
  /** Undefined when no such metric; `null` when the run does not keep histograms (from disk). */
  histogram(key: MetricKey): HistogramJson | undefined | null;
  series(key: MetricKey): StatisticsSummary[] | undefined;
  sessions(): SessionRecords;
  connections(): ConnectionRecords;
  agentCpu(): Record<string, Record<string, string>>;
}

/** What `/stats/recent` covers, as Hyperfoil's "last 5 seconds". */
export const RECENT_MS = 5000;

/** The view of a run in this process. */
export function liveStatsView(stats: RunStatistics): RunStatsView {
  const find = (k: MetricKey) =>
    stats.metrics().find((d) =>
      d.phase === k.phase && d.stepId === k.stepId && d.metric === k.metric
    );
  return {
    total: () => stats.totalSummary(),
    recent: (now) => stats.recentSummary(now - RECENT_MS),
    histogram(k) {
      const d = find(k);
      if (d === undefined) return undefined;
      const t = d.total;
      return {
        phase: d.phase,
        metric: d.metric,
        startTime: Number.isFinite(t.startTime) ? t.startTime : 0,
        endTime: Number.isFinite(t.endTime) ? t.endTime : 0,
        data: t.histogram.encode(),
      };
    },
    series: (k) => find(k)?.series,
    sessions: () => stats.sessions,
    connections: () => stats.connections,
    agentCpu: () => stats.agentCpu,
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function records(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter(isRecord) : [];
}

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/** The view of a finished run from its `all.json` document (already parsed). */
export function diskStatsView(all: unknown): RunStatsView {
  const doc = isRecord(all) ? all : {};
  const stats = records(doc.stats);
  const failures = records(doc.failures);
  const failedSlas = (phase: string, metric: string) =>
    failures.filter((f) => f.phase === phase && (f.metric === null || f.metric === metric))
      .map((f) => String(f.message ?? ""));
  const find = (k: MetricKey) => stats.find((s) => s.name === k.phase && s.metric === k.metric);
  return {
    total() {
      const rows: RequestStats[] = stats.map((s) => {
        const phase = String(s.name ?? s.phase ?? "");
        const metric = String(s.metric ?? "");
        const total = isRecord(s.total) ? s.total : {};
        return {
          phase,
          stepId: 0,
          metric,
          summary: (isRecord(total.summary) ? total.summary : {}) as unknown as StatisticsSummary,
          failedSLAs: failedSlas(phase, metric),
          isWarmup: s.isWarmup === true,
        };
      });
      const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
      return rows.sort((a, b) =>
        num(a.summary.startTime) - num(b.summary.startTime) || cmp(a.phase, b.phase) ||
        cmp(a.metric, b.metric)
      );
    },
    // Everything on disk is older than the recent window.
    recent: () => [],
    histogram: (k) => (find(k) === undefined ? undefined : null),
    series: (k) => {
      const s = find(k);
      return s === undefined ? undefined : records(s.series) as unknown as StatisticsSummary[];
    },
    sessions() {
      const out: SessionRecords = {};
      for (const entry of records(doc.sessions)) {
        const phase = String(entry.name ?? entry.phase ?? "");
        for (const r of records(entry.sessions)) {
          const agent = String(r.agent ?? "");
          ((out[phase] ??= {})[agent] ??= []).push({
            timestamp: num(r.timestamp),
            low: num(r.minSessions),
            high: num(r.maxSessions),
          });
        }
      }
      return out;
    },
    connections() {
      const out: ConnectionRecords = {};
      const byTarget = isRecord(doc.connections) ? doc.connections : {};
      for (const [target, byType] of Object.entries(byTarget)) {
        if (!isRecord(byType)) continue;
        for (const [type, list] of Object.entries(byType)) {
          for (const r of records(list)) {
            const agent = String(r.agent ?? "");
            (((out[target] ??= {})[type] ??= {})[agent] ??= []).push({
              timestamp: num(r.timestamp),
              low: num(r.min),
              high: num(r.max),
            });
          }
        }
      }
      return out;
    },
    agentCpu() {
      const out: Record<string, Record<string, string>> = {};
      const cpu = isRecord(doc.agentCpu) ? doc.agentCpu : {};
      for (const [phase, byAgent] of Object.entries(cpu)) {
        if (!isRecord(byAgent)) continue;
        out[phase] = {};
        for (const [agent, usage] of Object.entries(byAgent)) out[phase][agent] = String(usage);
      }
      return out;
    },
  };
}

export interface MinMax {
  min: number;
  max: number;
}

/** Min of lows and max of highs over records at or after `since`; undefined when none. */
function minMax(list: readonly LowHighRecord[], since: number): MinMax | undefined {
  let min = Infinity, max = -Infinity;
  for (const r of list) {
    if (r.timestamp < since) continue;
    min = Math.min(min, r.low);
    max = Math.max(max, r.high);
  }
  return min === Infinity ? undefined : { min, max };
}

/** `/sessions/{recent,total}`: phase → agent → {min, max} (records since `since`). */
export function sessionSummary(
  sessions: SessionRecords,
  since: number,
): Record<string, Record<string, MinMax>> {
  const out: Record<string, Record<string, MinMax>> = {};
  for (const [phase, byAgent] of Object.entries(sessions)) {
    for (const [agent, list] of Object.entries(byAgent)) {
      const mm = minMax(list, since);
      if (mm !== undefined) (out[phase] ??= {})[agent] = mm;
    }
  }
  return out;
}

/**
 * `/connections/{recent,total}`: target → type → {min, max}, each agent's
 * min/max summed over agents (the connections a target saw at once).
 */
export function connectionSummary(
  connections: ConnectionRecords,
  since: number,
): Record<string, Record<string, MinMax>> {
  const out: Record<string, Record<string, MinMax>> = {};
  for (const [target, byType] of Object.entries(connections)) {
    for (const [type, byAgent] of Object.entries(byType)) {
      let sum: MinMax | undefined;
      for (const list of Object.values(byAgent)) {
        const mm = minMax(list, since);
        if (mm === undefined) continue;
        sum = sum === undefined ? mm : { min: sum.min + mm.min, max: sum.max + mm.max };
      }
      if (sum !== undefined) (out[target] ??= {})[type] = sum;
    }
  }
  return out;
}
