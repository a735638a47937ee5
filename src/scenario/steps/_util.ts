/**
 * Helpers shared by the built-in step compilers: failing a session, integer
 * and object sources, data formats, defragmenting processor input, starting
 * sequence instances at a chosen index, and per-session state shared by name.
 */
import type { DataFormat } from "../../benchmark/steps/_common.ts";
import type { ObjectSource } from "../../benchmark/steps/collections.ts";
import type { IntSource } from "../../benchmark/sources.ts";
import type {
  ActionCompiler,
  CompileCtx,
  CompilerRegistry,
  Processor,
  ProcessorCompiler,
  ResourceSlot,
  StepCompiler,
} from "../compile.ts";
import {
  type ActionFn,
  type CompiledSequence,
  type Resource,
  type SequenceInstance,
  type Session,
  startInstance,
  type StepFn,
  stopSession,
} from "../session.ts";
import {
  getVar,
  UNSET,
  type VarRef,
  varRef,
  type VarSlots,
  varText,
  type VarValue,
} from "../vars.ts";

/** The running instance, absent when an action runs outside a sequence. */
export type Instance = SequenceInstance | undefined;

export const TEXT_DECODER: TextDecoder = new TextDecoder();
export const TEXT_ENCODER: TextEncoder = new TextEncoder();

/** Hyperfoil's `session.fail`: the phase fails with `message` and the session stops. */
export function failSession(s: Session, message: string): void {
  s.phase.fail(message, s);
  stopSession(s);
}

/** The value of a variable that must be set; throws (failing the session) when it is not. */
export function requireVar(s: Session, q: Instance, ref: VarRef): VarValue {
  const v = getVar(s, q, ref);
  if (v === UNSET) throw new Error(`Variable '${ref.name}' is not set`);
  return v;
}

/** Java's `Integer.parseInt`: the whole string (no spaces), 32-bit range. */
export function parseJavaInt(text: string): number | undefined {
  if (!/^[-+]?\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= -2147483648 && n <= 2147483647 ? n : undefined;
}

/** A variable's value as an integer: integer variables, or strings holding one. */
export function toInt(v: VarValue, name: string): number {
  if (typeof v === "number") return Math.trunc(v);
  if (typeof v === "string" || v instanceof Uint8Array) {
    const n = parseJavaInt(varText(v));
    if (n !== undefined) return n;
  }
  if (v === UNSET) throw new Error(`Variable '${name}' is not set`);
  throw new Error(`Variable '${name}' does not hold an integer: '${varText(v)}'`);
}

/** Reads an integer variable; throws when unset or not an integer. */
export function readInt(s: Session, q: Instance, ref: VarRef): number {
  return toInt(getVar(s, q, ref), ref.name);
}

export type IntFn = (s: Session, q: Instance) => number;

/** `{value}` or `{fromVar}` as a function of the session. */
export function compileIntSource(src: IntSource, slots: VarSlots): IntFn {
  if ("value" in src) {
    const v = src.value;
    return () => v;
  }
  const ref = varRef(slots, src.fromVar);
  return (s, q) => readInt(s, q, ref);
}

export type ValueFn = (s: Session, q: Instance) => VarValue;

/** `{value}` (a string) or `{fromVar}` (any value; must be set). */
export function compileObjectSource(src: ObjectSource, slots: VarSlots): ValueFn {
  if ("value" in src) {
    const v = src.value;
    return () => v;
  }
  const ref = varRef(slots, src.fromVar);
  return (s, q) => requireVar(s, q, ref);
}

/** Converts processor input as Hyperfoil's `DataFormat` does (BYTEBUF is stored as bytes). */
export function convertData(
  format: DataFormat,
  data: Uint8Array,
  start: number,
  end: number,
): string | Uint8Array {
  return format === "STRING"
    ? TEXT_DECODER.decode(data.subarray(start, end))
    : data.slice(start, end);
}

const EMPTY = new Uint8Array(0);

/** Collects the pieces of one item until its last piece arrives (Hyperfoil's DefragProcessor). */
export class Defrag implements Resource {
  /** The item completed by the last `add`, valid until the next `add` or `reset`. */
  whole: Uint8Array = EMPTY;
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  /** True when the item is complete; `whole` then holds it. */
  add(data: Uint8Array, start: number, end: number, isLast: boolean): boolean {
    if (isLast && this.chunks.length === 0) {
      this.whole = data.subarray(start, end);
      return true;
    }
    // The caller's buffer is valid only during the call: keep a copy.
    this.chunks.push(data.slice(start, end));
    this.size += end - start;
    if (!isLast) return false;
    const all = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      all.set(c, at);
      at += c.length;
    }
    this.chunks.length = 0;
    this.size = 0;
    this.whole = all;
    return true;
  }

  reset(): void {
    this.chunks.length = 0;
    this.size = 0;
    this.whole = EMPTY;
  }
}

