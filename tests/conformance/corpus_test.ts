/**
 * Every benchmark of Hyperfoil's corpus that EXPECTATIONS.md says must load
 * does load (with the parameters its test passes), every example's name is
 * its file stem, and the files Hyperfoil rejects are rejected for its reason.
 */
import assert from "node:assert/strict";
import { formatDiagnostic } from "../../src/benchmark/diagnostics.ts";
import { BENCHMARKS, loadCorpus, mustLoad } from "./_corpus.ts";

/** Files that must load, with the parameters they need (PORT has a default in the files). */
const MUST_LOAD: Record<string, Record<string, string>> = {
  "test-suite/simple.hf.yaml": {},
  "test-suite/complex.hf.yaml": {},
  "test-suite/shortcut.hf.yaml": {},
  "test-suite/iteration.hf.yaml": {},
  "test-suite/awaitDelay.hf.yaml": {},
  "test-suite/generators.hf.yaml": {},
  "test-suite/httpRequest.hf.yaml": {},
  "test-suite/httpRequestParameterized.hf.yaml": { SERVER_PORT: "8080" },
  "test-suite/agents1.hf.yaml": {},
  "test-suite/agents2.hf.yaml": {},
  "test-suite/valid-authorities.hf.yaml": {},
  "test-suite/staircase.hf.yaml": {},
  "test-suite/mutualTls.hf.yaml": {},
  "test-suite/hooks.hf.yaml": {},
  "test-suite/specialvars.hf.yaml": {},
  "test-suite/loop.hf.yaml": {},
  "test-suite/customSla.hf.yaml": {},
  "test-suite/start-with-delay.hf.yaml": {},
  "test-suite/clusteredHttp.hf.yaml": { SERVER_PORT: "8080" },
  "test-suite/JsonReplaceTest.hf.yaml": {},
  "test-suite/IterationsTest.hf.yaml": { PORT: "8080" },
  "http/CompressionTest.hf.yaml": {},
  "http/EmbeddedResourcesTest.hf.yaml": {},
  "http/FollowRedirectTest_always.hf.yaml": {},
  "http/FollowRedirectTest_html.hf.yaml": {},
  "http/FollowRedirectTest_location.hf.yaml": {},
  "http/FollowRedirectTest_manual.hf.yaml": {},
  "http/TagAttributeHandlerTest.hf.yaml": {},
  "core/random-csv.hf.yaml": {},
  "examples/choose-movie.hf.yaml": {},
  "examples/credentials.hf.yaml": {},
  "examples/divide.hf.yaml": {},
  "examples/eshop.hf.yaml": {},
  "examples/eshop-forks.hf.yaml": {},
  "examples/eshop-scale.hf.yaml": {},
  "examples/first-benchmark.hf.yaml": {},
  "examples/http-requests.hf.yaml": {},
  "examples/k8s-hello-world.hf.yaml": {},
  "examples/more-servers.hf.yaml": {},
  "examples/random-urls.hf.yaml": {},
  "examples/single-request.hf.yaml": {},
  "examples/staircase.hf.yaml": {},
  "examples/two-agents.hf.yaml": {},
};

/** The examples `ValidateExampleTest` checks: `name` must equal the file stem. */
const VALIDATED_EXAMPLES = [
  "choose-movie",
  "divide",
  "eshop",
  "eshop-forks",
  "eshop-scale",
  "http-requests",
  "k8s-hello-world",
  "more-servers",
  "random-urls",
  "single-request",
  "two-agents",
];

for (const [file, params] of Object.entries(MUST_LOAD)) {
  Deno.test(`${file} loads without errors`, async () => {
    const r = await loadCorpus(file, { params });
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    assert.deepEqual(errors.map(formatDiagnostic), []);
    assert.equal(r.suppressed, 0);
    assert.ok(r.benchmark !== undefined);
  });
}

Deno.test("every benchmark file of the corpus is classified by this test", () => {
  const found: string[] = [];
  for (const dir of ["test-suite", "http", "core", "examples"]) {
    for (const e of Deno.readDirSync(BENCHMARKS + dir)) {
      if (e.isFile && e.name.endsWith(".hf.yaml")) found.push(`${dir}/${e.name}`);
    }
  }
  const rejected = ["test-suite/wrong-authority.hf.yaml", "test-suite/ambiguous-authority.hf.yaml"];
  const known = new Set([...Object.keys(MUST_LOAD), ...rejected]);
  assert.deepEqual(found.filter((f) => !known.has(f)).sort(), []);
  assert.equal(found.length, known.size);
});

for (const stem of VALIDATED_EXAMPLES) {
  Deno.test(`examples/${stem}.hf.yaml is named after its file`, async () => {
    const b = await mustLoad(`examples/${stem}.hf.yaml`);
    assert.equal(b.name, stem);
  });
}

