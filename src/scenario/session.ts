/**
 * Sessions: one virtual user's state, reused from a pool. A session runs its
 * active sequence instances; each instance is at one step. A step either does
 * its work and returns true, or changes nothing and returns false ("blocked",
 * Hyperfoil's rule); the session then tries the other instances and sleeps
 * until something (a response, a timer, a freed connection) wakes it.
 */
import type { Phase } from "../benchmark/model.ts";
import { UNSET, type VarSlots, type VarValue } from "./vars.ts";
import type { ExecutorContext } from "./runtime.ts";

/** A compiled step: true when done, false when blocked (with no side effects). */
export type StepFn = (s: Session, q: SequenceInstance) => boolean;
/** A compiled action: never blocks. `q` is absent outside a sequence (e.g. session start). */
export type ActionFn = (s: Session, q: SequenceInstance | undefined) => void;

export interface CompiledSequence {
  readonly id: number;
  readonly name: string;
  /** Concurrent instances allowed; 1 when the name had no `[N]`. */
  readonly concurrency: number;
  readonly initial: boolean;
  readonly steps: StepFn[];
}

/** Per-session state a step keeps across calls; created once per session, reset per use. */
export interface Resource {
  reset(): void;
}

/**
 * Runs a whole session by itself, without sequences and steps: offered by a
 * step that can (a plain `httpRequest`) and used when it is the scenario's
 * only step. Same statistics and session life, a fraction of the work.
 */
export interface SessionDriver {
  /** The session (re)started: do its work, then end it with `endSession`. */
  start(freshNs: number): void;
}

export interface CompiledScenario {
  readonly sequences: CompiledSequence[];
  readonly byName: ReadonlyMap<string, CompiledSequence>;
  readonly slots: VarSlots;
  readonly maxRequests: number;
  readonly maxSequences: number;
  /** Factories of per-session resources, indexed by the slot a step was given. */
  readonly resources: (() => Resource)[];
  /** Slots of the `hyperfoil.*` pseudo-variables this scenario reads. */
  readonly pseudoSlots: ReadonlyMap<string, number>;
  /** Set when one driver runs the whole scenario: it is made once per session. */
  readonly driver?: (s: Session) => SessionDriver;
}

export interface SequenceInstance {
  seq: CompiledSequence;
  /** Index among the sequence's concurrent instances (`[.]`). */
  index: number;
  step: number;
  /** Set by a step that moved `step` itself (loops, restarts): the runner then does not advance. */
  jumped: boolean;
  /** Scratch for the current step (a deadline, a request); cleared when the step completes. */
  scratchNum: number;
  scratchObj: unknown;
}

/** What a session knows about the phase it runs in. */
export interface PhaseContext {
  readonly phase: Phase;
  readonly executor: ExecutorContext;
  /** True once the phase is finishing: no new sessions; `breakIfFinished` ends sequences. */
  finished: boolean;
  /** True once the phase is terminating: sessions stop at once. */
  terminated: boolean;
  /** Called when a session has no more work (the phase recycles or restarts it). */
  sessionDone(s: Session): void;
  /** A fatal error in the phase (a `fail` step, a broken step). */
  fail(message: string, s?: Session): void;
}

export interface Session {
  readonly id: number;
  readonly scenario: CompiledScenario;
  phase: PhaseContext;
  vars: VarValue[];
  resources: Resource[];
  /** Active instances are `instances[0 .. count)`. */
  instances: SequenceInstance[];
  count: number;
  /** Instances per sequence id currently running, to enforce `[N]`. */
  running: Uint16Array;
  /** Bumped on every reset: late callbacks of a previous life compare and drop out. */
  generation: number;
  /** When the session was (scheduled to be) started, ns: compensateInternalLatency uses it. */
  scheduledNs: number;
  /**
   * The clock (ns) read just before `startSession` ran the steps, while that first run
   * lasts; NaN otherwise. Statistics bucket selection may use it instead of reading the clock.
   */
  freshNs: number;
  /** Requests sent and not completed. */
  inFlight: number;
  active: boolean;
  stopped: boolean;
  /** Re-entrancy guard of `runSession`. */
  inRun: boolean;
  rerun: boolean;
  /** Runs the session instead of its sequences (see `CompiledScenario.driver`). */
  driver: SessionDriver | undefined;
}

