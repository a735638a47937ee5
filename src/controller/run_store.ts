/**
 * The run directory on disk, laid out as Hyperfoil's controller writes it
 * (REFERENCE §3 "Run directory", ALL-JSON.md): `${root}/run/<ID>/` with the
 * benchmark's source, `info.json`, `all.json`, `stats/*.csv` and `hooks.json`.
 * @module
 */
import { decodeBase64 } from "../benchmark/base64.ts";
import type { Benchmark } from "../benchmark/model.ts";

/** The run directory could not be created (permissions, a file in the way…). */
export class RunDirError extends Error {
  override name = "RunDirError";
}

/** `${HF_ROOT}` when set, else `/tmp/hyperfoil` (Hyperfoil's `${java.io.tmpdir}/hyperfoil`). */
export function defaultRoot(): string {
  let env: string | undefined;
  try {
    env = Deno.env.get("HF_ROOT");
  } catch {
    env = undefined; // no --allow-env: the default it is
  }
  return env !== undefined && env !== "" ? env : "/tmp/hyperfoil";
}

/** A run id: 4 upper-case hex digits (`0000`, `0001`, … `000A`), more past `FFFF`. */
export function formatRunId(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, "0");
}

const RUN_ID = /^[0-9A-F]{4,}$/;

/** The run ids present under `runDir`, as numbers. */
async function existingIds(runDir: string): Promise<number[]> {
  const ids: number[] = [];
  try {
    for await (const e of Deno.readDir(runDir)) {
      if (RUN_ID.test(e.name)) ids.push(parseInt(e.name, 16));
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return ids;
}

/**
 * Creates the next free run directory under `${root}/run/`: one past the
 * highest id there (Hyperfoil's counter). Creation is atomic (mkdir without
 * `recursive`), so two controllers sharing a root never get the same id.
 */
export async function allocateRunDir(root: string): Promise<{ id: string; dir: string }> {
  const runDir = `${root}/run`;
  const cannot = (e: unknown) =>
    new RunDirError(
      `Cannot create a run directory under '${runDir}': ${e instanceof Error ? e.message : e}`,
      { cause: e },
    );
  let next: number;
  try {
    await Deno.mkdir(runDir, { recursive: true });
    next = Math.max(-1, ...(await existingIds(runDir))) + 1;
  } catch (e) {
    throw cannot(e);
  }
  for (let attempt = 0; attempt < 10_000; attempt++, next++) {
    const id = formatRunId(next);
    const dir = `${runDir}/${id}`;
    try {
      await Deno.mkdir(dir);
      return { id, dir };
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw cannot(e);
    }
  }
  throw cannot(new Error("every id tried was taken"));
}

/** A file name for `name` that stays inside its directory. */
function safeName(name: string): string {
  const s = name.replace(/[/\\]/g, "_");
  return s === "" || s === "." || s === ".." ? `_${s}` : s;
}

/** Writes the files of one run; every method overwrites what was there. */
export class RunStore {
  constructor(readonly id: string, readonly dir: string) {}

  async writeText(name: string, text: string): Promise<void> {
    await Deno.writeTextFile(`${this.dir}/${name}`, text);
  }

  /**
   * The benchmark as given: `<name>.yaml` (the source, when known), the
   * model as `benchmark.json` and data files under `<name>.data/`.
   */
  async writeBenchmark(benchmark: Benchmark, source: string | undefined): Promise<void> {
    const base = safeName(benchmark.name);
    if (source !== undefined) await this.writeText(`${base}.yaml`, source);
    await this.writeText("benchmark.json", JSON.stringify(benchmark, null, 2) + "\n");
    const files = Object.entries(benchmark.files);
    if (files.length === 0) return;
    const dataDir = `${this.dir}/${base}.data`;
    await Deno.mkdir(dataDir, { recursive: true });
    for (const [name, content] of files) {
      await Deno.writeFile(`${dataDir}/${safeName(name)}`, decodeBase64(content));
    }
  }

  /** `stats/<file>` for each entry (from `csvFiles`). */
  async writeStats(files: Map<string, string>): Promise<void> {
    const statsDir = `${this.dir}/stats`;
    await Deno.mkdir(statsDir, { recursive: true });
    for (const [name, text] of files) {
      await Deno.writeTextFile(`${statsDir}/${safeName(name)}`, text);
    }
  }
}
