/**
 * Hyperfoil's CLI `stats` table (`cli/commands/Stats.java` and `cli/Table.java`):
 * aligned columns, humanised times, warm-up phases hidden unless asked, rows
 * with failed SLAs in red and their messages listed below.
 * @module
 */
import { javaFixed } from "./_java_format.ts";
import type { PercentileKey, StatisticsSummary } from "./summary.ts";

/** One row: Hyperfoil's `RequestStats`. */
export interface StatsTableRow {
  /** Full phase instance name. */
  phase: string;
  stepId?: number;
  metric: string;
  isWarmup: boolean;
  summary: StatisticsSummary;
  /** Messages of the failures of this phase whose metric is this one or null. */
  failedSLAs: readonly string[];
}

export interface StatsTableOptions {
  /** Show warm-up phases (`-w`); default false. */
  warmup?: boolean;
  /** ANSI bold header and red rows for failed SLAs; default false. */
  color?: boolean;
  /** Terminal width; a wider table wraps its columns as Hyperfoil's does. Default: never wrap. */
  width?: number;
}

const BOLD = "\u001b[1m";
const RED = "\u001b[31m";
const RESET = "\u001b[0m";
/** Hyperfoil writes micro with the Greek letter mu (U+03BC). */
export const MICRO = "\u03bc";

/** `Util.prettyPrintNanos`: `950 ns`, `812.03 μs`, `1.25 ms`, `2.01 s ` (seconds keep a trailing space). */
export function prettyPrintNanos(ns: number): string {
  if (ns < 1000) return `${ns} ns`;
  if (ns < 1_000_000) return `${javaFixed(ns / 1000, 2)} ${MICRO}s`;
  if (ns < 1_000_000_000) return `${javaFixed(ns / 1_000_000, 2)} ms`;
  return `${javaFixed(ns / 1_000_000_000, 2)} s `;
}

/** Responses per second over the summary's time span: `100.00 req/s`, `12.50k req/s`, `<none>`. */
export function formatThroughput(s: StatisticsSummary): string {
  if (s.endTime <= s.startTime) return "<none>";
  const rate = (1000 * s.responseCount) / (s.endTime - s.startTime);
  if (rate < 10_000) return `${javaFixed(rate, 2)} req/s`;
  if (rate < 10_000_000) return `${javaFixed(rate / 1000, 2)}k req/s`;
  return `${javaFixed(rate / 1_000_000, 2)}M req/s`;
}

/** Hyperfoil's REST order: summary start time, then phase, then metric. */
export function sortStatsRows<
  T extends { phase: string; metric: string; summary: StatisticsSummary },
>(
  rows: readonly T[],
): T[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...rows].sort((a, b) =>
    a.summary.startTime - b.summary.startTime || cmp(a.phase, b.phase) || cmp(a.metric, b.metric)
  );
}

interface Column {
  title: string;
  right: boolean;
  value: (r: StatsTableRow) => string;
}

const nanos = (title: string, f: (s: StatisticsSummary) => number): Column => ({
  title,
  right: true,
  value: (r) => prettyPrintNanos(f(r.summary)),
});
const int = (title: string, f: (r: StatsTableRow) => number): Column => ({
  title,
  right: true,
  value: (r) => String(f(r)),
});
const pct = (key: PercentileKey) => (s: StatisticsSummary) => s.percentileResponseTime[key];
const http = (r: StatsTableRow) => r.summary.extensions.http;

const COLUMNS: Column[] = [
  { title: "PHASE", right: false, value: (r) => r.phase },
  { title: "METRIC", right: false, value: (r) => r.metric },
  { title: "THROUGHPUT", right: true, value: (r) => formatThroughput(r.summary) },
  int("REQUESTS", (r) => r.summary.requestCount),
  nanos("MEAN", (s) => s.meanResponseTime),
  nanos("STD_DEV", (s) => s.stdDevResponseTime),
  nanos("MAX", (s) => s.maxResponseTime),
  nanos("p50", pct("50.0")),
  nanos("p90", pct("90.0")),
  nanos("p99", pct("99.0")),
  nanos("p99.9", pct("99.9")),
  nanos("p99.99", pct("99.99")),
  int("INVALID", (r) => r.summary.invalid),
  int("TIMEOUTS", (r) => r.summary.requestTimeouts),
  int("ERRORS", (r) => r.summary.connectionErrors + r.summary.internalErrors),
  nanos("BLOCKED", (s) => s.blockedTime),
];

const httpCount = (field: string) => (r: StatsTableRow) => Number(http(r)?.[field] ?? 0);
const HTTP_COLUMNS: Column[] = [
  int("2xx", httpCount("status_2xx")),
  int("3xx", httpCount("status_3xx")),
  int("4xx", httpCount("status_4xx")),
  int("5xx", httpCount("status_5xx")),
  int("CACHE", httpCount("cacheHits")),
];

