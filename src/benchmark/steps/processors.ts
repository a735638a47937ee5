/**
 * Processors: consume response bodies (or other byte data) and store, parse
 * or pass on what they find. Every action is usable as a processor too.
 */
import type { YMap, YNode } from "../node.ts";
import type { Pattern } from "../pattern.ts";
import { elements, type StepRecord } from "../registry.ts";
import { bool, int, type LoadCtx, mismatch, type Shape, str } from "../shape.ts";
import { type Condition, conditionProps, pattern, readVar, writeVar } from "../sources.ts";
import {
  type ArrayTarget,
  arrayTarget,
  badInline,
  type Body,
  CONDITION_GROUP,
  type DataFormat,
  dataFormat,
  inlineVar,
  type MetricRule,
  metricSelector,
  parseArrayTarget,
  record,
  sequenceName,
  takeCondition,
} from "./_common.ts";

/** Checks a JSON query (`.a.b`, `.[]`, `.[].id`, `.items[1:3]`); returns a message when invalid. */
export function checkJsonQuery(query: string): string | undefined {
  if (!query.startsWith(".")) return `Invalid JSON query '${query}': it must start with '.'`;
  for (const m of query.matchAll(/\[([^\]]*)(\]?)/g)) {
    if (!m[2]) return `Invalid JSON query '${query}': '[' is not closed`;
    if (!/^\s*(-?\d+)?\s*(:\s*(-?\d+)?\s*)?$/.test(m[1])) {
      return `Invalid JSON query '${query}': expected '[]', '[n]' or '[from:to]', found '[${
        m[1]
      }]'`;
    }
  }
  return undefined;
}

/** What replaces the selected JSON value. */
export type JsonReplace =
  /** The value becomes this pattern (the selected value is not unquoted first). */
  | { pattern: Pattern }
  /** The value is stored in `var`, `actions` run, and `pattern` gives the replacement. */
  | { actions: { var: string; format: DataFormat; pattern?: Pattern; actions: StepRecord[] } };

/** Selects parts of a JSON document (a response body, or `fromVar` in the step form). */
export interface JsonRecord {
  type: "json";
  /** Step form only: the variable holding the JSON. */
  fromVar?: string;
  query: string;
  /** Shortcut: store the first match. */
  toVar?: string;
  /** Shortcut: store matches in an array `var[maxSize]`. */
  toArray?: ArrayTarget;
  /** Conversion for `toVar`/`toArray` (default STRING). */
  format: DataFormat;
  processors: StepRecord[];
  /** Delete the selected part from the document (the result goes to the processors). */
  delete: boolean;
  replace?: JsonReplace;
  /** Unquote and unescape string values (default true; false with a `replace` pattern string). */
  unquote: boolean;
}

function jsonReplace(): Shape<JsonReplace> {
  const patternTransformer = record({ pattern: pattern() }, {
    name: "pattern transformer",
    required: ["pattern"],
    inline: (s, ctx, path) => {
      const p = pattern().load(s, ctx, path);
      return p && { pattern: p };
    },
    build: (v) => ({ pattern: v.pattern! }),
  });
  const actions = record(
    { var: writeVar(), format: dataFormat(), pattern: pattern(), actions: elements("action") },
    {
      name: "actions transformer",
      required: ["var", "actions"],
      build: (v, at, ctx, path) => {
        if (v.actions!.length === 0) {
          ctx.diags.error(
            at,
            path,
            "List at least one action under 'actions' (or use the 'store' processor)",
          );
          return undefined;
        }
        return {
          actions: { ...v, format: v.format ?? "STRING" } as Extract<
            JsonReplace,
            { actions: unknown }
          >["actions"],
        };
      },
    },
  );
  const expected = "a pattern, or one of 'pattern', 'actions'";
  return {
    expected,
    load(node, ctx, path) {
      if (node.kind === "scalar" && !node.isNull) {
        const p = pattern().load(node, ctx, path);
        return p && { pattern: p };
      }
      const items = node.kind === "map"
        ? node.entries
        : node.kind === "seq"
        ? node.items.flatMap((i) => i.kind === "map" ? i.entries : [])
        : [];
      if (items.length !== 1 || (node.kind === "seq" && node.items.some((i) => i.kind !== "map"))) {
        return mismatch(
          ctx,
          node,
          path,
          "exactly one replacement: a pattern, 'pattern: …' or 'actions: …'",
        );
      }
      const { key, value } = items[0];
      if (key.value === "pattern") {
        return patternTransformer.load(value, ctx, `${path}.pattern`) as JsonReplace | undefined;
      }
      if (key.value === "actions") return actions.load(value, ctx, `${path}.actions`);
      ctx.diags.error(
        key,
        path,
        `Unknown replacement '${key.value}': expected 'pattern' or 'actions'`,
      );
      return undefined;
    },
  };
}