export function newSession(id: number, scenario: CompiledScenario, phase: PhaseContext): Session {
  const instances: SequenceInstance[] = [];
  for (let i = 0; i < scenario.maxSequences; i++) {
    instances.push({
      seq: scenario.sequences[0],
      index: 0,
      step: 0,
      jumped: false,
      scratchNum: 0,
      scratchObj: undefined,
    });
  }
  const s: Session = {
    id,
    scenario,
    phase,
    vars: new Array(scenario.slots.names.length).fill(UNSET),
    resources: scenario.driver === undefined ? scenario.resources.map((f) => f()) : [],
    instances,
    count: 0,
    running: new Uint16Array(scenario.sequences.length),
    generation: 0,
    scheduledNs: 0,
    freshNs: NaN,
    inFlight: 0,
    active: false,
    stopped: false,
    inRun: false,
    rerun: false,
    driver: undefined,
  };
  if (scenario.driver !== undefined) s.driver = scenario.driver(s);
  return s;
}

/** Starts a session: clean state, pseudo-variables, one instance of each initial sequence. */
export function startSession(
  s: Session,
  phase: PhaseContext,
  scheduledNs: number,
  freshNs = NaN,
): void {
  s.phase = phase;
  s.generation++;
  const driver = s.driver;
  if (driver !== undefined) return startDriven(s, driver, scheduledNs, freshNs);
  s.vars.fill(UNSET);
  for (const r of s.resources) r.reset();
  s.count = 0;
  s.running.fill(0);
  s.inFlight = 0;
  s.stopped = false;
  s.active = true;
  s.scheduledNs = scheduledNs;
  const ex = phase.executor;
  const pseudo = s.scenario.pseudoSlots;
  if (pseudo.size > 0) {
    for (const [name, slot] of pseudo) s.vars[slot] = ex.pseudoVariable(name, s);
  }
  for (const seq of s.scenario.sequences) {
    if (seq.initial && startInstance(s, seq, false) === undefined) {
      phase.fail(
        `Cannot start initial sequence '${seq.name}': maxSequences (${s.scenario.maxSequences}) reached`,
        s,
      );
      return;
    }
  }
  s.freshNs = freshNs;
  try {
    runSession(s);
  } finally {
    s.freshNs = NaN;
  }
}

/** `startSession` for a session its driver runs: no variables, resources or sequences. */
function startDriven(
  s: Session,
  driver: SessionDriver,
  scheduledNs: number,
  freshNs: number,
): void {
  s.inFlight = 0;
  s.stopped = false;
  s.active = true;
  s.scheduledNs = scheduledNs;
  try {
    driver.start(freshNs);
  } catch (e) {
    s.phase.fail(`Session ${s.id} failed: ${e instanceof Error ? e.message : String(e)}`, s);
    stopSession(s);
  }
}

/**
 * Starts an instance of `seq`; undefined when its concurrency or the session's
 * maxSequences is exhausted. `sameIndexAs` keeps the caller's index (forceSameIndex).
 */
export function startInstance(
  s: Session,
  seq: CompiledSequence,
  wake = true,
  sameIndexAs?: SequenceInstance,
): SequenceInstance | undefined {
  if (s.count >= s.instances.length || s.running[seq.id] >= seq.concurrency) return undefined;
  let index = 0;
  if (sameIndexAs !== undefined) index = sameIndexAs.index;
  else if (seq.concurrency > 1) index = freeIndex(s, seq);
  if (index < 0) return undefined;
  const q = s.instances[s.count++];
  q.seq = seq;
  q.index = index;
  q.step = 0;
  q.jumped = false;
  q.scratchNum = 0;
  q.scratchObj = undefined;
  s.running[seq.id]++;
  if (wake) wakeSession(s);
  return q;
}