const ID_COLUMNS = 2;

/**
 * The table text, each line ending in a newline: an "Extensions" line when
 * there are extensions other than `http`, the table, then one
 * `phase/metric: message` line per failed SLA.
 */
export function formatStatsTable(
  rows: readonly StatsTableRow[],
  options: StatsTableOptions = {},
): string {
  const shown = options.warmup ? [...rows] : rows.filter((r) => !r.isWarmup);
  const color = options.color ?? false;
  let out = "";
  const others = [...new Set(rows.flatMap((r) => Object.keys(r.summary.extensions)))]
    .filter((e) => e !== "http").sort();
  if (others.length > 0) out += `Extensions (use -e to show): ${others.join(", ")}\n`;
  const columns = shown.some((r) => http(r) !== undefined)
    ? [...COLUMNS, ...HTTP_COLUMNS]
    : COLUMNS;
  const cells = shown.map((r) => columns.map((c) => c.value(r)));
  out += layout(
    columns,
    cells,
    shown.map((r) => (color && r.failedSLAs.length > 0 ? RED : "")),
    color,
    options.width ?? Number.POSITIVE_INFINITY,
  );
  for (const r of shown) {
    for (const msg of r.failedSLAs) out += `${r.phase}/${r.metric ?? "*"}: ${msg}\n`;
  }
  return out;
}

/** `Table.print`: id columns, then the rest, wrapped into several lines when too wide. */
function layout(
  columns: Column[],
  cells: string[][],
  prefixes: string[],
  color: boolean,
  maxWidth: number,
): string {
  const width = columns.map((c, i) =>
    Math.max(c.title.length, ...cells.map((row) => row[i].length))
  );
  const totalWidth = width.reduce((a, w) => a + w + 2, 0) - 2;
  const multiline = totalWidth > maxWidth;
  const idsWidth = width.slice(0, ID_COLUMNS).reduce((a, w) => a + w + 2, 0);
  let stride = width.length - ID_COLUMNS;
  if (multiline) {
    const original = [...width];
    const newWidth = [...width];
    do {
      for (let i = ID_COLUMNS; i < ID_COLUMNS + stride; i++) {
        let w = 0;
        for (let j = i; j < original.length; j += stride) w = Math.max(w, original[j]);
        newWidth[i] = w;
      }
      const line = idsWidth +
        newWidth.slice(ID_COLUMNS, ID_COLUMNS + stride).reduce((a, w) => a + w + 2, 0) - 2;
      if (line <= maxWidth) break;
      for (let i = ID_COLUMNS; i < original.length; i++) newWidth[i] = original[i];
      stride--;
    } while (stride > 1);
    for (let i = ID_COLUMNS; i < ID_COLUMNS + stride; i++) width[i] = newWidth[i];
    for (let i = ID_COLUMNS + stride; i < width.length; i++) width[i] = width[i - stride];
  }
  const pad = (n: number, c = " ") => (n > 0 ? c.repeat(n) : "");
  const aligned = (row: string[], i: number) =>
    columns[i].right
      ? pad(width[i] - row[i].length) + row[i]
      : row[i] + pad(width[i] - row[i].length);
  const titles = columns.map((c) => c.title);

  let sb = color ? BOLD : "";
  for (let i = 0; i < ID_COLUMNS; i++) sb += titles[i] + pad(width[i] - titles[i].length + 2);
  for (let i = ID_COLUMNS; i < width.length; i += stride) {
    for (let j = 0; j < stride - 1 && i + j < width.length; j++) {
      sb += titles[i + j] + pad(width[i + j] - titles[i + j].length + 2);
    }
    if (i + stride - 1 < width.length) sb += titles[i + stride - 1];
    if (i + stride < width.length) {
      sb += (color ? RESET : "") + "\n" + (color ? BOLD : "") + pad(idsWidth);
    }
  }
  if (color) sb += RESET;
  if (multiline) sb += "\n" + pad(maxWidth, "-");
  sb += "\n";
  cells.forEach((row, r) => {
    const prefix = prefixes[r];
    const suffix = color ? RESET : "";
    sb += prefix;
    for (let i = 0; i < ID_COLUMNS; i++) sb += aligned(row, i) + "  ";
    for (let i = ID_COLUMNS; i < width.length; i += stride) {
      for (let j = 0; j < stride - 1 && i + j < width.length; j++) sb += aligned(row, i + j) + "  ";
      if (i + stride - 1 < width.length) sb += aligned(row, i + stride - 1);
      if (i + stride < width.length) sb += suffix + "\n" + prefix + pad(idsWidth);
    }
    sb += suffix;
    if (multiline) sb += "\n" + pad(maxWidth, "-");
    sb += "\n";
  });
  return sb;
}
