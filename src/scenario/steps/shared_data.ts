/**
 * Data shared beyond one session: counters and maps per executor thread,
 * write-once data per agent, and counters merged by the controller.
 * Semantics follow Hyperfoil's steps/data/* and ThreadDataImpl/AgentDataImpl.
 */
import type {
  AddToSharedCounterRecord,
  GetSharedCounterRecord,
  PublishAgentDataRecord,
  PublishGlobalCountersRecord,
  PullSharedMapRecord,
  PushSharedMapRecord,
  ReadAgentDataRecord,
  SetSharedCounterRecord,
} from "../../benchmark/steps/shared_data.ts";
import type { CompileCtx, CompilerRegistry } from "../compile.ts";
import type { SequenceInstance, Session } from "../session.ts";
import { getVar, setVar, UNSET, unsetVar, varRef, varText, type VarValue } from "../vars.ts";
import {
  addAction,
  addStep,
  compileIntSource,
  failSession,
  type Instance,
  type IntFn,
  sameValue,
} from "./_util.ts";

export function registerSharedData(reg: CompilerRegistry): void {
  addAction(reg, "addToSharedCounter", compileAddToSharedCounter);
  addAction(reg, "getSharedCounter", compileGetSharedCounter);
  addAction(reg, "setSharedCounter", compileSetSharedCounter);
  addStep(reg, "pullSharedMap", compilePullSharedMap);
  addStep(reg, "pushSharedMap", compilePushSharedMap);
  addAction(reg, "publishAgentData", compilePublishAgentData);
  // As a step it waits for the data (another thread may publish it a moment later);
  // as an action it cannot wait and fails when the data is missing, as in Hyperfoil.
  addStep(reg, "readAgentData", compileReadAgentDataStep);
  addAction(reg, "readAgentData", compileReadAgentDataAction);
  addAction(reg, "publishGlobalCounters", compilePublishGlobalCounters);
}

function counterInput(rec: { value?: number; fromVar?: string }, ctx: CompileCtx): IntFn {
  return compileIntSource(
    rec.fromVar !== undefined ? { fromVar: rec.fromVar } : { value: rec.value ?? 0 },
    ctx.slots,
  );
}

function compileAddToSharedCounter(rec: AddToSharedCounterRecord, ctx: CompileCtx) {
  const input = counterInput(rec, ctx);
  const sign = rec.operator === "SUBTRACT" ? -1 : 1;
  const key = rec.key;
  return (s: Session, q: Instance) => {
    const counters = s.phase.executor.sharedCounters;
    counters.set(key, (counters.get(key) ?? 0) + sign * input(s, q));
  };
}

function compileGetSharedCounter(rec: GetSharedCounterRecord, ctx: CompileCtx) {
  const to = varRef(ctx.slots, rec.toVar);
  const key = rec.key;
  return (s: Session, q: Instance) => {
    const ex = s.phase.executor;
    const value = ex.sharedCounters.get(key) ?? 0;
    const capped = Math.max(-2147483648, Math.min(2147483647, value));
    if (capped !== value) {
      ex.log(
        "warn",
        `Shared counter '${key}' (${value}) exceeds the integer range; capping to ${capped}`,
      );
    }
    setVar(s, q, to, capped);
  };
}

function compileSetSharedCounter(rec: SetSharedCounterRecord, ctx: CompileCtx) {
  const input = counterInput(rec, ctx);
  const key = rec.key;
  return (s: Session, q: Instance) => {
    s.phase.executor.sharedCounters.set(key, input(s, q));
  };
}

/** Array variables are published as plain copies up to their last set element. */
function unwrap(v: VarValue): VarValue {
  if (!Array.isArray(v)) return v;
  let n = v.length;
  while (n > 0 && v[n - 1] === UNSET) n--;
  return v.slice(0, n);
}

/** A session gets its own copy of a shared array, so it may modify it. */
function ownCopy(v: VarValue): VarValue {
  return Array.isArray(v) ? v.slice() : v;
}

