/** all.json as Hyperfoil's JsonWriter writes it: key order, splitting, buckets, numbers. */
import assert from "node:assert/strict";
import {
  allJsonDocument,
  type AllJsonInput,
  histogramBuckets,
  type MetricStats,
  renderAllJson,
  renderInfoJson,
  type RunInfo,
  splitPhaseName,
  stringifyJava,
} from "../../src/stats/all_json.ts";
import { Histogram } from "../../src/stats/histogram.ts";
import { sessionLimitFailure } from "../../src/stats/sla.ts";
import { encodeSnapshot } from "../../src/stats/snapshot.ts";
import { StatsData } from "../../src/stats/stats_data.ts";
import { summarize } from "../../src/stats/summary.ts";

const T0 = 1_700_000_000_000;

const INFO: RunInfo = {
  id: "0001",
  benchmark: "hello",
  params: {},
  startTime: T0,
  terminateTime: T0 + 2600,
  cancelled: false,
  description: null,
  errors: [],
};

/** 0.5 ms ×2, 1.5 ms, 2.5 ms. */
function sampleData(): StatsData {
  const d = new StatsData();
  for (const ns of [500_000, 500_000, 1_500_000, 2_500_000]) {
    d.recordRequest();
    d.recordResponse(ns, 200);
  }
  d.widen(T0 + 50, T0 + 2050);
  return d;
}

function metric(phase: string, name: string, stepId = 1, total = sampleData()): MetricStats {
  return { phase, stepId, metric: name, isWarmup: false, total, series: [summarize(total)] };
}

Deno.test("phase names split into phase, iteration and fork", () => {
  assert.deepEqual(splitPhaseName("main"), { phase: "main", iteration: "", fork: "" });
  assert.deepEqual(splitPhaseName("shop/buy"), { phase: "shop", iteration: "", fork: "buy" });
  assert.deepEqual(splitPhaseName("test/002"), { phase: "test", iteration: "002", fork: "" });
  assert.deepEqual(splitPhaseName("rampUp/001/fork"), {
    phase: "rampUp",
    iteration: "001",
    fork: "fork",
  });
});

Deno.test("percentile buckets: empty runs merged, one bucket per step with samples, 1.0 last", () => {
  const h = sampleData().histogram;
  assert.equal(
    stringifyJava(histogramBuckets(h.percentiles(5), 100)),
    "[" + [
      '{"from":0.0,"to":501759.0,"percentile":0.0,"count":2,"totalCount":2}',
      '{"from":501759.0,"to":501759.0,"percentile":0.5,"count":0,"totalCount":2}',
      '{"from":501759.0,"to":1507327.0,"percentile":0.55,"count":1,"totalCount":3}',
      '{"from":1507327.0,"to":1507327.0,"percentile":0.75,"count":0,"totalCount":3}',
      '{"from":1507327.0,"to":2506751.0,"percentile":0.775,"count":1,"totalCount":4}',
      '{"from":2506751.0,"to":2506751.0,"percentile":1.0,"count":0,"totalCount":4}',
    ].join(",") + "]",
  );
});

Deno.test("linear buckets are 1 ms wide up to the step crossing 95 %, then one tail bucket", () => {
  const h = sampleData().histogram;
  assert.equal(
    stringifyJava(histogramBuckets(h.linearBucketValues(1_000_000), 95)),
    "[" + [
      '{"from":0.0,"to":999999.0,"percentile":0.5,"count":2,"totalCount":2}',
      '{"from":999999.0,"to":1999999.0,"percentile":0.75,"count":1,"totalCount":3}',
      '{"from":1999999.0,"to":2999999.0,"percentile":1.0,"count":1,"totalCount":4}',
    ].join(",") + "]",
  );
  // 40 samples at 0.5 ms, one at 12 ms and one at 20 ms: the first step crosses 95 %; the rest is
  // one tail up to the 1-ms step whose HDR bucket ([19922944, 20054015]) holds 20 ms.
  const skewed = new Histogram();
  for (let i = 0; i < 40; i++) skewed.record(500_000);
  skewed.record(20_000_000);
  skewed.record(12_000_000);
  const buckets = JSON.parse(stringifyJava(histogramBuckets(skewed.linearBucketValues(1e6), 95)));
  assert.deepEqual(buckets.at(-1), {
    from: 999999,
    to: 19999999,
    percentile: 1,
    count: 2,
    totalCount: 42,
  });
  assert.match(
    stringifyJava(histogramBuckets(skewed.linearBucketValues(1e6), 95)),
    /"to":1\.9999999E7,"percentile":1\.0,"count":2,"totalCount":42\}\]$/,
  );
});

