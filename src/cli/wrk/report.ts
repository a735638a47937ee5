/**
 * wrk's report, from the statistics of the `test` phase:
 *
 * ```
 * Running 10s test @ http://localhost:8080/
 *   2 threads and 10 connections
 *   Thread Stats   Avg      Stdev     Max   +/- Stdev
 *     Latency   635.91us    0.89ms  12.92ms   93.69%
 *     Req/Sec    56.20k     8.07k   62.00k    86.54%
 *   1125312 requests in 10.01s, 139.52MB read
 * Requests/sec: 112407.03
 * Transfer/sec:     13.94MB
 * ```
 *
 * Latency comes from the merged HDR histogram (ns, shown in µs as wrk does).
 * `Req/Sec` is per thread: every thread's rate in every collection period
 * (wrk samples every 100 ms, hf every `statisticsCollectionPeriod`). "+/- Stdev"
 * is the share of samples within one standard deviation of the mean.
 * @module
 */
import {
  COUNTS_LENGTH,
  type Histogram,
  medianEquivalentValue,
  valueFromIndex,
} from "../../stats/histogram.ts";
import type { StatisticsSummary } from "../../stats/summary.ts";
import { TRANSFER_KEY } from "./benchmark.ts";
import type { ThreadPeriod } from "./thread_stats.ts";
import { formatBinary, formatMetric, formatTimeS, formatTimeUs, padUnits } from "./units.ts";

/** wrk's `--latency` percentiles. */
export const LATENCY_PERCENTILES: readonly number[] = [50, 75, 90, 99];

export interface WrkReportInput {
  /** The test phase's totals (counts, time span, status classes, transfer sizes). */
  summary: StatisticsSummary;
  /** Response times of the test phase, ns. */
  histogram: Histogram;
  /** Per-thread collection periods of the test phase. */
  periods: readonly ThreadPeriod[];
  /** `statisticsCollectionPeriod`, ms. */
  periodMs: number;
  /** Print the latency distribution. */
  latency: boolean;
}

/** Mean, standard deviation, max and "+/- Stdev" of one row. */
export interface RowStats {
  mean: number;
  stdev: number;
  max: number;
  /** Percentage of samples in [mean - stdev, mean + stdev]. */
  withinStdev: number;
}

/** `Running 10s test @ URL` and `  2 threads and 10 connections`. */
export function formatWrkHeader(
  o: {
    url: string;
    durationMs: number;
    durationText: string;
    threads: number;
    connections: number;
  },
): string {
  const duration = o.durationMs % 1000 === 0 ? formatTimeS(o.durationMs / 1000) : o.durationText;
  return `Running ${duration} test @ ${o.url}\n  ${o.threads} threads and ${o.connections} connections\n`;
}

/** Latency row in µs, over bucket midpoints as HdrHistogram's mean and deviation. */
export function latencyStats(h: Histogram): RowStats {
  if (h.totalCount === 0) return { mean: 0, stdev: 0, max: 0, withinStdev: 0 };
  const mean = h.mean();
  const stdev = h.stdDeviation();
  let within = 0;
  for (let i = 0; i < COUNTS_LENGTH; i++) {
    const c = h.counts[i];
    if (c === 0) continue;
    const v = medianEquivalentValue(valueFromIndex(i));
    if (v >= mean - stdev && v <= mean + stdev) within += c;
  }
  return {
    mean: mean / 1000,
    stdev: stdev / 1000,
    max: h.maxValue() / 1000,
    withinStdev: (100 * within) / h.totalCount,
  };
}

/**
 * Requests per second of each thread in each period. A period cut short
 * (the phase's last, often a few ms) is left out unless nothing else is
 * left: its rate is mostly noise.
 */
export function threadRates(periods: readonly ThreadPeriod[], periodMs: number): number[] {
  const rate = (p: ThreadPeriod) => (p.requestCount * 1000) / Math.max(1, p.end - p.start);
  const full = periods.filter((p) => p.end - p.start >= periodMs / 2);
  return (full.length > 0 ? full : periods).map(rate);
}

/** wrk's `stats_*` over plain samples: sample standard deviation, inclusive bounds. */
export function sampleStats(samples: readonly number[]): RowStats {
  const n = samples.length;
  if (n === 0) return { mean: 0, stdev: 0, max: 0, withinStdev: 0 };
  const mean = samples.reduce((a, b) => a + b, 0) / n;
  const stdev = n < 2 ? 0 : Math.sqrt(samples.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  const within = samples.filter((x) => x >= mean - stdev && x <= mean + stdev).length;
  return { mean, stdev, max: Math.max(...samples), withinStdev: (100 * within) / n };
}

function row(name: string, s: RowStats, fmt: (n: number) => string): string {
  return `    ${name.padEnd(10)}${padUnits(fmt(s.mean), 8)}${padUnits(fmt(s.stdev), 10)}${
    padUnits(fmt(s.max), 9)
  }${s.withinStdev.toFixed(2).padStart(8)}%\n`;
}

/** Bytes read in the test phase: the raw response bytes counted by the transfer-size recorder. */
export function bytesRead(summary: StatisticsSummary): number {
  const received = summary.extensions[TRANSFER_KEY]?.received;
  return typeof received === "number" ? received : 0;
}

/** Everything wrk prints after its header. */
export function formatWrkReport(input: WrkReportInput): string {
  const { summary, histogram } = input;
  let out = `  Thread Stats${"Avg".padStart(6)}${"Stdev".padStart(11)}${"Max".padStart(8)}${
    "+/- Stdev".padStart(12)
  }\n`;
  out += row("Latency", latencyStats(histogram), formatTimeUs);
  out += row("Req/Sec", sampleStats(threadRates(input.periods, input.periodMs)), formatMetric);
  if (input.latency) {
    out += "  Latency Distribution\n";
    for (const p of LATENCY_PERCENTILES) {
      const us = histogram.totalCount === 0 ? 0 : histogram.valueAtPercentile(p) / 1000;
      out += `${p.toFixed(0).padStart(7)}%${padUnits(formatTimeUs(us), 10)}\n`;
    }
  }
  const runtimeMs = Math.max(1, summary.endTime - summary.startTime);
  const bytes = bytesRead(summary);
  out += `  ${summary.requestCount} requests in ${formatTimeUs(runtimeMs * 1000)}, ${
    formatBinary(bytes)
  }B read\n`;
  // hf does not tell read from write failures: a failed or reset connection is a connect error.
  if (summary.connectionErrors + summary.requestTimeouts > 0) {
    out +=
      `  Socket errors: connect ${summary.connectionErrors}, read 0, write 0, timeout ${summary.requestTimeouts}\n`;
  }
  if (summary.internalErrors > 0) out += `  Internal errors: ${summary.internalErrors}\n`;
  const http = summary.extensions.http;
  const non2xx3xx = http === undefined
    ? 0
    : Number(http.status_4xx) + Number(http.status_5xx) + Number(http.status_other);
  if (non2xx3xx > 0) out += `  Non-2xx or 3xx responses: ${non2xx3xx}\n`;
  out += `Requests/sec: ${((summary.requestCount * 1000) / runtimeMs).toFixed(2).padStart(9)}\n`;
  out += `Transfer/sec: ${formatBinary((bytes * 1000) / runtimeMs).padStart(10)}B\n`;
  return out;
}