Deno.test("the docs-only examples credentials and first-benchmark are named after their files too", async () => {
  assert.equal((await mustLoad("examples/credentials.hf.yaml")).name, "credentials");
  assert.equal((await mustLoad("examples/first-benchmark.hf.yaml")).name, "first-benchmark");
  // staircase keeps upstream's copy-pasted name, which is why upstream does not validate it.
  assert.equal((await mustLoad("examples/staircase.hf.yaml")).name, "simple benchmark");
});

Deno.test("names asserted by Hyperfoil's parser tests", async () => {
  const names: Record<string, string> = {
    "test-suite/simple.hf.yaml": "simple benchmark",
    "test-suite/complex.hf.yaml": "complex benchmark",
    "test-suite/shortcut.hf.yaml": "shortcut benchmark",
    "test-suite/iteration.hf.yaml": "iteration benchmark",
    "test-suite/awaitDelay.hf.yaml": "await delay benchmark",
    "test-suite/start-with-delay.hf.yaml": "benchmark using start with delay",
    "test-suite/IterationsTest.hf.yaml": "io.hyperfoil.benchmark.standalone.IterationsTest",
    "test-suite/httpRequest.hf.yaml": "generators",
    "http/EmbeddedResourcesTest.hf.yaml": "download embedded resources",
    "http/TagAttributeHandlerTest.hf.yaml": "fetch form action",
    "http/CompressionTest.hf.yaml": "CompressionTest",
    "http/FollowRedirectTest_manual.hf.yaml": "follow redirects manual",
    "core/random-csv.hf.yaml": "random-csv",
  };
  for (const [file, name] of Object.entries(names)) {
    assert.equal((await mustLoad(file, { params: MUST_LOAD[file] })).name, name, file);
  }
});

async function errorsOf(file: string, params: Record<string, string> = {}) {
  const r = await loadCorpus(file, { params });
  assert.equal(r.benchmark, undefined, `${file} must be rejected`);
  return r.diagnostics.filter((d) => d.severity === "error");
}

Deno.test("wrong-authority.hf.yaml is rejected: no target serves hyperfoil.io:443", async () => {
  const errors = await errorsOf("test-suite/wrong-authority.hf.yaml");
  assert.equal(errors.length, 1);
  const e = errors[0];
  // Hyperfoil: "GET to hyperfoil.io:443/docs is invalid - no HTTP configuration defined."
  assert.match(
    e.message,
    /^GET to hyperfoil\.io:443\/docs is invalid - no HTTP configuration defined/,
  );
  // `authority: hyperfoil.io:443` is line 10, the value at column 18.
  assert.deepEqual([e.line, e.col], [10, 18]);
});

Deno.test("ambiguous-authority.hf.yaml is rejected: hyperfoil.io matches both targets", async () => {
  const errors = await errorsOf("test-suite/ambiguous-authority.hf.yaml");
  assert.equal(errors.length, 1);
  const e = errors[0];
  assert.match(e.message, /^GET to hyperfoil\.io\/docs is ambiguous/);
  assert.match(e.message, /'http:\/\/hyperfoil\.io:80', 'https:\/\/hyperfoil\.io:443'/);
  assert.deepEqual([e.line, e.col], [12, 18]);
});

Deno.test("httpRequestParameterized.hf.yaml without SERVER_PORT is rejected naming the parameter", async () => {
  const errors = await errorsOf("test-suite/httpRequestParameterized.hf.yaml");
  assert.equal(errors.length, 1);
  assert.match(
    errors[0].message,
    /Parameter 'SERVER_PORT' is not defined and has no default value/,
  );
  assert.equal(errors[0].line, 6);
});

Deno.test("clusteredHttp.hf.yaml without SERVER_PORT is rejected naming the parameter", async () => {
  const errors = await errorsOf("test-suite/clusteredHttp.hf.yaml");
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /'SERVER_PORT'/);
});

Deno.test("an undefaulted parameter given with the CLI value is used", async () => {
  const b = await mustLoad("test-suite/httpRequestParameterized.hf.yaml", {
    params: { SERVER_PORT: "4321" },
  });
  assert.equal(b.http.length, 1);
  assert.equal(b.http[0].port, 4321);
  assert.equal(b.http[0].host, "localhost");
  assert.equal(b.http[0].protocol, "http");
  assert.deepEqual(b.params, { SERVER_PORT: "4321" });
});

Deno.test("a missing benchmark file is one error, not an exception", async () => {
  const r = await loadCorpus("test-suite/not-found.hf.yaml");
  assert.equal(r.benchmark, undefined);
  assert.equal(r.diagnostics.length, 1);
  assert.match(r.diagnostics[0].message, /Cannot read the benchmark: no such file/);
});
