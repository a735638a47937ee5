/**
 * The shell's REST client for the controller (Hyperfoil's paths, see
 * openapi.yaml): typed results, and every failure a {@link ShellError} whose
 * message is one line fit to show the user.
 * @module
 */
import type { RunJson } from "../../controller/rest/run_json.ts";
import type { StatsTableRow } from "../../stats/stats_table.ts";

export type { RunJson };

/** A failure to show as one line; `status` is the HTTP status when the controller answered. */
export class ShellError extends Error {
  override name = "ShellError";
  constructor(message: string, readonly status?: number, options?: ErrorOptions) {
    super(message, options);
  }
}

/** The controller is not there (refused, reset, DNS, timeout). */
export class UnreachableError extends ShellError {
  override name = "UnreachableError";
}

/** 401: the controller wants a password. */
export class AuthRequiredError extends ShellError {
  override name = "AuthRequiredError";
}

export interface VersionJson {
  version: string;
  commitId: string;
  deploymentId: string;
  serverTime: string;
}

export interface StatsJson {
  status: string;
  statistics: StatsTableRow[];
}

export interface MinMax {
  min: number;
  max: number;
}

export interface ClientOptions {
  /** `http://host:port`, no trailing slash. */
  baseUrl: string;
  password?: string;
  /** Per request; default 30 s. */
  timeoutMs?: number;
}

export interface StartOptions {
  params?: Record<string, string>;
  description?: string;
}

/** One stored data file of an upload. */
export interface UploadFile {
  name: string;
  data: Uint8Array;
}

export interface Client {
  readonly baseUrl: string;
  /** `host:port` as shown in the prompt. */
  readonly authority: string;
  version(): Promise<VersionJson>;
  benchmarks(): Promise<string[]>;
  templates(): Promise<string[]>;
  /** Returns the stored benchmark's name. Multipart when `files` is not empty. */
  upload(
    source: string,
    options?: { fileName?: string; files?: UploadFile[]; ifMatch?: string },
  ): Promise<string>;
  /** The YAML source and its version (ETag). */
  benchmarkSource(name: string): Promise<{ source: string; version: string | undefined }>;
  /** The loaded model (JSON). */
  benchmarkModel(name: string, params?: Record<string, string>): Promise<unknown>;
  forget(name: string): Promise<void>;
  start(name: string, options?: StartOptions): Promise<RunJson>;
  runs(): Promise<RunJson[]>;
  run(id: string): Promise<RunJson>;
  kill(id: string): Promise<string>;
  stats(id: string, which: "recent" | "total"): Promise<StatsJson>;
  allJson(id: string): Promise<string>;
  allZip(id: string): Promise<Uint8Array>;
  report(id: string): Promise<string>;
  sessions(id: string, which: "recent" | "total"): Promise<Record<string, Record<string, MinMax>>>;
  connections(
    id: string,
    which: "recent" | "total",
  ): Promise<Record<string, Record<string, MinMax>>>;
  agentCpu(id: string): Promise<Record<string, Record<string, string>>>;
  agents(): Promise<string[]>;
  log(agent?: string): Promise<string>;
  shutdown(force: boolean): Promise<string>;
}

/** `host[:port]` → base URL; default port 8090; `http(s)://` kept when given. */
export function baseUrlOf(target: string, defaultPort = 8090): string {
  let t = target.trim();
  let scheme = "http";
  const m = /^(https?):\/\/(.*)$/i.exec(t);
  if (m) {
    scheme = m[1].toLowerCase();
    t = m[2];
  }
  t = t.replace(/\/+$/, "");
  const hp = /^(\[[^\]]+\]|[^:/\s]+)(?::(\d{1,5}))?$/.exec(t);
  if (hp === null) {
    throw new ShellError(`Invalid controller address '${target}': expected HOST[:PORT]`);
  }
  const port = hp[2] === undefined ? defaultPort : Number(hp[2]);
  if (port > 65535) throw new ShellError(`Invalid port ${port} in '${target}': expected 0..65535`);
  return `${scheme}://${hp[1]}:${port}`;
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0].trim();
}

function describeFetchError(e: unknown): string {
  if (e instanceof DOMException && e.name === "TimeoutError") return "timed out";
  const text = e instanceof Error ? `${e.message} ${e.cause ?? ""}` : String(e);
  if (/refused/i.test(text)) return "connection refused";
  if (/reset/i.test(text)) return "connection reset";
  if (/dns|lookup|resolve|name or service/i.test(text)) return "unknown host";
  return firstLine(e instanceof Error ? e.message : String(e));
}

