/**
 * The path and query of a request, taken from `Request.url` without building
 * a `URL` object: the cheap routes must not pay for full URL parsing.
 */

export interface RequestTarget {
  /** The path, dot segments resolved (`/foobar/../styles/a.css` → `/styles/a.css`). */
  path: string;
  /** The query without its `?`; empty when there is none. */
  query: string;
}

/** Splits an absolute request URL (`http://host:port/path?query`) into path and query. */
export function requestTarget(url: string): RequestTarget {
  const scheme = url.indexOf("://");
  let start = url.indexOf("/", scheme < 0 ? 0 : scheme + 3);
  if (start < 0) start = url.length;
  const mark = url.indexOf("?", start);
  const hash = url.indexOf("#", start);
  const pathEnd = mark >= 0 ? mark : hash >= 0 ? hash : url.length;
  const raw = start < pathEnd ? url.slice(start, pathEnd) : "/";
  const query = mark < 0 ? "" : url.slice(mark + 1, hash > mark ? hash : url.length);
  return { path: raw.includes("/.") ? resolveDotSegments(raw) : raw, query };
}

/** RFC 3986 §5.2.4 on a path that starts with `/`. */
export function resolveDotSegments(path: string): string {
  const out: string[] = [];
  const segments = path.split("/").slice(1);
  for (const [i, segment] of segments.entries()) {
    const last = i === segments.length - 1;
    if (segment === "..") {
      out.pop();
      if (last) out.push("");
    } else if (segment === ".") {
      if (last) out.push("");
    } else {
      out.push(segment);
    }
  }
  return "/" + out.join("/");
}
