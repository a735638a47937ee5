/**
 * Shapes: small typed loaders for YAML values. A shape checks a node, reports
 * what it expected with the node's position, and returns typed plain data.
 * Steps, handlers and the top-level sections are all described with them.
 */
import type { Diagnostics } from "./diagnostics.ts";
import { describeNode, type YMap, type YNode, type YScalar } from "./node.ts";
import { didYouMean } from "./suggest.ts";
import { DURATION_EXPECTED, nsToMs, parseDurationNs } from "./units.ts";
import type { Registry } from "./registry.ts";
import type { VarUsage } from "./variables.ts";
import type { HttpEndpoint } from "./model.ts";
import type { Pos } from "./node.ts";

/** A reference to a sequence by name, checked once the scenario is loaded. */
export interface SequenceRef {
  name: string;
  at: Pos;
  path: string;
}

/** What every loader gets: where to report, how to read files, the step registry. */
export interface LoadCtx {
  diags: Diagnostics;
  /** Reads a data file named in the benchmark, relative to the benchmark's directory. */
  readFile(path: string): Uint8Array | undefined;
  /** Where `readFile(path)` looks, for "not found" messages. */
  describePath(path: string): string;
  /** The benchmark's HTTP endpoints (for authority checks in requests). */
  http: HttpEndpoint[];
  /** Sequences named by steps of the scenario being loaded. */
  sequenceRefs: SequenceRef[];
  registry: Registry;
  /** Variable reads and writes of the scenario being loaded. */
  vars: VarUsage;
  /** Data files embedded into the benchmark, by the name the benchmark uses (base64). */
  files: Record<string, string>;
}

export interface Shape<T> {
  /** What a valid value looks like, for "expected …" in messages. */
  readonly expected: string;
  load(node: YNode, ctx: LoadCtx, path: string): T | undefined;
}

export type ShapeType<S> = S extends Shape<infer T> ? T : never;

/** `path.key`, or `key` at the top level (where the path is empty). */
export function joinPath(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

/** Reports "found X, expected Y" at the node. */
export function mismatch(ctx: LoadCtx, node: YNode, path: string, expected: string): undefined {
  ctx.diags.error(node, path, `Found ${describeNode(node)}, expected ${expected}`);
  return undefined;
}

function scalarOf(node: YNode, ctx: LoadCtx, path: string, expected: string): YScalar | undefined {
  if (node.kind !== "scalar" || node.isNull) return mismatch(ctx, node, path, expected);
  return node;
}

export function str(expected = "a string"): Shape<string> {
  return {
    expected,
    load: (node, ctx, path) => scalarOf(node, ctx, path, expected)?.value,
  };
}

/** A string that may be empty (`key:` gives ""). */
export function optionalStr(expected = "a string"): Shape<string> {
  return {
    expected,
    load: (node, ctx, path) =>
      node.kind === "scalar"
        ? (node.isNull ? "" : node.value)
        : mismatch(ctx, node, path, expected),
  };
}

export interface NumberOptions {
  min?: number;
  max?: number;
  /** Rejects `min` itself (e.g. rates must be > 0). */
  exclusiveMin?: boolean;
}

function rangeText(o: NumberOptions): string {
  const parts = [];
  if (o.min !== undefined) parts.push(o.exclusiveMin ? `> ${o.min}` : `≥ ${o.min}`);
  if (o.max !== undefined) parts.push(`≤ ${o.max}`);
  return parts.length ? " " + parts.join(" and ") : "";
}

function numberShape(integer: boolean, o: NumberOptions): Shape<number> {
  const expected = (integer ? "an integer" : "a number") + rangeText(o);
  return {
    expected,
    load(node, ctx, path) {
      const s = scalarOf(node, ctx, path, expected);
      if (s === undefined) return undefined;
      const text = s.value.trim().replace(/_/g, "");
      const valid = integer
        ? /^[-+]?\d+$/.test(text)
        : /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text);
      const n = Number(text);
      if (!valid || !Number.isFinite(n)) return mismatch(ctx, node, path, expected);
      if (
        (o.min !== undefined && (o.exclusiveMin ? n <= o.min : n < o.min)) ||
        (o.max !== undefined && n > o.max)
      ) {
        return mismatch(ctx, node, path, expected);
      }
      return n;
    },
  };
}

