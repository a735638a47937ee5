/**
 * The session driver of a scenario that is one plain `httpRequest` (what
 * `hf wrk` and `hf wrk2` generate): each life of a session sends the request,
 * records it exactly as `RequestContext` does, and ends the session. No
 * sequences, request pool, cookie jar or cache: with one request per life
 * (the jar and the cache are cleared on every start) they could never change
 * what is sent or recorded, only cost time.
 */
import type {
  ConnectionWaiter,
  HttpClient,
  HttpConnection,
  HttpErrorKind,
  HttpRequest,
  ResponseHandlers,
} from "../../http/http_client.ts";
import type { StatusRange } from "../../benchmark/steps/http_handlers.ts";
import type { Statistics } from "../../stats/recorder.ts";
import type { ExecutorContext } from "../runtime.ts";
import { endSession, type Session, type SessionDriver } from "../session.ts";
import { requestSize } from "./http_context.ts";
import { inRanges } from "./http_handlers.ts";
import type { RequestSpec } from "./http_spec.ts";

/**
 * Whether a request can drive its sessions: a fixed target, path and headers,
 * no body, no compression (a gzip body is decoded, and may fail, only for
 * handlers), no handlers beyond status ranges and transfer-size recorders, no
 * redirects to follow and no pacing.
 */
export function canDrive(spec: RequestSpec): boolean {
  const h = spec.handlers;
  return spec.dynamicAuthority === undefined && spec.dynamicEndpoint === undefined &&
    spec.staticPath !== undefined && spec.staticPath.charCodeAt(0) === 0x2f &&
    spec.dynamicHeaders.length === 0 && typeof spec.host !== "function" &&
    spec.body === undefined && spec.compression === undefined &&
    h.statusRanges !== undefined && h.header.length === 0 &&
    h.body.length === 0 && h.onCompletion.length === 0 && !spec.follow.location &&
    !spec.follow.html && spec.compensation === undefined;
}

/** The driver factory of a request `canDrive` accepted. */
export function requestDriver(spec: RequestSpec): (s: Session) => SessionDriver {
  return (s) => new RequestDriver(spec, s);
}

class RequestDriver implements SessionDriver {
  private call: DrivenRequest;

  constructor(spec: RequestSpec, s: Session) {
    this.call = new DrivenRequest(spec, s);
  }

  start(freshNs: number): void {
    let call = this.call;
    // The previous life's request is still out: it only records when it ends.
    if (call.inHttp) call = this.call = new DrivenRequest(call.spec, call.s);
    call.begin(freshNs);
  }
}

/** What a request records into, bound on first use by a session of an executor. */
interface Bound {
  ex: ExecutorContext;
  client: HttpClient;
  stats: Statistics;
  req: HttpRequest;
  /** Bytes of the request on the wire, when a transfer-size recorder wants them. */
  requestBytes: number;
}

/** One session's request: the client's handlers and connection waiter, reused per life. */
class DrivenRequest implements ResponseHandlers, ConnectionWaiter {
  readonly spec: RequestSpec;
  readonly s: Session;
  /** Handed to a connection and not answered yet. */
  inHttp = false;
  /** The session generation this request belongs to. */
  private generation = -1;
  private bound: Bound | undefined = undefined;
  /** Waiting for a connection (for the life `generation`). */
  private waiting = false;
  /** In the client's waiter queue (at most once). */
  private queued = false;
  private blockedSince = 0;
  private sendNs = 0;
  private bucketNs = 0;
  /** Latency start under compensateInternalLatency (the scheduled start); NaN otherwise. */
  private startNs = NaN;
  private statusCode = 0;
  private invalid = false;
  private readonly ranges: readonly (readonly StatusRange[])[];
  private readonly transferKeys: readonly string[];

  constructor(spec: RequestSpec, s: Session) {
    this.spec = spec;
    this.s = s;
    this.ranges = spec.handlers.statusRanges ?? [];
    this.transferKeys = spec.handlers.transferSize;
  }

  begin(freshNs: number): void {
    const s = this.s;
    this.generation = s.generation;
    this.blockedSince = 0;
    let b = this.bound;
    if (b === undefined || b.ex !== s.phase.executor) b = this.bound = this.bind();
    this.send(b, freshNs);
  }

  private bind(): Bound {
    const spec = this.spec;
    const ex = this.s.phase.executor;
    const client = spec.rt.staticClient(spec, ex);
    const host = typeof spec.host === "string" ? spec.host : undefined;
    const template = spec.rt.template(spec, ex, client, spec.method, true, host);
    const req: HttpRequest = {
      template,
      extraHeaders: spec.userAgent ? ["user-agent", `hf/${ex.agentName}/${this.s.id}`] : undefined,
      timeout: spec.timeout,
    };
    const path = spec.staticPath!;
    return {
      ex,
      client,
      stats: spec.rt.statistics(spec, ex, spec.metric(client.endpoint.authority, path)),
      req,
      requestBytes: this.transferKeys.length > 0 ? requestSize(req) : 0,
    };
  }

