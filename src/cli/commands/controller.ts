/**
 * `hf controller [--host 127.0.0.1] [--port 8090] [--bus-port 0] [--root DIR]
 * [--password P] [--tls-cert F --tls-key F] [--accept-new-host-keys]`: the
 * controller with its REST API (Hyperfoil's paths), until Ctrl-C or
 * `GET /shutdown`. Benchmarks without `agents` run in this process; those
 * with `agents` are deployed over SSH and dial back to the bus.
 */
import type { Command } from "commander";
import type { CreateExecutor } from "../../agent/agent.ts";
import type { BusServer } from "../../bus/tcp_transport.ts";
import type { ControllerServer } from "../../controller/rest/server.ts";
import { defaultRoot } from "../../controller/run_store.ts";
import { EXIT_INTERRUPTED, EXIT_INVALID, EXIT_OK, EXIT_RUN_FAILED } from "../exit_codes.ts";
import type { Output } from "../output.ts";
import { VERSION } from "../version.ts";
import { parsePort } from "../params.ts";
import { defaultEngine } from "../engine.ts";
import { onStopSignals } from "../interrupt.ts";

export interface ControllerCommandOptions {
  /** Address of the REST API and the bus; default 127.0.0.1. */
  hostname: string;
  /** REST port; 0 picks a free one. */
  port: number;
  /** Port agents dial; 0 picks a free one. */
  busPort: number;
  /** Default `${HF_ROOT:-/tmp/hyperfoil}`. */
  root?: string;
  /** Basic authentication; default `HF_PASSWORD`. */
  password?: string;
  tlsCert?: string;
  tlsKey?: string;
  /** Record unknown SSH host keys of agent hosts instead of refusing them. */
  acceptNewHostKeys?: boolean;
  /** Stops the controller when it aborts (in addition to SIGINT and SIGTERM). */
  signal?: AbortSignal;
  /** The engine; default `src/engine/create_executor.ts`, loaded when the controller starts. */
  createExecutor?: CreateExecutor;
}

/** Adds the command to `program`; its exit code goes to `done`. */
export function addControllerCommand(
  program: Command,
  io: Output,
  done: (code: number) => void,
): void {
  program
    .command("controller")
    .description("run the controller: Hyperfoil's REST API, runs in this process or on agents")
    .option("--host <address>", "address of the REST API and the agents' bus", "127.0.0.1")
    .option("--port <port>", "REST API port (0 picks a free one)", parsePort, 8090)
    .option("--bus-port <port>", "port agents connect to (0 picks a free one)", parsePort, 0)
    .option("--root <dir>", "benchmarks and runs (default: $HF_ROOT or /tmp/hyperfoil)")
    .option("--password <password>", "require basic authentication (default: $HF_PASSWORD)")
    .option("--tls-cert <file>", "serve HTTPS with this PEM certificate (needs --tls-key)")
    .option("--tls-key <file>", "the PEM private key of --tls-cert")
    .option("--accept-new-host-keys", "record unknown SSH host keys of agent hosts")
    .addHelpText(
      "after",
      "\nIt prints 'hf controller listening on URL' and serves until Ctrl-C or GET /shutdown." +
        "\nBenchmarks go to ROOT/benchmark/, runs to ROOT/run/ID/, the log to ROOT/controller.log." +
        "\nExit status: 0 after a clean stop, 2 bad options, 3 when it cannot listen.",
    )
    .action(
      async (opts: {
        host: string;
        port: number;
        busPort: number;
        root?: string;
        password?: string;
        tlsCert?: string;
        tlsKey?: string;
        acceptNewHostKeys?: boolean;
      }) => {
        done(
          await runController(io, {
            hostname: opts.host,
            port: opts.port,
            busPort: opts.busPort,
            root: opts.root,
            password: opts.password ?? envPassword(),
            tlsCert: opts.tlsCert,
            tlsKey: opts.tlsKey,
            acceptNewHostKeys: opts.acceptNewHostKeys,
          }),
        );
      },
    );
}