export const int = (o: NumberOptions = {}): Shape<number> => numberShape(true, o);
export const num = (o: NumberOptions = {}): Shape<number> => numberShape(false, o);

export function bool(): Shape<boolean> {
  const expected = "'true' or 'false'";
  return {
    expected,
    load(node, ctx, path) {
      const s = scalarOf(node, ctx, path, expected);
      if (s === undefined) return undefined;
      const v = s.value.trim().toLowerCase();
      if (v === "true" || v === "yes" || v === "on") return true;
      if (v === "false" || v === "no" || v === "off") return false;
      return mismatch(ctx, node, path, expected);
    },
  };
}

/** One of fixed values, matched case-insensitively and returned as declared. */
export function oneOf<const V extends string>(values: readonly V[]): Shape<V> {
  const expected = "one of " + values.map((v) => `'${v}'`).join(", ");
  return {
    expected,
    load(node, ctx, path) {
      const s = scalarOf(node, ctx, path, expected);
      if (s === undefined) return undefined;
      const norm = (x: string) => x.toLowerCase().replace(/[-_]/g, "");
      const found = values.find((v) => norm(v) === norm(s.value.trim()));
      if (found !== undefined) return found;
      ctx.diags.error(
        node,
        path,
        `Found '${s.value}', expected ${expected}${didYouMean(s.value, values)}`,
      );
      return undefined;
    },
  };
}

/**
 * A duration in milliseconds. `bare` is the unit of a plain number: phase times
 * default to seconds; response times must carry a unit (bare undefined).
 */
export function duration(bare?: "s" | "ms"): Shape<number> {
  const expected = DURATION_EXPECTED + (bare ? "" : " (with a unit)");
  return {
    expected,
    load(node, ctx, path) {
      const s = scalarOf(node, ctx, path, expected);
      if (s === undefined) return undefined;
      const ns = parseDurationNs(s.value, bare);
      if (ns === undefined || ns < 0) return mismatch(ctx, node, path, expected);
      return nsToMs(ns);
    },
  };
}

/** Present-or-not keys such as `fromNow:`; any value counts as present. */
export function flag(): Shape<true> {
  return { expected: "no value", load: () => true };
}

/** A list of items; a single item without the list is accepted too when `single` is set. */
export function list<T>(item: Shape<T>, o: { single?: boolean } = {}): Shape<T[]> {
  const expected = `a list of ${item.expected.replace(/^an? /, "")}s`;
  return {
    expected,
    load(node, ctx, path) {
      if (node.kind !== "seq") {
        if (o.single && !(node.kind === "scalar" && node.isNull)) {
          const v = item.load(node, ctx, path);
          return v === undefined ? undefined : [v];
        }
        return mismatch(ctx, node, path, expected);
      }
      const out: T[] = [];
      node.items.forEach((n, i) => {
        const v = item.load(n, ctx, `${path}[${i}]`);
        if (v !== undefined) out.push(v);
      });
      return out;
    },
  };
}

/** A mapping with arbitrary keys and values of one shape, in source order. */
export function dict<T>(value: Shape<T>, expected = "a mapping"): Shape<[string, T][]> {
  return {
    expected,
    load(node, ctx, path) {
      if (node.kind !== "map") return mismatch(ctx, node, path, expected);
      const out: [string, T][] = [];
      for (const e of node.entries) {
        const v = value.load(e.value, ctx, joinPath(path, e.key.value));
        if (v !== undefined) out.push([e.key.value, v]);
      }
      return out;
    },
  };
}

// deno-lint-ignore no-explicit-any
export type Props = Record<string, Shape<any>>;
export type Loaded<P extends Props> = { [K in keyof P]?: ShapeType<P[K]> };

export interface ObjOptions<T> {
  /** Also accept a scalar (Hyperfoil's "inline definition"). */
  inline?: (s: YScalar, ctx: LoadCtx, path: string) => T | undefined;
  /** Also accept a list (e.g. a list of one-key mappings). */
  list?: (node: YNode & { kind: "seq" }, ctx: LoadCtx, path: string) => T | undefined;
  /** Keys that must be present. */
  required?: string[];
  /** Groups of keys of which at most one may be given. */
  exclusive?: string[][];
  /** Groups of keys of which exactly one must be given. */
  exactlyOne?: string[][];
  /** Final checks and defaults once properties are loaded. */
  finish?: (value: T, node: YMap, ctx: LoadCtx, path: string) => T | undefined;
  /** Name used in messages ("unknown property 'x' in awaitInt"). */
  name?: string;
}

