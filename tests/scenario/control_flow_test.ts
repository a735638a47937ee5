/**
 * Control flow steps: loops, foreach fan-out, starting and chaining
 * sequences, restarts, breaks, stop, conditional and fail.
 */
import assert from "node:assert/strict";
import { CompileError, compileScenario, newStepIds } from "../../src/scenario/compile.ts";
import { bench, registry, runToEnd, start, UNSET } from "./_harness.ts";

Deno.test("loop repeats its steps and counts in counterVar", async () => {
  const r = await runToEnd(bench(`
    - main:
      - loop:
          counterVar: i
          repeats: 3
          steps:
          - addToInt: {var: n, value: 1, orElseSetTo: 1}
      - setInt: after <- 1
  `));
  assert.equal(r.v("n"), 3);
  assert.equal(r.v("i"), 3);
  assert.equal(r.v("after"), 1);
  assert.deepEqual(r.failures, []);
});

Deno.test("nested loops multiply and may stand anywhere in a sequence", async () => {
  const r = await runToEnd(bench(`
    - main:
      - setInt: n <- 0
      - loop:
          counterVar: outer
          repeats: 2
          steps:
          - unset: inner
          - loop:
              counterVar: inner
              repeats: 3
              steps:
              - addToInt: n++
  `));
  assert.equal(r.v("n"), 6);
  assert.equal(r.v("outer"), 2);
});

Deno.test("a loop counter in a concurrent sequence must be sequence-scoped", () => {
  const b = bench(`
    initialSequences:
    - main:
      - newSequence: worker
    sequences:
    - worker[2]:
      - loop: {counterVar: i, repeats: 2, steps: [noop]}
  `);
  assert.throws(
    () => compileScenario(b.scenarios[0], b, b.phases[0], registry(), newStepIds(b)),
    (e: Error) => e instanceof CompileError && /i\[\.\]/.test(e.message),
  );
});

const FOREACH = `
  initialSequences:
  - main:
    - awaitVar: go
    - set: {var: items, objectArray: {size: 5}}
    - addItem: {toVar: items, value: a}
    - addItem: {toVar: items, value: b}
    - addItem: {toVar: items, value: c}
    - foreach: {fromVar: items, sequence: child, counterVar: started}
  sequences:
  - child[4]:
    - template: {pattern: "item-\${items[.]}", toVar: "out[.]"}
    - addToInt: {var: children, value: 1, orElseSetTo: 1}
`;

Deno.test("foreach starts one instance per element; each reads its element with [.]", async () => {
  const r = start(bench(FOREACH));
  assert.deepEqual(r.running(), ["main[0]"]);
  assert.equal(r.v("started"), UNSET);
  r.set("go", "1");
  await r.done;
  assert.equal(r.v("started"), 3);
  assert.equal(r.v("children"), 3);
  assert.deepEqual(r.v("out"), ["item-a", "item-b", "item-c"]);
});

Deno.test("foreach blocks with no side effects until fromVar is set", () => {
  const r = start(bench(`
    initialSequences:
    - main:
      - foreach: {fromVar: items, sequence: child, counterVar: started}
    sequences:
    - child[2]:
      - noop
  `));
  assert.deepEqual(r.running(), ["main[0]"]);
  assert.equal(r.v("started"), UNSET);
  r.set("items", ["x", "y"]);
  assert.equal(r.v("started"), 2);
  assert.equal(r.session.active, false);
});

Deno.test("foreach fails when the sequence cannot hold all the elements", async () => {
  const r = await runToEnd(bench(`
    initialSequences:
    - main:
      - set: src <- v
      - set: {var: items, objectArray: {size: 3, fromVar: src}}
      - foreach: {fromVar: items, sequence: child}
    sequences:
    - child[2]:
      - noop
  `));
  assert.equal(r.failures.length, 1);
  assert.match(r.failures[0], /at most 2/);
});

Deno.test("newSequence with concurrencyPolicy WARN logs and skips; FAIL fails the phase", async () => {
  const seq = (policy: string) =>
    bench(`
    initialSequences:
    - main:
      - newSequence: {sequence: worker, concurrencyPolicy: ${policy}}
      - newSequence: {sequence: worker, concurrencyPolicy: ${policy}}
      - newSequence: {sequence: worker, concurrencyPolicy: ${policy}}
      - setInt: reached <- 1
    sequences:
    - worker[2]:
      - addToInt: {var: workers, value: 1, orElseSetTo: 1}
  `);
  const warn = await runToEnd(seq("WARN"));
  assert.deepEqual(warn.failures, []);
  assert.equal(warn.v("workers"), 2);
  assert.equal(warn.v("reached"), 1);
  assert.ok(warn.ex.logs.some((l) => l.level === "warn" && /maximum concurrency/.test(l.message)));
  const fail = await runToEnd(seq("FAIL"));
  assert.equal(fail.failures.length, 1);
  assert.match(fail.failures[0], /exceeded its maximum concurrency \(2\)/);
  assert.equal(fail.v("reached"), UNSET);
});

Deno.test("newSequence of a non-concurrent sequence already running fails", async () => {
  const r = await runToEnd(bench(`
    initialSequences:
    - main:
      - newSequence: other
      - newSequence: other
    sequences:
    - other:
      - awaitVar: never
  `));
  assert.match(r.failures[0], /not concurrent/);
});

