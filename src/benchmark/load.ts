/**
 * `loadBenchmark`: YAML source → the benchmark model, or every error found
 * (capped at 20), each naming file, line, column, YAML path and what was expected.
 */
import { loadAgents } from "./agents.ts";
import { BenchmarkError, type Diagnostic, Diagnostics } from "./diagnostics.ts";
import { expandPhases } from "./expand_phases.ts";
import { loadHooks } from "./hooks.ts";
import { loadHttp } from "./http_section.ts";
import type { Benchmark, Ergonomics, FollowRedirect } from "./model.ts";
import type { YMap, YNode } from "./node.ts";
import { loadPhaseDef, loadPhaseDefs, type PhaseDef, type PhaseDefs } from "./phase_def.ts";
import type { Registry } from "./registry.ts";
import { bool, duration, int, list, type LoadCtx, mismatch, obj, oneOf, str } from "./shape.ts";
import { loadStaircase } from "./staircase.ts";
import { defaultRegistry } from "./steps/builtin.ts";
import { didYouMean } from "./suggest.ts";
import { parseYaml } from "./template.ts";
import { newVarUsage } from "./variables.ts";

export interface LoadOptions {
  /** Name of the source file, used in messages (default `benchmark.hf.yaml`). */
  file?: string;
  /** Template parameters, as given with `-P NAME=VALUE`. */
  params?: Record<string, string>;
  /**
   * Reads data files the benchmark names (relative paths as written). Default:
   * read from `baseDir` on the local file system.
   */
  readFile?: (path: string) => Uint8Array | undefined;
  /** Directory data files are relative to (default: the file's directory, else the cwd). */
  baseDir?: string;
  /** Step registry; default `defaultRegistry()`. Extensions pass one with their steps added. */
  registry?: Registry;
}

export interface LoadResult {
  /** The model, when there were no errors. */
  benchmark?: Benchmark;
  /** Errors and warnings in source order. */
  diagnostics: Diagnostic[];
  /** Errors beyond the cap that were counted but not listed. */
  suppressed: number;
}

const TOP_LEVEL = [
  "$schema",
  "name",
  "agents",
  "http",
  "hotrod",
  "ergonomics",
  "threads",
  "statisticsCollectionPeriod",
  "failurePolicy",
  "triggerUrl",
  "pre",
  "post",
  "phases",
  "usersPerSec",
  "duration",
  "maxDuration",
  "maxSessions",
  "scenario",
  "customSla",
  "staircase",
];
const SHORTHAND = [
  "usersPerSec",
  "duration",
  "maxDuration",
  "maxSessions",
  "scenario",
  "customSla",
];

/** Loads a benchmark; errors come back as values (autocannon's habit), never thrown. */
export function parseBenchmark(source: string, options: LoadOptions = {}): LoadResult {
  const file = options.file ?? "benchmark.hf.yaml";
  const diags = new Diagnostics(file);
  let benchmark: Benchmark | undefined;
  try {
    benchmark = load(source, file, options, diags);
  } catch (e) {
    // A loader bug must not hide what was already found, nor crash the caller.
    if (!(e instanceof RangeError)) throw e;
    diags.error(undefined, "", "The benchmark is nested too deeply to load");
  }
  if (benchmark === undefined && diags.errorCount === 0) {
    // Every path that gives up reports why; this guards against one that forgot.
    diags.error(
      undefined,
      "",
      "The benchmark could not be loaded (no error was reported: this is a bug in hf)",
    );
  }
  const diagnostics = [...diags.items].sort((a, b) => a.line - b.line || a.col - b.col);
  return {
    benchmark: diags.errorCount > 0 ? undefined : benchmark,
    diagnostics,
    suppressed: diags.suppressed,
  };
}

/** Loads a benchmark or throws a `BenchmarkError` carrying every error. */
export function loadBenchmark(source: string, options: LoadOptions = {}): Benchmark {
  const r = parseBenchmark(source, options);
  if (r.benchmark === undefined) throw new BenchmarkError(r.diagnostics, r.suppressed);
  return r.benchmark;
}

/** Reads a benchmark file from disk; data files resolve relative to it. */
export async function parseBenchmarkFile(
  path: string,
  options: LoadOptions = {},
): Promise<LoadResult> {
  const diags = new Diagnostics(path);
  let text: string;
  try {
    const bytes = await Deno.readFile(path);
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound
      ? "no such file"
      : e instanceof TypeError
      ? "not UTF-8 text (is it a binary file?)"
      : e instanceof Deno.errors.IsADirectory
      ? "it is a directory"
      : (e as Error).message;
    diags.error(undefined, "", `Cannot read the benchmark: ${why}`);
    return { diagnostics: diags.items, suppressed: 0 };
  }
  const slash = path.lastIndexOf("/");
  const baseDir = options.baseDir ?? (slash >= 0 ? path.slice(0, slash) || "/" : ".");
  return parseBenchmark(text, { ...options, file: options.file ?? path, baseDir });
}

