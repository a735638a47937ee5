/**
 * Waiting and time: think times and delay points (`thinkTime`,
 * `scheduleDelay`, `awaitDelay`), waiting for variables and responses,
 * `stopwatch` and `timestamp`. Semantics follow Hyperfoil's
 * ScheduleDelayStep, AwaitDelayStep, AwaitIntStep, AwaitVarStep,
 * AwaitAllResponsesStep, Stopwatch{Begin,End}Step and TimestampStep.
 */
import type { StepRecord } from "../../benchmark/model.ts";
import type {
  AwaitDelayRecord,
  AwaitIntRecord,
  AwaitVarRecord,
  DelayTiming,
  ScheduleDelayRecord,
  StopwatchRecord,
  ThinkTimeRecord,
  TimestampRecord,
} from "../../benchmark/steps/timing.ts";
import type { Statistics } from "../../stats/recorder.ts";
import {
  type CompileCtx,
  CompileError,
  type CompilerRegistry,
  type ResourceSlot,
} from "../compile.ts";
import type { Resource, SequenceInstance, Session } from "../session.ts";
import { getVar, setVar, UNSET, varRef } from "../vars.ts";
import { addStep, readInt, sharedResource } from "./_util.ts";
import { compileDateFormat, localeForCountry } from "./_date_format.ts";
import { compileIntPredicate } from "./conditions.ts";

export function registerTiming(reg: CompilerRegistry): void {
  addStep(reg, "thinkTime", compileThinkTime);
  addStep(reg, "scheduleDelay", compileScheduleDelay);
  addStep(reg, "awaitDelay", compileAwaitDelay);
  addStep(reg, "awaitInt", compileAwaitInt);
  addStep(reg, "awaitVar", compileAwaitVar);
  addStep(reg, "awaitAllResponses", () => awaitAllResponses);
  addStep(reg, "stopwatch", compileStopwatch);
  addStep(reg, "timestamp", compileTimestamp);
}

/**
 * Points in time by instance index. They outlive session restarts, as
 * Hyperfoil's do, so `fromLast` keeps its pace across iterations of a user.
 */
class DelayPoints implements Resource {
  /** ns; absent until first scheduled. */
  readonly at: number[] = [];
  /** The session generation a wake-up was requested for. */
  readonly woken: number[] = [];
  reset(): void {}
}

/** The delay in ms for one invocation: constant, uniform in [min, max], or exponential. */
function delayMs(t: DelayTiming): (random: () => number) => number {
  const duration = t.duration ?? 0;
  switch (t.random) {
    case "CONSTANT":
      return () => duration;
    case "LINEAR": {
      const min = t.min ?? 0, max = t.max ?? 0;
      return (random) => min + random() * (max - min);
    }
    case "NEGATIVE_EXPONENTIAL": {
      const min = t.min ?? 0, max = t.max ?? Number.POSITIVE_INFINITY;
      return (random) => {
        const d = duration * -Math.log(Math.max(random(), 1e-20));
        return Math.max(Math.min(d, max), min);
      };
    }
  }
}

/** A delay point key: `name` or `name[.]` (one point per sequence instance). */
function parseKey(key: string): { name: string; bySequence: boolean } {
  const m = /^\s*(.*?)\s*\[\s*\.\s*\]\s*$/.exec(key);
  return m ? { name: m[1], bySequence: true } : { name: key.trim(), bySequence: false };
}

function scheduleStep(points: ResourceSlot<DelayPoints>, bySequence: boolean, t: DelayTiming) {
  const delay = delayMs(t);
  const fromLast = t.reference === "FROM_LAST";
  return (s: Session, q: SequenceInstance) => {
    const ex = s.phase.executor;
    const p = points.get(s);
    const i = bySequence ? q.index : 0;
    const now = ex.nowNs();
    const last = p.at[i];
    const base = fromLast && last !== undefined ? last : now;
    const at = base + delay(ex.random) * 1e6;
    p.at[i] = at;
    if (at > now) {
      p.woken[i] = s.generation;
      ex.wakeAt(s, at);
    }
    return true;
  };
}

/** A wake-up this close to the deadline came from a timer that fired early. */
const EARLY_WAKE_NS = 2e6;

function awaitStep(points: ResourceSlot<DelayPoints>, bySequence: boolean, key: string) {
  return (s: Session, q: SequenceInstance) => {
    const ex = s.phase.executor;
    const p = points.get(s);
    const i = bySequence ? q.index : 0;
    const at = p.at[i];
    if (at === undefined) {
      throw new Error(`No delay point '${key}' was scheduled: add a 'scheduleDelay' step first`);
    }
    const now = ex.nowNs();
    if (now >= at) return true;
    // A point scheduled in a previous life of the session has no wake-up pending;
    // a timer that fired a little early (ms rounding) left none either.
    if (p.woken[i] !== s.generation || at - now < EARLY_WAKE_NS) {
      p.woken[i] = s.generation;
      ex.wakeAt(s, at);
    }
    return false;
  };
}

