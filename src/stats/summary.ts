/**
 * Hyperfoil's `StatisticsSummary`: the JSON object found in `all.json` totals and
 * series and in the REST API, with its key order.
 * @module
 */
import { javaHashMapOrder } from "./_java_format.ts";
import type { Histogram } from "./histogram.ts";
import {
  COUNTERS_TYPE,
  type ExtensionCounters,
  type StatsData,
  TRANSFER_SIZE_TYPE,
} from "./stats_data.ts";

/** The reported percentiles, as percentages (`StatisticsStore.PERCENTILES`). */
export const PERCENTILES: readonly number[] = [50, 90, 99, 99.9, 99.99];
/** Their JSON keys (Java's `Double.toString`). */
export const PERCENTILE_KEYS = ["50.0", "90.0", "99.0", "99.9", "99.99"] as const;
export type PercentileKey = typeof PERCENTILE_KEYS[number];
export type PercentileResponseTime = Record<PercentileKey, number>;

/** One extension as serialised: `"@type"` first, then its counters. */
export interface SummaryExtension {
  "@type": string;
  [counter: string]: string | number;
}

export interface StatisticsSummary {
  /** Epoch ms. */
  startTime: number;
  /** Epoch ms. */
  endTime: number;
  /** ns: the lowest value of the minimum's bucket. */
  minResponseTime: number;
  /** ns, truncated. */
  meanResponseTime: number;
  /** ns, truncated. */
  stdDevResponseTime: number;
  /** ns: the highest value of the maximum's bucket. */
  maxResponseTime: number;
  percentileResponseTime: PercentileResponseTime;
  requestCount: number;
  responseCount: number;
  invalid: number;
  connectionErrors: number;
  requestTimeouts: number;
  internalErrors: number;
  /** ns. */
  blockedTime: number;
  /** Keys sorted; `http` only when a status or cache hit was counted. */
  extensions: Record<string, SummaryExtension>;
}

/** The five percentiles, each the highest value of its bucket; all 0 when empty. */
export function percentileResponseTimes(histogram: Histogram): PercentileResponseTime {
  const out = {} as PercentileResponseTime;
  PERCENTILE_KEYS.forEach((key, i) => {
    out[key] = histogram.valueAtPercentile(PERCENTILES[i]);
  });
  return out;
}

function extensionJson(ext: ExtensionCounters): SummaryExtension {
  const out: SummaryExtension = { "@type": ext.type };
  let names: string[];
  if (ext.type === TRANSFER_SIZE_TYPE) names = ["sent", "received"];
  else if (ext.type === COUNTERS_TYPE) names = javaHashMapOrder([...ext.values.keys()]);
  else names = [...ext.values.keys()];
  for (const name of names) out[name] = ext.values.get(name) ?? 0;
  return out;
}

/** The summary's `extensions`: `http` from the status counters plus the custom ones, keys sorted. */
export function summaryExtensions(data: StatsData): Record<string, SummaryExtension> {
  const all = new Map<string, SummaryExtension>();
  if (data.hasHttp()) {
    all.set("http", {
      "@type": "http",
      status_2xx: data.status2xx,
      status_3xx: data.status3xx,
      status_4xx: data.status4xx,
      status_5xx: data.status5xx,
      status_other: data.statusOther,
      cacheHits: data.cacheHits,
    });
  }
  for (const [key, ext] of data.extensions) all.set(key, extensionJson(ext));
  const out: Record<string, SummaryExtension> = {};
  for (const key of [...all.keys()].sort()) out[key] = all.get(key) as SummaryExtension;
  return out;
}

/** Hyperfoil's `StatisticsSnapshot.summary(PERCENTILES)`. */
export function summarize(data: StatsData): StatisticsSummary {
  const h = data.histogram;
  return {
    startTime: Number.isFinite(data.startTime) ? data.startTime : 0,
    endTime: data.endTime,
    minResponseTime: h.minValue(),
    meanResponseTime: Math.trunc(h.mean()),
    stdDevResponseTime: Math.trunc(h.stdDeviation()),
    maxResponseTime: h.maxValue(),
    percentileResponseTime: percentileResponseTimes(h),
    requestCount: data.requestCount,
    responseCount: data.responseCount,
    invalid: data.invalid,
    connectionErrors: data.connectionErrors,
    requestTimeouts: data.requestTimeouts,
    internalErrors: data.internalErrors,
    blockedTime: data.blockedTime,
    extensions: summaryExtensions(data),
  };
}