Deno.test("newSequence forceSameIndex starts the new instance with the caller's index", async () => {
  const r = await runToEnd(bench(`
    initialSequences:
    - main:
      - newSequence: a
      - newSequence: a
    sequences:
    - a[2]:
      - newSequence: {sequence: b, forceSameIndex: true}
    - b[2]:
      - template: {pattern: "b", toVar: "seen[.]"}
  `));
  assert.deepEqual(r.failures, []);
  assert.deepEqual(r.v("seen"), ["b", "b"]);
});

Deno.test("ordered sequences run one after another through nextSequence", async () => {
  const r = await runToEnd(bench(`
    - first:
      - set: trace <- a
    - second:
      - template: {pattern: "\${trace}b", toVar: trace}
    - third:
      - template: {pattern: "\${trace}c", toVar: trace}
  `));
  assert.equal(r.v("trace"), "abc");
});

Deno.test("restartSequence as a step restarts from the first step", async () => {
  const r = await runToEnd(bench(`
    - main:
      - addToInt: {var: n, value: 1, orElseSetTo: 1}
      - breakSequence:
          intCondition: {fromVar: n, greaterOrEqualTo: 3}
      - restartSequence
  `));
  assert.equal(r.v("n"), 3);
});

Deno.test("restartSequence as an action restarts after the step that holds it", async () => {
  const r = await runToEnd(bench(`
    - main:
      - addToInt: {var: n, value: 1, orElseSetTo: 1}
      - conditional:
          intCondition: {fromVar: n, lessThan: 3}
          actions:
          - restartSequence
          - addToInt: {var: alsoRan, value: 1, orElseSetTo: 1}
      - setInt: end <- 1
  `));
  assert.equal(r.v("n"), 3);
  // The rest of the conditional's actions ran before each restart.
  assert.equal(r.v("alsoRan"), 2);
  assert.equal(r.v("end"), 1);
});

Deno.test("breakSequence runs onBreak and ends the instance; dependency blocks", () => {
  const r = start(bench(`
    - main:
      - breakSequence:
          dependency: ready
          stringCondition: {fromVar: mode, value: stop}
          onBreak:
          - set: broke <- yes
      - set: after <- yes
  `));
  assert.deepEqual(r.running(), ["main[0]"]);
  r.set("mode", "stop");
  assert.equal(r.v("broke"), UNSET, "blocked on 'ready' with no side effects");
  r.set("ready", "1");
  assert.equal(r.v("broke"), "yes");
  assert.equal(r.v("after"), UNSET);
  assert.equal(r.session.active, false);
});

Deno.test("breakIfFinished ends the sequence once the phase is finished", async () => {
  const b = bench(`
    - main:
      - awaitVar: go
      - breakIfFinished
      - set: after <- yes
  `);
  const r = start(b);
  r.phase.finished = true;
  r.set("go", 1);
  await r.done;
  assert.equal(r.v("after"), UNSET);
  const r2 = start(b);
  r2.set("go", 1);
  await r2.done;
  assert.equal(r2.v("after"), "yes");
});

Deno.test("stop ends the whole session at once", async () => {
  const r = await runToEnd(bench(`
    initialSequences:
    - main:
      - newSequence: other
      - stop
      - set: after <- yes
    sequences:
    - other:
      - awaitVar: never
  `));
  assert.equal(r.v("after"), UNSET);
  assert.equal(r.session.active, false);
  assert.deepEqual(r.failures, []);
});

Deno.test("fail fails the phase with its message, only when its condition holds", async () => {
  const r = await runToEnd(bench(`
    - main:
      - setInt: n <- 1
      - fail:
          message: never
          intCondition: {fromVar: n, equalTo: 2}
      - fail: too many errors
      - set: after <- yes
  `));
  assert.deepEqual(r.failures, ["Terminating benchmark: too many errors"]);
  assert.equal(r.v("after"), UNSET);
});

Deno.test("conditional runs its actions when allConditions hold", async () => {
  const r = await runToEnd(bench(`
    - main:
      - setInt: n <- 5
      - set: s <- Hello
      - conditional:
          allConditions:
          - intCondition: {fromVar: n, greaterThan: 4}
          - stringCondition: {fromVar: s, startsWith: hel, caseSensitive: false}
          actions:
          - set: yes <- 1
      - conditional:
          allConditions:
          - intCondition: {fromVar: n, greaterThan: 4}
          - boolCondition: {fromVar: s, value: true}
          actions:
          - set: no <- 1
      - noop
  `));
  assert.equal(r.v("yes"), "1");
  assert.equal(r.v("no"), UNSET);
});

Deno.test("an instance waiting on a variable resumes when another instance sets it", () => {
  const r = start(bench(`
    initialSequences:
    - waiter:
      - awaitInt: {var: x, greaterOrEqualTo: 2}
      - set: done <- yes
    - setter:
      - setInt: x <- 1
      - addToInt: x++
      - awaitVar: never
  `));
  // Same run, no timer: the session re-runs instances until nothing progresses.
  assert.equal(r.v("done"), "yes");
  assert.deepEqual(r.running(), ["setter[0]"]);
});
