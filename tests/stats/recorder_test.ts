/**
 * Recording on an executor: samples land in the collection period in which
 * their request started, finished periods become snapshots, ended phases are
 * flushed with the last period clipped at the phase end.
 */
import assert from "node:assert/strict";
import { StatsData, StatsRegistry } from "../../src/stats/recorder.ts";
import { decodeSnapshot } from "../../src/stats/snapshot.ts";

const ORIGIN = 1_700_000_000_000; // epoch ms at clock 0
const MS = 1_000_000;

function registry(periodMs = 1000) {
  const clock = { now: 0 };
  const r = new StatsRegistry({ periodMs, timeOriginMs: ORIGIN, nowNs: () => clock.now });
  return { r, clock };
}

Deno.test("a response counts in the period its request started in", () => {
  const { r, clock } = registry();
  r.startPhase(0, 0);
  const s = r.statistics(0, 1, "get");
  s.recordRequest(900 * MS);
  s.recordResponse(900 * MS, 1300 * MS, 200); // started in period 0, answered in period 1
  s.recordRequest(1100 * MS);
  clock.now = 1500 * MS;
  const first = r.collect();
  assert.equal(first.length, 1);
  assert.deepEqual(
    [
      first[0].sequenceId,
      first[0].start,
      first[0].end,
      first[0].requestCount,
      first[0].responseCount,
    ],
    [0, ORIGIN, ORIGIN + 1000, 1, 1],
  );
  assert.equal(decodeSnapshot(first[0]).histogram.maxValue(), highest400ms());
  assert.equal(first[0].status2xx, 1);
  assert.deepEqual(r.collect(), []); // period 1 is not over yet
  clock.now = 2000 * MS;
  const second = r.collect();
  assert.deepEqual([second[0].sequenceId, second[0].requestCount], [1, 1]);
});

function highest400ms(): number {
  const d = new StatsData();
  d.recordResponse(400 * MS, 0);
  return d.histogram.maxValue();
}

Deno.test("snapshots carry the keys and the period within the phase", () => {
  const { r, clock } = registry(500);
  r.startPhase(3, 10 * MS);
  const s = r.statistics(3, 7, "post");
  s.recordRequest(10 * MS + 1200 * MS);
  clock.now = 10 * MS + 1600 * MS;
  const [snap] = r.collect();
  assert.deepEqual(
    [snap.phase, snap.stepId, snap.metric, snap.sequenceId, snap.start, snap.end],
    [3, 7, "post", 2, ORIGIN + 10 + 1000, ORIGIN + 10 + 1500],
  );
});

Deno.test("ending a phase flushes every period and clips the last one at the end", () => {
  const { r } = registry();
  r.startPhase(0, 0);
  const s = r.statistics(0, 1, "get");
  s.recordRequest(100 * MS);
  s.recordRequest(1200 * MS);
  r.endPhase(0, 1400 * MS);
  const snaps = r.collect(1400 * MS);
  assert.deepEqual(snaps.map((x) => [x.sequenceId, x.start - ORIGIN, x.end - ORIGIN]), [
    [0, 0, 1000],
    [1, 1000, 1400],
  ]);
  assert.equal(r.hasPending(0), false);
});

Deno.test("requests predating the phase start count in its first period", () => {
  const { r } = registry();
  r.startPhase(0, 5000 * MS);
  const s = r.statistics(0, 1, "get");
  s.recordRequest(4000 * MS);
  r.endPhase(0, 5500 * MS);
  const [snap] = r.collect();
  assert.deepEqual([snap.sequenceId, snap.requestCount], [0, 1]);
});

Deno.test("empty periods are dropped; blocked time alone does not make a period", () => {
  const { r } = registry();
  r.startPhase(0, 0);
  const s = r.statistics(0, 1, "get");
  s.recordBlocked(10 * MS, 5 * MS);
  r.endPhase(0, 100 * MS);
  assert.deepEqual(r.collect(), []);
});

Deno.test("statuses are counted by class, 1xx and 6xx as other, 0 as none", () => {
  const d = new StatsData();
  for (const status of [200, 204, 301, 404, 418, 500, 503, 101, 600, 0]) {
    d.recordResponse(1000, status);
  }
  assert.deepEqual(
    [d.status2xx, d.status3xx, d.status4xx, d.status5xx, d.statusOther, d.responseCount],
    [2, 1, 2, 2, 2, 10],
  );
});

Deno.test("errors, timeouts, blocked time, cache hits and extensions are recorded per period", () => {
  const { r } = registry();
  r.startPhase(0, 0);
  const s = r.statistics(0, 1, "get");
  s.recordConnectionError(1 * MS);
  s.recordTimeout(1 * MS);
  s.recordInternalError(1 * MS);
  s.recordInvalid(1 * MS);
  s.recordBlocked(1 * MS, 2.7 * MS);
  s.recordCacheHit(1 * MS);
  s.incrementExtension(1 * MS, "exact_status", "status_200", 2);
  s.incrementExtension(1 * MS, "bytes", "sent", 100, "transfersize");
  r.endPhase(0, 2 * MS);
  const [snap] = r.collect();
  assert.deepEqual(
    [snap.connectionErrors, snap.requestTimeouts, snap.internalErrors, snap.invalid],
    [1, 1, 1, 1],
  );
  assert.equal(snap.blockedTime, 2_700_000); // whole ns
  assert.equal(snap.cacheHits, 1);
  assert.deepEqual(snap.extensions, {
    exact_status: { type: "counters", values: { status_200: 2 } },
    bytes: { type: "transfersize", values: { sent: 100 } },
  });
});

Deno.test("buckets are recycled: recording after a collect starts from zero", () => {
  const { r, clock } = registry();
  r.startPhase(0, 0);
  const s = r.statistics(0, 1, "get");
  s.recordResponse(10 * MS, 20 * MS, 200);
  s.incrementExtension(10 * MS, "c", "x");
  clock.now = 1000 * MS;
  assert.equal(r.collect().length, 1);
  s.recordResponse(1010 * MS, 1020 * MS, 500);
  clock.now = 2000 * MS;
  const [snap] = r.collect();
  assert.deepEqual([snap.responseCount, snap.status2xx, snap.status5xx], [1, 0, 1]);
  assert.deepEqual(snap.extensions, {}); // the zeroed counter is not sent
  assert.equal(decodeSnapshot(snap).histogram.totalCount, 1);
});

Deno.test("statistics created after the phase started use its period grid", () => {
  const { r, clock } = registry();
  r.startPhase(1, 100 * MS);
  clock.now = 700 * MS;
  const late = r.statistics(1, 2, "late");
  late.recordRequest(1150 * MS);
  r.endPhase(1, 1200 * MS);
  assert.deepEqual(r.collect().map((x) => [x.sequenceId, x.start - ORIGIN, x.end - ORIGIN]), [
    [1, 1100, 1200],
  ]);
});
