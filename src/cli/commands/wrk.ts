/**
 * `hf wrk URL` and `hf wrk2 -R RATE URL`: wrk's and wrk2's command lines on
 * hf, as Hyperfoil's façades. They build a benchmark (a calibration phase,
 * then the test), run it in this process like `hf run`, and print wrk's own
 * report from the test phase, so scripts can swap wrk for hf.
 * @module
 */
import type { Command } from "commander";
import type { CreateExecutor } from "../../agent/agent.ts";
import { formatDiagnostic } from "../../benchmark/diagnostics.ts";
import { runBenchmark, type RunResult } from "../../controller/run_controller.ts";
import { EXIT_INTERRUPTED, EXIT_INVALID, EXIT_OK, EXIT_RUN_FAILED } from "../exit_codes.ts";
import { interruptOnSigint } from "../interrupt.ts";
import type { Output } from "../output.ts";
import { VERSION } from "../version.ts";
import { buildWrkBenchmark, TEST_PHASE } from "../wrk/benchmark.ts";
import {
  parseWrkOptions,
  type RawWrkOptions,
  type WrkKind,
  type WrkOptions,
} from "../wrk/options.ts";
import { formatWrkHeader, formatWrkReport } from "../wrk/report.ts";
import { ThreadStats } from "../wrk/thread_stats.ts";
import { defaultEngine } from "../engine.ts";

/** What the façade runs on; tests replace parts of it. */
export interface WrkDependencies {
  /** The engine; default `src/engine/create_executor.ts`. */
  createExecutor?: CreateExecutor;
  /** Ctrl-C; default: SIGINT of this process. */
  signal?: AbortSignal;
  /** Where the run is written; default a temporary directory, removed afterwards. */
  root?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function define(program: Command, kind: WrkKind, io: Output, done: (code: number) => void): void {
  const cmd = program
    .command(kind)
    .description(
      kind === "wrk"
        ? "wrk's command line: one user per connection, a calibration phase, then the test"
        : "wrk2's command line: a constant request rate with latency timed from the schedule",
    )
    .argument("<url>", "the URL to load, e.g. http://localhost:8080/")
    .option("-c, --connections <N>", "connections to keep open", "10")
    .option("-d, --duration <T>", "duration of the test, e.g. 10s, 2m", "10s")
    .option("-t, --threads <N>", "threads to use", "2")
    .option(
      "-H, --header <H>",
      "header to add to requests, e.g. 'User-Agent: wrk' (repeatable)",
      collect,
      [],
    )
    .option("--latency", "print the latency distribution")
    .option("--timeout <T>", "record a timeout when a response takes longer", "60s")
    .option("--warmup-duration <T>", "duration of the calibration phase (0s: none)", "6s")
    .option("--use-http-cache", "enable Hyperfoil's HTTP cache (off, as in wrk)")
    .option("--enable-http2", "allow HTTP/2 over TLS (wrk speaks HTTP/1.1 only)")
    .option("-s, --script <S>", "wrk's Lua script: not supported")
    .option("--root <dir>", "keep the run in DIR/run/ID/ (default: a temporary directory)");
  if (kind === "wrk2") {
    cmd.requiredOption("-R, --rate <N>", "requests per second, over all threads");
  }
  cmd.addHelpText(
    "after",
    "\nThe report covers the test phase only; the calibration phase warms connections up." +
      "\n\nExit status: 0 the test ran, 2 invalid options, 3 the test could not run" +
      " (e.g. target unreachable), 130 interrupted.",
  );
  cmd.action(async (url: string, raw: RawWrkOptions & { root?: string }) => {
    const parsed = parseWrkOptions(kind, url, raw);
    if (!parsed.ok) {
      io.err(`hf ${kind}: ${parsed.error}\n`);
      done(EXIT_INVALID);
      return;
    }
    done(await runWrk(parsed.value, io, { root: raw.root }));
  });
}

/** Adds `wrk` and `wrk2` to `program`; their exit codes go to `done`. */
export function addWrkCommands(program: Command, io: Output, done: (code: number) => void): void {
  define(program, "wrk", io, done);
  define(program, "wrk2", io, done);
}

/** Runs the façade's benchmark and prints wrk's report; returns the exit code. */
export async function runWrk(
  options: WrkOptions,
  io: Output,
  deps: WrkDependencies = {},
): Promise<number> {
  const { yaml, loaded } = buildWrkBenchmark(options);
  const benchmark = loaded.benchmark;
  if (benchmark === undefined) {
    for (const d of loaded.diagnostics) {
      if (d.severity === "error") io.err(`hf ${options.kind}: ${formatDiagnostic(d)}\n`);
    }
    return EXIT_INVALID;
  }
  const testPhase = benchmark.phases.find((p) => p.name === TEST_PHASE);
  if (testPhase === undefined) throw new Error(`The ${options.kind} benchmark has no test phase`);
  const tap = new ThreadStats({
    phaseId: testPhase.id,
    onRunning: () => io.out(formatWrkHeader(options)),
  });
  using sigint = deps.signal === undefined
    ? interruptOnSigint(io, "terminating the test")
    : undefined;
  const tempRoot = deps.root === undefined
    ? await Deno.makeTempDir({ prefix: `hf-${options.kind}-` })
    : undefined;
  let result: RunResult;
  try {
    result = await runBenchmark({
      benchmark,
      source: yaml,
      root: deps.root ?? tempRoot,
      createExecutor: tap.wrap(deps.createExecutor ?? await defaultEngine()),
      signal: deps.signal ?? sigint!.signal,
      version: VERSION,
      onLog: ({ agent, level, message }) => {
        // Errors end the run and are reported with its outcome below.
        if (level === "warn") {
          io.err(`hf: warning${agent ? ` (agent '${agent}')` : ""}: ${message}\n`);
        }
      },
    });
  } finally {
    if (tempRoot !== undefined) await Deno.remove(tempRoot, { recursive: true }).catch(() => {});
  }
  const stats = result.stats.find((r) => r.phase === TEST_PHASE);
  if (stats !== undefined) {
    io.out(formatWrkReport({
      summary: stats.summary,
      histogram: tap.histogram(),
      periods: tap.periods(),
      periodMs: benchmark.statisticsCollectionPeriod,
      latency: options.latency,
    }));
  }
  return outcome(result, stats !== undefined, options.kind, io);
}

/** Reports how the run ended (stderr) and returns the exit code. */
function outcome(result: RunResult, reported: boolean, kind: WrkKind, io: Output): number {
  for (const e of result.errors) {
    const text = `${e.agent ? `${e.agent}: ` : ""}${e.msg}`;
    if (text !== result.reason) io.err(`hf ${kind}: error: ${text}\n`);
  }
  // wrk has no SLAs; a failed one (blocked time, the session limit) is worth knowing.
  for (const f of result.failures) {
    io.err(`hf ${kind}: warning: phase '${f.phase}': ${f.message}\n`);
  }
  if (result.status === "error") {
    io.err(`hf ${kind}: the test could not run: ${result.reason ?? "unknown reason"}\n`);
    return EXIT_RUN_FAILED;
  }
  if (result.status === "interrupted") return EXIT_INTERRUPTED;
  if (!reported) {
    io.err(`hf ${kind}: no statistics were recorded for phase '${TEST_PHASE}'\n`);
    return EXIT_RUN_FAILED;
  }
  return EXIT_OK;
}
