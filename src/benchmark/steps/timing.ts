/** Waiting and time: think times, delay points, waiting for variables and responses, timestamps. */
import type { YMap } from "../node.ts";
import { elements, type StepRecord } from "../registry.ts";
import { duration, flag, type LoadCtx, mismatch, oneOf, type Shape, str } from "../shape.ts";
import {
  INT_COMPARISONS,
  type IntComparison,
  type IntSource,
  intSource,
  readVar,
  writeVar,
} from "../sources.ts";
import { recordRead } from "../variables.ts";
import { badInline, type Body, inlineVar, record } from "./_common.ts";

export type DelayRandom = "CONSTANT" | "LINEAR" | "NEGATIVE_EXPONENTIAL";
/** What the delay counts from: this step's invocation, or the previous delay point of the key. */
export type DelayReference = "FROM_NOW" | "FROM_LAST";

export interface DelayTiming {
  /** ms; the mean for NEGATIVE_EXPONENTIAL, absent for LINEAR. */
  duration?: number;
  random: DelayRandom;
  /** ms; lower bound of a random delay. */
  min?: number;
  /** ms; upper bound of a random delay. */
  max?: number;
  reference: DelayReference;
}

/** Waits: schedules a delay point and awaits it. */
export interface ThinkTimeRecord extends DelayTiming {
  type: "thinkTime";
  /** Delay point key, when the delay should be visible to `awaitDelay` too. */
  key?: string;
}

/** Defines a point in time (`key`) that `awaitDelay` waits for. */
export interface ScheduleDelayRecord extends DelayTiming {
  type: "scheduleDelay";
  key: string;
}

const DAY_MS = 24 * 3600 * 1000;

function delayProps() {
  return {
    key: str("a delay key"),
    duration: duration(),
    random: oneOf(["CONSTANT", "LINEAR", "NEGATIVE_EXPONENTIAL"] as const),
    min: duration("s"),
    max: duration("s"),
    fromNow: flag(),
    fromLast: flag(),
    type: oneOf(["FROM_NOW", "FROM_LAST"] as const),
  };
}

type DelayProps = {
  key?: string;
  duration?: number;
  random?: DelayRandom;
  min?: number;
  max?: number;
  fromNow?: true;
  fromLast?: true;
  type?: DelayReference;
};

/** Checks the combination of duration, random, min and max as Hyperfoil does. */
function delayTiming(v: DelayProps, at: YMap, ctx: LoadCtx, path: string): DelayTiming | undefined {
  const random = v.random ?? "CONSTANT";
  const fail = (message: string) => (ctx.diags.error(at, path, message), undefined);
  if (random === "CONSTANT") {
    if (v.min !== undefined || v.max !== undefined) {
      return fail(
        "A constant delay takes no 'min' or 'max': set 'random: LINEAR' or 'NEGATIVE_EXPONENTIAL' to randomize it",
      );
    }
    if (v.duration === undefined || v.duration <= 0) {
      return fail("Missing a positive 'duration', e.g. '100ms'");
    }
  } else if (random === "LINEAR") {
    if (v.duration !== undefined) {
      return fail("A linear random delay is set by 'min' and 'max'; remove 'duration'");
    }
    if (v.max === undefined) {
      return fail("A linear random delay needs 'max' (and optionally 'min')");
    }
    if (v.max > DAY_MS) return fail("The maximum delay is over 24 hours: that is likely an error");
    if ((v.min ?? 0) > v.max) return fail("'min' must not be greater than 'max'");
  } else {
    if (v.duration === undefined || v.duration <= 0) {
      return fail("Missing a positive 'duration' (the mean delay)");
    }
    if (v.min !== undefined && v.max !== undefined && v.min > v.max) {
      return fail("'min' must not be greater than 'max'");
    }
  }
  const reference: DelayReference = v.type ?? (v.fromLast ? "FROM_LAST" : "FROM_NOW");
  return {
    ...(v.duration !== undefined ? { duration: v.duration } : {}),
    random,
    ...(v.min !== undefined ? { min: v.min } : {}),
    ...(v.max !== undefined ? { max: v.max } : {}),
    reference,
  };
}

const REFERENCE_KEYS = ["fromNow", "fromLast", "type"] as const;

export function thinkTime(): Shape<Body<ThinkTimeRecord>> {
  const d = duration();
  return record(delayProps(), {
    name: "thinkTime",
    exclusive: [[...REFERENCE_KEYS]],
    inline: (s, ctx, path) => {
      const ms = d.load(s, ctx, path);
      if (ms === undefined) return undefined;
      if (ms <= 0) return badInline(ctx, s, path, "a positive duration such as '100ms'");
      return { duration: ms, random: "CONSTANT", reference: "FROM_NOW" };
    },
    build: (v, at, ctx, path) => {
      const t = delayTiming(v, at, ctx, path);
      return t && (v.key !== undefined ? { ...t, key: v.key } : t);
    },
  });
}

