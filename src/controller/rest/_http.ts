/**
 * Small HTTP helpers the REST handlers share: errors that carry a status,
 * responses in Hyperfoil's content types, query parameters, `Accept`
 * negotiation and bounded body reading.
 * @module
 */

export const JSON_TYPE = "application/json";
export const YAML_TYPE = "text/vnd.yaml";
export const TEXT_TYPE = "text/plain; charset=utf-8";
export const ZIP_TYPE = "application/zip";

/** A request the server answers with `status` and `message` (plain text, never a stack trace). */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** One request as a handler sees it. */
export interface RequestContext {
  readonly request: Request;
  readonly url: URL;
  /** Decoded path parameters (`{name}`, `{runId}`…). */
  readonly params: Readonly<Record<string, string>>;
}

export type Handler = (ctx: RequestContext) => Response | Promise<Response>;

/** Pretty JSON, as Hyperfoil's `Json.encodePrettily`. */
export function jsonResponse(
  value: unknown,
  status = 200,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(value, null, 2) + "\n", {
    status,
    headers: { "content-type": JSON_TYPE, ...headers },
  });
}

export function textResponse(
  text: string,
  status = 200,
  headers: Record<string, string> = {},
): Response {
  return new Response(text, { status, headers: { "content-type": TEXT_TYPE, ...headers } });
}

export function emptyResponse(status: number, headers: Record<string, string> = {}): Response {
  return new Response(null, { status, headers });
}

/** A query parameter that must be present. */
export function requiredParam(url: URL, name: string): string {
  const v = url.searchParams.get(name);
  if (v === null || v === "") {
    throw new HttpError(400, `Missing query parameter '${name}'`);
  }
  return v;
}

/** `true`/`false` (also an empty value, `?force`, as true); absent gives `fallback`. */
export function booleanParam(url: URL, name: string, fallback = false): boolean {
  const v = url.searchParams.get(name);
  if (v === null) return fallback;
  if (v === "" || v === "true") return true;
  if (v === "false") return false;
  throw new HttpError(400, `Query parameter '${name}' must be 'true' or 'false', found '${v}'`);
}

/** A whole number within [min, max]; absent gives `fallback`. */
export function intParam(
  url: URL,
  name: string,
  fallback: number,
  min = Number.MIN_SAFE_INTEGER,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const v = url.searchParams.get(name);
  if (v === null || v === "") return fallback;
  const n = /^-?\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = min === Number.MIN_SAFE_INTEGER ? "an integer" : `an integer of at least ${min}`;
    throw new HttpError(400, `Query parameter '${name}' must be ${range}, found '${v}'`);
  }
  return n;
}

/** `templateParam=K=V` (repeatable) as a record; later values of a name win. */
export function templateParams(url: URL): Record<string, string> {
  const params: Record<string, string> = {};
  for (const text of url.searchParams.getAll("templateParam")) {
    const eq = text.indexOf("=");
    const name = eq < 0 ? text : text.slice(0, eq);
    if (eq < 0 || !/^[^\s=]+$/.test(name)) {
      throw new HttpError(400, `Template parameter must be NAME=VALUE, found '${text}'`);
    }
    params[name] = text.slice(eq + 1);
  }
  return params;
}

/** The media types of `Accept` in preference order (q=0 dropped); empty when absent. */
export function acceptedTypes(request: Request): string[] {
  const header = request.headers.get("accept");
  if (header === null || header.trim() === "") return [];
  return header.split(",").map((part, index) => {
    const [type, ...attrs] = part.split(";").map((s) => s.trim().toLowerCase());
    const q = attrs.find((a) => a.startsWith("q="));
    return { type, q: q === undefined ? 1 : Number(q.slice(2)) || 0, index };
  }).filter((t) => t.q > 0 && t.type !== "")
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((t) => t.type);
}

/**
 * Picks the first of `offered` the client accepts (`*` wildcards count);
 * without an `Accept` header the first offered. Throws 406 when none fits.
 */
export function negotiate(request: Request, offered: readonly string[]): string {
  const accepted = acceptedTypes(request);
  if (accepted.length === 0) return offered[0];
  for (const want of accepted) {
    const [major] = want.split("/");
    const hit = offered.find((o) =>
      want === "*/*" || want === o || (want.endsWith("/*") && o.startsWith(`${major}/`))
    );
    if (hit !== undefined) return hit;
  }
  throw new HttpError(
    406,
    `Cannot produce '${request.headers.get("accept")}': expected ${
      offered.map((o) => `'${o}'`).join(" or ")
    }`,
  );
}

/** The media type of `Content-Type` without parameters, lower case; empty when absent. */
export function contentType(request: Request): string {
  return (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
}

/** Reads the body as bytes, refusing more than `limit` bytes with 413. */
export async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? NaN);
  const tooLarge = () =>
    new HttpError(413, `Request body larger than ${Math.round(limit / 1024 / 1024)} MiB`);
  if (declared > limit) throw tooLarge();
  if (request.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** UTF-8 text, or 400 naming `what` when the bytes are not UTF-8. */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, `${what} is not UTF-8 text`);
  }
}

/** Bytes as a response body (Deno's readers type their buffers loosely). */
export function bytesBody(bytes: Uint8Array): BodyInit {
  return bytes as Uint8Array<ArrayBuffer>;
}

/** `e.message` for messages to clients and the log. */
export function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
