/**
 * Routes whose behaviour the request chooses, for tests and demos: delays,
 * statuses, body sizes, redirects, echo, chunked and gzip bodies, cookies.
 */
import type { RouteContext, Router } from "../router.ts";
import {
  acceptsGzip,
  badRequest,
  empty,
  gzip,
  isNullBodyStatus,
  json,
  pacedBody,
  sleep,
  text,
  TEXT_PLAIN,
  utf8,
} from "../_respond.ts";

/** Longest `/delay`, so a typo cannot park a connection for days. */
export const MAX_DELAY_MS = 600_000;
/** Largest `/bytes/N` body. */
export const MAX_BYTES = 64 * 1024 * 1024;
/** Longest `/redirect/N` chain. */
export const MAX_REDIRECT_HOPS = 100;
/** The cookie `/cookie/set` sets and `/cookie/check` looks for. */
export const SESSION_COOKIE = "hf-session";

export function addKnobRoutes(router: Router): void {
  router
    .add("/delay", delay)
    .add("/status/:code", status)
    .add("/bytes/:n", bytes)
    .add("/redirect", redirectTo)
    .add("/redirect/:n", redirectChain)
    .add("/echo", echo)
    .add("/chunked", chunked)
    .add("/gzip", gzipped)
    .add("/cookie/set", setCookie)
    .add("/cookie/check", checkCookie);
}

/** A non-negative integer, or undefined when `value` is not one. */
function integer(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || !/^\d{1,15}$/.test(value)) return undefined;
  return Number(value);
}

/** `/delay?ms=N`: answers after N ms. */
async function delay(_req: Request, ctx: RouteContext): Promise<Response> {
  const ms = integer(ctx.query.get("ms") ?? "0");
  if (ms === undefined || ms > MAX_DELAY_MS) {
    return badRequest(`Invalid delay '${ctx.query.get("ms")}': expected 0..${MAX_DELAY_MS} ms`);
  }
  await sleep(ms, ctx.signal);
  return text(`delayed ${ms} ms\n`);
}

/** `/status/NNN`: answers with that status; 204, 205 and 304 without a body. */
function status(_req: Request, ctx: RouteContext): Response {
  const code = integer(ctx.params.code);
  if (code === undefined || code < 200 || code > 599) {
    return badRequest(`Invalid status '${ctx.params.code}': expected 200..599`);
  }
  return isNullBodyStatus(code) ? empty(code) : text(`status ${code}\n`, code);
}

/** 64 KiB of text, built once; bodies up to this size are views of it. */
const FILLER_BLOCK = (() => {
  const pattern = utf8("abcdefghijklmnopqrstuvwxyz0123456789\n");
  const block = new Uint8Array(64 * 1024);
  for (let i = 0; i < block.length; i += pattern.length) {
    block.set(pattern.subarray(0, Math.min(pattern.length, block.length - i)), i);
  }
  return block;
})();

function filler(n: number): Uint8Array<ArrayBuffer> {
  if (n <= FILLER_BLOCK.length) return FILLER_BLOCK.subarray(0, n);
  const body = new Uint8Array(n);
  body.set(FILLER_BLOCK);
  // Doubling copies: log2(n / 64 KiB) memmoves instead of a byte loop.
  for (let filled = FILLER_BLOCK.length; filled < n; filled *= 2) {
    body.copyWithin(filled, 0, filled);
  }
  return body;
}

/** `/bytes/N`: a body of N bytes. */
function bytes(_req: Request, ctx: RouteContext): Response {
  const n = integer(ctx.params.n);
  if (n === undefined || n > MAX_BYTES) {
    return badRequest(`Invalid size '${ctx.params.n}': expected 0..${MAX_BYTES} bytes`);
  }
  return new Response(filler(n), { headers: { "content-type": "application/octet-stream" } });
}

