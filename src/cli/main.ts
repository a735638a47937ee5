/**
 * The `hf` program: commander wiring, argument pre-processing and the
 * top-level handler that turns every outcome into an exit code.
 */
import { Command, CommanderError } from "commander";
import { addAgentCommand } from "./commands/agent.ts";
import { addCliCommand } from "./commands/cli.ts";
import { addCompareCommand } from "./commands/compare.ts";
import { addControllerCommand } from "./commands/controller.ts";
import { addExampleServerCommand } from "./commands/example_server.ts";
import { addInspectCommand } from "./commands/inspect.ts";
import { addReportCommand } from "./commands/report.ts";
import { addRunCommand } from "./commands/run.ts";
import { addValidateCommand } from "./commands/validate.ts";
import { addWrkCommands } from "./commands/wrk.ts";
import { EXIT_INTERNAL, EXIT_INVALID, EXIT_OK } from "./exit_codes.ts";
import { type Output, stdio } from "./output.ts";
import { splitGluedParams } from "./params.ts";
import { VERSION } from "./version.ts";

/** Runs `hf` with `args` (without the program name) and returns the exit code. */
export async function main(args: readonly string[], io: Output = stdio()): Promise<number> {
  let code = EXIT_OK;
  const program = buildProgram(io, (c) => (code = c));
  // Plain `hf` on a terminal opens the shell, as Hyperfoil's cli.sh; elsewhere it prints help.
  const argv = args.length === 0 && onTerminal() ? ["cli"] : args;
  try {
    await program.parseAsync(splitGluedParams(argv), { from: "user" });
    return code;
  } catch (e) {
    // Help and version end with exit code 0; usage errors were printed by commander.
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT_OK : EXIT_INVALID;
    io.err(`hf: internal error: ${describe(e)}\n`);
    if (debug()) io.err(`${e instanceof Error ? e.stack : ""}\n`);
    else io.err("hf: this is a bug in hf; set HF_DEBUG=1 to see where it happened\n");
    return EXIT_INTERNAL;
  }
}

/** The commander program; every command reports its exit code through `done`. */
export function buildProgram(io: Output, done: (code: number) => void): Command {
  // Settings are inherited by commands created with `.command()`, so set them first.
  const program = new Command("hf")
    .description(
      "A distributed HTTP load generator that runs Hyperfoil benchmarks (*.hf.yaml).",
    )
    .version(`hf ${VERSION}`, "-V, --version", "print the version")
    .helpOption("-h, --help", "print this help")
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      outputError: (s, write) => write(oneLine(s)),
    });
  addValidateCommand(program, io, done);
  addInspectCommand(program, io, done);
  addRunCommand(program, io, done);
  addExampleServerCommand(program, io, done);
  addWrkCommands(program, io, done);
  addAgentCommand(program, io, done);
  addControllerCommand(program, io, done);
  addCliCommand(program, io, done);
  addReportCommand(program, io, done);
  addCompareCommand(program, io, done);
  return program;
}

/** `error: unknown command 'x'\n(Did you mean y?)` → `hf: unknown command 'x' (did you mean y?)`. */
function oneLine(message: string): string {
  const text = message.trim().replace(/^error: /, "").replace(
    /\s*\n\s*\(Did you mean/,
    " (did you mean",
  )
    .replace(/\s*\n\s*/g, " ");
  return `hf: ${text}\n`;
}

function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message.split("\n")[0]}`;
  return String(e);
}

function onTerminal(): boolean {
  try {
    return Deno.stdin.isTerminal() && Deno.stdout.isTerminal();
  } catch {
    return false;
  }
}

function debug(): boolean {
  try {
    return !!Deno.env.get("HF_DEBUG");
  } catch {
    return false;
  }
}
