/** The shell's command table, lookup by name or alias, and `help`. */
import { UsageError } from "../command_line.ts";
import type { ShellCommand } from "../context.ts";
import { BENCHMARK_COMMANDS } from "./benchmarks.ts";
import { CONTROLLER_COMMANDS } from "./controller.ts";
import { RESULT_COMMANDS } from "./results.ts";
import { RUN_COMMANDS } from "./runs.ts";

/** `help [command]`: built over the table it belongs to. */
function helpCommand(table: () => readonly ShellCommand[]): ShellCommand {
  return {
    name: "help",
    summary: "list the commands, or describe one",
    args: [{ name: "command", kind: "command", optional: true }],
    options: [],
    run(state, args) {
      const name = args.positionals[0];
      state.io.out(name === undefined ? listing(table()) : usage(findCommand(table(), name)));
      return Promise.resolve();
    },
  };
}

function listing(commands: readonly ShellCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return "Commands (help COMMAND for its options):\n" +
    commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}\n`).join("");
}

/** `run [NAME] [options]` and the options, one a line. */
export function usage(c: ShellCommand): string {
  const args = c.args.map((a) => (a.optional ? `[${a.name.toUpperCase()}]` : a.name.toUpperCase()));
  let out = `${[c.name, ...args].join(" ")}${c.options.length > 0 ? " [options]" : ""}\n`;
  out += `  ${c.summary}\n`;
  if (c.aliases?.length) out += `  Also: ${c.aliases.join(", ")}\n`;
  const flags = c.options.map((o) =>
    [o.short ? `-${o.short}, --${o.long}` : `--${o.long}`, o.value?.name ?? ""].join(" ").trim()
  );
  const width = Math.max(0, ...flags.map((f) => f.length));
  c.options.forEach((o, i) => (out += `  ${flags[i].padEnd(width)}  ${o.description}\n`));
  if (c.details) out += `${c.details}\n`;
  return out;
}

/** Every shell command, in the order `help` lists them. */
export function shellCommands(): readonly ShellCommand[] {
  const table: ShellCommand[] = [
    ...CONTROLLER_COMMANDS.filter((c) => c.name !== "exit"),
    ...BENCHMARK_COMMANDS,
    ...RUN_COMMANDS,
    ...RESULT_COMMANDS,
  ];
  table.push(helpCommand(() => table), ...CONTROLLER_COMMANDS.filter((c) => c.name === "exit"));
  return table;
}

/** The command called `name` (or an alias of it); a one-line error with a suggestion otherwise. */
export function findCommand(commands: readonly ShellCommand[], name: string): ShellCommand {
  const found = commands.find((c) => c.name === name || c.aliases?.includes(name));
  if (found) return found;
  const close = commands.map((c) => c.name).filter((n) =>
    n.startsWith(name.slice(0, 2)) || distance(n, name) <= 2
  );
  throw new UsageError(
    `Unknown command '${name}'${
      close.length > 0 ? ` (did you mean ${close.map((n) => `'${n}'`).join(" or ")}?)` : ""
    }: type 'help' for the list`,
  );
}

/** Edit distance, for suggestions. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}

/** Commands that work without a controller. */
export const OFFLINE_COMMANDS: ReadonlySet<string> = new Set([
  "connect",
  "start-local",
  "version",
  "help",
  "exit",
]);
