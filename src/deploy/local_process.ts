/**
 * The `local` deployer's subprocess mode: every agent is an `hf agent` child
 * process on this host that dials the controller's TCP bus, exactly as an
 * agent on another host does (only the way it is started differs from `ssh`).
 * Each agent gets its own token, passed in the child's environment.
 * @module
 */
import { fileURLToPath } from "node:url";
import type { ControllerSide } from "../bus/messages.ts";
import { type BusServer, newRunToken } from "../bus/tcp_transport.ts";
import { type DeployedAgent, type Deployer, DeployError, type DeployOptions } from "./deployer.ts";
import { HF_V8_FLAGS } from "../v8_flags.ts";

export interface LocalProcessDeployerOptions {
  /** The controller's bus; agents dial it on 127.0.0.1 (or its own address). */
  bus: BusServer;
  /** The controller's hf version (the bus refuses agents of another one); named in errors. */
  version: string;
  /** How to start hf; default {@link selfCommand}. `agent …` is appended. */
  command?: string[];
  /** When set, each agent's output is also written to `logDir/agent.NAME.log`. */
  logDir?: string;
  /** Extra environment of the agent processes. */
  env?: Record<string, string>;
  /** How long an agent has to start and connect, ms; default 30000. */
  connectTimeoutMs?: number;
  /** After SIGTERM, how long `stop()` waits before SIGKILL, ms; default 3000. */
  killGraceMs?: number;
}

/** How much of an agent's output is kept in memory for `log()`. */
const LOG_KEEP_CHARS = 1024 * 1024;
/** How much of it a deploy error quotes. */
const TAIL_CHARS = 2000;

/**
 * The command that starts this same hf: the binary itself when compiled, else
 * Deno running `cli.ts` from source.
 */
export function selfCommand(): string[] {
  const exe = Deno.execPath();
  const base = exe.split(/[\\/]/).pop() ?? "";
  const compiled = import.meta.url.includes("/deno-compile-") ||
    !/^deno(\.exe)?$/i.test(base) || !import.meta.url.startsWith("file:");
  if (compiled) return [exe];
  return [
    exe,
    "run",
    "-A",
    `--v8-flags=${HF_V8_FLAGS}`,
    fileURLToPath(new URL("../../cli.ts", import.meta.url)),
  ];
}

/** Starts each agent as an `hf agent` subprocess connected over `options.bus`. */
export function localProcessDeployer(options: LocalProcessDeployerOptions): Deployer {
  const running = new Set<AgentProcess>();
  let closed = false;
  const command = options.command ?? selfCommand();
  // An agent dials a concrete address: a wildcard listener is reachable on loopback.
  const host = ["0.0.0.0", "::", ""].includes(options.bus.hostname)
    ? "127.0.0.1"
    : options.bus.hostname;
  const controller = host.includes(":")
    ? `[${host}]:${options.bus.port}`
    : `${host}:${options.bus.port}`;

  async function deploy(name: string, deploy: DeployOptions): Promise<DeployedAgent> {
    if (closed) {
      throw new DeployError(name, `Cannot deploy agent '${name}': the deployer is closed`);
    }
    deploy.signal?.throwIfAborted();
    const token = newRunToken();
    const giveUp = new AbortController();
    const connected = options.bus.expect(deploy.runId, name, token, giveUp.signal);
    connected.catch(() => {}); // settled below, whichever way the race goes
    const args = [
      ...command.slice(1),
      "agent",
      "--controller",
      controller,
      "--name",
      name,
      "--run",
      deploy.runId,
      "--threads",
      String(deploy.threads),
    ];
    let proc: AgentProcess;
    try {
      proc = await startProcess(command[0], args, {
        env: { ...options.env, NO_COLOR: "1", HF_TOKEN: token },
        logFile: options.logDir === undefined ? undefined : `${options.logDir}/agent.${name}.log`,
        killGraceMs: options.killGraceMs ?? 3000,
      });
    } catch (e) {
      giveUp.abort();
      throw new DeployError(
        name,
        `Cannot start agent '${name}' with '${command[0]}': ${e instanceof Error ? e.message : e}`,
        { cause: e },
      );
    }
    running.add(proc);
    void proc.status.then(() => running.delete(proc));
    let bus: ControllerSide;
    try {
      bus = await firstOf(name, connected, proc, deploy.signal, options.connectTimeoutMs ?? 30_000);
    } catch (e) {
      giveUp.abort();
      await proc.terminate();
      throw e;
    }
    let stopping: Promise<void> | undefined;
    return {
      name,
      bus,
      stop: () =>
        stopping ??= proc.terminate().then(() => bus.close(`Agent '${name}' was stopped`)),
      log: () => Promise.resolve(proc.output()),
    };
  }

  return {
    name: "local",
    deploy,
    async close() {
      closed = true;
      await Promise.all([...running].map((p) => p.terminate()));
    },
  };
}

