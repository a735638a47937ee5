/** `hf validate FILE... [--json] [-P NAME=VALUE]...`: check benchmarks, report every error. */
import type { Command } from "commander";
import { EXIT_INVALID, EXIT_OK } from "../exit_codes.ts";
import { errorCount, loadFile, plural } from "../load_file.ts";
import type { Output } from "../output.ts";
import { collectParam } from "../params.ts";

export interface ValidateOptions {
  /** Template parameters (`-P`). */
  params: Record<string, string>;
  /** Print the expanded model of the (single) file as JSON to stdout. */
  json?: boolean;
}

/** Adds the command to `program`; its exit code goes to `done`. */
export function addValidateCommand(
  program: Command,
  io: Output,
  done: (code: number) => void,
): void {
  program
    .command("validate")
    .description("check benchmark files and report every error")
    .argument("<file...>", "benchmark files (*.hf.yaml)")
    .option(
      "-P, --param <NAME=VALUE>",
      "set a template parameter (repeatable; -PNAME=VALUE works too)",
      collectParam,
    )
    .option("--json", "print the expanded model as JSON to stdout (a single file only)")
    .addHelpText("after", "\nExit status: 0 when every file is valid, 2 otherwise.")
    .action(async (files: string[], opts: { param?: Record<string, string>; json?: boolean }) => {
      done(await validate(files, io, { params: opts.param ?? {}, json: opts.json }));
    });
}

/** Validates each file in turn; 0 when all are valid, 2 otherwise. */
export async function validate(
  files: string[],
  io: Output,
  options: ValidateOptions,
): Promise<number> {
  if (options.json && files.length !== 1) {
    io.err(`hf: --json prints a single benchmark: expected one file, found ${files.length}\n`);
    return EXIT_INVALID;
  }
  // With --json, stdout carries only the JSON; the verdicts go to stderr.
  const verdict = options.json ? io.err : io.out;
  let code = EXIT_OK;
  for (const file of files) {
    const result = await loadFile(file, io, { params: options.params });
    if (result.benchmark === undefined) {
      const errors = errorCount(result);
      if (errors === 0) throw new Error(`The loader rejected '${file}' without reporting an error`);
      verdict(`${file}: ${plural(errors, "error")}\n`);
      code = EXIT_INVALID;
      continue;
    }
    verdict(`${file}: valid (${plural(result.benchmark.phases.length, "phase")})\n`);
    if (options.json) io.out(JSON.stringify(result.benchmark, null, 2) + "\n");
  }
  return code;
}
