/**
 * Actions on array variables (`set: {objectArray}`, `array`, `collection`):
 * `addItem`, `getItem`, `setItem`, `removeItem`, `getIndex`, `getSize`. An
 * array's set elements end at its first unset one, as Hyperfoil's ObjectVar
 * arrays do. Semantics follow Hyperfoil's steps/collections/*Action.
 */
import type {
  AddItemRecord,
  GetIndexRecord,
  GetItemRecord,
  GetSizeRecord,
  RemoveItemRecord,
  SetItemRecord,
} from "../../benchmark/steps/collections.ts";
import type { CompileCtx, CompilerRegistry } from "../compile.ts";
import type { Session } from "../session.ts";
import { getVar, setVar, UNSET, type VarRef, varRef, varText, type VarValue } from "../vars.ts";
import {
  addAction,
  compileIntSource,
  compileObjectSource,
  type Instance,
  sameValue,
  setLength,
} from "./_util.ts";
import {
  compileIntPredicate,
  compileStringPredicate,
  testBool,
  testIntValue,
  testStringValue,
} from "./conditions.ts";

export function registerCollections(reg: CompilerRegistry): void {
  addAction(reg, "addItem", compileAddItem);
  addAction(reg, "getItem", compileGetItem);
  addAction(reg, "setItem", compileSetItem);
  addAction(reg, "removeItem", compileRemoveItem);
  addAction(reg, "getIndex", compileGetIndex);
  addAction(reg, "getSize", compileGetSize);
}

function arrayIn(s: Session, q: Instance, ref: VarRef): VarValue[] {
  const v = getVar(s, q, ref);
  if (v === UNSET) throw new Error(`Variable '${ref.name}' is not set (it should hold an array)`);
  if (!Array.isArray(v)) {
    throw new Error(`Variable '${ref.name}' should hold an array but holds '${varText(v)}'`);
  }
  return v;
}

/** Stores the item in the first unset element; a full array drops it with a warning. */
function compileAddItem(rec: AddItemRecord, ctx: CompileCtx) {
  const to = varRef(ctx.slots, rec.toVar);
  const item = compileObjectSource(rec.item, ctx.slots);
  return (s: Session, q: Instance) => {
    const arr = arrayIn(s, q, to);
    const value = item(s, q);
    const i = arr.indexOf(UNSET);
    if (i >= 0) arr[i] = value;
    else {
      s.phase.executor.log(
        "warn",
        `Session ${s.id}: the array in '${to.name}' is full (${arr.length} items), cannot add '${
          varText(value)
        }'`,
      );
    }
  };
}

/** Copies an element; problems are logged and leave `toVar` unchanged. */
function compileGetItem(rec: GetItemRecord, ctx: CompileCtx) {
  const from = varRef(ctx.slots, rec.fromVar);
  const to = varRef(ctx.slots, rec.toVar);
  const index = compileIntSource(rec.index, ctx.slots);
  return (s: Session, q: Instance) => {
    const ex = s.phase.executor;
    const v = getVar(s, q, from);
    if (v === UNSET || v === null) {
      ex.log("error", `Session ${s.id}: variable '${from.name}' is not set`);
      return;
    }
    if (!Array.isArray(v)) {
      ex.log("error", `Session ${s.id}: cannot get an item of '${from.name}': not an array`);
      return;
    }
    const i = index(s, q);
    if (i < 0 || i >= v.length) {
      ex.log(
        "error",
        `Session ${s.id}: index ${i} out of bounds: the array in '${from.name}' has ${v.length} elements`,
      );
    } else if (v[i] === UNSET) {
      ex.log("error", `Session ${s.id}: cannot access ${from.name}[${i}]: not set`);
    } else {
      setVar(s, q, to, v[i]);
    }
  };
}

function compileSetItem(rec: SetItemRecord, ctx: CompileCtx) {
  const to = varRef(ctx.slots, rec.toVar);
  const index = compileIntSource(rec.index, ctx.slots);
  const item = compileObjectSource(rec.item, ctx.slots);
  return (s: Session, q: Instance) => {
    const arr = arrayIn(s, q, to);
    const value = item(s, q);
    const i = index(s, q);
    if (i < 0 || i >= arr.length) {
      throw new Error(`Index ${i} is out of the bounds of '${to.name}' (${arr.length} elements)`);
    }
    arr[i] = value;
  };
}

/** Removes an element, shifting the set elements after it left. */
function compileRemoveItem(rec: RemoveItemRecord, ctx: CompileCtx) {
  const from = varRef(ctx.slots, rec.fromVar);
  const index = compileIntSource(rec.index, ctx.slots);
  return (s: Session, q: Instance) => {
    const arr = arrayIn(s, q, from);
    const i = index(s, q);
    if (i < 0 || i >= arr.length) {
      throw new Error(`Index ${i} is out of the bounds of '${from.name}' (${arr.length} elements)`);
    }
    let last = i;
    for (let j = i + 1; j < arr.length && arr[j] !== UNSET; j++) {
      arr[j - 1] = arr[j];
      last = j;
    }
    arr[last] = UNSET;
  };
}

/** The index of the first equal element among the set ones, or -1. */
function compileGetIndex(rec: GetIndexRecord, ctx: CompileCtx) {
  const collection = varRef(ctx.slots, rec.collection);
  const to = varRef(ctx.slots, rec.toVar);
  const item = compileObjectSource(rec.item, ctx.slots);
  return (s: Session, q: Instance) => {
    const arr = getVar(s, q, collection);
    if (!Array.isArray(arr)) {
      throw new Error(`Cannot look up an item in '${collection.name}': it holds no array`);
    }
    const value = item(s, q);
    const n = setLength(arr);
    let found = -1;
    for (let i = 0; i < n; i++) {
      if (sameValue(arr[i], value)) {
        found = i;
        break;
      }
    }
    setVar(s, q, to, found);
  };
}

/** Counts set elements (matching the filter); `undefinedValue` (-1) when there is no array. */
function compileGetSize(rec: GetSizeRecord, ctx: CompileCtx) {
  const from = varRef(ctx.slots, rec.fromVar);
  const to = varRef(ctx.slots, rec.toVar);
  const undefinedValue = rec.undefinedValue ?? -1;
  const filter = sizeFilter(rec, ctx);
  return (s: Session, q: Instance) => {
    const v = getVar(s, q, from);
    if (!Array.isArray(v)) {
      setVar(s, q, to, undefinedValue);
      return;
    }
    const n = setLength(v);
    let size = n;
    if (filter !== undefined) {
      size = 0;
      for (let i = 0; i < n; i++) if (filter(s, q, v[i])) size++;
    }
    setVar(s, q, to, size);
  };
}

function sizeFilter(rec: GetSizeRecord, ctx: CompileCtx) {
  if (rec.boolFilter !== undefined) {
    const expected = rec.boolFilter.value ?? true;
    return (_s: Session, _q: Instance, v: VarValue) => testBool(v, expected);
  }
  if (rec.intFilter !== undefined) {
    const p = compileIntPredicate(rec.intFilter, ctx.slots);
    return (s: Session, q: Instance, v: VarValue) => testIntValue(p, s, q, v);
  }
  if (rec.stringFilter !== undefined) {
    const p = compileStringPredicate(rec.stringFilter, ctx.slots);
    return (s: Session, q: Instance, v: VarValue) => testStringValue(p, s, q, v);
  }
  return undefined;
}
