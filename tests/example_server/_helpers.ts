/** Helpers for the example server tests: fetch with the body consumed, and raw HTTP/1.1. */

export interface Fetched {
  status: number;
  headers: Headers;
  body: string;
}

/** `fetch` that always consumes the body, so Deno's sanitizers stay happy. */
export async function fetchText(url: string, init?: RequestInit): Promise<Fetched> {
  const res = await fetch(url, { redirect: "manual", ...init });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

export interface RawResponse {
  status: number;
  /** Header names lower-cased; repeated headers joined with ", ". */
  headers: Map<string, string>;
  /** The body bytes as sent (still chunk-encoded when chunked). */
  body: Uint8Array;
}

/**
 * Sends `request` (a full HTTP/1.1 request head, `Connection: close` added)
 * over a fresh TCP connection and reads until the server closes it: what the
 * server wrote, untouched by fetch's decoding and URL normalisation.
 */
export async function rawRequest(
  port: number,
  method: string,
  target: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  using conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const lines = [`${method} ${target} HTTP/1.1`, `host: 127.0.0.1:${port}`, "connection: close"];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  await conn.write(new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n"));
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(65536);
  for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
    chunks.push(buffer.slice(0, n));
  }
  const all = concat(chunks);
  const headEnd = indexOf(all, new TextEncoder().encode("\r\n\r\n"));
  if (headEnd < 0) throw new Error(`No response head in ${all.length} bytes`);
  const [statusLine, ...headerLines] = new TextDecoder().decode(all.subarray(0, headEnd)).split(
    "\r\n",
  );
  const parsed = new Map<string, string>();
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    parsed.set(name, parsed.has(name) ? `${parsed.get(name)}, ${value}` : value);
  }
  return {
    status: Number(statusLine.split(" ")[1]),
    headers: parsed,
    body: all.subarray(headEnd + 4),
  };
}

/** The chunks of a chunk-encoded body, in order. */
export function dechunk(body: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = indexOf(body, new Uint8Array([13, 10]), at);
    if (lineEnd < 0) throw new Error("Truncated chunked body");
    const size = parseInt(new TextDecoder().decode(body.subarray(at, lineEnd)), 16);
    if (size === 0) return chunks;
    chunks.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** `bytes` gunzipped, as text. */
export async function gunzipText(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return await new Response(stream).text();
}

export function concat(chunks: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