Deno.test("top-level keys, entry keys and total keys come in Hyperfoil's order", () => {
  const doc = allJsonDocument({
    info: INFO,
    failures: [],
    stats: [metric("main", "hello")],
    sessions: { main: { "agent-a": [{ timestamp: T0 + 1000, low: 0, high: 2 }] } },
  });
  assert.deepEqual(Object.keys(doc), [
    "info",
    "$schema",
    "version",
    "commit",
    "failures",
    "stats",
    "sessions",
    "agents",
    "connections",
    "agentCpu",
  ]);
  const json = JSON.parse(
    renderAllJson({ info: INFO, failures: [], stats: [metric("main", "hello")] }),
  );
  assert.equal(json.$schema, "http://hyperfoil.io/run-schema/v3.0");
  assert.deepEqual([json.version, json.commit], ["unknown", "unknown"]);
  assert.deepEqual(Object.keys(json.info), [
    "id",
    "benchmark",
    "params",
    "startTime",
    "terminateTime",
    "cancelled",
    "description",
    "errors",
  ]);
  const entry = json.stats[0];
  assert.deepEqual(Object.keys(entry), [
    "name",
    "phase",
    "iteration",
    "fork",
    "metric",
    "isWarmup",
    "total",
    "histogram",
    "series",
  ]);
  assert.deepEqual(Object.keys(entry.total), [
    "phase",
    "metric",
    "start",
    "end",
    "summary",
    "failures",
    "minSessions",
    "maxSessions",
  ]);
  assert.deepEqual(Object.keys(entry.histogram), ["percentiles", "linear"]);
});

Deno.test("a small run renders to the exact text", () => {
  const input: AllJsonInput = {
    info: INFO,
    version: "0.1.0",
    failures: [],
    stats: [metric("main", "hello")],
  };
  const text = renderAllJson(input);
  const s = sampleData();
  const summary = JSON.stringify(summarize(s));
  // Midpoints 500736 ×2, 1503232, 2498560: mean 1250816, σ = √686454734848 ≈ 828525.6.
  assert.ok(text.startsWith(
    '{"info":{"id":"0001","benchmark":"hello","params":{},"startTime":1700000000000,' +
      '"terminateTime":1700000002600,"cancelled":false,"description":null,"errors":[]},' +
      '"$schema":"http://hyperfoil.io/run-schema/v3.0","version":"0.1.0","commit":"unknown",' +
      '"failures":[],"stats":[{"name":"main","phase":"main","iteration":"","fork":"",' +
      '"metric":"hello","isWarmup":false,"total":{"phase":"main","metric":"hello",' +
      `"start":1700000000050,"end":1700000002050,"summary":${summary},` +
      '"failures":0,"minSessions":0,"maxSessions":0},"histogram":{"percentiles":[{"from":0.0,',
  ));
  assert.ok(text.endsWith(
    `"series":[${summary}]}],"sessions":[],"agents":[],"connections":{},"agentCpu":{}}`,
  ));
  assert.equal(
    summary,
    '{"startTime":1700000000050,"endTime":1700000002050,"minResponseTime":499712,' +
      '"meanResponseTime":1250816,"stdDevResponseTime":828525,"maxResponseTime":2506751,' +
      '"percentileResponseTime":{"50.0":501759,"90.0":2506751,"99.0":2506751,"99.9":2506751,' +
      '"99.99":2506751},"requestCount":4,"responseCount":4,"invalid":0,"connectionErrors":0,' +
      '"requestTimeouts":0,"internalErrors":0,"blockedTime":0,"extensions":{"http":{"@type":"http",' +
      '"status_2xx":4,"status_3xx":0,"status_4xx":0,"status_5xx":0,"status_other":0,"cacheHits":0}}}',
  );
});

Deno.test("stats are sorted by phase name then metric (code points), failures counted per entry", () => {
  const json = JSON.parse(renderAllJson({
    failures: [
      { ...sessionLimitFailure("b", T0, T0 + 10) },
      {
        ...sessionLimitFailure("b", T0, T0 + 10),
        metric: "y",
        message: "Mean response time exceeded: required 1, actual 2.000",
      },
    ],
    stats: [metric("b", "y"), metric("B", "z"), metric("b", "x", 2), metric("b", "x", 1)],
  }));
  assert.equal(json.info, undefined);
  assert.deepEqual(
    json.stats.map((e: { name: string; metric: string }) => `${e.name}/${e.metric}`),
    ["B/z", "b/x", "b/x", "b/y"],
  );
  assert.deepEqual(json.stats.map((e: { total: { failures: number } }) => e.total.failures), [
    0,
    1,
    1,
    2,
  ]);
  assert.deepEqual(json.failures[0], {
    phase: "b",
    metric: null,
    message: "Exceeded session limit",
    start: T0,
    end: T0 + 10,
    percentileResponseTime: { "50.0": 0, "90.0": 0, "99.0": 0, "99.9": 0, "99.99": 0 },
  });
});

