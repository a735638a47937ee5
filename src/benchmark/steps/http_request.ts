/**
 * `httpRequest` (REFERENCE §2.1) and the other HTTP and HotRod steps. The
 * request target is resolved against the benchmark's `http` section when it
 * is known at load time.
 */
import { readDataFile } from "../data_files.ts";
import type { HttpEndpoint, Sla } from "../model.ts";
import type { YMap, YNode } from "../node.ts";
import { isConstant, type Pattern } from "../pattern.ts";
import {
  bool,
  custom,
  duration,
  type LoadCtx,
  mismatch,
  num,
  oneOf,
  type Shape,
  str,
} from "../shape.ts";
import { DEFAULT_SLA, slaList } from "../sla.ts";
import { loadPattern, pattern, readVar, type StringSource, stringSource } from "../sources.ts";
import { didYouMean } from "../suggest.ts";
import { type Body, type MetricSelector, metricSelector, record } from "./_common.ts";
import { emptyHandlers, type HttpHandlers, httpHandlers } from "./http_handlers.ts";

export const HTTP_METHODS = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "OPTIONS",
  "PATCH",
  "TRACE",
  "CONNECT",
] as const;
export type HttpMethod = typeof HTTP_METHODS[number];

/** A request header; the value is a pattern, a constant or a variable's value. */
export interface HttpHeader {
  name: string;
  value: StringSource;
}

/** A form field; constant values and pattern results are URL-encoded when sent. */
export interface FormField {
  name: string;
  value: StringSource;
}

export type HttpBody =
  /** Sent as-is. */
  | { text: string }
  | { pattern: Pattern }
  /** The variable's string or bytes. */
  | { fromVar: string }
  /** A data file, embedded in `Benchmark.files` under this name. */
  | { fromFile: string }
  /** `application/x-www-form-urlencoded`; the content-type header is added. */
  | { form: FormField[] };

export interface HttpCompression {
  encoding: "gzip";
  /** `Accept-Encoding`/`Content-Encoding` or `TE`/`Transfer-Encoding`. */
  type: "CONTENT_ENCODING" | "TRANSFER_ENCODING";
}

/** Closed-model compensation for coordinated omission: a `compensated-<metric>` series. */
export interface HttpCompensation {
  /** Desired rate of new users per second (iteration 0). */
  targetRate: number;
  /** Added to `targetRate` in each further iteration. */
  targetRateIncrement: number;
  /** Default: `compensated-` + the request's metric. */
  metric?: MetricSelector;
}

export interface HttpRequestRecord {
  type: "httpRequest";
  method: HttpMethod;
  path: StringSource;
  /**
   * `host:port` of the target endpoint when known at load time: a constant
   * `authority`, an `endpoint` name, or the default target.
   */
  authority?: string;
  /** An authority computed per request (pattern with variables, or `fromVar`); not checked at load time. */
  dynamicAuthority?: StringSource;
  /** The endpoint name, when given as a constant. */
  endpoint?: string;
  /** An endpoint name computed per request. */
  dynamicEndpoint?: StringSource;
  headers: HttpHeader[];
  body?: HttpBody;
  /** The sequence waits for the response (default true). */
  sync: boolean;
  /** ms; overrides the endpoint's `requestTimeout`. */
  timeout?: number;
  /** Absent: the sequence name. */
  metric?: MetricSelector;
  compression?: HttpCompression;
  compensation?: HttpCompensation;
  /** Explicit SLAs, or the default one. */
  sla: Sla[];
  handler: HttpHandlers;
}

function headersShape(): Shape<HttpHeader[]> {
  const value = custom<StringSource>("a header value", (node, ctx, path) => {
    if (node.kind === "scalar") {
      const p = loadPattern(node, ctx, path);
      return p && { pattern: p };
    }
    return record({ fromVar: readVar(), pattern: pattern() }, {
      name: "header value",
      exactlyOne: [["fromVar", "pattern"]],
      build: (v) => v as StringSource,
    }).load(node, ctx, path);
  });
  const expected = "a mapping of header names to values";
  return custom(expected, (node, ctx, path) => {
    const entries = node.kind === "map"
      ? node.entries
      : node.kind === "seq" && node.items.every((i) => i.kind === "map")
      ? node.items.flatMap((i) => i.kind === "map" ? i.entries : [])
      : undefined;
    if (entries === undefined) return mismatch(ctx, node, path, expected);
    const out: HttpHeader[] = [];
    let ok = true;
    for (const { key, value: v } of entries) {
      if (key.value.toLowerCase() === "host") {
        ctx.diags.warn(
          key,
          path,
          "Setting the 'host' header is not recommended: it disables the automatic one; use the endpoint's 'addresses' to change where requests go",
        );
      }
      const s = value.load(v, ctx, `${path}.${key.value}`);
      if (s === undefined) ok = false;
      else out.push({ name: key.value, value: s });
    }
    return ok ? out : undefined;
  });
}

