/**
 * Uploaded benchmarks on disk, as Hyperfoil's controller keeps them:
 * `${root}/benchmark/<name>.yaml` (the source as uploaded) and the data files
 * it references in `${root}/benchmark/<name>.data/`. Benchmarks whose
 * `!param`s have no default are templates: stored as well, loaded with the
 * parameters given at start. A restarted controller finds everything again.
 * @module
 */
import { isScalar, parseDocument } from "yaml";
import { type Diagnostic, formatDiagnostic } from "../../benchmark/diagnostics.ts";
import { parseBenchmark } from "../../benchmark/load.ts";
import type { Benchmark } from "../../benchmark/model.ts";
import { HttpError } from "./_http.ts";

export interface StoredBenchmark {
  name: string;
  source: string;
  /** Content hash of the source: the `ETag`, and what `If-Match` must name. */
  version: string;
  /** Data files by stored file name. */
  files: Map<string, Uint8Array>;
}

export interface BenchmarkUpload {
  source: string;
  /** The name the source was sent as, for messages; default `benchmark.hf.yaml`. */
  file?: string;
  /** Data files by the name they were sent with (a path as the benchmark writes it, or a base name). */
  files: Map<string, Uint8Array>;
  /** `If-Match`: the version the client expects to replace. */
  ifMatch?: string;
  /** `storedFilesBenchmark`: take data files not uploaded from this stored benchmark. */
  storedFilesBenchmark?: string;
}

/** What a successful upload stored. */
export interface UploadResult {
  name: string;
  version: string;
  /** The source has `!param`s without a default: it loads at start with `templateParam`s. */
  template: boolean;
}

/** Benchmarks under `${root}/benchmark`. One store per server; it owns that directory. */
export interface BenchmarkStore {
  readonly dir: string;
  /** Names of loadable benchmarks (`templates: false`) or of templates, sorted. */
  list(templates: boolean): Promise<string[]>;
  get(name: string): Promise<StoredBenchmark | undefined>;
  /** Validates and stores; throws 400 (invalid, with every diagnostic) or 409 (`If-Match`). */
  save(upload: BenchmarkUpload): Promise<UploadResult>;
  /** False when there was no such benchmark. */
  remove(name: string): Promise<boolean>;
  /** The model with `params` applied; throws 404 or 400 (with the loader's diagnostics). */
  load(name: string, params: Record<string, string>): Promise<LoadedBenchmark>;
}

export interface LoadedBenchmark {
  benchmark: Benchmark;
  stored: StoredBenchmark;
}

/** Refuses names that are not safe file names (`/`, `\`, NUL, leading dot). */
export function checkBenchmarkName(name: string): void {
  const control = [...name].some((c) => c.charCodeAt(0) < 0x20);
  if (name === "" || /[/\\]/.test(name) || control || name.startsWith(".")) {
    throw new HttpError(
      400,
      `Invalid benchmark name '${name}': expected a name without '/', '\\', control characters or a leading '.'`,
    );
  }
}

/** A data file's name as stored: its path with separators flattened. */
export function storedFileName(path: string): string {
  const s = path.replace(/[/\\]/g, "_");
  return s === "" || s.startsWith(".") ? `_${s}` : s;
}

function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest).slice(0, 12)].map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

const MISSING_PARAM = /^Parameter '.+' is not defined and has no default value/;

/** The `name` of a template: its top-level `name` must be a literal. */
function templateName(source: string): string | undefined {
  try {
    const doc = parseDocument(source, { schema: "failsafe" });
    const node = doc.get("name", true);
    if (isScalar(node) && node.tag === undefined && typeof node.value === "string") {
      return node.value;
    }
  } catch {
    // Unparseable: the loader already said why.
  }
  return undefined;
}

function invalid(diagnostics: readonly Diagnostic[], suppressed = 0): HttpError {
  const errors = diagnostics.filter((d) => d.severity === "error");
  const more = suppressed > 0 ? `\n…and ${suppressed} more errors` : "";
  return new HttpError(
    400,
    `Cannot read benchmark:\n${errors.map(formatDiagnostic).join("\n")}${more}`,
  );
}