/** `/redirect?to=URL[&status=30x]`: a redirect to URL (default `/`). */
function redirectTo(_req: Request, ctx: RouteContext): Response {
  const code = integer(ctx.query.get("status") ?? "302");
  if (code === undefined || code < 300 || code > 399) {
    return badRequest(`Invalid redirect status '${ctx.query.get("status")}': expected 300..399`);
  }
  return redirect(code, ctx.query.get("to") ?? "/");
}

/** `/redirect/N`: N hops, `/redirect/N-1` … `/redirect/1` → `/`. */
function redirectChain(_req: Request, ctx: RouteContext): Response {
  const n = integer(ctx.params.n);
  if (n === undefined || n < 1 || n > MAX_REDIRECT_HOPS) {
    return badRequest(`Invalid hop count '${ctx.params.n}': expected 1..${MAX_REDIRECT_HOPS}`);
  }
  return redirect(302, n === 1 ? "/" : `/redirect/${n - 1}`);
}

function redirect(code: number, location: string): Response {
  if (isNullBodyStatus(code)) return empty(code, { location });
  return text(`redirect to ${location}\n`, code, { location });
}

/** `/echo`: the request as JSON. */
async function echo(req: Request, ctx: RouteContext): Promise<Response> {
  return json({
    method: req.method,
    path: ctx.path,
    query: Object.fromEntries(ctx.query),
    headers: Object.fromEntries(req.headers),
    body: await req.text(),
  });
}

/** `/chunked[?parts=N&gap=MS]`: a chunked body in N parts written MS apart (default 4, 10 ms). */
function chunked(_req: Request, ctx: RouteContext): Response {
  const parts = integer(ctx.query.get("parts") ?? "4");
  const gap = integer(ctx.query.get("gap") ?? "10");
  if (parts === undefined || parts < 1 || parts > 1000) {
    return badRequest(`Invalid part count '${ctx.query.get("parts")}': expected 1..1000`);
  }
  if (gap === undefined || gap > 10_000) {
    return badRequest(`Invalid gap '${ctx.query.get("gap")}': expected 0..10000 ms`);
  }
  const chunks = Array.from({ length: parts }, (_, i) => utf8(`part ${i + 1} of ${parts}\n`));
  return new Response(pacedBody(chunks, gap, ctx.signal), {
    headers: { "content-type": TEXT_PLAIN },
  });
}

const GZIP_TEXT = "hello gzip world\n".repeat(64);

/** `/gzip`: a gzip-encoded body when the client accepts gzip, plain otherwise. */
async function gzipped(req: Request): Promise<Response> {
  const body = utf8(GZIP_TEXT);
  const headers: Record<string, string> = { "content-type": TEXT_PLAIN, vary: "accept-encoding" };
  if (!acceptsGzip(req)) {
    // no-transform keeps Deno from compressing what the client did not ask for.
    return new Response(body, { headers: { ...headers, "cache-control": "no-transform" } });
  }
  return new Response(await gzip(body), { headers: { ...headers, "content-encoding": "gzip" } });
}

/** `/cookie/set[?value=V]`: sets the session cookie. */
function setCookie(_req: Request, ctx: RouteContext): Response {
  const value = ctx.query.get("value") ?? crypto.randomUUID();
  if (!/^[\w.~-]+$/.test(value)) {
    return badRequest(`Invalid cookie value '${value}': expected letters, digits, '.', '~' or '-'`);
  }
  return text("cookie set\n", 200, {
    "set-cookie": `${SESSION_COOKIE}=${value}; Path=/; HttpOnly`,
  });
}

/** `/cookie/check`: 200 when the session cookie came back, 401 otherwise. */
function checkCookie(req: Request): Response {
  const value = cookie(req.headers.get("cookie"), SESSION_COOKIE);
  return value ? text(`cookie ${value}\n`) : text(`missing cookie '${SESSION_COOKIE}'\n`, 401);
}

function cookie(header: string | null, name: string): string | undefined {
  for (const pair of header?.split(";") ?? []) {
    const eq = pair.indexOf("=");
    if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}
