/**
 * Hyperfoil's jq-like JSON queries (`.a`, `.a.b`, `.[]`, `.[N]`, `.[from:to]`,
 * `.items[].id`) over the bytes of a document, and the `json` step and
 * processor built on them. Selected values keep their source text (an object
 * is passed as written); strings are unquoted and unescaped unless
 * `unquote: false`. With `delete` or `replace` the processors receive the
 * whole modified document instead (Hyperfoil's JsonParser semantics; unlike
 * Hyperfoil the result stays valid JSON when a first member is deleted).
 */
import type { DataFormat } from "../../benchmark/steps/_common.ts";
import type { JsonRecord } from "../../benchmark/steps/processors.ts";
import type { StepRecord } from "../../benchmark/registry.ts";
import {
  type CompileCtx,
  CompileError,
  type CompilerRegistry,
  type Processor,
} from "../compile.ts";
import { compilePattern, type StringFn } from "../patterns.ts";
import type { ActionFn, SequenceInstance, Session } from "../session.ts";
import { getVar, setVar, UNSET, varRef, varText } from "../vars.ts";
import {
  addProcessor,
  addStep,
  convertData,
  defragSlot,
  type Instance,
  TEXT_DECODER,
  TEXT_ENCODER,
} from "./_util.ts";

export function registerJson(reg: CompilerRegistry): void {
  addStep(reg, "json", compileJsonStep);
  addProcessor(reg, "json", compileJsonProcessor);
}

// ------------------------------------------------------------------ queries

/** One level of a query: an object member by name, or array elements by index range. */
export type JsonSelector =
  | { kind: "member"; name: string; bytes: Uint8Array }
  /** Inclusive range, as Hyperfoil's ArraySelector; negative counts from the end. */
  | { kind: "elements"; from: number; to: number };

/** Parses `.a.b[].c[2]`; throws a `SyntaxError` naming the problem. */
export function parseJsonQuery(query: string): JsonSelector[] {
  const q = query.trim();
  if (!q.startsWith(".")) {
    throw new SyntaxError(`Invalid JSON query '${query}': it must start with '.'`);
  }
  const out: JsonSelector[] = [];
  let i = 1;
  while (i < q.length) {
    const c = q[i];
    if (c === ".") {
      i++;
    } else if (c === "[") {
      const close = q.indexOf("]", i);
      if (close < 0) throw new SyntaxError(`Invalid JSON query '${query}': '[' is not closed`);
      out.push(parseRange(q.slice(i + 1, close).trim(), query));
      i = close + 1;
    } else {
      let j = i;
      while (j < q.length && q[j] !== "." && q[j] !== "[") j++;
      const name = q.slice(i, j);
      out.push({ kind: "member", name, bytes: TEXT_ENCODER.encode(name) });
      i = j;
    }
  }
  return out;
}

const MAX_INDEX = Number.MAX_SAFE_INTEGER;

function parseRange(inner: string, query: string): JsonSelector {
  const m = /^(-?\d+)?\s*(:\s*(-?\d+)?)?$/.exec(inner);
  if (!m) {
    throw new SyntaxError(
      `Invalid JSON query '${query}': expected '[]', '[n]' or '[from:to]', found '[${inner}]'`,
    );
  }
  if (inner === "") return { kind: "elements", from: 0, to: MAX_INDEX };
  const from = m[1] === undefined ? 0 : Number(m[1]);
  if (m[2] === undefined) return { kind: "elements", from, to: from };
  return { kind: "elements", from, to: m[3] === undefined ? MAX_INDEX : Number(m[3]) };
}

/** A selected value, and what deleting it removes (the member or element and one separator). */
export interface JsonMatch {
  start: number;
  end: number;
  cutStart: number;
  cutEnd: number;
}

const QUOTE = 0x22, BACKSLASH = 0x5c, COMMA = 0x2c, COLON = 0x3a;
const LBRACE = 0x7b, RBRACE = 0x7d, LBRACKET = 0x5b, RBRACKET = 0x5d;

