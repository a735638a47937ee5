/** `hf compare RUN_A RUN_B [--root DIR] [--threshold 0.05] [-w]`: two runs' results side by side. */
import { type Command, InvalidArgumentError } from "commander";
import { defaultRoot } from "../../controller/run_store.ts";
import { EXIT_INVALID, EXIT_OK } from "../exit_codes.ts";
import type { Output } from "../output.ts";

export interface CompareCommandOptions {
  /** Root of run ids; default `${HF_ROOT:-/tmp/hyperfoil}`. */
  root?: string;
  /** Relative change that gets marked; default 0.05. */
  threshold?: number;
  /** Include warm-up phases; default false. */
  warmup?: boolean;
}

/** `0.05` or `5%` → 0.05. */
export function parseThreshold(text: string): number {
  const m = /^\s*([0-9]*\.?[0-9]+)\s*(%?)\s*$/.exec(text);
  if (m === null) {
    throw new InvalidArgumentError(`expected a fraction like 0.05 or a percentage like 5%`);
  }
  return Number(m[1]) / (m[2] === "%" ? 100 : 1);
}

/** Adds the command to `program`; its exit code goes to `done`. */
export function addCompareCommand(
  program: Command,
  io: Output,
  done: (code: number) => void,
): void {
  program
    .command("compare")
    .description("compare two runs: requests, errors, mean and percentiles per phase and metric")
    .argument("<runA>", "the baseline: run id (under ROOT/run/), run directory or all.json file")
    .argument("<runB>", "the run compared with it")
    .option("--root <dir>", "where runs are found by id (default: $HF_ROOT or /tmp/hyperfoil)")
    .option(
      "--threshold <fraction>",
      "mark changes beyond this relative size, e.g. 0.05 or 5% (default: 0.05)",
      parseThreshold,
    )
    .option("-w, --warmup", "include warm-up phases")
    .addHelpText("after", "\nExit status: 0 compared, 2 a run is missing or unreadable.")
    .action(async (a: string, b: string, opts: CompareCommandOptions) => {
      done(await compareCommand(a, b, io, opts));
    });
}

/** Prints the comparison of runs `a` and `b`; 0 on success, 2 with a message otherwise. */
export async function compareCommand(
  a: string,
  b: string,
  io: Output,
  options: CompareCommandOptions = {},
): Promise<number> {
  const [{ loadRunForReport, RunLoadError }, { compareRuns }, { RunDocumentError }] = await Promise
    .all([
      import("../../report/load_run.ts"),
      import("../../report/compare.ts"),
      import("../../report/run_document.ts"),
    ]);
  const root = options.root ?? defaultRoot();
  try {
    const [ra, rb] = [await loadRunForReport(a, root), await loadRunForReport(b, root)];
    io.out(compareRuns(ra.all, rb.all, { threshold: options.threshold, warmup: options.warmup }));
    return EXIT_OK;
  } catch (e) {
    if (e instanceof RunLoadError || e instanceof RunDocumentError) {
      io.err(`hf: ${e.message}\n`);
      return EXIT_INVALID;
    }
    throw e;
  }
}
