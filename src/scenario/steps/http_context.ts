/**
 * One request in flight: pooled per session, it implements the client's
 * `ResponseHandlers` and `ConnectionWaiter` once, so sending allocates
 * nothing the pool can hold. It records statistics, runs the step's
 * handlers in the sending sequence's context, keeps cookies and the cache,
 * and follows redirects (a 3xx with `Location`, or a meta refresh) by sending
 * the follow-up itself, so a sync step completes with the final response.
 * A response arriving after its session was reset is recorded, then dropped.
 */
import type { CompiledSequence, SequenceInstance, Session } from "../session.ts";
import { holdSession, releaseSession, stopSession, wakeSession } from "../session.ts";
import type {
  ConnectionWaiter,
  HttpClient,
  HttpConnection,
  HttpErrorKind,
  HttpRequest,
  ResponseHandlers,
} from "../../http/http_client.ts";
import { equalsIgnoreCase, latin1 } from "../../http/_bytes.ts";
import type { RequestTemplate } from "../../http/request_template.ts";
import type { Statistics } from "../../stats/recorder.ts";
import type { ExecutorContext } from "../runtime.ts";
import { CacheInfo } from "./http_cache.ts";
import { HtmlScanner, type HtmlSink } from "./http_html.ts";
import type { HttpSessionState } from "./http_session.ts";
import type { RequestSpec } from "./http_spec.ts";

/** Who gets a generated request back when it is done (an embedded-resource queue). */
export interface RequestOwner {
  childDone(rc: RequestContext): void;
}

const IDLE = 0;
const WAITING = 1;
const DELAYED = 2;
const IN_HTTP = 3;
const DONE = 4;

/** Redirects followed in a chain before it counts as invalid. */
const MAX_HOPS = 32;
const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();
const SET_COOKIE = encoder.encode("set-cookie");
const LOCATION = encoder.encode("location");
const CONTENT_LOCATION = encoder.encode("content-location");
const CACHE_CONTROL = encoder.encode("cache-control");
const LAST_MODIFIED = encoder.encode("last-modified");
const EXPIRES = encoder.encode("expires");
const AGE = encoder.encode("age");
const DATE = encoder.encode("date");
const ETAG = encoder.encode("etag");
const PRAGMA = encoder.encode("pragma");
const META_RULES = [{ tag: "meta", attr: "http-equiv" }, { tag: "meta", attr: "content" }];
const decoder = new TextDecoder();

export class RequestContext implements ResponseHandlers, ConnectionWaiter, HtmlSink {
  readonly state: HttpSessionState;
  spec!: RequestSpec;
  s!: Session;
  /** `s.generation` when the request started: a different one means the session moved on. */
  generation = 0;
  owner: RequestOwner | undefined = undefined;
  /** In the pool's free list. */
  inPool = true;
  /** Left to the HTTP layer by a session reset; never reused. */
  orphan = false;
  /** The final response (or error) was handled. */
  finished = false;
  /** A sync step holds it in its sequence scratch and releases it. */
  heldByStep = false;
  /** Counted in `s.inFlight`. */
  counted = false;
  /** Start of the compensated iteration (compensation), ns. */
  compStartNs = 0;

  private phase = IDLE;
  private readonly seq = new InstanceRef();

  client!: HttpClient;
  conn: HttpConnection | undefined = undefined;
  method = "GET";
  authority = "";
  path = "";
  /** 0 for the step's request, then one per redirect followed. */
  hop = 0;
  private hostValue: string | undefined = undefined;
  private requestBody: string | Uint8Array | undefined = undefined;
  private readonly headerValues: string[] = [];
  private readonly extra: string[] = [];
  private readonly req: HttpRequest = {
    template: undefined as unknown as RequestTemplate,
    path: undefined,
    headerValues: undefined,
    extraHeaders: undefined,
    body: undefined,
    timeout: undefined,
  };

  /** Statistics of the current hop and the bucket (request start) its samples go to. */
  stats!: Statistics;
  bucketNs = 0;
  private fromScheduled = false;
  /** When this hop was handed to the connection (our clock), ns. */
  private sendNs = 0;
  private blockedSince = 0;
  private requestBytes = 0;