function parseJsonInline(s: YNode & { kind: "scalar" }, ctx: LoadCtx, path: string) {
  const text = s.value;
  const arrow = text.indexOf("->"), back = text.indexOf("<-");
  const [query, variable] = arrow >= 0
    ? [text.slice(0, arrow), text.slice(arrow + 2)]
    : back >= 0
    ? [text.slice(back + 2), text.slice(0, back)]
    : [undefined, undefined];
  const q = query?.trim();
  const toVar = variable === undefined ? undefined : inlineVar(variable, ctx, s, path, "write");
  if (!q || toVar === undefined) return badInline(ctx, s, path, "'query -> var' or 'var <- query'");
  const bad = checkJsonQuery(q);
  if (bad) return (ctx.diags.error(s, path, bad), undefined);
  return {
    query: q,
    toVar,
    format: "STRING" as const,
    processors: [],
    delete: false,
    unquote: true,
  };
}

function json(step: boolean): Shape<Body<JsonRecord>> {
  return record(
    {
      ...(step ? { fromVar: readVar() } : {}),
      query: str("a JSON query such as '.items[].id'"),
      toVar: writeVar(),
      toArray: arrayTarget(),
      format: dataFormat(),
      processor: elements("processor"),
      delete: bool(),
      replace: jsonReplace(),
      unquote: bool(),
    },
    {
      name: "json",
      required: step ? ["fromVar", "query"] : ["query"],
      inline: step ? undefined : parseJsonInline,
      build: (v, at, ctx, path) => {
        const bad = checkJsonQuery(v.query!);
        if (bad) return (ctx.diags.error(at, path, bad), undefined);
        const processors = v.processor ?? [];
        if (processors.length === 0 && v.toVar === undefined && v.toArray === undefined) {
          ctx.diags.error(
            at,
            path,
            "The json query stores nothing: set 'toVar', 'toArray' or 'processor'",
          );
          return undefined;
        }
        const fromVar = (v as { fromVar?: string }).fromVar;
        return {
          ...(fromVar !== undefined ? { fromVar } : {}),
          query: v.query!,
          ...(v.toVar !== undefined ? { toVar: v.toVar } : {}),
          ...(v.toArray !== undefined ? { toArray: v.toArray } : {}),
          format: v.format ?? "STRING",
          processors,
          delete: v.delete ?? false,
          ...(v.replace !== undefined ? { replace: v.replace } : {}),
          // Hyperfoil turns unquoting off for a plain replacement pattern.
          unquote: v.unquote ?? !(v.replace && "pattern" in v.replace && isScalarReplace(at)),
        };
      },
    },
  );
}

function isScalarReplace(at: YMap): boolean {
  return at.entries.find((e) => e.key.value === "replace")?.value.kind === "scalar";
}

/** The `json` processor (response bodies). */
export function jsonProcessor(): Shape<Body<JsonRecord>> {
  return json(false);
}

/** The `json` step (parses the JSON in `fromVar`). */
export function jsonStep(): Shape<Body<JsonRecord>> {
  return json(true);
}

/** Parses HTML and handles embedded resources and tag attributes. */
export interface ParseHtmlRecord {
  type: "parseHtml";
  onEmbeddedResource?: EmbeddedResourceHandler;
  onTagAttribute: TagAttributeHandler[];
}

/** Resources referenced by `img src`, `link href`, `script src`, `embed/frame/iframe src`, `object data`. */
export interface EmbeddedResourceHandler {
  /** Skip resources on hosts the benchmark's `http` section does not cover (default true). */
  ignoreExternal: boolean;
  /** Processors that receive each resource URL. */
  processors: StepRecord[];
  fetchResource?: FetchResource;
}

/** Downloads the embedded resources automatically. */
export interface FetchResource {
  maxResources: number;
  /** Concurrent downloads (default 8). */
  concurrency: number;
  /** Metric rules for the downloads; default: authority and path. */
  metric?: MetricRule[];
  /** Actions run when all resources are downloaded. */
  onCompletion: StepRecord[];
}

export interface TagAttributeHandler {
  tag: string;
  attribute: string;
  toVar?: string;
  toArray?: ArrayTarget;
  format: DataFormat;
  processors: StepRecord[];
}

function fetchResource(): Shape<FetchResource> {
  return record(
    {
      maxResources: int({ min: 1 }),
      concurrency: int({ min: 1 }),
      metric: metricSelector(false),
      onCompletion: elements("action"),
    },
    {
      name: "fetchResource",
      required: ["maxResources"],
      mergeList: true,
      build: (v) => ({
        maxResources: v.maxResources!,
        concurrency: v.concurrency ?? 8,
        ...(v.metric !== undefined ? { metric: v.metric as MetricRule[] } : {}),
        onCompletion: v.onCompletion ?? [],
      }),
    },
  );
}