function ws(d: Uint8Array, i: number): number {
  while (i < d.length) {
    const b = d[i];
    if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) break;
    i++;
  }
  return i;
}

/** The end of the string starting at `i` (after its closing quote), or -1. */
function stringEnd(d: Uint8Array, i: number): number {
  for (let j = i + 1; j < d.length; j++) {
    if (d[j] === BACKSLASH) j++;
    else if (d[j] === QUOTE) return j + 1;
  }
  return -1;
}

/** The end of the value starting at `i`, or -1 when the document is malformed. */
function valueEnd(d: Uint8Array, i: number): number {
  const b = d[i];
  if (b === QUOTE) return stringEnd(d, i);
  if (b === LBRACE || b === LBRACKET) {
    let depth = 0;
    for (let j = i; j < d.length; j++) {
      const c = d[j];
      if (c === QUOTE) {
        j = stringEnd(d, j) - 1;
        if (j < 0) return -1;
      } else if (c === LBRACE || c === LBRACKET) depth++;
      else if (c === RBRACE || c === RBRACKET) {
        if (--depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (j < d.length) {
    const c = d[j];
    if (
      c === COMMA || c === RBRACE || c === RBRACKET || c === 0x20 || c === 0x0a || c === 0x0d ||
      c === 0x09
    ) break;
    j++;
  }
  return j > i ? j : -1;
}

function keyEquals(d: Uint8Array, start: number, end: number, name: Uint8Array): boolean {
  if (end - start !== name.length) return false;
  for (let k = 0; k < name.length; k++) if (d[start + k] !== name[k]) return false;
  return true;
}

/** A child of a container: where it starts, and its neighbours' bounds (-1 when none). */
interface Place {
  memberStart: number;
  prevEnd: number;
  nextStart: number;
}

/**
 * Calls `onMatch` for every value the selectors reach, in document order.
 * Malformed input ends the walk quietly, as a streaming parser would match nothing more.
 */
export function selectJson(
  doc: Uint8Array,
  selectors: readonly JsonSelector[],
  onMatch: (m: JsonMatch) => void,
): void {
  const start = ws(doc, 0);
  if (start >= doc.length) return;
  const end = valueEnd(doc, start);
  if (end < 0) return;
  walk(doc, selectors, 0, start, end, { memberStart: start, prevEnd: -1, nextStart: -1 }, onMatch);
}

function walk(
  d: Uint8Array,
  sels: readonly JsonSelector[],
  level: number,
  start: number,
  end: number,
  place: Place,
  onMatch: (m: JsonMatch) => void,
): void {
  if (level === sels.length) {
    const [cutStart, cutEnd] = place.prevEnd >= 0
      ? [place.prevEnd, end]
      : place.nextStart >= 0
      ? [place.memberStart, place.nextStart]
      : [place.memberStart, end];
    onMatch({ start, end, cutStart, cutEnd });
    return;
  }
  const sel = sels[level];
  if (sel.kind === "member") {
    if (d[start] === LBRACE) {
      members(d, start, sel.bytes, (v, vEnd, p) => walk(d, sels, level + 1, v, vEnd, p, onMatch));
    }
  } else if (d[start] === LBRACKET) {
    let { from, to } = sel;
    if (from < 0 || to < 0) {
      let n = 0;
      elements(d, start, () => n++);
      if (from < 0) from += n;
      if (to < 0) to += n;
    }
    elements(d, start, (v, vEnd, p, index) => {
      if (index >= from && index <= to) walk(d, sels, level + 1, v, vEnd, p, onMatch);
    });
  }
}

/** Calls `fn` for each member named `name` of the object at `i`. */
function members(
  d: Uint8Array,
  i: number,
  name: Uint8Array,
  fn: (v: number, vEnd: number, p: Place) => void,
): void {
  let j = ws(d, i + 1);
  let prevEnd = -1;
  while (j < d.length && d[j] === QUOTE) {
    const memberStart = j;
    const keyEnd = stringEnd(d, j);
    if (keyEnd < 0) return;
    const colon = ws(d, keyEnd);
    if (d[colon] !== COLON) return;
    const v = ws(d, colon + 1);
    const vEnd = valueEnd(d, v);
    if (vEnd < 0) return;
    const k = ws(d, vEnd);
    const nextStart = d[k] === COMMA ? ws(d, k + 1) : -1;
    if (keyEquals(d, memberStart + 1, keyEnd - 1, name)) {
      fn(v, vEnd, { memberStart, prevEnd, nextStart });
    }
    if (nextStart < 0) return;
    prevEnd = vEnd;
    j = nextStart;
  }
}

/** Calls `fn` for each element of the array at `i`. */
function elements(
  d: Uint8Array,
  i: number,
  fn: (v: number, vEnd: number, p: Place, index: number) => void,
): void {
  let j = ws(d, i + 1);
  if (d[j] === RBRACKET) return;
  let prevEnd = -1;
  for (let index = 0; j < d.length; index++) {
    const vEnd = valueEnd(d, j);
    if (vEnd < 0) return;
    const k = ws(d, vEnd);
    const nextStart = d[k] === COMMA ? ws(d, k + 1) : -1;
    fn(j, vEnd, { memberStart: j, prevEnd, nextStart }, index);
    if (nextStart < 0) return;
    prevEnd = vEnd;
    j = nextStart;
  }
}

/** A JSON string literal's content, unescaped; other values unchanged. */
export function unquoteJson(value: Uint8Array): Uint8Array {
  if (value.length < 2 || value[0] !== QUOTE) return value;
  if (!value.includes(BACKSLASH)) return value.subarray(1, value.length - 1);
  try {
    return TEXT_ENCODER.encode(JSON.parse(TEXT_DECODER.decode(value)));
  } catch {
    return value.subarray(1, value.length - 1);
  }
}

/** An edit of the document: bytes [start, end) become `insert`. */
interface Edit {
  start: number;
  end: number;
  insert: Uint8Array | undefined;
}

/** Applies non-nested edits; overlapping deletions merge. */
function applyEdits(doc: Uint8Array, edits: Edit[]): Uint8Array {
  edits.sort((a, b) => a.start - b.start);
  const pieces: Uint8Array[] = [];
  let pos = 0;
  for (const e of edits) {
    if (e.end <= pos) continue;
    if (e.start > pos) pieces.push(doc.subarray(pos, e.start));
    if (e.insert !== undefined) pieces.push(e.insert);
    pos = Math.max(pos, e.end);
  }
  pieces.push(doc.subarray(pos));
  const out = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// ------------------------------------------------------------------ the step and processor

type Replace = (s: Session, q: Instance, value: Uint8Array) => Uint8Array;

interface JsonQueryRunner {
  before(s: Session, q: Instance): void;
  /** Runs the query on a whole document and feeds the processors. */
  run(s: Session, q: Instance, doc: Uint8Array): void;
  after(s: Session, q: Instance): void;
}

function compileReplace(rec: JsonRecord, ctx: CompileCtx): Replace | undefined {
  const r = rec.replace;
  if (r === undefined) return undefined;
  if ("pattern" in r) {
    const fn = compilePattern(r.pattern, ctx.slots);
    return (s, q) => TEXT_ENCODER.encode(fn(s, q));
  }
  const a = r.actions;
  const ref = varRef(ctx.slots, a.var);
  const actions: ActionFn[] = ctx.compileActions(a.actions);
  const pattern: StringFn | undefined = a.pattern === undefined
    ? undefined
    : compilePattern(a.pattern, ctx.slots);
  const format: DataFormat = a.format;
  return (s, q, value) => {
    setVar(s, q, ref, convertData(format, value, 0, value.length));
    for (const act of actions) act(s, q);
    if (pattern !== undefined) return TEXT_ENCODER.encode(pattern(s, q));
    const v = getVar(s, q, ref);
    return v instanceof Uint8Array ? v : TEXT_ENCODER.encode(v === UNSET ? "" : varText(v));
  };
}

/** The `toArray` and `toVar` shortcuts become `array` and `store` processors. */
function shortcutRecords(rec: JsonRecord): StepRecord[] {
  const out: StepRecord[] = [];
  if (rec.toArray !== undefined) {
    out.push({
      type: "array",
      toVar: rec.toArray.var,
      maxSize: rec.toArray.maxSize,
      format: rec.format,
      silent: false,
    });
  }
  if (rec.toVar !== undefined) out.push({ type: "store", toVar: rec.toVar, format: rec.format });
  return out;
}

function compileRunner(rec: JsonRecord, ctx: CompileCtx): JsonQueryRunner {
  let selectors: JsonSelector[];
  try {
    selectors = parseJsonQuery(rec.query);
  } catch (e) {
    throw new CompileError((e as Error).message);
  }
  const processors: Processor[] = ctx.compileProcessors([
    ...rec.processors,
    ...shortcutRecords(rec),
  ]);
  const replace = compileReplace(rec, ctx);
  const unquote = rec.unquote;
  const transform = replace !== undefined || rec.delete;
  const emit = (s: Session, q: Instance, data: Uint8Array) => {
    for (const p of processors) p.process(s, q, data, 0, data.length, true);
  };
  return {
    before(s, q) {
      for (const p of processors) p.before?.(s, q);
    },
    run(s, q, doc) {
      if (!transform) {
        selectJson(doc, selectors, (m) => {
          const value = doc.subarray(m.start, m.end);
          emit(s, q, unquote ? unquoteJson(value) : value);
        });
        return;
      }
      const edits: Edit[] = [];
      selectJson(doc, selectors, (m) => {
        if (replace !== undefined) {
          const raw = doc.subarray(m.start, m.end);
          const out = replace(s, q, unquote ? unquoteJson(raw) : raw);
          // An empty replacement removes the member, as in Hyperfoil.
          if (out.length > 0) {
            edits.push({ start: m.start, end: m.end, insert: out });
            return;
          }
        }
        edits.push({ start: m.cutStart, end: m.cutEnd, insert: undefined });
      });
      emit(s, q, edits.length === 0 ? doc : applyEdits(doc, edits));
    },
    after(s, q) {
      for (const p of processors) p.after?.(s, q);
    },
  };
}

/** The `json` step: queries the JSON held in `fromVar` (a string or bytes). */
function compileJsonStep(rec: JsonRecord, ctx: CompileCtx) {
  const from = varRef(ctx.slots, rec.fromVar!);
  const runner = compileRunner(rec, ctx);
  return (s: Session, q: SequenceInstance) => {
    const v = getVar(s, q, from);
    if (v === UNSET) {
      throw new Error(`Variable '${from.name}' is not set: the json step has no input`);
    }
    const doc = typeof v === "string" ? TEXT_ENCODER.encode(v) : v;
    if (!(doc instanceof Uint8Array)) {
      throw new Error(`Variable '${from.name}' should hold JSON text, found '${varText(v)}'`);
    }
    if (doc.length === 0) return true;
    runner.before(s, q);
    runner.run(s, q, doc);
    runner.after(s, q);
    return true;
  };
}

/** The `json` processor: collects the document (a response body) and queries it when complete. */
export function compileJsonProcessor(rec: JsonRecord, ctx: CompileCtx): Processor {
  const runner = compileRunner(rec, ctx);
  const buffer = defragSlot(ctx);
  return {
    before(s, q) {
      buffer.get(s).of(q).reset();
      runner.before(s, q);
    },
    process(s, q, data, start, end, isLast) {
      const b = buffer.get(s).of(q);
      if (!b.add(data, start, end, isLast)) return;
      const doc = b.whole;
      b.reset();
      if (doc.length > 0) runner.run(s, q, doc);
    },
    after(s, q) {
      runner.after(s, q);
    },
  };
}
