/**
 * Steps and actions that produce values: random integers, items, UUIDs, CSV
 * rows and files, templates, and the variable setters `set`, `setInt`,
 * `addToInt`, `unset`, `stringToInt`, plus `log` and the example `divide`.
 * Semantics follow Hyperfoil's generators and SetAction, SetIntAction,
 * AddToIntAction, StringToIntAction, UnsetAction, LogAction and DivideStep.
 */
import { decodeBase64 } from "../../benchmark/base64.ts";
import type { Pattern } from "../../benchmark/pattern.ts";
import type {
  AddToIntRecord,
  ArrayInit,
  DivideRecord,
  LogRecord,
  RandomCsvRowRecord,
  RandomFileRecord,
  RandomIntRecord,
  RandomItemRecord,
  RandomUuidRecord,
  SetIntRecord,
  SetRecord,
  StringToIntRecord,
  TemplateRecord,
  UnsetRecord,
} from "../../benchmark/steps/generators.ts";
import { type CompileCtx, CompileError, type CompilerRegistry } from "../compile.ts";
import { compilePattern, type StringFn } from "../patterns.ts";
import type { SequenceInstance, Session } from "../session.ts";
import {
  getVar,
  setVar,
  UNSET,
  unsetVar,
  type VarRef,
  varRef,
  type VarSlots,
  varText,
  type VarValue,
} from "../vars.ts";
import {
  addAction,
  addStep,
  compileIntSource,
  type Instance,
  type IntFn,
  parseJavaInt,
  readInt,
  requireVar,
  setLength,
  toInt,
  weightedPicker,
} from "./_util.ts";
import { compileIntPredicate } from "./conditions.ts";

export function registerGenerators(reg: CompilerRegistry): void {
  addStep(reg, "randomInt", compileRandomInt);
  addStep(reg, "randomItem", compileRandomItem);
  addStep(reg, "randomUUID", compileRandomUuid);
  addStep(reg, "randomCsvRow", compileRandomCsvRow);
  addStep(reg, "randomFile", compileRandomFile);
  addStep(reg, "template", compileTemplate);
  addAction(reg, "set", compileSet);
  addAction(reg, "setInt", compileSetInt);
  addAction(reg, "addToInt", compileAddToInt);
  addAction(reg, "unset", compileUnset);
  addAction(reg, "stringToInt", compileStringToInt);
  addAction(reg, "log", compileLog);
  addStep(reg, "divide", compileDivide);
}

/** Steps that never block: an action wrapped to return true. */
function done(fn: (s: Session, q: SequenceInstance) => void) {
  return (s: Session, q: SequenceInstance) => {
    fn(s, q);
    return true;
  };
}

function compileRandomInt(rec: RandomIntRecord, ctx: CompileCtx) {
  const ref = varRef(ctx.slots, rec.toVar);
  const min = compileIntSource(rec.min, ctx.slots);
  const max = compileIntSource(rec.max, ctx.slots);
  return done((s, q) => {
    const lo = min(s, q), hi = max(s, q);
    if (lo > hi) {
      throw new Error(`randomInt into '${ref.name}': min (${lo}) is greater than max (${hi})`);
    }
    setVar(s, q, ref, lo + Math.floor(s.phase.executor.random() * (hi - lo + 1)));
  });
}

function compileRandomItem(rec: RandomItemRecord, ctx: CompileCtx) {
  const to = varRef(ctx.slots, rec.toVar);
  if (rec.items !== undefined) {
    const items = rec.items;
    const pick = weightedPicker(items.length, rec.weights);
    return done((s, q) => setVar(s, q, to, items[pick(s.phase.executor.random())]));
  }
  const from = varRef(ctx.slots, rec.fromVar!);
  return done((s, q) => {
    const data = getVar(s, q, from);
    if (!Array.isArray(data)) {
      throw new Error(`Cannot pick a random item from variable '${from.name}': it holds no array`);
    }
    // The first unset element ends an array filled by `array`/`addItem`.
    const n = setLength(data);
    if (n === 0) throw new Error(`Cannot pick a random item from '${from.name}': it is empty`);
    setVar(s, q, to, data[Math.floor(s.phase.executor.random() * n)]);
  });
}

