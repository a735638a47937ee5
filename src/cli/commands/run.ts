/**
 * `hf run FILE [-P K=V]... [--root DIR] [--output text|json] [--quiet] [-w]`:
 * runs a benchmark with a controller in this process, shows live progress,
 * then prints the `stats` table or the run's `all.json`. Without `agents:` the
 * load comes from this process (Hyperfoil's standalone mode, the `in-vm`
 * agent); with `agents:` hf copies itself to each host over SSH and runs the
 * agents there, as a clustered controller does (`--in-process` keeps them here).
 */
import { type Command, Option } from "commander";
import type { CreateExecutor } from "../../agent/agent.ts";
import type { Benchmark } from "../../benchmark/model.ts";
import type { RunProgress } from "../../controller/progress.ts";
import { runBenchmark, type RunResult } from "../../controller/run_controller.ts";
import { defaultRoot, RunDirError } from "../../controller/run_store.ts";
import type { BusServer } from "../../bus/tcp_transport.ts";
import type { Deployer } from "../../deploy/deployer.ts";
import { formatStatsTable } from "../../stats/stats_table.ts";
import {
  EXIT_INTERRUPTED,
  EXIT_INVALID,
  EXIT_OK,
  EXIT_RUN_FAILED,
  EXIT_SLA_FAILED,
} from "../exit_codes.ts";
import { interruptOnSigint } from "../interrupt.ts";
import { errorCount, loadFile, plural } from "../load_file.ts";
import type { Output } from "../output.ts";
import { collectParam } from "../params.ts";
import { progressPainter } from "../progress.ts";
import { VERSION } from "../version.ts";
import { defaultEngine } from "../engine.ts";

export interface RunCommandOptions {
  /** Template parameters (`-P`). */
  params: Record<string, string>;
  /** Root directory of runs; default `${HF_ROOT:-/tmp/hyperfoil}`. */
  root?: string;
  /** `text` (the stats table, default) or `json` (the run's all.json). */
  output?: "text" | "json";
  /** No live progress. */
  quiet?: boolean;
  /** Show warm-up phases in the table. */
  warmup?: boolean;
  /** Run the benchmark's `agents` in this process instead of deploying them over SSH. */
  inProcess?: boolean;
  /** `HOST[:PORT]` the agents dial back; default 127.0.0.1 when every agent is on loopback, else this host's name. */
  busAddress?: string;
  /** Record unknown SSH host keys in known_hosts instead of refusing them. */
  acceptNewHostKeys?: boolean;
}

/** What the command runs on; tests replace parts of it. */
export interface RunDependencies {
  /** The engine; default `src/engine/create_executor.ts`. */
  createExecutor?: CreateExecutor;
  /** Default: `local` over `createExecutor`. */
  deployer?: Deployer;
  /** Whether progress goes to a terminal (repainted block); default: is stderr a terminal. */
  progressTty?: boolean;
  /** Colors and width for the table; default: is stdout a terminal (and NO_COLOR unset). */
  stdoutTty?: boolean;
  /** Ctrl-C; default: SIGINT of this process. */
  signal?: AbortSignal;
  /** Default 1000. */
  progressIntervalMs?: number;
}

/** Adds the command to `program`; its exit code goes to `done`. */
export function addRunCommand(program: Command, io: Output, done: (code: number) => void): void {
  program
    .command("run")
    .description(
      "run a benchmark (here, or on its agents over SSH): live progress, then the statistics table",
    )
    .argument("<file>", "benchmark file (*.hf.yaml)")
    .option(
      "-P, --param <NAME=VALUE>",
      "set a template parameter (repeatable; -PNAME=VALUE works too)",
      collectParam,
    )
    .option("--root <dir>", "where runs are written (default: $HF_ROOT or /tmp/hyperfoil)")
    .addOption(
      new Option("--output <format>", "what to print at the end").choices(["text", "json"])
        .default("text"),
    )
    .option("-q, --quiet", "no live progress")
    .option("-w, --warmup", "show warm-up phases in the table")
    .option("--in-process", "run the benchmark's agents in this process, not on their hosts")
    .option(
      "--bus-address <host[:port]>",
      "where agents reach this process (default: 127.0.0.1 when all agents are on loopback, else this host's name)",
    )
    .option("--accept-new-host-keys", "add unknown SSH host keys to ~/.ssh/known_hosts")
    .addHelpText(
      "after",
      "\nThe run is written to ROOT/run/ID/ (info.json, all.json, stats/*.csv)." +
        "\nCtrl-C terminates the phases and still prints what ran; a second Ctrl-C exits at once." +
        "\n\nExit status: 0 every phase passed, 1 an SLA or the session limit failed," +
        "\n2 invalid benchmark, 3 the run could not execute, 130 interrupted.",
    )
    .action(
      async (
        file: string,
        opts: {
          param?: Record<string, string>;
          root?: string;
          output?: "text" | "json";
          quiet?: boolean;
          warmup?: boolean;
          inProcess?: boolean;
          busAddress?: string;
          acceptNewHostKeys?: boolean;
        },
      ) => {
        done(
          await runFile(file, io, {
            params: opts.param ?? {},
            root: opts.root,
            output: opts.output,
            quiet: opts.quiet,
            warmup: opts.warmup,
            inProcess: opts.inProcess,
            busAddress: opts.busAddress,
            acceptNewHostKeys: opts.acceptNewHostKeys,
          }),
        );
      },
    );
}

