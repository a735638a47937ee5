/**
 * Helpers shared by the built-in step loaders: record shapes with inline
 * forms, named handler lists, sequence references, weighted item lists,
 * `var[N]` array targets and metric selectors.
 */
import type { YEntry, YMap, YNode, YScalar, YSeq } from "../node.ts";
import {
  type LoadCtx,
  type Loaded,
  mismatch,
  obj,
  oneOf,
  type Props,
  type Shape,
  str,
} from "../shape.ts";
import { type Condition, CONDITION_KEYS } from "../sources.ts";
import { didYouMean } from "../suggest.ts";
import { recordRead, recordWrite } from "../variables.ts";

/** A record as its shape loads it; the registry adds `type`. */
export type Body<T> = Omit<T, "type">;

/** Any step shape, as the registry stores them. */
export type AnyShape = Shape<Record<string, unknown>>;

/** Records are interfaces (no index signature); the registry takes them as plain records. */
export function asAny<T>(shape: Shape<T>): AnyShape {
  return shape as unknown as AnyShape;
}

export interface RecordOptions<P extends Props, R> {
  /** Used in messages: "unknown property 'x' in thinkTime". */
  name: string;
  /** Hyperfoil's inline definition: the value given as a single scalar. */
  inline?: (s: YScalar, ctx: LoadCtx, path: string) => NoInfer<R> | undefined;
  /** Accept a list of mappings (or bare keys) as one merged mapping, as nested builders do. */
  mergeList?: boolean;
  required?: (keyof P & string)[];
  exclusive?: (keyof P & string)[][];
  exactlyOne?: (keyof P & string)[][];
  /** Turns loaded properties into the record; checks what properties alone cannot. */
  build?: (v: Loaded<P>, at: YMap, ctx: LoadCtx, path: string) => R | undefined;
}

/**
 * A mapping of known properties turned into a record, with an optional inline
 * scalar form. An empty value (`- stop`, `key:`) is an empty mapping.
 */
export function record<P extends Props, R = Loaded<P>>(
  props: P,
  o: RecordOptions<P, R>,
): Shape<R> {
  const base = obj(props, {
    name: o.name,
    required: o.required,
    exclusive: o.exclusive,
    exactlyOne: o.exactlyOne,
  });
  const keys = Object.keys(props);
  const withProps = keys.length
    ? ` with properties ${keys.slice(0, 8).map((k) => `'${k}'`).join(", ")}${
      keys.length > 8 ? ", …" : ""
    }`
    : "";
  const expected = (o.inline ? "a scalar or a mapping" : "a mapping") + withProps;
  return {
    expected,
    load(node, ctx, path) {
      let map: YMap;
      if (node.kind === "scalar" && !node.isNull) {
        return o.inline ? o.inline(node, ctx, path) : mismatch(ctx, node, path, expected);
      } else if (node.kind === "scalar") {
        map = { kind: "map", entries: [], line: node.line, col: node.col };
      } else if (node.kind === "seq") {
        if (!o.mergeList) return mismatch(ctx, node, path, expected);
        const merged = mergeItems(node, ctx, path);
        if (merged === undefined) return undefined;
        map = merged;
      } else {
        map = node;
      }
      const v = base.load(map, ctx, path);
      if (v === undefined) return undefined;
      return o.build ? o.build(v, map, ctx, path) : v as unknown as R;
    },
  };
}

/** `[{a: 1}, {b: 2}, c]` → `{a: 1, b: 2, c: }`: Hyperfoil applies list items to one builder. */
function mergeItems(node: YSeq, ctx: LoadCtx, path: string): YMap | undefined {
  const entries: YEntry[] = [];
  let ok = true;
  node.items.forEach((item, i) => {
    if (item.kind === "map") entries.push(...item.entries);
    else if (item.kind === "scalar" && !item.isNull) {
      entries.push({ key: item, value: nullAt(item) });
    } else {
      mismatch(ctx, item, `${path}[${i}]`, "a mapping");
      ok = false;
    }
  });
  return ok ? { kind: "map", entries, line: node.line, col: node.col } : undefined;
}

/** An empty value at the position of `at`. */
export function nullAt(at: YScalar): YScalar {
  return { ...at, isNull: true, value: "", quoted: false };
}

/** Reports `Found 'x', expected …` at a scalar. */
export function badInline(ctx: LoadCtx, s: YScalar, path: string, expected: string): undefined {
  ctx.diags.error(s, path, `Found '${s.value}', expected ${expected}`);
  return undefined;
}

/** A variable name written in an inline form: non-empty, no spaces. */
export function inlineVar(
  text: string,
  ctx: LoadCtx,
  s: YScalar,
  path: string,
  use: "read" | "write" | "both",
): string | undefined {
  const name = text.trim();
  if (!name || /\s/.test(name)) return undefined;
  if (use !== "write") recordRead(ctx.vars, name, s, path);
  if (use !== "read") recordWrite(ctx.vars, name);
  return name;
}