/** Takes a random entry (matching `match`) off the thread's map into `vars`; nothing when none. */
function compilePullSharedMap(rec: PullSharedMapRecord, ctx: CompileCtx) {
  const refs = rec.vars.map((v) => varRef(ctx.slots, v));
  const match = rec.match === undefined ? undefined : varRef(ctx.slots, rec.match);
  const key = rec.key;
  return (s: Session, q: SequenceInstance) => {
    const ex = s.phase.executor;
    const entries = ex.sharedMaps.get(key);
    if (entries === undefined || entries.length === 0) return true;
    let pos: number;
    if (match === undefined) {
      pos = Math.floor(ex.random() * entries.length);
    } else {
      const wanted = getVar(s, q, match);
      const candidates: number[] = [];
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i];
        if (Object.hasOwn(e, match.name) && sameValue(e[match.name], wanted)) candidates.push(i);
      }
      if (candidates.length === 0) return true;
      pos = candidates[Math.floor(ex.random() * candidates.length)];
    }
    const entry = entries[pos];
    entries[pos] = entries[entries.length - 1];
    entries.pop();
    for (const r of refs) {
      // A variable the pushing session did not have set stays unset here.
      if (Object.hasOwn(entry, r.name)) setVar(s, q, r, ownCopy(entry[r.name]));
      else unsetVar(s, q, r);
    }
    return true;
  };
}

function compilePushSharedMap(rec: PushSharedMapRecord, ctx: CompileCtx) {
  const refs = rec.vars.map((v) => varRef(ctx.slots, v));
  const key = rec.key;
  return (s: Session, q: SequenceInstance) => {
    const maps = s.phase.executor.sharedMaps;
    const entry: Record<string, VarValue> = {};
    for (const r of refs) {
      const v = getVar(s, q, r);
      if (v !== UNSET) entry[r.name] = unwrap(v);
    }
    let entries = maps.get(key);
    if (entries === undefined) maps.set(key, entries = []);
    entries.push(entry);
    return true;
  };
}

/** Write-once: publishing a name twice fails the phase. */
function compilePublishAgentData(rec: PublishAgentDataRecord, ctx: CompileCtx) {
  const from = varRef(ctx.slots, rec.fromVar);
  const name = rec.name;
  return (s: Session, q: Instance) => {
    const data = s.phase.executor.agentData;
    if (data.has(name)) {
      failSession(s, `Trying to publish agent data '${name}' a second time`);
      return;
    }
    const v = getVar(s, q, from);
    if (v === UNSET) {
      throw new Error(`Variable '${from.name}' is not set: nothing to publish as '${name}'`);
    }
    data.set(name, unwrap(v));
  };
}

function compileReadAgentDataStep(rec: ReadAgentDataRecord, ctx: CompileCtx) {
  const to = varRef(ctx.slots, rec.toVar);
  const name = rec.name;
  return (s: Session, q: SequenceInstance) => {
    const data = s.phase.executor.agentData;
    if (!data.has(name)) return false;
    setVar(s, q, to, ownCopy(data.get(name)));
    return true;
  };
}

function compileReadAgentDataAction(rec: ReadAgentDataRecord, ctx: CompileCtx) {
  const to = varRef(ctx.slots, rec.toVar);
  const name = rec.name;
  return (s: Session, q: Instance) => {
    const data = s.phase.executor.agentData;
    if (!data.has(name)) {
      failSession(
        s,
        `Trying to read agent data '${name}' but it is not published; order the phases with 'startAfterStrict'`,
      );
      return;
    }
    setVar(s, q, to, ownCopy(data.get(name)));
  };
}

/** Integer variables (or strings holding one) sent as counters the controller sums per key. */
function compilePublishGlobalCounters(rec: PublishGlobalCountersRecord, ctx: CompileCtx) {
  const counters = rec.counters.map((c) => ({ name: c.name, ref: varRef(ctx.slots, c.var) }));
  const key = rec.key;
  return (s: Session, q: Instance) => {
    const ex = s.phase.executor;
    for (const c of counters) {
      const v = getVar(s, q, c.ref);
      const n = typeof v === "number"
        ? v
        : typeof v === "string"
        ? (/^[-+]?\d+$/.test(v.trim()) ? Number(v.trim()) : undefined)
        : undefined;
      if (n === undefined) {
        ex.log(
          "warn",
          `Session ${s.id}: cannot publish '${
            v === UNSET ? "<not set>" : varText(v)
          }' of '${c.ref.name}' as a counter`,
        );
      } else {
        ex.publishGlobalCounter(key, c.name, n);
      }
    }
  };
}
