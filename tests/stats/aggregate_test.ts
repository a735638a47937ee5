/**
 * Merging on the controller: totals per run and per agent, periods merged
 * across agents into the series after the merge delay, SLAs judged per window
 * and at completion, REST summaries.
 */
import assert from "node:assert/strict";
import type { Sla } from "../../src/benchmark/model.ts";
import { type PhaseStatsInfo, RunStatistics } from "../../src/stats/aggregate.ts";
import { renderAllJson } from "../../src/stats/all_json.ts";
import { sessionLimitFailure, type SlaFailure } from "../../src/stats/sla.ts";
import { encodeSnapshot, type StatsSnapshot } from "../../src/stats/snapshot.ts";
import { StatsData } from "../../src/stats/stats_data.ts";

const T0 = 1_700_000_000_000;
const DEFAULT: Sla = { errorRatio: 1.01, invalidRatio: 1.01, blockedRatio: 0, limits: {} };
const PHASES: PhaseStatsInfo[] = [
  { id: 0, name: "main", isWarmup: false, customSla: { custom: [{ ...DEFAULT, errorRatio: 0 }] } },
  { id: 1, name: "warmup", isWarmup: true, customSla: {} },
];

function snapshot(
  o: {
    phase?: number;
    stepId?: number;
    metric?: string;
    seq: number;
    requests?: number;
    timeouts?: number;
  },
): StatsSnapshot {
  const d = new StatsData();
  for (let i = 0; i < (o.requests ?? 1); i++) {
    d.recordRequest();
    d.recordResponse(1_000_000 * (i + 1), 200);
  }
  for (let i = 0; i < (o.timeouts ?? 0); i++) d.recordTimeout();
  d.widen(T0 + o.seq * 1000, T0 + (o.seq + 1) * 1000);
  return encodeSnapshot(d, {
    phase: o.phase ?? 0,
    stepId: o.stepId ?? 1,
    metric: o.metric ?? "get",
    sequenceId: o.seq,
  });
}

Deno.test("totals and per-agent totals add every snapshot; series merge periods across agents", () => {
  const run = new RunStatistics({ phases: PHASES, mergeDelay: 1 });
  run.record("a", snapshot({ seq: 0, requests: 2 }));
  run.record("b", snapshot({ seq: 0, requests: 3 }));
  run.record("a", snapshot({ seq: 1, requests: 1 }));
  const [m] = run.metrics();
  assert.equal(m.total.requestCount, 6);
  assert.equal(m.perAgent.get("a")?.requestCount, 3);
  // Period 0 was merged when period 1 arrived (delay 1); period 1 waits for completion.
  assert.deepEqual(m.series.map((s) => s.requestCount), [5]);
  run.record("b", snapshot({ seq: 1, requests: 4 })); // late partial for period 1 is still merged
  run.completePhase("main");
  assert.deepEqual(m.series.map((s) => [s.startTime - T0, s.endTime - T0, s.requestCount]), [
    [0, 1000, 5],
    [1000, 2000, 5],
  ]);
  assert.deepEqual(m.agentSeries.get("b")?.map((s) => s.requestCount), [3, 4]);
  assert.equal(m.series[0].responseCount, 5);
  assert.equal(run.record("a", snapshot({ seq: 2 })), false); // completed
});

Deno.test("the total's span is widened to the phase's actual start and completion", () => {
  const run = new RunStatistics({ phases: PHASES });
  run.record("a", snapshot({ seq: 0 }));
  run.adjustPhaseTimestamps("main", T0 - 20, T0 + 5000);
  const [m] = run.metrics();
  assert.deepEqual([m.total.startTime, m.total.endTime], [T0 - 20, T0 + 5000]);
  assert.deepEqual([m.perAgent.get("a")?.startTime], [T0]);
});

Deno.test("request SLAs come from the step, custom metrics from the phase's customSla", () => {
  const seen: SlaFailure[] = [];
  const run = new RunStatistics({
    phases: PHASES,
    stepSlas: (stepId) => (stepId === 1 ? [{ ...DEFAULT, errorRatio: 0.5 }] : undefined),
    onFailure: (f) => seen.push(f),
  });
  run.record("a", snapshot({ seq: 0, requests: 2, timeouts: 1 }));
  run.record("a", snapshot({ stepId: 0, metric: "custom", seq: 0, requests: 10, timeouts: 1 }));
  run.record("a", snapshot({ stepId: 2, metric: "free", seq: 0, requests: 1, timeouts: 1 }));
  run.completePhase("main");
  assert.deepEqual(seen.map((f) => [f.metric, f.message]), [
    ["get", "Error ratio exceeded: required 0.500, actual 0.500"],
    ["custom", "Error ratio exceeded: required 0.000, actual 0.100"],
  ]);
  assert.deepEqual(run.failures, seen);
});

