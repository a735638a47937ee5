/** The public API in mod.ts: load, errors as values or thrown, and extension steps. */
import assert from "node:assert/strict";
import {
  BenchmarkError,
  defaultRegistry,
  duration,
  emptyRegistry,
  formatDiagnostic,
  int,
  loadBenchmark,
  obj,
  parseBenchmark,
  registerStep,
  str,
} from "../mod.ts";

const WITH_PING = `name: extended
http:
  host: http://localhost:8080
phases:
- main:
    atOnce:
      users: 1
      scenario:
      - only:
        - ping:
            host: example.com
            count: 3
            every: 250ms
        - thinkTime: 1s
`;

const pingShape = () =>
  obj({ host: str("a host name"), count: int({ min: 1 }), every: duration() }, {
    name: "ping",
    required: ["host"],
  });

Deno.test("a step registered with registerStep loads into a typed record", () => {
  const registry = registerStep(defaultRegistry(), "ping", pingShape());
  const benchmark = loadBenchmark(WITH_PING, { registry });
  const steps = benchmark.scenarios[benchmark.phases[0].scenario!].sequences[0].steps;
  assert.deepEqual(steps[0], { type: "ping", host: "example.com", count: 3, every: 250 });
  assert.equal(steps[1].type, "thinkTime");
});

Deno.test("without the extension the step is an unknown step, reported with its position", () => {
  const r = parseBenchmark(WITH_PING, { file: "x.hf.yaml" });
  assert.equal(r.benchmark, undefined);
  const [error] = r.diagnostics.filter((d) => d.severity === "error");
  assert.equal(error.line, 10);
  assert.match(formatDiagnostic(error), /^x\.hf\.yaml:10:\d+: .*Unknown step 'ping'/);
});

Deno.test("loadBenchmark throws a BenchmarkError carrying the diagnostics", () => {
  assert.throws(() => loadBenchmark("name: x\nfoo: 1\n"), (e: unknown) => {
    assert.ok(e instanceof BenchmarkError);
    assert.equal(e.diagnostics[0].line, 2);
    return true;
  });
});

Deno.test("registerStep refuses a name that is already registered", () => {
  const registry = registerStep(emptyRegistry(), "ping", pingShape());
  assert.throws(() => registerStep(registry, "ping", pingShape()), TypeError);
  assert.throws(() => registerStep(defaultRegistry(), "thinkTime", pingShape()), TypeError);
});

Deno.test("registerStep adds actions and processors to their own tables", () => {
  const registry = registerStep(emptyRegistry(), "tag", obj({ name: str() }), "action");
  registerStep(registry, "sink", obj({}), "processor");
  assert.ok(registry.actions.has("tag"));
  assert.ok(registry.processors.has("sink"));
  assert.equal(registry.steps.size, 0);
});
