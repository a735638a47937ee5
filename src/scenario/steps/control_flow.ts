/**
 * Control flow: loops (flattened with jumps), starting sequences (`foreach`,
 * `newSequence`, `nextSequence`), restarting, breaking and stopping, and the
 * `conditional`, `fail` and `noop` steps. Semantics follow Hyperfoil's
 * LoopStep, ForeachStep, NewSequenceAction, SessionImpl.startSequence,
 * NextSequenceStep, RestartSequence*, BreakSequenceStep, BreakIfFinishedStep,
 * StopStep and FailAction.
 */
import type {
  BreakSequenceRecord,
  ConcurrencyPolicy,
  ConditionalRecord,
  FailRecord,
  ForeachRecord,
  LoopRecord,
  NewSequenceRecord,
  NextSequenceRecord,
} from "../../benchmark/steps/control_flow.ts";
import { type CompileCtx, CompileError, type CompilerRegistry } from "../compile.ts";
import {
  type CompiledSequence,
  endCurrentInstance,
  type Resource,
  type SequenceInstance,
  type Session,
  stopSession,
} from "../session.ts";
import { getVar, setVar, UNSET, type VarRef, varRef } from "../vars.ts";
import {
  addAction,
  addStep,
  declaredConcurrency,
  failSession,
  indexInUse,
  type Instance,
  readInt,
  setLength,
  startAt,
} from "./_util.ts";
import { compileCondition } from "./conditions.ts";

export function registerControlFlow(reg: CompilerRegistry): void {
  addStep(reg, "loop", compileLoop);
  addStep(reg, "foreach", compileForeach);
  addAction(reg, "newSequence", compileNewSequence);
  addStep(reg, "nextSequence", compileNextSequence);
  addStep(reg, "restartSequence", () => restartNow);
  addAction(reg, "restartSequence", compileRestartAction);
  addStep(reg, "breakSequence", compileBreakSequence);
  addStep(reg, "breakIfFinished", () => breakIfFinished);
  addStep(reg, "stop", () => stop);
  addAction(reg, "conditional", compileConditional);
  addAction(reg, "fail", compileFail);
  addStep(reg, "noop", () => () => true);
}

/**
 * `[init counter, ...steps, count and jump back]`. Hyperfoil restarts the whole
 * sequence (the loop must come first); jumping to the loop's first step is the
 * same there and also works anywhere else.
 */
function compileLoop(rec: LoopRecord, ctx: CompileCtx) {
  const counter = varRef(ctx.slots, rec.counterVar);
  if (declaredConcurrency(ctx, ctx.sequenceName) > 0 && !counter.bySequence) {
    throw new CompileError(
      `In the concurrent sequence '${ctx.sequenceName}' the loop counter must be sequence-scoped: use '${counter.name}[.]'`,
    );
  }
  const body = ctx.compileSteps(rec.steps);
  const repeats = rec.repeats;
  const init = (s: Session, q: SequenceInstance) => {
    // Only if not set: a counter set before the loop starts it later, as in Hyperfoil.
    if (getVar(s, q, counter) === UNSET) setVar(s, q, counter, 0);
    return true;
  };
  const next = (s: Session, q: SequenceInstance) => {
    const value = readInt(s, q, counter) + 1;
    setVar(s, q, counter, value);
    if (value < repeats) {
      q.step -= body.length;
      q.jumped = true;
    }
    return true;
  };
  return [init, ...body, next];
}

/** Variables that must be set before a step may proceed (Hyperfoil's DependencyStep). */
function dependencies(ctx: CompileCtx, names: (string | undefined)[]): VarRef[] {
  const out: VarRef[] = [];
  for (const n of names) {
    if (n !== undefined && !out.some((r) => r.name === n)) out.push(varRef(ctx.slots, n));
  }
  return out;
}

function allSet(s: Session, q: Instance, deps: VarRef[]): boolean {
  for (const d of deps) if (getVar(s, q, d) === UNSET) return false;
  return true;
}

/**
 * One instance of `sequence` per set element of the array in `fromVar`; the
 * i-th instance gets index i, so it reads its element as `var[.]`. Blocks
 * (changing nothing) until all of them can start at once.
 */
function compileForeach(rec: ForeachRecord, ctx: CompileCtx) {
  const from = varRef(ctx.slots, rec.fromVar);
  const deps = dependencies(ctx, [rec.fromVar, rec.dependency]);
  const counter = rec.counterVar === undefined ? undefined : varRef(ctx.slots, rec.counterVar);
  const target = ctx.sequence(rec.sequence);
  return (s: Session, q: SequenceInstance) => {
    if (!allSet(s, q, deps)) return false;
    const value = getVar(s, q, from);
    if (!Array.isArray(value)) {
      throw new Error(`Variable '${from.name}' does not hold an array: foreach needs one`);
    }
    const n = setLength(value);
    if (n > target.concurrency || n > s.instances.length) {
      const limit = Math.min(target.concurrency, s.instances.length);
      throw new Error(
        `foreach would start ${n} instances of '${target.name}' but at most ${limit} can run (declare '${target.name}[${n}]' and raise maxSequences)`,
      );
    }
    if (s.count + n > s.instances.length) return false;
    for (let i = 0; i < n; i++) if (indexInUse(s, target, i)) return false;
    for (let i = 0; i < n; i++) startAt(s, target, i);
    if (counter !== undefined) setVar(s, q, counter, n);
    return true;
  };
}

/**
 * Starts `target` as Hyperfoil's SessionImpl.startSequence does: the started
 * instance, or undefined (after failing the session or logging, by `policy`).
 * Without `wake` the caller wakes the session once the instance's data is ready.
 */
