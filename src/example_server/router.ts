/**
 * Route table of the example server: static paths in a map (one lookup for
 * the hot routes), patterns with `:param` segments and a trailing `*` after.
 */
import type { RequestStats } from "./request_stats.ts";
import type { StallSwitch } from "./stall_switch.ts";
import { text } from "./_respond.ts";

/** What a handler may use besides the request. */
export interface RouteContext {
  /** The path, dot segments resolved. */
  readonly path: string;
  /** The raw query, without `?`. */
  readonly rawQuery: string;
  /** The parsed query (parsed on first use). */
  readonly query: URLSearchParams;
  /** `:name` segments of the pattern, percent-decoded; `*` holds the rest of the path. */
  readonly params: Readonly<Record<string, string>>;
  /** Aborts when the server closes: pending waits end early. */
  readonly signal: AbortSignal;
  /** The server's counters. */
  readonly stats: RequestStats;
  /** The server's stall switch. */
  readonly stall: StallSwitch;
}

export type RouteHandler = (req: Request, ctx: RouteContext) => Response | Promise<Response>;

export interface RouteOptions {
  /** Methods answered; others get 405. Default: every method. GET implies HEAD. */
  methods?: readonly string[];
  /** Admin routes are neither counted nor stalled. Default false. */
  admin?: boolean;
}

/** A matched route: its pattern names it in the statistics. */
export interface Route {
  readonly pattern: string;
  readonly handler: RouteHandler;
  readonly admin: boolean;
}

interface PatternRoute extends Route {
  readonly segments: readonly string[];
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** The route of paths no pattern matches. */
export const NOT_FOUND_ROUTE: Route = {
  pattern: "(not found)",
  handler: (_req, ctx) => text(`No route for '${ctx.path}'\n`, 404),
  admin: false,
};

export class Router {
  #exact = new Map<string, RouteMatch>();
  #patterns: PatternRoute[] = [];

  /** Adds a route; the first pattern added wins when several match. */
  add(pattern: string, handler: RouteHandler, options: RouteOptions = {}): this {
    const route = {
      pattern,
      handler: options.methods ? onlyMethods(options.methods, handler) : handler,
      admin: options.admin ?? false,
    };
    const segments = pattern.split("/").slice(1);
    if (segments.some((s) => s.startsWith(":") || s === "*")) {
      this.#patterns.push({ ...route, segments });
    } else {
      if (this.#exact.has(pattern)) throw new Error(`Route '${pattern}' is defined twice`);
      this.#exact.set(pattern, { route, params: NO_PARAMS });
    }
    return this;
  }

  /** The route for `path`, or the not-found route. */
  match(path: string): RouteMatch {
    const exact = this.#exact.get(path);
    if (exact !== undefined) return exact;
    const segments = path.split("/").slice(1);
    for (const route of this.#patterns) {
      const params = matchSegments(route.segments, segments);
      if (params !== null) return { route, params };
    }
    return { route: NOT_FOUND_ROUTE, params: NO_PARAMS };
  }
}

function matchSegments(
  pattern: readonly string[],
  path: readonly string[],
): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (const [i, p] of pattern.entries()) {
    if (p === "*") {
      params["*"] = path.slice(i).join("/");
      return params;
    }
    if (i >= path.length) return null;
    if (p.startsWith(":")) {
      if (path[i] === "") return null;
      params[p.slice(1)] = decode(path[i]);
    } else if (p !== path[i]) {
      return null;
    }
  }
  return pattern.length === path.length ? params : null;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function onlyMethods(methods: readonly string[], handler: RouteHandler): RouteHandler {
  const allowed = new Set(methods.map((m) => m.toUpperCase()));
  if (allowed.has("GET")) allowed.add("HEAD");
  const allow = [...allowed].join(", ");
  return (req, ctx) =>
    allowed.has(req.method)
      ? handler(req, ctx)
      : text(`Method ${req.method} is not allowed on '${ctx.path}': expected ${allow}\n`, 405, {
        allow,
      });
}