function defaultReader(baseDir: string) {
  return (p: string): Uint8Array | undefined => {
    try {
      const full = p.startsWith("/") ? p : `${baseDir}/${p}`;
      const info = Deno.statSync(full);
      return info.isFile ? Deno.readFileSync(full) : undefined;
    } catch {
      return undefined;
    }
  };
}

function load(
  source: string,
  file: string,
  options: LoadOptions,
  diags: Diagnostics,
): Benchmark | undefined {
  const params = options.params ?? {};
  if (source.includes("\u0000")) {
    diags.error(
      undefined,
      "",
      "The file contains NUL bytes: expected YAML text, found binary data",
    );
    return undefined;
  }
  const root = parseYaml(source, { params, diagnostics: diags });
  if (root === undefined) return undefined;
  if (root.kind !== "map") {
    mismatch(
      ctxFor(diags, options, []),
      root,
      "",
      "a benchmark: a mapping with 'name', 'http', 'phases'…",
    );
    return undefined;
  }
  const baseDir = options.baseDir ?? ".";
  const ctx = ctxFor(diags, options, [], baseDir);
  const get = (k: string) => root.entries.find((e) => e.key.value === k);
  checkTopLevel(root, ctx);

  const name = get("name");
  let benchName: string | undefined;
  if (!name) diags.error(root, "", "Missing 'name': every benchmark needs a name");
  else benchName = str("a benchmark name").load(name.value, ctx, "name");

  const httpNode = get("http");
  const http = httpNode ? loadHttp(httpNode.value, ctx) ?? [] : [];
  ctx.http = http;

  const agentsNode = get("agents");
  const agents = agentsNode ? loadAgents(agentsNode.value, ctx) ?? [] : [];
  const ergonomics = loadErgonomics(get("ergonomics")?.value, ctx);
  const threads = loadScalar(get("threads")?.value, int({ min: 1 }), ctx, "threads") ?? 1;
  const period = loadScalar(
    get("statisticsCollectionPeriod")?.value,
    duration("ms"),
    ctx,
    "statisticsCollectionPeriod",
  ) ?? 1000;
  const failurePolicy = loadScalar(
    get("failurePolicy")?.value,
    oneOf(["CANCEL", "CONTINUE"] as const),
    ctx,
    "failurePolicy",
  ) ?? "CANCEL";
  const triggerUrl = loadScalar(get("triggerUrl")?.value, str("a URL"), ctx, "triggerUrl");
  const pre = get("pre") ? loadHooks(get("pre")!.value, ctx, "pre") ?? [] : [];
  const post = get("post") ? loadHooks(get("post")!.value, ctx, "post") ?? [] : [];
  const hotrod = get("hotrod");
  if (hotrod) loadHotrod(hotrod.value, ctx);
  const schema = get("$schema");
  if (
    schema && schema.value.kind === "scalar" &&
    !/^https?:\/\/hyperfoil\.io\/schema/.test(schema.value.value) &&
    !schema.value.value.endsWith(".json")
  ) {
    diags.warn(
      schema.value,
      "$schema",
      `Unexpected schema '${schema.value.value}': expected 'http://hyperfoil.io/schema.json'`,
    );
  }

  const defs = phaseDefs(root, ctx);
  // Phases are checked even when other sections failed: all errors of a file come at once.
  const expanded = defs && expandPhases(defs.defs, diags, { complete: defs.complete });
  if (diags.errorCount > 0 || expanded === undefined || benchName === undefined) return undefined;
  return dropUndefined({
    name: benchName,
    file,
    params,
    agents,
    threads,
    statisticsCollectionPeriod: period,
    failurePolicy,
    triggerUrl,
    http,
    ergonomics,
    pre,
    post,
    phases: expanded.phases,
    scenarios: expanded.scenarios,
    files: ctx.files,
  });
}

/**
 * Removes properties whose value is undefined, deeply and in place, so the
 * model is exactly what JSON carries to agents and into the run directory.
 */
function dropUndefined<T>(value: T): T {
  if (Array.isArray(value)) value.forEach(dropUndefined);
  else if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (o[k] === undefined) delete o[k];
      else dropUndefined(o[k]);
    }
  }
  return value;
}

