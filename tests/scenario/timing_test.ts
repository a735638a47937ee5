/**
 * Waiting and time: think times and delay points on real timers, awaitInt,
 * awaitVar, awaitAllResponses, stopwatch statistics and timestamps.
 */
import assert from "node:assert/strict";
import { CompileError, compileScenario, newStepIds } from "../../src/scenario/compile.ts";
import { wakeSession } from "../../src/scenario/session.ts";
import { bench, registry, runToEnd, start, UNSET } from "./_harness.ts";

const elapsedMs = async (yaml: string, randoms?: number[]) => {
  const t0 = performance.now();
  const r = await runToEnd(bench(yaml), { randoms });
  assert.deepEqual(r.failures, []);
  return { ms: performance.now() - t0, r };
};

Deno.test("thinkTime waits its duration", async () => {
  const { ms } = await elapsedMs(`
    - main:
      - thinkTime: 40ms
  `);
  assert.ok(ms >= 40 && ms < 150, `waited ${ms} ms`);
});

Deno.test("thinkTime LINEAR stays within min and max", async () => {
  // random 0 gives min, random → 1 gives max.
  const lo = await elapsedMs(
    `
    - main:
      - thinkTime: {random: LINEAR, min: 30ms, max: 60ms}
  `,
    [0],
  );
  assert.ok(lo.ms >= 30 && lo.ms < 55, `waited ${lo.ms} ms`);
  const hi = await elapsedMs(
    `
    - main:
      - thinkTime: {random: LINEAR, min: 10ms, max: 60ms}
  `,
    [0.9999],
  );
  assert.ok(hi.ms >= 59 && hi.ms < 150, `waited ${hi.ms} ms`);
});

Deno.test("thinkTime NEGATIVE_EXPONENTIAL is clamped to max", async () => {
  // random 1e-9 would give 20 × 20.7 ms without the cap.
  const { ms } = await elapsedMs(
    `
    - main:
      - thinkTime: {random: NEGATIVE_EXPONENTIAL, duration: 20ms, max: 30ms}
  `,
    [1e-9],
  );
  assert.ok(ms >= 30 && ms < 120, `waited ${ms} ms`);
});

Deno.test("scheduleDelay fromLast paces from the previous point; awaitDelay waits for it", async () => {
  const { ms } = await elapsedMs(`
    - main:
      - scheduleDelay: {key: k, duration: 30ms}
      - scheduleDelay: {key: k, duration: 30ms, fromLast: true}
      - awaitDelay: k
  `);
  assert.ok(ms >= 60 && ms < 160, `waited ${ms} ms`);
  const fromNow = await elapsedMs(`
    - main:
      - scheduleDelay: {key: k, duration: 30ms}
      - scheduleDelay: {key: k, duration: 30ms, fromNow: true}
      - awaitDelay: k
  `);
  assert.ok(fromNow.ms >= 30 && fromNow.ms < 58, `waited ${fromNow.ms} ms`);
});

Deno.test("awaitDelay without a scheduled point fails the session", async () => {
  const { r } = await (async () => {
    const r = await runToEnd(bench(`
      - main:
        - awaitDelay: nothing
    `));
    return { r };
  })();
  assert.match(r.failures[0], /No delay point 'nothing'/);
});

Deno.test("think times of concurrent instances run in parallel", async () => {
  const { ms, r } = await elapsedMs(`
    initialSequences:
    - main:
      - newSequence: w
      - newSequence: w
      - newSequence: w
    sequences:
    - w[3]:
      - thinkTime: 40ms
      - addToInt: {var: n, value: 1, orElseSetTo: 1}
  `);
  assert.equal(r.v("n"), 3);
  assert.ok(ms >= 40 && ms < 110, `waited ${ms} ms`);
});

