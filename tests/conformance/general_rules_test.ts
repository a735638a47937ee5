/**
 * EXPECTATIONS.md §1, the parser/builder rules the corpus relies on, checked
 * on small inline benchmarks: durations, the http section and authority
 * matching, status ranges, SLA defaults, scenario shapes and agents.
 */
import assert from "node:assert/strict";
import { formatDiagnostic } from "../../src/benchmark/diagnostics.ts";
import { parseBenchmark } from "../../src/benchmark/load.ts";
import type { Benchmark } from "../../src/benchmark/model.ts";

type Rec = Record<string, unknown>;

function load(yaml: string): Benchmark {
  const r = parseBenchmark(yaml, { file: "bench.hf.yaml" });
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === "error").map(formatDiagnostic), []);
  return r.benchmark!;
}

function errors(yaml: string): string[] {
  const r = parseBenchmark(yaml, { file: "bench.hf.yaml" });
  assert.equal(r.benchmark, undefined);
  return r.diagnostics.filter((d) => d.severity === "error").map((d) => d.message);
}

const steps = (b: Benchmark) => b.scenarios[0].sequences[0].steps as Rec[];

/** A shorthand benchmark with the given http section and steps of one sequence. */
const bench = (http: string, ...stepLines: string[]) =>
  `name: t\nhttp:\n${http}\nusersPerSec: 1\nduration: 1\nscenario:\n- s:\n${
    stepLines.map((s) => `  - ${s}`).join("\n")
  }\n`;

Deno.test("http: a mapping is the default target; host may carry scheme and port", () => {
  const cases: [string, [string, string, number]][] = [
    ["  host: localhost", ["http", "localhost", 80]],
    ["  host: https://localhost", ["https", "localhost", 443]],
    ["  host: http://localhost:8080", ["http", "localhost", 8080]],
    ["  host: localhost:9000", ["http", "localhost", 9000]],
    ["  host: localhost\n  protocol: https\n  port: 8443", ["https", "localhost", 8443]],
    ["  host: localhost\n  port: 443", ["https", "localhost", 443]],
    ["  host: http://localhost/", ["http", "localhost", 80]],
  ];
  for (const [http, expected] of cases) {
    const b = load(bench(http, "noop"));
    assert.deepEqual([b.http[0].protocol, b.http[0].host, b.http[0].port], expected, http);
    assert.equal(b.http[0].isDefault, true);
    assert.equal(b.http[0].authority, `${expected[1]}:${expected[2]}`);
  }
});

Deno.test("http: endpoint defaults match Hyperfoil's", () => {
  const h = load(bench("  host: localhost", "noop")).http[0];
  assert.deepEqual(h.sharedConnections, { core: 1, max: 1, buffer: 0, keepAliveTime: 0 });
  assert.deepEqual(
    [h.connectionStrategy, h.requestTimeout, h.sslHandshakeTimeout, h.allowHttp1x, h.allowHttp2],
    ["SHARED_POOL", 30_000, 10_000, true, true],
  );
  assert.deepEqual([h.maxHttp2Streams, h.pipeliningLimit, h.rawBytesHandlers, h.useHttpCache], [
    100,
    1,
    true,
    true,
  ]);
});

Deno.test("http: sharedConnections as a mapping", () => {
  const h = load(
    bench(
      "  host: localhost\n  sharedConnections: {core: 2, max: 8, buffer: 1, keepAliveTime: 5s}",
      "noop",
    ),
  )
    .http[0];
  assert.deepEqual(h.sharedConnections, { core: 2, max: 8, buffer: 1, keepAliveTime: 5000 });
});

const TWO = "- host: http://a.example\n- host: https://a.example\n  name: secure";

Deno.test("request authorities without a port match the target whose default port fits", () => {
  const b = load(bench(
    TWO,
    "httpRequest: {GET: /, authority: 'a.example:80'}",
    "httpRequest: {GET: /, authority: 'a.example:443'}",
    "httpRequest: {GET: /, endpoint: secure}",
    "httpRequest: {GET: /, authority: '${host}'}",
  ));
  assert.deepEqual(steps(b).map((s) => s.authority), [
    "a.example:80",
    "a.example:443",
    "a.example:443",
    undefined,
  ]);
  assert.equal(steps(b)[2].endpoint, "secure");
});

Deno.test("an authority matching two targets is ambiguous; one matching none is undeclared", () => {
  assert.deepEqual(errors(bench(TWO, "httpRequest: {GET: /docs, authority: a.example}")), [
    "GET to a.example/docs is ambiguous - matches 'http://a.example:80', 'https://a.example:443'",
  ]);
  assert.deepEqual(errors(bench(TWO, "httpRequest: {GET: /docs, authority: 'a.example:8080'}")), [
    "GET to a.example:8080/docs is invalid - no HTTP configuration defined",
  ]);
});

Deno.test({
  name:
    "an authority without a port is compared with the target's default port, not its actual one",
  fn: () => {
    assert.deepEqual(
      errors(bench("- host: b.example:8080", "httpRequest: {GET: /x, authority: b.example}")),
      [
        "GET to b.example/x is invalid - no HTTP configuration defined",
      ],
    );
  },
});