Deno.test("sessions interleave agents; min/max sum the agents' i-th records", () => {
  const json = JSON.parse(renderAllJson({
    failures: [],
    stats: [metric("main", "a"), metric("main", "b"), metric("other", "c")],
    sessions: {
      main: {
        "agent-a": [{ timestamp: 1, low: 1, high: 4 }, { timestamp: 2, low: 2, high: 3 }],
        "agent-b": [{ timestamp: 1, low: 0, high: 5 }],
      },
    },
  }));
  assert.equal(json.sessions.length, 2); // one per stats entry of the phase
  assert.deepEqual(json.sessions[0], {
    name: "main",
    phase: "main",
    iteration: "",
    fork: "",
    sessions: [
      { timestamp: 1, agent: "agent-a", minSessions: 1, maxSessions: 4 },
      { timestamp: 1, agent: "agent-b", minSessions: 0, maxSessions: 5 },
      { timestamp: 2, agent: "agent-a", minSessions: 2, maxSessions: 3 },
    ],
  });
  // Sums: (1, 9) then (2, 3).
  assert.deepEqual([json.stats[0].total.minSessions, json.stats[0].total.maxSessions], [1, 9]);
  assert.deepEqual([json.stats[2].total.minSessions, json.stats[2].total.maxSessions], [0, 0]);
});

Deno.test("agents are sorted; their entries use all-agent start/end and have no failures key", () => {
  const own = sampleData();
  own.startTime = T0 + 500;
  const m = metric("main", "hello");
  m.agents = {
    "b-agent": {
      total: encodeSnapshot(own, { phase: 0, stepId: 1, metric: "hello", sequenceId: 0 }),
    },
    "a-agent": { total: own, series: [summarize(own)] },
  };
  const json = JSON.parse(renderAllJson({
    failures: [],
    stats: [m],
    sessions: {
      main: { "a-agent": [{ timestamp: 1, low: 3, high: 7 }, { timestamp: 2, low: 1, high: 2 }] },
    },
    connections: {
      "localhost:8080": {
        "used connections": { "a-agent": [{ timestamp: 1, low: 0, high: 2 }] },
      },
    },
    agentCpu: { main: { "a-agent": "12.5% (1.0/8 cores), 1 core max 40.0%" } },
  }));
  assert.deepEqual(json.agents.map((a: { name: string }) => a.name), ["a-agent", "b-agent"]);
  const [a, b] = json.agents;
  assert.deepEqual(Object.keys(a.stats[0].total), [
    "phase",
    "metric",
    "start",
    "end",
    "summary",
    "minSessions",
    "maxSessions",
  ]);
  assert.equal(a.stats[0].total.start, T0 + 50);
  assert.equal(a.stats[0].total.summary.startTime, T0 + 500);
  assert.deepEqual([a.stats[0].total.minSessions, a.stats[0].total.maxSessions], [1, 7]);
  assert.deepEqual([b.stats[0].total.minSessions, b.stats[0].total.maxSessions], [0, 0]);
  assert.deepEqual(b.stats[0].series, []);
  assert.equal(a.stats[0].histogram.percentiles.length, 6);
  assert.deepEqual(json.connections, {
    "localhost:8080": { "used connections": [{ timestamp: 1, agent: "a-agent", min: 0, max: 2 }] },
  });
  assert.deepEqual(json.agentCpu, { main: { "a-agent": "12.5% (1.0/8 cores), 1 core max 40.0%" } });
});

Deno.test("an empty metric has empty histogram lists", () => {
  const empty = new StatsData();
  empty.recordRequest();
  empty.recordTimeout();
  const json = JSON.parse(renderAllJson({ failures: [], stats: [metric("main", "x", 1, empty)] }));
  assert.deepEqual(json.stats[0].histogram, { percentiles: [], linear: [] });
  assert.deepEqual(json.stats[0].total.summary.extensions, {});
});

Deno.test("info.json carries agent only for agent errors", () => {
  assert.equal(
    renderInfoJson({ ...INFO, errors: [{ agent: "a", msg: "boom" }, { msg: null }] }).slice(-52),
    '"description":null,"errors":[{"agent":"a","msg":"boom"},{"msg":null}]}'.slice(-52),
  );
});
