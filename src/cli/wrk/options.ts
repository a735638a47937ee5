/**
 * The options of `hf wrk` and `hf wrk2`, checked up front: numbers with wrk's
 * SI suffixes (`1k`), durations as wrk (`10` is seconds) or Hyperfoil
 * (`500ms`) writes them, `-H 'Name: value'` headers and the target URL.
 * Errors come back as values naming the option, so no run half-starts.
 * @module
 */
import { parseDurationNs } from "../../benchmark/units.ts";

export type WrkKind = "wrk" | "wrk2";

/** Options as commander hands them over (strings, as typed). */
export interface RawWrkOptions {
  connections: string;
  duration: string;
  threads: string;
  header: string[];
  latency?: boolean;
  timeout: string;
  warmupDuration: string;
  /** wrk2 only: requests per second over all threads. */
  rate?: string;
  useHttpCache?: boolean;
  enableHttp2?: boolean;
  /** wrk's Lua script: not supported. */
  script?: string;
}

/** The target, split as the benchmark needs it. */
export interface WrkTarget {
  /** `http://host:port` or `https://host:port` (port only when not the default). */
  origin: string;
  /** Path and query, at least `/`. */
  path: string;
}

export interface WrkOptions {
  kind: WrkKind;
  /** The URL as given (printed in `Running … test @ URL`). */
  url: string;
  target: WrkTarget;
  /** Connections to keep open, over all threads (default 10). */
  connections: number;
  /** Duration of the test phase, ms (default 10 s). */
  durationMs: number;
  /** The duration as typed, for `Running 10s test`. */
  durationText: string;
  /** Executor threads (default 2). */
  threads: number;
  headers: [name: string, value: string][];
  /** Print the latency distribution (default false). */
  latency: boolean;
  /** Request timeout, ms (default 60 s). */
  timeoutMs: number;
  /** Calibration phase before the test, ms; 0 runs the test alone (default 6 s). */
  warmupMs: number;
  /** wrk2: requests per second over all threads. */
  rate?: number;
  /** Hyperfoil's HTTP cache (default off, as wrk has none). */
  useHttpCache: boolean;
  /** Allow HTTP/2 over TLS (default off: wrk speaks HTTP/1.1). */
  enableHttp2: boolean;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(error: string): Parsed<T> => ({ ok: false, error });

const SI: Record<string, number> = { "": 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 };

/** A positive integer with wrk's optional SI suffix (`10`, `1k`, `2M`). */
export function parseCount(text: string, option: string): Parsed<number> {
  const m = /^\s*(\d+)\s*([kKmMgGtTpP]?)\s*$/.exec(text);
  const n = m ? Number(m[1]) * SI[m[2].toLowerCase()] : NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    return fail(
      `Option '${option}' expects a positive integer such as '10' or '1k', got '${text}'`,
    );
  }
  return ok(n);
}

/** A duration in ms; a bare number is seconds, as in wrk. */
export function parseDuration(
  text: string,
  option: string,
  allowZero: boolean,
): Parsed<number> {
  const ns = parseDurationNs(text, "s");
  if (ns === undefined || ns < 0 || (!allowZero && ns === 0)) {
    return fail(
      `Option '${option}' expects a ${
        allowZero ? "" : "positive "
      }duration such as '10s', '2m' or '500ms', got '${text}'`,
    );
  }
  return ok(ns / 1e6);
}

/** `Name: value` (whitespace around both trimmed). */
export function parseHeader(text: string): Parsed<[string, string]> {
  const colon = text.indexOf(":");
  const name = colon < 0 ? "" : text.slice(0, colon).trim();
  if (colon < 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    return fail(`Option '-H' expects 'Name: value', got '${text}'`);
  }
  return ok([name, text.slice(colon + 1).trim()]);
}

/** The URL as wrk takes it; a missing scheme means `http://`, as in Hyperfoil. */
export function parseTarget(url: string): Parsed<WrkTarget> {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    return fail(`Invalid URL '${url}': expected 'http://host[:port]/path'`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    return fail(`Unsupported scheme '${u.protocol.slice(0, -1)}' in '${url}': use http or https`);
  }
  if (u.username !== "" || u.password !== "") {
    return fail(`Credentials in the URL '${url}' are not supported: use -H 'Authorization: …'`);
  }
  // The fragment stays on the client, as wrk does.
  return ok({ origin: `${u.protocol}//${u.host}`, path: `${u.pathname || "/"}${u.search}` });
}

/** Checks every option; the first problem is returned. */
export function parseWrkOptions(
  kind: WrkKind,
  url: string,
  raw: RawWrkOptions,
): Parsed<WrkOptions> {
  if (raw.script !== undefined) {
    return fail("Lua scripts ('-s') are not supported: write a benchmark and use 'hf run'");
  }
  const target = parseTarget(url);
  if (!target.ok) return target;
  const connections = parseCount(raw.connections, "-c");
  if (!connections.ok) return connections;
  const threads = parseCount(raw.threads, "-t");
  if (!threads.ok) return threads;
  if (connections.value < threads.value) {
    return fail(
      `The number of connections (${connections.value}) must be at least the number of threads (${threads.value})`,
    );
  }
  const duration = parseDuration(raw.duration, "-d", false);
  if (!duration.ok) return duration;
  const timeout = parseDuration(raw.timeout, "--timeout", false);
  if (!timeout.ok) return timeout;
  const warmup = parseDuration(raw.warmupDuration, "--warmup-duration", true);
  if (!warmup.ok) return warmup;
  const headers: [string, string][] = [];
  for (const h of raw.header) {
    const header = parseHeader(h);
    if (!header.ok) return header;
    headers.push(header.value);
  }
  let rate: number | undefined;
  if (kind === "wrk2") {
    const r = parseCount(raw.rate ?? "", "-R");
    if (!r.ok) return r;
    rate = r.value;
  }
  return ok({
    kind,
    url,
    target: target.value,
    connections: connections.value,
    durationMs: duration.value,
    durationText: raw.duration,
    threads: threads.value,
    headers,
    latency: raw.latency ?? false,
    timeoutMs: timeout.value,
    warmupMs: warmup.value,
    rate,
    useHttpCache: raw.useHttpCache ?? false,
    enableHttp2: raw.enableHttp2 ?? false,
  });
}
