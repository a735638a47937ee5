/**
 * Snapshots travel as plain JSON; decoding and merging are exact: merging the
 * snapshots of several executors equals recording everything in one place.
 */
import assert from "node:assert/strict";
import { StatsData, StatsRegistry } from "../../src/stats/recorder.ts";
import {
  decodeSnapshot,
  encodeSnapshot,
  mergeSnapshots,
  parseSnapshot,
  type StatsSnapshot,
} from "../../src/stats/snapshot.ts";
import { summarize } from "../../src/stats/summary.ts";

const MS = 1_000_000;

function lcg(seed: number) {
  return () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

Deno.test("encode → decode → merge equals recording everything in one histogram", () => {
  const random = lcg(1);
  const everything = new StatsData();
  const snapshots: StatsSnapshot[] = [];
  for (let executor = 0; executor < 3; executor++) {
    const clock = { now: 0 };
    const r = new StatsRegistry({ timeOriginMs: 1_000_000, nowNs: () => clock.now });
    r.startPhase(0, 0);
    const s = r.statistics(0, 1, "get");
    for (let i = 0; i < 3000; i++) {
      const start = i * 1 * MS;
      const latency = Math.exp(random() * 23); // 1 ns … 10 s
      const status = [200, 200, 200, 302, 404, 503, 99][i % 7];
      s.recordRequest(start);
      s.recordResponse(start, start + latency, status);
      everything.recordRequest();
      everything.recordResponse(latency, status);
      if (i % 100 === 0) {
        s.recordTimeout(start);
        everything.recordTimeout();
      }
    }
    r.endPhase(0, 3000 * MS);
    snapshots.push(...r.collect());
  }
  assert.equal(snapshots.length, 9); // 3 periods × 3 executors
  const merged = mergeSnapshots(snapshots);
  const decoded = decodeSnapshot(merged);
  assert.ok(decoded.histogram.equals(everything.histogram));
  everything.widen(1_000_000, 1_003_000);
  assert.deepEqual(summarize(decoded), summarize(everything));
  // The wire form is plain JSON.
  assert.deepEqual(JSON.parse(JSON.stringify(merged)), merged);
  assert.deepEqual([merged.start, merged.end], [1_000_000, 1_003_000]);
});

Deno.test("merging adds counters and extensions and keeps the first snapshot's key", () => {
  const a = new StatsData();
  a.recordRequest();
  a.incrementExtension("bytes", "sent", 10, "transfersize");
  a.widen(5000, 6000);
  const b = new StatsData();
  b.recordRequest();
  b.recordBlocked(7);
  b.incrementExtension("bytes", "received", 20, "transfersize");
  b.widen(4000, 5000);
  const key = { phase: 2, stepId: 3, metric: "m", sequenceId: 4 };
  const m = mergeSnapshots([encodeSnapshot(a, key), encodeSnapshot(b, { ...key, sequenceId: 5 })]);
  assert.deepEqual([m.phase, m.stepId, m.metric, m.sequenceId], [2, 3, "m", 4]);
  assert.deepEqual([m.requestCount, m.blockedTime, m.start, m.end], [2, 7, 4000, 6000]);
  assert.deepEqual(m.extensions, {
    bytes: { type: "transfersize", values: { sent: 10, received: 20 } },
  });
  assert.throws(() => mergeSnapshots([]), RangeError);
});

Deno.test("snapshots from outside are checked", () => {
  const good = encodeSnapshot(new StatsData(), { phase: 0, stepId: 0, metric: "x", sequenceId: 0 });
  assert.equal(parseSnapshot(JSON.parse(JSON.stringify(good))).metric, "x");
  assert.throws(
    () => parseSnapshot({ ...good, requestCount: "1" }),
    /'requestCount' must be a finite number/,
  );
  assert.throws(() => parseSnapshot({ ...good, histogram: 3 }), /'histogram' must be a string/);
  assert.throws(
    () => parseSnapshot({ ...good, extensions: { x: { type: "counters" } } }),
    /extension 'x'/,
  );
  assert.throws(() => parseSnapshot([]), TypeError);
});