/**
 * Defragmenting buffers of one processor in a session, one per sequence
 * instance index, so concurrent instances' responses do not mix.
 */
export class Defrags implements Resource {
  private readonly byIndex: Defrag[] = [];

  of(q: Instance): Defrag {
    return this.byIndex[q?.index ?? 0] ??= new Defrag();
  }

  reset(): void {
    for (const d of this.byIndex) d?.reset();
  }
}

export function defragSlot(ctx: CompileCtx): ResourceSlot<Defrags> {
  return ctx.resource(() => new Defrags());
}

/** Concurrency as declared in the benchmark: 0 for a plain name, N for `name[N]`. */
export function declaredConcurrency(ctx: CompileCtx, name: string): number {
  const scenario = ctx.phase.scenario === undefined
    ? undefined
    : ctx.benchmark.scenarios[ctx.phase.scenario];
  return scenario?.sequences.find((q) => q.name === name)?.concurrency ??
    (ctx.sequence(name).concurrency > 1 ? ctx.sequence(name).concurrency : 0);
}

/** Whether an instance of `seq` with `index` is running. */
export function indexInUse(s: Session, seq: CompiledSequence, index: number): boolean {
  for (let i = 0; i < s.count; i++) {
    const q = s.instances[i];
    if (q.seq === seq && q.index === index) return true;
  }
  return false;
}

/**
 * Starts an instance of `seq` with the given index (the caller checked that it
 * is free). Without `wake` the caller wakes the session once it has prepared
 * the instance's data.
 */
export function startAt(
  s: Session,
  seq: CompiledSequence,
  index: number,
  wake = true,
): SequenceInstance | undefined {
  // startInstance takes the index from an instance; a stand-in carries it.
  return startInstance(s, seq, wake, { index } as SequenceInstance);
}

const SHARED = new WeakMap<VarSlots, Map<string, ResourceSlot<Resource>>>();

/**
 * A per-session resource shared by every step of the compiled scenario that
 * asks with the same key (delay points of `scheduleDelay` and `awaitDelay`).
 */
export function sharedResource<T extends Resource>(
  ctx: CompileCtx,
  key: string,
  factory: () => T,
): ResourceSlot<T> {
  let byKey = SHARED.get(ctx.slots);
  if (byKey === undefined) {
    byKey = new Map();
    SHARED.set(ctx.slots, byKey);
  }
  let slot = byKey.get(key);
  if (slot === undefined) {
    slot = ctx.resource(factory);
    byKey.set(key, slot);
  }
  return slot as ResourceSlot<T>;
}

/** Two values equal as Hyperfoil's `Objects.equals` would see them (bytes by content). */
export function sameValue(a: VarValue, b: VarValue): boolean {
  if (a === b) return true;
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  return false;
}

/** Elements of an array variable up to the first unset one (Hyperfoil's ObjectVar[] convention). */
export function setLength(arr: readonly VarValue[]): number {
  for (let i = 0; i < arr.length; i++) if (arr[i] === UNSET) return i;
  return arr.length;
}

/** A weighted random pick: an index into `weights` (uniform when absent). */
export function weightedPicker(
  count: number,
  weights: readonly number[] | undefined,
): (random: number) => number {
  if (weights === undefined) return (r) => Math.min(count - 1, Math.floor(r * count));
  const cumulative: number[] = [];
  let total = 0;
  for (const w of weights) cumulative.push(total += w);
  return (r) => {
    const x = r * total;
    for (let i = 0; i < cumulative.length; i++) if (x < cumulative[i]) return i;
    return cumulative.length - 1;
  };
}

/** Registers typed compilers: records arrive as `StepRecord` and are cast to their interface. */
export function addStep<R>(
  reg: CompilerRegistry,
  name: string,
  compile: (rec: R, ctx: CompileCtx) => StepFn | StepFn[],
): void {
  reg.steps.set(name, compile as unknown as StepCompiler);
}

export function addAction<R>(
  reg: CompilerRegistry,
  name: string,
  compile: (rec: R, ctx: CompileCtx) => ActionFn,
): void {
  reg.actions.set(name, compile as unknown as ActionCompiler);
}

export function addProcessor<R>(
  reg: CompilerRegistry,
  name: string,
  compile: (rec: R, ctx: CompileCtx) => Processor,
): void {
  reg.processors.set(name, compile as unknown as ProcessorCompiler);
}