  statusCode = 0;
  invalid = false;
  timedOut = false;
  /** A handler threw: the rest are skipped and the session stops. */
  private broken = false;
  private redirecting = false;
  private location: string | undefined = undefined;
  private refreshUrl: string | undefined = undefined;
  private refreshDelay = -1;
  private metaEquiv: string | undefined = undefined;
  private metaContent: string | undefined = undefined;
  private scanner: HtmlScanner | undefined = undefined;
  private readonly cacheInfo = new CacheInfo();
  /** A GET/HEAD to a caching endpoint: a 200 answer may be stored. */
  private cacheable = false;
  /** A successful unsafe request invalidates cached entries. */
  private unsafe = false;
  private validatorName: string | undefined = undefined;
  private validatorValue = "";
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private prevCurrent: RequestContext | undefined = undefined;

  constructor(state: HttpSessionState) {
    this.state = state;
  }

  get inHttp(): boolean {
    return this.phase === IN_HTTP;
  }

  /**
   * Sets up the step's request (hop 0): target, path, header values and body.
   * Returns true when a fresh cached response answers it (no connection needed).
   */
  begin(
    spec: RequestSpec,
    s: Session,
    q: SequenceInstance | undefined,
    client: HttpClient,
    path: string,
    owner?: RequestOwner,
  ): boolean {
    this.spec = spec;
    this.s = s;
    this.generation = s.generation;
    this.owner = owner;
    this.seq.set(q);
    this.client = client;
    this.authority = client.endpoint.authority;
    this.path = path;
    this.method = spec.method;
    this.hop = 0;
    this.finished = false;
    this.fromScheduled = spec.useSessionStartTime && owner === undefined;
    const fns = spec.dynamicHeaders;
    const values = this.headerValues;
    values.length = fns.length;
    for (let i = 0; i < fns.length; i++) values[i] = fns[i](s, q);
    const host = spec.host;
    this.hostValue = typeof host === "function" ? host(s, q) : undefined;
    this.requestBody = spec.body?.(s, q);
    return this.checkCache();
  }

  /** The sending sequence instance, or a stand-in when it has moved on (async requests). */
  instance(): SequenceInstance | undefined {
    return this.seq.get();
  }

  markInvalid(): void {
    this.invalid = true;
  }

  /** Statistics of this request's step under another metric (recordHeaderTime). */
  statsFor(metric: string): Statistics {
    return this.spec.rt.statistics(this.spec, this.executor(), metric);
  }

  log(message: string): void {
    this.executor().log(
      "info",
      `#${this.s.id} ${this.method} ${this.authority}${this.path}: ${message}`,
    );
  }

  private executor(): ExecutorContext {
    return this.s.phase.executor;
  }

  private isStale(): boolean {
    return this.orphan || this.s.generation !== this.generation;
  }

  // sending

  /** Sends or, without a free connection, waits for one (follow-ups and generated requests). */
  dispatch(): void {
    if (this.hop > 0 && this.checkCache()) return this.completeFromCache();
    const conn = this.client.acquire();
    if (conn === undefined) {
      if (this.blockedSince === 0) this.blockedSince = this.executor().nowNs();
      this.phase = WAITING;
      this.client.wait(this);
      return;
    }
    const blocked = this.blockedSince > 0 ? this.executor().nowNs() - this.blockedSince : 0;
    this.blockedSince = 0;
    this.sendOn(conn, blocked);
  }

  connectionFailed(kind: HttpErrorKind): void {
    if (this.leave(WAITING)) this.held(() => this.failConnect(kind));
  }

  /** Leaves `state` for IDLE; false when not in it or when the request went stale meanwhile. */
  private leave(state: number): boolean {
    if (this.phase !== state) return false;
    this.phase = IDLE;
    if (!this.isStale()) return true;
    this.endStale();
    return false;
  }

  /** Runs `then` with the session held, so handlers and actions never re-enter it. */
  private held(then: () => void): void {
    const s = this.s;
    const held = holdSession(s);
    try {
      then();
    } finally {
      releaseSession(s, held);
    }
  }

  /** No connection could be opened: the request counts as sent and failed (Hyperfoil marks it invalid). */
  failConnect(kind: HttpErrorKind): void {
    const ex = this.executor();
    this.stats = this.hopStatistics(ex);
    this.sendNs = ex.nowNs();
    this.bucketNs = this.fromScheduled && this.hop === 0 ? this.s.scheduledNs : this.sendNs;
    this.stats.recordRequest(this.bucketNs);
    this.resetResponse();
    this.phase = IN_HTTP;
    this.onError(kind);
  }