/** The agent's connection, or a DeployError for whatever comes first instead. */
async function firstOf(
  name: string,
  connected: Promise<ControllerSide>,
  proc: AgentProcess,
  signal: AbortSignal | undefined,
  timeoutMs: number,
): Promise<ControllerSide> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const failure = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new DeployError(
          name,
          `Agent '${name}' did not connect within ${timeoutMs} ms${quote(proc.output())}`,
        ),
      );
    }, timeoutMs);
    onAbort = () => reject(new DeployError(name, `Deploying agent '${name}' was aborted`));
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) onAbort();
    void proc.status.then(async (s) => {
      await proc.drained;
      const how = s.signal !== null ? `was killed by ${s.signal}` : `exited with code ${s.code}`;
      reject(
        new DeployError(name, `Agent '${name}' ${how} before connecting${quote(proc.output())}`),
      );
    });
  });
  failure.catch(() => {}); // it may still fire after the connection won
  try {
    return await Promise.race([connected, failure]);
  } catch (e) {
    if (e instanceof DeployError) throw e;
    throw new DeployError(name, `Agent '${name}' could not connect: ${(e as Error).message}`, {
      cause: e,
    });
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
  }
}

function quote(output: string): string {
  const tail = output.trimEnd().slice(-TAIL_CHARS);
  return tail === "" ? " (no output)" : `; its output ends with:\n${tail}`;
}

/** A child process whose output is collected; see {@link startProcess}. */
interface AgentProcess {
  readonly status: Promise<Deno.CommandStatus>;
  /** Resolves once stdout and stderr reached their end and the log file is closed. */
  readonly drained: Promise<void>;
  /** What it wrote so far (the last MiB). */
  output(): string;
  /** SIGTERM, SIGKILL after the grace period; resolves once it exited and was drained. */
  terminate(): Promise<void>;
}

async function startProcess(
  exe: string,
  args: string[],
  options: { env: Record<string, string>; logFile?: string; killGraceMs: number },
): Promise<AgentProcess> {
  const file = options.logFile === undefined
    ? undefined
    : await Deno.open(options.logFile, { write: true, create: true, truncate: true });
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(exe, {
      args,
      env: options.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    file?.close();
    throw e;
  }
  let text = "";
  let fileWrites = Promise.resolve();
  const sink = (chunk: string, bytes: Uint8Array) => {
    text = (text + chunk).slice(-LOG_KEEP_CHARS);
    if (file !== undefined) {
      const copy = bytes.slice();
      fileWrites = fileWrites.then(async () => {
        for (let at = 0; at < copy.length;) at += await file.write(copy.subarray(at));
      }).catch(() => {}); // a full disk must not stop the agent
    }
  };
  const drained = Promise.all([pump(child.stdout, sink), pump(child.stderr, sink)]).then(
    async () => {
      await fileWrites;
      file?.close();
    },
  );
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  let terminating: Promise<void> | undefined;
  const signal = (sig: Deno.Signal) => {
    if (exited) return;
    try {
      child.kill(sig);
    } catch {
      // It exited in between.
    }
  };
  return {
    status,
    drained,
    output: () => text,
    terminate: () =>
      terminating ??= (async () => {
        signal("SIGTERM");
        // A stopped process (SIGSTOP, a frozen agent) acts on TERM only once continued.
        signal("SIGCONT");
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          status,
          new Promise<void>((r) => (timer = setTimeout(r, options.killGraceMs))),
        ]);
        clearTimeout(timer);
        signal("SIGKILL");
        await status;
        await drained;
      })(),
  };
}

async function pump(
  stream: ReadableStream<Uint8Array>,
  sink: (text: string, bytes: Uint8Array) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  try {
    for await (const bytes of stream) sink(decoder.decode(bytes, { stream: true }), bytes);
  } catch {
    // The pipe broke with the process: what came is kept.
  }
}
