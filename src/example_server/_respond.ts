/** Response helpers shared by the example server's route files. */

const encoder = new TextEncoder();

/** `text/plain` with a charset, the type of every plain answer. */
export const TEXT_PLAIN = "text/plain; charset=utf-8";
/** `application/json`. */
export const APPLICATION_JSON = "application/json";
/** `text/html` with a charset. */
export const TEXT_HTML = "text/html; charset=utf-8";

/** Statuses whose responses never carry a body (the Response constructor rejects one). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** Whether a response with `status` must not have a body. */
export function isNullBodyStatus(status: number): boolean {
  return NULL_BODY_STATUSES.has(status);
}

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
}

/**
 * A factory of identical responses whose body is encoded once, for the routes
 * that must stay cheap under load.
 */
export function preEncoded(
  body: string | Uint8Array<ArrayBuffer>,
  contentType: string,
  extraHeaders: Record<string, string> = {},
): (status?: number) => Response {
  const bytes = typeof body === "string" ? utf8(body) : body;
  const init = { headers: { "content-type": contentType, ...extraHeaders } };
  const byStatus = new Map<number, ResponseInit>();
  return (status = 200) => {
    if (status === 200) return new Response(bytes, init);
    let withStatus = byStatus.get(status);
    if (withStatus === undefined) byStatus.set(status, withStatus = { ...init, status });
    return new Response(bytes, withStatus);
  };
}

/** A `text/plain` response. */
export function text(body: string, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: { "content-type": TEXT_PLAIN, ...headers },
  });
}

/** A JSON response of `value`. */
export function json(value: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { "content-type": APPLICATION_JSON, ...headers },
  });
}

/** A response without a body. */
export function empty(status: number, headers: Record<string, string> = {}): Response {
  return new Response(null, { status, headers });
}

/** `400 Bad Request` with the reason as text. */
export function badRequest(reason: string): Response {
  return text(`${reason}\n`, 400);
}

/**
 * Resolves after `ms` milliseconds, or at once when `signal` aborts (the
 * client left or the server is closing), never leaving a timer behind.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (!(ms > 0) || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Whether the request's `Accept-Encoding` lists gzip (with a non-zero quality). */
export function acceptsGzip(req: Request): boolean {
  const header = req.headers.get("accept-encoding");
  if (header === null) return false;
  for (const item of header.split(",")) {
    const [coding, ...params] = item.trim().toLowerCase().split(";");
    if (coding.trim() !== "gzip" && coding.trim() !== "x-gzip") continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}

/** `bytes` gzip-compressed with the platform's CompressionStream. */
export async function gzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * A body sent as `parts`, one write each, with `gapMs` between them; the
 * pause ends early when `signal` aborts or the client cancels the body.
 */
export function pacedBody(
  parts: readonly Uint8Array<ArrayBuffer>[],
  gapMs: number,
  signal: AbortSignal,
): ReadableStream<Uint8Array<ArrayBuffer>> {
  const cancelled = new AbortController();
  const stop = AbortSignal.any([signal, cancelled.signal]);
  let next = 0;
  return new ReadableStream<Uint8Array<ArrayBuffer>>({
    async pull(controller) {
      if (next > 0) await sleep(gapMs, stop);
      if (cancelled.signal.aborted) return;
      controller.enqueue(parts[next++]);
      if (next >= parts.length) controller.close();
    },
    cancel() {
      cancelled.abort();
    },
  }, { highWaterMark: 0 });
}
