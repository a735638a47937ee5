/**
 * Processors that store or pass on data (response bodies, JSON values,
 * header values): `store`, `storeInt`, `array`, `collection`, `count`,
 * `gzipInflator`, the `conditional` processor and `queue`. Every item
 * (one or more pieces, the last flagged `isLast`) is defragmented first where
 * Hyperfoil's processor needs the whole item. Semantics follow Hyperfoil's
 * StoreProcessor, StoreIntProcessor, ArrayRecorder, CollectionRecorder,
 * CountRecorder, GzipInflatorProcessor, ConditionalProcessor and QueueProcessor.
 */
import { gunzipSync } from "node:zlib";
import type {
  ArrayRecord,
  CollectionRecord,
  ConditionalProcessorRecord,
  CountRecord,
  GzipInflatorRecord,
  QueueRecord,
  StoreIntRecord,
  StoreRecord,
} from "../../benchmark/steps/processors.ts";
import {
  type CompileCtx,
  CompileError,
  type CompilerRegistry,
  type Processor,
} from "../compile.ts";
import {
  type Resource,
  type SequenceInstance,
  type Session,
  type StepFn,
  wakeSession,
} from "../session.ts";
import { getVar, setVar, UNSET, unsetVar, varRef, varText, type VarValue } from "../vars.ts";
import {
  addProcessor,
  convertData,
  declaredConcurrency,
  defragSlot,
  type Instance,
  TEXT_DECODER,
} from "./_util.ts";
import { compileCondition } from "./conditions.ts";
import { startSequence } from "./control_flow.ts";

export function registerDataProcessors(reg: CompilerRegistry): void {
  addProcessor(reg, "store", compileStore);
  addProcessor(reg, "storeInt", compileStoreInt);
  addProcessor(reg, "array", compileArray);
  addProcessor(reg, "collection", compileCollection);
  addProcessor(reg, "count", compileCount);
  addProcessor(reg, "gzipInflator", compileGzipInflator);
  addProcessor(reg, "conditional", compileConditionalProcessor);
  addProcessor(reg, "queue", compileQueue);
}

/** A processor that acts on whole items only. */
function whole(
  ctx: CompileCtx,
  onItem: (s: Session, q: Instance, data: Uint8Array) => void,
  before?: (s: Session, q: Instance) => void,
  after?: (s: Session, q: Instance) => void,
): Processor {
  const buffer = defragSlot(ctx);
  return {
    before(s, q) {
      buffer.get(s).of(q).reset();
      before?.(s, q);
    },
    process(s, q, data, start, end, isLast) {
      const b = buffer.get(s).of(q);
      if (b.add(data, start, end, isLast)) onItem(s, q, b.whole);
    },
    after,
  };
}

/** Stores the first item; later ones are ignored with a warning (unset again by `before`). */
function compileStore(rec: StoreRecord, ctx: CompileCtx): Processor {
  const ref = varRef(ctx.slots, rec.toVar);
  const format = rec.format;
  return whole(
    ctx,
    (s, q, data) => {
      if (getVar(s, q, ref) !== UNSET) {
        s.phase.executor.log("warn", `Variable '${ref.name}' was already set, not setting again`);
      } else {
        setVar(s, q, ref, convertData(format, data, 0, data.length));
      }
    },
    (s, q) => unsetVar(s, q, ref),
  );
}

function compileStoreInt(rec: StoreIntRecord, ctx: CompileCtx): Processor {
  const ref = varRef(ctx.slots, rec.toVar);
  const override = rec.override;
  return whole(ctx, (s, q, data) => {
    const ex = s.phase.executor;
    if (getVar(s, q, ref) !== UNSET && !override) {
      ex.log("warn", `Session ${s.id}: variable '${ref.name}' was already set, not setting again`);
      return;
    }
    const text = TEXT_DECODER.decode(data).trim();
    // Hyperfoil parses a long and casts it to int (wrapping).
    const n = /^[-+]?\d{1,18}$/.test(text) ? Number(text) | 0 : undefined;
    if (n === undefined) {
      ex.log(
        "warn",
        `Session ${s.id}: not storing '${text}' in '${ref.name}': it is not an integer`,
      );
    } else {
      setVar(s, q, ref, n);
    }
  });
}