function freeIndex(s: Session, seq: CompiledSequence): number {
  for (let idx = 0; idx < seq.concurrency; idx++) {
    let used = false;
    for (let i = 0; i < s.count; i++) {
      const q = s.instances[i];
      if (q.seq === seq && q.index === idx) {
        used = true;
        break;
      }
    }
    if (!used) return idx;
  }
  return -1;
}

/** Ends the instance at position `i` of the active list (swap-remove). */
function endInstance(s: Session, i: number): void {
  const q = s.instances[i];
  s.running[q.seq.id]--;
  const last = --s.count;
  if (i !== last) {
    s.instances[i] = s.instances[last];
    s.instances[last] = q;
  }
  q.scratchObj = undefined;
}

/** Ends the running instance `q` now (breakSequence, a stopped sequence). */
export function endCurrentInstance(q: SequenceInstance): void {
  q.step = q.seq.steps.length;
  q.jumped = true;
}

/** Asks the session to run again soon (a response arrived, a timer fired, a connection freed). */
export function wakeSession(s: Session): void {
  if (!s.active) return;
  if (s.inRun) {
    s.rerun = true;
    return;
  }
  runSession(s);
}

/** Runs every instance as far as it goes; ends the session when none is left. */
export function runSession(s: Session): void {
  if (!s.active || s.driver !== undefined) return;
  if (s.inRun) {
    s.rerun = true;
    return;
  }
  s.inRun = true;
  try {
    do {
      s.rerun = false;
      for (let i = 0; i < s.count && !s.stopped; i++) {
        const q = s.instances[i];
        const steps = q.seq.steps;
        while (q.step < steps.length && !s.stopped) {
          if (!steps[q.step](s, q)) break;
          if (q.jumped) q.jumped = false;
          else q.step++;
          q.scratchNum = 0;
          q.scratchObj = undefined;
          // Progress may unblock another instance (awaitVar, awaitInt): Hyperfoil
          // runs the instances again until a round makes no progress.
          if (s.count > 1) s.rerun = true;
        }
        if (q.step >= steps.length) {
          endInstance(s, i);
          i--;
          s.rerun = true;
        }
      }
    } while (s.rerun && !s.stopped);
  } catch (e) {
    s.phase.fail(`Session ${s.id} failed: ${e instanceof Error ? e.message : String(e)}`, s);
    s.stopped = true;
  } finally {
    s.inRun = false;
  }
  if (s.stopped || (s.count === 0 && s.inFlight === 0)) endSession(s);
}

/** Stops the session where it is (the `stop` step, phase termination). */
export function stopSession(s: Session): void {
  s.stopped = true;
  if (!s.inRun) endSession(s);
}

/** The session's work is done: the phase recycles or restarts it (drivers call this). */
export function endSession(s: Session): void {
  if (!s.active) return;
  s.active = false;
  s.generation++;
  s.count = 0;
  s.phase.sessionDone(s);
}

/**
 * Marks the session busy while response handlers run outside `runSession`:
 * actions that wake it (newSequence, a queue starting a consumer) then only
 * ask for a rerun, as in Hyperfoil where steps run after the handlers, never
 * in the middle of them. False when the session was already running.
 */
export function holdSession(s: Session): boolean {
  if (s.inRun) return false;
  s.inRun = true;
  return true;
}

/** Ends a `holdSession`: a stop requested meanwhile takes effect, a wake-up runs the session. */
export function releaseSession(s: Session, held: boolean): void {
  if (!held) return;
  s.inRun = false;
  if (s.stopped) {
    if (s.active) stopSession(s);
  } else if (s.rerun) wakeSession(s);
}
