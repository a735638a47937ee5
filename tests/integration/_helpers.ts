/**
 * Integration helpers: the real example server on loopback, benchmarks run
 * in-process through `runBenchmark` with the real engine (local deployer,
 * Workers for `threads` > 1), and readers of the run directory it writes.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { formatDiagnostic } from "../../src/benchmark/diagnostics.ts";
import { parseBenchmark } from "../../src/benchmark/load.ts";
import type { Benchmark } from "../../src/benchmark/model.ts";
import { runFile } from "../../src/cli/commands/run.ts";
import type { Output } from "../../src/cli/output.ts";
import { runBenchmark, type RunResult } from "../../src/controller/run_controller.ts";
import { createExecutor } from "../../src/engine/create_executor.ts";
import { type ExampleServer, startExampleServer } from "../../src/example_server/mod.ts";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
const CLI = fileURLToPath(new URL("../../cli.ts", import.meta.url));

/** The example server on a free loopback port, closed when disposed. */
export function exampleServer(): ExampleServer {
  return startExampleServer({ port: 0 });
}

/** A temporary directory, removed when disposed. */
export async function tempDir(prefix = "hf-it-"): Promise<{ dir: string } & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix });
  return {
    dir,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }).catch(() => {}),
  };
}

export interface LoadYamlOptions {
  params?: Record<string, string>;
  /** Directory data files are relative to. */
  baseDir?: string;
  file?: string;
}

/** Loads `yaml` with the real loader; fails the test with every diagnostic on errors. */
export function load(yaml: string, options: LoadYamlOptions = {}): Benchmark {
  const r = parseBenchmark(yaml, {
    file: options.file ?? "it.hf.yaml",
    params: options.params,
    baseDir: options.baseDir,
  });
  assert.ok(
    r.benchmark !== undefined,
    `invalid test benchmark:\n${r.diagnostics.map(formatDiagnostic).join("\n")}\n${yaml}`,
  );
  return r.benchmark!;
}

/** A `Summary` of all.json (`total.summary` or a series item). */
export interface Summary {
  startTime: number;
  endTime: number;
  minResponseTime: number;
  meanResponseTime: number;
  maxResponseTime: number;
  percentileResponseTime: Record<string, number>;
  requestCount: number;
  responseCount: number;
  invalid: number;
  connectionErrors: number;
  requestTimeouts: number;
  internalErrors: number;
  blockedTime: number;
  extensions: {
    http?: {
      status_2xx: number;
      status_3xx: number;
      status_4xx: number;
      status_5xx: number;
      status_other: number;
      cacheHits: number;
    };
  };
}

export interface AllJsonStat {
  name: string;
  phase: string;
  iteration: string;
  fork: string;
  metric: string;
  isWarmup: boolean;
  total: { phase: string; metric: string; start: number; end: number; summary: Summary };
  series: Summary[];
}

export interface AllJson {
  info: { id: string; errors: { agent?: string; msg: string }[]; cancelled: boolean };
  failures: { phase: string; metric: string | null; message: string }[];
  stats: AllJsonStat[];
  sessions: unknown[];
}

export interface LogEntry {
  agent?: string;
  level: "info" | "warn" | "error";
  message: string;
}

export interface Run {
  result: RunResult;
  /** What agents and the controller logged. */
  logs: LogEntry[];
  all: AllJson;
  info: AllJson["info"];
  totalCsv: string;
  /** Rows of `stats/total.csv` as header → value. */
  totalRows: Record<string, string>[];
  /** The total of (full phase name, metric); fails the test when absent. */
  total(phase: string, metric: string): Summary;
  /** Every metric of `phase`. */
  metrics(phase: string): string[];
  /** Sum of `requestCount` over every stat (or those of `phase`). */
  requests(phase?: string): number;
  /** Sum of `internalErrors` over every stat. */
  internalErrors(): number;
}

/** Runs `benchmark` in-process with the real engine; reads back the run directory. */
export async function run(benchmark: Benchmark, source?: string): Promise<Run> {
  await using tmp = await tempDir("hf-it-root-");
  const logs: LogEntry[] = [];
  const result = await runBenchmark({
    benchmark,
    source,
    root: tmp.dir,
    createExecutor,
    version: "it",
    onLog: (e) => void logs.push(e),
  });
  return await readRun(result, logs);
}

/** Loads and runs `yaml`. */
export async function runYaml(yaml: string, options: LoadYamlOptions = {}): Promise<Run> {
  return await run(load(yaml, options), yaml);
}

