/**
 * The CSV files of a run directory's `stats/` folder, as Hyperfoil's `CsvWriter`
 * writes them. Everything is returned as text; {@link csvFiles} maps file names
 * to contents for the caller to write.
 * @module
 */
import { javaFixed } from "./_java_format.ts";
import {
  agentSessionsMinMax,
  type AllJsonInput,
  compareStrings,
  interleaveByAgent,
  type LowHighRecord,
  type MetricStats,
  sessionsMinMax,
  sortMetricStats,
  statsData,
} from "./all_json.ts";
import type { Histogram } from "./histogram.ts";
import type { SlaFailure } from "./sla.ts";
import type { StatsData } from "./stats_data.ts";
import { PERCENTILE_KEYS, type StatisticsSummary, summarize } from "./summary.ts";

/** The summary columns, always exactly these. */
export const SUMMARY_HEADER = "Requests,Responses,Mean,StdDev,Min," +
  PERCENTILE_KEYS.map((k) => `p${k}`).join(",") +
  ",Max,ConnectionErrors,RequestTimeouts,InternalErrors,Invalid,BlockedTime";

const HTTP_HEADERS: Record<string, string> = {
  "2xx": "status_2xx",
  "3xx": "status_3xx",
  "4xx": "status_4xx",
  "5xx": "status_5xx",
  "OtherStatus": "status_other",
  "CacheHits": "cacheHits",
};

/** `/` becomes `_` in file names. */
export function sanitize(name: string): string {
  return name.replaceAll("/", "_");
}

function headersOf(type: string, counters: string[]): string[] {
  if (type === "http") return Object.keys(HTTP_HEADERS);
  if (type === "transfersize") return ["sent", "received"];
  return counters;
}

/** The union of `<extKey>.<header>` over the summaries, sorted by code point. */
export function extensionHeaders(summaries: readonly StatisticsSummary[]): string[] {
  const all = new Set<string>();
  for (const s of summaries) {
    for (const [key, ext] of Object.entries(s.extensions)) {
      const counters = Object.keys(ext).filter((k) => k !== "@type");
      for (const h of headersOf(ext["@type"], counters)) all.add(`${key}.${h}`);
    }
  }
  return [...all].sort(compareStrings);
}

/** The summary cells and one `,<value>` per extension header (empty when the row lacks it). */
export function summaryCells(s: StatisticsSummary, headers: readonly string[]): string {
  const cells = [
    s.requestCount,
    s.responseCount,
    s.meanResponseTime,
    s.stdDevResponseTime,
    s.minResponseTime,
    ...PERCENTILE_KEYS.map((k) => s.percentileResponseTime[k]),
    s.maxResponseTime,
    s.connectionErrors,
    s.requestTimeouts,
    s.internalErrors,
    s.invalid,
    s.blockedTime,
  ].join(",");
  let ext = "";
  for (const header of headers) {
    const dot = header.indexOf(".");
    const e = s.extensions[header.slice(0, dot)];
    let name = header.slice(dot + 1);
    if (e !== undefined && e["@type"] === "http") name = HTTP_HEADERS[name];
    // Hyperfoil prints "<unknown header: …>" for a counter this row lacks; 0 is what it means.
    ext += e === undefined ? "," : `,${e[name] ?? 0}`;
  }
  return cells + ext;
}

function tableCsv(
  rows: {
    m: MetricStats;
    summary: StatisticsSummary;
    total: StatsData;
    minMax?: { low: number; high: number };
  }[],
): string {
  const headers = extensionHeaders(rows.map((r) => r.summary));
  let out = `Phase,Metric,Start,End,${SUMMARY_HEADER}${headers.map((h) => "," + h).join("")}` +
    ",MinSessions,MaxSessions\n";
  for (const { m, summary, total, minMax } of rows) {
    const start = Number.isFinite(total.startTime) ? total.startTime : 0;
    out += `${m.phase},${m.metric},${start},${total.endTime},${summaryCells(summary, headers)}`;
    out += minMax === undefined ? ",," : `,${minMax.low},${minMax.high}`;
    out += "\n";
  }
  return out;
}

/** `total.csv`: one row per (phase, step, metric). */
export function totalCsv(input: AllJsonInput): string {
  const sessions = input.sessions ?? {};
  return tableCsv(
    sortMetricStats(input.stats).map((m) => {
      const total = statsData(m.total);
      return {
        m,
        total,
        summary: summarize(total),
        minMax: sessions[m.phase] === undefined ? undefined : sessionsMinMax(sessions[m.phase]),
      };
    }),
  );
}

/** `agent.<agent>.csv`: the rows this agent contributed to, with the all-agents Start/End. */
export function agentCsv(input: AllJsonInput, agent: string): string {
  const sessions = input.sessions ?? {};
  return tableCsv(
    sortMetricStats(input.stats).flatMap((m) => {
      const own = m.agents?.[agent];
      if (own === undefined) return [];
      const records = sessions[m.phase]?.[agent];
      return [{
        m,
        total: statsData(m.total),
        summary: summarize(statsData(own.total)),
        minMax: records === undefined ? undefined : agentSessionsMinMax(records),
      }];
    }),
  );
}

