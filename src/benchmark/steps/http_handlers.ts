/**
 * HTTP response handlers of `httpRequest.handler`: status handlers, header
 * handlers, raw-bytes handlers, body processors and completion actions.
 */
import type { FollowRedirect } from "../model.ts";
import type { YEntry, YNode, YScalar } from "../node.ts";
import { elements, type StepRecord } from "../registry.ts";
import { bool, int, type LoadCtx, mismatch, oneOf, type Shape, str } from "../shape.ts";
import {
  type Condition,
  conditionProps,
  stringFilter,
  type StringMatch,
  writeVar,
} from "../sources.ts";
import { didYouMean } from "../suggest.ts";
import {
  badInline,
  CONDITION_GROUP,
  inlineVar,
  namedList,
  nullAt,
  record,
  takeCondition,
} from "./_common.ts";

/** Status codes `min` to `max`, inclusive. */
export interface StatusRange {
  min: number;
  max: number;
}

/**
 * `204` → 204..204, `2xx` → 200..299, `30x` → 300..309, `200-210` → 200..210.
 * Returns undefined when the text is not a range of codes within 100..599.
 */
export function parseStatusRange(text: string): StatusRange | undefined {
  const t = text.trim();
  let min: number, max: number;
  const dash = /^(\d+)\s*-\s*(\d+)$/.exec(t);
  if (dash) {
    min = Number(dash[1]);
    max = Number(dash[2]);
  } else {
    const m = /^(\d+)(x*)$/i.exec(t);
    if (!m) return undefined;
    const mul = 10 ** m[2].length;
    min = Number(m[1]) * mul;
    max = (Number(m[1]) + 1) * mul - 1;
  }
  return min <= max && min >= 100 && max <= 599 ? { min, max } : undefined;
}

const RANGE_EXPECTED = "a status range such as '200', '2xx', '30x' or '200-399'";

/** `2xx,404` → ranges; reports the first bad part. */
function parseRanges(
  text: string,
  at: YNode,
  ctx: LoadCtx,
  path: string,
): StatusRange[] | undefined {
  const out: StatusRange[] = [];
  for (const part of text.split(",")) {
    const r = parseStatusRange(part);
    if (r === undefined) {
      ctx.diags.error(at, path, `Found '${part.trim()}' in '${text}', expected ${RANGE_EXPECTED}`);
      return undefined;
    }
    out.push(r);
  }
  return out;
}

/** Ranges given as a scalar (`2xx`, `200, 404`), `{min, max}`, or a list of these. */
function statusRanges(): Shape<StatusRange[]> {
  const minMax = record({ min: int({ min: 100, max: 599 }), max: int({ min: 100, max: 599 }) }, {
    name: "range",
    build: (v, at, ctx, path) => {
      const r = { min: v.min ?? 200, max: v.max ?? 299 };
      if (r.min > r.max) {
        return (ctx.diags.error(at, path, `'min' (${r.min}) is greater than 'max' (${r.max})`),
          undefined);
      }
      return r;
    },
  });
  const one = (node: YNode, ctx: LoadCtx, path: string): StatusRange[] | undefined => {
    if (node.kind === "scalar" && !node.isNull) return parseRanges(node.value, node, ctx, path);
    if (node.kind === "map") {
      const r = minMax.load(node, ctx, path);
      return r && [r];
    }
    return mismatch(ctx, node, path, `${RANGE_EXPECTED}, or 'min' and 'max'`);
  };
  return {
    expected: RANGE_EXPECTED,
    load(node, ctx, path) {
      if (node.kind !== "seq") return one(node, ctx, path);
      const out: StatusRange[] = [];
      let ok = true;
      node.items.forEach((item, i) => {
        const r = one(item, ctx, `${path}[${i}]`);
        if (r === undefined) ok = false;
        else out.push(...r);
      });
      return ok ? out : undefined;
    },
  };
}

/** Marks the response invalid unless its status is in one of `ranges`. */
export interface RangeStatusHandler {
  type: "range";
  ranges: StatusRange[];
}