function formShape(): Shape<FormField[]> {
  const field = record(
    {
      name: str("a field name"),
      value: custom("a string", anyString),
      fromVar: readVar(),
      pattern: pattern(),
    },
    {
      name: "form field",
      required: ["name"],
      exactlyOne: [["value", "fromVar", "pattern"]],
      build: (v) => {
        const value: StringSource = v.value !== undefined
          ? { value: v.value }
          : v.fromVar !== undefined
          ? { fromVar: v.fromVar }
          : { pattern: v.pattern! };
        return { name: v.name!, value };
      },
    },
  );
  const expected = "a list of form fields ('- name: …' with 'value', 'fromVar' or 'pattern')";
  return custom(expected, (node, ctx, path) => {
    if (node.kind === "map") {
      const f = field.load(node, ctx, path);
      return f && [f];
    }
    if (node.kind !== "seq") return mismatch(ctx, node, path, expected);
    const out: FormField[] = [];
    let ok = true;
    node.items.forEach((item, i) => {
      const f = field.load(item, ctx, `${path}[${i}]`);
      if (f === undefined) ok = false;
      else out.push(f);
    });
    return ok ? out : undefined;
  });
}

function anyString(node: YNode, ctx: LoadCtx, path: string): string | undefined {
  return node.kind === "scalar"
    ? (node.isNull ? "" : node.value)
    : mismatch(ctx, node, path, "a string");
}

function bodyShape(): Shape<HttpBody> {
  const map = record(
    {
      text: custom("a string", anyString),
      pattern: pattern(),
      fromVar: readVar(),
      fromFile: str("a file name"),
      form: formShape(),
    },
    {
      name: "body",
      mergeList: true,
      exactlyOne: [["text", "pattern", "fromVar", "fromFile", "form"]],
      inline: (s, ctx, path) => {
        const p = loadPattern(s, ctx, path);
        return p && { pattern: p };
      },
      build: (v, at, ctx, path) => {
        if (v.fromFile !== undefined) {
          const node = at.entries.find((e) => e.key.value === "fromFile")!.value;
          if (readDataFile(ctx, v.fromFile, node, `${path}.fromFile`) === undefined) {
            return undefined;
          }
        }
        return v as HttpBody;
      },
    },
  );
  return map;
}

function compressionShape(): Shape<HttpCompression> {
  const encoding = custom<"gzip">("'gzip'", (node, ctx, path) => {
    if (node.kind === "scalar" && node.value.trim().toLowerCase() === "gzip") return "gzip";
    return mismatch(ctx, node, path, "'gzip' (the only supported compression encoding)");
  });
  return record(
    { encoding, type: oneOf(["CONTENT_ENCODING", "TRANSFER_ENCODING"] as const) },
    {
      name: "compression",
      mergeList: true,
      required: ["encoding"],
      inline: (s, ctx, path) => {
        const e = encoding.load(s, ctx, path);
        return e && { encoding: e, type: "CONTENT_ENCODING" };
      },
      build: (v) => ({ encoding: v.encoding!, type: v.type ?? "CONTENT_ENCODING" }),
    },
  );
}

function compensationShape(): Shape<HttpCompensation> {
  const rate = num({ min: 0, exclusiveMin: true });
  const targetRate = custom<{ base: number; increment: number }>(
    "a rate, or 'base' and 'increment'",
    (node, ctx, path) => {
      if (node.kind === "scalar") {
        const r = rate.load(node, ctx, path);
        return r === undefined ? undefined : { base: r, increment: 0 };
      }
      return record({ base: rate, increment: num() }, {
        name: "targetRate",
        mergeList: true,
        required: ["base"],
        build: (v) => ({ base: v.base!, increment: v.increment ?? 0 }),
      }).load(node, ctx, path);
    },
  );
  return record({ targetRate, metric: metricSelector() }, {
    name: "compensation",
    mergeList: true,
    required: ["targetRate"],
    build: (v) => ({
      targetRate: v.targetRate!.base,
      targetRateIncrement: v.targetRate!.increment,
      ...(v.metric !== undefined ? { metric: v.metric } : {}),
    }),
  });
}

