/** Summaries as Hyperfoil's StatisticsSummary: values, rules and key order. */
import assert from "node:assert/strict";
import { StatsData } from "../../src/stats/stats_data.ts";
import { PERCENTILE_KEYS, summarize } from "../../src/stats/summary.ts";

Deno.test("summary of 100 ns … 1000 ns: bucket rules and truncated mean/stdDev", () => {
  const d = new StatsData();
  for (let v = 100; v <= 1000; v += 100) {
    d.recordRequest();
    d.recordResponse(v, 200);
  }
  d.recordInvalid();
  d.recordBlocked(42);
  d.widen(1_700_000_000_000, 1_700_000_001_000);
  assert.deepEqual(summarize(d), {
    startTime: 1_700_000_000_000,
    endTime: 1_700_000_001_000,
    minResponseTime: 100,
    meanResponseTime: 551, // 551.3
    stdDevResponseTime: 287, // 287.94…
    maxResponseTime: 1003,
    percentileResponseTime: { "50.0": 501, "90.0": 903, "99.0": 1003, "99.9": 1003, "99.99": 1003 },
    requestCount: 10,
    responseCount: 10,
    invalid: 1,
    connectionErrors: 0,
    requestTimeouts: 0,
    internalErrors: 0,
    blockedTime: 42,
    extensions: {
      http: {
        "@type": "http",
        status_2xx: 10,
        status_3xx: 0,
        status_4xx: 0,
        status_5xx: 0,
        status_other: 0,
        cacheHits: 0,
      },
    },
  });
});

Deno.test("key order is Hyperfoil's, percentile keys ascending", () => {
  const s = summarize(new StatsData());
  assert.deepEqual(Object.keys(s), [
    "startTime",
    "endTime",
    "minResponseTime",
    "meanResponseTime",
    "stdDevResponseTime",
    "maxResponseTime",
    "percentileResponseTime",
    "requestCount",
    "responseCount",
    "invalid",
    "connectionErrors",
    "requestTimeouts",
    "internalErrors",
    "blockedTime",
    "extensions",
  ]);
  assert.deepEqual(Object.keys(s.percentileResponseTime), [...PERCENTILE_KEYS]);
  assert.deepEqual(Object.values(s.percentileResponseTime), [0, 0, 0, 0, 0]);
  assert.deepEqual(s.extensions, {}); // no http without a status
});

Deno.test("extensions are sorted by key with @type first; transfer size is sent, received", () => {
  const d = new StatsData();
  d.incrementExtension("zeta", "b", 1);
  d.incrementExtension("bytes", "received", 5, "transfersize");
  d.incrementExtension("bytes", "sent", 3, "transfersize");
  d.recordCacheHit();
  const ext = summarize(d).extensions;
  assert.deepEqual(Object.keys(ext), ["bytes", "http", "zeta"]);
  assert.equal(JSON.stringify(ext.bytes), '{"@type":"transfersize","sent":3,"received":5}');
  assert.equal(JSON.stringify(ext.zeta), '{"@type":"counters","b":1}');
  assert.equal(ext.http.cacheHits, 1);
});

Deno.test("a timeout-only summary has no http extension", () => {
  const d = new StatsData();
  d.recordRequest();
  d.recordTimeout();
  assert.equal(summarize(d).extensions.http, undefined);
});
