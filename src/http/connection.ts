/**
 * One HTTP/1.1 connection: a read loop with a reusable buffer feeding the
 * incremental parser, an in-flight ring for pipelining, and batched writes.
 * Requests made in the same tick leave in one `write` (corked until a
 * microtask, or at once when the pipeline is full); a request with no
 * dynamic parts is written straight from its template without copying.
 */
import { ByteBuffer } from "./_bytes.ts";
import type {
  HttpConnection,
  HttpErrorKind,
  HttpRequest,
  ResponseHandlers,
} from "./http_client.ts";
import { encodeRequest, isStaticRequest } from "./request_template.ts";
import { type ParserOwner, type ParserTarget, ResponseParser } from "./response_parser.ts";
import { nowNs } from "./time.ts";
import type { Transport } from "./transport.ts";

/** The pool side of a connection. */
export interface ConnectionOwner {
  /** The connection can take a request again (it was full). */
  connectionFreed(conn: Http1Connection): void;
  /** The connection takes no more requests for now (full) or ever (closing). */
  connectionUnavailable(conn: Http1Connection): void;
  /** The connection closed (its in-flight requests are failed right after). */
  connectionClosed(conn: Http1Connection): void;
  /** After closing, its read loop and last write have finished. */
  connectionEnded(conn: Http1Connection): void;
  /** A request uses a timeout shorter than any before on this connection (ms). */
  timeoutUsed(ms: number): void;
  /** A response handler threw. */
  handlerError(error: unknown): void;
}

export interface ConnectionOptions {
  /** Requests in flight at once (1 = no pipelining). */
  pipeliningLimit: number;
  /** Default request timeout in ms; 0 means none. */
  requestTimeout: number;
  /**
   * Bytes read per `read()` at first (default 512 B). A read that fills the
   * buffer grows it 4× up to 64 KiB, and it shrinks back after a run of small
   * reads: idle connections stay small (10,000 of them hold 5 MB of
   * buffers), busy ones read large bodies in few calls.
   */
  readBufferSize?: number;
}

const MAX_READ_BUFFER = 64 * 1024;
/** Consecutive small reads after which a grown read buffer shrinks back. */
const SHRINK_AFTER = 64;

/** An in-flight request. Pre-allocated per connection, one per pipeline place. */
class Slot implements ParserTarget {
  handlers: ResponseHandlers | undefined = undefined;
  isHead = false;
  gzip = false;
  timeoutMs = 0;
  sentNs = 0;
  deadlineNs = Infinity;
}

export class Http1Connection implements HttpConnection, ParserOwner {
  readonly address: string;
  /** Which pool target it is connected to. */
  readonly targetIndex: number;
  /** Position in the pool's stack of available connections; -1 when not in it. */
  poolIndex = -1;
  /** When the last response completed (or the connection opened), `nowNs()`. */
  lastUsedNs: number;

  private readonly transport: Transport;
  private readonly owner: ConnectionOwner;
  // The parser, the pipeline slots, the request buffers and the write callbacks are made
  // on first use: most of 10,000 open connections may never carry a request.
  private parser: ResponseParser | undefined = undefined;
  private slots: Slot[] | undefined = undefined;
  private readonly limit: number;
  private readonly requestTimeout: number;
  private head = 0;
  private inFlight = 0;
  /** In-flight requests already handed to `write` (the first `sent` of the ring). */
  private sent = 0;
  private fill: ByteBuffer | undefined = undefined;
  private spare: ByteBuffer | undefined = undefined;
  /** A static request's template bytes waiting to be written (not copied). */
  private direct: Uint8Array | undefined = undefined;
  /** Bytes handed to `write` and not yet confirmed. */
  private writing: Uint8Array | undefined = undefined;
  private writeOffset = 0;
  private writeChain: Promise<void> | undefined = undefined;
  private written: ((n: number) => void) | undefined = undefined;
  private writeFailed: ((error: unknown) => void) | undefined = undefined;
  private flushTask: (() => void) | undefined = undefined;
  private flushScheduled = false;
  private keepAlive = true;
  private closed = false;
  private readNs = 0;
  private shortestTimeout: number;

  constructor(
    transport: Transport,
    address: string,
    targetIndex: number,
    owner: ConnectionOwner,
    options: ConnectionOptions,
  ) {
    this.transport = transport;
    this.address = address;
    this.targetIndex = targetIndex;
    this.owner = owner;
    this.limit = Math.max(1, options.pipeliningLimit | 0);
    this.requestTimeout = options.requestTimeout;
    this.shortestTimeout = options.requestTimeout > 0 ? options.requestTimeout : Infinity;
    this.lastUsedNs = nowNs();
    this.readLoop(options.readBufferSize ?? 512);
  }