Deno.test("windowed SLAs fire on merged periods once the window is full", () => {
  const run = new RunStatistics({
    phases: PHASES,
    mergeDelay: 0,
    stepSlas: () => [{ ...DEFAULT, window: 2000, errorRatio: 0.5 }],
  });
  run.record("a", snapshot({ seq: 0, requests: 1, timeouts: 1 }));
  assert.equal(run.failures.length, 0); // window of 2 periods not full
  run.record("a", snapshot({ seq: 1, requests: 1, timeouts: 1 }));
  assert.equal(run.failures.length, 1);
  assert.deepEqual([run.failures[0].start, run.failures[0].end], [T0, T0 + 2000]);
  run.record("a", snapshot({ seq: 2, requests: 3 }));
  assert.equal(run.failures.length, 1); // 1 error in 4 requests
});

Deno.test("failures are capped at 100 but the session limit is always kept", () => {
  const run = new RunStatistics({
    phases: PHASES,
    mergeDelay: 0,
    maxFailures: 2,
    stepSlas: () => [{ ...DEFAULT, window: 1000, errorRatio: 0.1 }],
  });
  for (let seq = 0; seq < 5; seq++) run.record("a", snapshot({ seq, timeouts: 1 }));
  assert.equal(run.failures.length, 2);
  run.addFailure(sessionLimitFailure("main", T0, T0 + 1));
  assert.equal(run.failures.length, 3);
  const [total] = run.totalSummary();
  assert.equal(total.failedSLAs.length, 3); // the phase-level failure applies to every metric
});

Deno.test("total and recent summaries are sorted by start, phase, metric", () => {
  const run = new RunStatistics({ phases: PHASES });
  run.record("a", snapshot({ phase: 1, metric: "w", seq: 0 }));
  run.record("a", snapshot({ seq: 0, metric: "b" }));
  run.record("a", snapshot({ seq: 0, metric: "a" }));
  run.record("a", snapshot({ seq: 1, metric: "a", requests: 7 }));
  run.record("a", snapshot({ seq: 2, metric: "a" }));
  assert.deepEqual(run.totalSummary().map((r) => `${r.phase}/${r.metric}`), [
    "main/a",
    "main/b",
    "warmup/w",
  ]);
  assert.equal(run.totalSummary()[2].isWarmup, true);
  const recent = run.recentSummary(T0);
  assert.deepEqual(recent.map((r) => [r.metric, r.summary.requestCount]), [["a", 7]]);
  assert.deepEqual(run.recentSummary(T0 + 1001), []);
});

Deno.test("completeAll reports and completes what is still open; the store renders all.json", () => {
  const run = new RunStatistics({ phases: PHASES });
  run.record("agent-a", snapshot({ seq: 0 }));
  run.recordSessionStats("agent-a", T0 + 1000, "main", 0, 2);
  run.recordConnectionStats("agent-a", T0 + 1000, {
    "localhost:8080": { "HTTP 1.x": { low: 1, high: 2 } },
  });
  run.recordCpuUsage("main", "agent-a", "1%");
  run.recordCpuUsage("main", "agent-a", "2%");
  assert.deepEqual(run.completeAll(), [
    "Data for main/1/get were not completed when the phase terminated - was the data received after that?",
  ]);
  const json = JSON.parse(renderAllJson(run.allJsonInput({ version: "0.1.0" })));
  assert.equal(json.stats[0].series.length, 1);
  assert.deepEqual([json.stats[0].total.minSessions, json.stats[0].total.maxSessions], [0, 2]);
  assert.equal(json.agents[0].name, "agent-a");
  assert.equal(json.agents[0].stats[0].series.length, 1);
  assert.deepEqual(json.agentCpu, { main: { "agent-a": "1%" } });
  assert.deepEqual(json.connections["localhost:8080"]["HTTP 1.x"], [
    { timestamp: T0 + 1000, agent: "agent-a", min: 1, max: 2 },
  ]);
  assert.throws(() => run.record("a", snapshot({ phase: 9, seq: 0 })), /Unknown phase id 9/);
});