/** A client for the controller at `baseUrl`. Nothing is sent until a method is called. */
export function restClient(options: ClientOptions): Client {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const authority = new URL(baseUrl).host;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const auth = options.password === undefined
    ? undefined
    : `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(`hf:${options.password}`)))}`;

  async function request(
    path: string,
    init: RequestInit & { accept?: string } = {},
  ): Promise<Response> {
    const headers = new Headers(init.headers);
    if (auth !== undefined) headers.set("authorization", auth);
    if (init.accept !== undefined) headers.set("accept", init.accept);
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        ...init,
        headers,
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      throw new UnreachableError(
        `The controller at ${authority} is unreachable (${describeFetchError(e)})`,
        undefined,
        { cause: e },
      );
    }
    if (response.status < 300) return response;
    const text = await response.text().catch(() => "");
    const message = firstLine(text) || `HTTP ${response.status} ${response.statusText}`.trim();
    if (response.status === 401) {
      throw new AuthRequiredError(
        options.password === undefined
          ? `The controller at ${authority} requires a password`
          : `The controller at ${authority} refused the password`,
        401,
      );
    }
    throw new ShellError(message.replace(/\.$/, ""), response.status);
  }

  const json = async <T>(path: string, init?: RequestInit & { accept?: string }) => {
    const response = await request(path, { accept: "application/json", ...init });
    const text = await response.text();
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ShellError(`The controller sent invalid JSON for ${path}`);
    }
  };
  const text = async (path: string, init?: RequestInit & { accept?: string }) =>
    await (await request(path, init)).text();
  const seg = encodeURIComponent;

  return {
    baseUrl,
    authority,
    version: () => json<VersionJson>("/version"),
    benchmarks: () => json<string[]>("/benchmark"),
    templates: () => json<string[]>("/template"),
    async upload(source, o = {}) {
      const files = o.files ?? [];
      const headers: Record<string, string> = {};
      if (o.ifMatch !== undefined) headers["if-match"] = o.ifMatch;
      let body: BodyInit;
      if (files.length === 0) {
        headers["content-type"] = "text/vnd.yaml";
        body = source;
      } else {
        const form = new FormData();
        form.append("benchmark", new File([source], o.fileName ?? "benchmark.hf.yaml"));
        for (const f of files) {
          form.append("file", new File([f.data as Uint8Array<ArrayBuffer>], f.name));
        }
        body = form;
      }
      const response = await request("/benchmark", { method: "POST", headers, body });
      await response.body?.cancel();
      const location = response.headers.get("location") ?? "";
      return decodeURIComponent(location.replace(/^.*\/benchmark\//, ""));
    },
    async benchmarkSource(name) {
      const response = await request(`/benchmark/${seg(name)}`, { accept: "text/vnd.yaml" });
      return { source: await response.text(), version: response.headers.get("etag") ?? undefined };
    },
    benchmarkModel(name, params = {}) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(params)) q.append("templateParam", `${k}=${v}`);
      const query = q.size > 0 ? `?${q}` : "";
      return json<unknown>(`/benchmark/${seg(name)}${query}`);
    },
    async forget(name) {
      const response = await request(`/benchmark/${seg(name)}`, { method: "DELETE" });
      await response.body?.cancel();
    },
    async start(name, o = {}) {
      const q = new URLSearchParams();
      if (o.description !== undefined) q.set("desc", o.description);
      for (const [k, v] of Object.entries(o.params ?? {})) q.append("templateParam", `${k}=${v}`);
      const query = q.size > 0 ? `?${q}` : "";
      const response = await request(`/benchmark/${seg(name)}/start${query}`);
      if (response.status !== 202) {
        await response.body?.cancel();
        throw new ShellError(
          `Benchmark '${name}' did not start (HTTP ${response.status}); it may be started by a CI job`,
          response.status,
        );
      }
      return await response.json() as RunJson;
    },
    runs: () => json<RunJson[]>("/run?details=true"),
    run: (id) => json<RunJson>(`/run/${seg(id)}`),
    kill: async (id) => firstLine(await text(`/run/${seg(id)}/kill`)),
    stats: (id, which) => json<StatsJson>(`/run/${seg(id)}/stats/${which}`),
    allJson: (id) => text(`/run/${seg(id)}/stats/all/json`, { accept: "application/json" }),
    async allZip(id) {
      const response = await request(`/run/${seg(id)}/stats/all`, { accept: "application/zip" });
      return new Uint8Array(await response.arrayBuffer());
    },
    report: (id) => text(`/run/${seg(id)}/report`, { accept: "text/html" }),
    sessions: (id, which) => json(`/run/${seg(id)}/sessions/${which}`),
    connections: (id, which) => json(`/run/${seg(id)}/connections/${which}`),
    agentCpu: (id) => json(`/run/${seg(id)}/agentCpu`),
    agents: () => json<string[]>("/agents"),
    log: (agent) => text(agent === undefined ? "/log" : `/log/${seg(agent)}`),
    shutdown: async (force) => firstLine(await text(`/shutdown${force ? "?force=true" : ""}`)),
  };
}
