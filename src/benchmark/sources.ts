/**
 * Shapes shared by many steps: variable references, patterns, value sources
 * (`{value|fromVar|pattern}` with an inline form) and the conditions
 * (`intCondition`, `stringCondition`, `boolCondition`, `allConditions`).
 */
import type { YScalar } from "./node.ts";
import { parsePattern, type Pattern, patternVars } from "./pattern.ts";
import { bool, int, type LoadCtx, mismatch, obj, optionalStr, type Shape, str } from "./shape.ts";
import { recordRead, recordWrite } from "./variables.ts";

/** A variable the step reads; remembered for the "never written" warning. */
export function readVar(): Shape<string> {
  const base = str("a variable name");
  return {
    expected: base.expected,
    load(node, ctx, path) {
      const v = base.load(node, ctx, path);
      if (v !== undefined) recordRead(ctx.vars, v, node, path);
      return v?.trim();
    },
  };
}

/** A variable the step writes. */
export function writeVar(): Shape<string> {
  const base = str("a variable name");
  return {
    expected: base.expected,
    load(node, ctx, path) {
      const v = base.load(node, ctx, path);
      if (v !== undefined) recordWrite(ctx.vars, v);
      return v?.trim();
    },
  };
}

/** Parses a pattern string, recording the variables it reads. */
export function loadPattern(s: YScalar, ctx: LoadCtx, path: string): Pattern | undefined {
  try {
    const p = parsePattern(s.isNull ? "" : s.value);
    for (const v of patternVars(p)) recordRead(ctx.vars, v, s, path);
    return p;
  } catch (e) {
    ctx.diags.error(s, path, (e as Error).message);
    return undefined;
  }
}

export function pattern(): Shape<Pattern> {
  return {
    expected: "a string pattern such as 'foo-${var}'",
    load: (node, ctx, path) =>
      node.kind === "scalar"
        ? loadPattern(node, ctx, path)
        : mismatch(ctx, node, path, "a string pattern"),
  };
}

/** A string produced at run time: constant, from a variable, or a pattern. */
export type StringSource = { value: string } | { fromVar: string } | { pattern: Pattern };

/** `{value|fromVar|pattern}`; the inline form is a pattern unless said otherwise. */
export function stringSource(inline: "pattern" | "value" = "pattern"): Shape<StringSource> {
  return obj(
    { value: optionalStr(), fromVar: readVar(), pattern: pattern() },
    {
      name: "string source",
      inline: (s, ctx, path) => {
        if (inline === "value") return { value: s.isNull ? "" : s.value };
        const p = loadPattern(s, ctx, path);
        return p && { pattern: p };
      },
      exactlyOne: [["value", "fromVar", "pattern"]],
    },
  ) as Shape<StringSource>;
}

/** An integer known at load time or read from a variable. */
export type IntSource = { value: number } | { fromVar: string };

export function intSource(): Shape<IntSource> {
  const inlineInt = int();
  return obj(
    { value: int(), fromVar: readVar() },
    {
      name: "integer source",
      inline: (s, ctx, path) => {
        const v = inlineInt.load(s, ctx, path);
        return v === undefined ? undefined : { value: v };
      },
      exactlyOne: [["value", "fromVar"]],
    },
  ) as Shape<IntSource>;
}

export const INT_COMPARISONS = [
  "equalTo",
  "notEqualTo",
  "greaterThan",
  "greaterOrEqualTo",
  "lessThan",
  "lessOrEqualTo",
] as const;
export type IntComparison = typeof INT_COMPARISONS[number];

const INLINE_OPERATORS: Record<string, IntComparison> = {
  "==": "equalTo",
  "!=": "notEqualTo",
  "<>": "notEqualTo",
  ">=": "greaterOrEqualTo",
  ">": "greaterThan",
  "<=": "lessOrEqualTo",
  "<": "lessThan",
};

export interface IntCondition {
  fromVar: string;
  isSet?: boolean;
  equalTo?: IntSource;
  notEqualTo?: IntSource;
  greaterThan?: IntSource;
  greaterOrEqualTo?: IntSource;
  lessThan?: IntSource;
  lessOrEqualTo?: IntSource;
}

function comparisonProps() {
  return Object.fromEntries(INT_COMPARISONS.map((c) => [c, intSource()])) as Record<
    IntComparison,
    Shape<IntSource>
  >;
}