function compileRandomUuid(rec: RandomUuidRecord, ctx: CompileCtx) {
  const ref = varRef(ctx.slots, rec.toVar);
  return done((s, q) => setVar(s, q, ref, crypto.randomUUID()));
}

function compileRandomCsvRow(rec: RandomCsvRowRecord, ctx: CompileCtx) {
  const refs = rec.vars.map((v) => varRef(ctx.slots, v));
  const rows = rec.rows;
  return done((s, q) => {
    if (rows.length === 0) {
      throw new Error(`No rows available in '${rec.file}': was the CSV file empty?`);
    }
    const row = rows[Math.floor(s.phase.executor.random() * rows.length)];
    for (let i = 0; i < refs.length; i++) setVar(s, q, refs[i], row[i]);
  });
}

function compileRandomFile(rec: RandomFileRecord, ctx: CompileCtx) {
  const data = rec.files.map((f) => {
    const b64 = ctx.benchmark.files[f];
    if (b64 === undefined) {
      throw new CompileError(`Data file '${f}' is not embedded in the benchmark`);
    }
    return decodeBase64(b64);
  });
  const to = varRef(ctx.slots, rec.toVar);
  const nameRef = rec.filenameVar === undefined ? undefined : varRef(ctx.slots, rec.filenameVar);
  const pick = weightedPicker(rec.files.length, rec.weights);
  return done((s, q) => {
    const i = pick(s.phase.executor.random());
    setVar(s, q, to, data[i]);
    if (nameRef !== undefined) setVar(s, q, nameRef, rec.files[i]);
  });
}

function compileTemplate(rec: TemplateRecord, ctx: CompileCtx) {
  const ref = varRef(ctx.slots, rec.toVar);
  const fn = compilePattern(rec.pattern, ctx.slots);
  return done((s, q) => setVar(s, q, ref, fn(s, q)));
}

/** A new array of `size` elements, filled from `fromVar` when given (Hyperfoil's ObjectArraySupplier). */
function arrayInit(init: ArrayInit, slots: VarSlots, ints: boolean) {
  const from = init.fromVar === undefined ? undefined : varRef(slots, init.fromVar);
  const size = init.size;
  const item = (v: VarValue, name: string) => ints ? toInt(v, name) : v;
  return (s: Session, q: Instance): VarValue[] => {
    const out: VarValue[] = new Array(size).fill(UNSET);
    if (from === undefined) return out;
    const v = getVar(s, q, from);
    if (v === UNSET || v === null) return out;
    if (Array.isArray(v)) {
      for (let i = 0; i < Math.min(size, v.length); i++) {
        if (v[i] !== UNSET) out[i] = item(v[i], from.name);
      }
    } else {
      out.fill(item(v, from.name));
    }
    return out;
  };
}

function compileSet(rec: SetRecord, ctx: CompileCtx) {
  const ref = varRef(ctx.slots, rec.var);
  if (rec.value !== undefined) {
    const value = rec.value;
    return (s: Session, q: Instance) => setVar(s, q, ref, value);
  }
  const make = arrayInit((rec.objectArray ?? rec.intArray)!, ctx.slots, rec.intArray !== undefined);
  return (s: Session, q: Instance) => setVar(s, q, ref, make(s, q));
}

function compileSetInt(rec: SetIntRecord, ctx: CompileCtx) {
  const ref = varRef(ctx.slots, rec.var);
  const input = intInput(rec, ctx.slots);
  const condition = rec.intCondition === undefined
    ? undefined
    : compileIntPredicate(rec.intCondition, ctx.slots);
  const onlyIfNotSet = rec.onlyIfNotSet;
  return (s: Session, q: Instance) => {
    const current = getVar(s, q, ref);
    if (onlyIfNotSet && current !== UNSET) return;
    if (rec.intCondition !== undefined) {
      // The condition is on the variable itself; an unset variable fails it.
      if (current === UNSET) return;
      if (condition !== undefined && !condition(s, q, toInt(current, ref.name))) return;
    }
    setVar(s, q, ref, input(s, q));
  };
}