/** Opens the store under `${root}/benchmark` (created on first upload). */
export function benchmarkStore(root: string): BenchmarkStore {
  const dir = `${root}/benchmark`;
  const yamlPath = (name: string) => `${dir}/${name}.yaml`;
  const dataDir = (name: string) => `${dir}/${name}.data`;

  async function readFiles(name: string): Promise<Map<string, Uint8Array>> {
    const files = new Map<string, Uint8Array>();
    try {
      for await (const e of Deno.readDir(dataDir(name))) {
        if (e.isFile) files.set(e.name, await Deno.readFile(`${dataDir(name)}/${e.name}`));
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    return files;
  }

  async function get(name: string): Promise<StoredBenchmark | undefined> {
    checkBenchmarkName(name);
    let source: string;
    try {
      source = await Deno.readTextFile(yamlPath(name));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return undefined;
      throw e;
    }
    return { name, source, version: await sha256Hex(source), files: await readFiles(name) };
  }

  /** Reads data files from `files`: the stored name of the path, else its base name. */
  function reader(files: Map<string, Uint8Array>) {
    return (path: string): Uint8Array | undefined =>
      files.get(storedFileName(path)) ?? files.get(storedFileName(baseName(path)));
  }

  function parse(
    source: string,
    files: Map<string, Uint8Array>,
    params: Record<string, string>,
    file: string,
  ) {
    return parseBenchmark(source, {
      file,
      params,
      readFile: reader(files),
      baseDir: "(uploaded files)",
    });
  }

  async function isTemplate(name: string): Promise<boolean> {
    const stored = await get(name);
    if (stored === undefined) return false;
    const r = parse(stored.source, stored.files, {}, `${name}.yaml`);
    return r.benchmark === undefined &&
      r.diagnostics.some((d) => d.severity === "error" && MISSING_PARAM.test(d.message));
  }

  return {
    dir,
    async list(templates) {
      const names: string[] = [];
      try {
        for await (const e of Deno.readDir(dir)) {
          if (!e.isFile || !e.name.endsWith(".yaml")) continue;
          const name = e.name.slice(0, -".yaml".length);
          if (name !== "" && !name.startsWith(".") && (await isTemplate(name)) === templates) {
            names.push(name);
          }
        }
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
      return names.sort();
    },
    get,
    async save(upload) {
      if (upload.source.trim() === "") throw new HttpError(400, "Benchmark is empty");
      const files = new Map<string, Uint8Array>();
      if (upload.storedFilesBenchmark !== undefined) {
        checkBenchmarkName(upload.storedFilesBenchmark);
        for (const [n, data] of await readFiles(upload.storedFilesBenchmark)) files.set(n, data);
      }
      for (const [n, data] of upload.files) files.set(storedFileName(n), data);
      const r = parse(upload.source, files, {}, upload.file ?? "benchmark.hf.yaml");
      const errors = r.diagnostics.filter((d) => d.severity === "error");
      const template = r.benchmark === undefined && errors.length > 0 &&
        errors.every((d) => MISSING_PARAM.test(d.message));
      if (r.benchmark === undefined && !template) throw invalid(r.diagnostics, r.suppressed);
      const name = r.benchmark?.name ?? templateName(upload.source);
      if (name === undefined) {
        throw new HttpError(400, "Cannot read benchmark: a template needs a literal 'name'");
      }
      checkBenchmarkName(name);
      const previous = await get(name);
      if (upload.ifMatch !== undefined && upload.ifMatch !== previous?.version) {
        throw new HttpError(
          409,
          `Benchmark '${name}' is at version '${
            previous?.version ?? "(none)"
          }', not '${upload.ifMatch}'`,
        );
      }
      await Deno.mkdir(dir, { recursive: true });
      await replaceDataDir(dataDir(name), files);
      // Written to a temporary file and renamed, so a reader never sees half a benchmark.
      const tmp = `${dir}/.${name}.yaml.${crypto.randomUUID()}`;
      await Deno.writeTextFile(tmp, upload.source);
      await Deno.rename(tmp, yamlPath(name));
      return { name, version: await sha256Hex(upload.source), template };
    },
    async remove(name) {
      checkBenchmarkName(name);
      try {
        await Deno.remove(yamlPath(name));
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) return false;
        throw e;
      }
      await Deno.remove(dataDir(name), { recursive: true }).catch(() => {});
      return true;
    },
    async load(name, params) {
      const stored = await get(name);
      if (stored === undefined) throw new HttpError(404, `Benchmark '${name}' is not defined`);
      const r = parse(stored.source, stored.files, params, `${name}.yaml`);
      if (r.benchmark === undefined) throw invalid(r.diagnostics, r.suppressed);
      return { benchmark: r.benchmark, stored };
    },
  };
}

/** Makes `dir` hold exactly `files` (what is not uploaded again is gone). */
async function replaceDataDir(dir: string, files: Map<string, Uint8Array>): Promise<void> {
  if (files.size === 0) {
    await Deno.remove(dir, { recursive: true }).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
    return;
  }
  await Deno.mkdir(dir, { recursive: true });
  for await (const e of Deno.readDir(dir)) {
    if (!files.has(e.name)) await Deno.remove(`${dir}/${e.name}`, { recursive: true });
  }
  for (const [name, data] of files) await Deno.writeFile(`${dir}/${name}`, data);
}
