/**
 * A request step compiled once: what `httpRequest` (or a generated request:
 * a redirect follow-up, an embedded resource) sends, how its metric is
 * chosen, which handlers its response runs and which ergonomics apply. The
 * executor-bound parts (statistics, clients, byte templates) are looked up on
 * first use and cached in `SpecRuntime`, so the hot path only reads fields.
 */
import type { FollowRedirect, StepRecord } from "../../benchmark/model.ts";
import { OPEN_MODELS } from "../../benchmark/model.ts";
import { isConstant } from "../../benchmark/pattern.ts";
import type { StringSource } from "../../benchmark/sources.ts";
import type { MetricSelector } from "../../benchmark/steps/_common.ts";
import type { HttpCompression, HttpRequestRecord } from "../../benchmark/steps/http_request.ts";
import type { HttpClient } from "../../http/http_client.ts";
import { hostHeader, RequestTemplate } from "../../http/request_template.ts";
import type { Statistics } from "../../stats/recorder.ts";
import { type CompileCtx, CompileError } from "../compile.ts";
import { compileStringSource, type StringFn } from "../patterns.ts";
import type { ExecutorContext } from "../runtime.ts";
import type { VarSlots } from "../vars.ts";
import { type BodyFn, compileBody } from "./http_body.ts";
import { type CompiledHandlers, compileHandlers } from "./http_handlers.ts";
import { compileMetric, type MetricFn, redirectMetricName } from "./http_metric.ts";

export interface FollowMode {
  /** 3xx with `Location`. */
  readonly location: boolean;
  /** `<meta http-equiv="refresh">` in the body. */
  readonly html: boolean;
}

export interface CompiledCompensation {
  /** Each user starts an iteration every `periodNs` (users / targetRate). */
  readonly periodNs: number;
  /** The `compensated-…` metric. */
  readonly metric: MetricFn;
}

export interface RequestSpec {
  readonly stepId: number;
  /** Step id of the redirect follow-ups' statistics. */
  readonly redirectStepId: number;
  readonly phaseId: number;
  readonly sequenceName: string;
  readonly method: string;
  readonly sync: boolean;
  /** `host:port` known at compile time; undefined for dynamic targets or the default one. */
  readonly authority: string | undefined;
  readonly dynamicAuthority: StringFn | undefined;
  readonly dynamicEndpoint: StringFn | undefined;
  /** The path when it is constant; else `path` computes it. */
  readonly staticPath: string | undefined;
  readonly path: StringFn | undefined;
  readonly staticHeaders: ReadonlyArray<readonly [string, string]>;
  readonly dynamicHeaderNames: readonly string[];
  readonly dynamicHeaders: readonly StringFn[];
  /** A `Host` header given in the request: constant or computed. */
  readonly host: string | StringFn | undefined;
  readonly body: BodyFn | undefined;
  /** ms; undefined: the endpoint's `requestTimeout`. */
  readonly timeout: number | undefined;
  readonly compression: HttpCompression | undefined;
  readonly metric: MetricFn;
  readonly redirectMetric: string;
  readonly handlers: CompiledHandlers;
  readonly stopOnInvalid: boolean;
  readonly follow: FollowMode;
  readonly repeatCookies: boolean;
  readonly userAgent: boolean;
  /** compensateInternalLatency applies: time the request from the session's scheduled start. */
  readonly useSessionStartTime: boolean;
  readonly compensation: CompiledCompensation | undefined;
  /** The request's own `Cache-Control`/`Pragma` forbids a cached answer or storing one. */
  readonly requestNoCache: boolean;
  readonly requestNoStore: boolean;
  readonly rt: SpecRuntime;
}

export interface SpecOptions {
  /** Replaces the record's metric selection (generated requests). */
  metric?: MetricFn;
  /** Replaces the effective followRedirect mode. */
  followRedirect?: FollowRedirect;
}

/** Ordinals of redirecting requests per sequence, per compiled scenario (for stable metric names). */
const redirectOrdinals = new WeakMap<VarSlots, Map<string, number>>();

