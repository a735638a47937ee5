/** Conditions compiled to predicates: int, string, bool and all, with Hyperfoil's edge cases. */
import assert from "node:assert/strict";
import type { Condition } from "../../src/benchmark/sources.ts";
import { compileCondition } from "../../src/scenario/steps/conditions.ts";
import { newSession, type PhaseContext } from "../../src/scenario/session.ts";
import { UNSET, type VarValue } from "../../src/scenario/vars.ts";
import { bench, compile, TestExecutor } from "./_harness.ts";

/** Evaluates `condition` with the given variables set. */
function holds(condition: Condition, vars: Record<string, VarValue>): boolean {
  const b = bench(`
    - main:
      - noop
  `);
  const scenario = compile(b);
  const predicate = compileCondition(condition, scenario.slots);
  for (const name of Object.keys(vars)) {
    if (!scenario.slots.bySlot.has(name)) {
      scenario.slots.bySlot.set(name, scenario.slots.names.push(name) - 1);
    }
  }
  const phase = { phase: b.phases[0], executor: new TestExecutor() } as unknown as PhaseContext;
  const s = newSession(1, scenario, phase);
  for (const [name, value] of Object.entries(vars)) {
    s.vars[scenario.slots.bySlot.get(name)!] = value;
  }
  return predicate(s, undefined);
}

Deno.test("intCondition compares integers and integer text; unset depends on isSet", () => {
  const c = (o: object): Condition => ({ intCondition: { fromVar: "x", ...o } });
  assert.equal(holds(c({ equalTo: { value: 3 } }), { x: 3 }), true);
  assert.equal(holds(c({ equalTo: { value: 3 } }), { x: "3" }), true);
  assert.equal(holds(c({ greaterThan: { value: 3 }, lessThan: { value: 9 } }), { x: 5 }), true);
  assert.equal(holds(c({ greaterThan: { value: 3 }, lessThan: { value: 9 } }), { x: 9 }), false);
  assert.equal(holds(c({ notEqualTo: { fromVar: "y" } }), { x: 1, y: 2 }), true);
  assert.equal(holds(c({ lessOrEqualTo: { value: 0 } }), { x: UNSET }), false);
  assert.equal(holds(c({ isSet: false }), { x: UNSET }), true);
  assert.equal(holds(c({ isSet: false }), { x: 1 }), false);
  assert.equal(holds(c({}), { x: 1 }), true);
  assert.throws(
    () => holds(c({ equalTo: { value: 1 } }), { x: "one" }),
    /does not hold an integer/,
  );
});

Deno.test("stringCondition matches full, prefix, suffix, variables, lengths and negations", () => {
  const c = (o: object): Condition => ({ stringCondition: { fromVar: "s", ...o } });
  const v = { s: "Hello World" };
  assert.equal(holds(c({ value: "Hello World" }), v), true);
  assert.equal(holds(c({ value: "Hello" }), v), false);
  assert.equal(holds(c({ equalTo: "hello world", caseSensitive: false }), v), true);
  assert.equal(holds(c({ notEqualTo: "Hello World" }), v), false);
  assert.equal(holds(c({ notEqualTo: "Bye" }), v), true);
  assert.equal(holds(c({ startsWith: "Hell" }), v), true);
  assert.equal(holds(c({ endsWith: "world", caseSensitive: false }), v), true);
  assert.equal(holds(c({ endsWith: "a longer suffix than the string" }), v), false);
  assert.equal(holds(c({ startsWith: "Hell", negate: true }), v), false);
  assert.equal(holds(c({ matchVar: "t" }), { ...v, t: "Hello World" }), true);
  assert.equal(holds(c({ matchVar: "t" }), { ...v, t: 5 }), false);
  assert.equal(holds(c({ length: 11 }), v), true);
  assert.equal(holds(c({ length: { greaterThan: { value: 20 } } }), v), false);
  assert.equal(holds(c({ startsWith: "H", length: { lessThan: { value: 5 } } }), v), false);
  assert.equal(holds(c({ value: "42" }), { s: 42 }), true);
  assert.equal(holds(c({ value: "x" }), { s: UNSET }), false);
  assert.equal(holds(c({ isSet: false }), { s: UNSET }), true);
  assert.equal(holds(c({ value: "ab" }), { s: new TextEncoder().encode("ab") }), true);
});

Deno.test("boolCondition accepts booleans and true/false text, never integers", () => {
  const c = (value?: boolean): Condition => ({ boolCondition: { fromVar: "b", value } });
  assert.equal(holds(c(), { b: true }), true);
  assert.equal(holds(c(), { b: "TRUE" }), true);
  assert.equal(holds(c(), { b: "yes" }), false);
  assert.equal(holds(c(false), { b: "false" }), true);
  assert.equal(holds(c(false), { b: false }), true);
  assert.equal(holds(c(), { b: 1 }), false);
  assert.equal(holds(c(false), { b: UNSET }), false);
});

Deno.test("allConditions needs every condition", () => {
  const all: Condition = {
    allConditions: [
      { intCondition: { fromVar: "n", greaterThan: { value: 0 } } },
      { stringCondition: { fromVar: "s", startsWith: "ok" } },
    ],
  };
  assert.equal(holds(all, { n: 1, s: "okay" }), true);
  assert.equal(holds(all, { n: 0, s: "okay" }), false);
  assert.equal(holds(all, { n: 1, s: "no" }), false);
});
