/**
 * Control flow: loops, starting and ending sequences, conditions, failing
 * the phase, stopping the session.
 */
import { elements, type StepRecord } from "../registry.ts";
import { bool, int, type LoadCtx, oneOf, type Shape, str } from "../shape.ts";
import { type Condition, conditionProps, readVar, writeVar } from "../sources.ts";
import type { YMap } from "../node.ts";
import {
  addSequenceRef,
  badInline,
  type Body,
  CONDITION_GROUP,
  record,
  sequenceName,
  takeCondition,
} from "./_common.ts";

/** Repeats `steps` `repeats` times, counting in `counterVar`. */
export interface LoopRecord {
  type: "loop";
  counterVar: string;
  repeats: number;
  steps: StepRecord[];
}

export function loop(): Shape<Body<LoopRecord>> {
  return record(
    { counterVar: writeVar(), repeats: int({ min: 1 }), steps: elements("step") },
    {
      name: "loop",
      required: ["counterVar", "repeats", "steps"],
      build: (v, at, ctx, path) => {
        if (v.steps!.length === 0) {
          ctx.diags.error(at, path, "The loop has no steps: list them under 'steps'");
          return undefined;
        }
        return { counterVar: v.counterVar!, repeats: v.repeats!, steps: v.steps! };
      },
    },
  );
}

/** Starts one instance of `sequence` per element of the array in `fromVar`. */
export interface ForeachRecord {
  type: "foreach";
  fromVar: string;
  sequence: string;
  /** Set to the number of sequences started. */
  counterVar?: string;
  /** The step waits until this variable is set (default: `fromVar`). */
  dependency?: string;
}

export function foreach(): Shape<Body<ForeachRecord>> {
  return record(
    { fromVar: readVar(), sequence: sequenceName(), counterVar: writeVar(), dependency: readVar() },
    {
      name: "foreach",
      required: ["fromVar", "sequence"],
      build: (v) => v as Body<ForeachRecord>,
    },
  );
}

export type ConcurrencyPolicy = "FAIL" | "WARN";

/** Starts a new instance of `sequence`. */
export interface NewSequenceRecord {
  type: "newSequence";
  sequence: string;
  /** Use the index of the current sequence instance. */
  forceSameIndex: boolean;
  /** What happens when all instances of the sequence are running. */
  concurrencyPolicy: ConcurrencyPolicy;
}

function keyAt(map: YMap, key: string) {
  return map.entries.find((e) => e.key.value === key)?.key ?? map;
}

export function newSequence(): Shape<Body<NewSequenceRecord>> {
  return record(
    {
      sequence: sequenceName(),
      forceSameIndex: bool(),
      concurrencyPolicy: oneOf(["FAIL", "WARN"] as const),
      maxSequences: int(),
      counterVar: str(),
    },
    {
      name: "newSequence",
      required: ["sequence"],
      inline: (s, ctx, path) => ({
        sequence: addSequenceRef(ctx, s.value, s, path),
        forceSameIndex: false,
        concurrencyPolicy: "FAIL",
      }),
      build: (v, at, ctx, path) => {
        for (const k of ["maxSequences", "counterVar"] as const) {
          if (v[k] !== undefined) {
            const hint = k === "maxSequences"
              ? "set the concurrency of the target sequence instead ('name[N]')"
              : "counters are kept internally";
            ctx.diags.warn(
              keyAt(at, k),
              path,
              `Property '${k}' of newSequence is deprecated and ignored: ${hint}`,
            );
          }
        }
        return {
          sequence: v.sequence!,
          forceSameIndex: v.forceSameIndex ?? false,
          concurrencyPolicy: v.concurrencyPolicy ?? "FAIL",
        };
      },
    },
  );
}

/** Deprecated: starts `sequence` (or restarts the current one if it is the same and ends here). */
export interface NextSequenceRecord {
  type: "nextSequence";
  sequence: string;
}

export function nextSequence(): Shape<Body<NextSequenceRecord>> {
  return record({ name: sequenceName() }, {
    name: "nextSequence",
    required: ["name"],
    inline: (s, ctx, path) => ({ sequence: addSequenceRef(ctx, s.value, s, path) }),
    build: (v) => ({ sequence: v.name! }),
  });
}

/** Ends the current sequence when the condition holds. */
export interface BreakSequenceRecord {
  type: "breakSequence";
  condition: Condition;
  /** Actions run before the sequence ends. */
  onBreak: StepRecord[];
  /** The step waits until this variable is set. */
  dependency?: string;
}

export function breakSequence(): Shape<Body<BreakSequenceRecord>> {
  return record(
    { ...conditionProps(), onBreak: elements("action"), dependency: readVar() },
    {
      name: "breakSequence",
      exactlyOne: [CONDITION_GROUP],
      build: (v) => {
        const { rest, condition } = takeCondition(v);
        return {
          condition: condition!,
          onBreak: rest.onBreak ?? [],
          ...(rest.dependency !== undefined ? { dependency: rest.dependency } : {}),
        };
      },
    },
  );
}

/** Runs `actions` when the condition holds. */
export interface ConditionalRecord {
  type: "conditional";
  condition: Condition;
  actions: StepRecord[];
}

export function conditional(): Shape<Body<ConditionalRecord>> {
  return record({ ...conditionProps(), actions: elements("action") }, {
    name: "conditional",
    exactlyOne: [CONDITION_GROUP],
    build: (v) => {
      const { rest, condition } = takeCondition(v);
      return { condition: condition!, actions: rest.actions ?? [] };
    },
  });
}

/** Fails the phase (when the condition holds, or always without one). */
export interface FailRecord {
  type: "fail";
  message?: string;
  condition?: Condition;
}

export function fail(): Shape<Body<FailRecord>> {
  return record({ ...conditionProps(), message: str("a message") }, {
    name: "fail",
    exclusive: [CONDITION_GROUP],
    inline: (s) => ({ message: s.value }),
    build: (v) => {
      const { rest, condition } = takeCondition(v);
      return {
        ...(rest.message !== undefined ? { message: rest.message } : {}),
        ...(condition ? { condition } : {}),
      };
    },
  });
}

/** Steps and actions without properties: `stop`, `noop`, `breakIfFinished`, … */
export function noProps(name: string): Shape<Record<string, never>> {
  return record({}, {
    name,
    inline: (s, ctx: LoadCtx, path) =>
      badInline(ctx, s, path, `no value ('${name}' has no properties)`),
    build: () => ({}),
  });
}
