/** Shared helpers of the conformance tests: loading corpus files and small views of the model. */
import { BENCHMARKS } from "./_paths.ts";
import { parseBenchmarkFile } from "../../src/benchmark/load.ts";
import type { LoadOptions, LoadResult } from "../../src/benchmark/load.ts";
import type { Benchmark, Phase, Scenario } from "../../src/benchmark/model.ts";
import { formatDiagnostic } from "../../src/benchmark/diagnostics.ts";

export { BENCHMARKS, SHARED, TEMPLATES } from "./_paths.ts";

/** Loads `benchmarks/<rel>` as the CLI would (data files relative to it). */
export function loadCorpus(rel: string, options: LoadOptions = {}): Promise<LoadResult> {
  return parseBenchmarkFile(`${BENCHMARKS}${rel}`, options);
}

/** Loads `benchmarks/<rel>` and fails with every diagnostic when it does not load. */
export async function mustLoad(rel: string, options: LoadOptions = {}): Promise<Benchmark> {
  const r = await loadCorpus(rel, options);
  if (r.benchmark === undefined) {
    const text = r.diagnostics.map(formatDiagnostic).join("\n");
    throw new Error(`${rel} did not load:\n${text}`);
  }
  return r.benchmark;
}

/** The phase named `name`, or an error listing the phases there are. */
export function phase(b: Benchmark, name: string): Phase {
  const p = b.phases.find((x) => x.name === name);
  if (p === undefined) {
    throw new Error(`No phase '${name}' in ${b.phases.map((x) => x.name).join(", ")}`);
  }
  return p;
}

export function scenarioOf(b: Benchmark, p: Phase | string): Scenario {
  const ph = typeof p === "string" ? phase(b, p) : p;
  if (ph.scenario === undefined) throw new Error(`Phase '${ph.name}' has no scenario`);
  return b.scenarios[ph.scenario];
}

/** `|a - b| <= tolerance × |b|`. */
export function near(actual: number | undefined, expected: number, tolerance = 0.01): boolean {
  return actual !== undefined &&
    Math.abs(actual - expected) <= tolerance * Math.abs(expected) + 1e-9;
}