function embeddedResource(): Shape<EmbeddedResourceHandler> {
  return record(
    { fetchResource: fetchResource(), ignoreExternal: bool(), processor: elements("processor") },
    {
      name: "onEmbeddedResource",
      mergeList: true,
      build: (v, at, ctx, path) => {
        const processors = v.processor ?? [];
        if (processors.length === 0 && !v.fetchResource) {
          ctx.diags.error(
            at,
            path,
            "Set 'processor' or 'fetchResource' to handle the embedded resources",
          );
          return undefined;
        }
        return {
          ignoreExternal: v.ignoreExternal ?? true,
          processors,
          ...(v.fetchResource ? { fetchResource: v.fetchResource } : {}),
        };
      },
    },
  );
}

function tagAttribute(): Shape<TagAttributeHandler> {
  return record(
    {
      tag: str("a tag name"),
      attribute: str("an attribute name"),
      toVar: writeVar(),
      toArray: arrayTarget(),
      format: dataFormat(),
      processor: elements("processor"),
    },
    {
      name: "onTagAttribute",
      required: ["tag", "attribute"],
      build: (v, at, ctx, path) => {
        const processors = v.processor ?? [];
        if (processors.length === 0 && v.toVar === undefined && v.toArray === undefined) {
          ctx.diags.error(
            at,
            path,
            "Set 'toVar', 'toArray' or 'processor' to handle the attribute values",
          );
          return undefined;
        }
        const { processor: _, ...rest } = v;
        return { ...rest, format: v.format ?? "STRING", processors } as TagAttributeHandler;
      },
    },
  );
}

export function parseHtml(): Shape<Body<ParseHtmlRecord>> {
  const one = tagAttribute();
  const tags: Shape<TagAttributeHandler[]> = {
    expected: "a mapping or a list of them",
    load(node, ctx, path) {
      if (node.kind !== "seq") {
        const t = one.load(node, ctx, path);
        return t && [t];
      }
      const out: TagAttributeHandler[] = [];
      let ok = true;
      node.items.forEach((item, i) => {
        const t = one.load(item, ctx, `${path}[${i}]`);
        if (t === undefined) ok = false;
        else out.push(t);
      });
      return ok ? out : undefined;
    },
  };
  return record({ onEmbeddedResource: embeddedResource(), onTagAttribute: tags }, {
    name: "parseHtml",
    build: (v, at, ctx, path) => {
      if (!v.onEmbeddedResource && !v.onTagAttribute?.length) {
        ctx.diags.error(
          at,
          path,
          "Set 'onEmbeddedResource' or 'onTagAttribute' to handle the HTML",
        );
        return undefined;
      }
      return {
        ...(v.onEmbeddedResource ? { onEmbeddedResource: v.onEmbeddedResource } : {}),
        onTagAttribute: v.onTagAttribute ?? [],
      };
    },
  });
}

/** Stores items in a queue `var` and starts `sequence` instances to consume them. */
export interface QueueRecord {
  type: "queue";
  var: string;
  maxSize: number;
  format: DataFormat;
  /** Consuming sequences running at once (default: the sequence's concurrency). */
  concurrency?: number;
  sequence: string;
  /** Actions run when the last consumer finishes. */
  onCompletion: StepRecord[];
}

export function queue(): Shape<Body<QueueRecord>> {
  return record(
    {
      var: writeVar(),
      maxSize: int({ min: 1 }),
      format: dataFormat(),
      concurrency: int({ min: 1 }),
      sequence: sequenceName(),
      onCompletion: elements("action"),
    },
    {
      name: "queue",
      required: ["var", "maxSize", "sequence"],
      build: (v) =>
        ({ ...v, format: v.format ?? "STRING", onCompletion: v.onCompletion ?? [] }) as Body<
          QueueRecord
        >,
    },
  );
}

/** Stores the data in `toVar`. */
export interface StoreRecord {
  type: "store";
  toVar: string;
  format: DataFormat;
}

function inlineTarget(use: "write") {
  return (s: YNode & { kind: "scalar" }, ctx: LoadCtx, path: string) => {
    const toVar = inlineVar(s.value, ctx, s, path, use);
    return toVar === undefined ? badInline(ctx, s, path, "a variable name") : { toVar };
  };
}

export function store(): Shape<Body<StoreRecord>> {
  return record({ toVar: writeVar(), format: dataFormat() }, {
    name: "store",
    required: ["toVar"],
    inline: (s, ctx, path) => {
      const t = inlineTarget("write")(s, ctx, path);
      return t && { ...t, format: "STRING" };
    },
    build: (v) => ({ toVar: v.toVar!, format: v.format ?? "STRING" }),
  });
}

