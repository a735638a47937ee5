/**
 * A request compiled once into byte segments. Static parts (request line,
 * Host, static headers) are encoded at compile time; per request only the
 * dynamic parts are written into the connection's buffer. A request with no
 * dynamic parts is a single immutable byte array written without copying.
 */
import { ByteBuffer, utf8, utf8Length } from "./_bytes.ts";
import type { HttpRequest } from "./http_client.ts";

export type CompressionType = "CONTENT_ENCODING" | "TRANSFER_ENCODING";

export interface RequestTemplateOptions {
  /** Upper-case method, e.g. "GET". */
  method: string;
  /** The Host header value (see `hostHeader()`). */
  host: string;
  /** Static path and query; omit when every request supplies `HttpRequest.path`. */
  path?: string;
  /** Headers sent with every request, as written. */
  headers?: ReadonlyArray<readonly [string, string]>;
  /** Names of headers whose values each request supplies in `HttpRequest.headerValues`. */
  dynamicHeaders?: readonly string[];
  /** Ask for a gzip-compressed response and decode it before body callbacks. */
  compression?: "gzip";
  /** How compression is asked for (default "CONTENT_ENCODING": `accept-encoding`). */
  compressionType?: CompressionType;
}

const CRLF = utf8("\r\n");
const CONTENT_LENGTH = utf8("content-length: ");
const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

export class RequestTemplate {
  readonly method: string;
  readonly host: string;
  readonly path: string | undefined;
  /** Static headers including the compression header, for engines that need strings. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly dynamicHeaders: readonly string[];
  readonly isHead: boolean;
  /** The response body is gzip-decoded before `body` callbacks. */
  readonly gzip: boolean;
  /** `method SP` — or with a static path, everything up to the static headers' end. */
  readonly head: Uint8Array;
  /** ` HTTP/1.1\r\nhost: …\r\n` + static headers, written after a dynamic path. */
  readonly afterPath: Uint8Array;
  /** `name: ` of each dynamic header. */
  readonly dynamicHeaderPrefixes: readonly Uint8Array[];
  /** The whole request when nothing is dynamic: sent as is (unless a request adds parts). */
  readonly complete: Uint8Array | undefined;
  /** Send `content-length: 0` without a body (POST, PUT, PATCH). */
  readonly lengthRequired: boolean;

  constructor(options: RequestTemplateOptions) {
    const method = options.method.toUpperCase();
    if (!/^[A-Z]+$/.test(method)) throw new TypeError(`Invalid HTTP method '${options.method}'`);
    if (options.path !== undefined) checkPath(options.path);
    this.method = method;
    this.host = options.host;
    this.path = options.path;
    this.isHead = method === "HEAD";
    this.lengthRequired = BODY_METHODS.has(method);
    this.gzip = options.compression === "gzip";
    const headers = [...(options.headers ?? [])];
    if (this.gzip) {
      if (options.compressionType === "TRANSFER_ENCODING") {
        headers.push(["te", "gzip"], ["connection", "TE"]);
      } else headers.push(["accept-encoding", "gzip"]);
    }
    for (const [name, value] of headers) checkHeader(name, value);
    this.headers = headers;
    this.dynamicHeaders = [...(options.dynamicHeaders ?? [])];
    for (const name of this.dynamicHeaders) checkHeader(name, "");
    let fixed = ` HTTP/1.1\r\nhost: ${options.host}\r\n`;
    for (const [name, value] of headers) fixed += `${name}: ${value}\r\n`;
    this.afterPath = utf8(fixed);
    this.head = utf8(
      options.path === undefined ? `${method} ` : `${method} ${options.path}${fixed}`,
    );
    this.dynamicHeaderPrefixes = this.dynamicHeaders.map((name) => utf8(`${name}: `));
    const isStatic = options.path !== undefined && this.dynamicHeaders.length === 0;
    this.complete = isStatic
      ? utf8(
        `${method} ${options.path}${fixed}${
          this.lengthRequired ? "content-length: 0\r\n" : ""
        }\r\n`,
      )
      : undefined;
  }
}

/** The Host header for an endpoint: the port only when it is not the scheme's default. */
export function hostHeader(endpoint: { protocol: string; host: string; port: number }): string {
  const host = endpoint.host.includes(":") && !endpoint.host.startsWith("[")
    ? `[${endpoint.host}]`
    : endpoint.host;
  const defaultPort = endpoint.protocol === "https" ? 443 : 80;
  return endpoint.port === defaultPort ? host : `${host}:${endpoint.port}`;
}

/** Whether `req` can go out as the template's pre-built bytes. */
export function isStaticRequest(req: HttpRequest): boolean {
  return req.template.complete !== undefined && req.body === undefined &&
    req.extraHeaders === undefined && req.path === undefined;
}

/** Appends `req` to `out` as HTTP/1.1 bytes. */
export function encodeRequest(req: HttpRequest, out: ByteBuffer): void {
  const t = req.template;
  if (t.path === undefined) {
    const path = req.path;
    if (path === undefined) throw new TypeError(`Request '${t.method}' needs a path`);
    out.bytes(t.head);
    out.string(path);
    out.bytes(t.afterPath);
  } else if (req.path !== undefined) {
    out.string(`${t.method} ${req.path}`);
    out.bytes(t.afterPath);
  } else {
    out.bytes(t.head);
  }
  const prefixes = t.dynamicHeaderPrefixes;
  if (prefixes.length > 0) {
    const values = req.headerValues;
    if (values === undefined || values.length < prefixes.length) {
      throw new TypeError(`Request '${t.method}' needs ${prefixes.length} header values`);
    }
    for (let i = 0; i < prefixes.length; i++) {
      out.bytes(prefixes[i]);
      out.string(values[i]);
      out.bytes(CRLF);
    }
  }
  const extra = req.extraHeaders;
  if (extra !== undefined) {
    for (let i = 0; i + 1 < extra.length; i += 2) {
      out.string(extra[i]);
      out.reserve(2);
      out.buf[out.len++] = 0x3a; // ':'
      out.buf[out.len++] = 0x20;
      out.string(extra[i + 1]);
      out.bytes(CRLF);
    }
  }
  const body = req.body;
  if (body === undefined) {
    if (t.lengthRequired) {
      out.bytes(CONTENT_LENGTH);
      out.decimal(0);
      out.bytes(CRLF);
    }
    out.bytes(CRLF);
  } else {
    const length = typeof body === "string" ? utf8Length(body) : body.length;
    out.bytes(CONTENT_LENGTH);
    out.decimal(length);
    out.bytes(CRLF);
    out.bytes(CRLF);
    if (typeof body === "string") out.string(body);
    else out.bytes(body);
  }
}

function checkPath(path: string): void {
  if (!/^[^\s]+$/.test(path)) throw new TypeError(`Invalid request path '${path}'`);
}

function checkHeader(name: string, value: string): void {
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new TypeError(`Invalid header name '${name}'`);
  }
  if (/[\r\n]/.test(value)) throw new TypeError(`Invalid value of header '${name}': line break`);
}
