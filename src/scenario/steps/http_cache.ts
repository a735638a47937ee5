/**
 * The session's HTTP cache (`http.useHttpCache`, on by default): a private,
 * browser-like cache with Hyperfoil's minimal semantics. A 200 answer to a
 * GET or HEAD is stored unless `Cache-Control: no-store` (request or
 * response) forbids it; it stays fresh until `max-age` (less `Age`) or
 * `Expires` passes, and forever when neither is given, as in Hyperfoil. A
 * fresh entry answers the request without sending it (a cache hit); an entry
 * marked `no-cache` (or a request with `no-cache`) is revalidated with
 * `If-None-Match`/`If-Modified-Since`. A successful POST, PUT, DELETE or
 * PATCH invalidates the path and its `Location`/`Content-Location`.
 */

/** What the response said about caching; one per request context, reset per response. */
export class CacheInfo {
  noStore = false;
  noCache = false;
  /** Seconds; -1 when absent. */
  maxAge = -1;
  /** Seconds, from `Age`. */
  age = 0;
  /** Epoch ms; NaN when absent. */
  expires = NaN;
  date = NaN;
  lastModified = NaN;
  etag: string | undefined = undefined;
  /** Locations to invalidate after a successful unsafe request. */
  locations: string[] = [];

  reset(): void {
    this.noStore = false;
    this.noCache = false;
    this.maxAge = -1;
    this.age = 0;
    this.expires = NaN;
    this.date = NaN;
    this.lastModified = NaN;
    this.etag = undefined;
    if (this.locations.length > 0) this.locations.length = 0;
  }

  /** Reads `Cache-Control` or `Pragma` directives. */
  cacheControl(value: string): void {
    for (const part of value.split(",")) {
      const d = part.trim().toLowerCase();
      if (d === "no-store") this.noStore = true;
      else if (d === "no-cache") this.noCache = true;
      else if (d.startsWith("max-age=")) {
        const n = Number(d.slice(8));
        if (Number.isFinite(n)) this.maxAge = n;
      }
    }
  }
}

interface CacheRecord {
  /** Epoch ms; Infinity when the response gave no expiry. */
  expires: number;
  noCache: boolean;
  etag: string | undefined;
  lastModified: number;
}

export class HttpCache {
  private readonly byAuthority = new Map<string, Map<string, CacheRecord>>();
  /** Cached entries, for tests and `clearHttpCache` checks. */
  size = 0;

  clear(): void {
    this.byAuthority.clear();
    this.size = 0;
  }

  /** The stored entry for a GET/HEAD, if any. */
  lookup(authority: string, path: string): CacheRecord | undefined {
    return this.byAuthority.get(authority)?.get(path);
  }

  /** Whether `r` answers a request now without revalidation. */
  isFresh(r: CacheRecord, nowMs: number): boolean {
    return !r.noCache && nowMs <= r.expires;
  }

  /** Headers revalidating `r`: `[name, value]` or undefined when it has no validator. */
  validator(r: CacheRecord): [string, string] | undefined {
    if (r.etag !== undefined) return ["if-none-match", r.etag];
    if (!Number.isNaN(r.lastModified)) {
      return ["if-modified-since", new Date(r.lastModified).toUTCString()];
    }
    return undefined;
  }

  /** Stores a 200 response to a GET/HEAD as `info` describes it. */
  store(authority: string, path: string, info: CacheInfo, nowMs: number): void {
    if (info.noStore) return;
    const date = Number.isNaN(info.date) ? nowMs - info.age * 1000 : info.date;
    let expires = Number.isNaN(info.expires) ? Infinity : info.expires;
    if (info.maxAge >= 0) expires = date + info.maxAge * 1000;
    if (expires < date) return; // already stale
    let paths = this.byAuthority.get(authority);
    if (paths === undefined) {
      paths = new Map();
      this.byAuthority.set(authority, paths);
    }
    if (!paths.has(path)) this.size++;
    paths.set(path, {
      expires,
      noCache: info.noCache,
      etag: info.etag,
      lastModified: info.lastModified,
    });
  }

  /** Drops the entry of `pathOrUrl` (a path, or an absolute URL on this authority). */
  invalidate(authority: string, pathOrUrl: string): void {
    let path = pathOrUrl;
    const m = /^https?:\/\/([^/]+)(\/.*)?$/i.exec(pathOrUrl);
    if (m) {
      if (!sameAuthority(m[1], authority)) return;
      path = m[2] ?? "/";
    }
    const paths = this.byAuthority.get(authority);
    if (paths?.delete(path)) this.size--;
  }
}

function sameAuthority(urlAuthority: string, authority: string): boolean {
  const a = urlAuthority.toLowerCase();
  return a === authority || `${a}:80` === authority || `${a}:443` === authority;
}