  /** Whether it can take one more request now. */
  get available(): boolean {
    return !this.closed && this.keepAlive && this.inFlight < this.limit;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get inFlightCount(): number {
    return this.inFlight;
  }

  request(req: HttpRequest, handlers: ResponseHandlers): void {
    if (!this.available) {
      handlers.error("reset", `Connection to ${this.address} cannot take a request`);
      return;
    }
    if (
      isStaticRequest(req) && this.direct === undefined &&
      (this.fill === undefined || this.fill.len === 0)
    ) {
      this.direct = req.template.complete;
    } else {
      const fill = this.fill ??= new ByteBuffer(0);
      if (this.direct !== undefined) {
        fill.bytes(this.direct);
        this.direct = undefined;
      }
      const mark = fill.len;
      try {
        encodeRequest(req, fill);
      } catch (error) {
        fill.len = mark;
        throw error;
      }
    }
    let index = this.head + this.inFlight;
    if (index >= this.limit) index -= this.limit;
    const slot = (this.slots ??= Array.from({ length: this.limit }, () => new Slot()))[index];
    slot.handlers = handlers;
    slot.isHead = req.template.isHead;
    slot.gzip = req.template.gzip;
    const timeout = slot.timeoutMs = req.timeout ?? this.requestTimeout;
    if (timeout > 0 && timeout < this.shortestTimeout) {
      this.shortestTimeout = timeout;
      this.owner.timeoutUsed(timeout);
    }
    if (++this.inFlight === this.limit) {
      this.owner.connectionUnavailable(this);
      this.flush(req.nowNs);
    } else if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(this.flushTask ??= () => this.flush());
    }
  }

  close(): void {
    this.closeWith("reset", `Connection closed: ${this.address}`);
  }

  /**
   * Closes an idle connection gently: half-closes it, and the server's close ends it as an
   * end of stream. Cutting a pending read short costs Deno an error object (~2 KB; 10,000
   * connections at once add 20 MB to the heap). False when it had to `close()` at once.
   */
  shutdown(): boolean {
    if (this.closed) return false;
    if (
      this.inFlight > 0 || this.writing !== undefined || this.transport.closeWrite === undefined
    ) {
      this.close();
      return false;
    }
    this.keepAlive = false;
    this.transport.closeWrite().catch(() => this.close());
    return true;
  }

  /** Fails the first request past its deadline with a timeout and closes the connection. */
  checkTimeouts(now: number): void {
    const slots = this.slots;
    if (slots === undefined) return;
    for (let k = 0; k < this.sent; k++) {
      let index = this.head + k;
      if (index >= this.limit) index -= this.limit;
      if (slots[index].deadlineNs <= now) {
        const ms = slots[index].timeoutMs;
        this.closeWith(
          "reset",
          `Connection closed after a request timeout: ${this.address}`,
          index,
          ms,
        );
        return;
      }
    }
  }

  // ParserOwner

  nextTarget(): ParserTarget | undefined {
    return this.inFlight > 0 ? this.slots![this.head] : undefined;
  }

  noKeepAlive(): void {
    if (!this.keepAlive) return;
    this.keepAlive = false;
    this.owner.connectionUnavailable(this);
  }

  responseComplete(keepAlive: boolean, rawBytes: number): boolean {
    const slot = this.slots![this.head];
    const handlers = slot.handlers!;
    // Read before waking waiters: a waiter may reuse this slot at once and overwrite it.
    const sentNs = slot.sentNs;
    slot.handlers = undefined;
    if (++this.head === this.limit) this.head = 0;
    this.inFlight--;
    if (this.sent > 0) this.sent--; // 0 only for an answer that raced its own flush
    this.lastUsedNs = this.readNs;
    if (!keepAlive) this.noKeepAlive();
    else if (this.inFlight === this.limit - 1 && this.keepAlive) this.owner.connectionFreed(this);
    handlers.complete(sentNs, this.readNs, rawBytes);
    if (!this.keepAlive && this.inFlight === 0) {
      this.closeWith("reset", `Connection closed by the server: ${this.address}`);
    }
    return !this.closed;
  }

  // writing

  /** Writes what is waiting; `nowHint` is a fresh `nowNs()` when the caller has one. */
  private flush(nowHint?: number): void {
    this.flushScheduled = false;
    if (this.writing !== undefined || this.closed) return;
    let data: Uint8Array;
    if (this.direct !== undefined) {
      data = this.direct;
      this.direct = undefined;
    } else if (this.fill !== undefined && this.fill.len > 0) {
      const full = this.fill;
      data = full.buf.subarray(0, full.len);
      full.len = 0;
      this.fill = this.spare ?? new ByteBuffer(0);
      this.spare = full;
    } else return;
    const now = nowHint ?? nowNs();
    const slots = this.slots!;
    for (let k = this.sent; k < this.inFlight; k++) {
      let index = this.head + k;
      if (index >= this.limit) index -= this.limit;
      const slot = slots[index];
      slot.sentNs = now;
      slot.deadlineNs = slot.timeoutMs > 0 ? now + slot.timeoutMs * 1e6 : Infinity;
    }
    this.sent = this.inFlight;
    this.writing = data;
    this.writeOffset = 0;
    this.write(data);
  }

