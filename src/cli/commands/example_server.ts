/**
 * `hf example-server [--port 8080] [--host 127.0.0.1] [--stop-on-stdin-close]`:
 * runs the built-in workload server until Ctrl-C (or stdin closes).
 */
import type { Command } from "commander";
import { startExampleServer } from "../../example_server/mod.ts";
import { EXIT_OK, EXIT_RUN_FAILED } from "../exit_codes.ts";
import type { Output } from "../output.ts";
import { parsePort } from "../params.ts";
import { onStopSignals } from "../interrupt.ts";

export interface ExampleServerCommandOptions {
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** Address to listen on. */
  hostname: string;
  /** Stop when standard input reaches its end (for tests and Makefiles). */
  stopOnStdinClose?: boolean;
  /** Stops the server when it aborts (in addition to SIGINT and SIGTERM). */
  signal?: AbortSignal;
}

/** Adds the command to `program`; its exit code goes to `done`. */
export function addExampleServerCommand(
  program: Command,
  io: Output,
  done: (code: number) => void,
): void {
  program
    .command("example-server")
    .description(
      "run the built-in example server: the target of benchmarks/quickstart.hf.yaml and the tests",
    )
    .option("--port <port>", "port to listen on (0 picks a free one)", parsePort, 8080)
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option("--stop-on-stdin-close", "stop when standard input closes")
    .addHelpText(
      "after",
      "\nIt prints 'hf example-server listening on URL' and serves until Ctrl-C." +
        "\nRoutes: /, /hello, /json, /html, /delay?ms=N, /status/NNN, /bytes/N, /redirect?to=URL," +
        "\n/redirect/N, /echo, /chunked, /gzip, /cookie/set, /cookie/check, /quickstarts/…," +
        "\nand /admin/stats, /admin/reset, /admin/stall?ms=M&after=A for tests." +
        "\nExit status: 0 after a clean stop, 3 when it cannot listen.",
    )
    .action(async (opts: { port: number; host: string; stopOnStdinClose?: boolean }) => {
      done(
        await runExampleServer(io, {
          port: opts.port,
          hostname: opts.host,
          stopOnStdinClose: opts.stopOnStdinClose,
        }),
      );
    });
}

/** Serves until a signal, the end of stdin (when asked) or `options.signal`; returns the exit code. */
export async function runExampleServer(
  io: Output,
  options: ExampleServerCommandOptions,
): Promise<number> {
  const stop = new AbortController();
  const signals = onStopSignals(() => stop.abort());
  try {
    let server;
    try {
      server = startExampleServer({
        port: options.port,
        hostname: options.hostname,
        signal: options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal,
        onError: (e) => io.err(`hf example-server: route failed: ${describe(e)}\n`),
      });
    } catch (e) {
      io.err(`hf: cannot listen on ${options.hostname}:${options.port}: ${describe(e)}\n`);
      return EXIT_RUN_FAILED;
    }
    io.out(`hf example-server listening on ${server.url}\n`);
    if (options.stopOnStdinClose) void untilStdinCloses(stop.signal).then(() => stop.abort());
    await server.finished;
    const { requests } = server.stats();
    io.err(`hf example-server stopped after ${requests} request${requests === 1 ? "" : "s"}\n`);
    return EXIT_OK;
  } finally {
    stop.abort();
    signals.remove();
  }
}

/** Resolves when stdin reaches its end (or fails), or when `signal` aborts. */
async function untilStdinCloses(signal: AbortSignal): Promise<void> {
  const reader = Deno.stdin.readable.getReader();
  const cancel = () => void reader.cancel().catch(() => {});
  signal.addEventListener("abort", cancel, { once: true });
  try {
    while (!(await reader.read()).done);
  } catch {
    // An unreadable stdin counts as closed.
  } finally {
    signal.removeEventListener("abort", cancel);
    reader.releaseLock();
  }
}

function describe(e: unknown): string {
  if (e instanceof Deno.errors.AddrInUse) return "address already in use";
  if (e instanceof Deno.errors.PermissionDenied) return "permission denied";
  return e instanceof Error ? e.message : String(e);
}