function envPassword(): string | undefined {
  try {
    return Deno.env.get("HF_PASSWORD") || undefined;
  } catch {
    return undefined;
  }
}

function describe(e: unknown): string {
  if (e instanceof Deno.errors.AddrInUse) return "address already in use";
  if (e instanceof Deno.errors.PermissionDenied) return "permission denied";
  return e instanceof Error ? e.message : String(e);
}

/** SIGINT and SIGTERM call `onSignal`; `remove()` restores the default behaviour. */

/** The address agents dial: the bus's own unless it listens on every interface. */
function busAddress(bus: BusServer): string {
  let host = bus.hostname;
  if (host === "0.0.0.0" || host === "::") host = Deno.hostname();
  return `${host.includes(":") ? `[${host}]` : host}:${bus.port}`;
}

/** Serves until a signal, `/shutdown` or `options.signal`; returns the exit code. */
export async function runController(
  io: Output,
  options: ControllerCommandOptions,
): Promise<number> {
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) {
    io.err("hf: --tls-cert and --tls-key go together\n");
    return EXIT_INVALID;
  }
  const log = (e: { agent?: string; level: string; message: string }) =>
    io.err(`hf controller: ${e.level}${e.agent ? ` (agent '${e.agent}')` : ""}: ${e.message}\n`);
  // Loaded here, not at start-up: every hf command would pay for ssh2 and the REST server.
  const [{ listenBus }, { startControllerServer }, { sshDeployer }] = await Promise.all([
    import("../../bus/tcp_transport.ts"),
    import("../../controller/rest/server.ts"),
    import("../../deploy/ssh.ts"),
  ]);
  let bus: BusServer;
  try {
    bus = listenBus({
      hostname: options.hostname,
      port: options.busPort,
      version: VERSION,
      onLog: (level, message) => log({ level, message }),
    });
  } catch (e) {
    io.err(`hf: cannot listen on ${options.hostname}:${options.busPort} (bus): ${describe(e)}\n`);
    return EXIT_RUN_FAILED;
  }
  const controllerAddress = busAddress(bus);
  let server: ControllerServer;
  try {
    server = await startControllerServer({
      hostname: options.hostname,
      port: options.port,
      root: options.root ?? defaultRoot(),
      password: options.password,
      tls: options.tlsCert !== undefined && options.tlsKey !== undefined
        ? { certFile: options.tlsCert, keyFile: options.tlsKey }
        : undefined,
      version: VERSION,
      createExecutor: options.createExecutor ?? await defaultEngine(),
      remoteDeployer: () =>
        sshDeployer({
          bus,
          controllerAddress,
          version: VERSION,
          acceptNewHostKeys: options.acceptNewHostKeys,
          onLog: (level, message) => log({ level, message }),
        }),
      // The console gets what needs attention; every line is in ROOT/controller.log.
      onLog: (e) => {
        if (e.level !== "info") log(e);
      },
    });
  } catch (e) {
    await bus.close();
    io.err(
      e instanceof Deno.errors.AddrInUse || e instanceof Deno.errors.PermissionDenied
        ? `hf: cannot listen on ${options.hostname}:${options.port}: ${describe(e)}\n`
        : `hf: the controller cannot start: ${describe(e)}\n`,
    );
    return EXIT_RUN_FAILED;
  }
  io.out(`hf controller listening on ${server.url}\n`);
  io.err(`hf controller: agents connect to ${controllerAddress}\n`);
  const stop = () => void server.shutdown();
  let signalled = false;
  const signals = onStopSignals(() => {
    if (signalled) {
      io.err("\nhf controller: interrupted again, exiting without waiting\n");
      Deno.exit(EXIT_INTERRUPTED);
    }
    signalled = true;
    io.err("\nhf controller: stopping (a run under way is killed and written first)\n");
    stop();
  });
  options.signal?.addEventListener("abort", stop, { once: true });
  if (options.signal?.aborted) stop();
  try {
    await server.finished;
  } finally {
    signals.remove();
    options.signal?.removeEventListener("abort", stop);
    await bus.close();
  }
  io.err("hf controller stopped\n");
  return EXIT_OK;
}