function ctxFor(
  diags: Diagnostics,
  options: LoadOptions,
  http: LoadCtx["http"],
  baseDir = ".",
): LoadCtx {
  return {
    diags,
    readFile: options.readFile ?? defaultReader(baseDir),
    describePath: (p) => (p.startsWith("/") ? p : `${baseDir}/${p}`),
    registry: options.registry ?? defaultRegistry(),
    vars: newVarUsage(),
    files: {},
    http,
    sequenceRefs: [],
  };
}

function checkTopLevel(root: YMap, ctx: LoadCtx): void {
  const seen = new Set<string>();
  for (const { key } of root.entries) {
    if (!TOP_LEVEL.includes(key.value)) {
      ctx.diags.error(
        key,
        "",
        `Unknown top-level property '${key.value}'${didYouMean(key.value, TOP_LEVEL)}`,
      );
    } else if (seen.has(key.value)) {
      ctx.diags.error(key, "", `Duplicate top-level property '${key.value}'`);
    }
    seen.add(key.value);
  }
}

function loadScalar<T>(
  node: YNode | undefined,
  shape: { load: (n: YNode, c: LoadCtx, p: string) => T | undefined },
  ctx: LoadCtx,
  path: string,
): T | undefined {
  return node === undefined ? undefined : shape.load(node, ctx, path);
}

const ergonomicsShape = obj(
  {
    repeatCookies: bool(),
    userAgentFromSession: bool(),
    autoRangeCheck: bool(),
    stopOnInvalid: bool(),
    followRedirect: oneOf(["NEVER", "LOCATION_ONLY", "HTML_ONLY", "ALWAYS"] as const),
    compensateInternalLatency: bool(),
  },
  { name: "ergonomics" },
);

function loadErgonomics(node: YNode | undefined, ctx: LoadCtx): Ergonomics {
  const v = node ? ergonomicsShape.load(node, ctx, "ergonomics") ?? {} : {};
  return {
    repeatCookies: v.repeatCookies ?? true,
    userAgentFromSession: v.userAgentFromSession ?? true,
    autoRangeCheck: v.autoRangeCheck ?? true,
    stopOnInvalid: v.stopOnInvalid ?? true,
    followRedirect: (v.followRedirect ?? "NEVER") as FollowRedirect,
    compensateInternalLatency: v.compensateInternalLatency ?? false,
  };
}

function loadHotrod(node: YNode, ctx: LoadCtx): void {
  const entry = obj({ uri: str("a hotrod:// URI"), caches: list(str("a cache name")) }, {
    name: "hotrod",
    required: ["uri"],
  });
  if (node.kind === "seq") node.items.forEach((n, i) => entry.load(n, ctx, `hotrod[${i}]`));
  else entry.load(node, ctx, "hotrod");
}

/** `phases`, `staircase` or the single-phase shorthand (a constantRate phase `main`). */
function phaseDefs(root: YMap, ctx: LoadCtx): PhaseDefs | undefined {
  const get = (k: string) => root.entries.find((e) => e.key.value === k);
  const phases = get("phases"), staircase = get("staircase");
  const shorthand = root.entries.filter((e) => SHORTHAND.includes(e.key.value));
  if (staircase && (phases || shorthand.length)) {
    const other = phases ?? shorthand[0];
    ctx.diags.error(
      other.key,
      "",
      `'staircase' generates the phases: it cannot be combined with '${other.key.value}'`,
    );
    return undefined;
  }
  if (phases && shorthand.length) {
    ctx.diags.error(
      shorthand[0].key,
      "",
      `'${
        shorthand[0].key.value
      }' at the top level defines a single phase 'main': it cannot be combined with 'phases' (move it into a phase)`,
    );
    return undefined;
  }
  const all = (defs: PhaseDef[] | undefined): PhaseDefs | undefined =>
    defs && { defs, complete: true };
  if (staircase) return all(loadStaircase(staircase.value, ctx));
  if (phases) return loadPhaseDefs(phases.value, ctx);
  if (shorthand.length) {
    // The top-level keys are the properties of a constantRate phase named 'main'.
    const key = { ...shorthand[0].key, value: "constantRate" };
    const props: YMap = { kind: "map", line: key.line, col: key.col, entries: shorthand };
    const model: YMap = {
      kind: "map",
      line: key.line,
      col: key.col,
      entries: [{ key, value: props }],
    };
    const def = loadPhaseDef({ ...key, value: "main" }, model, ctx, "main", "");
    return all(def && [def]);
  }
  return { defs: [], complete: true };
}
