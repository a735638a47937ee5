/**
 * Session variables compiled to slots. Names become indexes before the first
 * session exists, so the hot path reads `session.vars[slot]`. `name[.]`
 * addresses the element of an array variable at the running sequence
 * instance's index; `name[3]` a fixed element.
 */
import type { SequenceInstance, Session } from "./session.ts";

/** The value of a variable that was never set (or was unset). */
export const UNSET: unique symbol = Symbol("unset");
export type VarValue = unknown;

/** Names → slots for one compiled scenario. */
export interface VarSlots {
  readonly names: string[];
  readonly bySlot: Map<string, number>;
}

export function newVarSlots(): VarSlots {
  return { names: [], bySlot: new Map() };
}

export function slotOf(slots: VarSlots, name: string): number {
  let s = slots.bySlot.get(name);
  if (s === undefined) {
    s = slots.names.push(name) - 1;
    slots.bySlot.set(name, s);
  }
  return s;
}

export interface VarRef {
  readonly name: string;
  readonly slot: number;
  /** `[.]`: the element at the sequence instance's index. */
  readonly bySequence: boolean;
  /** `[N]`: a fixed element; -1 for none. */
  readonly element: number;
}

const REF = /^\s*([^[\]\s]+)\s*(?:\[\s*(\.|\d+)\s*\])?\s*$/;

export function varRef(slots: VarSlots, text: string): VarRef {
  const m = REF.exec(text);
  if (!m) throw new TypeError(`Invalid variable reference '${text}'`);
  return {
    name: m[1],
    slot: slotOf(slots, m[1]),
    bySequence: m[2] === ".",
    element: m[2] !== undefined && m[2] !== "." ? Number(m[2]) : -1,
  };
}

function elementIndex(ref: VarRef, q: SequenceInstance | undefined): number {
  return ref.bySequence ? (q?.index ?? 0) : ref.element;
}

export function getVar(s: Session, q: SequenceInstance | undefined, ref: VarRef): VarValue {
  const v = s.vars[ref.slot];
  if (!ref.bySequence && ref.element < 0) return v;
  if (!Array.isArray(v)) return UNSET;
  const i = elementIndex(ref, q);
  return i < v.length ? v[i] : UNSET;
}

export function isVarSet(s: Session, q: SequenceInstance | undefined, ref: VarRef): boolean {
  return getVar(s, q, ref) !== UNSET;
}

export function setVar(
  s: Session,
  q: SequenceInstance | undefined,
  ref: VarRef,
  value: VarValue,
): void {
  if (!ref.bySequence && ref.element < 0) {
    s.vars[ref.slot] = value;
    return;
  }
  let arr = s.vars[ref.slot];
  if (!Array.isArray(arr)) {
    // Writing an element of an array nobody created: create it sized to fit.
    arr = [];
    s.vars[ref.slot] = arr;
  }
  const a = arr as VarValue[];
  const i = elementIndex(ref, q);
  while (a.length <= i) a.push(UNSET);
  a[i] = value;
}

export function unsetVar(s: Session, q: SequenceInstance | undefined, ref: VarRef): void {
  if (!ref.bySequence && ref.element < 0) s.vars[ref.slot] = UNSET;
  else {
    const a = s.vars[ref.slot];
    const i = elementIndex(ref, q);
    if (Array.isArray(a) && i < a.length) a[i] = UNSET;
  }
}

/** A variable's value as text (numbers, strings, bytes). */
export function varText(v: VarValue): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  if (v === UNSET || v === undefined || v === null) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** A variable's value as an integer, or undefined when it is not one. */
export function varInt(v: VarValue): number | undefined {
  if (typeof v === "number") return Math.trunc(v);
  if (typeof v === "string" || v instanceof Uint8Array) {
    const t = varText(v).trim();
    if (/^[-+]?\d+$/.test(t)) return Number(t);
  }
  if (typeof v === "boolean") return v ? 1 : 0;
  return undefined;
}
