/**
 * Incremental HTTP/1.1 response parser over bytes. It keeps no copy of the
 * input except a partial line split across reads, recognises the few headers
 * it must understand by length and case-folded bytes, and makes strings only
 * when a handler asks for them.
 */
import { gunzipSync } from "node:zlib";
import { ByteBuffer, equalsIgnoreCase, latin1, utf8 } from "./_bytes.ts";
import type { ResponseHandlers } from "./http_client.ts";

/** What the parser needs to know about the request a response answers. */
export interface ParserTarget {
  handlers: ResponseHandlers | undefined;
  isHead: boolean;
  /** The request asked for gzip: decode a gzip body before `body` callbacks. */
  gzip: boolean;
}

/** The connection side of the parser. */
export interface ParserOwner {
  /** The in-flight request the next response answers, if any. */
  nextTarget(): ParserTarget | undefined;
  /** The connection must close after this response (no new requests on it). */
  noKeepAlive(): void;
  /** A response ended; returns false when parsing must stop (the connection closed). */
  responseComplete(keepAlive: boolean, rawBytes: number): boolean;
}

/** Longest status, header, chunk-size or trailer line accepted. */
const MAX_LINE = 64 * 1024;

const S_IDLE = 0;
const S_STATUS = 1;
const S_HEADER = 2;
const S_BODY = 3;
const S_CHUNK_SIZE = 4;
const S_CHUNK_DATA = 5;
const S_CHUNK_END = 6;
const S_TRAILER = 7;
const S_UNTIL_CLOSE = 8;
const S_FAILED = 9;

const CONTENT_LENGTH = utf8("content-length");
const TRANSFER_ENCODING = utf8("transfer-encoding");
const CONNECTION = utf8("connection");
const CONTENT_ENCODING = utf8("content-encoding");

export class ResponseParser {
  /** Why parsing failed, after `execute()` returned false. */
  errorMessage = "";

  private state = S_IDLE;
  private readonly owner: ParserOwner;
  private target: ParserTarget | undefined;
  private handlers: ResponseHandlers | undefined;
  /** A line split across reads, until its end arrives. */
  private readonly line = new ByteBuffer(0);
  private status = 0;
  private minor = 1;
  private interim = false;
  private contentLength = -1;
  private chunked = false;
  private close = false;
  private keepAliveHeader = false;
  private gzipBody = false;
  private remaining = 0;
  private rawBytes = 0;
  private gz: ByteBuffer | undefined;

  constructor(owner: ParserOwner) {
    this.owner = owner;
  }

  /** Whether a response is partly parsed. */
  get busy(): boolean {
    return this.state !== S_IDLE || this.line.len > 0;
  }

  /** Parses `buf[start, end)`; false on a protocol error (see `errorMessage`). */
  execute(buf: Uint8Array, start: number, end: number): boolean {
    let pos = start;
    while (pos < end) {
      const state = this.state;
      if (state === S_BODY || state === S_CHUNK_DATA) {
        const n = Math.min(this.remaining, end - pos);
        this.rawBytes += n;
        this.deliver(buf, pos, pos + n);
        pos += n;
        this.remaining -= n;
        if (this.remaining === 0) {
          if (state === S_CHUNK_DATA) this.state = S_CHUNK_END;
          else if (!this.finish()) return this.state !== S_FAILED;
        }
      } else if (state === S_UNTIL_CLOSE) {
        this.rawBytes += end - pos;
        this.deliver(buf, pos, end);
        return true;
      } else if (state === S_FAILED) {
        return false;
      } else {
        if (state === S_IDLE && !this.begin()) return false;
        if (state === S_HEADER && this.line.len === 0) {
          // fast path: a whole header line in this buffer, scanned once (to the first ":", then LF)
          let colon = -1;
          let i = pos;
          for (; i < end; i++) {
            const c = buf[i];
            if (c === 0x3a) {
              colon = i;
              break;
            }
            if (c === 10) break;
          }
          if (colon >= 0) { while (i < end && buf[i] !== 10) i++; }
          if (i < end) {
            this.rawBytes += i + 1 - pos;
            const lineStart = pos;
            pos = i + 1;
            const lineEnd = i > lineStart && buf[i - 1] === 13 ? i - 1 : i;
            const go = lineStart === lineEnd ? this.onHeadersEnd() : this.onHeader(
              buf,
              lineStart,
              lineEnd,
              colon < 0 || colon > lineEnd ? lineEnd : colon,
            );
            if (!go) return this.state !== S_FAILED;
            continue;
          }
        }
        let nl = pos;
        while (nl < end && buf[nl] !== 10) nl++;
        if (nl === end) {
          this.rawBytes += end - pos;
          if (this.line.len + end - pos > MAX_LINE) return this.fail("Line too long");
          this.line.bytes(buf.subarray(pos, end));
          return true;
        }
        this.rawBytes += nl + 1 - pos;
        let lineBuf = buf;
        let lineStart = pos;
        pos = nl + 1;
        if (this.line.len > 0) {
          if (this.line.len + nl - lineStart > MAX_LINE) return this.fail("Line too long");
          this.line.bytes(buf.subarray(lineStart, nl));
          lineBuf = this.line.buf;
          lineStart = 0;
          nl = this.line.len;
          this.line.len = 0;
        }
        if (nl > lineStart && lineBuf[nl - 1] === 13) nl--;
        if (!this.onLine(lineBuf, lineStart, nl)) return this.state !== S_FAILED;
      }
    }
    return true;
  }

