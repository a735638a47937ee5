/**
 * The `httpRequest` step and the registration of everything HTTP. The step
 * is compiled once (`http_spec.ts`); per invocation it either sends with a
 * pooled request context on a connection it acquired, or changes nothing and
 * reports "blocked": no free request context, or no free connection (then
 * the session queues once on the client and the wait counts as blocked time
 * when the request finally goes out). A sync request completes the step
 * when its final response (after redirects) has been handled.
 */
import type { HttpRequestRecord } from "../../benchmark/steps/http_request.ts";
import type { HttpClient } from "../../http/http_client.ts";
import type { CompileCtx, CompilerRegistry } from "../compile.ts";
import type { ExecutorContext } from "../runtime.ts";
import type { SequenceInstance, Session, StepFn } from "../session.ts";
import type { RequestContext } from "./http_context.ts";
import { canDrive, requestDriver } from "./http_driver.ts";
import { httpStateSlot, type PacingHolder, pacingSlot } from "./http_session.ts";
import { compileSpec, type RequestSpec } from "./http_spec.ts";
import { registerHttpProcessors } from "./processors_http.ts";

/** Registers `httpRequest`, the HTTP actions and the HTTP processors. */
export function registerHttpSteps(reg: CompilerRegistry): void {
  reg.steps.set(
    "httpRequest",
    (rec, ctx) => compileHttpRequest(rec as unknown as HttpRequestRecord, ctx),
  );
  registerHttpProcessors(reg);
}

export function compileHttpRequest(rec: HttpRequestRecord, ctx: CompileCtx): StepFn {
  const spec = compileSpec(rec, ctx);
  if (canDrive(spec)) ctx.offerDriver(requestDriver(spec));
  const stateSlot = httpStateSlot(ctx);
  const pacing = spec.compensation !== undefined ? pacingSlot(ctx) : undefined;
  return (s, q) => {
    const state = stateSlot.get(s);
    state.session = s;
    const held = q.scratchObj as RequestContext | undefined;
    if (held !== undefined) {
      if (!held.finished) return false;
      q.scratchObj = undefined;
      state.pool.release(held);
      return true;
    }
    if (pacing !== undefined && !pace(pacing.get(s), spec, s)) return false;
    if (state.pool.available === 0) return false; // maxRequests in flight: blocked
    const ex = s.phase.executor;
    let client = target(spec, s, q, ex);
    let path = spec.staticPath ?? spec.path!(s, q);
    if (path.charCodeAt(0) !== 0x2f) {
      const abs = absoluteUrl(path, ex);
      if (abs !== undefined) ({ client, path } = abs);
    }
    const rc = state.pool.take()!;
    let cached: boolean;
    try {
      cached = rc.begin(spec, s, q, client, path);
    } catch (e) {
      state.pool.release(rc);
      throw e;
    }
    const conn = cached ? undefined : client.acquire();
    const failure = !cached && conn === undefined ? state.takeConnectFailure(client) : undefined;
    if (!cached && conn === undefined && failure === undefined) {
      state.pool.release(rc);
      if (q.scratchNum === 0) q.scratchNum = ex.nowNs();
      state.waitForConnection(client);
      return false;
    }
    if (pacing !== undefined) rc.compStartNs = pacing.get(s).lastStartNs;
    rc.counted = true;
    s.inFlight++;
    if (spec.sync) {
      rc.heldByStep = true;
      q.scratchObj = rc;
    }
    if (failure !== undefined) rc.failConnect(failure);
    else if (conn === undefined) rc.completeFromCache();
    else rc.sendOn(conn, q.scratchNum > 0 ? ex.nowNs() - q.scratchNum : 0);
    if (!spec.sync) return true;
    if (!rc.finished || s.stopped) return false;
    q.scratchObj = undefined;
    state.pool.release(rc);
    return true;
  };
}

/** The client of the request's target: static, or computed per request. */
function target(
  spec: RequestSpec,
  s: Session,
  q: SequenceInstance,
  ex: ExecutorContext,
): HttpClient {
  if (spec.dynamicEndpoint !== undefined) {
    const name = spec.dynamicEndpoint(s, q);
    const c = ex.http(name);
    if (c === undefined) throw new Error(`There is no HTTP endpoint '${name}'`);
    return c;
  }
  if (spec.dynamicAuthority !== undefined) {
    const authority = spec.dynamicAuthority(s, q);
    const c = ex.http(authority);
    if (c === undefined) throw new Error(`There is no HTTP endpoint for authority '${authority}'`);
    return c;
  }
  return spec.rt.staticClient(spec, ex);
}

/** A path given as a full URL (`http://host:port/path`) selects the endpoint of its authority. */
function absoluteUrl(
  url: string,
  ex: ExecutorContext,
): { client: HttpClient; path: string } | undefined {
  const m = /^(https?):\/\/([^/?#]+)(.*)$/i.exec(url);
  if (!m) return undefined;
  const hostPort = m[2].toLowerCase();
  const authority = /:\d+$/.test(hostPort)
    ? hostPort
    : `${hostPort}:${m[1].toLowerCase() === "https" ? 443 : 80}`;
  const client = ex.http(authority);
  if (client === undefined) {
    throw new Error(`Cannot access '${url}': no HTTP endpoint for '${authority}'`);
  }
  return { client, path: m[3] === "" ? "/" : m[3] };
}

/**
 * Closed-model compensation paces each user: its k-th iteration is due at
 * start + k × period. Until then the step waits (a timer wakes the session).
 */
function pace(h: PacingHolder, spec: RequestSpec, s: Session): boolean {
  if (h.pacedGeneration === s.generation) return true;
  const ex = s.phase.executor;
  const period = spec.compensation!.periodNs;
  if (Number.isNaN(h.startNs)) {
    // The first start of an `always` session is the phase start; users spread over one period.
    h.startNs = s.scheduledNs + (period >= 1e6 ? ex.random() * period : 0);
  }
  const due = h.startNs + h.iteration * period;
  const now = ex.nowNs();
  if (now < due) {
    // One timer per wait; a timer that fired a little early is armed again.
    if (h.wakeGeneration !== s.generation || due - now < 2e6) {
      h.wakeGeneration = s.generation;
      ex.wakeAt(s, due);
    }
    return false;
  }
  h.iteration++;
  h.lastStartNs = due;
  h.pacedGeneration = s.generation;
  return true;
}