/** The literal text of a constant source; undefined when it depends on the session. */
function constantText(s: StringSource): string | undefined {
  if ("value" in s) return s.value;
  if ("pattern" in s && isConstant(s.pattern)) return s.pattern.segments.join("");
  return undefined;
}

function pathText(s: StringSource): string {
  return constantText(s) ?? ("pattern" in s ? s.pattern.pattern : "<unknown path>");
}

function url(e: HttpEndpoint): string {
  return `${e.protocol}://${e.authority}`;
}

/**
 * The endpoints a constant authority selects: compared as `host:port`, with the
 * endpoint's port appended when the request names none; duplicates of the
 * same protocol and authority count once.
 */
export function matchAuthority(authority: string, endpoints: HttpEndpoint[]): HttpEndpoint[] {
  const seen = new Set<string>();
  return endpoints.filter((e) => {
    // An authority without a port means the scheme's default port, as Hyperfoil compares them.
    const a = /:\d+$/.test(authority)
      ? authority
      : `${authority}:${e.protocol === "https" ? 443 : 80}`;
    if (a !== e.authority || seen.has(url(e))) return false;
    seen.add(url(e));
    return true;
  });
}

interface Target {
  authority?: string;
  dynamicAuthority?: StringSource;
  endpoint?: string;
  dynamicEndpoint?: StringSource;
  endpointDef?: HttpEndpoint;
}

function resolveTarget(
  v: { authority?: StringSource; endpoint?: StringSource },
  method: string,
  path: StringSource,
  at: YMap,
  ctx: LoadCtx,
  yamlPath: string,
): Target | undefined {
  const nodeOf = (k: string) => at.entries.find((e) => e.key.value === k)?.value ?? at;
  const fail = (
    node: YNode,
    message: string,
  ) => (ctx.diags.error(node, yamlPath, message), undefined);
  if (ctx.http.length === 0) {
    return fail(
      at,
      `${method} to ${pathText(path)} is invalid: the benchmark has no 'http' section`,
    );
  }
  if (v.endpoint) {
    const name = constantText(v.endpoint);
    if (name === undefined) return { dynamicEndpoint: v.endpoint };
    const e = ctx.http.find((h) => h.name === name);
    if (!e) {
      const names = ctx.http.flatMap((h) => h.name ? [h.name] : []);
      return fail(
        nodeOf("endpoint"),
        `There is no HTTP endpoint '${name}'${didYouMean(name, names)}`,
      );
    }
    return { endpoint: name, authority: e.authority, endpointDef: e };
  }
  if (v.authority) {
    const text = constantText(v.authority);
    if (text === undefined) return { dynamicAuthority: v.authority };
    const matches = matchAuthority(text.trim(), ctx.http);
    if (matches.length === 1) return { authority: matches[0].authority, endpointDef: matches[0] };
    const request = `${method} to ${text}${pathText(path)}`;
    if (matches.length === 0) {
      return fail(nodeOf("authority"), `${request} is invalid - no HTTP configuration defined`);
    }
    return fail(
      nodeOf("authority"),
      `${request} is ambiguous - matches ${matches.map((e) => `'${url(e)}'`).join(", ")}`,
    );
  }
  const def = ctx.http.find((h) => h.isDefault);
  if (!def) {
    return fail(
      at,
      `${method} to ${
        pathText(path)
      } is invalid: there is no default HTTP target; set 'authority' or 'endpoint'`,
    );
  }
  return { authority: def.authority, endpointDef: def };
}

const METHOD_PROPS = Object.fromEntries(HTTP_METHODS.map((m) => [m, stringSource()])) as Record<
  HttpMethod,
  Shape<StringSource>
>;

