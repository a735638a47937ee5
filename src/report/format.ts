/**
 * Numbers as the report and the comparison show them. Latencies use the CLI
 * table's units (`prettyPrintNanos`), so a value reads the same everywhere.
 * @module
 */
import { prettyPrintNanos } from "../stats/stats_table.ts";

/** `458.83 μs`, `1.25 ms`, `2.01 s` (no trailing space). */
export function formatNanos(ns: number): string {
  return prettyPrintNanos(Math.round(ns)).trimEnd();
}

/** `1234567` → `1,234,567`; fractions keep up to `digits` places. */
export function formatCount(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits });
}

/** Requests per second: `12.50 req/s`, `12.5k req/s`. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return "–";
  if (perSecond < 10_000) return `${perSecond.toFixed(2)} req/s`;
  if (perSecond < 10_000_000) return `${(perSecond / 1000).toFixed(2)}k req/s`;
  return `${(perSecond / 1_000_000).toFixed(2)}M req/s`;
}

/** Epoch ms as `2024-05-01 12:00:07 UTC`: the page is made on a server, read anywhere. */
export function formatDate(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return "–";
  return new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

/** A span of ms as `950 ms`, `12.3 s`, `5 min 03 s`, `2 h 01 min`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const whole = Math.round(s);
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${pad2(whole % 60)} s`;
  return `${Math.floor(whole / 3600)} h ${pad2(Math.floor((whole % 3600) / 60))} min`;
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

/** A relative change: `+12.3%`, `-0.4%`, `0.0%`; `new` from 0 to something, `–` for 0 → 0. */
export function formatDelta(delta: number): string {
  if (Number.isNaN(delta)) return "–";
  if (!Number.isFinite(delta)) return "new";
  const pct = delta * 100;
  const text = Math.abs(pct) < 0.05 ? "0.0" : pct.toFixed(1);
  return `${pct > 0 && text !== "0.0" ? "+" : ""}${text}%`;
}

/** A percentile (fraction) as a label: 0.5 → `50%`, 0.999 → `99.9%`. */
export function formatPercentile(fraction: number): string {
  const pct = fraction * 100;
  return `${Number(pct.toFixed(4))}%`;
}