/** Fills the first unset element of `toVar[maxSize]`; `before` clears the array. */
function compileArray(rec: ArrayRecord, ctx: CompileCtx): Processor {
  const ref = varRef(ctx.slots, rec.toVar);
  const { maxSize, format, silent } = rec;
  const arrayOf = (s: Session, q: Instance): VarValue[] => {
    const v = getVar(s, q, ref);
    if (Array.isArray(v) && v.length === maxSize) return v;
    const fresh: VarValue[] = new Array(maxSize).fill(UNSET);
    setVar(s, q, ref, fresh);
    return fresh;
  };
  return whole(
    ctx,
    (s, q, data) => {
      const arr = arrayOf(s, q);
      const value = convertData(format, data, 0, data.length);
      const i = arr.indexOf(UNSET);
      if (i >= 0) arr[i] = value;
      else if (!silent) {
        s.phase.executor.log(
          "warn",
          `Exceeded the maximum size of the array '${ref.name}' (${maxSize}), dropping '${
            varText(value)
          }'`,
        );
      }
    },
    (s, q) => arrayOf(s, q).fill(UNSET),
  );
}

/** Appends every item to a growing list. */
function compileCollection(rec: CollectionRecord, ctx: CompileCtx): Processor {
  const ref = varRef(ctx.slots, rec.toVar);
  const format = rec.format;
  return whole(ctx, (s, q, data) => {
    let list = getVar(s, q, ref);
    if (!Array.isArray(list)) {
      list = [];
      setVar(s, q, ref, list);
    }
    (list as VarValue[]).push(convertData(format, data, 0, data.length));
  });
}

function compileCount(rec: CountRecord, ctx: CompileCtx): Processor {
  const ref = varRef(ctx.slots, rec.toVar);
  return {
    before: (s, q) => setVar(s, q, ref, 0),
    process(s, q, _d, _s, _e, isLast) {
      if (!isLast) return;
      const v = getVar(s, q, ref);
      setVar(s, q, ref, (typeof v === "number" ? v : 0) + 1);
    },
  };
}

type GzipState = "unknown" | "plain" | "gzip";

class Inflation implements Resource {
  state: GzipState = "unknown";
  readonly chunks: Uint8Array[] = [];
  reset(): void {
    this.state = "unknown";
    this.chunks.length = 0;
  }
}

/**
 * Inflates gzip data when `encodingVar` holds `gzip` (without the variable,
 * when the data starts with the gzip magic bytes); other data passes through.
 */