/** `{fromVar, equalTo…}` or inline `var >= 3`. */
export function intCondition(): Shape<IntCondition> {
  return obj(
    { fromVar: readVar(), isSet: bool(), ...comparisonProps() },
    {
      name: "intCondition",
      required: ["fromVar"],
      inline: (s, ctx, path) => {
        const m = /^\s*([^\s=!<>]+)\s*(==|!=|<>|>=|<=|>|<)\s*(\S+)\s*$/.exec(s.value);
        if (!m) {
          ctx.diags.error(
            s,
            path,
            `Found '${s.value}', expected a condition such as 'myVar >= 3' (operators ==, !=, <, <=, >, >=)`,
          );
          return undefined;
        }
        recordRead(ctx.vars, m[1], s, path);
        const rhs: IntSource = /^-?\d+$/.test(m[3]) ? { value: Number(m[3]) } : { fromVar: m[3] };
        if ("fromVar" in rhs) recordRead(ctx.vars, rhs.fromVar, s, path);
        return { fromVar: m[1], [INLINE_OPERATORS[m[2]]]: rhs } as IntCondition;
      },
    },
  ) as Shape<IntCondition>;
}

/** Same comparisons over a value rather than a variable (intFilter). */
export function intFilter(): Shape<Partial<Record<IntComparison, IntSource>>> {
  return obj(comparisonProps(), { name: "intFilter" });
}

export interface StringMatch {
  value?: string;
  equalTo?: string;
  notEqualTo?: string;
  startsWith?: string;
  endsWith?: string;
  matchVar?: string;
  caseSensitive?: boolean;
  negate?: boolean;
  length?: number | Partial<Record<IntComparison, IntSource>>;
}

function stringMatchProps() {
  return {
    value: optionalStr(),
    equalTo: optionalStr(),
    notEqualTo: optionalStr(),
    startsWith: optionalStr(),
    endsWith: optionalStr(),
    matchVar: readVar(),
    caseSensitive: bool(),
    negate: bool(),
    length: lengthShape(),
  };
}

function lengthShape(): Shape<number | Partial<Record<IntComparison, IntSource>>> {
  const n = int({ min: 0 });
  const f = intFilter();
  return {
    expected: "an integer or a comparison mapping",
    load: (node, ctx, path) =>
      node.kind === "scalar" ? n.load(node, ctx, path) : f.load(node, ctx, path),
  };
}

/** A string test (stringFilter): inline form is the literal value. */
export function stringFilter(): Shape<StringMatch> {
  return obj(stringMatchProps(), {
    name: "stringFilter",
    inline: (s) => ({ value: s.isNull ? "" : s.value }),
  });
}

export interface StringCondition extends StringMatch {
  fromVar: string;
  isSet?: boolean;
}

export function stringCondition(): Shape<StringCondition> {
  return obj({ fromVar: readVar(), isSet: bool(), ...stringMatchProps() }, {
    name: "stringCondition",
    required: ["fromVar"],
  }) as Shape<StringCondition>;
}

export interface BoolCondition {
  fromVar: string;
  value?: boolean;
}

export function boolCondition(): Shape<BoolCondition> {
  return obj({ fromVar: readVar(), value: bool() }, {
    name: "boolCondition",
    required: ["fromVar"],
  }) as Shape<
    BoolCondition
  >;
}

export type Condition =
  | { intCondition: IntCondition }
  | { stringCondition: StringCondition }
  | { boolCondition: BoolCondition }
  | { allConditions: Condition[] };

export const CONDITION_KEYS = [
  "intCondition",
  "stringCondition",
  "boolCondition",
  "allConditions",
] as const;

/** Property shapes for steps that take one condition among their keys. */
export function conditionProps(): Record<typeof CONDITION_KEYS[number], Shape<unknown>> {
  return {
    intCondition: intCondition(),
    stringCondition: stringCondition(),
    boolCondition: boolCondition(),
    allConditions: allConditions(),
  };
}

/** A list of one-key condition mappings, all of which must hold. */
export function allConditions(): Shape<Condition[]> {
  const expected =
    "a list of conditions ('- intCondition: …', '- stringCondition: …', '- boolCondition: …')";
  return {
    expected,
    load(node, ctx, path) {
      if (node.kind !== "seq") return mismatch(ctx, node, path, expected);
      const out: Condition[] = [];
      let ok = true;
      node.items.forEach((item, i) => {
        const one = obj(conditionProps(), { name: "condition", exactlyOne: [[...CONDITION_KEYS]] })
          .load(item, ctx, `${path}[${i}]`);
        if (one === undefined) ok = false;
        else out.push(one as Condition);
      });
      return ok ? out : undefined;
    },
  };
}