function intInput(rec: SetIntRecord, slots: VarSlots): IntFn {
  if (rec.value !== undefined) {
    const v = rec.value;
    return () => v;
  }
  if (rec.fromVar !== undefined) {
    const from = varRef(slots, rec.fromVar);
    return (s, q) => readInt(s, q, from);
  }
  const items = (rec.min ?? rec.max)!.map((src) => compileIntSource(src, slots));
  const pick = rec.min !== undefined ? Math.min : Math.max;
  return (s, q) => {
    let r = items[0](s, q);
    for (let i = 1; i < items.length; i++) r = pick(r, items[i](s, q));
    return r;
  };
}

function compileAddToInt(rec: AddToIntRecord, ctx: CompileCtx) {
  const ref = varRef(ctx.slots, rec.var);
  const delta = rec.value;
  const orElse = rec.orElseSetTo;
  return (s: Session, q: Instance) => {
    if (orElse !== undefined && getVar(s, q, ref) === UNSET) setVar(s, q, ref, orElse);
    // Java int arithmetic wraps around.
    else setVar(s, q, ref, (readInt(s, q, ref) + delta) | 0);
  };
}

function compileUnset(rec: UnsetRecord, ctx: CompileCtx) {
  const ref = varRef(ctx.slots, rec.var);
  return (s: Session, q: Instance) => unsetVar(s, q, ref);
}

function compileStringToInt(rec: StringToIntRecord, ctx: CompileCtx) {
  const from = varRef(ctx.slots, rec.fromVar);
  const to = varRef(ctx.slots, rec.toVar);
  return (s: Session, q: Instance) => {
    const v = getVar(s, q, from);
    const ex = s.phase.executor;
    if (v === UNSET || v === null) {
      ex.log("error", `Session ${s.id}: cannot convert '${from.name}' (not set) to an integer`);
      return;
    }
    const n = parseJavaInt(varText(v));
    if (n === undefined) {
      ex.log("error", `Session ${s.id}: cannot convert '${varText(v)}' to an integer`);
    } else setVar(s, q, to, n);
  };
}

/** Like a pattern, but an unset variable prints `<not set>` (Hyperfoil's log pattern). */
function compileLenientPattern(p: Pattern, slots: VarSlots): StringFn {
  const parts = p.segments.map((seg): string | { ref: VarRef; fn: StringFn } =>
    typeof seg === "string" ? seg : {
      ref: varRef(slots, seg.var),
      fn: compilePattern({ pattern: p.pattern, segments: [seg] }, slots),
    }
  );
  return (s, q) => {
    let out = "";
    for (const x of parts) {
      out += typeof x === "string" ? x : getVar(s, q, x.ref) === UNSET ? "<not set>" : x.fn(s, q);
    }
    return out;
  };
}

function compileLog(rec: LogRecord, ctx: CompileCtx) {
  const message = compileLenientPattern(rec.message, ctx.slots);
  return (s: Session, q: Instance) => s.phase.executor.log("info", message(s, q));
}

/** Hyperfoil's example step: blocks until `fromVar` is set, then stores the integer quotient. */
function compileDivide(rec: DivideRecord, ctx: CompileCtx) {
  const from = varRef(ctx.slots, rec.fromVar);
  const to = varRef(ctx.slots, rec.toVar);
  const divisor = rec.divisor;
  return (s: Session, q: SequenceInstance) => {
    if (getVar(s, q, from) === UNSET) return false;
    setVar(s, q, to, Math.trunc(toInt(requireVar(s, q, from), from.name) / divisor));
    return true;
  };
}
