/**
 * The `fetch` engine: HTTP/2 (and anything else Deno's fetch speaks) behind
 * the same `HttpClient` contract as the own engine. It costs ~4× the CPU
 * per request, so it serves only endpoints that need it. Bodies arrive in
 * one piece. Concurrency is limited
 * to `max` connections × `maxHttp2Streams` (HTTP/2) or × 1 (HTTP/1.1).
 */
import type { HttpEndpoint, SharedConnections } from "../benchmark/model.ts";
import { utf8 } from "./_bytes.ts";
import {
  type ConnectionWaiter,
  type HttpClient,
  type HttpClientOptions,
  type HttpClientStats,
  type HttpConnection,
  HttpError,
  type HttpErrorKind,
  type HttpRequest,
  type ResponseHandlers,
} from "./http_client.ts";
import { hostHeader, type RequestTemplate } from "./request_template.ts";
import { nowNs } from "./time.ts";
import { tlsPem } from "./tls.ts";
import { endpointTargets, openTransport, type Target } from "./transport.ts";

export class FetchClient implements HttpClient {
  readonly endpoint: HttpEndpoint;
  readonly engine = "fetch" as const;

  private readonly options: HttpClientOptions;
  private readonly shared: SharedConnections;
  private readonly capacity: number;
  private readonly client: Deno.HttpClient;
  private readonly targets: Target[];
  private readonly origins: string[];
  private readonly hostHeader: string | undefined;
  private readonly connection: HttpConnection;
  private readonly waiters: ConnectionWaiter[] = [];
  private readonly running = new Set<Promise<void>>();
  /** Requests in flight, swept for timeouts by one interval timer. */
  private readonly flights = new Set<Flight>();
  private ticker: ReturnType<typeof setInterval> | undefined;
  private tickMs = Infinity;
  private readonly headerCache = new WeakMap<RequestTemplate, [string, string][]>();
  private inFlight = 0;
  private next = 0;
  private closed = false;

  constructor(endpoint: HttpEndpoint, options: HttpClientOptions = {}) {
    this.endpoint = endpoint;
    this.options = options;
    this.shared = options.sharedConnections ?? endpoint.sharedConnections;
    const connections = Math.max(1, this.shared.max, this.shared.core);
    const http2 = endpoint.protocol === "https" && endpoint.allowHttp2;
    this.capacity = connections * (http2 ? Math.max(1, endpoint.maxHttp2Streams) : 1);
    const pem = tlsPem(endpoint);
    this.client = Deno.createHttpClient({
      caCerts: pem.caCerts,
      ...(pem.cert !== undefined ? { cert: pem.cert, key: pem.key! } : {}),
      http1: endpoint.allowHttp1x,
      http2,
      allowHost: true,
      poolMaxIdlePerHost: connections,
    });
    this.targets = endpointTargets(endpoint);
    // fetch cannot resolve a name to a chosen IP: over http it dials the
    // address and sends Host; over https (SNI, certificates) it dials the host
    const useAddresses = endpoint.protocol === "http" && endpoint.addresses.length > 0;
    const base = (t: Target) => `${endpoint.protocol}://${t.label}`;
    this.origins = useAddresses
      ? this.targets.map(base)
      : [base({ hostname: endpoint.host, port: endpoint.port, label: authority(endpoint) })];
    this.hostHeader = useAddresses ? hostHeader(endpoint) : undefined;
    this.connection = {
      address: endpoint.authority,
      request: (req, h) => this.send(req, h),
      close() {},
    };
  }

  /** Checks that every target accepts a connection (and TLS), then lets fetch pool its own. */
  async connect(): Promise<void> {
    if (this.closed) throw new Error(`Client for ${this.endpoint.authority} is closed`);
    await Promise.all(this.targets.map(async (target) => {
      const transport = await openTransport(this.endpoint, target, {
        alpnProtocols: this.endpoint.allowHttp2 ? ["h2", "http/1.1"] : ["http/1.1"],
      });
      transport.close();
    }));
  }

