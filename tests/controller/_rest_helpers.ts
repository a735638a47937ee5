/**
 * Helpers for the REST controller tests: a real controller server on a free
 * loopback port with a temporary root and the real engine, benchmarks against
 * the example server, polling a run, and reading a ZIP's central directory.
 */
import assert from "node:assert/strict";
import {
  type ControllerServer,
  type ControllerServerOptions,
  startControllerServer,
} from "../../src/controller/rest/server.ts";
import { createExecutor } from "../../src/engine/create_executor.ts";

export interface TestController extends AsyncDisposable {
  server: ControllerServer;
  root: string;
  url: string;
  /** Log lines the server reported. */
  logs: { agent?: string; level: string; message: string }[];
}

/**
 * A controller on 127.0.0.1:0 with the real engine. Without `root` it gets a
 * temporary one, removed when disposed; a given root is left alone.
 */
export async function testController(
  options: Partial<ControllerServerOptions> = {},
): Promise<TestController> {
  const ownRoot = options.root === undefined;
  const root = options.root ?? await Deno.makeTempDir({ prefix: "hf-rest-test-" });
  const logs: TestController["logs"] = [];
  let server: ControllerServer;
  try {
    server = await startControllerServer({
      port: 0,
      version: "test",
      createExecutor,
      onLog: (e) => void logs.push(e),
      ...options,
      root,
    });
  } catch (e) {
    if (ownRoot) await Deno.remove(root, { recursive: true }).catch(() => {});
    throw e;
  }
  return {
    server,
    root,
    url: server.url,
    logs,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      if (ownRoot) await Deno.remove(root, { recursive: true }).catch(() => {});
    },
  };
}

export interface BenchOptions {
  name?: string;
  /** Default 20. */
  usersPerSec?: number | string;
  /** Default `1s`. */
  duration?: string;
  /** Paths come from this data file (one per line) instead of `/hello`. */
  pathsFile?: string;
}

/** A constant-rate benchmark against the example server at `target`. */
export function benchYaml(target: string, o: BenchOptions = {}): string {
  const steps = o.pathsFile === undefined
    ? ["        - httpRequest:", "            GET: /hello"]
    : [
      "        - randomItem:",
      `            file: ${o.pathsFile}`,
      "            toVar: p",
      "        - httpRequest:",
      "            GET: /${p}",
    ];
  return [
    `name: ${o.name ?? "rest"}`,
    "http:",
    `  host: ${target}`,
    "  sharedConnections: 8",
    "statisticsCollectionPeriod: 100ms",
    "phases:",
    "- main:",
    "    constantRate:",
    `      usersPerSec: ${o.usersPerSec ?? 20}`,
    `      duration: ${o.duration ?? "1s"}`,
    "      scenario:",
    "      - test:",
    ...steps,
    "",
  ].join("\n");
}

/** The subset of the Run JSON the tests read. */
export interface RunJson {
  id: string;
  benchmark: string | null;
  started: string | null;
  terminated: string | null;
  cancelled: boolean;
  completed: boolean;
  persisted: boolean;
  description: string | null;
  phases: {
    name: string;
    status: string;
    type: string;
    started: string | null;
    completed: string | null;
    failed: boolean;
    totalDuration: string | null;
    description: string;
  }[] | null;
  agents: { name: string; address: string | null; status: string }[] | null;
  errors: string[] | null;
}

/** Polls `GET /run/{id}` until it is completed; fails the test after `timeoutMs`. */
export async function waitForRun(
  url: string,
  id: string,
  timeoutMs = 20_000,
  headers: HeadersInit = {},
): Promise<RunJson> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${url}/run/${id}`, { headers });
    assert.equal(res.status, 200, `GET /run/${id}`);
    const run = await res.json() as RunJson;
    if (run.completed) return run;
    assert.ok(Date.now() < deadline, `run ${id} did not complete within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Uploads `yaml` as `text/vnd.yaml`; asserts 204. */