function isTerminal(stream: { isTerminal(): boolean }): boolean {
  try {
    return stream.isTerminal();
  } catch {
    return false;
  }
}

function noColor(): boolean {
  try {
    return !!Deno.env.get("NO_COLOR");
  } catch {
    return false;
  }
}

/** The TCP bus and the SSH deployer of a clustered `hf run`; disposing closes both. */
interface SshCluster extends AsyncDisposable {
  deployer: Deployer;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/;

/** Listens for the agents on the bus address and deploys them with `ssh`. */
async function startSshCluster(
  benchmark: Benchmark,
  options: RunCommandOptions,
  io: Output,
): Promise<SshCluster> {
  const hosts = benchmark.agents.map((a) => a.host ?? a.properties.host ?? "");
  let advertised: string;
  let bindHost: string;
  let port = 0;
  if (options.busAddress !== undefined) {
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(options.busAddress);
    if (m === null || (m[2] !== undefined && Number(m[2]) > 65535)) {
      throw new Error(`--bus-address must be HOST or HOST:PORT, found '${options.busAddress}'`);
    }
    advertised = m[1];
    port = m[2] === undefined ? 0 : Number(m[2]);
    bindHost = LOOPBACK.test(advertised) ? advertised.replace(/^\[|\]$/g, "") : "0.0.0.0";
  } else if (hosts.every((h) => LOOPBACK.test(h))) {
    advertised = bindHost = "127.0.0.1";
  } else {
    advertised = Deno.hostname();
    bindHost = "0.0.0.0";
  }
  const warn = (level: string, message: string) => {
    if (level !== "info") io.err(`hf: ${level === "error" ? "error" : "warning"}: ${message}\n`);
  };
  // Loaded only for clustered runs: ssh2 is a large npm package.
  const [{ listenBus }, { sshDeployer }] = await Promise.all([
    import("../../bus/tcp_transport.ts"),
    import("../../deploy/ssh.ts"),
  ]);
  let bus: BusServer;
  try {
    bus = listenBus({ hostname: bindHost, port, version: VERSION, onLog: warn });
  } catch (e) {
    throw new Error(
      `cannot listen for agents on ${bindHost}:${port}: ${e instanceof Error ? e.message : e}`,
    );
  }
  const deployer = sshDeployer({
    bus,
    controllerAddress: `${advertised}:${bus.port}`,
    version: VERSION,
    acceptNewHostKeys: options.acceptNewHostKeys,
    onLog: warn,
  });
  return {
    deployer,
    async [Symbol.asyncDispose]() {
      await deployer.close?.();
      await bus.close();
    },
  };
}

/** Loads and runs `file`; returns the exit code. */
export async function runFile(
  file: string,
  io: Output,
  options: RunCommandOptions,
  deps: RunDependencies = {},
): Promise<number> {
  const loaded = await loadFile(file, io, { params: options.params });
  if (loaded.benchmark === undefined) {
    const errors = errorCount(loaded);
    if (errors === 0) throw new Error(`The loader rejected '${file}' without reporting an error`);
    io.err(`${file}: ${plural(errors, "error")}\n`);
    return EXIT_INVALID;
  }
  const benchmark = loaded.benchmark;
  let source: string | undefined;
  try {
    source = await Deno.readTextFile(file);
  } catch {
    source = undefined; // a pipe read once already: the model JSON is still stored
  }
  let deployer = deps.deployer;
  let cluster: SshCluster | undefined;
  if (benchmark.agents.length > 0 && deployer === undefined) {
    const names = benchmark.agents.map((a) => `'${a.name}'`).join(", ");
    if (options.inProcess) {
      io.err(`hf: running agents ${names} in this process (--in-process)\n`);
    } else {
      try {
        cluster = await startSshCluster(benchmark, options, io);
      } catch (e) {
        io.err(`hf: ${e instanceof Error ? e.message : String(e)}\n`);
        return EXIT_RUN_FAILED;
      }
      deployer = cluster.deployer;
      if (!options.quiet) io.err(`hf: deploying agents ${names} over SSH\n`);
    }
  }
  await using _cluster = cluster;
  using sigint = deps.signal === undefined
    ? interruptOnSigint(io, "terminating phases")
    : undefined;
  const signal = deps.signal ?? sigint!.signal;
  const painter = options.quiet
    ? undefined
    : progressPainter(io.err, deps.progressTty ?? isTerminal(Deno.stderr));
  const createExecutor = deployer === undefined
    ? deps.createExecutor ?? await defaultEngine()
    : deps.createExecutor;
  let result: RunResult;
  try {
    result = await runBenchmark({
      benchmark,
      source,
      root: options.root ?? defaultRoot(),
      deployer,
      createExecutor,
      signal,
      version: VERSION,
      onProgress: painter && ((p: RunProgress) => painter.update(p)),
      progressIntervalMs: deps.progressIntervalMs,
      onLog: ({ agent, level, message }) => {
        if (level === "info") return;
        const text = `hf: ${level === "error" ? "error" : "warning"}${
          agent ? ` (agent '${agent}')` : ""
        }: ${message}`;
        if (painter) painter.log(text);
        else io.err(text + "\n");
      },
    });
  } catch (e) {
    if (!(e instanceof RunDirError)) throw e;
    io.err(`hf: the run could not start: ${e.message}\n`);
    return EXIT_RUN_FAILED;
  }
  painter?.clear();
  if (options.output === "json") await printAllJson(result, io);
  else printTable(result, benchmark, io, options, deps.stdoutTty ?? isTerminal(Deno.stdout));
  return report(result, io);
}

async function printAllJson(result: RunResult, io: Output): Promise<void> {
  try {
    io.out((await Deno.readTextFile(`${result.runDir}/all.json`)) + "\n");
  } catch (e) {
    io.err(`hf: cannot read '${result.runDir}/all.json': ${(e as Error).message}\n`);
  }
}

function printTable(
  result: RunResult,
  benchmark: Benchmark,
  io: Output,
  options: RunCommandOptions,
  tty: boolean,
): void {
  const color = tty && !noColor();
  let width: number | undefined;
  if (tty) {
    try {
      // A pseudo-terminal may not know its size (0): no wrapping then.
      const columns = Deno.consoleSize().columns;
      width = columns >= 40 ? columns : undefined;
    } catch {
      width = undefined;
    }
  }
  const shown = result.stats.filter((r) => options.warmup || !r.isWarmup);
  if (shown.length > 0) {
    io.out(formatStatsTable(result.stats, { warmup: options.warmup, color, width }));
  } else if (result.status !== "error") io.out("No statistics were recorded.\n");
  // Failures the table could not show: a phase without statistics, or a hidden warm-up phase.
  const listed = new Set(shown.map((r) => r.phase));
  const warmup = new Set(benchmark.phases.filter((p) => p.isWarmup).map((p) => p.name));
  for (const f of result.failures) {
    if (listed.has(f.phase)) continue;
    if (warmup.has(f.phase) && !options.warmup) continue;
    io.out(`${f.phase}${f.metric === null ? "" : `/${f.metric}`}: ${f.message}\n`);
  }
}

/** Prints how the run ended (stderr) and returns the exit code. */
function report(result: RunResult, io: Output): number {
  const where = `results in ${result.runDir}`;
  const describe = (e: RunResult["errors"][number]) => `${e.agent ? `${e.agent}: ` : ""}${e.msg}`;
  for (const e of result.errors) {
    if (describe(e) !== result.reason) io.err(`hf: error: ${describe(e)}\n`);
  }
  switch (result.status) {
    case "passed":
      io.err(`Run ${result.runId} passed; ${where}\n`);
      return EXIT_OK;
    case "failed": {
      const failedPhases = result.phases.filter((p) => p.failed).map((p) => `'${p.name}'`);
      const what = result.failures.length > 0
        ? plural(result.failures.length, "failure")
        : `failed phase${failedPhases.length === 1 ? "" : "s"} ${failedPhases.join(", ")}`;
      io.err(`Run ${result.runId} failed: ${what}; ${where}\n`);
      return EXIT_SLA_FAILED;
    }
    case "interrupted":
      io.err(`Run ${result.runId} was interrupted; ${where}\n`);
      return EXIT_INTERRUPTED;
    case "error":
      io.err(`hf: run ${result.runId} could not execute: ${result.reason ?? "unknown reason"}\n`);
      io.err(`Run ${result.runId}: ${where}\n`);
      return EXIT_RUN_FAILED;
  }
}
