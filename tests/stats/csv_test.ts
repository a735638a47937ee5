/** The stats/*.csv files as Hyperfoil's CsvWriter writes them. */
import assert from "node:assert/strict";
import type { AllJsonInput, MetricStats } from "../../src/stats/all_json.ts";
import {
  agentCpuCsv,
  csvFiles,
  failuresCsv,
  histogramCsv,
  sanitize,
  seriesCsv,
  totalCsv,
} from "../../src/stats/csv.ts";
import { sessionLimitFailure } from "../../src/stats/sla.ts";
import { StatsData } from "../../src/stats/stats_data.ts";
import { summarize } from "../../src/stats/summary.ts";

const T0 = 1_700_000_000_000;
const SUMMARY_COLUMNS =
  "Requests,Responses,Mean,StdDev,Min,p50.0,p90.0,p99.0,p99.9,p99.99,Max,ConnectionErrors,RequestTimeouts,InternalErrors,Invalid,BlockedTime";

function sampleData(status = 200): StatsData {
  const d = new StatsData();
  for (const ns of [500_000, 500_000, 1_500_000, 2_500_000]) {
    d.recordRequest();
    d.recordResponse(ns, status);
  }
  d.widen(T0 + 50, T0 + 2050);
  return d;
}

function metric(phase: string, name: string, total: StatsData): MetricStats {
  return { phase, stepId: 1, metric: name, isWarmup: false, total, series: [summarize(total)] };
}

Deno.test("total.csv without extensions ends in BlockedTime,MinSessions,MaxSessions", () => {
  const d = new StatsData();
  d.recordRequest();
  d.recordTimeout();
  d.widen(T0, T0 + 1000);
  const csv = totalCsv({ failures: [], stats: [metric("main", "x", d)] });
  assert.equal(
    csv,
    `Phase,Metric,Start,End,${SUMMARY_COLUMNS},MinSessions,MaxSessions\n` +
      `main,x,${T0},${T0 + 1000},1,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,,\n`,
  );
});

Deno.test("total.csv adds sorted extension columns and session columns", () => {
  const d = sampleData();
  d.incrementExtension("bytes", "sent", 10, "transfersize");
  d.incrementExtension("bytes", "received", 20, "transfersize");
  const other = sampleData(404);
  const input: AllJsonInput = {
    failures: [],
    stats: [metric("main", "b", other), metric("main", "a", d)],
    sessions: { main: { agent: [{ timestamp: 1, low: 1, high: 3 }] } },
  };
  const [header, first, second] = totalCsv(input).split("\n");
  assert.equal(
    header,
    `Phase,Metric,Start,End,${SUMMARY_COLUMNS},bytes.received,bytes.sent,http.2xx,http.3xx,http.4xx,` +
      "http.5xx,http.CacheHits,http.OtherStatus,MinSessions,MaxSessions",
  );
  assert.equal(
    first,
    `main,a,${T0 + 50},${
      T0 + 2050
    },4,4,1250816,828525,499712,501759,2506751,2506751,2506751,2506751,` +
      "2506751,0,0,0,0,0,20,10,4,0,0,0,0,0,1,3",
  );
  assert.ok(second.endsWith(",0,0,0,0,0,,,0,0,4,0,0,0,1,3"), second); // no bytes extension: empty cells
});

Deno.test("histogram CSV is HdrHistogram's percentile distribution in ms", () => {
  assert.equal(
    histogramCsv(sampleData().histogram),
    [
      '"Value","Percentile","TotalCount","1/(1-Percentile)"',
      "0.50,0.000000000000,2,1.00",
      "0.50,0.100000000000,2,1.11",
      "0.50,0.200000000000,2,1.25",
      "0.50,0.300000000000,2,1.43",
      "0.50,0.400000000000,2,1.67",
      "0.50,0.500000000000,2,2.00",
      "1.51,0.550000000000,3,2.22",
      "1.51,0.600000000000,3,2.50",
      "1.51,0.650000000000,3,2.86",
      "1.51,0.700000000000,3,3.33",
      "1.51,0.750000000000,3,4.00",
      "2.51,0.775000000000,4,4.44",
      "2.51,1.000000000000,4,Infinity",
      "",
    ].join("\n"),
  );
  assert.equal(
    histogramCsv(new StatsData().histogram),
    '"Value","Percentile","TotalCount","1/(1-Percentile)"\n',
  );
});

Deno.test("series, failures and agentCpu CSVs", () => {
  const s = summarize(sampleData());
  assert.ok(
    seriesCsv([s]).startsWith(
      `Start,End,${SUMMARY_COLUMNS},http.2xx,http.3xx,http.4xx,http.5xx,http.CacheHits,http.OtherStatus\n` +
        `${T0 + 50},${T0 + 2050},4,4,`,
    ),
  );
  assert.equal(
    failuresCsv([sessionLimitFailure("main", T0, T0 + 10)]),
    `Phase,Metric,Message,Start,End,${SUMMARY_COLUMNS}\n` +
      `main,null,"Exceeded session limit",${T0},${T0 + 10},0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n`,
  );
  assert.equal(
    agentCpuCsv({ main: { b: "2% (x)", a: "1%, y" }, warm: { b: "3%" } }),
    "phase,ab\nmain,1%, y,2% (x)\nwarm,,3%\n",
  );
});

Deno.test("csvFiles names every file as Hyperfoil does", () => {
  const d = sampleData();
  const m = metric("steady/001/buy", "a/b", d);
  m.agents = { "agent 1": { total: d, series: [summarize(d)] }, two: { total: d } };
  const files = csvFiles({
    failures: [],
    stats: [m],
    sessions: { "steady/001/buy": { two: [{ timestamp: 1, low: 0, high: 1 }] } },
    connections: {
      "localhost:8080": { "used connections": { two: [{ timestamp: 1, low: 0, high: 2 }] } },
    },
  });
  assert.deepEqual([...files.keys()], [
    "total.csv",
    "steady_001_buy.a_b.1.histogram.csv",
    "steady_001_buy.a_b.1.series.csv",
    "agent.agent 1.csv",
    "steady_001_buy.a_b.1.agent.agent 1.histogram.csv",
    "steady_001_buy.a_b.1.agent.agent 1.series.csv",
    "agent.two.csv",
    "steady_001_buy.a_b.1.agent.two.histogram.csv",
    "failures.csv",
    "steady_001_buy.sessions.csv",
    "localhost:8080.used connections.connections.csv",
    "agentCpu.csv",
  ]);
  assert.equal(
    files.get("steady_001_buy.sessions.csv"),
    "Timestamp,Agent,MinSessions,MaxSessions\n1,two,0,1\n",
  );
  assert.equal(
    files.get("localhost:8080.used connections.connections.csv"),
    "Timestamp,Agent,MinConnections,MaxConnections\n1,two,0,2\n",
  );
  assert.ok(files.get("agent.two.csv")?.split("\n")[1].endsWith(",0,1"));
  assert.ok(files.get("agent.agent 1.csv")?.split("\n")[1].endsWith(",,"));
  assert.equal(sanitize("a/b/c"), "a_b_c");
});
