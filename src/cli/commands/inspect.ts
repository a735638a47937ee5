/** `hf inspect FILE [-P NAME=VALUE]...`: print a benchmark as a readable tree. */
import type { Command } from "commander";
import { EXIT_INVALID, EXIT_OK } from "../exit_codes.ts";
import { inspectTree } from "../inspect_tree.ts";
import { errorCount, loadFile, plural } from "../load_file.ts";
import type { Output } from "../output.ts";
import { collectParam } from "../params.ts";

export interface InspectOptions {
  /** Template parameters (`-P`). */
  params: Record<string, string>;
}

/** Adds the command to `program`; its exit code goes to `done`. */
export function addInspectCommand(
  program: Command,
  io: Output,
  done: (code: number) => void,
): void {
  program
    .command("inspect")
    .description(
      "show a benchmark as a tree: targets, agents, phases in start order, sequences and steps",
    )
    .argument("<file>", "benchmark file (*.hf.yaml)")
    .option(
      "-P, --param <NAME=VALUE>",
      "set a template parameter (repeatable; -PNAME=VALUE works too)",
      collectParam,
    )
    .addHelpText("after", "\nExit status: 0 when the file is valid, 2 otherwise.")
    .action(async (file: string, opts: { param?: Record<string, string> }) => {
      done(await inspect(file, io, { params: opts.param ?? {} }));
    });
}

/** Prints the tree of a valid benchmark (0), or its errors (2). */
export async function inspect(file: string, io: Output, options: InspectOptions): Promise<number> {
  const result = await loadFile(file, io, { params: options.params });
  if (result.benchmark === undefined) {
    const errors = errorCount(result);
    if (errors === 0) throw new Error(`The loader rejected '${file}' without reporting an error`);
    io.err(`${file}: ${plural(errors, "error")}\n`);
    return EXIT_INVALID;
  }
  io.out(inspectTree(result.benchmark).join("\n") + "\n");
  return EXIT_OK;
}
