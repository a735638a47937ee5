/**
 * What shell commands work with: the session state (connection, current
 * benchmark and run), the user's terminal, and the command table types.
 * @module
 */
import type { Output } from "../output.ts";
import { type Client, ShellError } from "./client.ts";
import type { ArgSpec, OptionSpec, ParsedArgs } from "./command_line.ts";

/** What the user can be asked while a command runs. */
export interface UserInput {
  /** True when keys arrive one by one (a terminal): `run` can be left with Enter. */
  readonly interactive: boolean;
  /** Asks one line; `secret` does not echo. Undefined at end of input. */
  ask(question: string, options?: { secret?: boolean }): Promise<string | undefined>;
  /** Resolves true when the user pressed Enter (or Ctrl-C) within `ms`, false otherwise. */
  keyWithin(ms: number): Promise<boolean>;
  /** Hands the terminal to a child (an editor) and takes it back. */
  suspend<T>(f: () => Promise<T>): Promise<T>;
}

/** Something to stop when the shell exits (a controller started with `start-local`). */
export interface LocalController {
  readonly url: string;
  readonly root: string;
  shutdown(): Promise<void>;
}

/** The state of one shell session; commands read and update it. */
export interface ShellState {
  readonly io: Output;
  readonly input: UserInput;
  /** Terminal width for tables; undefined: never wrap. */
  readonly width?: number;
  /** ANSI colors in tables. */
  readonly color: boolean;
  /** The `-c` script: `run` waits for the end without waiting for Enter. */
  readonly script: boolean;
  client?: Client;
  /** `deploymentId` of the controller when it was last reached: a new one means it restarted. */
  deploymentId?: string;
  /** The last command found the controller unreachable. */
  lost?: boolean;
  benchmark?: string;
  runId?: string;
  local?: LocalController;
  /** Set by `exit`. */
  exit?: boolean;
}

export interface ShellCommand {
  name: string;
  aliases?: readonly string[];
  /** One line for `help`. */
  summary: string;
  args: readonly ArgSpec[];
  options: readonly OptionSpec[];
  /** Longer help text after the usage line. */
  details?: string;
  run(state: ShellState, args: ParsedArgs): Promise<void>;
}

/** The connection, or the one-line error every command gives without one. */
export function clientOf(state: ShellState): Client {
  if (state.client === undefined) {
    throw new ShellError("Not connected: use 'connect [HOST[:PORT]]' or 'start-local'");
  }
  return state.client;
}

/** The run named by the argument, else the current one. */
export function runIdOf(state: ShellState, given: string | undefined): string {
  const id = given ?? state.runId;
  if (id === undefined) {
    throw new ShellError("No current run: give a run id or start one with 'run'");
  }
  return id;
}

/** The benchmark named by the argument, else the current one. */
export function benchmarkOf(state: ShellState, given: string | undefined): string {
  const name = given ?? state.benchmark;
  if (name === undefined) {
    throw new ShellError("No current benchmark: give its name or 'upload' one");
  }
  return name;
}

/** `-P NAME=VALUE`, as `run` and `inspect` take it. */
export const PARAM_OPTION: OptionSpec = {
  short: "P",
  long: "param",
  value: { name: "NAME=VALUE", repeatable: true },
  description: "template parameter",
};

export const stringOption = (args: ParsedArgs, name: string): string | undefined => {
  const v = args.options[name];
  return typeof v === "string" ? v : undefined;
};

export const listOption = (args: ParsedArgs, name: string): string[] => {
  const v = args.options[name];
  return Array.isArray(v) ? v : [];
};

/** Left-aligned columns, two spaces apart, a header line first. */
export function formatTable(header: readonly string[], rows: readonly string[][]): string {
  const width = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(width[i]))).join("  ").trimEnd() +
    "\n";
  return line(header) + rows.map(line).join("");
}