Deno.test("status ranges: 2xx, 30x, 401, 200-210 and {min, max}", () => {
  const b = load(bench(
    "  host: localhost",
    "httpRequest: {GET: /, handler: {status: {range: 2xx}}}",
    "httpRequest: {GET: /, handler: {status: {range: 30x}}}",
    "httpRequest: {GET: /, handler: {status: {range: 401}}}",
    "httpRequest: {GET: /, handler: {status: {range: 200-210}}}",
    "httpRequest: {GET: /, handler: {status: {range: {min: 100, max: 199}}}}",
  ));
  const ranges = steps(b).map((s) =>
    ((s.handler as Rec).status as { ranges: unknown[] }[])[0].ranges
  );
  assert.deepEqual(ranges, [
    [{ min: 200, max: 299 }],
    [{ min: 300, max: 309 }],
    [{ min: 401, max: 401 }],
    [{ min: 200, max: 210 }],
    [{ min: 100, max: 199 }],
  ]);
});

Deno.test("SLA: a request without 'sla' gets one default SLA; windows are seconds when bare", () => {
  const b = load(bench(
    "  host: localhost",
    "httpRequest: {GET: /}",
    "httpRequest: {GET: /, sla: {window: 30, meanResponseTime: 10 ms, limits: {0.999: 1s}}}",
  ));
  assert.deepEqual(steps(b)[0].sla, [{
    errorRatio: 1.01,
    invalidRatio: 1.01,
    blockedRatio: 0,
    limits: {},
  }]);
  assert.deepEqual(steps(b)[1].sla, [
    {
      errorRatio: 1.01,
      invalidRatio: 1.01,
      blockedRatio: 0,
      window: 30_000,
      meanResponseTime: 10,
      limits: { "0.999": 1000 },
    },
  ]);
});

Deno.test("think time needs a unit; a space before it is allowed", () => {
  const b = load(bench("  host: localhost", "thinkTime: 100ms", "thinkTime: {duration: 1 s}"));
  assert.deepEqual(steps(b).map((s) => s.duration), [100, 1000]);
  const e = errors(bench("  host: localhost", "thinkTime: 100"));
  assert.equal(e.length, 1);
  assert.match(e[0], /Found '100', expected a duration .* \(with a unit\)/);
});

Deno.test("scenario shapes: a list is orderedSequences; explicit initial and other sequences", () => {
  const ordered = load(
    "name: t\nusersPerSec: 1\nduration: 1\nscenario:\n- a: [noop]\n- b: [noop]\n- c: [noop]\n",
  );
  assert.deepEqual(
    ordered.scenarios[0].sequences.map((q) => [q.name, q.initial, q.steps.map((s) => s.type)]),
    [["a", true, ["noop", "nextSequence"]], ["b", false, ["noop", "nextSequence"]], ["c", false, [
      "noop",
    ]]],
  );
  const explicit = load(
    "name: t\nusersPerSec: 1\nduration: 1\nscenario:\n  maxRequests: 4\n  maxSequences: 32\n" +
      "  initialSequences:\n  - a: [{newSequence: 'b'}]\n  - c: [noop]\n  sequences:\n  - b[5]: [noop]\n",
  );
  const s = explicit.scenarios[0];
  assert.deepEqual([s.maxRequests, s.maxSequences], [4, 32]);
  assert.deepEqual(s.sequences.map((q) => [q.name, q.initial, q.concurrency]), [["a", true, 0], [
    "c",
    true,
    0,
  ], [
    "b",
    false,
    5,
  ]]);
  const defaults = ordered.scenarios[0];
  assert.deepEqual([defaults.maxRequests, defaults.maxSequences], [16, 16]);
});

Deno.test("agents: the 'default' agent supplies properties; inline strings keep user, host and port", () => {
  const b = load(
    "name: t\nagents:\n  default: {user: bob, port: 2222, threads: 2}\n  a: {host: h1}\n  b: alice@h2\n  c: h3:23\n",
  );
  assert.deepEqual(b.agents.map((a) => [a.name, a.user, a.host, a.port, a.properties.threads]), [
    ["a", "bob", "h1", 2222, "2"],
    ["b", "alice", "h2", 2222, "2"],
    ["c", "bob", "h3", 23, "2"],
  ]);
  assert.deepEqual(b.agents.map((a) => a.inline), [undefined, "alice@h2", "h3:23"]);
});

Deno.test("hooks: mapping or list, inline or {exec}, sorted by name", () => {
  const b = load("name: t\npre:\n  b: two\n  a: {exec: one}\npost:\n- z: last\n- y: first\n");
  assert.deepEqual(b.pre, [{ name: "a", exec: "one" }, { name: "b", exec: "two" }]);
  assert.deepEqual(b.post, [{ name: "y", exec: "first" }, { name: "z", exec: "last" }]);
});

Deno.test("top-level settings: threads, statisticsCollectionPeriod, failurePolicy, triggerUrl", () => {
  const b = load(
    "name: t\nthreads: 4\nstatisticsCollectionPeriod: 500\nfailurePolicy: CONTINUE\ntriggerUrl: http://ci/start\n",
  );
  assert.deepEqual([b.threads, b.statisticsCollectionPeriod, b.failurePolicy, b.triggerUrl], [
    4,
    500,
    "CONTINUE",
    "http://ci/start",
  ]);
});
