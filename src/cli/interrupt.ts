/** Ctrl-C for commands that run benchmarks: once stops gracefully, twice exits at once. */
import { EXIT_INTERRUPTED } from "./exit_codes.ts";
import type { Output } from "./output.ts";

/**
 * Listens for SIGINT until disposed. The first Ctrl-C aborts the returned
 * signal (the run terminates its phases and reports); the second exits now.
 * `what` names what the first one stops, e.g. "terminating phases".
 */
export function interruptOnSigint(
  io: Output,
  what: string,
): { signal: AbortSignal; [Symbol.dispose](): void } {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) {
      io.err("\nhf: interrupted again, exiting without waiting\n");
      Deno.exit(EXIT_INTERRUPTED);
    }
    io.err(`\nhf: interrupted: ${what} (Ctrl-C again to exit at once)\n`);
    controller.abort();
  };
  let listening = false;
  try {
    Deno.addSignalListener("SIGINT", onSigint);
    listening = true;
  } catch {
    // No signals here (a test worker, an unsupported platform): Ctrl-C just kills us.
  }
  return {
    signal: controller.signal,
    [Symbol.dispose]() {
      if (listening) Deno.removeSignalListener("SIGINT", onSigint);
    },
  };
}

/** SIGINT and SIGTERM call `onSignal` (for servers and agents); `remove()` restores the default. */
export function onStopSignals(onSignal: (sig: Deno.Signal) => void): { remove(): void } {
  const added: [Deno.Signal, () => void][] = [];
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    const handler = () => onSignal(sig);
    try {
      Deno.addSignalListener(sig, handler);
      added.push([sig, handler]);
    } catch {
      // Not available here (Windows SIGTERM, a test Worker).
    }
  }
  return { remove: () => added.forEach(([sig, h]) => Deno.removeSignalListener(sig, h)) };
}
