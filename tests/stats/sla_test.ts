/** SLA evaluation per Hyperfoil: each condition, windows, and the blocked ratio. */
import assert from "node:assert/strict";
import type { Sla } from "../../src/benchmark/model.ts";
import {
  BLOCKED_MESSAGE,
  evaluateSla,
  sessionLimitFailure,
  SlaTracker,
  slaViolation,
  SlaWindow,
} from "../../src/stats/sla.ts";
import { StatsData } from "../../src/stats/stats_data.ts";

const DEFAULT: Sla = { errorRatio: 1.01, invalidRatio: 1.01, blockedRatio: 0, limits: {} };
const MS = 1_000_000;

function stats(
  o: {
    requests?: number;
    latencyMs?: number;
    timeouts?: number;
    invalid?: number;
    blockedNs?: number;
  } = {},
) {
  const d = new StatsData();
  for (let i = 0; i < (o.requests ?? 10); i++) {
    d.recordRequest();
    d.recordResponse((o.latencyMs ?? 1) * MS, 200);
  }
  for (let i = 0; i < (o.timeouts ?? 0); i++) d.recordTimeout();
  for (let i = 0; i < (o.invalid ?? 0); i++) d.recordInvalid();
  d.recordBlocked(o.blockedNs ?? 0);
  return d;
}

Deno.test("the default SLA passes clean statistics", () => {
  assert.equal(slaViolation(DEFAULT, stats()), undefined);
});

Deno.test("errorRatio fails at or above the limit, only when there are errors", () => {
  const sla = { ...DEFAULT, errorRatio: 0.1 };
  assert.equal(
    slaViolation(sla, stats({ timeouts: 1 })),
    "Error ratio exceeded: required 0.100, actual 0.100",
  );
  assert.equal(slaViolation(sla, stats({ requests: 20, timeouts: 1 })), undefined);
  assert.equal(slaViolation({ ...DEFAULT, errorRatio: 0 }, stats()), undefined);
  const d = stats();
  d.recordConnectionError();
  d.recordInternalError();
  assert.match(slaViolation({ ...DEFAULT, errorRatio: 0 }, d) ?? "", /actual 0\.200/);
});

Deno.test("invalidRatio compares invalid responses to requests", () => {
  const sla = { ...DEFAULT, invalidRatio: 0.2 };
  assert.equal(
    slaViolation(sla, stats({ invalid: 3 })),
    "Invalid response ratio exceeded: required 0.200, actual 0.300",
  );
  assert.equal(slaViolation(sla, stats({ invalid: 1 })), undefined);
});

Deno.test("meanResponseTime fails when the mean reaches the limit (ns in the message)", () => {
  // 10 × 1 ms: every sample in [999424, 1003519], midpoint 1001472.
  assert.equal(
    slaViolation({ ...DEFAULT, meanResponseTime: 1 }, stats()),
    "Mean response time exceeded: required 1000000, actual 1001472.000",
  );
  assert.equal(slaViolation({ ...DEFAULT, meanResponseTime: 1.1 }, stats()), undefined);
});

Deno.test("blockedRatio: blocked / (blocked + mean × count) above the limit", () => {
  // mean × count = 10 × 1001472 ns; blocked 1001472 → ratio 1/11 ≈ 0.0909.
  const blocked = stats({ blockedNs: 1_001_472 });
  assert.equal(slaViolation(DEFAULT, blocked), BLOCKED_MESSAGE);
  assert.equal(
    BLOCKED_MESSAGE,
    "Progress was blocked waiting for a free connection. Hint: increase http.sharedConnections.",
  );
  assert.equal(slaViolation({ ...DEFAULT, blockedRatio: 0.1 }, blocked), undefined);
  assert.equal(slaViolation({ ...DEFAULT, blockedRatio: 0.09 }, blocked), BLOCKED_MESSAGE);
});

Deno.test("percentile limits judge the percentile written as a fraction", () => {
  const d = stats({ requests: 99, latencyMs: 1 });
  d.recordRequest();
  d.recordResponse(500 * MS, 200);
  // p99 is 1 ms (its bucket tops at 1003519 ns), p99.9 is 500 ms.
  assert.equal(slaViolation({ ...DEFAULT, limits: { "0.99": 2 } }, d), undefined);
  assert.match(
    slaViolation({ ...DEFAULT, limits: { "0.99": 2, "0.999": 100 } }, d) ?? "",
    /^Response time at percentile 0\.999000 exceeded: required 100000000, actual 50\d{7}$/,
  );
});

Deno.test("a failure records the judged statistics' span and percentiles", () => {
  const d = stats({ timeouts: 5 });
  d.widen(1000, 3000);
  const f = evaluateSla({ ...DEFAULT, errorRatio: 0.5 }, "main", "get", d);
  assert.ok(f);
  assert.deepEqual([f.phase, f.metric, f.start, f.end], ["main", "get", 1000, 3000]);
  assert.equal(f.summary.percentileResponseTime["50.0"], 1_003_519);
  assert.deepEqual(Object.keys(f), ["phase", "metric", "message", "start", "end", "summary"]);
});

Deno.test("the session-limit failure has no metric and zero percentiles", () => {
  const f = sessionLimitFailure("main", 100, 200);
  assert.deepEqual([f.metric, f.message, f.start, f.end], [
    null,
    "Exceeded session limit",
    100,
    200,
  ]);
  assert.deepEqual(Object.values(f.summary.percentileResponseTime), [0, 0, 0, 0, 0]);
});

Deno.test("a window sums the last N periods and reports full only after N", () => {
  const w = new SlaWindow(3);
  const periods = [1, 2, 3, 4].map((n, i) => {
    const d = stats({ requests: n });
    d.widen(i * 1000, (i + 1) * 1000);
    return d;
  });
  w.add(periods[0]);
  w.add(periods[1]);
  assert.equal(w.full, false);
  w.add(periods[2]);
  assert.equal(w.full, true);
  assert.equal(w.current.requestCount, 6);
  w.add(periods[3]);
  assert.equal(w.current.requestCount, 9);
  assert.equal(w.current.histogram.totalCount, 9);
  // Removing old periods does not move the start back (as Hyperfoil).
  assert.deepEqual([w.current.startTime, w.current.endTime], [0, 4000]);
});

Deno.test("windowed SLAs judge each period once the window is full; whole-phase SLAs at completion", () => {
  const windowed: Sla = { ...DEFAULT, window: 2000, errorRatio: 0.5, blockedRatio: 1 };
  const whole: Sla = { ...DEFAULT, errorRatio: 0.2 };
  const tracker = new SlaTracker("main", "get", [windowed, whole], 1000);
  const bad = () => stats({ requests: 2, timeouts: 2 });
  const good = () => stats({ requests: 2 });
  assert.deepEqual(tracker.addPeriod(bad()), []); // window not full yet
  assert.equal(tracker.addPeriod(bad()).length, 1); // 4/4 errors
  assert.equal(tracker.addPeriod(good()).length, 1); // 2/4 errors: at the limit
  assert.deepEqual(tracker.addPeriod(good()), []); // 0/4
  const total = stats({ requests: 8, timeouts: 4 });
  const failures = tracker.complete(total);
  assert.equal(failures.length, 1);
  assert.equal(failures[0].message, "Error ratio exceeded: required 0.200, actual 0.500");
});
