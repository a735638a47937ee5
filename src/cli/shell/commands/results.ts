/** Shell commands about results: stats, export, report, compare. */
import { formatStatsTable } from "../../../stats/stats_table.ts";
import { ShellError } from "../client.ts";
import { clientOf, runIdOf, type ShellCommand, type ShellState, stringOption } from "../context.ts";

const stats: ShellCommand = {
  name: "stats",
  summary: "the statistics table: recent (last 5 s) while running, total after",
  args: [{ name: "run", kind: "run", optional: true }],
  options: [
    { short: "t", long: "total", description: "the whole run, also while it runs" },
    { short: "w", long: "warmup", description: "include warm-up phases" },
  ],
  async run(state, args) {
    const client = clientOf(state);
    const id = runIdOf(state, args.positionals[0]);
    let which: "recent" | "total" = args.options.total === true ? "total" : "recent";
    let json = await client.stats(id, which);
    if (which === "recent" && json.status === "TERMINATED") {
      which = "total";
      json = await client.stats(id, which);
    }
    state.runId = id;
    const warmup = args.options.warmup === true;
    const shown = json.statistics.filter((r) => warmup || !r.isWarmup);
    const title = `${which === "total" ? "Total" : "Recent"} stats from run ${id}`;
    if (shown.length === 0) {
      state.io.out(`${title}: none yet (status ${json.status})\n`);
      return;
    }
    state.io.out(`${title}\n`);
    state.io.out(formatStatsTable(json.statistics, {
      warmup,
      color: state.color,
      width: state.width,
    }));
  },
};

async function targetDir(dir: string | undefined): Promise<string> {
  const path = dir ?? ".";
  try {
    await Deno.mkdir(path, { recursive: true });
  } catch (e) {
    throw new ShellError(
      `Cannot create the directory '${path}': ${e instanceof Error ? e.message : e}`,
    );
  }
  return path.replace(/\/+$/, "") || "/";
}

async function write(path: string, data: string | Uint8Array): Promise<void> {
  try {
    if (typeof data === "string") await Deno.writeTextFile(path, data);
    else await Deno.writeFile(path, data);
  } catch (e) {
    throw new ShellError(`Cannot write '${path}': ${e instanceof Error ? e.message : e}`);
  }
}

const DIR_OPTION = {
  short: "d",
  long: "dir",
  value: { name: "DIR", kind: "dir" as const },
  description: "where to write (default: the current directory)",
};

const exportCommand: ShellCommand = {
  name: "export",
  summary: "save a run's results: all.json (-f json) or its CSV files as a ZIP (-f csv)",
  args: [{ name: "run", kind: "run", optional: true }],
  options: [
    {
      short: "f",
      long: "format",
      value: { name: "FORMAT", choices: ["json", "csv", "JSON", "CSV"] },
      description: "json (default) or csv",
    },
    DIR_OPTION,
  ],
  async run(state, args) {
    const client = clientOf(state);
    const id = runIdOf(state, args.positionals[0]);
    const format = (stringOption(args, "format") ?? "json").toLowerCase();
    const dir = await targetDir(stringOption(args, "dir"));
    const path = `${dir}/${id}.${format === "csv" ? "zip" : "json"}`;
    await write(path, format === "csv" ? await client.allZip(id) : await client.allJson(id));
    state.io.out(`Exported run ${id} to ${path}\n`);
  },
};

const report: ShellCommand = {
  name: "report",
  summary: "save a run's HTML report",
  args: [{ name: "run", kind: "run", optional: true }],
  options: [DIR_OPTION],
  async run(state, args) {
    const client = clientOf(state);
    const id = runIdOf(state, args.positionals[0]);
    let html: string;
    try {
      html = await client.report(id);
    } catch (e) {
      if (e instanceof ShellError && e.status === 501) {
        throw new ShellError(`The controller cannot make HTML reports: ${e.message}`, 501);
      }
      throw e;
    }
    const path = `${await targetDir(stringOption(args, "dir"))}/${id}.html`;
    await write(path, html);
    state.io.out(`Report of run ${id} written to ${path}\n`);
  },
};

function parseJson(text: string, id: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ShellError(`The all.json of run ${id} is not valid JSON`);
  }
}

const compare: ShellCommand = {
  name: "compare",
  summary: "compare two runs: requests, mean and percentiles, with relative changes",
  args: [{ name: "run1", kind: "run" }, { name: "run2", kind: "run" }],
  options: [
    {
      long: "threshold",
      value: { name: "RATIO" },
      description: "mark changes larger than this (default 0.05)",
    },
    { short: "w", long: "warmup", description: "include warm-up phases" },
  ],
  async run(state: ShellState, args) {
    const client = clientOf(state);
    const [r1, r2] = args.positionals;
    const thresholdText = stringOption(args, "threshold");
    const threshold = thresholdText === undefined ? undefined : Number(thresholdText);
    if (threshold !== undefined && !(threshold >= 0)) {
      throw new ShellError(`Invalid --threshold '${thresholdText}': expected a number >= 0`);
    }
    const [a, b] = await Promise.all([client.allJson(r1), client.allJson(r2)]);
    const { compareRuns } = await import("../../../report/compare.ts");
    let text: string;
    try {
      text = compareRuns(parseJson(a, r1), parseJson(b, r2), {
        threshold,
        warmup: args.options.warmup === true,
      });
    } catch (e) {
      throw new ShellError(
        `Cannot compare runs ${r1} and ${r2}: ${e instanceof Error ? e.message : e}`,
      );
    }
    state.io.out(text.endsWith("\n") ? text : `${text}\n`);
  },
};

export const RESULT_COMMANDS: readonly ShellCommand[] = [stats, exportCommand, report, compare];
