/**
 * `startExampleServer`: the built-in workload server on `Deno.serve`, the
 * target of the demo, the README and hf's integration tests.
 */
import { type RouteContext, Router } from "./router.ts";
import { requestTarget } from "./request_target.ts";
import { type ExampleServerStats, RequestStats } from "./request_stats.ts";
import { StallSwitch } from "./stall_switch.ts";
import { text } from "./_respond.ts";
import { addAdminRoutes } from "./routes/admin.ts";
import { addBasicRoutes } from "./routes/basic.ts";
import { addHtmlRoutes } from "./routes/html.ts";
import { addHyperfoilTestRoutes } from "./routes/hyperfoil_tests.ts";
import { addKnobRoutes } from "./routes/knobs.ts";
import { addQuickstartRoutes } from "./routes/quickstarts.ts";

export interface ExampleServerOptions {
  /** Port to listen on; 0 picks a free one. Default 8080. */
  port?: number;
  /** Address to listen on. Default `127.0.0.1`. */
  hostname?: string;
  /** Closes the server when it aborts. */
  signal?: AbortSignal;
  /** Told about errors thrown by a route (the client gets a 500). Default: ignored. */
  onError?: (error: unknown) => void;
}

export interface ExampleServer extends AsyncDisposable {
  /** `http://HOST:PORT`, without a trailing slash. */
  readonly url: string;
  /** The port listened on (the real one when 0 was asked). */
  readonly port: number;
  readonly hostname: string;
  /** Requests per route, responses per status and route events since start or reset. */
  stats(): ExampleServerStats;
  /** Zeroes the statistics. */
  resetStats(): void;
  /**
   * Holds every response ready in the `ms` window starting `afterMs` (default 0)
   * from now until that window ends.
   */
  stall(ms: number, afterMs?: number): void;
  /** Stops listening, releases pending delays and stalls, and waits for open requests. */
  close(): Promise<void>;
  /** Resolves once the server has stopped. */
  readonly finished: Promise<void>;
}

/** Every route of the example server. */
export function exampleRouter(): Router {
  const router = new Router();
  // Cheapest first is irrelevant for static paths (one map lookup) but keeps the reading order.
  addBasicRoutes(router);
  addKnobRoutes(router);
  addHtmlRoutes(router);
  addQuickstartRoutes(router);
  addHyperfoilTestRoutes(router);
  addAdminRoutes(router);
  return router;
}

/** Starts the server; it is listening when this returns. */
export function startExampleServer(options: ExampleServerOptions = {}): ExampleServer {
  const { port = 8080, hostname = "127.0.0.1", signal, onError = () => {} } = options;
  const router = exampleRouter();
  const stats = new RequestStats();
  const stall = new StallSwitch();
  const closing = new AbortController();

  const failed = (error: unknown) => {
    onError(error);
    return text(`Internal error: ${error instanceof Error ? error.message : String(error)}\n`, 500);
  };
  const finish = (res: Response, ctx: RouteContext): Response | Promise<Response> => {
    stats.response(res.status);
    return stall.holdMs() > 0 ? stall.hold(res, ctx.signal) : res;
  };

  const server = Deno.serve({
    port,
    hostname,
    onListen: () => {},
    onError: failed,
  }, (req) => {
    const target = requestTarget(req.url);
    const { route, params } = router.match(target.path);
    const ctx = new Context(target.path, target.query, params, stats, stall, closing.signal);
    if (route.admin) return route.handler(req, ctx);
    stats.request(route.pattern);
    let res: Response | Promise<Response>;
    try {
      res = route.handler(req, ctx);
    } catch (e) {
      res = failed(e);
    }
    if (res instanceof Response) return finish(res, ctx);
    return res.then((r) => finish(r, ctx), (e) => finish(failed(e), ctx));
  });

  const addr = server.addr;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      signal?.removeEventListener("abort", onAbort);
      closing.abort();
      await server.shutdown();
    })();
    return closed;
  };
  const onAbort = () => void close();
  if (signal?.aborted) void close();
  else signal?.addEventListener("abort", onAbort, { once: true });

  return {
    url: `http://${host}:${addr.port}`,
    port: addr.port,
    hostname: addr.hostname,
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    stall: (ms, afterMs) => void stall.stall(ms, afterMs),
    close,
    finished: server.finished,
    [Symbol.asyncDispose]: close,
  };
}

/** The per-request context; the query is parsed only when a route asks for it. */
class Context implements RouteContext {
  #query?: URLSearchParams;

  constructor(
    readonly path: string,
    readonly rawQuery: string,
    readonly params: Readonly<Record<string, string>>,
    readonly stats: RequestStats,
    readonly stall: StallSwitch,
    // Not `req.signal`: Deno (legacy mode) also aborts it after every successful response.
    readonly signal: AbortSignal,
  ) {}

  get query(): URLSearchParams {
    return this.#query ??= new URLSearchParams(this.rawQuery);
  }
}