Deno.test("awaitInt blocks until every comparison holds, reading fromVar too", () => {
  const r = start(bench(`
    - main:
      - awaitInt:
          var: x
          greaterThan: 2
          lessOrEqualTo: {fromVar: limit}
          notEqualTo: 4
      - set: done <- yes
  `));
  r.set("limit", 5);
  assert.equal(r.v("done"), UNSET);
  r.set("x", 2);
  assert.equal(r.v("done"), UNSET);
  r.set("x", 4);
  assert.equal(r.v("done"), UNSET);
  r.set("x", 6);
  assert.equal(r.v("done"), UNSET);
  r.set("x", "5");
  assert.equal(r.v("done"), "yes");
});

Deno.test("awaitVar waits until set, and '!var' until unset", () => {
  const r = start(bench(`
    - main:
      - awaitVar: a
      - set: step1 <- yes
      - awaitVar: "!a"
      - set: step2 <- yes
  `));
  assert.equal(r.v("step1"), UNSET);
  r.set("a", "x");
  assert.equal(r.v("step1"), "yes");
  assert.equal(r.v("step2"), UNSET);
  r.set("a", UNSET);
  assert.equal(r.v("step2"), "yes");
});

Deno.test("awaitAllResponses blocks while requests are in flight", () => {
  const r = start(bench(`
    - main:
      - set: a <- 1
      - awaitAllResponses
      - set: done <- yes
  `));
  // The session started with nothing in flight: it ran through.
  assert.equal(r.v("done"), "yes");
  const r2 = start(bench(`
    - main:
      - awaitVar: go
      - awaitAllResponses
      - set: done <- yes
  `));
  r2.session.inFlight = 2;
  r2.set("go", 1);
  assert.equal(r2.v("done"), UNSET);
  r2.session.inFlight = 0;
  wakeSession(r2.session);
  assert.equal(r2.v("done"), "yes");
});

Deno.test("stopwatch records the nested steps' time under the sequence name", async () => {
  const r = await runToEnd(bench(`
    - timed:
      - stopwatch:
        - thinkTime: 30ms
        - loop:
            counterVar: i
            repeats: 2
            steps:
            - thinkTime: 10ms
  `));
  const recs = [...r.ex.recorded.values()];
  assert.equal(recs.length, 1);
  assert.equal(recs[0].metric, "timed");
  assert.equal(recs[0].phaseId, 0);
  assert.equal(recs[0].requests, 1);
  assert.equal(recs[0].responses.length, 1);
  const ms = recs[0].responses[0] / 1e6;
  assert.ok(ms >= 50 && ms < 160, `recorded ${ms} ms`);
});

Deno.test("timestamp stores epoch milliseconds, or a SimpleDateFormat pattern", async () => {
  const before = Date.now();
  const r = await runToEnd(bench(`
    - main:
      - timestamp: ms
      - timestamp: {toVar: iso, pattern: "yyyy-MM-dd'T'HH:mm:ss.SSS"}
      - timestamp: {toVar: de, pattern: "EEEE d. MMMM yyyy", localeCountry: DE}
      - timestamp: {toVar: us, pattern: "EEE, MMM d ''yy h:mm a"}
  `));
  const ms = Number(r.v("ms"));
  assert.equal(typeof r.v("ms"), "string");
  assert.ok(ms >= before && ms <= Date.now());
  assert.match(r.v("iso") as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/);
  const now = new Date();
  const german = new Intl.DateTimeFormat("de-DE", { month: "long" }).format(now);
  assert.ok((r.v("de") as string).includes(german), `${r.v("de")} has ${german}`);
  assert.match(
    r.v("us") as string,
    /^[A-Z][a-z]{2}, [A-Z][a-z]{2} \d{1,2} '\d\d \d{1,2}:\d\d (AM|PM)$/,
  );
});

Deno.test("timestamp rejects unsupported pattern letters and unknown countries", () => {
  for (
    const yaml of [
      `{toVar: t, pattern: "yyyy-QQ"}`,
      `{toVar: t, pattern: "yyyy", localeCountry: "Q1"}`,
    ]
  ) {
    const b = bench(`
      - main:
        - timestamp: ${yaml}
    `);
    assert.throws(
      () => compileScenario(b.scenarios[0], b, b.phases[0], registry(), newStepIds(b)),
      CompileError,
    );
  }
});