export function compileSpec(
  rec: HttpRequestRecord,
  ctx: CompileCtx,
  options: SpecOptions = {},
): RequestSpec {
  const b = ctx.benchmark;
  const erg = b.ergonomics;
  const endpoint = rec.authority !== undefined
    ? b.http.find((e) => e.authority === rec.authority)
    : undefined;
  const slots = ctx.slots;
  const stepId = ctx.newStepId(rec as unknown as StepRecord);
  const follow = followMode(
    options.followRedirect ?? rec.handler.followRedirect ?? erg.followRedirect,
  );
  let redirectStepId = stepId;
  let redirectMetric = `${ctx.sequenceName}_redirect`;
  if (follow.location || follow.html) {
    redirectStepId = ctx.newStepId();
    let ordinals = redirectOrdinals.get(slots);
    if (ordinals === undefined) redirectOrdinals.set(slots, ordinals = new Map());
    const n = ordinals.get(ctx.sequenceName) ?? 0;
    ordinals.set(ctx.sequenceName, n + 1);
    redirectMetric = redirectMetricName(ctx.sequenceName, n);
  }

  const staticHeaders: [string, string][] = [];
  const dynamicHeaderNames: string[] = [];
  const dynamicHeaders: StringFn[] = [];
  let host: string | StringFn | undefined;
  for (const h of rec.headers) {
    const constant = constantText(h.value);
    const name = h.name.toLowerCase();
    if (name === "host") host = constant ?? compileStringSource(h.value, slots);
    else if (constant !== undefined) staticHeaders.push([h.name, constant]);
    else {
      dynamicHeaderNames.push(h.name);
      dynamicHeaders.push(compileStringSource(h.value, slots));
    }
  }
  let body: BodyFn | undefined;
  if (rec.body !== undefined) {
    const compiled = compileBody(rec.body, ctx);
    body = compiled.fn;
    const hasType = rec.headers.some((h) => h.name.toLowerCase() === "content-type");
    if (compiled.contentType !== undefined && !hasType) {
      staticHeaders.push(["content-type", compiled.contentType]);
    }
  }
  const requestCache = staticHeaders
    .filter(([n]) => /^(cache-control|pragma)$/i.test(n))
    .map(([, v]) => v.toLowerCase())
    .join(",");

  const singleDestination = new Set(b.http.map((e) => e.authority)).size <= 1;
  const sequenceName = ctx.sequenceName;
  const metric = options.metric ??
    compileMetric(rec.metric, () => sequenceName, singleDestination);
  const handlers = compileHandlers(rec.handler, ctx, {
    autoRangeCheck: rec.handler.autoRangeCheck ?? erg.autoRangeCheck,
    rawBytes: endpoint?.rawBytesHandlers ?? true,
  });

  return {
    stepId,
    redirectStepId,
    phaseId: ctx.phase.id,
    sequenceName,
    method: rec.method,
    sync: rec.sync,
    authority: rec.dynamicAuthority || rec.dynamicEndpoint ? undefined : rec.authority,
    dynamicAuthority: rec.dynamicAuthority && compileStringSource(rec.dynamicAuthority, slots),
    dynamicEndpoint: rec.dynamicEndpoint && compileStringSource(rec.dynamicEndpoint, slots),
    staticPath: constantText(rec.path),
    path: constantText(rec.path) === undefined ? compileStringSource(rec.path, slots) : undefined,
    staticHeaders,
    dynamicHeaderNames,
    dynamicHeaders,
    host,
    body,
    timeout: rec.timeout,
    compression: rec.compression,
    metric,
    redirectMetric,
    handlers,
    stopOnInvalid: rec.handler.stopOnInvalid ?? erg.stopOnInvalid,
    follow,
    repeatCookies: erg.repeatCookies,
    userAgent: erg.userAgentFromSession &&
      !rec.headers.some((h) => h.name.toLowerCase() === "user-agent"),
    useSessionStartTime: erg.compensateInternalLatency && isFirstOfInitial(rec, ctx),
    compensation: rec.compensation && compileCompensation(rec, ctx, metric, singleDestination),
    requestNoCache: /no-cache|max-age=0/.test(requestCache),
    requestNoStore: /no-store/.test(requestCache),
    rt: new SpecRuntime(),
  };
}

function followMode(f: FollowRedirect): FollowMode {
  return {
    location: f === "LOCATION_ONLY" || f === "ALWAYS",
    html: f === "HTML_ONLY" || f === "ALWAYS",
  };
}

/** The literal text of a constant source; undefined when it depends on the session. */
function constantText(s: StringSource): string | undefined {
  if ("value" in s) return s.value;
  if ("pattern" in s && isConstant(s.pattern)) return s.pattern.segments.join("");
  return undefined;
}

/** Hyperfoil applies compensateInternalLatency to the first step of an initial sequence in open models. */
function isFirstOfInitial(rec: HttpRequestRecord, ctx: CompileCtx): boolean {
  if (!OPEN_MODELS.includes(ctx.phase.model) || ctx.phase.scenario === undefined) return false;
  const seq = ctx.benchmark.scenarios[ctx.phase.scenario].sequences
    .find((x) => x.name === ctx.sequenceName);
  return seq !== undefined && seq.initial && seq.steps[0] === (rec as unknown);
}

function compileCompensation(
  rec: HttpRequestRecord,
  ctx: CompileCtx,
  metric: MetricFn,
  singleDestination: boolean,
): CompiledCompensation {
  const c = rec.compensation!;
  if (ctx.phase.model !== "always") {
    throw new CompileError(
      `Compensation of request in sequence '${ctx.sequenceName}' needs an 'always' phase, phase '${ctx.phase.name}' is '${ctx.phase.model}'`,
    );
  }
  // The whole phase's users share the target rate, so every executor paces users alike.
  const users = ctx.benchmark.phases[ctx.phase.id]?.users ?? ctx.phase.users ?? 1;
  const rate = c.targetRate + c.targetRateIncrement * ctx.phase.iteration;
  const selector: MetricSelector | undefined = c.metric;
  return {
    periodNs: (Math.max(1, users) / rate) * 1e9,
    metric: selector === undefined
      ? (a, p) => `compensated-${metric(a, p)}`
      : compileMetric(selector, (input) => `compensated-${input}`, singleDestination),
  };
}