  private write(data: Uint8Array): void {
    this.writeChain = this.transport.write(data).then(
      this.written ??= (n) => this.onWritten(n),
      this.writeFailed ??= (error) => this.onWriteError(error),
    );
  }

  private onWritten(n: number): void {
    const data = this.writing;
    if (data === undefined || this.closed) {
      this.writing = undefined;
      return;
    }
    this.writeOffset += n;
    if (this.writeOffset < data.length) {
      this.write(data.subarray(this.writeOffset));
      return;
    }
    this.writing = undefined;
    if (this.direct !== undefined || (this.fill !== undefined && this.fill.len > 0)) this.flush();
  }

  private onWriteError(error: unknown): void {
    this.writing = undefined;
    this.closeWith("reset", `Connection reset while writing to ${this.address}: ${reason(error)}`);
  }

  // reading

  /** Reads until the connection closes, then waits for its last write and tells the owner. */
  private async readLoop(bufferSize: number): Promise<void> {
    let buf = new Uint8Array(bufferSize);
    let smallReads = 0;
    const transport = this.transport;
    try {
      for (;;) {
        const n = await transport.read(buf);
        if (this.closed) return;
        if (n === null) return this.onEof();
        this.readNs = nowNs();
        const parser = this.parser ??= new ResponseParser(this);
        let ok: boolean;
        try {
          ok = parser.execute(buf, 0, n);
        } catch (error) {
          this.closeWith(
            "reset",
            `Connection closed after a response handler failed: ${this.address}`,
          );
          this.owner.handlerError(error);
          return;
        }
        if (!ok) {
          this.closeWith(
            "reset",
            `Invalid HTTP response from ${this.address}: ${parser.errorMessage}`,
          );
          return;
        }
        if (this.closed) return;
        if (n === buf.length) {
          if (n < MAX_READ_BUFFER) buf = new Uint8Array(n * 4);
          smallReads = 0;
        } else if (buf.length > bufferSize && n <= bufferSize && ++smallReads === SHRINK_AFTER) {
          buf = new Uint8Array(bufferSize); // small responses again: give the memory back
          smallReads = 0;
        }
      }
    } catch (error) {
      if (this.closed) return;
      if (error instanceof Deno.errors.UnexpectedEof) return this.onEof();
      this.closeWith("reset", `Connection reset by ${this.address}: ${reason(error)}`);
    } finally {
      // Closed by now: the owner learns once nothing of the connection is left running.
      try {
        while (this.writing !== undefined && this.writeChain !== undefined) await this.writeChain;
      } catch { /* a failed write was handled where it failed */ }
      this.owner.connectionEnded(this);
    }
  }

  private onEof(): void {
    this.readNs = nowNs();
    let clean: boolean;
    try {
      clean = this.parser === undefined || this.parser.eof();
    } catch (error) {
      this.closeWith("reset", `Connection closed after a response handler failed: ${this.address}`);
      this.owner.handlerError(error);
      return;
    }
    if (this.closed) return;
    this.closeWith(
      "reset",
      clean
        ? `Connection closed by the server: ${this.address}`
        : `Connection closed by the server mid-response: ${this.address}`,
    );
  }

  /**
   * Closes the transport, tells the pool, and fails in-flight requests; the
   * one at `timedOut` (a ring index) fails with a timeout of `timeoutMs`.
   */
  private closeWith(kind: HttpErrorKind, message: string, timedOut = -1, timeoutMs = 0): void {
    if (this.closed) return;
    this.closed = true;
    this.keepAlive = false;
    this.direct = undefined;
    if (this.fill !== undefined) this.fill.len = 0;
    try {
      this.transport.close();
    } catch { /* already closed */ }
    this.owner.connectionClosed(this);
    const slots = this.slots!;
    while (this.inFlight > 0) {
      const index = this.head;
      const handlers = slots[index].handlers!;
      slots[index].handlers = undefined;
      if (++this.head === this.limit) this.head = 0;
      this.inFlight--;
      try {
        if (index === timedOut) {
          handlers.error("timeout", `Request timed out after ${timeoutMs} ms: ${this.address}`);
        } else handlers.error(kind, message);
      } catch (error) {
        this.owner.handlerError(error);
      }
    }
    this.sent = 0;
  }
}

function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\(os error \d+\)$/, "");
}
