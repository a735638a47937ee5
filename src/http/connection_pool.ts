/**
 * The own engine's client: a pool of HTTP/1.1 connections to one endpoint.
 * `sharedConnections` is either fixed (`core === max`: opened up front,
 * reopened when one closes) or elastic (grows on demand up to `max`, idle
 * connections above `core` close after `keepAliveTime`). Connections spread
 * evenly over the endpoint's `addresses`. A full pool queues waiters (FIFO);
 * the caller measures how long they were blocked.
 */
import type { HttpEndpoint, SharedConnections } from "../benchmark/model.ts";
import { type ConnectionOwner, Http1Connection } from "./connection.ts";
import {
  type ConnectionWaiter,
  type HttpClient,
  type HttpClientOptions,
  type HttpClientStats,
  type HttpConnection,
  HttpError,
  type HttpRequest,
  type ResponseHandlers,
} from "./http_client.ts";
import { nowNs } from "./time.ts";
import { endpointTargets, openTransport, type Target } from "./transport.ts";

export interface ConnectionPoolOptions extends HttpClientOptions {
  /** ms allowed for a TCP connect (default 10 s). */
  connectTimeout?: number;
  /** Initial bytes per connection read buffer (default 512 B, grows to 64 KiB when filled). */
  readBufferSize?: number;
}

const MAX_RETRY_DELAY = 1000;
const CONNECT_CONCURRENCY = 128;
/** ms idle connections get to close after `close()` half-closed them. */
const SHUTDOWN_GRACE_MS = 200;

export class ConnectionPool implements HttpClient, ConnectionOwner {
  readonly endpoint: HttpEndpoint;
  readonly engine = "http1" as const;

  private readonly options: ConnectionPoolOptions;
  private readonly shared: SharedConnections;
  private readonly targets: Target[];
  /** Open plus opening connections per target. */
  private readonly perTarget: number[];
  private readonly connections = new Set<Http1Connection>();
  /** Connections that can take a request, used as a stack (most recent on top). */
  private readonly available: Http1Connection[] = [];
  private readonly waiters: ConnectionWaiter[] = [];
  private waiterHead = 0;
  private opening = 0;
  private nextTarget = 0;
  private closed = false;
  /** Connections being opened. */
  private readonly pending = new Set<Promise<unknown>>();
  /** Connections whose read loop has not ended yet (closed ones included). */
  private readonly live = new Set<Http1Connection>();
  /** `close()` calls waiting for the last connection to end. */
  private ended: (() => void)[] = [];
  private readonly retryTimers = new Set<ReturnType<typeof setTimeout>>();
  private retryDelay = 10;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private shutdownTimer: ReturnType<typeof setTimeout> | undefined;
  private tickMs = 0;
  private shortestTimeout: number;

  constructor(endpoint: HttpEndpoint, options: ConnectionPoolOptions = {}) {
    this.endpoint = endpoint;
    this.options = options;
    const shared = options.sharedConnections ?? endpoint.sharedConnections;
    const max = Math.max(1, shared.max, shared.core);
    this.shared = { ...shared, core: Math.min(Math.max(0, shared.core), max), max };
    this.targets = endpointTargets(endpoint);
    this.perTarget = this.targets.map(() => 0);
    this.shortestTimeout = endpoint.requestTimeout > 0 ? endpoint.requestTimeout : Infinity;
  }

  /**
   * Opens `core` connections (at least one), at most `CONNECT_CONCURRENCY`
   * at a time so as not to overflow the server's accept backlog; rejects on
   * the first failure.
   */
  async connect(): Promise<void> {
    if (this.closed) throw new Error(`Client for ${this.endpoint.authority} is closed`);
    let remaining = Math.max(1, this.shared.core) - this.connections.size - this.opening;
    const lane = async () => {
      while (remaining > 0 && !this.closed) {
        remaining--;
        await this.open(this.pickTarget(), true);
      }
    };
    const lanes = Array.from({ length: Math.min(remaining, CONNECT_CONCURRENCY) }, lane);
    try {
      await Promise.all(lanes);
    } finally {
      remaining = 0; // after a failure, the other lanes stop
      await Promise.allSettled(lanes);
    }
  }

  acquire(): HttpConnection | undefined {
    const n = this.available.length;
    if (n > 0) return this.available[n - 1];
    if (
      !this.closed && this.connections.size + this.opening < this.shared.max &&
      this.opening <= this.waiters.length - this.waiterHead
    ) {
      this.open(this.pickTarget(), false);
    }
    return undefined;
  }

