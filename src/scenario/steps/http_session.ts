/**
 * A session's HTTP state, one resource per session shared by every HTTP step
 * of the scenario: the pool of request contexts (`scenario.maxRequests`,
 * allocated with the session and reused), the cookie jar, the HTTP cache,
 * the request whose handlers are running (for `markRequestInvalid`,
 * `parseHtml`…) and the waiters queued for a connection.
 */
import type { ConnectionWaiter, HttpClient, HttpErrorKind } from "../../http/http_client.ts";
import type { CompileCtx, ResourceSlot } from "../compile.ts";
import { type Resource, type Session, wakeSession } from "../session.ts";
import type { VarSlots } from "../vars.ts";
import { HttpCache } from "./http_cache.ts";
import { RequestContext } from "./http_context.ts";
import { CookieJar } from "./http_cookies.ts";

/** Something waiting for a free request context (an embedded-resource queue). */
export interface ContextWaiter {
  contextAvailable(): void;
}

export class RequestPool {
  private readonly all: RequestContext[] = [];
  private readonly free: RequestContext[] = [];
  /** Contexts are made on first use (most sessions never need more than one). */
  private readonly size: number;

  constructor(private readonly state: HttpSessionState, size: number) {
    this.size = Math.max(1, size);
  }

  get available(): number {
    return this.free.length + this.size - this.all.length;
  }

  take(): RequestContext | undefined {
    let rc = this.free.pop();
    if (rc === undefined) {
      if (this.all.length >= this.size) return undefined;
      rc = new RequestContext(this.state);
      this.all.push(rc);
    }
    rc.inPool = false;
    return rc;
  }

  release(rc: RequestContext): void {
    if (rc.inPool || rc.orphan) return;
    rc.clear();
    rc.inPool = true;
    this.free.push(rc);
    this.state.contextFreed();
  }

  /**
   * A new life of the session: every context is free again. One still held
   * by the HTTP layer is left to it (its response is only recorded) and
   * replaced, so the new life never shares a context with the old one.
   */
  reset(): void {
    this.free.length = 0;
    for (let i = 0; i < this.all.length; i++) {
      let rc = this.all[i];
      if (rc.inHttp) {
        rc.orphan = true;
        rc = this.all[i] = new RequestContext(this.state);
      } else rc.abandon();
      rc.clear();
      rc.inPool = true;
      this.free.push(rc);
    }
  }
}

/** Wakes the session when a client it waits for has a free connection. */
class SessionWaiter implements ConnectionWaiter {
  queued = false;
  /** Set when the pool gave up connecting; the waiting request then fails. */
  failure: HttpErrorKind | undefined = undefined;
  constructor(private readonly state: HttpSessionState) {}

  connectionAvailable(): void {
    this.queued = false;
    const s = this.state.session;
    if (s !== undefined) wakeSession(s);
  }

  connectionFailed(kind: HttpErrorKind): void {
    this.failure = kind;
    this.connectionAvailable();
  }
}

export class HttpSessionState implements Resource {
  /** Set by the steps on use (resources are created before sessions know them). */
  session: Session | undefined = undefined;
  readonly pool: RequestPool;
  private cookieJar: CookieJar | undefined = undefined;
  private httpCache: HttpCache | undefined = undefined;
  /** The request whose handlers run now. */
  current: RequestContext | undefined = undefined;
  private ua: string | undefined = undefined;
  private waiters: Map<HttpClient, SessionWaiter> | undefined = undefined;
  private readonly contextWaiters: ContextWaiter[] = [];

  constructor(maxRequests: number) {
    this.pool = new RequestPool(this, maxRequests);
  }

  /** The cookie jar, made on first use (10,000 idle sessions need none). */
  get cookies(): CookieJar {
    return this.cookieJar ??= new CookieJar();
  }

  /** The HTTP cache, made on first use. */
  get cache(): HttpCache {
    return this.httpCache ??= new HttpCache();
  }

  reset(): void {
    this.pool.reset();
    // Sessions restart per request in closed loops: skip work when there is nothing to clear.
    if (this.cookieJar !== undefined && this.cookieJar.size > 0) this.cookieJar.clear();
    if (this.httpCache !== undefined && this.httpCache.size > 0) this.httpCache.clear();
    this.current = undefined;
    this.contextWaiters.length = 0;
    // Queued session waiters stay queued: a wake-up only runs the session again.
  }

  /** `hf/<agent>/<session id>`, made once per session. */
  userAgent(s: Session): string {
    return this.ua ??= `hf/${s.phase.executor.agentName}/${s.id}`;
  }

  /** Queues the session (once) on `client`; it is woken when a connection frees. */
  waitForConnection(client: HttpClient): void {
    const waiters = this.waiters ??= new Map();
    let w = waiters.get(client);
    if (w === undefined) {
      w = new SessionWaiter(this);
      waiters.set(client, w);
    }
    if (w.queued) return;
    w.queued = true;
    client.wait(w);
  }

  /** The connect failure reported to the session's waiter on `client`, once. */
  takeConnectFailure(client: HttpClient): HttpErrorKind | undefined {
    const w = this.waiters?.get(client);
    const f = w?.failure;
    if (w !== undefined) w.failure = undefined;
    return f;
  }

  waitForContext(w: ContextWaiter): void {
    if (!this.contextWaiters.includes(w)) this.contextWaiters.push(w);
  }

  contextFreed(): void {
    if (this.contextWaiters.length === 0) return;
    const waiting = this.contextWaiters.splice(0);
    for (const w of waiting) w.contextAvailable();
  }
}

const stateSlots = new WeakMap<VarSlots, ResourceSlot<HttpSessionState>>();

/** The HTTP state slot of the scenario being compiled (one per scenario). */
export function httpStateSlot(ctx: CompileCtx): ResourceSlot<HttpSessionState> {
  let slot = stateSlots.get(ctx.slots);
  if (slot === undefined) {
    const scenario = ctx.phase.scenario !== undefined
      ? ctx.benchmark.scenarios[ctx.phase.scenario]
      : undefined;
    const maxRequests = scenario?.maxRequests ?? 16;
    slot = ctx.resource(() => new HttpSessionState(maxRequests));
    stateSlots.set(ctx.slots, slot);
  }
  return slot;
}

/**
 * Pacing of `compensation` (closed model): user iteration k of a session is
 * due at start + k × period. It survives session restarts (an `always` phase
 * restarts sessions), so reset keeps the schedule.
 */
export class PacingHolder implements Resource {
  iteration = 0;
  startNs = NaN;
  lastStartNs = 0;
  pacedGeneration = -1;
  wakeGeneration = -1;

  reset(): void {}
}

const pacingSlots = new WeakMap<VarSlots, ResourceSlot<PacingHolder>>();

export function pacingSlot(ctx: CompileCtx): ResourceSlot<PacingHolder> {
  let slot = pacingSlots.get(ctx.slots);
  if (slot === undefined) {
    slot = ctx.resource(() => new PacingHolder());
    pacingSlots.set(ctx.slots, slot);
  }
  return slot;
}