/** Counts (or sets) an integer variable for responses with `expectStatus` (any status without it). */
export interface CounterStatusHandler {
  type: "counter";
  var: string;
  expectStatus?: number;
  /** Value the variable starts from (default 0). */
  init: number;
  add?: number;
  set?: number;
}

/** Stores the status code in `toVar`. */
export interface StoreStatusHandler {
  type: "store";
  toVar: string;
}

/** Runs the actions of the first case whose ranges hold the status, else `other`. */
export interface ActionStatusHandler {
  type: "action";
  cases: { ranges: StatusRange[]; actions: StepRecord[] }[];
  other?: StepRecord[];
}

/** Passes the status to the handlers of the matching case, else `other`. */
export interface MultiplexStatusHandler {
  type: "multiplex";
  cases: { ranges: StatusRange[]; handlers: StatusHandlerRecord[] }[];
  other?: StatusHandlerRecord[];
}

/** Counts each status code in custom statistics. */
export interface StatsStatusHandler {
  type: "stats";
}

export type StatusHandlerRecord =
  | RangeStatusHandler
  | CounterStatusHandler
  | StoreStatusHandler
  | ActionStatusHandler
  | MultiplexStatusHandler
  | StatsStatusHandler;

/**
 * `{"2xx,404": value, other: value}` (or a list of such mappings) → cases;
 * overlapping ranges are errors.
 */
function rangeCases<T>(
  name: string,
  value: () => Shape<T>,
): Shape<{ cases: { ranges: StatusRange[]; value: T }[]; other?: T }> {
  const expected = "a mapping of status ranges (e.g. '2xx,404' or 'other') to handlers";
  return {
    expected,
    load(node, ctx, path) {
      let entries: YEntry[];
      if (node.kind === "map") entries = node.entries;
      else if (node.kind === "seq" && node.items.every((i) => i.kind === "map")) {
        entries = node.items.flatMap((i) => i.kind === "map" ? i.entries : []);
      } else return mismatch(ctx, node, path, expected);
      const cases: { ranges: StatusRange[]; value: T; at: YScalar }[] = [];
      let other: T | undefined;
      let ok = true;
      for (const { key, value: v } of entries) {
        const p = `${path}.${key.value}`;
        const loaded = value().load(v, ctx, p);
        if (key.value.trim() === "other") {
          if (loaded === undefined) ok = false;
          else other = loaded;
          continue;
        }
        const ranges = parseRanges(key.value, key, ctx, path);
        if (ranges === undefined || loaded === undefined) ok = false;
        else cases.push({ ranges, value: loaded, at: key });
      }
      if (!ok) return undefined;
      const all = cases.flatMap((c) => c.ranges.map((r) => ({ ...r, at: c.at }))).sort((a, b) =>
        a.min - b.min
      );
      for (let i = 1; i < all.length; i++) {
        if (all[i].min <= all[i - 1].max) {
          const [a, b] = [all[i - 1], all[i]];
          ctx.diags.error(
            b.at,
            path,
            `Overlapping status ranges in ${name}: ${a.min}-${a.max} and ${b.min}-${b.max}`,
          );
          return undefined;
        }
      }
      return {
        cases: cases.map(({ ranges, value }) => ({ ranges, value })),
        ...(other !== undefined ? { other } : {}),
      };
    },
  };
}

function statusShapes(): Record<string, Shape<unknown>> {
  const ranges = statusRanges();
  return {
    range: {
      expected: ranges.expected,
      load: (node, ctx, path) => {
        const r = ranges.load(node, ctx, path);
        return r && { ranges: r };
      },
    },
    counter: record(
      {
        var: writeVar(),
        expectStatus: int({ min: 100, max: 599 }),
        init: int(),
        add: int(),
        set: int(),
      },
      {
        name: "counter",
        required: ["var"],
        exactlyOne: [["add", "set"]],
        build: (v) => ({ ...v, init: v.init ?? 0 }),
      },
    ),
    store: record({ toVar: writeVar() }, {
      name: "store",
      required: ["toVar"],
      inline: (s, ctx, path) => {
        const toVar = inlineVar(s.value, ctx, s, path, "write");
        return toVar === undefined ? badInline(ctx, s, path, "a variable name") : { toVar };
      },
    }),
    action: mapCases("action", () => elements("action"), "actions"),
    multiplex: mapCases("multiplex", statusHandlers, "handlers"),
    stats: record({}, { name: "stats" }),
  };
}

