/** Live progress: the planned duration estimate and the latest complete period. */
import assert from "node:assert/strict";
import { plannedDuration, RecentPeriods } from "../../src/controller/progress.ts";
import { encodeSnapshot } from "../../src/stats/snapshot.ts";
import { StatsData } from "../../src/stats/stats_data.ts";
import { bench, SCENARIO } from "./_bench.ts";

const always = (name: string, duration: string, extra = "") =>
  `  - ${name}:\n      always:\n        users: 1\n        duration: ${duration}\n${extra}${SCENARIO}\n`;

Deno.test("the planned duration follows the longest chain of dependencies", () => {
  const b = bench(`phases:
${always("warm", "10s")}${always("a", "20s", "        startAfter: warm\n")}${
    always("b", "5s", "        startAfterStrict: warm\n")
  }${always("side", "3s", "        startWith: {phase: a, delay: 25s}\n")}${
    always("late", "1s", "        startTime: 40s\n")
  }`);
  // warm 0-10, a 10-30, b 10-15, side 35-38, late 40-41
  assert.equal(plannedDuration(b.phases), 41_000);
  assert.equal(plannedDuration(b.phases.slice(0, 3)), 30_000);
});

function snapshot(seq: number, responses: number, start: number) {
  const d = new StatsData();
  for (let i = 0; i < responses; i++) {
    d.recordRequest();
    d.recordResponse(1_000_000 * (i + 1), 200);
  }
  d.widen(start, start + 1000);
  return encodeSnapshot(d, { phase: 0, stepId: 1, metric: "m", sequenceId: seq });
}

Deno.test("the latest period is the newest every agent has sent", () => {
  const r = new RecentPeriods();
  const t = Date.now() - 2000;
  r.record("a", snapshot(0, 10, t));
  r.record("b", snapshot(0, 20, t));
  r.record("a", snapshot(1, 5, t + 1000));
  assert.equal(r.latest(0, Date.now())!.responseCount, 30, "b has not sent period 1 yet");
  r.record("b", snapshot(1, 6, t + 1000));
  assert.equal(r.latest(0, Date.now())!.responseCount, 11);
  assert.equal(r.latest(0, Date.now() + 60_000), undefined, "stale after 5 s");
  assert.equal(r.latest(1, Date.now()), undefined);
});
