/** `hf report RUN_ID|RUN_DIR [-o FILE] [--root DIR] [-w]`: the self-contained HTML report of a run. */
import type { Command } from "commander";
import { defaultRoot } from "../../controller/run_store.ts";
import { EXIT_INVALID, EXIT_OK } from "../exit_codes.ts";
import type { Output } from "../output.ts";

export interface ReportCommandOptions {
  /** Where the page goes; `-` is stdout. Default `<run dir>/report.html`. */
  output?: string;
  /** Root of run ids; default `${HF_ROOT:-/tmp/hyperfoil}`. */
  root?: string;
  /** Include warm-up phases; default false. */
  warmup?: boolean;
}

/** Adds the command to `program`; its exit code goes to `done`. */
export function addReportCommand(
  program: Command,
  io: Output,
  done: (code: number) => void,
): void {
  program
    .command("report")
    .description("write a run's results as one self-contained HTML page (tables and charts)")
    .argument("<run>", "run id (under ROOT/run/), run directory or all.json file")
    .option(
      "-o, --output <file>",
      "where to write the page; - for stdout (default: RUN_DIR/report.html)",
    )
    .option("--root <dir>", "where runs are found by id (default: $HF_ROOT or /tmp/hyperfoil)")
    .option("-w, --warmup", "include warm-up phases")
    .addHelpText(
      "after",
      "\nThe page loads nothing from the network: open it anywhere, or print it." +
        "\n\nExit status: 0 written, 2 no such run, an unreadable all.json or an unwritable output.",
    )
    .action(async (run: string, opts: ReportCommandOptions) => {
      done(await writeReport(run, io, opts));
    });
}

/** Renders the report of `run` and writes it; 0 on success, 2 with a message otherwise. */
export async function writeReport(
  run: string,
  io: Output,
  options: ReportCommandOptions = {},
): Promise<number> {
  // The report code is only needed here: load it when the command runs, not at every start.
  const [{ loadRunForReport, RunLoadError }, { renderReport }, { RunDocumentError }] = await Promise
    .all([
      import("../../report/load_run.ts"),
      import("../../report/html.ts"),
      import("../../report/run_document.ts"),
    ]);
  try {
    const loaded = await loadRunForReport(run, options.root ?? defaultRoot());
    const html = renderReport(loaded.all, { warmup: options.warmup });
    if (options.output === "-") {
      io.out(html);
      return EXIT_OK;
    }
    const path = options.output ?? `${loaded.dir}/report.html`;
    try {
      await Deno.writeTextFile(path, html);
    } catch (e) {
      io.err(`hf: cannot write the report to '${path}': ${(e as Error).message}\n`);
      return EXIT_INVALID;
    }
    io.out(`Report of run ${loaded.doc.info.id} written to ${path}\n`);
    return EXIT_OK;
  } catch (e) {
    if (e instanceof RunLoadError || e instanceof RunDocumentError) {
      io.err(`hf: ${e.message}\n`);
      return EXIT_INVALID;
    }
    throw e;
  }
}
