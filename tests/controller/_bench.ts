/** Benchmarks for controller tests, loaded from YAML by the real loader. */
import assert from "node:assert/strict";
import { formatDiagnostic } from "../../src/benchmark/diagnostics.ts";
import { parseBenchmark } from "../../src/benchmark/load.ts";
import type { Benchmark } from "../../src/benchmark/model.ts";

/** A scenario with one request; the scripted engine never sends it. */
export const SCENARIO = `
        scenario:
          - main:
              - httpRequest:
                  GET: /`;

/** Loads `yaml` (with a target and a 100 ms collection period unless given); fails the test on errors. */
export function bench(yaml: string): Benchmark {
  const head = yaml.includes("http:") ? "" : "http:\n  host: http://127.0.0.1:1\n";
  const period = yaml.includes("statisticsCollectionPeriod")
    ? ""
    : "statisticsCollectionPeriod: 100ms\n";
  const text = `name: test\n${head}${period}${yaml}`;
  const r = parseBenchmark(text, { file: "test.hf.yaml" });
  assert.equal(
    r.benchmark !== undefined,
    true,
    `invalid test benchmark:\n${r.diagnostics.map(formatDiagnostic).join("\n")}\n${text}`,
  );
  return r.benchmark!;
}

/** A temporary root for runs; removed when disposed. */
export async function tempRoot(): Promise<{ root: string } & AsyncDisposable> {
  const root = await Deno.makeTempDir({ prefix: "hf-controller-test-" });
  return { root, [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }) };
}
