/** Shell commands about benchmarks: upload, info, inspect, edit, forget. */
import { dirname } from "node:path";
import type { Benchmark } from "../../../benchmark/model.ts";
import { ShellError, type UploadFile } from "../client.ts";
import { keyValues } from "../command_line.ts";
import {
  benchmarkOf,
  clientOf,
  listOption,
  PARAM_OPTION,
  type ShellCommand,
  type ShellState,
  stringOption,
} from "../context.ts";

function describe(e: unknown): string {
  if (e instanceof Deno.errors.NotFound) return "no such file";
  if (e instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (e instanceof Deno.errors.IsADirectory) return "is a directory";
  return e instanceof Error ? e.message : String(e);
}

async function readText(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    throw new ShellError(`Cannot read '${path}': ${describe(e)}`);
  }
}

/**
 * The data files the benchmark reads, found by loading it here with a reader
 * that records what it was asked for (Hyperfoil's CLI sends them the same way).
 */
async function referencedFiles(source: string, file: string): Promise<UploadFile[]> {
  const { parseBenchmark } = await import("../../../benchmark/load.ts");
  const baseDir = dirname(file);
  const found = new Map<string, Uint8Array>();
  try {
    parseBenchmark(source, {
      file,
      baseDir,
      readFile(path) {
        try {
          const data = Deno.readFileSync(path.startsWith("/") ? path : `${baseDir}/${path}`);
          found.set(path, data);
          return data;
        } catch {
          return undefined;
        }
      },
    });
  } catch {
    // A benchmark the loader cannot read here is still sent: the controller says what is wrong.
  }
  return [...found].map(([name, data]) => ({ name, data }));
}

const upload: ShellCommand = {
  name: "upload",
  summary: "upload a benchmark file (and the data files it reads) to the controller",
  args: [{ name: "file", kind: "file" }],
  options: [
    {
      short: "f",
      long: "files",
      value: { name: "FILE[,FILE]", kind: "file", repeatable: true },
      description: "extra data files to send with it",
    },
  ],
  async run(state, args) {
    const client = clientOf(state);
    const file = args.positionals[0];
    const source = await readText(file);
    const files = await referencedFiles(source, file);
    for (const extra of listOption(args, "files").flatMap((f) => f.split(","))) {
      if (extra === "") continue;
      let data: Uint8Array;
      try {
        data = await Deno.readFile(extra);
      } catch (e) {
        throw new ShellError(`Cannot read '${extra}': ${describe(e)}`);
      }
      const name = extra.replace(/^.*\//, "");
      if (!files.some((f) => f.name === extra || f.name === name)) files.push({ name, data });
    }
    const name = await client.upload(source, { fileName: file.replace(/^.*\//, ""), files });
    state.benchmark = name;
    const extra = files.length > 0
      ? ` with ${files.length} data file${files.length === 1 ? "" : "s"}`
      : "";
    state.io.out(`Uploaded benchmark ${name}${extra}\n`);
  },
};

const info: ShellCommand = {
  name: "info",
  summary: "print the source of a benchmark",
  args: [{ name: "name", kind: "benchmark", optional: true }],
  options: [],
  async run(state, args) {
    const name = benchmarkOf(state, args.positionals[0]);
    const { source } = await clientOf(state).benchmarkSource(name);
    state.benchmark = name;
    state.io.out(source.endsWith("\n") ? source : `${source}\n`);
  },
};

const inspect: ShellCommand = {
  name: "inspect",
  summary: "show a benchmark's structure: targets, agents, phases and their steps",
  args: [{ name: "name", kind: "benchmark", optional: true }],
  options: [
    PARAM_OPTION,
  ],
  async run(state, args) {
    const name = benchmarkOf(state, args.positionals[0]);
    const params = keyValues(listOption(args, "param"), "template parameter");
    const model = await clientOf(state).benchmarkModel(name, params) as Benchmark;
    const { inspectTree } = await import("../../inspect_tree.ts");
    state.benchmark = name;
    try {
      state.io.out(inspectTree(model).join("\n") + "\n");
    } catch {
      // A controller of another version may send a model this tree does not know: show it raw.
      state.io.out(JSON.stringify(model, null, 2) + "\n");
    }
  },
};

function editorCommand(given: string | undefined): string[] {
  let editor = given;
  try {
    editor ??= Deno.env.get("VISUAL") || Deno.env.get("EDITOR") || undefined;
  } catch {
    // No env permission: fall back to vi.
  }
  return (editor ?? "vi").split(/\s+/).filter((w) => w !== "");
}

async function runEditor(state: ShellState, command: string[], file: string): Promise<void> {
  const status = await state.input.suspend(async () => {
    try {
      return await new Deno.Command(command[0], {
        args: [...command.slice(1), file],
        stdin: "inherit",
        stdout: "inherit",
        stderr: "inherit",
      }).output();
    } catch (e) {
      throw new ShellError(`Cannot run the editor '${command[0]}': ${describe(e)}`);
    }
  });
  if (!status.success) throw new ShellError(`The editor '${command[0]}' failed; nothing uploaded`);
}

const edit: ShellCommand = {
  name: "edit",
  summary: "edit a benchmark's source in $EDITOR, then upload it again",
  args: [{ name: "name", kind: "benchmark", optional: true }],
  options: [{
    short: "e",
    long: "editor",
    value: { name: "COMMAND" },
    description: "editor (default $VISUAL, $EDITOR, vi)",
  }],
  async run(state, args) {
    const client = clientOf(state);
    const name = benchmarkOf(state, args.positionals[0]);
    const { source, version } = await client.benchmarkSource(name);
    const dir = await Deno.makeTempDir({ prefix: "hf-edit-" });
    try {
      const file = `${dir}/${name.replace(/[/\\]/g, "_")}.hf.yaml`;
      await Deno.writeTextFile(file, source);
      await runEditor(state, editorCommand(stringOption(args, "editor")), file);
      const edited = await readText(file);
      if (edited === source) {
        state.io.out(`No changes to benchmark ${name}\n`);
        return;
      }
      const saved = await client.upload(edited, {
        fileName: `${name}.hf.yaml`,
        ifMatch: version,
      }).catch((e) => {
        if (e instanceof ShellError && e.status === 409) {
          throw new ShellError(
            `Benchmark ${name} changed on the controller meanwhile; your edit was not uploaded`,
          );
        }
        throw e;
      });
      state.benchmark = saved;
      state.io.out(`Uploaded benchmark ${saved}\n`);
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
};

const forget: ShellCommand = {
  name: "forget",
  summary: "delete a benchmark from the controller",
  args: [{ name: "name", kind: "benchmark", optional: true }],
  options: [],
  async run(state, args) {
    const name = benchmarkOf(state, args.positionals[0]);
    await clientOf(state).forget(name);
    if (state.benchmark === name) state.benchmark = undefined;
    state.io.out(`Benchmark ${name} deleted\n`);
  },
};

export const BENCHMARK_COMMANDS: readonly ShellCommand[] = [upload, info, inspect, edit, forget];