  acquire(): HttpConnection | undefined {
    return !this.closed && this.inFlight < this.capacity ? this.connection : undefined;
  }

  wait(waiter: ConnectionWaiter): void {
    this.waiters.push(waiter);
  }

  cancelWait(waiter: ConnectionWaiter): boolean {
    const index = this.waiters.indexOf(waiter);
    if (index < 0) return false;
    this.waiters.splice(index, 1);
    return true;
  }

  request(req: HttpRequest, handlers: ResponseHandlers): boolean {
    if (this.acquire() === undefined) return false;
    this.send(req, handlers);
    return true;
  }

  stats(): HttpClientStats {
    return { connections: 0, connecting: 0, inFlight: this.inFlight, waiters: this.waiters.length };
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.waiters.length = 0;
      clearInterval(this.ticker);
      for (const flight of this.flights) {
        flight.abort.abort(new HttpError("reset", "Client closed"));
      }
    }
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
    try {
      this.client.close();
    } catch { /* already closed */ }
  }

  private send(req: HttpRequest, handlers: ResponseHandlers): void {
    if (this.closed) {
      handlers.error("reset", `Client for ${this.endpoint.authority} is closed`);
      return;
    }
    this.inFlight++;
    const run = this.run(req, handlers);
    this.running.add(run);
    run.then(() => this.running.delete(run));
  }

  private async run(req: HttpRequest, h: ResponseHandlers): Promise<void> {
    const t = req.template;
    const origin = this.origins[this.next++ % this.origins.length];
    const address = this.hostHeader === undefined
      ? this.endpoint.authority
      : origin.replace(/^\w+:\/\//, "");
    let headers = this.baseHeaders(t);
    const extra = req.extraHeaders;
    if (t.dynamicHeaders.length > 0 || extra !== undefined) {
      headers = [...headers];
      t.dynamicHeaders.forEach((name, i) => headers.push([name, req.headerValues?.[i] ?? ""]));
      for (let i = 0; extra !== undefined && i + 1 < extra.length; i += 2) {
        headers.push([extra[i], extra[i + 1]]);
      }
    }
    const timeoutMs = req.timeout ?? this.endpoint.requestTimeout;
    const flight: Flight = {
      abort: new AbortController(),
      deadlineNs: timeoutMs > 0 ? nowNs() + timeoutMs * 1e6 : Infinity,
      timedOut: false,
    };
    this.flights.add(flight);
    if (timeoutMs > 0) this.watchTimeouts(timeoutMs);
    let sentNs = 0;
    let outcome: (() => void) | undefined;
    // true while a handler runs: what it throws is a bug to report, not a network error
    let inHandler = false;
    try {
      sentNs = nowNs();
      const response = await fetch(origin + (req.path ?? t.path ?? "/"), {
        method: t.method,
        headers,
        body: req.body as BodyInit | undefined ?? (t.lengthRequired ? "" : undefined),
        client: this.client,
        signal: flight.abort.signal,
        redirect: "manual",
      });
      inHandler = true;
      h.status(response.status);
      let rawBytes = 12 + response.statusText.length + 2;
      for (const [name, value] of response.headers) {
        rawBytes += name.length + value.length + 4;
        if (h.headerBytes !== undefined) {
          const bytes = utf8(`${name}${value}`);
          h.headerBytes(bytes, 0, name.length, name.length, bytes.length);
        }
        h.header?.(name, value);
      }
      rawBytes += 2;
      h.headersEnd?.();
      inHandler = false;
      if (response.body !== null) {
        // one buffer: streaming chunk by chunk costs fetch 2.5× the CPU per request
        const body = await response.bytes();
        rawBytes += body.length;
        inHandler = true;
        if (body.length > 0) h.body?.(body, 0, body.length);
        inHandler = false;
      }
      const doneNs = nowNs();
      outcome = () => h.complete(sentNs, doneNs, rawBytes);
    } catch (error) {
      if (inHandler) {
        this.handlerError(error);
        outcome = () =>
          h.error("reset", `Request aborted after a response handler failed: ${address}`);
      } else {
        const [kind, message] = flight.timedOut
          ? ["timeout" as const, `Request timed out after ${timeoutMs} ms: ${address}`]
          : classify(error, address);
        outcome = () => h.error(kind, message);
      }
    } finally {
      this.flights.delete(flight);
      this.inFlight--;
    }
    this.wakeWaiter();
    try {
      outcome();
    } catch (error) {
      this.handlerError(error);
    }
  }

  /** Runs the timeout sweep often enough for `timeoutMs` (1/20 of it, 5–100 ms). */
  private watchTimeouts(timeoutMs: number): void {
    const tick = Math.min(100, Math.max(5, timeoutMs / 20));
    if (tick >= this.tickMs || this.closed) return;
    clearInterval(this.ticker);
    this.tickMs = tick;
    this.ticker = setInterval(() => {
      const now = nowNs();
      for (const flight of this.flights) {
        if (flight.deadlineNs <= now && !flight.timedOut) {
          flight.timedOut = true;
          flight.abort.abort();
        }
      }
    }, tick);
  }

  /** The template's static headers for fetch, built once per template. */
  private baseHeaders(t: RequestTemplate): [string, string][] {
    let headers = this.headerCache.get(t);
    if (headers === undefined) {
      headers = t.headers.map(([name, value]) => [name, value]);
      if (this.hostHeader !== undefined) headers.push(["host", this.hostHeader]);
      if (!t.gzip && !headers.some(([name]) => name.toLowerCase() === "accept-encoding")) {
        headers.push(["accept-encoding", "identity"]); // fetch would decode gzip by itself
      }
      this.headerCache.set(t, headers);
    }
    return headers;
  }

  private handlerError(error: unknown): void {
    if (this.options.onHandlerError) this.options.onHandlerError(error);
    else reportError(error);
  }

  private wakeWaiter(): void {
    let budget = this.waiters.length;
    while (
      budget-- > 0 && !this.closed && this.inFlight < this.capacity && this.waiters.length > 0
    ) {
      this.waiters.shift()!.connectionAvailable();
    }
  }
}