function compileThinkTime(rec: ThinkTimeRecord, ctx: CompileCtx) {
  const named = rec.key === undefined ? undefined : parseKey(rec.key);
  const points = named === undefined
    ? ctx.resource(() => new DelayPoints())
    : sharedResource(ctx, `delay:${named.name}`, () => new DelayPoints());
  // An anonymous think time is per instance, so concurrent instances wait independently.
  const bySequence = named?.bySequence ?? true;
  return [
    scheduleStep(points, bySequence, rec),
    awaitStep(points, bySequence, rec.key ?? "thinkTime"),
  ];
}

function compileScheduleDelay(rec: ScheduleDelayRecord, ctx: CompileCtx) {
  const key = parseKey(rec.key);
  const points = sharedResource(ctx, `delay:${key.name}`, () => new DelayPoints());
  return scheduleStep(points, key.bySequence, rec);
}

function compileAwaitDelay(rec: AwaitDelayRecord, ctx: CompileCtx) {
  const key = parseKey(rec.key);
  const points = sharedResource(ctx, `delay:${key.name}`, () => new DelayPoints());
  return awaitStep(points, key.bySequence, rec.key);
}

function compileAwaitInt(rec: AwaitIntRecord, ctx: CompileCtx) {
  const ref = varRef(ctx.slots, rec.var);
  const predicate = compileIntPredicate(rec, ctx.slots);
  return (s: Session, q: SequenceInstance) => {
    if (getVar(s, q, ref) === UNSET) return false;
    return predicate === undefined || predicate(s, q, readInt(s, q, ref));
  };
}

function compileAwaitVar(rec: AwaitVarRecord, ctx: CompileCtx) {
  const ref = varRef(ctx.slots, rec.var);
  const wantSet = !rec.unset;
  return (s: Session, q: SequenceInstance) => (getVar(s, q, ref) !== UNSET) === wantSet;
}

function awaitAllResponses(s: Session): boolean {
  return s.inFlight <= 0;
}

/** Start times by instance index; NaN when not running. */
class StartTimes implements Resource {
  readonly ns: number[] = [];
  reset(): void {
    this.ns.length = 0;
  }
}

/**
 * `[begin, ...steps, end]`: the end records one request and its response
 * time under the sequence's name as metric (Hyperfoil's StopwatchEndStep).
 * The begin keeps an earlier start, so jumping back into the nested steps
 * (a loop) measures the whole run.
 */
function compileStopwatch(rec: StopwatchRecord, ctx: CompileCtx) {
  const starts = ctx.resource(() => new StartTimes());
  const stepId = ctx.newStepId(rec as unknown as StepRecord);
  const phaseId = ctx.phase.id;
  const metric = ctx.sequenceName;
  const body = ctx.compileSteps(rec.steps);
  let stats: Statistics | undefined;
  const begin = (s: Session, q: SequenceInstance) => {
    const t = starts.get(s).ns;
    if (!(t[q.index] >= 0)) t[q.index] = s.phase.executor.nowNs();
    return true;
  };
  const end = (s: Session, q: SequenceInstance) => {
    const ex = s.phase.executor;
    const t = starts.get(s).ns;
    const start = t[q.index];
    t[q.index] = NaN;
    // Reached without passing the begin (a jump into the nested steps): nothing to record.
    if (!(start >= 0)) return true;
    // Statistics of one compiled scenario come from one executor: fetch once.
    stats ??= ex.statistics(phaseId, stepId, metric);
    stats.recordRequest(start);
    stats.recordResponse(start, ex.nowNs());
    return true;
  };
  return [begin, ...body, end];
}

function compileTimestamp(rec: TimestampRecord, ctx: CompileCtx) {
  const ref = varRef(ctx.slots, rec.toVar);
  if (rec.pattern === undefined) {
    return (s: Session, q: SequenceInstance) => {
      setVar(s, q, ref, String(Date.now()));
      return true;
    };
  }
  let format;
  try {
    format = compileDateFormat(rec.pattern, localeForCountry(rec.localeCountry));
  } catch (e) {
    throw new CompileError(`timestamp: ${(e as Error).message}`);
  }
  return (s: Session, q: SequenceInstance) => {
    setVar(s, q, ref, format(new Date()));
    return true;
  };
}