function mapCases<T>(name: string, value: () => Shape<T>, field: string): Shape<unknown> {
  const c = rangeCases(name, value);
  return {
    expected: c.expected,
    load(node, ctx, path) {
      const r = c.load(node, ctx, path);
      if (r === undefined) return undefined;
      return {
        cases: r.cases.map((x) => ({ ranges: x.ranges, [field]: x.value })),
        ...(r.other !== undefined ? { other: r.other } : {}),
      };
    },
  };
}

/** `status:` handlers, as a mapping or a list. */
export function statusHandlers(): Shape<StatusHandlerRecord[]> {
  return namedList<StatusHandlerRecord>("status handler", statusShapes);
}

/** Passes headers whose name matches `header` to `processors` (values as data). */
export interface FilterHeaderHandler {
  type: "filter";
  /** Condition on the header name; case-insensitive unless `caseSensitive: true`. */
  header: StringMatch;
  processors: StepRecord[];
}

/** Passes headers to `handlers` when the condition holds. */
export interface ConditionalHeaderHandler {
  type: "conditional";
  condition: Condition;
  handlers: HeaderHandlerRecord[];
}

/** Counts each header name in custom statistics. */
export interface CountHeadersHandler {
  type: "countHeaders";
}

/** Records a header's value as a response time in its own metric. */
export interface RecordHeaderTimeHandler {
  type: "recordHeaderTime";
  header: string;
  /** Default: the header name. */
  metric: string;
  /** Unit of the header value (default ns). */
  unit: "ms" | "ns";
}

/** Logs the headers of responses marked invalid. */
export interface LogInvalidHeaderHandler {
  type: "logInvalid";
}

export type HeaderHandlerRecord =
  | FilterHeaderHandler
  | ConditionalHeaderHandler
  | CountHeadersHandler
  | RecordHeaderTimeHandler
  | LogInvalidHeaderHandler;

function headerShapes(): Record<string, Shape<unknown>> {
  return {
    filter: record({ header: stringFilter(), processor: elements("processor") }, {
      name: "filter",
      build: (v, at, ctx, path) => {
        if (!v.processor?.length) {
          ctx.diags.error(at, path, "List at least one processor under 'processor'");
          return undefined;
        }
        return { header: { caseSensitive: false, ...v.header }, processors: v.processor };
      },
    }),
    conditional: record({ ...conditionProps(), handler: headerHandlers() }, {
      name: "conditional",
      exactlyOne: [CONDITION_GROUP],
      build: (v, at, ctx, path) => {
        const { rest, condition } = takeCondition(v);
        if (!rest.handler?.length) {
          ctx.diags.error(at, path, "List at least one header handler under 'handler'");
          return undefined;
        }
        return { condition: condition!, handlers: rest.handler };
      },
    }),
    countHeaders: record({}, { name: "countHeaders" }),
    recordHeaderTime: record(
      {
        header: str("a header name"),
        metric: str("a metric name"),
        unit: oneOf(["ms", "ns"] as const),
      },
      {
        name: "recordHeaderTime",
        required: ["header"],
        inline: (s) => ({ header: s.value.trim(), metric: s.value.trim(), unit: "ns" as const }),
        build: (v, at, ctx, path) => {
          // deno-lint-ignore no-control-regex
          if (/[^\x00-\xff]/.test(v.header!)) {
            ctx.diags.error(at, path, `Header name '${v.header}' must be ASCII`);
            return undefined;
          }
          return { header: v.header!, metric: v.metric ?? v.header!, unit: v.unit ?? "ns" };
        },
      },
    ),
    logInvalid: record({}, { name: "logInvalid" }),
  };
}

