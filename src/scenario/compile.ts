/**
 * Compiling a scenario: step records (plain data from the benchmark) become
 * step functions once, before any session exists. Variable names become
 * slots, patterns become functions, per-session state becomes resources.
 * A registry maps record types to their compilers, so extensions add steps.
 */
import type { Benchmark, Phase, Scenario, StepRecord } from "../benchmark/model.ts";
import { PSEUDO_VARIABLES } from "../benchmark/variables.ts";
import { assignStepIds, AUXILIARY_STEP_IDS } from "../benchmark/step_ids.ts";
import type {
  ActionFn,
  CompiledScenario,
  CompiledSequence,
  Resource,
  SequenceInstance,
  Session,
  SessionDriver,
  StepFn,
} from "./session.ts";
import { newVarSlots, slotOf, type VarSlots } from "./vars.ts";

/** Consumes data (a response body, a header value, a JSON fragment) piece by piece. */
export interface Processor {
  before?(s: Session, q: SequenceInstance | undefined): void;
  /** `data[start, end)` is valid only during the call. `isLast` marks the last piece. */
  process(
    s: Session,
    q: SequenceInstance | undefined,
    data: Uint8Array,
    start: number,
    end: number,
    isLast: boolean,
  ): void;
  after?(s: Session, q: SequenceInstance | undefined): void;
}

export type StepCompiler = (rec: StepRecord, ctx: CompileCtx) => StepFn | StepFn[];
export type ActionCompiler = (rec: StepRecord, ctx: CompileCtx) => ActionFn;
export type ProcessorCompiler = (rec: StepRecord, ctx: CompileCtx) => Processor;

/** Runtime compilers by record type. Actions also serve as steps and processors. */
export interface CompilerRegistry {
  steps: Map<string, StepCompiler>;
  actions: Map<string, ActionCompiler>;
  processors: Map<string, ProcessorCompiler>;
}

export function emptyCompilers(): CompilerRegistry {
  return { steps: new Map(), actions: new Map(), processors: new Map() };
}

/** Per-session resources: a step asks for a slot and finds its state at `s.resources[slot]`. */
export interface ResourceSlot<T extends Resource> {
  readonly slot: number;
  get(s: Session): T;
}

export interface CompileCtx {
  readonly benchmark: Benchmark;
  /** The phase the scenario is compiled for (scenarios are compiled per phase). */
  readonly phase: Phase;
  readonly slots: VarSlots;
  readonly registry: CompilerRegistry;
  /** The sequence whose steps are being compiled. */
  readonly sequenceName: string;
  /** A sequence of the scenario by name (all are declared before steps compile). */
  sequence(name: string): CompiledSequence;
  /**
   * The step id of `rec` (from `assignStepIds`, shared with the controller), or
   * without a record a fresh auxiliary id (statistics no SLA applies to).
   */
  newStepId(rec?: StepRecord): number;
  resource<T extends Resource>(factory: () => T): ResourceSlot<T>;
  compileSteps(records: readonly StepRecord[]): StepFn[];
  compileActions(records: readonly StepRecord[]): ActionFn[];
  compileProcessors(records: readonly StepRecord[]): Processor[];
  /**
   * Places `step` right after the steps of the step being compiled (Hyperfoil's
   * `insertAfter(locator)`): `restartSequence` used as an action relies on it.
   */
  insertAfterStep(step: StepFn): void;
  /**
   * The step being compiled can also run a whole session by itself: used when
   * it turns out to be the scenario's only step (see `SessionDriver`).
   */
  offerDriver(driver: (s: Session) => SessionDriver): void;
}

export interface CompileOptions {
  /** Let a lone step drive its sessions (default true; false keeps the generic path). */
  sessionDrivers?: boolean;
}

export class CompileError extends Error {
  override name = "CompileError";
}

/** Step ids of the executor's benchmark: assigned per record, plus a counter for auxiliary ids. */
export interface StepIds {
  byPhase: Map<number, Map<StepRecord, number>>;
  next: number;
}

export function newStepIds(benchmark: Benchmark): StepIds {
  return { byPhase: assignStepIds(benchmark), next: AUXILIARY_STEP_IDS };
}

