/**
 * The route table of the REST API: paths with `{param}` segments, one handler
 * per method. Unknown paths are 404, known paths with another method 405
 * (with `Allow`), HEAD runs GET without the body.
 * @module
 */
import { type Handler, HttpError } from "./_http.ts";

export type Method = "GET" | "POST" | "PUT" | "DELETE";

export interface Route {
  /** `/run/{runId}/stats/total`; a `{param}` matches one non-empty segment. */
  path: string;
  methods: Partial<Record<Method, Handler>>;
}

export interface Match {
  handler: Handler;
  params: Record<string, string>;
  /** True for HEAD answered by a GET handler: send no body. */
  head: boolean;
}

interface Compiled {
  segments: { literal?: string; param?: string }[];
  methods: Partial<Record<Method, Handler>>;
}

/** Compiles `routes`; `match` finds the handler of a request or throws 404/405. */
export function router(routes: readonly Route[]): (method: string, path: string) => Match {
  const compiled: Compiled[] = routes.map((r) => ({
    segments: split(r.path).map((s) => {
      const m = /^\{(\w+)\}$/.exec(s);
      return m ? { param: m[1] } : { literal: s };
    }),
    methods: r.methods,
  }));
  return (method, path) => {
    const parts = split(path).map((s) => decodeSegment(s));
    for (const route of compiled) {
      if (route.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const fits = route.segments.every((seg, i) => {
        if (seg.literal !== undefined) return seg.literal === parts[i];
        params[seg.param!] = parts[i];
        return parts[i] !== "";
      });
      if (!fits) continue;
      const head = method === "HEAD";
      const handler = route.methods[(head ? "GET" : method) as Method];
      if (handler !== undefined) return { handler, params, head };
      const allow = Object.keys(route.methods);
      if (allow.includes("GET")) allow.push("HEAD");
      throw new HttpError(
        405,
        `Method ${method} is not allowed on '${path}': use ${allow.join(", ")}`,
        { allow: allow.join(", ") },
      );
    }
    throw new HttpError(404, `No such resource: '${path}'`);
  };
}

function split(path: string): string[] {
  const trimmed = path.replace(/^\/+/, "").replace(/\/+$/, "");
  return trimmed === "" ? [] : trimmed.split("/");
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new HttpError(400, `Malformed percent-encoding in path segment '${s}'`);
  }
}