/** `header:` handlers, as a mapping or a list. */
export function headerHandlers(): Shape<HeaderHandlerRecord[]> {
  return namedList<HeaderHandlerRecord>("header handler", headerShapes);
}

/** Adds request and response sizes to a custom metric `key`. */
export interface TransferSizeRecorder {
  type: "transferSizeRecorder";
  key: string;
}

export type RawBytesHandlerRecord = TransferSizeRecorder;

export function rawBytesHandlers(): Shape<RawBytesHandlerRecord[]> {
  return namedList<RawBytesHandlerRecord>("raw bytes handler", () => ({
    transferSizeRecorder: record({ key: str("a metric name") }, {
      name: "transferSizeRecorder",
      required: ["key"],
    }),
  }));
}

/** Everything `handler:` configures; unset flags fall back to the benchmark's ergonomics. */
export interface HttpHandlers {
  status: StatusHandlerRecord[];
  header: HeaderHandlerRecord[];
  /** Body processors. */
  body: StepRecord[];
  rawBytes: RawBytesHandlerRecord[];
  onCompletion: StepRecord[];
  autoRangeCheck?: boolean;
  stopOnInvalid?: boolean;
  followRedirect?: FollowRedirect;
}

export function emptyHandlers(): HttpHandlers {
  return { status: [], header: [], body: [], rawBytes: [], onCompletion: [] };
}

const HANDLER_KEYS = [
  "status",
  "header",
  "body",
  "rawBytes",
  "onCompletion",
  "autoRangeCheck",
  "stopOnInvalid",
  "followRedirect",
] as const;

/**
 * `handler:` as a mapping, or a list of mappings whose handler lists are
 * concatenated (so `status` may appear in several items).
 */
export function httpHandlers(): Shape<HttpHandlers> {
  const lists = {
    status: statusHandlers(),
    header: headerHandlers(),
    body: elements("processor"),
    rawBytes: rawBytesHandlers(),
    onCompletion: elements("action"),
  };
  const flags = {
    autoRangeCheck: bool(),
    stopOnInvalid: bool(),
    followRedirect: oneOf(["NEVER", "LOCATION_ONLY", "HTML_ONLY", "ALWAYS"] as const),
  };
  const expected =
    "a mapping with 'status', 'header', 'body', 'onCompletion', … (or a list of them)";
  return {
    expected,
    load(node, ctx, path) {
      let entries: YEntry[];
      if (node.kind === "scalar" && node.isNull) return emptyHandlers();
      if (node.kind === "map") entries = node.entries;
      else if (node.kind === "seq") {
        entries = [];
        for (const item of node.items) {
          if (item.kind === "map") entries.push(...item.entries);
          else if (item.kind === "scalar" && !item.isNull) {
            entries.push({ key: item, value: nullAt(item) });
          } else return mismatch(ctx, item, path, "a mapping");
        }
      } else return mismatch(ctx, node, path, expected);
      const out = emptyHandlers();
      let ok = true;
      const seenFlags = new Set<string>();
      for (const { key, value } of entries) {
        const k = key.value, p = `${path}.${k}`;
        if (Object.hasOwn(lists, k)) {
          const v = (lists as Record<string, Shape<unknown[]>>)[k].load(value, ctx, p);
          if (v === undefined) ok = false;
          else (out[k as keyof typeof lists] as unknown[]).push(...v);
        } else if (Object.hasOwn(flags, k)) {
          if (seenFlags.has(k)) {
            ctx.diags.error(key, path, `Duplicate property '${k}'`);
            ok = false;
            continue;
          }
          seenFlags.add(k);
          const v = (flags as Record<string, Shape<unknown>>)[k].load(value, ctx, p);
          if (v === undefined) ok = false;
          else (out as unknown as Record<string, unknown>)[k] = v;
        } else {
          ctx.diags.error(
            key,
            path,
            `Unknown property '${k}' in handler${didYouMean(k, HANDLER_KEYS)}`,
          );
          ok = false;
        }
      }
      return ok ? out : undefined;
    },
  };
}