/** Parses a whole-string integer (Java's `Integer.parseInt` after trim). */
export function parseIntText(text: string): number | undefined {
  const t = text.trim();
  if (!/^[-+]?\d+$/.test(t)) return undefined;
  const n = Number(t);
  return n >= -2147483648 && n <= 2147483647 ? n : undefined;
}

/** Moves the one condition key of a loaded record into `condition`. */
export function takeCondition<T extends Record<string, unknown>>(
  v: T,
): { rest: Omit<T, typeof CONDITION_KEYS[number]>; condition?: Condition } {
  const rest: Record<string, unknown> = { ...v };
  let condition: Condition | undefined;
  for (const k of CONDITION_KEYS) {
    if (rest[k] !== undefined) condition = { [k]: rest[k] } as Condition;
    delete rest[k];
  }
  return { rest: rest as Omit<T, typeof CONDITION_KEYS[number]>, condition };
}

/** The condition properties, of which a step takes one. */
export const CONDITION_GROUP: typeof CONDITION_KEYS[number][] = [...CONDITION_KEYS];

/** `name` or `name[N]` → `name`. */
export function baseSequenceName(name: string): string {
  return name.trim().replace(/\[[^\]]*\]$/, "").trim();
}

/** A sequence name; remembered so the scenario can check that it exists. */
export function sequenceName(): Shape<string> {
  const s = str("a sequence name");
  return {
    expected: s.expected,
    load(node, ctx, path) {
      const v = s.load(node, ctx, path);
      return v === undefined ? undefined : addSequenceRef(ctx, v, node, path);
    },
  };
}

export function addSequenceRef(ctx: LoadCtx, name: string, at: YNode, path: string): string {
  const base = baseSequenceName(name);
  ctx.sequenceRefs.push({ name: base, at: { line: at.line, col: at.col }, path });
  return base;
}

/** How a processor converts response bytes before storing them. */
export type DataFormat = "STRING" | "BYTES" | "BYTEBUF";
export function dataFormat(): Shape<DataFormat> {
  return oneOf(["STRING", "BYTES", "BYTEBUF"] as const);
}

/** An array variable with its size, written `var[N]`. */
export interface ArrayTarget {
  var: string;
  maxSize: number;
}

export function parseArrayTarget(
  text: string,
  ctx: LoadCtx,
  at: YNode,
  path: string,
): ArrayTarget | undefined {
  const m = /^\s*([^\s[\]]+)\s*\[\s*(\d+)\s*\]\s*$/.exec(text);
  if (!m || Number(m[2]) < 1) {
    ctx.diags.error(
      at,
      path,
      `Found '${text}', expected an array variable with its maximum size, e.g. 'items[16]'`,
    );
    return undefined;
  }
  recordWrite(ctx.vars, m[1]);
  return { var: m[1], maxSize: Number(m[2]) };
}

export function arrayTarget(): Shape<ArrayTarget> {
  const s = str("an array variable with its size, e.g. 'items[16]'");
  return {
    expected: s.expected,
    load(node, ctx, path) {
      const v = s.load(node, ctx, path);
      return v === undefined ? undefined : parseArrayTarget(v, ctx, node, path);
    },
  };
}

/** Items to pick from, with relative weights (all 1 when not weighted). */
export interface WeightedItems {
  items: string[];
  /** Relative weights, parallel to `items`; absent when all are equal. */
  weights?: number[];
}

/**
 * A weighted list: `[a, b]` (a repeated item counts twice), `[{a: 0.9}, b]`
 * or `{a: 0.9, b: 0.1}`.
 */
export function weightedItems(what: string): Shape<WeightedItems> {
  const expected = `a list of ${what}s or a mapping of ${what}s to weights`;
  return {
    expected,
    load(node, ctx, path) {
      const weights = new Map<string, number>();
      let ok = true;
      const weighted = (e: YEntry, p: string) => {
        const w = Number(e.value.kind === "scalar" ? e.value.value.trim() : NaN);
        if (e.value.kind !== "scalar" || e.value.isNull || !(w >= 0) || !Number.isFinite(w)) {
          {
            mismatch(ctx, e.value, `${p}.${e.key.value}`, "a weight (a number ≥ 0)");
            ok = false;
          }
        } else if (weights.has(e.key.value)) {
          ctx.diags.error(e.key, p, `Duplicate item '${e.key.value}'`);
          ok = false;
        } else {
          weights.set(e.key.value, w);
        }
      };
      if (node.kind === "map") {
        node.entries.forEach((e) => weighted(e, path));
      } else if (node.kind === "seq") {
        node.items.forEach((item, i) => {
          const p = `${path}[${i}]`;
          if (item.kind === "scalar" && !item.isNull) {
            weights.set(item.value, (weights.get(item.value) ?? 0) + 1);
          } else if (item.kind === "map") item.entries.forEach((e) => weighted(e, p));
          else {
            mismatch(ctx, item, p, `a ${what} or '${what}: weight'`);
            ok = false;
          }
        });
      } else {
        return mismatch(ctx, node, path, expected);
      }
      if (!ok) return undefined;
      if (weights.size === 0) {
        ctx.diags.error(node, path, `Expected at least one ${what}`);
        return undefined;
      }
      const items = [...weights.keys()];
      const w = [...weights.values()];
      if (w.every((x) => x === 0)) {
        ctx.diags.error(node, path, "At least one weight must be greater than 0");
        return undefined;
      }
      return w.every((x) => x === 1) ? { items } : { items, weights: w };
    },
  };
}

