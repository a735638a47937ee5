/**
 * The report's charts, from report data to SVG: per phase throughput,
 * p50/p99 latency, errors and sessions over time plus the latency percentile
 * distribution; per endpoint the connection gauges.
 * @module
 */
import { formatCount, formatNanos, formatPercentile } from "./format.ts";
import type { GaugeSeries, PhaseView } from "./report_data.ts";
import { formatClockSeconds } from "./scale.ts";
import { lineChart, PALETTE } from "./svg_chart.ts";

/** Series slots are 1 s wide: a larger step between points means slots without data. */
const SLOT_GAP_S = 1.5;

const TIME_AXIS = { kind: "time" as const, label: "time since start" };
const COUNT_AXIS = { format: (v: number) => formatCount(v), integer: true };
const NANOS_AXIS = { format: formatNanos };

function colorOf(i: number): string {
  return PALETTE[i % PALETTE.length];
}

/** Requests per 1-s slot, one line per metric. */
export function throughputChart(p: PhaseView): string {
  return lineChart({
    title: "Throughput (requests per second)",
    x: TIME_AXIS,
    y: COUNT_AXIS,
    gap: SLOT_GAP_S,
    lines: p.series.map((s, i) => ({
      key: s.metric,
      label: s.metric,
      points: s.throughput,
      color: colorOf(i),
    })),
  });
}

/** p50 (solid) and p99 (dashed) per 1-s slot, one color per metric. */
export function latencyChart(p: PhaseView): string {
  return lineChart({
    title: "Latency over time (p50 solid, p99 dashed)",
    x: TIME_AXIS,
    y: NANOS_AXIS,
    gap: SLOT_GAP_S,
    lines: p.series.flatMap((s, i) => [
      { key: `${s.metric} p50`, label: `${s.metric} p50`, points: s.p50, color: colorOf(i) },
      {
        key: `${s.metric} p99`,
        label: `${s.metric} p99`,
        points: s.p99,
        color: colorOf(i),
        dashed: true,
      },
    ]),
  });
}

/** 4xx, 5xx, other statuses, connection errors and timeouts per 1-s slot. */
export function errorsChart(p: PhaseView): string {
  return lineChart({
    title: "Errors per second (4xx, 5xx, connection errors, timeouts)",
    x: TIME_AXIS,
    y: COUNT_AXIS,
    gap: SLOT_GAP_S,
    lines: p.series.map((s, i) => ({
      key: s.metric,
      label: s.metric,
      points: s.errors,
      color: colorOf(i),
    })),
  });
}

/** Latency at each percentile of the whole phase; x is 1/(1−p) on a log axis. */
export function distributionChart(p: PhaseView): string {
  const pct = (x: number) => formatPercentile(1 - 1 / x);
  return lineChart({
    title: "Latency percentile distribution",
    x: { kind: "log", format: pct, label: "percentile" },
    y: NANOS_AXIS,
    tip: (label, pt) => `${label}: ${pct(pt.x)} ≤ ${formatNanos(pt.y)}`,
    lines: p.distribution.map((d, i) => ({
      key: d.metric,
      label: `${d.metric} (${formatCount(d.samples)} samples)`,
      points: d.points,
      color: colorOf(i),
    })),
  });
}

/** Sessions in use (min–max band per period), one band per agent. */
export function sessionsChart(p: PhaseView): string {
  return lineChart({
    title: "Sessions in use (min–max per period)",
    x: TIME_AXIS,
    y: COUNT_AXIS,
    tip: (label, pt) => `${label}: ${formatClockSeconds(pt.x)}, max ${formatCount(pt.y)}`,
    bands: p.sessions.map((b) => ({ key: b.agent, label: b.agent, points: b.points })),
  });
}

/** One endpoint's gauges (connections, in-flight requests, blocked sessions). */
export function connectionsChart(authority: string, series: readonly GaugeSeries[]): string {
  return lineChart({
    title: `Connections to ${authority} (min–max per period)`,
    x: TIME_AXIS,
    y: COUNT_AXIS,
    tip: (label, pt) => `${label}: ${formatClockSeconds(pt.x)}, max ${formatCount(pt.y)}`,
    bands: series.map((s) => ({ key: s.label, label: s.label, points: s.points })),
  });
}