  /**
   * The server closed the connection. Completes a body that runs until close;
   * false when a response was cut short.
   */
  eof(): boolean {
    if (this.state === S_UNTIL_CLOSE) {
      this.finish();
      return true;
    }
    return !this.busy;
  }

  private begin(): boolean {
    const target = this.owner.nextTarget();
    if (target === undefined) return this.fail("Data received with no request in flight");
    this.target = target;
    this.handlers = target.handlers;
    this.rawBytes = 0;
    this.state = S_STATUS;
    return true;
  }

  /** Handles one line without its CRLF; false stops the current `execute()`. */
  private onLine(buf: Uint8Array, start: number, end: number): boolean {
    switch (this.state) {
      case S_STATUS:
        return start === end ? true : this.onStatus(buf, start, end);
      case S_HEADER: {
        if (start === end) return this.onHeadersEnd();
        let colon = start;
        while (colon < end && buf[colon] !== 0x3a) colon++;
        return this.onHeader(buf, start, end, colon);
      }
      case S_CHUNK_SIZE:
        return this.onChunkSize(buf, start, end);
      case S_CHUNK_END:
        if (start !== end) return this.fail("Missing CRLF after chunk data");
        this.state = S_CHUNK_SIZE;
        return true;
      default: // S_TRAILER
        return start === end ? this.finish() : true;
    }
  }

  private onStatus(buf: Uint8Array, start: number, end: number): boolean {
    // "HTTP/1.x SSS[ reason]"
    if (
      end - start < 12 || buf[start] !== 0x48 || buf[start + 1] !== 0x54 ||
      buf[start + 2] !== 0x54 || buf[start + 3] !== 0x50 || buf[start + 4] !== 0x2f ||
      buf[start + 5] !== 0x31 || buf[start + 6] !== 0x2e || buf[start + 8] !== 0x20
    ) {
      return this.fail(`Invalid status line '${latin1(buf, start, Math.min(end, start + 40))}'`);
    }
    const d0 = buf[start + 9] - 0x30, d1 = buf[start + 10] - 0x30, d2 = buf[start + 11] - 0x30;
    if (
      d0 < 1 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9 ||
      (end - start > 12 && buf[start + 12] !== 0x20)
    ) {
      return this.fail(`Invalid status line '${latin1(buf, start, Math.min(end, start + 40))}'`);
    }
    const code = d0 * 100 + d1 * 10 + d2;
    this.status = code;
    this.minor = buf[start + 7] - 0x30;
    this.interim = code < 200;
    this.contentLength = -1;
    this.chunked = false;
    this.close = false;
    this.keepAliveHeader = false;
    this.gzipBody = false;
    this.state = S_HEADER;
    if (!this.interim) this.handlers?.status(code);
    return true;
  }

  /** A header line `buf[start, end)` whose first ':' is at `colon` (`end` when none). */
  private onHeader(buf: Uint8Array, start: number, end: number, colon: number): boolean {
    if (colon === end || colon === start) {
      return this.fail(`Invalid header line '${latin1(buf, start, Math.min(end, start + 40))}'`);
    }
    let vs = colon + 1;
    while (vs < end && (buf[vs] === 0x20 || buf[vs] === 9)) vs++;
    let ve = end;
    while (ve > vs && (buf[ve - 1] === 0x20 || buf[ve - 1] === 9)) ve--;
    if (this.interim) return true;
    switch (colon - start) {
      case 14:
        if (equalsIgnoreCase(buf, start, colon, CONTENT_LENGTH)) {
          let n = 0;
          if (vs === ve) return this.fail("Empty content-length");
          for (let i = vs; i < ve; i++) {
            const d = buf[i] - 0x30;
            if (d < 0 || d > 9 || n > 1e15) return this.fail("Invalid content-length");
            n = n * 10 + d;
          }
          if (this.contentLength >= 0 && this.contentLength !== n) {
            return this.fail("Conflicting content-length headers");
          }
          this.contentLength = n;
        }
        break;
      case 17:
        if (equalsIgnoreCase(buf, start, colon, TRANSFER_ENCODING)) {
          this.onTransferEncoding(buf, vs, ve);
        }
        break;
      case 10:
        if (equalsIgnoreCase(buf, start, colon, CONNECTION)) this.onConnection(buf, vs, ve);
        break;
      case 16:
        if (equalsIgnoreCase(buf, start, colon, CONTENT_ENCODING) && this.target!.gzip) {
          this.gzipBody = hasToken(buf, vs, ve, GZIP) || hasToken(buf, vs, ve, X_GZIP);
        }
        break;
    }
    const h = this.handlers;
    if (h !== undefined) {
      if (h.headerBytes !== undefined) h.headerBytes(buf, start, colon, vs, ve);
      if (h.header !== undefined) h.header(latin1(buf, start, colon, true), latin1(buf, vs, ve));
    }
    return true;
  }

