/**
 * `hf agent --controller HOST:PORT --name NAME --run ID [--threads N]`: one
 * agent of a distributed run, started by a deployer (a local subprocess, or
 * over SSH on another host). It dials the controller's bus, authenticates with
 * the run token (env `HF_TOKEN`, else the first line of stdin; never an
 * argument, which `ps` would show), then follows the controller until STOP.
 */
import { type Command, InvalidArgumentError } from "commander";
import { type AgentHandle, type CreateExecutor, startAgent } from "../../agent/agent.ts";
import type { AgentSide } from "../../bus/messages.ts";
import { dialBus } from "../../bus/tcp_transport.ts";
import { EXIT_INTERRUPTED, EXIT_INVALID, EXIT_OK, EXIT_RUN_FAILED } from "../exit_codes.ts";
import type { Output } from "../output.ts";
import { VERSION } from "../version.ts";
import { defaultEngine } from "../engine.ts";
import { onStopSignals } from "../interrupt.ts";

export interface AgentCommandOptions {
  /** The controller's bus address. */
  hostname: string;
  port: number;
  /** The agent's name in the benchmark. */
  name: string;
  runId: string;
  /** Threads announced in hello; default 1. */
  threads?: number;
}

/** What the command runs on; tests may replace parts of it. */
export interface AgentDependencies {
  /** Default: `HF_TOKEN`, else the first line of stdin. */
  token?: string;
  /** The engine; default `src/engine/create_executor.ts`. */
  createExecutor?: CreateExecutor;
  /** Connecting and the handshake, ms; default 10000. */
  connectTimeoutMs?: number;
}

/** Adds the command to `program`; its exit code goes to `done`. */
export function addAgentCommand(program: Command, io: Output, done: (code: number) => void): void {
  program
    .command("agent")
    .description("run one agent of a distributed run (deployers start it; not for direct use)")
    .requiredOption("--controller <host:port>", "the controller's bus address", parseAddress)
    .requiredOption("--name <name>", "the agent's name in the benchmark")
    .requiredOption("--run <id>", "the run's id")
    .option("--threads <n>", "threads to announce (the controller decides)", parseThreads, 1)
    .addHelpText(
      "after",
      "\nThe run token comes from the HF_TOKEN environment variable, else the first line" +
        "\nof standard input. Logs go to standard error." +
        "\nExit status: 0 after STOP or SIGTERM, 2 bad options or no token, 3 cannot connect," +
        "\nrefused or the controller was lost, 130 interrupted.",
    )
    .action(
      async (opts: {
        controller: { hostname: string; port: number };
        name: string;
        run: string;
        threads: number;
      }) => {
        done(
          await runAgent(io, {
            ...opts.controller,
            name: opts.name,
            runId: opts.run,
            threads: opts.threads,
          }),
        );
      },
    );
}

/** `HOST:PORT` or `[IPv6]:PORT`. */
export function parseAddress(value: string): { hostname: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (m === null || !(port >= 1 && port <= 65535)) {
    throw new InvalidArgumentError(`Invalid controller address '${value}': expected HOST:PORT`);
  }
  return { hostname: m[1] ?? m[2], port };
}

function parseThreads(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1)) {
    throw new InvalidArgumentError(`Invalid thread count '${value}': expected 1 or more`);
  }
  return n;
}

/** Runs the agent until the run ends; returns the exit code. */
export async function runAgent(
  io: Output,
  options: AgentCommandOptions,
  deps: AgentDependencies = {},
): Promise<number> {
  const log = (level: "info" | "warn" | "error", message: string) =>
    io.err(
      `${new Date().toISOString()} ${level.toUpperCase()} agent '${options.name}': ${message}\n`,
    );
  const fail = (message: string, code = EXIT_RUN_FAILED) => {
    io.err(`hf agent '${options.name}': ${message}\n`);
    return code;
  };
  const token = deps.token ?? await readToken();
  if (token === "") {
    return fail("No run token: set HF_TOKEN or write it as the first line of stdin", EXIT_INVALID);
  }
  const interrupt = new AbortController();
  let signalled: Deno.Signal | undefined;
  const signals = onStopSignals((sig) => {
    signalled ??= sig;
    interrupt.abort();
  });
  try {
    const where = `${options.hostname}:${options.port}`;
    log("info", `hf ${VERSION} (pid ${Deno.pid}) connecting to the controller at ${where}`);
    let bus: AgentSide;
    try {
      bus = await dialBus({
        hostname: options.hostname,
        port: options.port,
        runId: options.runId,
        agent: options.name,
        token,
        version: VERSION,
        signal: interrupt.signal,
        timeoutMs: deps.connectTimeoutMs,
        onLog: log,
      });
    } catch (e) {
      if (signalled !== undefined) return exitOnSignal(signalled, log);
      return fail(e instanceof Error ? e.message : String(e));
    }
    log("info", `Connected to the controller for run '${options.runId}'`);
    const watch = watched(bus);
    const createExecutor = deps.createExecutor ?? await defaultEngine();
    const agent: AgentHandle = startAgent({
      name: options.name,
      bus: watch.side,
      createExecutor,
      version: VERSION,
      threads: options.threads,
    });
    const onInterrupt = () => void agent.stop(`Stopped by ${signalled}`);
    interrupt.signal.addEventListener("abort", onInterrupt, { once: true });
    if (interrupt.signal.aborted) onInterrupt();
    await agent.stopped;
    interrupt.signal.removeEventListener("abort", onInterrupt);
    if (watch.state.stopReceived) {
      log("info", "Stopped by the controller");
      return EXIT_OK;
    }
    if (signalled !== undefined) return exitOnSignal(signalled, log);
    return fail(`Lost the controller: ${watch.state.peerClosed ?? watch.state.localClose}`);
  } finally {
    signals.remove();
  }
}

function exitOnSignal(sig: Deno.Signal, log: (l: "info", m: string) => void): number {
  log("info", `Stopped by ${sig}`);
  return sig === "SIGINT" ? EXIT_INTERRUPTED : EXIT_OK;
}

/** The bus as the agent uses it, noting how the connection ended (for the exit code). */
function watched(bus: AgentSide) {
  const state: { stopReceived: boolean; peerClosed?: string; localClose?: string } = {
    stopReceived: false,
  };
  const side: AgentSide = {
    send: (m) => bus.send(m),
    onMessage: (h) =>
      bus.onMessage((m) => {
        if (m.type === "stop") state.stopReceived = true;
        h(m);
      }),
    onClose: (h) =>
      bus.onClose((reason) => {
        if (state.localClose === undefined) state.peerClosed ??= reason;
        h(reason);
      }),
    close: (reason) => {
      state.localClose ??= reason ?? "Closed";
      bus.close(reason);
    },
  };
  return { side, state };
}

/** `HF_TOKEN` (then removed from the environment, so executors do not inherit it), else stdin's first line. */
async function readToken(): Promise<string> {
  const env = Deno.env.get("HF_TOKEN");
  if (env !== undefined && env.trim() !== "") {
    Deno.env.delete("HF_TOKEN");
    return env.trim();
  }
  // Byte by byte up to the newline: nothing after the token is consumed.
  const bytes: number[] = [];
  const one = new Uint8Array(1);
  for (;;) {
    const n = await Deno.stdin.read(one).catch(() => null);
    if (n === null || one[0] === 10 || bytes.length > 4096) break;
    if (n === 1) bytes.push(one[0]);
  }
  return new TextDecoder().decode(new Uint8Array(bytes)).trim();
}