/** Deprecated name of `store`; loads as a `store` record. */
export function simple(): Shape<Body<StoreRecord>> {
  const s = store();
  return {
    expected: s.expected,
    load(node, ctx, path) {
      ctx.diags.warn(node, path, "The 'simple' processor is deprecated: use 'store'");
      const r = s.load(node, ctx, path);
      // A `type` in the body replaces the element name the registry puts there.
      return r && ({ type: "store", ...r } as Body<StoreRecord>);
    },
  };
}

/** Parses the data as an integer into `toVar`. */
export interface StoreIntRecord {
  type: "storeInt";
  toVar: string;
  /** Allow overwriting an already set value (default false). */
  override: boolean;
}

export function storeInt(): Shape<Body<StoreIntRecord>> {
  return record({ toVar: writeVar(), override: bool() }, {
    name: "storeInt",
    required: ["toVar"],
    inline: (s, ctx, path) => {
      const t = inlineTarget("write")(s, ctx, path);
      return t && { ...t, override: false };
    },
    build: (v) => ({ toVar: v.toVar!, override: v.override ?? false }),
  });
}

/** Stores each occurrence into the next free slot of the array `toVar[maxSize]`. */
export interface ArrayRecord {
  type: "array";
  toVar: string;
  maxSize: number;
  format: DataFormat;
  /** Do not warn when the array is full. */
  silent: boolean;
}

export function array(): Shape<Body<ArrayRecord>> {
  return record({
    toVar: writeVar(),
    maxSize: int({ min: 1 }),
    format: dataFormat(),
    silent: bool(),
  }, {
    name: "array",
    required: ["toVar", "maxSize"],
    inline: (s, ctx, path) => {
      const t = parseArrayTarget(s.value, ctx, s, path);
      return t && { toVar: t.var, maxSize: t.maxSize, format: "STRING", silent: false };
    },
    build: (v) => ({
      toVar: v.toVar!,
      maxSize: v.maxSize!,
      format: v.format ?? "STRING",
      silent: v.silent ?? false,
    }),
  });
}

/** Appends each occurrence to a growing list in `toVar`. */
export interface CollectionRecord {
  type: "collection";
  toVar: string;
  format: DataFormat;
}

export function collection(): Shape<Body<CollectionRecord>> {
  return record({ toVar: writeVar(), format: dataFormat() }, {
    name: "collection",
    required: ["toVar"],
    inline: (s, ctx, path) => {
      const t = inlineTarget("write")(s, ctx, path);
      return t && { ...t, format: "STRING" };
    },
    build: (v) => ({ toVar: v.toVar!, format: v.format ?? "STRING" }),
  });
}

/** Counts occurrences into the integer `toVar`. */
export interface CountRecord {
  type: "count";
  toVar: string;
}

export function count(): Shape<Body<CountRecord>> {
  return record({ toVar: writeVar() }, {
    name: "count",
    required: ["toVar"],
    inline: inlineTarget("write"),
    build: (v) => ({ toVar: v.toVar! }),
  });
}

/** Decompresses gzip data (when `encodingVar` says so) before passing it on. */
export interface GzipInflatorRecord {
  type: "gzipInflator";
  /** Variable holding the content encoding seen in the headers. */
  encodingVar?: string;
  processors: StepRecord[];
}

export function gzipInflator(): Shape<Body<GzipInflatorRecord>> {
  return record({ encodingVar: readVar(), processor: elements("processor") }, {
    name: "gzipInflator",
    build: (v) => ({
      ...(v.encodingVar !== undefined ? { encodingVar: v.encodingVar } : {}),
      processors: v.processor ?? [],
    }),
  });
}

/** Passes the data to `processors` (and runs `actions`) when the condition holds. */
export interface ConditionalProcessorRecord {
  type: "conditional";
  condition: Condition;
  processors: StepRecord[];
  actions: StepRecord[];
}

export function conditionalProcessor(): Shape<Body<ConditionalProcessorRecord>> {
  return record(
    { ...conditionProps(), processor: elements("processor"), actions: elements("action") },
    {
      name: "conditional",
      exactlyOne: [CONDITION_GROUP],
      build: (v, at, ctx, path) => {
        const { rest, condition } = takeCondition(v);
        if (!rest.processor?.length && !rest.actions?.length) {
          ctx.diags.error(at, path, "List at least one processor under 'processor'");
          return undefined;
        }
        return {
          condition: condition!,
          processors: rest.processor ?? [],
          actions: rest.actions ?? [],
        };
      },
    },
  );
}