  private onTransferEncoding(buf: Uint8Array, vs: number, ve: number): void {
    // chunked must be the last coding; gzip may precede it (TE: gzip requests)
    let e = ve;
    while (e > vs && (buf[e - 1] === 0x20 || buf[e - 1] === 0x2c)) e--;
    this.chunked = e - vs >= 7 && equalsIgnoreCase(buf, e - 7, e, CHUNKED) &&
      (e - 7 === vs || buf[e - 8] === 0x20 || buf[e - 8] === 0x2c);
    if (this.target!.gzip && hasToken(buf, vs, ve, GZIP)) this.gzipBody = true;
  }

  private onConnection(buf: Uint8Array, vs: number, ve: number): void {
    if (equalsIgnoreCase(buf, vs, ve, KEEP_ALIVE)) this.keepAliveHeader = true;
    else if (equalsIgnoreCase(buf, vs, ve, CLOSE)) this.close = true;
    else {
      if (hasToken(buf, vs, ve, CLOSE)) this.close = true;
      if (hasToken(buf, vs, ve, KEEP_ALIVE)) this.keepAliveHeader = true;
    }
  }

  private onHeadersEnd(): boolean {
    if (this.interim) {
      this.state = S_STATUS;
      return true;
    }
    this.handlers?.headersEnd?.();
    const code = this.status;
    if (this.close || (this.minor === 0 && !this.keepAliveHeader)) this.owner.noKeepAlive();
    if (this.target!.isHead || code === 204 || code === 304) return this.finish();
    if (this.chunked) {
      this.state = S_CHUNK_SIZE;
      return true;
    }
    if (this.contentLength >= 0) {
      if (this.contentLength === 0) return this.finish();
      this.remaining = this.contentLength;
      this.state = S_BODY;
      return true;
    }
    this.close = true;
    this.owner.noKeepAlive();
    this.state = S_UNTIL_CLOSE;
    return true;
  }

  private onChunkSize(buf: Uint8Array, start: number, end: number): boolean {
    let size = 0;
    let i = start;
    for (; i < end; i++) {
      const c = buf[i];
      let d: number;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66) d = (c | 0x20) - 0x57;
      else break;
      size = size * 16 + d;
      if (size > 2 ** 48) return this.fail("Chunk too large");
    }
    // extensions (";name=value") and whitespace after the size are ignored
    if (i === start || (i < end && buf[i] !== 0x3b && buf[i] !== 0x20 && buf[i] !== 9)) {
      return this.fail(`Invalid chunk size '${latin1(buf, start, Math.min(end, start + 40))}'`);
    }
    if (size === 0) this.state = S_TRAILER;
    else {
      this.remaining = size;
      this.state = S_CHUNK_DATA;
    }
    return true;
  }

  private deliver(buf: Uint8Array, start: number, end: number): void {
    const h = this.handlers;
    if (h === undefined || h.body === undefined || start === end) return;
    if (this.gzipBody) (this.gz ??= new ByteBuffer(4096)).bytes(buf.subarray(start, end));
    else h.body(buf, start, end);
  }

  /** Ends the current response; returns whether parsing goes on. */
  private finish(): boolean {
    const h = this.handlers;
    if (this.gzipBody && this.gz !== undefined && this.gz.len > 0) {
      const length = this.gz.len;
      this.gz.len = 0;
      if (h?.body !== undefined) {
        let plain: Uint8Array;
        try {
          plain = gunzipSync(this.gz.buf.subarray(0, length));
        } catch (error) {
          return this.fail(`Invalid gzip body: ${(error as Error).message}`);
        }
        if (plain.length > 0) h.body(plain, 0, plain.length);
      }
    }
    const keepAlive = !this.close && (this.minor > 0 || this.keepAliveHeader);
    this.state = S_IDLE;
    this.target = undefined;
    this.handlers = undefined;
    return this.owner.responseComplete(keepAlive, this.rawBytes);
  }

  private fail(message: string): boolean {
    this.errorMessage = message;
    this.state = S_FAILED;
    return false;
  }
}

const CHUNKED = utf8("chunked");
const GZIP = utf8("gzip");
const X_GZIP = utf8("x-gzip");
const CLOSE = utf8("close");
const KEEP_ALIVE = utf8("keep-alive");

/** Whether the comma-separated list in `buf[start, end)` holds `token` (case-insensitive). */
function hasToken(buf: Uint8Array, start: number, end: number, token: Uint8Array): boolean {
  let i = start;
  while (i < end) {
    while (i < end && (buf[i] === 0x20 || buf[i] === 9 || buf[i] === 0x2c)) i++;
    let j = i;
    while (j < end && buf[j] !== 0x2c) j++;
    let e = j;
    while (e > i && (buf[e - 1] === 0x20 || buf[e - 1] === 9)) e--;
    if (equalsIgnoreCase(buf, i, e, token)) return true;
    i = j;
  }
  return false;
}