  connectionAvailable(): void {
    if (this.leave(WAITING)) this.held(() => this.dispatch());
  }

  /** Sends on `conn` (just acquired); `blockedNs` waited for it. */
  sendOn(conn: HttpConnection, blockedNs: number): void {
    const spec = this.spec;
    const ex = this.executor();
    const req = this.req;
    const withPath = this.hop === 0 && this.owner === undefined && this.path === spec.staticPath;
    const template = spec.rt.template(spec, ex, this.client, this.method, withPath, this.hostValue);
    req.template = template;
    req.path = template.path === undefined ? this.path : undefined;
    req.headerValues = spec.dynamicHeaderNames.length > 0 ? this.headerValues : undefined;
    req.extraHeaders = this.extraHeaders();
    req.body = this.requestBody;
    req.timeout = spec.timeout;
    this.stats = this.hopStatistics(ex);
    // Right after a restart the session's start clock is still fresh (same synchronous run):
    // good for choosing the statistics bucket. Latency uses the connection's send time.
    const fresh = this.s.freshNs;
    this.sendNs = fresh === fresh ? fresh : ex.nowNs();
    this.bucketNs = this.fromScheduled && this.hop === 0 ? this.s.scheduledNs : this.sendNs;
    this.stats.recordRequest(this.bucketNs);
    if (blockedNs > 0) this.stats.recordBlocked(this.bucketNs, blockedNs);
    if (spec.handlers.transferSize.length > 0) this.requestBytes = requestSize(req);
    this.resetResponse();
    this.conn = conn;
    this.phase = IN_HTTP;
    try {
      conn.request(req, this);
    } catch (e) {
      // A request that cannot be encoded (a header value with a line break…) fails alone.
      this.handlerFailed(e);
      this.completion(false, false);
    }
  }

  private hopStatistics(ex: ExecutorContext): Statistics {
    const spec = this.spec;
    if (this.hop > 0) return spec.rt.redirectStatistics(spec, ex);
    return spec.rt.statistics(spec, ex, spec.metric(this.authority, this.path));
  }

  private extraHeaders(): string[] | undefined {
    const spec = this.spec;
    const extra = this.extra;
    extra.length = 0;
    if (spec.userAgent) extra.push("user-agent", this.state.userAgent(this.s));
    if (spec.repeatCookies && this.state.cookies.size > 0) {
      const e = this.client.endpoint;
      const c = this.state.cookies.header(e.host, this.path, e.protocol === "https");
      if (c !== undefined) extra.push("cookie", c);
    }
    if (this.validatorName !== undefined) extra.push(this.validatorName, this.validatorValue);
    return extra.length > 0 ? extra : undefined;
  }

  /** Cache lookup for this hop; true when a fresh entry answers it. */
  private checkCache(): boolean {
    const m = this.method;
    const spec = this.spec;
    this.validatorName = undefined;
    this.unsafe = m === "POST" || m === "PUT" || m === "DELETE" || m === "PATCH";
    this.cacheable = (m === "GET" || m === "HEAD") && this.client.endpoint.useHttpCache &&
      !spec.requestNoStore;
    if (!this.client.endpoint.useHttpCache || !(m === "GET" || m === "HEAD")) return false;
    const cache = this.state.cache;
    if (cache.size === 0) return false;
    const entry = cache.lookup(this.authority, this.path);
    if (entry === undefined) return false;
    if (!spec.requestNoCache && cache.isFresh(entry, Date.now())) return true;
    const v = cache.validator(entry);
    if (v !== undefined) {
      this.validatorName = v[0];
      this.validatorValue = v[1];
    }
    return false;
  }

  /** A fresh cached response answers the request: a cache hit, no response time. */
  completeFromCache(): void {
    const ex = this.executor();
    this.stats = this.hopStatistics(ex);
    this.bucketNs = this.fromScheduled && this.hop === 0 ? this.s.scheduledNs : ex.nowNs();
    this.stats.recordRequest(this.bucketNs);
    this.stats.recordCacheHit(this.bucketNs);
    this.resetResponse();
    this.phase = IN_HTTP;
    this.completion(false, true);
  }

  private resetResponse(): void {
    this.statusCode = 0;
    this.invalid = false;
    this.timedOut = false;
    this.broken = false;
    this.redirecting = false;
    this.location = this.refreshUrl = undefined;
    this.refreshDelay = -1;
    this.cacheInfo.reset();
  }