export async function uploadYaml(url: string, yaml: string, headers: HeadersInit = {}) {
  const res = await fetch(`${url}/benchmark`, {
    method: "POST",
    headers: { "content-type": "text/vnd.yaml", ...headers },
    body: yaml,
  });
  assert.equal(res.status, 204, await res.text());
  return res;
}

/** An entry of a ZIP's central directory. */
export interface ZipListing {
  name: string;
  method: number;
  crc: number;
  size: number;
  offset: number;
}

/** Reads the central directory through the end record, as `unzip -l` does. */
export function zipEntries(zip: Uint8Array): ZipListing[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let end = zip.length - 22;
  while (end >= 0 && view.getUint32(end, true) !== 0x06054B50) end--;
  assert.ok(end >= 0, "no end-of-central-directory record");
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const out: ZipListing[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(view.getUint32(at, true), 0x02014B50, `central header ${i}`);
    const nameLength = view.getUint16(at + 28, true);
    const extra = view.getUint16(at + 30, true);
    const comment = view.getUint16(at + 32, true);
    out.push({
      method: view.getUint16(at + 10, true),
      crc: view.getUint32(at + 16, true),
      size: view.getUint32(at + 24, true),
      offset: view.getUint32(at + 42, true),
      name: new TextDecoder().decode(zip.subarray(at + 46, at + 46 + nameLength)),
    });
    at += 46 + nameLength + extra + comment;
  }
  return out;
}

/** The stored bytes of `entry` (method 0), read through its local header. */
export function zipData(zip: Uint8Array, entry: ZipListing): Uint8Array {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  assert.equal(view.getUint32(entry.offset, true), 0x04034B50, `local header of ${entry.name}`);
  const start = entry.offset + 30 + view.getUint16(entry.offset + 26, true) +
    view.getUint16(entry.offset + 28, true);
  return zip.subarray(start, start + entry.size);
}

/** Whether the program `name` can be started here (`curl`, `unzip`). */
export async function hasBinary(name: string): Promise<boolean> {
  try {
    await new Deno.Command(name, { args: [], stdout: "null", stderr: "null" }).output();
    return true;
  } catch {
    return false;
  }
}

const REPO_DIR = new URL("../../", import.meta.url).pathname;

export interface SpawnedController extends AsyncDisposable {
  url: string;
  child: Deno.ChildProcess;
  /** Waits for the process to end (signal it first), with everything it printed. */
  exit(): Promise<{ status: Deno.CommandStatus; stdout: string; stderr: string }>;
}

/**
 * Starts `hf controller --port 0 --root ROOT ARGS…` as a subprocess and reads its URL from
 * the first line of stdout; killed after 90 s, interrupted (SIGINT) when disposed.
 */
export async function spawnController(
  root: string,
  options: { args?: string[]; env?: Record<string, string> } = {},
): Promise<SpawnedController> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      "cli.ts",
      "controller",
      "--port",
      "0",
      "--root",
      root,
      ...options.args ?? [],
    ],
    cwd: REPO_DIR,
    env: options.env ?? { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let stdout = "";
  const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
  while (!stdout.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    stdout += value;
  }
  const m = /^hf controller listening on (http:\/\/127\.0\.0\.1:(\d+))\n$/.exec(stdout);
  // Only on failure: stderr ends when the child does.
  if (m === null) assert.fail(`unexpected output: ${JSON.stringify(stdout)} ${await stderr}`);
  let ended: ReturnType<SpawnedController["exit"]> | undefined;
  const exit = () =>
    ended ??= (async () => {
      for (let r = await reader.read(); !r.done; r = await reader.read()) stdout += r.value;
      const status = await child.status;
      clearTimeout(timer);
      return { status, stdout, stderr: await stderr };
    })();
  return {
    url: m[1],
    child,
    exit,
    async [Symbol.asyncDispose]() {
      try {
        child.kill("SIGINT");
      } catch { /* exited already */ }
      await exit();
    },
  };
}
