/**
 * How long loading a large benchmark takes: 1,000 phase definitions (every
 * model, startAfter chains, startWith, a few forks and iterations), each with
 * its own scenario. A benchmark, not a test: it prints, it asserts nothing.
 *
 *   deno run -A benchmarks/load_thousand_phases.ts [PHASES]
 */
import { parseBenchmark } from "../mod.ts";

const MODELS = [
  "constantRate",
  "increasingRate",
  "decreasingRate",
  "atOnce",
  "always",
  "noop",
] as const;

/** The YAML of phase `i` (named `p0042`), depending on earlier phases. */
function phase(i: number): string {
  const name = `p${String(i).padStart(4, "0")}`;
  const model = MODELS[i % MODELS.length];
  const props: string[] = [];
  if (model === "constantRate") props.push(`usersPerSec: ${1 + (i % 50)}`);
  if (model === "increasingRate") {
    props.push("initialUsersPerSec: 1", `targetUsersPerSec: ${10 + (i % 90)}`);
  }
  if (model === "decreasingRate") {
    props.push(`initialUsersPerSec: ${10 + (i % 90)}`, "targetUsersPerSec: 1");
  }
  if (model === "atOnce" || model === "always") props.push(`users: ${1 + (i % 20)}`);
  if (model !== "atOnce") props.push(`duration: ${5 + (i % 30)}s`);
  if (model !== "noop" && i % 7 === 0) props.push(`maxDuration: ${60 + (i % 30)}s`);
  const prev = `p${String(i - 1).padStart(4, "0")}`;
  if (i > 0 && i % 25 === 0) props.push(`startWith: { phase: ${prev}, delay: 2s }`);
  else if (i > 0 && i % 10 === 0) props.push(`startAfterStrict: ${prev}`);
  else if (i > 0) props.push(`startAfter: [${prev}]`);
  // A few iterations, on open models only (their rates scale with `increment`).
  if (model === "constantRate" && i % 120 === 0) {
    props.push("maxIterations: 3");
    props[0] = `usersPerSec: { base: ${1 + (i % 50)}, increment: 5 }`;
  }
  const lines = [`- ${name}:`, `    ${model}:`, ...props.map((p) => `      ${p}`)];
  if (model === "noop") return lines.join("\n");
  // A few forks, on closed models, with weights.
  if (model === "always" && i % 50 === 4) return [...lines, forks(i)].join("\n");
  return [...lines, `      scenario:`, scenario(i, "        ")].join("\n");
}

function forks(i: number): string {
  return [
    "      forks:",
    "        browse:",
    "          weight: 3",
    "          scenario:",
    scenario(i, "            "),
    "        buy:",
    "          weight: 1",
    "          scenario:",
    scenario(i + 1, "            "),
  ].join("\n");
}

function scenario(i: number, indent: string): string {
  return [
    `- s${i}:`,
    `  - httpRequest:`,
    `      GET: /items/${i}?page=\${page}`,
    `      metric: items`,
    `  - thinkTime: ${100 + (i % 900)}ms`,
    `  - set: page <- ${i % 10}`,
    `  - httpRequest:`,
    `      POST: /buy/${i}`,
    `      body: item=${i}`,
  ].map((l) => indent + l).join("\n");
}

/** The YAML of a benchmark with `phases` phase definitions. */
export function benchmarkSource(phases: number): string {
  const body = Array.from({ length: phases }, (_, i) => phase(i)).join("\n");
  return `name: thousand-phases\nhttp:\n  host: http://localhost:8080\n  sharedConnections: 100\nphases:\n${body}\n`;
}

function timedLoad(source: string): { ms: number; phases: number } {
  const start = performance.now();
  const result = parseBenchmark(source, { file: "thousand-phases.hf.yaml" });
  const ms = performance.now() - start;
  if (result.benchmark === undefined) {
    const errors = result.diagnostics.filter((d) => d.severity === "error");
    throw new Error(
      `The generated benchmark does not load: ${errors[0]?.message} (line ${errors[0]?.line})`,
    );
  }
  return { ms, phases: result.benchmark.phases.length };
}

if (import.meta.main) {
  const defined = Number(Deno.args[0] ?? 1000);
  const source = benchmarkSource(defined);
  const first = timedLoad(source);
  const runs = Array.from({ length: 5 }, () => timedLoad(source).ms).sort((a, b) => a - b);
  console.log(
    `load_thousand_phases: ${defined} phases defined (${
      (source.length / 1024).toFixed(0)
    } KiB of YAML), ` +
      `${first.phases} after expansion`,
  );
  console.log(`  first load: ${first.ms.toFixed(1)} ms`);
  console.log(
    `  warm loads: median ${runs[2].toFixed(1)} ms, min ${runs[0].toFixed(1)} ms (5 runs)`,
  );
}