  // ResponseHandlers

  status(code: number): void {
    this.statusCode = code;
    if (this.isStale()) return;
    const spec = this.spec;
    if (spec.follow.location && isRedirect(code)) {
      this.redirecting = true; // handlers see only the final response of the chain
      return;
    }
    if (spec.follow.html) {
      this.scanner ??= new HtmlScanner(META_RULES);
      this.scanner.reset();
      this.metaEquiv = this.metaContent = undefined;
    }
    const h = spec.handlers;
    if (h.status.length === 0 && h.header.length === 0 && h.body.length === 0) return;
    const held = this.enter();
    try {
      for (const handler of h.status) handler(this, code);
      for (const handler of h.header) handler.before?.(this);
      if (h.body.length > 0) {
        const q = this.instance();
        for (const p of h.body) p.before?.(this.s, q);
      }
    } catch (e) {
      this.handlerFailed(e);
    } finally {
      this.exit(held);
    }
  }

  headerBytes(buf: Uint8Array, ns: number, ne: number, vs: number, ve: number): void {
    const spec = this.spec;
    // Nothing below can act on this header (no cookies, redirect, cache or header handlers).
    if (
      !spec.repeatCookies && !this.redirecting && !this.unsafe && !this.cacheable &&
      spec.handlers.header.length === 0
    ) {
      return;
    }
    if (this.isStale()) return;
    switch (ne - ns) {
      case 10:
        if (spec.repeatCookies && equalsIgnoreCase(buf, ns, ne, SET_COOKIE)) {
          this.state.cookies.set(this.client.endpoint.host, this.path, latin1(buf, vs, ve));
        }
        break;
      case 8:
        if (equalsIgnoreCase(buf, ns, ne, LOCATION)) {
          if (this.redirecting) this.location = latin1(buf, vs, ve);
          if (this.unsafe) this.cacheInfo.locations.push(latin1(buf, vs, ve));
        }
        break;
      case 16:
        if (this.unsafe && equalsIgnoreCase(buf, ns, ne, CONTENT_LOCATION)) {
          this.cacheInfo.locations.push(latin1(buf, vs, ve));
        }
        break;
      default:
        if (this.cacheable) this.cacheHeader(buf, ns, ne, vs, ve);
    }
    const handlers = spec.handlers.header;
    if (handlers.length === 0 || this.redirecting || this.broken) return;
    const name = latin1(buf, ns, ne, true);
    const held = this.enter();
    try {
      for (const h of handlers) h.header(this, name, buf, vs, ve);
    } catch (e) {
      this.handlerFailed(e);
    } finally {
      this.exit(held);
    }
  }

  private cacheHeader(buf: Uint8Array, ns: number, ne: number, vs: number, ve: number): void {
    const info = this.cacheInfo;
    switch (ne - ns) {
      case 13:
        if (equalsIgnoreCase(buf, ns, ne, CACHE_CONTROL)) info.cacheControl(latin1(buf, vs, ve));
        else if (equalsIgnoreCase(buf, ns, ne, LAST_MODIFIED)) {
          info.lastModified = Date.parse(latin1(buf, vs, ve));
        }
        break;
      case 7:
        if (equalsIgnoreCase(buf, ns, ne, EXPIRES)) {
          const t = Date.parse(latin1(buf, vs, ve));
          info.expires = Number.isNaN(t) ? 0 : t; // an invalid date means "already expired"
        }
        break;
      case 3:
        if (equalsIgnoreCase(buf, ns, ne, AGE)) info.age = Number(latin1(buf, vs, ve)) || 0;
        break;
      case 4:
        if (equalsIgnoreCase(buf, ns, ne, DATE)) info.date = Date.parse(latin1(buf, vs, ve));
        else if (equalsIgnoreCase(buf, ns, ne, ETAG)) info.etag = latin1(buf, vs, ve);
        break;
      case 6:
        if (equalsIgnoreCase(buf, ns, ne, PRAGMA) && /no-cache/i.test(latin1(buf, vs, ve))) {
          info.noCache = true;
        }
        break;
    }
  }