/** A mapping with known properties; unknown ones are errors with a suggestion. */
export function obj<P extends Props, T extends Loaded<P> = Loaded<P>>(
  props: P,
  o: ObjOptions<T> = {},
): Shape<T> {
  const keys = Object.keys(props);
  const expected = o.inline ? "a scalar or a mapping" : "a mapping";
  return {
    expected,
    load(node, ctx, path) {
      if (
        node.kind === "scalar" && o.inline &&
        !(node.isNull && keys.length > 0 && o.required?.length)
      ) {
        return o.inline(node, ctx, path);
      }
      if (node.kind === "seq" && o.list) return o.list(node, ctx, path);
      if (node.kind === "scalar" && node.isNull && !o.required?.length && !o.exactlyOne?.length) {
        return (o.finish
          ? o.finish(
            {} as T,
            { kind: "map", entries: [], line: node.line, col: node.col },
            ctx,
            path,
          )
          : {}) as T;
      }
      if (node.kind !== "map") {
        const props = keys.length ? ` with properties ${listKeys(keys)}` : "";
        return mismatch(ctx, node, path, `${expected}${props}`);
      }
      return loadProps(props, node, ctx, path, o);
    },
  };
}

export function listKeys(keys: string[]): string {
  const shown = keys.slice(0, 8).map((k) => `'${k}'`);
  return shown.join(", ") + (keys.length > 8 ? ", …" : "");
}

function loadProps<P extends Props, T>(
  props: P,
  node: YMap,
  ctx: LoadCtx,
  path: string,
  o: ObjOptions<T>,
): T | undefined {
  const out: Record<string, unknown> = {};
  const seen = new Map<string, YScalar>();
  let ok = true;
  for (const { key, value } of node.entries) {
    const k = key.value;
    const shape = Object.hasOwn(props, k) ? props[k] : undefined;
    if (shape === undefined) {
      ctx.diags.error(
        key,
        path,
        `Unknown property '${k}'${o.name ? ` in ${o.name}` : ""}${
          didYouMean(k, Object.keys(props))
        }`,
      );
      ok = false;
      continue;
    }
    if (seen.has(k)) {
      ctx.diags.error(key, path, `Duplicate property '${k}'`);
      ok = false;
      continue;
    }
    seen.set(k, key);
    const v = shape.load(value, ctx, joinPath(path, k));
    if (v === undefined) ok = false;
    else out[k] = v;
  }
  for (const r of o.required ?? []) {
    if (!seen.has(r)) {
      ctx.diags.error(
        node,
        path,
        `Missing required property '${r}'${o.name ? ` in ${o.name}` : ""}`,
      );
      ok = false;
    }
  }
  for (const group of o.exclusive ?? []) {
    const given = group.filter((k) => seen.has(k));
    if (given.length > 1) {
      ctx.diags.error(
        seen.get(given[1]),
        path,
        `Properties ${listKeys(given)} cannot be combined: give only one`,
      );
      ok = false;
    }
  }
  for (const group of o.exactlyOne ?? []) {
    const given = group.filter((k) => seen.has(k));
    if (given.length !== 1) {
      const at = given.length ? seen.get(given[1]) : node;
      ctx.diags.error(
        at,
        path,
        `Expected exactly one of ${listKeys(group)}, found ${given.length}`,
      );
      ok = false;
    }
  }
  if (!ok) return undefined;
  return o.finish ? o.finish(out as T, node, ctx, path) : (out as T);
}

/** A shape defined by a function, for the odd cases. */
export function custom<T>(expected: string, load: Shape<T>["load"]): Shape<T> {
  return { expected, load };
}

/** Tries shapes by node kind: the first whose kind matches loads it. */
export function byKind<T>(
  expected: string,
  alts: { scalar?: Shape<T>; map?: Shape<T>; seq?: Shape<T> },
): Shape<T> {
  return {
    expected,
    load(node, ctx, path) {
      const kind = node.kind === "scalar" ? "scalar" : node.kind;
      const s = alts[kind];
      return s ? s.load(node, ctx, path) : mismatch(ctx, node, path, expected);
    },
  };
}