/**
 * How requests are named in statistics: a fixed name, or rules tried in order
 * on `authority + path` (a rule matches the whole string).
 */
export type MetricSelector = string | MetricRule[];
export type MetricRule =
  /** The matched string is the metric name. */
  | { match: string }
  /** `regex -> replacement`: `$1`… refer to groups. */
  | { match: string; replacement: string }
  /** `-> name`: used when nothing before matched. */
  | { otherwise: string };

function metricRule(s: YScalar, ctx: LoadCtx, path: string): MetricRule | undefined {
  const text = s.value.trim();
  const arrow = text.indexOf("->");
  if (arrow === 0) return { otherwise: text.slice(2).trim() };
  const regex = (arrow < 0 ? text : text.slice(0, arrow)).trim();
  try {
    new RegExp(regex);
  } catch {
    ctx.diags.error(s, path, `Invalid regular expression '${regex}' in metric rule '${text}'`);
    return undefined;
  }
  return arrow < 0 ? { match: regex } : { match: regex, replacement: text.slice(arrow + 2).trim() };
}

/** `metric`: a name, or a list of `regex`, `regex -> replacement`, `-> default`. */
export function metricSelector(namesAllowed = true): Shape<MetricSelector> {
  const expected = namesAllowed
    ? "a metric name or a list of rules ('regex -> name', 'regex', '-> default')"
    : "a list of rules ('regex -> name', 'regex', '-> default')";
  return {
    expected,
    load(node, ctx, path) {
      if (node.kind === "scalar" && !node.isNull && namesAllowed) return node.value;
      if (node.kind !== "seq") return mismatch(ctx, node, path, expected);
      const rules: MetricRule[] = [];
      let ok = true;
      node.items.forEach((item, i) => {
        const p = `${path}[${i}]`;
        const r = item.kind === "scalar" && !item.isNull
          ? metricRule(item, ctx, p)
          : mismatch(ctx, item, p, "a rule such as '.*\\.png -> images'");
        if (r === undefined) ok = false;
        else rules.push(r);
      });
      return ok ? rules : undefined;
    },
  };
}

/**
 * A list of named handlers (status or header handlers): a mapping of
 * `name: args`, or a list of `- name: args` and bare `- name`. Names may repeat
 * in the list form; order is kept.
 */
export function namedList<T extends { type: string }>(
  what: string,
  shapes: () => Record<string, Shape<unknown>>,
): Shape<T[]> {
  const expected = `a mapping or a list of ${what}s`;
  return {
    expected,
    load(node, ctx, path) {
      const known = shapes();
      const out: T[] = [];
      let ok = true;
      const one = (key: YScalar, args: YNode, p: string) => {
        const shape = Object.hasOwn(known, key.value) ? known[key.value] : undefined;
        if (shape === undefined) {
          ctx.diags.error(
            key,
            p,
            `Unknown ${what} '${key.value}'${didYouMean(key.value, Object.keys(known))}`,
          );
          ok = false;
          return;
        }
        const v = shape.load(args, ctx, `${p}.${key.value}`);
        if (v === undefined) ok = false;
        else out.push({ type: key.value, ...(v as object) } as T);
      };
      if (node.kind === "scalar" && node.isNull) return out;
      if (node.kind === "scalar") one(node, nullAt(node), path);
      else if (node.kind === "map") node.entries.forEach((e) => one(e.key, e.value, path));
      else {
        node.items.forEach((item, i) => {
          const p = `${path}[${i}]`;
          if (item.kind === "scalar" && !item.isNull) one(item, nullAt(item), p);
          else if (item.kind === "map") item.entries.forEach((e) => one(e.key, e.value, p));
          else {
            mismatch(ctx, item, p, `a ${what} ('name' or 'name: properties')`);
            ok = false;
          }
        });
      }
      return ok ? out : undefined;
    },
  };
}