  body(buf: Uint8Array, start: number, end: number): void {
    if (this.redirecting || this.broken || this.isStale()) return;
    const spec = this.spec;
    if (spec.follow.html) this.scanner!.feed(buf, start, end, this);
    const processors = spec.handlers.body;
    if (processors.length === 0) return;
    const held = this.enter();
    try {
      const q = this.instance();
      for (const p of processors) p.process(this.s, q, buf, start, end, false);
    } catch (e) {
      this.handlerFailed(e);
    } finally {
      this.exit(held);
    }
  }

  complete(sentNs: number, doneNs: number, rawBytes: number): void {
    if (this.phase !== IN_HTTP) return;
    const s = this.s;
    const held = holdSession(s);
    try {
      this.onComplete(sentNs, doneNs, rawBytes);
    } finally {
      releaseSession(s, held);
    }
  }

  private onComplete(sentNs: number, doneNs: number, rawBytes: number): void {
    const spec = this.spec;
    // A `sentNs` after `doneNs` cannot be this request's (a connection reused from inside the
    // pool's wake-up may overwrite it): our own send time is then the closest truth.
    const sent = sentNs <= doneNs ? sentNs : this.sendNs;
    const startNs = this.fromScheduled && this.hop === 0 ? this.s.scheduledNs : sent;
    const bucket = this.bucketNs;
    this.stats.recordResponse(bucket, bucket + (doneNs - startNs), this.statusCode);
    const transferSize = spec.handlers.transferSize;
    for (let i = 0; i < transferSize.length; i++) {
      this.stats.recordTransferSize(bucket, transferSize[i], this.requestBytes, rawBytes);
    }
    if (this.isStale()) return this.endStale();
    if (this.redirecting) {
      const loc = this.location;
      if (
        loc !== undefined && this.followUp(loc, this.statusCode <= 303 ? "GET" : this.method, 0)
      ) {
        return;
      }
      this.invalid = true; // a redirect without a usable Location, as Hyperfoil marks it
    } else {
      if (!this.broken) this.afterHandlers();
      this.storeInCache();
      if (this.refreshDelay >= 0 && !this.broken) {
        // The page itself counts as Hyperfoil counts it; completion waits for the refreshed one.
        const invalid = this.invalid;
        const stats = this.stats;
        if (this.followUp(this.refreshUrl ?? this.path, "GET", this.refreshDelay)) {
          if (invalid) stats.recordInvalid(bucket);
          return;
        }
      }
    }
    this.completion(true, false);
  }

  error(kind: HttpErrorKind, _message: string): void {
    if (this.phase !== IN_HTTP) return;
    const s = this.s;
    const held = holdSession(s);
    try {
      this.onError(kind);
    } finally {
      releaseSession(s, held);
    }
  }

  private onError(kind: HttpErrorKind): void {
    if (kind === "timeout") {
      this.stats.recordTimeout(this.bucketNs);
      this.timedOut = true;
    } else {
      this.stats.recordConnectionError(this.bucketNs);
      this.invalid = true;
    }
    if (this.isStale()) return this.endStale();
    this.redirecting = false;
    this.completion(false, false);
  }

  // HtmlSink (meta refresh)

  attribute(rule: number, buf: Uint8Array, len: number): void {
    if (rule === 0) this.metaEquiv = latin1(buf, 0, len);
    else this.metaContent = decoder.decode(buf.subarray(0, len));
  }

