/**
 * The report's HTML tables: per phase a latency table and an errors/statuses
 * table (one row per metric), the per-agent breakdown, and the lists of SLA
 * failures and errors. Values come from totals, never from drawn series.
 * @module
 */
import { escapeHtml } from "./_escape.ts";
import { formatCount, formatDate, formatNanos, formatRate } from "./format.ts";
import { type AgentRow, errorCount, type MetricRow } from "./report_data.ts";
import type { Failure } from "./run_document.ts";

interface Column<T> {
  title: string;
  /** Right-aligned numbers. */
  numeric?: boolean;
  cell: (row: T) => string;
  /** Marks the cell as a problem (red). */
  bad?: (row: T) => boolean;
}

function table<T>(columns: readonly Column<T>[], rows: readonly T[], rowClass?: (r: T) => string) {
  const head = columns.map((c) =>
    `<th${c.numeric ? ' class="n"' : ""}>${escapeHtml(c.title)}</th>`
  );
  const body = rows.map((r) => {
    const cells = columns.map((c) => {
      const classes = [c.numeric ? "n" : "", c.bad?.(r) ? "bad" : ""].filter((x) => x !== "");
      const cls = classes.length > 0 ? ` class="${classes.join(" ")}"` : "";
      return `<td${cls}>${escapeHtml(c.cell(r))}</td>`;
    });
    const cls = rowClass?.(r) ?? "";
    return `<tr${cls !== "" ? ` class="${cls}"` : ""}>${cells.join("")}</tr>`;
  });
  return `<div class="table-wrap"><table><thead><tr>${head.join("")}</tr></thead><tbody>${
    body.join("")
  }</tbody></table></div>`;
}

function rowClass(r: MetricRow): string {
  if (r.failures > 0) return "failed";
  return r.summary.blockedTime > 0 ? "blocked" : "";
}

const ns = (f: (r: MetricRow) => number) => (r: MetricRow) => formatNanos(f(r));
const count = (f: (r: MetricRow) => number) => (r: MetricRow) => formatCount(f(r));
const status = (f: (s: NonNullable<MetricRow["status"]>) => number) => (r: MetricRow) =>
  r.status === undefined ? "–" : formatCount(f(r.status));

const LATENCY: Column<MetricRow>[] = [
  { title: "Metric", cell: (r) => r.metric },
  { title: "Requests", numeric: true, cell: count((r) => r.summary.requestCount) },
  { title: "Responses", numeric: true, cell: count((r) => r.summary.responseCount) },
  { title: "Throughput", numeric: true, cell: (r) => formatRate(r.throughput) },
  { title: "Mean", numeric: true, cell: ns((r) => r.summary.meanResponseTime) },
  { title: "Std dev", numeric: true, cell: ns((r) => r.summary.stdDevResponseTime) },
  { title: "Min", numeric: true, cell: ns((r) => r.summary.minResponseTime) },
  { title: "p50", numeric: true, cell: ns((r) => r.summary.percentileResponseTime["50.0"]) },
  { title: "p90", numeric: true, cell: ns((r) => r.summary.percentileResponseTime["90.0"]) },
  { title: "p99", numeric: true, cell: ns((r) => r.summary.percentileResponseTime["99.0"]) },
  { title: "p99.9", numeric: true, cell: ns((r) => r.summary.percentileResponseTime["99.9"]) },
  { title: "p99.99", numeric: true, cell: ns((r) => r.summary.percentileResponseTime["99.99"]) },
  { title: "Max", numeric: true, cell: ns((r) => r.summary.maxResponseTime) },
];