export function scheduleDelay(): Shape<Body<ScheduleDelayRecord>> {
  return record(delayProps(), {
    name: "scheduleDelay",
    required: ["key"],
    exclusive: [[...REFERENCE_KEYS]],
    build: (v, at, ctx, path) => {
      const t = delayTiming(v, at, ctx, path);
      return t && { ...t, key: v.key! };
    },
  });
}

/** Blocks until the delay point `key` (from `scheduleDelay`) passes. */
export interface AwaitDelayRecord {
  type: "awaitDelay";
  key: string;
}

export function awaitDelay(): Shape<Body<AwaitDelayRecord>> {
  return record({ key: str("a delay key") }, {
    name: "awaitDelay",
    required: ["key"],
    inline: (s) => ({ key: s.value.trim() }),
    build: (v) => ({ key: v.key! }),
  });
}

/** Blocks until the integer variable `var` satisfies every given comparison. */
export type AwaitIntRecord =
  & { type: "awaitInt"; var: string }
  & Partial<Record<IntComparison, IntSource>>;

export function awaitInt(): Shape<Body<AwaitIntRecord>> {
  const comparisons = Object.fromEntries(INT_COMPARISONS.map((c) => [c, intSource()])) as Record<
    IntComparison,
    Shape<IntSource>
  >;
  return record({ var: readVar(), ...comparisons }, {
    name: "awaitInt",
    required: ["var"],
    build: (v) => v as Body<AwaitIntRecord>,
  });
}

/** Blocks until `var` is set (or, with `unset`, until it is unset). */
export interface AwaitVarRecord {
  type: "awaitVar";
  var: string;
  /** Written `!var`: wait until the variable is unset. */
  unset: boolean;
}

function awaitVarOf(text: string, ctx: LoadCtx, at: YMap["entries"][number]["key"], path: string) {
  const t = text.trim();
  const unset = t.startsWith("!");
  const name = (unset ? t.slice(1) : t).trim();
  if (!name || /\s/.test(name)) {
    return badInline(ctx, at, path, "a variable name, or '!name' to wait until it is unset");
  }
  recordRead(ctx.vars, name, at, path);
  return { var: name, unset };
}

export function awaitVar(): Shape<Body<AwaitVarRecord>> {
  return record({ var: str("a variable name") }, {
    name: "awaitVar",
    required: ["var"],
    inline: (s, ctx, path) => awaitVarOf(s.value, ctx, s, path),
    build: (v, at, ctx, path) => {
      const node = at.entries.find((e) => e.key.value === "var")!.value;
      return node.kind === "scalar" ? awaitVarOf(v.var!, ctx, node, `${path}.var`) : undefined;
    },
  });
}

/** Runs nested steps and records the time they took. */
export interface StopwatchRecord {
  type: "stopwatch";
  steps: StepRecord[];
}

/** `stopwatch: [steps]` (or `{steps: [...]}`). */
export function stopwatch(): Shape<Body<StopwatchRecord>> {
  const steps = elements("step");
  const map = record({ steps: elements("step") }, {
    name: "stopwatch",
    required: ["steps"],
    build: (v) => ({ steps: v.steps! }),
  });
  const expected = "a list of steps";
  return {
    expected,
    load(node, ctx, path) {
      if (node.kind === "map") return map.load(node, ctx, path);
      if (node.kind !== "seq") return mismatch(ctx, node, path, expected);
      const s = steps.load(node, ctx, path);
      return s && { steps: s };
    },
  };
}

/** Stores the current time (epoch ms, or formatted with `pattern`) in `toVar`. */
export interface TimestampRecord {
  type: "timestamp";
  toVar: string;
  /** A `SimpleDateFormat` pattern; without it the value is epoch milliseconds. */
  pattern?: string;
  /** 2-letter ISO country for the formatter locale (default US). */
  localeCountry?: string;
}

export function timestamp(): Shape<Body<TimestampRecord>> {
  return record(
    {
      toVar: writeVar(),
      pattern: str("a date format pattern"),
      localeCountry: str("a 2-letter country code"),
    },
    {
      name: "timestamp",
      required: ["toVar"],
      inline: (s, ctx, path) => {
        const toVar = inlineVar(s.value, ctx, s, path, "write");
        return toVar === undefined ? badInline(ctx, s, path, "a variable name") : { toVar };
      },
      build: (v, at, ctx, path) => {
        if (v.localeCountry !== undefined && v.pattern === undefined) {
          ctx.diags.error(
            at,
            path,
            "'localeCountry' is used only with 'pattern': set the format pattern too",
          );
          return undefined;
        }
        return v as Body<TimestampRecord>;
      },
    },
  );
}