  tagEnd(): void {
    const equiv = this.metaEquiv, content = this.metaContent;
    this.metaEquiv = this.metaContent = undefined;
    if (
      this.refreshDelay >= 0 || content === undefined || equiv?.trim().toLowerCase() !== "refresh"
    ) {
      return;
    }
    const m = /^\s*(\d+)[^;,]*(?:[;,]\s*(?:url\s*=\s*)?(.*))?$/is.exec(content);
    if (!m) return;
    this.refreshDelay = Number(m[1]);
    const url = m[2]?.trim().replace(/^(['"])(.*)\1$/, "$2");
    this.refreshUrl = url ? url : undefined;
  }

  // completion

  private afterHandlers(): void {
    const h = this.spec.handlers;
    if (h.header.length === 0 && h.body.length === 0) return;
    const held = this.enter();
    try {
      for (const handler of h.header) handler.after?.(this);
      if (h.body.length > 0) {
        const q = this.instance();
        for (const p of h.body) p.process(this.s, q, EMPTY, 0, 0, true);
        for (const p of h.body) p.after?.(this.s, q);
      }
    } catch (e) {
      this.handlerFailed(e);
    } finally {
      this.exit(held);
    }
  }

  private storeInCache(): void {
    const cache = this.state.cache;
    if (this.cacheable && this.statusCode === 200) {
      cache.store(this.authority, this.path, this.cacheInfo, Date.now());
    } else if (this.unsafe && this.statusCode >= 200 && this.statusCode <= 399 && cache.size > 0) {
      cache.invalidate(this.authority, this.path);
      for (const loc of this.cacheInfo.locations) cache.invalidate(this.authority, loc);
    }
  }

  /** Completion actions, invalid count, then the step or owner learns it is done. */
  private completion(executed: boolean, cacheHit: boolean): void {
    const spec = this.spec;
    const actions = spec.handlers.onCompletion;
    if (actions.length > 0 || spec.compensation !== undefined) {
      const held = this.enter();
      try {
        const q = this.instance();
        for (const a of actions) a(this.s, q);
        if (spec.compensation !== undefined) this.recordCompensated(cacheHit);
      } catch (e) {
        this.handlerFailed(e);
      } finally {
        this.exit(held);
      }
    }
    if (executed && this.invalid) this.stats.recordInvalid(this.bucketNs);
    this.finish();
  }

  private recordCompensated(cacheHit: boolean): void {
    const spec = this.spec;
    const ex = this.executor();
    const metric = spec.compensation!.metric(this.authority, this.path);
    const st = spec.rt.statistics(spec, ex, metric);
    const start = this.compStartNs;
    st.recordRequest(start);
    if (cacheHit) st.recordCacheHit(start);
    else st.recordResponse(start, ex.nowNs(), this.statusCode);
  }

  private finish(): void {
    if (this.isStale()) return this.endStale(); // a handler stopped (and maybe restarted) the session
    this.phase = DONE;
    this.finished = true;
    const s = this.s;
    if (this.counted) {
      this.counted = false;
      s.inFlight--;
    }
    const stop = this.broken || ((this.invalid || this.timedOut) && this.spec.stopOnInvalid);
    const owner = this.owner;
    if (owner !== undefined) owner.childDone(this);
    else if (!this.heldByStep) this.state.pool.release(this);
    if (stop) stopSession(s);
    else wakeSession(s);
  }

  /** The session was reset while this request ran: only its statistics count. */
  private endStale(): void {
    this.phase = DONE;
    this.finished = true;
    this.counted = false;
    if (this.orphan || this.heldByStep) return; // the pool replaced it, or reclaims it on restart
    this.state.pool.release(this);
  }

  private handlerFailed(e: unknown): void {
    this.broken = true;
    this.invalid = true;
    this.stats.recordInternalError(this.bucketNs);
    const spec = this.spec;
    if (!spec.rt.loggedError) {
      spec.rt.loggedError = true;
      const msg = e instanceof Error ? e.message : String(e);
      this.executor().log(
        "error",
        `Session #${this.s.id}: ${this.method} ${this.authority}${this.path} in sequence '${spec.sequenceName}' failed (counted as an internal error, the session stops): ${msg}`,
      );
    }
  }

  /** Handlers run: this is the current request, and the session runs no step meanwhile. */
  private enter(): boolean {
    this.prevCurrent = this.state.current;
    this.state.current = this;
    return holdSession(this.s);
  }

  private exit(held: boolean): void {
    this.state.current = this.prevCurrent;
    this.prevCurrent = undefined;
    releaseSession(this.s, held);
  }

  // redirects

  /** Sends the next hop of a redirect chain (after `delayS` seconds); false when it cannot. */
  private followUp(location: string, method: string, delayS: number): boolean {
    if (this.hop >= MAX_HOPS) return false;
    if (!this.retarget(location)) return false;
    this.hop++;
    this.method = method;
    if (method === "GET" || method === "HEAD") this.requestBody = undefined;
    this.hostValue = undefined;
    this.blockedSince = 0;
    this.phase = IDLE;
    if (delayS > 0) {
      this.phase = DELAYED;
      this.timer = setTimeout(this.onDelay, delayS * 1000);
      // A session that ends meanwhile must not keep the process alive for it.
      Deno.unrefTimer(this.timer);
    } else this.dispatch();
    return true;
  }

  private readonly onDelay = (): void => {
    this.timer = undefined;
    if (this.leave(DELAYED)) this.held(() => this.dispatch());
  };

  /** Points the request at `location` (absolute, absolute-path or relative to this path). */
  private retarget(location: string): boolean {
    let loc = location.trim();
    const hash = loc.indexOf("#");
    if (hash >= 0) loc = loc.slice(0, hash);
    if (loc.startsWith("//")) loc = `${this.client.endpoint.protocol}:${loc}`;
    const m = /^(https?):\/\/([^/?]+)(.*)$/i.exec(loc);
    if (m) {
      const scheme = m[1].toLowerCase();
      const hostPort = m[2].toLowerCase();
      const authority = /:\d+$/.test(hostPort)
        ? hostPort
        : `${hostPort}:${scheme === "https" ? 443 : 80}`;
      const client = this.executor().http(authority);
      if (client === undefined) {
        this.log(
          `cannot follow the redirect to '${location}': no HTTP endpoint for '${authority}'`,
        );
        return false;
      }
      this.client = client;
      this.authority = client.endpoint.authority;
      this.path = m[3] === "" ? "/" : m[3].startsWith("/") ? m[3] : `/${m[3]}`;
    } else if (loc.startsWith("/")) this.path = loc;
    else {
      const slash = this.path.lastIndexOf("/");
      this.path = (slash < 0 ? "/" : this.path.slice(0, slash + 1)) + loc;
    }
    return true;
  }

  // pooling

  /** Stops waiting (a session reset): leaves the client's queue and cancels a delay. */
  abandon(): void {
    if (this.phase === WAITING) this.client.cancelWait(this);
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** Drops references so a free context keeps nothing of its last request alive. */
  clear(): void {
    this.phase = IDLE;
    this.owner = undefined;
    this.seq.set(undefined);
    this.conn = undefined;
    this.requestBody = undefined;
    this.hostValue = undefined;
    this.heldByStep = false;
    this.counted = false;
    this.finished = false;
    this.blockedSince = 0;
    this.hop = 0;
    this.validatorName = undefined;
    const req = this.req;
    req.body =
      req.extraHeaders =
      req.headerValues =
      req.path =
        undefined;
  }
}

/**
 * The sequence instance a request was sent from. Instances are pooled and
 * reused once they end, so a late response gets a stand-in with the same
 * sequence and index (what `[.]` variables need) instead of a stranger.
 */
export class InstanceRef {
  private q: SequenceInstance | undefined = undefined;
  private seq: CompiledSequence | undefined = undefined;
  private index = 0;
  private stand: SequenceInstance | undefined = undefined;

  set(q: SequenceInstance | undefined): void {
    this.q = q;
    this.seq = q?.seq;
    this.index = q?.index ?? 0;
  }

  get(): SequenceInstance | undefined {
    const q = this.q;
    if (q === undefined || (q.seq === this.seq && q.index === this.index)) return q;
    const d = this.stand ??= { ...q };
    d.seq = this.seq!;
    d.index = this.index;
    d.step = 0;
    d.jumped = false;
    d.scratchNum = 0;
    d.scratchObj = undefined;
    return d;
  }
}

function isRedirect(code: number): boolean {
  return code === 301 || code === 302 || code === 303 || code === 307 || code === 308;
}

/** Bytes the request takes on the wire (for `transferSizeRecorder`). */
export function requestSize(req: HttpRequest): number {
  const t = req.template;
  const extra = req.extraHeaders;
  const body = req.body;
  if (t.complete !== undefined && req.path === undefined && body === undefined && !extra) {
    return t.complete.length;
  }
  let n = t.path !== undefined && req.path === undefined
    ? t.head.length
    : t.method.length + 1 + byteLength(req.path ?? "") + t.afterPath.length;
  const values = req.headerValues;
  if (values !== undefined) {
    for (let i = 0; i < t.dynamicHeaderPrefixes.length; i++) {
      n += t.dynamicHeaderPrefixes[i].length + byteLength(values[i]) + 2;
    }
  }
  if (extra !== undefined) {
    for (let i = 0; i + 1 < extra.length; i += 2) {
      n += extra[i].length + byteLength(extra[i + 1]) + 4;
    }
  }
  const length = body === undefined ? 0 : typeof body === "string" ? byteLength(body) : body.length;
  if (body !== undefined || t.lengthRequired) {
    n += "content-length: \r\n".length + String(length).length;
  }
  return n + 2 + length;
}

function byteLength(text: string): number {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) return encoder.encode(text).length;
  }
  return text.length;
}
