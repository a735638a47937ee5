/**
 * hf: Hyperfoil's benchmark language on Deno.
 *
 * Load a Hyperfoil benchmark (`*.hf.yaml`) into the plain, JSON-serialisable
 * {@link Benchmark} model, with every mistake reported as a {@link Diagnostic}
 * naming its file, line, column and YAML path. Extensions add their own steps
 * to a {@link Registry} before loading.
 *
 * @example Load a benchmark, errors as values
 * ```ts
 * import { formatDiagnostic, parseBenchmark } from "./mod.ts";
 *
 * const result = parseBenchmark(await Deno.readTextFile("bench.hf.yaml"), {
 *   file: "bench.hf.yaml",
 *   params: { HOST: "localhost" },
 * });
 * for (const d of result.diagnostics) console.error(formatDiagnostic(d));
 * console.log(result.benchmark?.phases.map((p) => p.name));
 * ```
 *
 * @example Define a step
 * ```ts
 * import { defaultRegistry, loadBenchmark, obj, registerStep, str } from "./mod.ts";
 *
 * const registry = registerStep(defaultRegistry(), "ping", obj({ host: str() }, { required: ["host"] }));
 * const benchmark = loadBenchmark(source, { registry });
 * ```
 *
 * @module
 */

// Loading

/** Loads a benchmark from YAML text, returning the model or every error found. */
export { parseBenchmark } from "./src/benchmark/load.ts";
/** Reads and loads a benchmark file; data files resolve relative to it. */
export { parseBenchmarkFile } from "./src/benchmark/load.ts";
/** Loads a benchmark from YAML text or throws a {@link BenchmarkError} carrying every error. */
export { loadBenchmark } from "./src/benchmark/load.ts";
/** Options of the loaders: file name for messages, `-P` parameters, data file reader, registry. */
export type { LoadOptions } from "./src/benchmark/load.ts";
/** What `parseBenchmark` returns: the model when valid, the diagnostics, the suppressed count. */
export type { LoadResult } from "./src/benchmark/load.ts";

// Diagnostics

/** Thrown by `loadBenchmark` when a benchmark has errors; `diagnostics` lists them. */
export { BenchmarkError } from "./src/benchmark/diagnostics.ts";
/** Formats a diagnostic as the one line printed to users: `file:line:col: path: message`. */
export { formatDiagnostic } from "./src/benchmark/diagnostics.ts";
/** An error or warning with its file, line, column and YAML path. */
export type { Diagnostic } from "./src/benchmark/diagnostics.ts";

// The model

/** The loaded benchmark: plain, immutable, JSON-serialisable data; durations in ms. */
export type { Benchmark } from "./src/benchmark/model.ts";
/** An agent host of a distributed run. */
export type { Agent } from "./src/benchmark/model.ts";
/** One `http` endpoint: authority, connection pool, timeouts, TLS material. */
export type { HttpEndpoint } from "./src/benchmark/model.ts";
/** The connection pool of an endpoint (`sharedConnections`). */
export type { SharedConnections } from "./src/benchmark/model.ts";
/** How sessions get connections (`connectionStrategy`). */
export type { ConnectionStrategy } from "./src/benchmark/model.ts";
/** TLS key or trust material, read when the benchmark is loaded. */
export type { TlsMaterial } from "./src/benchmark/model.ts";
/** The `ergonomics` section, with its defaults applied. */
export type { Ergonomics } from "./src/benchmark/model.ts";
/** The `ergonomics.followRedirect` policy. */
export type { FollowRedirect } from "./src/benchmark/model.ts";
/** A `pre` or `post` hook: a named shell command. */
export type { Hook } from "./src/benchmark/model.ts";
/** A phase after expansion of forks, iterations and staircase. */
export type { Phase } from "./src/benchmark/model.ts";
/** The six phase models: `atOnce`, `always`, `constantRate`, `increasingRate`, `decreasingRate`, `noop`. */
export type { PhaseModel } from "./src/benchmark/model.ts";
/** The open models (sessions started on a schedule). */
export { OPEN_MODELS } from "./src/benchmark/model.ts";
/** The closed models (a fixed number of users). */
export { CLOSED_MODELS } from "./src/benchmark/model.ts";
/** `startWith`: start once another phase has started, plus a delay. */
export type { StartWith } from "./src/benchmark/model.ts";
/** A service level agreement of a phase (`customSla`). */
export type { Sla } from "./src/benchmark/model.ts";
/** A scenario: its sequences and per-session limits. */
export type { Scenario } from "./src/benchmark/model.ts";
/** A sequence of steps, with its concurrency and whether it starts with the session. */
export type { Sequence } from "./src/benchmark/model.ts";

// Steps and extensions

/** A loaded step, action or processor: plain data tagged with its `type`. */
export type { StepRecord } from "./src/benchmark/registry.ts";
/** The step registry: step, action and processor names mapped to their shapes. */
export type { Registry } from "./src/benchmark/registry.ts";
/** What a registered name is: a `step`, an `action` or a `processor`. */
export type { Kind } from "./src/benchmark/registry.ts";
/** A registry with no steps, for extensions that define everything themselves. */
export { emptyRegistry } from "./src/benchmark/registry.ts";
/** A new registry holding every built-in step, action and processor. */
export { defaultRegistry } from "./src/benchmark/steps/builtin.ts";
/** Adds a step, action or processor to a registry. */
export { registerStep } from "./src/benchmark/extend.ts";

// The shape DSL: how a step describes its YAML

/** A typed loader for a YAML value; steps are described with shapes. */
export type { Shape } from "./src/benchmark/shape.ts";
/** What a shape's loader receives: where to report, how to read files, the registry. */
export type { LoadCtx } from "./src/benchmark/shape.ts";
/** A mapping with known properties; unknown ones are errors with a suggestion. */
export { obj } from "./src/benchmark/shape.ts";
/** A string scalar. */
export { str } from "./src/benchmark/shape.ts";
/** An integer, optionally bounded. */
export { int } from "./src/benchmark/shape.ts";
/** A number, optionally bounded. */
export { num } from "./src/benchmark/shape.ts";
/** `true` or `false`. */
export { bool } from "./src/benchmark/shape.ts";
/** One of fixed values, matched case-insensitively. */
export { oneOf } from "./src/benchmark/shape.ts";
/** A duration (`100ms`, `5s`, `2m`) loaded as milliseconds. */
export { duration } from "./src/benchmark/shape.ts";
/** A list of values of one shape. */
export { list } from "./src/benchmark/shape.ts";
