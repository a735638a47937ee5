/**
 * Two runs side by side as text: per phase and metric (matched by full phase
 * name and metric) the requests, errors, mean and percentiles of both and
 * their relative change, with changes beyond a threshold marked `!`; metrics
 * found in one run only are listed after.
 * @module
 */
import { formatCount, formatDate, formatDelta, formatDuration, formatNanos } from "./format.ts";
import { errorCount } from "./report_data.ts";
import { readRunDocument, type RunDocument, type StatEntry } from "./run_document.ts";
import type { StatisticsSummary } from "../stats/summary.ts";

export interface CompareOptions {
  /** Relative change beyond which a value is marked; default 0.05 (5 %). */
  threshold?: number;
  /** Include warm-up phases; default false. */
  warmup?: boolean;
}

interface Quantity {
  label: string;
  value: (s: StatisticsSummary) => number;
  format: (v: number) => string;
}

const QUANTITIES: readonly Quantity[] = [
  { label: "requests", value: (s) => s.requestCount, format: (v) => formatCount(v) },
  { label: "errors", value: errorCount, format: (v) => formatCount(v) },
  { label: "mean", value: (s) => s.meanResponseTime, format: formatNanos },
  { label: "p50", value: (s) => s.percentileResponseTime["50.0"], format: formatNanos },
  { label: "p90", value: (s) => s.percentileResponseTime["90.0"], format: formatNanos },
  { label: "p99", value: (s) => s.percentileResponseTime["99.0"], format: formatNanos },
  { label: "p99.9", value: (s) => s.percentileResponseTime["99.9"], format: formatNanos },
];

/** (b − a) / a; 0 when both are 0, +Infinity when only b is not. */
export function relativeDelta(a: number, b: number): number {
  if (a === 0) return b === 0 ? 0 : b > 0 ? Infinity : -Infinity;
  return (b - a) / a;
}

/**
 * Entries keyed by full phase name and metric. Two steps reporting the same
 * metric in one phase give two entries; they pair up in file order (`#2`).
 */
function keyed(doc: RunDocument, warmup: boolean): Map<string, StatEntry> {
  const out = new Map<string, StatEntry>();
  for (const e of doc.stats) {
    if (e.isWarmup && !warmup) continue;
    const base = `${e.name}\u0000${e.metric}`;
    let key = base;
    for (let n = 2; out.has(key); n++) key = `${base}\u0000#${n}`;
    out.set(key, e);
  }
  return out;
}

function label(key: string): { phase: string; metric: string } {
  const [phase, metric, nth] = key.split("\u0000");
  return { phase, metric: nth === undefined ? metric : `${metric} ${nth}` };
}

function runLine(name: string, d: RunDocument): string {
  const i = d.info;
  const span = i.terminateTime > i.startTime
    ? `, ${formatDuration(i.terminateTime - i.startTime)}`
    : "";
  return `${name}: run ${i.id} of '${i.benchmark}', started ${formatDate(i.startTime)}${span}`;
}

function align(rows: readonly string[][], numericFrom: number): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) =>
    r.map((cell, c) =>
      c >= numericFrom && c < r.length - 1 ? cell.padStart(widths[c]) : cell.padEnd(widths[c])
    ).join("  ").trimEnd()
  );
}

/**
 * Compares two runs' all.json documents (parsed JSON, checked here; a
 * malformed one throws `RunDocumentError`). Returns text ending in a newline.
 */
export function compareRuns(a: unknown, b: unknown, options: CompareOptions = {}): string {
  const threshold = options.threshold ?? 0.05;
  if (!Number.isFinite(threshold) || threshold < 0) {
    throw new RangeError(`Threshold must be a number ≥ 0 (0.05 is 5%), found ${threshold}`);
  }
  const da = readRunDocument(a, "run A");
  const db = readRunDocument(b, "run B");
  const ea = keyed(da, options.warmup ?? false);
  const eb = keyed(db, options.warmup ?? false);
  const lines = [
    runLine("A", da),
    runLine("B", db),
    `Delta is (B − A) / A; '!' marks changes beyond ±${formatDelta(threshold).replace("+", "")}.`,
    "",
  ];
  const rows: string[][] = [["PHASE", "METRIC", "VALUE", "A", "B", "DELTA"]];
  let compared = 0, marked = 0;
  for (const [key, x] of ea) {
    const y = eb.get(key);
    if (y === undefined) continue;
    compared++;
    const { phase, metric } = label(key);
    QUANTITIES.forEach((q, i) => {
      const va = q.value(x.total.summary);
      const vb = q.value(y.total.summary);
      const delta = relativeDelta(va, vb);
      const beyond = Math.abs(delta) > threshold;
      if (beyond) marked++;
      rows.push([
        i === 0 ? phase : "",
        i === 0 ? metric : "",
        q.label,
        q.format(va),
        q.format(vb),
        `${formatDelta(delta)}${beyond ? " !" : ""}`,
      ]);
    });
  }
  if (compared > 0) lines.push(...align(rows, 3));
  else lines.push("The runs have no phase and metric in common.");
  const only = (from: Map<string, StatEntry>, other: Map<string, StatEntry>, run: string) => {
    const missing = [...from.keys()].filter((k) => !other.has(k)).map(label);
    if (missing.length === 0) return;
    lines.push("", `Only in run ${run}:`);
    for (const m of missing) lines.push(`  ${m.phase}  ${m.metric}`);
  };
  only(ea, eb, "A");
  only(eb, ea, "B");
  lines.push(
    "",
    `${compared} metric${compared === 1 ? "" : "s"} compared, ${marked} value${
      marked === 1 ? "" : "s"
    } changed beyond the threshold.`,
  );
  return lines.join("\n") + "\n";
}