/** HdrHistogram's CSV percentile distribution (5 ticks per half distance, values in ms). */
export function histogramCsv(histogram: Histogram): string {
  let out = `"Value","Percentile","TotalCount","1/(1-Percentile)"\n`;
  for (const s of histogram.percentiles(5)) {
    const value = javaFixed(s.valueIteratedTo / 1_000_000, 2);
    const p = s.percentileLevelIteratedTo / 100;
    const last = s.percentileLevelIteratedTo === 100 ? "Infinity" : javaFixed(1 / (1 - p), 2);
    out += `${value},${javaFixed(p, 12)},${s.totalCountToThisValue},${last}\n`;
  }
  return out;
}

/** `….series.csv`: one row per period summary. */
export function seriesCsv(series: readonly StatisticsSummary[]): string {
  const headers = extensionHeaders(series);
  let out = `Start,End,${SUMMARY_HEADER}${headers.map((h) => "," + h).join("")}\n`;
  for (const s of series) out += `${s.startTime},${s.endTime},${summaryCells(s, headers)}\n`;
  return out;
}

/** `failures.csv`; the message is quoted without escaping, a null metric prints as `null`. */
export function failuresCsv(failures: readonly SlaFailure[]): string {
  const headers = extensionHeaders(failures.map((f) => f.summary));
  let out = `Phase,Metric,Message,Start,End,${SUMMARY_HEADER}${
    headers.map((h) => "," + h).join("")
  }\n`;
  for (const f of failures) {
    out += `${f.phase},${f.metric},"${f.message}",${f.summary.startTime},${f.summary.endTime},` +
      `${summaryCells(f.summary, headers)}\n`;
  }
  return out;
}

/** `<phase>.sessions.csv`. */
export function sessionsCsv(byAgent: Record<string, readonly LowHighRecord[]>): string {
  let out = "Timestamp,Agent,MinSessions,MaxSessions\n";
  for (const [agent, r] of interleaveByAgent(byAgent)) {
    out += `${r.timestamp},${agent},${r.low},${r.high}\n`;
  }
  return out;
}

/** `<authority>.<type>.connections.csv`. */
export function connectionsCsv(byAgent: Record<string, readonly LowHighRecord[]>): string {
  let out = "Timestamp,Agent,MinConnections,MaxConnections\n";
  for (const [agent, r] of interleaveByAgent(byAgent)) {
    out += `${r.timestamp},${agent},${r.low},${r.high}\n`;
  }
  return out;
}

/** `agentCpu.csv`; the agent names in the header run together, as Hyperfoil writes them. */
export function agentCpuCsv(agentCpu: Record<string, Record<string, string>>): string {
  const agents = [...new Set(Object.values(agentCpu).flatMap((a) => Object.keys(a)))]
    .sort(compareStrings);
  let out = `phase,${agents.join("")}\n`;
  for (const [phase, byAgent] of Object.entries(agentCpu)) {
    out += phase + agents.map((a) => `,${byAgent[a] ?? ""}`).join("") + "\n";
  }
  return out;
}

/** Every file of `stats/`, by file name, in the order Hyperfoil writes them. */
export function csvFiles(input: AllJsonInput): Map<string, string> {
  const files = new Map<string, string>();
  const sorted = sortMetricStats(input.stats);
  files.set("total.csv", totalCsv(input));
  const prefix = (m: MetricStats) => `${sanitize(m.phase)}.${sanitize(m.metric)}.${m.stepId}`;
  for (const m of sorted) {
    files.set(`${prefix(m)}.histogram.csv`, histogramCsv(statsData(m.total).histogram));
    files.set(`${prefix(m)}.series.csv`, seriesCsv(m.series));
  }
  const agents = [...new Set(sorted.flatMap((m) => Object.keys(m.agents ?? {})))].sort(
    compareStrings,
  );
  for (const agent of agents) {
    files.set(`agent.${sanitize(agent)}.csv`, agentCsv(input, agent));
    for (const m of sorted) {
      const own = m.agents?.[agent];
      if (own === undefined) continue;
      files.set(
        `${prefix(m)}.agent.${agent}.histogram.csv`,
        histogramCsv(statsData(own.total).histogram),
      );
      if (own.series !== undefined) {
        files.set(`${prefix(m)}.agent.${agent}.series.csv`, seriesCsv(own.series));
      }
    }
  }
  files.set("failures.csv", failuresCsv(input.failures));
  for (const [phase, byAgent] of Object.entries(input.sessions ?? {})) {
    files.set(`${sanitize(phase)}.sessions.csv`, sessionsCsv(byAgent));
  }
  for (const [authority, byType] of Object.entries(input.connections ?? {})) {
    for (const [type, byAgent] of Object.entries(byType)) {
      files.set(
        `${sanitize(authority)}.${sanitize(type)}.connections.csv`,
        connectionsCsv(byAgent),
      );
    }
  }
  files.set("agentCpu.csv", agentCpuCsv(input.agentCpu ?? {}));
  return files;
}