const ERRORS: Column<MetricRow>[] = [
  { title: "Metric", cell: (r) => r.metric },
  {
    title: "Invalid",
    numeric: true,
    cell: count((r) => r.summary.invalid),
    bad: (r) => r.summary.invalid > 0,
  },
  {
    title: "Timeouts",
    numeric: true,
    cell: count((r) => r.summary.requestTimeouts),
    bad: (r) => r.summary.requestTimeouts > 0,
  },
  {
    title: "Connection errors",
    numeric: true,
    cell: count((r) => r.summary.connectionErrors),
    bad: (r) => r.summary.connectionErrors > 0,
  },
  {
    title: "Internal errors",
    numeric: true,
    cell: count((r) => r.summary.internalErrors),
    bad: (r) => r.summary.internalErrors > 0,
  },
  {
    title: "Blocked time",
    numeric: true,
    cell: ns((r) => r.summary.blockedTime),
    bad: (r) => r.summary.blockedTime > 0,
  },
  { title: "2xx", numeric: true, cell: status((s) => s.s2xx) },
  { title: "3xx", numeric: true, cell: status((s) => s.s3xx) },
  {
    title: "4xx",
    numeric: true,
    cell: status((s) => s.s4xx),
    bad: (r) => (r.status?.s4xx ?? 0) > 0,
  },
  {
    title: "5xx",
    numeric: true,
    cell: status((s) => s.s5xx),
    bad: (r) => (r.status?.s5xx ?? 0) > 0,
  },
  { title: "Other", numeric: true, cell: status((s) => s.other) },
  { title: "Cache hits", numeric: true, cell: status((s) => s.cacheHits) },
  {
    title: "SLA failures",
    numeric: true,
    cell: (r) => String(r.failures),
    bad: (r) => r.failures > 0,
  },
];

/** Throughput and latency percentiles per metric. */
export function latencyTable(rows: readonly MetricRow[]): string {
  return table(LATENCY, rows, rowClass);
}

/** Errors, blocked time and HTTP status classes per metric. */
export function errorsTable(rows: readonly MetricRow[]): string {
  return table(ERRORS, rows, rowClass);
}

const AGENT: Column<AgentRow>[] = [
  { title: "Agent", cell: (r) => r.agent },
  { title: "Phase", cell: (r) => r.phase },
  { title: "Metric", cell: (r) => r.row.metric },
  { title: "Requests", numeric: true, cell: (r) => formatCount(r.row.summary.requestCount) },
  { title: "Throughput", numeric: true, cell: (r) => formatRate(r.row.throughput) },
  { title: "Mean", numeric: true, cell: (r) => formatNanos(r.row.summary.meanResponseTime) },
  {
    title: "p50",
    numeric: true,
    cell: (r) => formatNanos(r.row.summary.percentileResponseTime["50.0"]),
  },
  {
    title: "p99",
    numeric: true,
    cell: (r) => formatNanos(r.row.summary.percentileResponseTime["99.0"]),
  },
  { title: "Max", numeric: true, cell: (r) => formatNanos(r.row.summary.maxResponseTime) },
  {
    title: "Errors",
    numeric: true,
    cell: (r) => formatCount(errorCount(r.row.summary)),
    bad: (r) => errorCount(r.row.summary) > 0,
  },
  { title: "CPU", cell: (r) => r.cpu ?? "–" },
];

/** One row per agent, phase and metric. */
export function agentTable(rows: readonly AgentRow[]): string {
  return table(AGENT, rows);
}

/** SLA failures with the window they judged. */
export function failuresTable(failures: readonly Failure[]): string {
  return table<Failure>([
    { title: "Phase", cell: (f) => f.phase },
    { title: "Metric", cell: (f) => f.metric ?? "–" },
    { title: "Failure", cell: (f) => f.message },
    { title: "From", cell: (f) => formatDate(f.start) },
    { title: "To", cell: (f) => formatDate(f.end) },
  ], failures);
}

/** Errors of the run (`info.errors`). */
export function errorsList(errors: readonly { agent?: string; msg: string | null }[]): string {
  const items = errors.map((e) =>
    `<li>${e.agent !== undefined ? `<strong>${escapeHtml(e.agent)}</strong>: ` : ""}${
      escapeHtml(e.msg ?? "(no message)")
    }</li>`
  );
  return `<ul>${items.join("")}</ul>`;
}