/**
 * Executor-bound lookups of a spec: statistics per metric, the static client
 * and byte templates per client. Scenarios are compiled per executor, so one
 * executor binds it; a different one (tests) starts it afresh.
 */
export class SpecRuntime {
  private ex: ExecutorContext | undefined = undefined;
  private readonly stats = new Map<string, Statistics>();
  private lastMetric = "";
  private lastStats: Statistics | undefined = undefined;
  private redirect: Statistics | undefined = undefined;
  private client: HttpClient | undefined = undefined;
  private readonly main = new Map<HttpClient, RequestTemplate>();
  private lastClient: HttpClient | undefined = undefined;
  private lastTemplate: RequestTemplate | undefined = undefined;
  private readonly pathless = new Map<HttpClient, Map<string, RequestTemplate>>();
  private readonly byHost = new Map<string, RequestTemplate>();
  /** A handler error was logged already (one per step is enough). */
  loggedError = false;

  private bind(ex: ExecutorContext): void {
    if (this.ex === ex) return;
    this.ex = ex;
    this.stats.clear();
    this.lastStats =
      this.redirect =
      this.client =
      this.lastClient =
      this.lastTemplate =
        undefined;
    this.main.clear();
    this.pathless.clear();
    this.byHost.clear();
  }

  statistics(spec: RequestSpec, ex: ExecutorContext, metric: string): Statistics {
    this.bind(ex);
    if (metric === this.lastMetric && this.lastStats !== undefined) return this.lastStats;
    let st = this.stats.get(metric);
    if (st === undefined) {
      st = ex.statistics(spec.phaseId, spec.stepId, metric);
      this.stats.set(metric, st);
    }
    this.lastMetric = metric;
    this.lastStats = st;
    return st;
  }

  redirectStatistics(spec: RequestSpec, ex: ExecutorContext): Statistics {
    this.bind(ex);
    return this.redirect ??= ex.statistics(spec.phaseId, spec.redirectStepId, spec.redirectMetric);
  }

  /** The client of a static (or the default) target. */
  staticClient(spec: RequestSpec, ex: ExecutorContext): HttpClient {
    this.bind(ex);
    if (this.client !== undefined) return this.client;
    const c = spec.authority !== undefined ? ex.http(spec.authority) : ex.defaultHttp();
    if (c === undefined) {
      throw new Error(
        spec.authority !== undefined
          ? `There is no HTTP client for authority '${spec.authority}'`
          : "There is no default HTTP target: set 'authority' or 'endpoint'",
      );
    }
    return this.client = c;
  }

  /**
   * The byte template of a request to `client`: with the spec's constant path
   * when `withPath`, else path-less (the path goes with each request).
   */
  template(
    spec: RequestSpec,
    ex: ExecutorContext,
    client: HttpClient,
    method: string,
    withPath: boolean,
    host: string | undefined,
  ): RequestTemplate {
    if (withPath && host === undefined && client === this.lastClient && method === spec.method) {
      if (this.ex === ex) return this.lastTemplate!;
    }
    this.bind(ex);
    if (host !== undefined) {
      const key = `${client.endpoint.authority} ${method} ${withPath ? "p" : "-"} ${host}`;
      let t = this.byHost.get(key);
      if (t === undefined) {
        if (this.byHost.size >= 256) this.byHost.clear();
        t = newTemplate(spec, method, host, withPath ? spec.staticPath : undefined);
        this.byHost.set(key, t);
      }
      return t;
    }
    const staticHost = typeof spec.host === "string" ? spec.host : hostHeader(client.endpoint);
    if (withPath && method === spec.method) {
      let t = this.main.get(client);
      if (t === undefined) {
        t = newTemplate(spec, method, staticHost, spec.staticPath);
        this.main.set(client, t);
      }
      this.lastClient = client;
      this.lastTemplate = t;
      return t;
    }
    let byMethod = this.pathless.get(client);
    if (byMethod === undefined) this.pathless.set(client, byMethod = new Map());
    let t = byMethod.get(method);
    if (t === undefined) {
      t = newTemplate(spec, method, staticHost, undefined);
      byMethod.set(method, t);
    }
    return t;
  }
}

function newTemplate(
  spec: RequestSpec,
  method: string,
  host: string,
  path: string | undefined,
): RequestTemplate {
  return new RequestTemplate({
    method,
    host,
    ...(path !== undefined ? { path } : {}),
    headers: spec.staticHeaders,
    dynamicHeaders: spec.dynamicHeaderNames,
    ...(spec.compression !== undefined
      ? { compression: spec.compression.encoding, compressionType: spec.compression.type }
      : {}),
  });
}