export function httpRequest(): Shape<Body<HttpRequestRecord>> {
  return record(
    {
      ...METHOD_PROPS,
      method: oneOf(HTTP_METHODS),
      path: stringSource(),
      authority: stringSource(),
      endpoint: stringSource(),
      headers: headersShape(),
      body: bodyShape(),
      sync: bool(),
      timeout: duration("s"),
      metric: metricSelector(),
      compression: compressionShape(),
      compensation: compensationShape(),
      sla: slaList(),
      handler: httpHandlers(),
    },
    {
      name: "httpRequest",
      exclusive: [[...HTTP_METHODS, "method"], [...HTTP_METHODS, "path"], [
        "authority",
        "endpoint",
      ]],
      build: (v, at, ctx, path) => {
        const given = HTTP_METHODS.find((m) => v[m] !== undefined);
        const method = given ?? v.method;
        const reqPath = given ? v[given] : v.path;
        if (method === undefined || reqPath === undefined) {
          ctx.diags.error(
            at,
            path,
            `Missing the request: set one of ${
              HTTP_METHODS.map((m) => `'${m}'`).join(", ")
            } to the path, or 'method' and 'path'`,
          );
          return undefined;
        }
        if (v.timeout !== undefined && v.timeout <= 0) {
          const node = at.entries.find((e) => e.key.value === "timeout")!.value;
          ctx.diags.error(node, `${path}.timeout`, "The timeout must be positive");
          return undefined;
        }
        const target = resolveTarget(v, method, reqPath, at, ctx, path);
        if (target === undefined) return undefined;
        const { endpointDef, ...where } = target;
        return {
          method,
          path: reqPath,
          ...where,
          headers: v.headers ?? [],
          ...(v.body !== undefined ? { body: v.body } : {}),
          sync: v.sync ?? true,
          ...(v.timeout !== undefined ? { timeout: v.timeout } : {}),
          ...(v.metric !== undefined ? { metric: v.metric } : {}),
          ...(v.compression !== undefined ? { compression: v.compression } : {}),
          ...(v.compensation !== undefined ? { compensation: v.compensation } : {}),
          sla: v.sla ?? defaultSla(endpointDef),
          handler: v.handler ?? emptyHandlers(),
        };
      },
    },
  );
}

/** Connections opened per request are expected to block; Hyperfoil then relaxes the blocked-time SLA. */
function defaultSla(e: HttpEndpoint | undefined): Sla[] {
  const opensPerRequest = e?.connectionStrategy === "OPEN_ON_REQUEST" ||
    e?.connectionStrategy === "ALWAYS_NEW";
  return [opensPerRequest ? { ...DEFAULT_SLA, blockedRatio: 1.01 } : { ...DEFAULT_SLA }];
}

export type HotRodOperation = "PUT" | "GET";

/** A HotRod (Infinispan) cache operation. */
export interface HotRodRequestRecord {
  type: "hotrodRequest";
  operation: HotRodOperation;
  cacheName: StringSource;
  key?: StringSource;
  value?: StringSource;
  /** Absent: the sequence name. */
  metric?: MetricSelector;
}

export function hotrodRequest(): Shape<Body<HotRodRequestRecord>> {
  const cache = pattern();
  return record(
    {
      put: cache,
      get: cache,
      operation: oneOf(["PUT", "GET"] as const),
      cacheName: stringSource(),
      key: stringSource(),
      value: stringSource(),
      metric: metricSelector(),
    },
    {
      name: "hotrodRequest",
      exclusive: [["put", "get", "operation"], ["put", "get", "cacheName"]],
      build: (v, at, ctx, path) => {
        const operation: HotRodOperation | undefined = v.put ? "PUT" : v.get ? "GET" : v.operation;
        const p = v.put ?? v.get;
        const cacheName: StringSource | undefined = p ? { pattern: p } : v.cacheName;
        if (operation === undefined || cacheName === undefined) {
          ctx.diags.error(
            at,
            path,
            "Missing the operation: set 'put' or 'get' to the cache name, or 'operation' and 'cacheName'",
          );
          return undefined;
        }
        if (v.key === undefined) {
          ctx.diags.error(at, path, "Missing required property 'key' in hotrodRequest");
          return undefined;
        }
        if (operation === "PUT" && v.value === undefined) {
          ctx.diags.error(at, path, "A 'put' needs a 'value'");
          return undefined;
        }
        return {
          operation,
          cacheName,
          key: v.key,
          ...(v.value !== undefined ? { value: v.value } : {}),
          ...(v.metric !== undefined ? { metric: v.metric } : {}),
        };
      },
    },
  );
}
