/**
 * The contract every HTTP engine implements (the own HTTP/1.1 engine in
 * `connection_pool.ts`, the `fetch` engine in `fetch_engine.ts`). The engine
 * above talks to this interface only.
 *
 * Lifecycle of a request: `acquire()` a connection (or `wait()` for one and
 * count the time as blocked), then `connection.request(req, handlers)`. Every
 * request ends in exactly one `handlers.complete()` or `handlers.error()`.
 */
import type { HttpEndpoint, SharedConnections } from "../benchmark/model.ts";
import type { RequestTemplate } from "./request_template.ts";

/** Why a request or a connection failed. */
export type HttpErrorKind = "connect" | "reset" | "timeout" | "tls";

/** A connection-level failure: `kind` for counting, `message` names the address. */
export class HttpError extends Error {
  readonly kind: HttpErrorKind;

  constructor(kind: HttpErrorKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "HttpError";
    this.kind = kind;
  }
}

/**
 * Callbacks for one response. The engine passes one object per in-flight
 * request (pooled, reused); the HTTP layer holds it until `complete` or `error`.
 * Byte ranges passed to callbacks are valid only during the call.
 */
export interface ResponseHandlers {
  /** The final status (1xx interim responses are skipped). */
  status(code: number): void;
  /** Each header as raw bytes, when present: no strings are made. */
  headerBytes?(
    buf: Uint8Array,
    nameStart: number,
    nameEnd: number,
    valueStart: number,
    valueEnd: number,
  ): void;
  /** Each header as strings (name lower-cased), when present. */
  header?(name: string, value: string): void;
  /** After the last header, before the body. */
  headersEnd?(): void;
  /** Body bytes (gzip already decoded when the request asked for it), when present. */
  body?(buf: Uint8Array, start: number, end: number): void;
  /**
   * The response is complete. Times are `nowNs()`: `sentNs` when the request
   * was handed to the socket, `doneNs` when its last bytes were read.
   * `rawBytes` counts the response as received (status line, headers, body).
   */
  complete(sentNs: number, doneNs: number, rawBytes: number): void;
  /** The request failed; `message` names the address. No other callback follows. */
  error(kind: HttpErrorKind, message: string): void;
}

/**
 * One request to send. The engine may reuse the object as soon as `request()`
 * returns: everything is copied or encoded synchronously.
 */
export interface HttpRequest {
  template: RequestTemplate;
  /** Path and query, when the template has no static path. */
  path?: string;
  /** Values of the template's `dynamicHeaders`, in order. */
  headerValues?: readonly string[];
  /** Further headers for this request only: `[name, value, name, value, …]`. */
  extraHeaders?: readonly string[];
  body?: string | Uint8Array;
  /** Request timeout in ms overriding the endpoint's `requestTimeout`; 0 means none. */
  timeout?: number;
  /**
   * `nowNs()` as read by the caller right before `request()`: taken as the
   * send time when the request is written at once (a clock read costs ~80 ns).
   */
  nowNs?: number;
}

/** Woken (FIFO) when a connection can take a request; it should `acquire()` at once. */
export interface ConnectionWaiter {
  connectionAvailable(): void;
  /**
   * The pool tried to open a connection and failed while it has none open: the
   * waiter is dequeued and its request fails as a connection error (instead of
   * waiting for a server that is gone).
   */
  connectionFailed?(kind: HttpErrorKind, message: string): void;
}

/** A connection with room for one more request, as returned by `acquire()`. */
export interface HttpConnection {
  /** Where it is connected, `ip:port` or `host:port`. */
  readonly address: string;
  /** Sends a request now; call only right after `acquire()` returned this connection. */
  request(req: HttpRequest, handlers: ResponseHandlers): void;
  /** Closes it (in-flight requests fail with "reset"); the pool replaces it as configured. */
  close(): void;
}

/** Gauges of a client, for connection statistics. */
export interface HttpClientStats {
  /** Open connections. */
  connections: number;
  /** Connections being opened. */
  connecting: number;
  /** Requests sent and not yet answered. */
  inFlight: number;
  /** Waiters queued for a connection. */
  waiters: number;
}

/** One endpoint's HTTP client: a pool of connections with one of the engines behind it. */
export interface HttpClient {
  readonly endpoint: HttpEndpoint;
  readonly engine: "http1" | "fetch";
  /**
   * Opens the initial connections. Rejects with an `HttpError` naming the
   * address on the first failure (`Connection refused: 127.0.0.1:1`).
   */
  connect(): Promise<void>;
  /** A connection that can take a request now, or undefined. No side effect on the caller. */
  acquire(): HttpConnection | undefined;
  /** Queues a waiter (FIFO) woken when a connection frees. */
  wait(waiter: ConnectionWaiter): void;
  /** Removes a queued waiter; false when it was not queued. */
  cancelWait(waiter: ConnectionWaiter): boolean;
  /** `acquire()` and send; false (nothing sent) when no connection is free. */
  request(req: HttpRequest, handlers: ResponseHandlers): boolean;
  stats(): HttpClientStats;
  /** Closes every connection; in-flight requests fail with "reset". Idempotent. */
  close(): Promise<void>;
}

/** Options shared by both engines. */
export interface HttpClientOptions {
  /** This executor's share of `endpoint.sharedConnections` (default: the endpoint's). */
  sharedConnections?: SharedConnections;
  /** Called for each failed (re)connect after `connect()`, for connection error counts. */
  onConnectionError?(kind: HttpErrorKind, message: string): void;
  /** Called when a response handler throws (default: rethrown as an uncaught error). */
  onHandlerError?(error: unknown): void;
}