async function readRun(result: RunResult, logs: LogEntry[]): Promise<Run> {
  const all = JSON.parse(await Deno.readTextFile(`${result.runDir}/all.json`)) as AllJson;
  const info = JSON.parse(await Deno.readTextFile(`${result.runDir}/info.json`));
  const totalCsv = await Deno.readTextFile(`${result.runDir}/stats/total.csv`);
  const [head, ...rows] = totalCsv.trim().split("\n").map((l) => l.split(","));
  const totalRows = rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
  const find = (phase: string, metric: string) =>
    all.stats.find((s) => s.name === phase && s.metric === metric);
  return {
    result,
    logs,
    all,
    info,
    totalCsv,
    totalRows,
    total(phase, metric) {
      const s = find(phase, metric);
      assert.ok(
        s,
        `no stats for phase '${phase}' metric '${metric}'; have ${
          all.stats.map((x) => `${x.name}/${x.metric}`).join(", ")
        }`,
      );
      return s.total.summary;
    },
    metrics: (phase) => all.stats.filter((s) => s.name === phase).map((s) => s.metric),
    requests: (phase) =>
      all.stats.filter((s) => phase === undefined || s.name === phase).reduce(
        (n, s) => n + s.total.summary.requestCount,
        0,
      ),
    internalErrors: () => all.stats.reduce((n, s) => n + s.total.summary.internalErrors, 0),
  };
}

/** Status counts of a summary as `{2xx, 3xx, 4xx, 5xx}`. */
export function statuses(
  s: Summary,
): { "2xx": number; "3xx": number; "4xx": number; "5xx": number } {
  const h = s.extensions.http;
  return {
    "2xx": h?.status_2xx ?? 0,
    "3xx": h?.status_3xx ?? 0,
    "4xx": h?.status_4xx ?? 0,
    "5xx": h?.status_5xx ?? 0,
  };
}

/** Asserts the run passed, showing why not (reason, errors, failures, phase errors). */
export function assertPassed(r: Run): void {
  assert.equal(
    r.result.status,
    "passed",
    `run ${r.result.status}: ${r.result.reason ?? ""}\nerrors: ${
      JSON.stringify(r.result.errors)
    }\nfailures: ${JSON.stringify(r.result.failures)}\nphases: ${
      JSON.stringify(r.result.phases.filter((p) => p.failed))
    }`,
  );
}

/** Asserts `actual` is within `fraction` of `expected`. */
export function assertNear(actual: number, expected: number, fraction: number, what: string) {
  const tolerance = expected * fraction;
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${what}: ${actual}, expected ${expected} ± ${tolerance}`,
  );
}

/** Server-side request count of a route pattern (`/`, `/delay`, `/status/:code`…). */
export function served(server: ExampleServer, route: string): number {
  return server.stats().routes[route] ?? 0;
}

function capture(): Output & { stdout: string; stderr: string } {
  const io = {
    stdout: "",
    stderr: "",
    out: (s: string) => void (io.stdout += s),
    err: (s: string) => void (io.stderr += s),
  };
  return io;
}

export interface HfRunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `hf run FILE` in this process (the command's own code path), quiet, table on stdout. */
export async function hfRunInProcess(
  yaml: string,
  params: Record<string, string> = {},
): Promise<HfRunResult> {
  await using tmp = await tempDir("hf-it-cli-");
  const file = `${tmp.dir}/bench.hf.yaml`;
  await Deno.writeTextFile(file, yaml);
  const io = capture();
  const code = await runFile(file, io, { params, root: tmp.dir, quiet: true }, {
    createExecutor,
    progressTty: false,
    stdoutTty: false,
    signal: new AbortController().signal,
  });
  return { code, stdout: io.stdout, stderr: io.stderr };
}

/**
 * `deno run -A cli.ts run FILE --quiet --root TMP ARGS…` as a subprocess, killed after
 * `timeoutMs` (default 30 s): a hang fails the test instead of blocking the suite.
 */
export async function hfRunSubprocess(
  yaml: string,
  args: string[] = [],
  timeoutMs = 30_000,
): Promise<HfRunResult> {
  await using tmp = await tempDir("hf-it-sub-");
  const file = `${tmp.dir}/bench.hf.yaml`;
  await Deno.writeTextFile(file, yaml);
  return await hfRunFile(file, args, timeoutMs);
}

/** `deno run -A cli.ts run FILE --quiet --root TMP ARGS…` on an existing file (see above). */
export async function hfRunFile(
  file: string,
  args: string[] = [],
  timeoutMs = 30_000,
): Promise<HfRunResult> {
  await using tmp = await tempDir("hf-it-sub-");
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, "run", file, "--quiet", "--root", tmp.dir, ...args],
    cwd: REPO,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(timeoutMs),
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/**
 * A benchmark named `it` against `server`: `http` lines go under `http:` (indent them by two),
 * `head` lines are top-level keys, `phases` is the indented list under `phases:`.
 */
export function benchYaml(
  server: { url: string },
  phases: string,
  options: { http?: string; head?: string } = {},
): string {
  return [
    "name: it",
    "http:",
    `  host: ${server.url}`,
    ...(options.http ? [options.http.replace(/^\n/, "").trimEnd()] : []),
    ...(options.head ? [options.head.replace(/^\n/, "").trimEnd()] : []),
    "phases:",
    phases.replace(/^\n/, "").trimEnd(),
    "",
  ].join("\n");
}