interface Flight {
  abort: AbortController;
  deadlineNs: number;
  timedOut: boolean;
}

/** Maps a fetch failure to an error kind and a message naming the address. */
function classify(error: unknown, address: string): [HttpErrorKind, string] {
  if (error instanceof HttpError) return [error.kind, `${error.message}: ${address}`];
  let text = "";
  for (
    let e: unknown = error;
    e !== undefined && e !== null;
    e = (e as { cause?: unknown }).cause
  ) {
    text += " " + (e instanceof Error ? e.message : String(e));
    if (!(e instanceof Error)) break;
  }
  if (/refused/i.test(text)) return ["connect", `Connection refused: ${address}`];
  if (/certificate|tls|handshake|corrupt message|alert/i.test(text)) {
    return ["tls", `TLS failure with ${address}: ${lastReason(text)}`];
  }
  if (/dns|lookup|resolve/i.test(text)) {
    return ["connect", `Cannot resolve ${address}: ${lastReason(text)}`];
  }
  if (/\(Connect\)|connect error/i.test(text)) {
    return ["connect", `Cannot connect to ${address}: ${lastReason(text)}`];
  }
  return ["reset", `Connection failed with ${address}: ${lastReason(text)}`];
}

function lastReason(text: string): string {
  const parts = text.trim().split(/:\s+/);
  return parts[parts.length - 1].replace(/\s*\(os error \d+\)$/, "");
}

function authority(endpoint: HttpEndpoint): string {
  const host = endpoint.host.includes(":") ? `[${endpoint.host}]` : endpoint.host;
  return `${host}:${endpoint.port}`;
}