export function compileScenario(
  scenario: Scenario,
  benchmark: Benchmark,
  phase: Phase,
  registry: CompilerRegistry,
  stepIds: StepIds,
  options: CompileOptions = {},
): CompiledScenario {
  const slots = newVarSlots();
  const resources: (() => Resource)[] = [];
  const sequences: CompiledSequence[] = scenario.sequences.map((s, id) => ({
    id,
    name: s.name,
    concurrency: Math.max(1, s.concurrency),
    initial: s.initial,
    steps: [],
  }));
  const byName = new Map(sequences.map((s) => [s.name, s]));
  const base = {
    benchmark,
    phase,
    slots,
    registry,
    sequence(name: string) {
      const s = byName.get(name);
      if (!s) throw new CompileError(`Sequence '${name}' is not defined`);
      return s;
    },
    newStepId: (rec?: StepRecord) =>
      (rec && stepIds.byPhase.get(phase.id)?.get(rec)) ?? ++stepIds.next,
    resource<T extends Resource>(factory: () => T): ResourceSlot<T> {
      const slot = resources.push(factory) - 1;
      return { slot, get: (s: Session) => s.resources[slot] as T };
    },
  };
  // Steps inserted after the step being compiled, innermost last.
  const inserted: StepFn[][] = [];
  // Drivers offered by the step being compiled (innermost last), then by the step they became.
  const offers: (((s: Session) => SessionDriver) | undefined)[] = [];
  const drivers = new Map<StepFn, (s: Session) => SessionDriver>();
  scenario.sequences.forEach((seqDef, i) => {
    const ctx: CompileCtx = {
      ...base,
      sequenceName: seqDef.name,
      compileSteps: (recs) =>
        recs.flatMap((r) => {
          inserted.push([]);
          offers.push(undefined);
          try {
            const steps = [...compileStep(r, ctx), ...inserted[inserted.length - 1]];
            const offer = offers[offers.length - 1];
            if (offer !== undefined && steps.length === 1) drivers.set(steps[0], offer);
            return steps;
          } finally {
            inserted.pop();
            offers.pop();
          }
        }),
      insertAfterStep(step) {
        if (inserted.length === 0) {
          throw new CompileError("A step can only be inserted while a sequence's steps compile");
        }
        inserted[inserted.length - 1].push(step);
      },
      offerDriver(driver) {
        if (offers.length > 0) offers[offers.length - 1] = driver;
      },
      compileActions: (recs) => recs.map((r) => compileAction(r, ctx)),
      compileProcessors: (recs) => recs.map((r) => compileProcessor(r, ctx)),
    };
    sequences[i].steps.push(...ctx.compileSteps(seqDef.steps));
  });
  // Pseudo-variables get slots only if something reads them.
  const pseudoSlots = new Map<string, number>();
  for (const name of PSEUDO_VARIABLES) {
    const slot = slots.bySlot.get(name);
    if (slot !== undefined) pseudoSlots.set(name, slot);
  }
  const only = sequences.length === 1 ? sequences[0] : undefined;
  const driver = options.sessionDrivers !== false && only !== undefined && only.initial &&
      only.concurrency === 1 && only.steps.length === 1 && pseudoSlots.size === 0
    ? drivers.get(only.steps[0])
    : undefined;
  return {
    sequences,
    byName,
    slots,
    maxRequests: scenario.maxRequests,
    maxSequences: Math.max(scenario.maxSequences, sequences.filter((s) => s.initial).length),
    resources,
    pseudoSlots,
    ...(driver !== undefined ? { driver } : {}),
  };
}

function compileStep(rec: StepRecord, ctx: CompileCtx): StepFn[] {
  const step = ctx.registry.steps.get(rec.type);
  if (step) {
    const r = step(rec, ctx);
    return Array.isArray(r) ? r : [r];
  }
  const action = ctx.registry.actions.get(rec.type);
  if (action) {
    const a = action(rec, ctx);
    return [(s, q) => (a(s, q), true)];
  }
  throw new CompileError(`No implementation for step '${rec.type}'`);
}

function compileAction(rec: StepRecord, ctx: CompileCtx): ActionFn {
  const action = ctx.registry.actions.get(rec.type);
  if (!action) throw new CompileError(`No implementation for action '${rec.type}'`);
  return action(rec, ctx);
}

function compileProcessor(rec: StepRecord, ctx: CompileCtx): Processor {
  const p = ctx.registry.processors.get(rec.type);
  if (p) return p(rec, ctx);
  const action = ctx.registry.actions.get(rec.type);
  if (action) {
    const a = action(rec, ctx);
    // An action used as a processor runs once the data is complete.
    return { process: (s, q, _d, _s, _e, isLast) => isLast && a(s, q) };
  }
  throw new CompileError(`No implementation for processor '${rec.type}'`);
}

/** The slot of a variable (declared at compile time so sessions size `vars` up front). */
export function varSlot(ctx: CompileCtx, name: string): number {
  return slotOf(ctx.slots, name);
}
