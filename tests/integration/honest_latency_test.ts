/**
 * The honest-latency test: a server that stalls every response for
 * 1 s, 2 s into a 6 s open-model phase. Sessions keep arriving on schedule,
 * so the stalled second shows in the tail (truth: p99 ≈ 0.94 s, p90 ≈ 0.40 s);
 * a closed-model tool would have hidden it.
 */
import assert from "node:assert/strict";
import { assertNear, assertPassed, exampleServer, load, run } from "./_helpers.ts";

Deno.test("LONG (~7 s): a 1 s server stall shows as p99 ≥ 0.8 s and p90 ≥ 0.25 s", async () => {
  await using server = exampleServer();
  const benchmark = load(`name: honest-latency
http:
  host: ${server.url}
  sharedConnections: 400
phases:
  - main:
      constantRate:
        usersPerSec: 200
        duration: 6s
        maxSessions: 600
        variance: false
        scenario:
          - hit:
              - httpRequest:
                  GET: /
`);
  // Deployment and initialisation take a few ms: the stall starts ~2 s into the phase.
  server.stall(1000, 2000);
  const r = await run(benchmark);
  assertPassed(r);
  const s = r.total("main", "hit");
  assertNear(s.requestCount, 1200, 0.02, "requests");
  assert.equal(s.responseCount, s.requestCount);
  const p = s.percentileResponseTime;
  assert.ok(p["99.0"] >= 0.8e9, `p99 ${p["99.0"] / 1e6} ms, expected ≥ 800 ms`);
  assert.ok(p["90.0"] >= 0.25e9, `p90 ${p["90.0"] / 1e6} ms, expected ≥ 250 ms`);
  assert.ok(s.maxResponseTime >= 0.9e9 && s.maxResponseTime < 1.5e9, `max ${s.maxResponseTime}`);
  assert.equal(s.blockedTime, 0, "enough connections: nothing waited for one");
});

Deno.test("compensateInternalLatency times the first request from the session's scheduled start", async () => {
  await using server = exampleServer();
  // One session for arrivals every 50 ms of a 100 ms scenario: arrivals wait for it and start late.
  const yaml = (compensate: boolean) =>
    `name: compensation
http:
  host: ${server.url}
  sharedConnections: 2
ergonomics:
  compensateInternalLatency: ${compensate}
phases:
  - main:
      constantRate:
        usersPerSec: 20
        duration: 1s
        maxSessions: 1
        variance: false
        sessionLimitPolicy: CONTINUE
        scenario:
          - first:
              - httpRequest:
                  GET: /delay?ms=100
              - httpRequest:
                  GET: /delay?ms=1
                  metric: second
`;
  const [plain, compensated] = [await run(load(yaml(false))), await run(load(yaml(true)))];
  assertPassed(plain);
  assertPassed(compensated);
  const max = (r: typeof plain, m: string) => r.total("main", m).maxResponseTime / 1e6;
  assert.ok(max(plain, "first") < 300, `uncompensated max ${max(plain, "first")} ms`);
  // The 5th session started ~250 ms after its scheduled time, and later ones later still.
  assert.ok(max(compensated, "first") >= 350, `compensated max ${max(compensated, "first")} ms`);
  // Only the first request of the session is compensated.
  assert.ok(max(compensated, "second") < 100, `second request ${max(compensated, "second")} ms`);
});