function compileGzipInflator(rec: GzipInflatorRecord, ctx: CompileCtx): Processor {
  const encoding = rec.encodingVar === undefined ? undefined : varRef(ctx.slots, rec.encodingVar);
  const processors = ctx.compileProcessors(rec.processors);
  const state = ctx.resource(() => new Inflation());
  const decide = (s: Session, q: Instance, data: Uint8Array, start: number): GzipState => {
    if (encoding === undefined) {
      return data[start] === 0x1f && data[start + 1] === 0x8b ? "gzip" : "plain";
    }
    const v = getVar(s, q, encoding);
    return v !== UNSET && varText(v).trim().toLowerCase() === "gzip" ? "gzip" : "plain";
  };
  return {
    before(s, q) {
      state.get(s).reset();
      for (const p of processors) p.before?.(s, q);
    },
    process(s, q, data, start, end, isLast) {
      const st = state.get(s);
      if (st.state === "unknown") st.state = decide(s, q, data, start);
      if (st.state === "plain") {
        for (const p of processors) p.process(s, q, data, start, end, isLast);
        if (isLast) st.state = "unknown";
        return;
      }
      st.chunks.push(data.slice(start, end));
      if (!isLast) return;
      const compressed = st.chunks.length === 1 ? st.chunks[0] : concat(st.chunks);
      st.reset();
      let inflated: Uint8Array;
      try {
        inflated = new Uint8Array(gunzipSync(compressed));
      } catch (e) {
        s.phase.executor.log(
          "error",
          `Session ${s.id}: failed to decompress gzipped data: ${(e as Error).message}`,
        );
        return;
      }
      for (const p of processors) p.process(s, q, inflated, 0, inflated.length, true);
    },
    after(s, q) {
      for (const p of processors) p.after?.(s, q);
    },
  };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Passes data on (and runs `actions` on each item's last piece) while the condition holds. */
function compileConditionalProcessor(rec: ConditionalProcessorRecord, ctx: CompileCtx): Processor {
  const condition = compileCondition(rec.condition, ctx.slots);
  const processors = ctx.compileProcessors(rec.processors);
  const actions = ctx.compileActions(rec.actions);
  return {
    before(s, q) {
      if (condition(s, q)) { for (const p of processors) p.before?.(s, q); }
    },
    process(s, q, data, start, end, isLast) {
      if (!condition(s, q)) return;
      for (const p of processors) p.process(s, q, data, start, end, isLast);
      if (isLast) { for (const a of actions) a(s, q); }
    },
    after(s, q) {
      if (condition(s, q)) { for (const p of processors) p.after?.(s, q); }
    },
  };
}

/** Items waiting for a consumer, the consumers running, and the owner's completion. */
class Queue implements Resource {
  readonly items: VarValue[] = [];
  head = 0;
  active = 0;
  producerComplete = false;
  /** Instances started by this queue (a `newSequence` of the same sequence is not one). */
  readonly consumers = new Set<SequenceInstance>();
  reset(): void {
    this.items.length = 0;
    this.head = 0;
    this.active = 0;
    this.producerComplete = false;
    this.consumers.clear();
  }
}

/**
 * Each item starts an instance of `sequence` (at most `concurrency` at once)
 * with the item in `var[index]`; a finishing consumer takes the next item and
 * restarts. When the producer is done and the last consumer finishes, the
 * queue runs `onCompletion`. Hyperfoil copies the sequence and appends the
 * "consumed" step; here that step is appended to the sequence itself and
 * does nothing for instances the queue did not start.
 */
function compileQueue(rec: QueueRecord, ctx: CompileCtx): Processor {
  const ref = varRef(ctx.slots, rec.var);
  const target = ctx.sequence(rec.sequence);
  const declared = declaredConcurrency(ctx, rec.sequence);
  const concurrency = rec.concurrency ?? target.concurrency;
  if (concurrency > target.concurrency) {
    throw new CompileError(
      `The queue '${rec.var}' runs ${concurrency} consumers but sequence '${rec.sequence}' allows ${target.concurrency}: declare it as '${rec.sequence}[${concurrency}]'`,
    );
  }
  const maxSize = rec.maxSize;
  const format = rec.format;
  const onCompletion = ctx.compileActions(rec.onCompletion);
  const queues = ctx.resource(() => new Queue());
  const output = (s: Session, q: Instance): VarValue[] => {
    const v = getVar(s, q, ref);
    if (Array.isArray(v)) return v;
    const fresh: VarValue[] = new Array(concurrency).fill(UNSET);
    setVar(s, q, ref, fresh);
    return fresh;
  };
  const complete = (s: Session, q: Instance, queue: Queue) => {
    queue.reset();
    for (const a of onCompletion) a(s, q);
  };
  const consumed: StepFn = (s, q) => {
    const queue = queues.get(s);
    if (!queue.consumers.has(q)) return true;
    if (queue.head < queue.items.length) {
      output(s, q)[q.index] = queue.items[queue.head];
      queue.items[queue.head++] = UNSET;
      q.step = 0;
      q.jumped = true;
      return true;
    }
    queue.consumers.delete(q);
    queue.active--;
    if (queue.producerComplete && queue.active === 0) complete(s, q, queue);
    return true;
  };
  let appended = false;
  const push = (s: Session, q: Instance, value: VarValue) => {
    if (!appended) {
      // All sequences are compiled by the time data flows.
      target.steps.push(consumed);
      appended = true;
    }
    const queue = queues.get(s);
    if (queue.items.length - queue.head >= maxSize) {
      s.phase.executor.log(
        "error",
        `Session ${s.id}: exceeded the maximum size of queue '${ref.name}' (${maxSize}), dropping '${
          varText(value)
        }'`,
      );
    } else {
      queue.items.push(value);
    }
    if (queue.active >= concurrency || queue.head >= queue.items.length) return;
    // The consumer must find its item when it first runs: wake the session after storing it.
    const started = startSequence(s, q, target, declared, false, "FAIL", false);
    if (started === undefined) return;
    output(s, q)[started.index] = queue.items[queue.head];
    queue.items[queue.head++] = UNSET;
    queue.active++;
    queue.consumers.add(started);
    wakeSession(s);
  };
  return whole(
    ctx,
    (s, q, data) => push(s, q, convertData(format, data, 0, data.length)),
    (s, q) => {
      queues.get(s).reset();
      output(s, q).fill(UNSET);
    },
    (s, q) => {
      const queue = queues.get(s);
      queue.producerComplete = true;
      if (queue.active === 0) complete(s, q, queue);
    },
  );
}