  wait(waiter: ConnectionWaiter): void {
    this.waiters.push(waiter);
  }

  cancelWait(waiter: ConnectionWaiter): boolean {
    const index = this.waiters.indexOf(waiter, this.waiterHead);
    if (index < 0) return false;
    this.waiters.splice(index, 1);
    return true;
  }

  request(req: HttpRequest, handlers: ResponseHandlers): boolean {
    const conn = this.acquire();
    if (conn === undefined) return false;
    conn.request(req, handlers);
    return true;
  }

  stats(): HttpClientStats {
    let inFlight = 0;
    // forEach: a for-of over 10,000 connections allocates an iterator result per step.
    this.connections.forEach((conn) => inFlight += conn.inFlightCount);
    return {
      connections: this.connections.size,
      connecting: this.opening,
      inFlight,
      waiters: this.waiters.length - this.waiterHead,
    };
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      clearInterval(this.ticker);
      for (const timer of this.retryTimers) clearTimeout(timer);
      this.retryTimers.clear();
      this.waiters.length = 0;
      this.waiterHead = 0;
      for (const conn of this.available) conn.poolIndex = -1;
      this.available.length = 0; // nothing is sent while idle connections shut down
      let gentle = false;
      for (const conn of [...this.connections]) if (conn.shutdown()) gentle = true;
      // A server that does not close its side soon is cut off.
      if (gentle) {
        this.shutdownTimer = setTimeout(() => {
          for (const conn of [...this.connections]) conn.close();
        }, SHUTDOWN_GRACE_MS);
      }
    }
    while (this.pending.size > 0 || this.live.size > 0) {
      if (this.pending.size > 0) await Promise.allSettled([...this.pending]);
      else await new Promise<void>((resolve) => this.ended.push(resolve));
    }
    clearTimeout(this.shutdownTimer);
  }

  // ConnectionOwner

  connectionFreed(conn: Http1Connection): void {
    if (conn.poolIndex < 0) {
      conn.poolIndex = this.available.length;
      this.available.push(conn);
    }
    this.wakeWaiters();
  }

  connectionUnavailable(conn: Http1Connection): void {
    this.remove(conn);
    const idle = this.available.length;
    if (
      idle < this.shared.buffer && !this.closed &&
      this.connections.size + this.opening < this.shared.max
    ) {
      this.open(this.pickTarget(), false);
    }
  }

  connectionClosed(conn: Http1Connection): void {
    this.remove(conn);
    if (!this.connections.delete(conn)) return;
    this.perTarget[conn.targetIndex]--;
    if (this.closed) return;
    const total = this.connections.size + this.opening;
    const fixed = this.shared.core === this.shared.max;
    if (fixed || total < this.shared.core || (this.waiting() > 0 && total < this.shared.max)) {
      this.open(conn.targetIndex, false);
    }
  }

  connectionEnded(conn: Http1Connection): void {
    this.live.delete(conn);
    if (this.live.size > 0 || this.ended.length === 0) return;
    const waiting = this.ended;
    this.ended = [];
    for (const resolve of waiting) resolve();
  }

  timeoutUsed(ms: number): void {
    if (ms >= this.shortestTimeout) return;
    this.shortestTimeout = ms;
    if (this.ticker === undefined || tickFor(ms) >= this.tickMs) return;
    clearInterval(this.ticker);
    this.ticker = undefined;
    this.startTicker();
  }

  handlerError(error: unknown): void {
    if (this.options.onHandlerError) this.options.onHandlerError(error);
    else reportError(error);
  }

  // internals

  private waiting(): number {
    return this.waiters.length - this.waiterHead;
  }

  private wakeWaiters(): void {
    let budget = this.waiting();
    while (budget-- > 0 && this.available.length > 0 && this.waiterHead < this.waiters.length) {
      const waiter = this.waiters[this.waiterHead];
      this.waiters[this.waiterHead++] = undefined as unknown as ConnectionWaiter;
      if (this.waiterHead === this.waiters.length) {
        this.waiters.length = 0;
        this.waiterHead = 0;
      } else if (this.waiterHead > 1024 && this.waiterHead * 2 > this.waiters.length) {
        this.waiters.splice(0, this.waiterHead);
        this.waiterHead = 0;
      }
      waiter.connectionAvailable();
    }
  }

  private remove(conn: Http1Connection): void {
    const index = conn.poolIndex;
    if (index < 0) return;
    const last = this.available.pop()!;
    if (last !== conn) {
      this.available[index] = last;
      last.poolIndex = index;
    }
    conn.poolIndex = -1;
  }

  /** The target with the fewest connections; ties go round-robin. */
  private pickTarget(): number {
    const n = this.targets.length;
    let best = this.nextTarget % n;
    for (let k = 1; k < n; k++) {
      const t = (this.nextTarget + k) % n;
      if (this.perTarget[t] < this.perTarget[best]) best = t;
    }
    this.nextTarget = (best + 1) % n;
    return best;
  }

  private open(targetIndex: number, initial: boolean): Promise<void> {
    const target = this.targets[targetIndex];
    this.perTarget[targetIndex]++;
    this.opening++;
    const opened = openTransport(this.endpoint, target, {
      connectTimeout: this.options.connectTimeout,
    })
      .then((transport) => {
        this.opening--;
        if (this.closed) {
          this.perTarget[targetIndex]--;
          transport.close();
          throw new HttpError("connect", `Client for ${this.endpoint.authority} was closed`);
        }
        this.retryDelay = 10;
        const conn = new Http1Connection(transport, target.label, targetIndex, this, {
          pipeliningLimit: this.endpoint.pipeliningLimit,
          requestTimeout: this.endpoint.requestTimeout,
          readBufferSize: this.options.readBufferSize,
        });
        this.connections.add(conn);
        this.live.add(conn);
        this.startTicker();
        this.connectionFreed(conn);
      }, (error: HttpError) => {
        this.opening--;
        this.perTarget[targetIndex]--;
        if (!initial && !this.closed) {
          this.options.onConnectionError?.(error.kind, error.message);
          if (this.connections.size === 0 && this.opening === 0) this.failWaiters(error);
          this.retryLater();
        }
        throw error;
      });
    this.track(opened);
    if (!initial) opened.catch(() => {});
    return opened;
  }

  /** With no connection at all, requests waiting for one fail now rather than hang. */
  private failWaiters(error: HttpError): void {
    const queued = this.waiters.splice(this.waiterHead);
    this.waiters.length = this.waiterHead = 0;
    for (const w of queued) {
      if (w.connectionFailed) w.connectionFailed(error.kind, error.message);
      else this.waiters.push(w);
    }
  }

  private retryLater(): void {
    const delay = this.retryDelay;
    this.retryDelay = Math.min(MAX_RETRY_DELAY, delay * 2);
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      if (this.closed) return;
      const total = this.connections.size + this.opening;
      const fixed = this.shared.core === this.shared.max;
      if (
        (fixed && total < this.shared.max) || total < this.shared.core ||
        (this.waiting() > 0 && total < this.shared.max)
      ) {
        this.open(this.pickTarget(), false);
      }
    }, delay);
    this.retryTimers.add(timer);
  }

  private track(promise: Promise<unknown>): void {
    const settled = promise.then(() => {}, () => {});
    this.pending.add(settled);
    settled.then(() => this.pending.delete(settled));
  }

  /** Housekeeping: request timeouts and idle connections above `core`. */
  private startTicker(): void {
    if (this.ticker !== undefined || this.closed) return;
    const keepAlive = this.shared.core < this.shared.max ? this.shared.keepAliveTime : 0;
    this.tickMs = Math.min(
      tickFor(this.shortestTimeout),
      tickFor(keepAlive > 0 ? keepAlive : Infinity),
    );
    this.ticker = setInterval(() => this.tick(keepAlive), this.tickMs);
  }

  private tick(keepAlive: number): void {
    const now = nowNs();
    for (const conn of this.connections) conn.checkTimeouts(now);
    if (keepAlive <= 0 || this.connections.size <= this.shared.core) return;
    const idleBefore = now - keepAlive * 1e6;
    for (const conn of [...this.available]) {
      if (this.connections.size <= this.shared.core) break;
      if (conn.inFlightCount === 0 && conn.lastUsedNs <= idleBefore) conn.close();
    }
  }
}

/** Housekeeping period for a timeout: 1/20 of it, between 5 and 100 ms. */
function tickFor(timeoutMs: number): number {
  return Number.isFinite(timeoutMs) ? Math.min(100, Math.max(5, timeoutMs / 20)) : 100;
}
