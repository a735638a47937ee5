/**
 * `hf cli`: the interactive shell against a controller's REST API, or a
 * `-c` script of the same commands. Every failure is one line on stderr;
 * scripts stop at the first one with a non-zero exit code.
 * @module
 */
import { EXIT_INTERNAL, EXIT_INVALID, EXIT_OK, EXIT_RUN_FAILED } from "../exit_codes.ts";
import type { Output } from "../output.ts";
import { ShellError, UnreachableError } from "./client.ts";
import { parseArgs, splitCommands, splitWords, UsageError } from "./command_line.ts";
import { checkConnection } from "./commands/controller.ts";
import { findCommand, OFFLINE_COMMANDS, shellCommands } from "./commands/mod.ts";
import { complete, type CompletionSources } from "./completion.ts";
import type { ShellCommand, ShellState } from "./context.ts";
import { defaultHistoryPath, loadHistory } from "./history.ts";
import { readerSource } from "./keys.ts";
import { plainInput, type ShellInput, terminalInput } from "./terminal.ts";

export interface ShellOptions {
  io: Output;
  /** `-c`: commands separated by `;` or newlines, run in order; stops at the first failure. */
  script?: string;
  /** Where lines and answers come from; default stdin (line editor on a terminal). */
  input?: ShellInput;
  /** History file; default `$HF_HISTORY` or `~/.hf_history`; null keeps none. */
  historyPath?: string | null;
  /** Table width; default the terminal's when stdout is one. */
  width?: number;
  /** ANSI colors in tables; default when stdout is a terminal and NO_COLOR is unset. */
  color?: boolean;
}

function isTerminal(stream: { isTerminal(): boolean }): boolean {
  try {
    return stream.isTerminal();
  } catch {
    return false;
  }
}

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined;
  }
}

function terminalWidth(): number | undefined {
  if (!isTerminal(Deno.stdout)) return undefined;
  try {
    const columns = Deno.consoleSize().columns;
    return columns >= 40 ? columns : undefined;
  } catch {
    return undefined;
  }
}

/** Stdin as the shell reads it: the line editor on a terminal, plain lines elsewhere. */
export function stdinInput(io: Output): ShellInput {
  const source = readerSource((b) => Deno.stdin.read(b));
  return isTerminal(Deno.stdin)
    ? terminalInput(source, Deno.stdin, io.out)
    : plainInput(source, io.out);
}

/** Runs one command line; returns its exit code and prints any failure as one line. */
export async function executeLine(
  state: ShellState,
  commands: readonly ShellCommand[],
  line: string,
): Promise<number> {
  try {
    const words = splitWords(line).map((w) => w.text);
    if (words.length === 0) return EXIT_OK;
    const command = findCommand(commands, words[0]);
    const args = parseArgs(command.name, words.slice(1), command.options, command.args);
    if (!OFFLINE_COMMANDS.has(command.name)) await checkConnection(state);
    await command.run(state, args);
    return EXIT_OK;
  } catch (e) {
    if (e instanceof UnreachableError) state.lost = true;
    if (e instanceof UsageError) {
      state.io.err(`${e.message}\n`);
      return EXIT_INVALID;
    }
    if (e instanceof ShellError) {
      state.io.err(`${e.message}\n`);
      return EXIT_RUN_FAILED;
    }
    // A bug: still one line, the stack only when asked for.
    const what = e instanceof Error ? `${e.name}: ${e.message.split("\n")[0]}` : String(e);
    state.io.err(`Internal error: ${what} (a bug in hf; HF_DEBUG=1 shows where)\n`);
    if (env("HF_DEBUG") && e instanceof Error) state.io.err(`${e.stack}\n`);
    return EXIT_INTERNAL;
  }
}

function completionSources(state: ShellState, commands: readonly ShellCommand[]) {
  const sources: CompletionSources = {
    commands,
    benchmarks: async () => (await state.client?.benchmarks()) ?? [],
    runs: async () => ((await state.client?.runs()) ?? []).map((r) => r.id),
    agents: async () => ["controller", ...((await state.client?.agents()) ?? [])],
  };
  return sources;
}

function prompt(state: ShellState): string {
  return state.client === undefined ? "[hf]$ " : `[hf@${state.client.authority}]$ `;
}

/** Ctrl-C while a command runs: stop waiting for it (it may still finish in the background). */
function interruptible(run: Promise<number>, io: Output): Promise<number> {
  let onSignal: (() => void) | undefined;
  const interrupted = new Promise<number>((resolve) => {
    onSignal = () => {
      io.err("\nInterrupted\n");
      resolve(EXIT_RUN_FAILED);
    };
  });
  try {
    Deno.addSignalListener("SIGINT", onSignal!);
  } catch {
    return run; // no signals here (Windows without a console): Ctrl-C ends hf as usual
  }
  return Promise.race([run, interrupted]).finally(() =>
    Deno.removeSignalListener("SIGINT", onSignal!)
  );
}

/** Runs the shell until `exit`, end of input, or the script's end or first failure. */
export async function runShell(options: ShellOptions): Promise<number> {
  const io = options.io;
  const input = options.input ?? stdinInput(io);
  const state: ShellState = {
    io,
    input,
    width: options.width ?? terminalWidth(),
    color: options.color ?? (isTerminal(Deno.stdout) && env("NO_COLOR") === undefined),
    script: options.script !== undefined,
  };
  const commands = shellCommands();
  try {
    if (options.script !== undefined) {
      for (const line of splitCommands(options.script)) {
        const code = await executeLine(state, commands, line);
        if (code !== EXIT_OK) return code;
        if (state.exit) break;
      }
      return EXIT_OK;
    }
    const history = await loadHistory(
      options.historyPath === null ? undefined : options.historyPath ?? defaultHistoryPath(),
    );
    const sources = completionSources(state, commands);
    if (input.interactive) io.out("hf shell: type 'help' for the commands, 'exit' to leave\n");
    let code = EXIT_OK;
    while (!state.exit) {
      const line = await input.readCommand(prompt(state), {
        history: history.lines,
        complete: (l, cursor) => complete(l, cursor, sources),
        width: state.width,
      });
      if (line === null) break;
      if (input.interactive) await history.add(line);
      const run = executeLine(state, commands, line);
      code = input.interactive ? await interruptible(run, io) : await run;
    }
    return input.interactive ? EXIT_OK : code;
  } finally {
    if (state.local !== undefined) {
      io.err(`Stopping the local controller at ${state.local.url}\n`);
      await state.local.shutdown().catch(() => {});
    }
  }
}
