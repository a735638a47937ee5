/**
 * The session's cookie jar (`ergonomics.repeatCookies`): `Set-Cookie` values
 * are parsed and stored per domain and path; requests carry the matching
 * cookies back in one `cookie` header. Semantics follow Hyperfoil's store:
 * `Domain` may name the origin or a parent domain (leading dot ignored),
 * without it the cookie goes back to the origin only; without `Path` the
 * request's directory is the path; `Max-Age`/`Expires` expire it and an
 * empty value deletes it; `Secure` cookies go to https only.
 */

/** Cookies kept per session; Hyperfoil keeps 16, a few more cost nothing. */
const MAX_COOKIES = 64;

interface Cookie {
  name: string;
  /** `name=value` as sent back. */
  pair: string;
  domain: string;
  /** Only the exact origin (no `Domain` attribute). */
  exactDomain: boolean;
  path: string;
  secure: boolean;
  /** Epoch ms; Infinity for a session cookie. */
  expires: number;
}

export class CookieJar {
  private readonly cookies: Cookie[] = [];

  get size(): number {
    return this.cookies.length;
  }

  clear(): void {
    this.cookies.length = 0;
  }

  /** Records one `Set-Cookie` value received from `host` for a request to `requestPath`. */
  set(host: string, requestPath: string, header: string, nowMs: number = Date.now()): void {
    const semi = header.indexOf(";");
    const pair = (semi < 0 ? header : header.slice(0, semi)).trim();
    const eq = pair.indexOf("=");
    if (eq <= 0) return; // no name: ignored, as browsers do
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    let domain: string | undefined;
    let path: string | undefined;
    let secure = false;
    let expires = Infinity;
    let maxAge: number | undefined;
    if (semi >= 0) {
      for (const part of header.slice(semi + 1).split(";")) {
        const a = part.trim();
        const aeq = a.indexOf("=");
        const key = (aeq < 0 ? a : a.slice(0, aeq)).trim().toLowerCase();
        const v = aeq < 0 ? "" : a.slice(aeq + 1).trim();
        if (key === "domain" && v) domain = (v.startsWith(".") ? v.slice(1) : v).toLowerCase();
        else if (key === "path" && v.startsWith("/")) path = v;
        else if (key === "secure") secure = true;
        else if (key === "max-age" && /^-?\d+$/.test(v)) maxAge = Number(v);
        else if (key === "expires") {
          const t = Date.parse(v);
          if (!Number.isNaN(t)) expires = t;
        }
      }
    }
    if (maxAge !== undefined) expires = nowMs + maxAge * 1000;
    const origin = host.toLowerCase();
    let exactDomain = false;
    if (domain === undefined) {
      domain = origin;
      exactDomain = true;
    } else if (!isSubdomain(origin, domain)) return; // a cookie for someone else's domain
    const dir = requestPath.slice(0, requestPath.lastIndexOf("/") + 1) || "/";
    if (path === undefined) path = dir;
    const i = this.cookies.findIndex((c) =>
      c.name === name && c.domain === domain && c.path === path
    );
    if (value === "" || expires <= nowMs) {
      if (i >= 0) this.cookies.splice(i, 1);
      return;
    }
    const cookie: Cookie = {
      name,
      pair: `${name}=${value}`,
      domain,
      exactDomain,
      path,
      secure,
      expires,
    };
    if (i >= 0) this.cookies[i] = cookie;
    else if (this.cookies.length < MAX_COOKIES) this.cookies.push(cookie);
  }

  /** The `cookie` header value for a request, or undefined when no cookie matches. */
  header(host: string, path: string, https: boolean, nowMs?: number): string | undefined {
    if (this.cookies.length === 0) return undefined;
    const now = nowMs ?? Date.now();
    const origin = host.toLowerCase();
    let out: string | undefined;
    for (let i = 0; i < this.cookies.length; i++) {
      const c = this.cookies[i];
      if (c.expires <= now) {
        this.cookies.splice(i--, 1);
        continue;
      }
      const domainOk = c.exactDomain ? origin === c.domain : isSubdomain(origin, c.domain);
      if (!domainOk || !isSubpath(path, c.path) || (c.secure && !https)) continue;
      out = out === undefined ? c.pair : `${out}; ${c.pair}`;
    }
    return out;
  }
}

/** `a.example.com` is within `example.com` (and `example.com` within itself). */
function isSubdomain(host: string, domain: string): boolean {
  return host === domain ||
    (host.endsWith(domain) && host[host.length - domain.length - 1] === ".");
}

/** `/foo/bar` is within `/foo` and `/foo/`; `/foobar` is not within `/foo/`. */
function isSubpath(path: string, cookiePath: string): boolean {
  if (!path.startsWith(cookiePath)) return false;
  return path.length === cookiePath.length || cookiePath.endsWith("/") ||
    path[cookiePath.length] === "/" ||
    path[cookiePath.length] === "?";
}