export function startSequence(
  s: Session,
  q: Instance,
  target: CompiledSequence,
  declared: number,
  forceSameIndex: boolean,
  policy: ConcurrencyPolicy,
  wake = true,
): SequenceInstance | undefined {
  const ex = s.phase.executor;
  let index = 0;
  if (forceSameIndex) {
    if (q === undefined) {
      failSession(
        s,
        `Cannot start sequence '${target.name}' with forceSameIndex outside a sequence`,
      );
      return undefined;
    }
    index = q.index;
  }
  for (;;) {
    if (declared === 0 && index >= 1) {
      failSession(s, `Cannot start sequence '${target.name}' as it is not concurrent`);
      return undefined;
    }
    if (declared > 0 && index >= declared) {
      const message =
        `Cannot start sequence '${target.name}': exceeded its maximum concurrency (${declared})`;
      if (policy === "WARN") ex.log("warn", message);
      else failSession(s, message);
      return undefined;
    }
    if (!indexInUse(s, target, index)) break;
    if (forceSameIndex) {
      const message =
        `Cannot start sequence '${target.name}' with index ${index}: it is already running`;
      if (policy !== "WARN") {
        failSession(s, message);
        return undefined;
      }
      ex.log("warn", message);
    }
    index++;
  }
  const started = startAt(s, target, index, wake);
  if (started === undefined) {
    failSession(
      s,
      `Cannot start sequence '${target.name}': maxSequences (${s.instances.length}) instances are running`,
    );
  }
  return started;
}

function compileNewSequence(rec: NewSequenceRecord, ctx: CompileCtx) {
  const target = ctx.sequence(rec.sequence);
  const declared = declaredConcurrency(ctx, rec.sequence);
  const own = declaredConcurrency(ctx, ctx.sequenceName);
  const mismatch = rec.forceSameIndex && declared !== own
    ? `Sequence '${rec.sequence}' does not have the same concurrency (${declared}) as the spawning sequence '${ctx.sequenceName}' (${own}), required by forceSameIndex`
    : undefined;
  return (s: Session, q: Instance) => {
    if (mismatch !== undefined) failSession(s, mismatch);
    else startSequence(s, q, target, declared, rec.forceSameIndex, rec.concurrencyPolicy);
  };
}

/** Appended by ordered sequences: start the next one (or restart when it names itself last). */
function compileNextSequence(rec: NextSequenceRecord, ctx: CompileCtx) {
  const target = ctx.sequence(rec.sequence);
  const declared = declaredConcurrency(ctx, rec.sequence);
  return (s: Session, q: SequenceInstance) => {
    if (q.seq === target && q.step === q.seq.steps.length - 1) return restartNow(s, q);
    startSequence(s, q, target, declared, false, "FAIL");
    return true;
  };
}

function restartNow(_s: Session, q: SequenceInstance): boolean {
  q.step = 0;
  q.jumped = true;
  return true;
}

/** Instances whose restart an action requested; the inserted step acts on it. */
class RestartTriggers implements Resource {
  readonly pending = new Set<SequenceInstance | undefined>();
  reset(): void {
    this.pending.clear();
  }
}

/**
 * The action only schedules the restart: a step placed right after the step
 * that holds the action performs it, as in Hyperfoil (so a request completes
 * before its sequence restarts).
 */
function compileRestartAction(_rec: unknown, ctx: CompileCtx) {
  const triggers = ctx.resource(() => new RestartTriggers());
  ctx.insertAfterStep((s, q) => {
    const pending = triggers.get(s).pending;
    // An action run outside any sequence (undefined) restarts whichever instance gets here first.
    if (pending.delete(q) || pending.delete(undefined)) return restartNow(s, q);
    return true;
  });
  return (s: Session, q: Instance) => {
    triggers.get(s).pending.add(q);
  };
}

function compileBreakSequence(rec: BreakSequenceRecord, ctx: CompileCtx) {
  const deps = dependencies(ctx, [rec.dependency]);
  const condition = compileCondition(rec.condition, ctx.slots);
  if (rec.onBreak.some((a) => a.type === "restartSequence")) {
    throw new CompileError(
      "'restartSequence' does not work in 'onBreak' (the sequence ends first): use 'conditional' instead",
    );
  }
  const onBreak = ctx.compileActions(rec.onBreak);
  return (s: Session, q: SequenceInstance) => {
    if (!allSet(s, q, deps)) return false;
    if (condition(s, q)) {
      for (const a of onBreak) a(s, q);
      endCurrentInstance(q);
    }
    return true;
  };
}

function breakIfFinished(s: Session, q: SequenceInstance): boolean {
  if (s.phase.finished || s.phase.terminated) endCurrentInstance(q);
  return true;
}

function stop(s: Session): boolean {
  stopSession(s);
  return true;
}

function compileConditional(rec: ConditionalRecord, ctx: CompileCtx) {
  const condition = compileCondition(rec.condition, ctx.slots);
  const actions = ctx.compileActions(rec.actions);
  return (s: Session, q: Instance) => {
    if (!condition(s, q)) return;
    for (const a of actions) a(s, q);
  };
}

function compileFail(rec: FailRecord, ctx: CompileCtx) {
  const condition = rec.condition === undefined
    ? undefined
    : compileCondition(rec.condition, ctx.slots);
  const message = rec.message === undefined
    ? "Terminating benchmark."
    : `Terminating benchmark: ${rec.message}`;
  return (s: Session, q: Instance) => {
    if (condition === undefined || condition(s, q)) failSession(s, message);
  };
}
