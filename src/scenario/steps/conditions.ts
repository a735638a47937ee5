/**
 * Conditions compiled to predicates: `intCondition`, `stringCondition`,
 * `boolCondition` and `allConditions`, plus the value tests shared with
 * `getSize` filters, header filters and `awaitInt`. Semantics follow
 * Hyperfoil's IntCondition, StringConditionBuilder and BoolConditionBase.
 */
import {
  type BoolCondition,
  type Condition,
  INT_COMPARISONS,
  type IntComparison,
  type IntCondition,
  type IntSource,
  type StringCondition,
  type StringMatch,
} from "../../benchmark/sources.ts";
import { CompileError } from "../compile.ts";
import type { Session } from "../session.ts";
import { getVar, UNSET, varRef, type VarSlots, type VarValue } from "../vars.ts";
import { compileIntSource, type Instance, type IntFn, TEXT_DECODER, toInt } from "./_util.ts";

export type Predicate = (s: Session, q: Instance) => boolean;
export type IntPredicate = (s: Session, q: Instance, value: number) => boolean;
export type StringPredicate = (s: Session, q: Instance, value: string) => boolean;

export function compileCondition(c: Condition, slots: VarSlots): Predicate {
  if ("intCondition" in c) return compileIntCondition(c.intCondition, slots);
  if ("stringCondition" in c) return compileStringCondition(c.stringCondition, slots);
  if ("boolCondition" in c) return compileBoolCondition(c.boolCondition, slots);
  const all = c.allConditions.map((x) => compileCondition(x, slots));
  if (all.length === 0) throw new CompileError("The condition list 'allConditions' is empty");
  return (s, q) => {
    for (const p of all) if (!p(s, q)) return false;
    return true;
  };
}

const TESTS: Record<IntComparison, (a: number, b: number) => boolean> = {
  equalTo: (a, b) => a === b,
  notEqualTo: (a, b) => a !== b,
  greaterThan: (a, b) => a > b,
  greaterOrEqualTo: (a, b) => a >= b,
  lessThan: (a, b) => a < b,
  lessOrEqualTo: (a, b) => a <= b,
};

/** All given comparisons, ANDed; undefined when there are none (anything matches). */
export function compileIntPredicate(
  comparisons: Partial<Record<IntComparison, IntSource>>,
  slots: VarSlots,
): IntPredicate | undefined {
  const parts: { test: (a: number, b: number) => boolean; source: IntFn }[] = [];
  for (const c of INT_COMPARISONS) {
    const src = comparisons[c];
    if (src !== undefined) parts.push({ test: TESTS[c], source: compileIntSource(src, slots) });
  }
  if (parts.length === 0) return undefined;
  return (s, q, v) => {
    for (const p of parts) if (!p.test(v, p.source(s, q))) return false;
    return true;
  };
}

/** An integer test on any value: integers, or text parsed as one (which must succeed). */
export function testIntValue(
  p: IntPredicate | undefined,
  s: Session,
  q: Instance,
  v: VarValue,
): boolean {
  return p === undefined || p(s, q, toInt(v, "value"));
}

function compileIntCondition(c: IntCondition, slots: VarSlots): Predicate {
  const ref = varRef(slots, c.fromVar);
  const isSet = c.isSet ?? true;
  const p = compileIntPredicate(c, slots);
  return (s, q) => {
    const v = getVar(s, q, ref);
    if (v === UNSET) return !isSet;
    if (!isSet) return false;
    return p === undefined || p(s, q, toInt(v, ref.name));
  };
}

/** The text a string test sees: strings and bytes as text, integers in decimal; else none. */
export function testedText(v: VarValue): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(Math.trunc(v));
  if (v instanceof Uint8Array) return TEXT_DECODER.decode(v);
  return undefined;
}

function regionEquals(a: string, b: string, caseSensitive: boolean): boolean {
  return caseSensitive ? a === b : a.toLowerCase() === b.toLowerCase();
}

/**
 * `value`/`equalTo`, `notEqualTo`, `startsWith`, `endsWith` or `matchVar`,
 * optionally with `length`, `caseSensitive` (default true) and `negate`.
 */
export function compileStringPredicate(m: StringMatch, slots: VarSlots): StringPredicate {
  const cs = m.caseSensitive ?? true;
  let content: StringPredicate | undefined;
  const full = m.value ?? m.equalTo ?? m.notEqualTo;
  if (full !== undefined) {
    content = (_s, _q, v) => regionEquals(v, full, cs);
  } else if (m.startsWith !== undefined) {
    const prefix = m.startsWith;
    content = (_s, _q, v) =>
      v.length >= prefix.length && regionEquals(v.slice(0, prefix.length), prefix, cs);
  } else if (m.endsWith !== undefined) {
    const suffix = m.endsWith;
    content = (_s, _q, v) =>
      v.length >= suffix.length && regionEquals(v.slice(v.length - suffix.length), suffix, cs);
  } else if (m.matchVar !== undefined) {
    const ref = varRef(slots, m.matchVar);
    content = (s, q, v) => {
      const other = getVar(s, q, ref);
      return typeof other === "string" && regionEquals(v, other, cs);
    };
  }
  let predicate = content;
  if (m.length !== undefined) {
    const lp = typeof m.length === "number"
      ? compileIntPredicate({ equalTo: { value: m.length } }, slots)
      : compileIntPredicate(m.length, slots);
    if (lp !== undefined) {
      const inner = content;
      predicate = inner === undefined
        ? (s, q, v) => lp(s, q, v.length)
        : (s, q, v) => lp(s, q, v.length) && inner(s, q, v);
    }
  }
  if (predicate === undefined) {
    throw new CompileError(
      "A string condition must set one of 'value', 'equalTo', 'notEqualTo', 'startsWith', 'endsWith', 'matchVar' or 'length'",
    );
  }
  const negate = m.negate ?? m.notEqualTo !== undefined;
  if (!negate) return predicate;
  const positive = predicate;
  return (s, q, v) => !positive(s, q, v);
}

/** A string test on any value: values without a text form never match. */
export function testStringValue(p: StringPredicate, s: Session, q: Instance, v: VarValue): boolean {
  const text = testedText(v);
  return text !== undefined && p(s, q, text);
}

function compileStringCondition(c: StringCondition, slots: VarSlots): Predicate {
  const ref = varRef(slots, c.fromVar);
  const isSet = c.isSet ?? true;
  const p = isSet ? compileStringPredicate(c, slots) : undefined;
  return (s, q) => {
    const v = getVar(s, q, ref);
    if (v === UNSET) return !isSet;
    if (p === undefined) return false;
    return testStringValue(p, s, q, v);
  };
}

/** Booleans, or text starting with "true"/"false" in any case; integers never match. */
export function testBool(v: VarValue, expected: boolean): boolean {
  if (typeof v === "boolean") return v === expected;
  const text = typeof v === "string"
    ? v
    : v instanceof Uint8Array
    ? TEXT_DECODER.decode(v)
    : undefined;
  if (text === undefined) return false;
  const word = expected ? "true" : "false";
  return text.slice(0, word.length).toLowerCase() === word;
}

function compileBoolCondition(c: BoolCondition, slots: VarSlots): Predicate {
  const ref = varRef(slots, c.fromVar);
  const expected = c.value ?? true;
  return (s, q) => {
    const v = getVar(s, q, ref);
    return v !== UNSET && testBool(v, expected);
  };
}