  /** Sends on a free connection, or queues for one (the wait counts as blocked time). */
  private send(b: Bound, freshNs: number): void {
    const conn = b.client.acquire();
    if (conn === undefined) {
      if (this.blockedSince === 0) this.blockedSince = freshNs === freshNs ? freshNs : b.ex.nowNs();
      this.waiting = true;
      if (!this.queued) {
        this.queued = true;
        b.client.wait(this);
      }
      return;
    }
    this.waiting = false;
    const now = freshNs === freshNs ? freshNs : b.ex.nowNs();
    const blocked = this.blockedSince > 0 ? now - this.blockedSince : 0;
    this.blockedSince = 0;
    this.sendOn(b, conn, now, blocked);
  }

  private sendOn(b: Bound, conn: HttpConnection, now: number, blockedNs: number): void {
    const s = this.s;
    const scheduled = this.spec.useSessionStartTime;
    this.sendNs = now;
    this.startNs = scheduled ? s.scheduledNs : NaN;
    const bucket = this.bucketNs = scheduled ? s.scheduledNs : now;
    b.stats.recordRequest(bucket);
    if (blockedNs > 0) b.stats.recordBlocked(bucket, blockedNs);
    this.statusCode = 0;
    this.invalid = false;
    this.inHttp = true;
    s.inFlight++;
    b.req.nowNs = now;
    try {
      conn.request(b.req, this);
    } catch (e) {
      // A request that cannot be encoded: an internal error, and the session stops.
      this.inHttp = false;
      b.stats.recordInternalError(bucket);
      this.logFailure(e);
      s.inFlight--;
      endSession(s);
    }
  }

  // ConnectionWaiter

  connectionAvailable(): void {
    this.queued = false;
    if (!this.current() || !this.waiting) return;
    this.send(this.bound!, NaN);
  }

  connectionFailed(kind: HttpErrorKind): void {
    this.queued = false;
    if (!this.current() || !this.waiting) return;
    // No connection could be opened: the request counts as sent and failed.
    this.waiting = false;
    const b = this.bound!;
    const s = this.s;
    const bucket = this.spec.useSessionStartTime ? s.scheduledNs : b.ex.nowNs();
    b.stats.recordRequest(bucket);
    if (kind === "timeout") b.stats.recordTimeout(bucket);
    else b.stats.recordConnectionError(bucket);
    endSession(s);
  }

  // ResponseHandlers

  status(code: number): void {
    this.statusCode = code;
    if (!this.current()) return;
    const ranges = this.ranges;
    for (let i = 0; i < ranges.length; i++) if (!inRanges(ranges[i], code)) this.invalid = true;
  }

  complete(sentNs: number, doneNs: number, rawBytes: number): void {
    if (!this.inHttp) return;
    this.inHttp = false;
    const b = this.bound!;
    // A `sentNs` after `doneNs` is not this request's (see RequestContext.onComplete).
    const start = this.startNs === this.startNs
      ? this.startNs
      : sentNs <= doneNs
      ? sentNs
      : this.sendNs;
    const bucket = this.bucketNs;
    b.stats.recordResponse(bucket, bucket + (doneNs - start), this.statusCode);
    const keys = this.transferKeys;
    for (let i = 0; i < keys.length; i++) {
      b.stats.recordTransferSize(bucket, keys[i], b.requestBytes, rawBytes);
    }
    if (!this.current()) return; // the session moved on: statistics only
    if (this.invalid) b.stats.recordInvalid(bucket);
    this.s.inFlight--;
    endSession(this.s);
  }

  error(kind: HttpErrorKind, _message: string): void {
    if (!this.inHttp) return;
    this.inHttp = false;
    const b = this.bound!;
    if (kind === "timeout") b.stats.recordTimeout(this.bucketNs);
    else b.stats.recordConnectionError(this.bucketNs);
    if (!this.current()) return;
    this.s.inFlight--;
    endSession(this.s);
  }

  /** Whether the session is still in the life this request belongs to. */
  private current(): boolean {
    return this.s.generation === this.generation;
  }

  private logFailure(e: unknown): void {
    const spec = this.spec;
    if (spec.rt.loggedError) return;
    spec.rt.loggedError = true;
    const msg = e instanceof Error ? e.message : String(e);
    this.bound!.ex.log(
      "error",
      `Session #${this.s.id}: ${spec.method} ${
        this.bound!.client.endpoint.authority
      }${spec.staticPath} in sequence '${spec.sequenceName}' failed (counted as an internal error, the session stops): ${msg}`,
    );
  }
}
