/**
 * Expansion of phase definitions into the phases that run: forks, iterations,
 * staircase and the single-phase shorthand, and the model's JSON round trip.
 */
import assert from "node:assert/strict";
import { formatDiagnostic } from "../../src/benchmark/diagnostics.ts";
import { parseBenchmark } from "../../src/benchmark/load.ts";
import type { Benchmark, Phase } from "../../src/benchmark/model.ts";
import { mustLoad } from "../conformance/_corpus.ts";

const HEAD = "name: t\nhttp:\n  host: http://localhost:8080\n";
const SCENARIO = "[{s: [noop]}]";

function load(yaml: string): Benchmark {
  const r = parseBenchmark(HEAD + yaml, { file: "bench.hf.yaml" });
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  assert.deepEqual(errors.map(formatDiagnostic), []);
  return r.benchmark!;
}

function warningsOf(yaml: string): string[] {
  const r = parseBenchmark(HEAD + yaml, { file: "bench.hf.yaml" });
  assert.ok(r.benchmark, r.diagnostics.map(formatDiagnostic).join("\n"));
  return r.diagnostics.filter((d) => d.severity === "warning").map((d) => d.message);
}

const byName = (b: Benchmark) => new Map(b.phases.map((p) => [p.name, p]));
const get = (b: Benchmark, name: string): Phase => {
  const p = byName(b).get(name);
  assert.ok(p, `no phase '${name}' in ${b.phases.map((x) => x.name)}`);
  return p;
};

Deno.test("forks become parent/fork phases with rate × weight / Σweights and a noop umbrella", () => {
  const b = load(`phases:
- shop:
    constantRate:
      usersPerSec: 30
      duration: 10s
      startTime: 5s
      forks:
        browse: {weight: 2, scenario: ${SCENARIO}}
        buy: {weight: 1, scenario: [{b: [noop]}]}
`);
  assert.deepEqual(b.phases.map((p) => p.name), ["shop/browse", "shop/buy", "shop"]);
  const browse = get(b, "shop/browse"), buy = get(b, "shop/buy"), shop = get(b, "shop");
  assert.deepEqual([browse.model, browse.fork, browse.usersPerSec, browse.duration], [
    "constantRate",
    "browse",
    20,
    10_000,
  ]);
  assert.deepEqual([buy.model, buy.fork, buy.usersPerSec, buy.duration], [
    "constantRate",
    "buy",
    10,
    10_000,
  ]);
  // Forks keep the parent's start conditions.
  assert.equal(browse.startTime, 5000);
  assert.equal(buy.startTime, 5000);
  assert.notEqual(browse.scenario, buy.scenario);
  // The umbrella starts when all forks finished and terminates when they terminated.
  assert.equal(shop.model, "noop");
  assert.equal(shop.scenario, undefined);
  assert.deepEqual(shop.startAfter, ["shop/browse", "shop/buy"]);
  assert.deepEqual(shop.terminateAfterStrict, ["shop/browse", "shop/buy"]);
  assert.deepEqual(shop.umbrellaOf, ["shop/browse", "shop/buy"]);
  assert.equal(shop.fork, undefined);
});

Deno.test("forks given as a list load like a mapping", () => {
  const b = load(`phases:
- shop:
    constantRate:
      usersPerSec: 30
      duration: 10s
      forks:
      - browse: {weight: 2, scenario: ${SCENARIO}}
      - buy: {weight: 1, scenario: ${SCENARIO}}
`);
  assert.deepEqual(b.phases.map((p) => [p.name, p.usersPerSec]), [["shop/browse", 20], [
    "shop/buy",
    10,
  ], [
    "shop",
    undefined,
  ]]);
  // Equal scenarios share one index.
  assert.equal(get(b, "shop/browse").scenario, get(b, "shop/buy").scenario);
  assert.equal(b.scenarios.length, 1);
});

Deno.test("forks with weight ≤ 0 are dropped and the rest renormalised", () => {
  const b = load(`phases:
- shop:
    constantRate:
      usersPerSec: 40
      duration: 10s
      forks:
        a: {weight: 1, scenario: ${SCENARIO}}
        off: {weight: 0, scenario: ${SCENARIO}}
        b: {weight: 3, scenario: ${SCENARIO}}
`);
  assert.deepEqual(b.phases.map((p) => [p.name, p.usersPerSec]), [["shop/a", 10], ["shop/b", 30], [
    "shop",
    undefined,
  ]]);
  assert.deepEqual(get(b, "shop").startAfter, ["shop/a", "shop/b"]);
});

Deno.test("a fork's weight defaults to 1", () => {
  const b = load(`phases:
- p:
    constantRate:
      usersPerSec: 10
      duration: 1s
      forks:
        a: {scenario: ${SCENARIO}}
        b: {scenario: ${SCENARIO}}
`);
  assert.deepEqual(b.phases.map((p) => p.usersPerSec), [5, 5, undefined]);
});

Deno.test("closed models round users × weight to integers", () => {
  const b = load(`phases:
- p:
    always:
      users: 10
      duration: 1s
      forks:
        a: {weight: 1, scenario: ${SCENARIO}}
        b: {weight: 2, scenario: ${SCENARIO}}
- q:
    atOnce:
      usersPerAgent: 5
      forks:
        a: {weight: 1, scenario: ${SCENARIO}}
        b: {weight: 1, scenario: ${SCENARIO}}
`);
  assert.deepEqual([get(b, "p/a").users, get(b, "p/b").users], [3, 7]);
  assert.deepEqual([get(b, "q/a").usersPerAgent, get(b, "q/b").usersPerAgent], [3, 3]);
  assert.equal(get(b, "q/a").users, undefined);
  // Closed models have no session pool settings.
  assert.equal(get(b, "p/a").maxSessions, undefined);
  assert.equal(get(b, "p/a").variance, undefined);
});

Deno.test("iterations are name/000… each strictly after the previous, with a noop after the last", () => {
  const b = load(`phases:
- warmup:
    constantRate: {usersPerSec: 1, duration: 1s, scenario: ${SCENARIO}}
- load:
    constantRate:
      maxIterations: 3
      usersPerSec: {base: 10, increment: 5}
      duration: 2s
      startTime: 1m
      startAfter: warmup
      scenario: ${SCENARIO}
`);
  assert.deepEqual(b.phases.map((p) => p.name), [
    "warmup",
    "load/000",
    "load/001",
    "load/002",
    "load",
  ]);
  [0, 1, 2].forEach((k) => {
    const p = get(b, `load/00${k}`);
    assert.equal(p.iteration, k);
    assert.equal(p.maxIterations, 3);
    assert.equal(p.usersPerSec, 10 + 5 * k);
    assert.equal(p.duration, 2000);
    // startTime applies only to iteration 0; every iteration keeps the explicit startAfter.
    assert.equal(p.startTime, k === 0 ? 60_000 : 0);
    assert.deepEqual(p.startAfter, ["warmup"]);
    assert.deepEqual(p.startAfterStrict, k === 0 ? [] : [`load/00${k - 1}`]);
  });
  const umbrella = get(b, "load");
  assert.equal(umbrella.model, "noop");
  assert.deepEqual(umbrella.startAfter, ["load/002"]);
  assert.deepEqual(umbrella.terminateAfterStrict, ["load/002"]);
  // All iterations share the one scenario.
  assert.equal(
    new Set(b.phases.filter((p) => p.scenario !== undefined).map((p) => p.scenario)).size,
    1,
  );
});

Deno.test("iterations with forks: name/00k/fork, a noop name/00k per iteration, strict order on the umbrella", () => {
  const b = load(`phases:
- p:
    constantRate:
      maxIterations: 2
      usersPerSec: {base: 10, increment: 10}
      duration: 1s
      forks:
        a: {weight: 1, scenario: ${SCENARIO}}
        b: {weight: 1, scenario: ${SCENARIO}}
`);
  assert.deepEqual(b.phases.map((p) => p.name), [
    "p/000/a",
    "p/000/b",
    "p/000",
    "p/001/a",
    "p/001/b",
    "p/001",
    "p",
  ]);
  assert.deepEqual(get(b, "p/001/a").startAfterStrict, ["p/000"]);
  assert.deepEqual(get(b, "p/000/a").startAfterStrict, []);
  assert.deepEqual(get(b, "p/001").terminateAfterStrict, ["p/001/a", "p/001/b"]);
  assert.deepEqual([get(b, "p/001").iteration, get(b, "p/001/b").iteration], [1, 1]);
  assert.deepEqual([get(b, "p/000/a").usersPerSec, get(b, "p/001/a").usersPerSec], [5, 10]);
  assert.deepEqual(get(b, "p").startAfter, ["p/001"]);
});

Deno.test("'same' and 'previous' references follow the iteration; 'previous' is dropped in iteration 0", () => {
  const b = load(`phases:
- ramp:
    increasingRate:
      maxIterations: 3
      initialUsersPerSec: {base: 0, increment: 10}
      targetUsersPerSec: {base: 10, increment: 10}
      duration: 1s
      startAfter: {phase: steady, iteration: previous}
      scenario: ${SCENARIO}
- steady:
    constantRate:
      maxIterations: 3
      usersPerSec: {base: 10, increment: 10}
      duration: 1s
      startAfterStrict: {phase: ramp, iteration: same}
      scenario: ${SCENARIO}
`);
  assert.deepEqual(get(b, "ramp/000").startAfter, []);
  assert.deepEqual(get(b, "ramp/001").startAfter, ["steady/000"]);
  assert.deepEqual(get(b, "ramp/002").startAfter, ["steady/001"]);
  assert.deepEqual(get(b, "steady/000").startAfterStrict, ["ramp/000"]);
  assert.deepEqual(get(b, "steady/002").startAfterStrict, ["ramp/002", "steady/001"]);
  assert.deepEqual([get(b, "ramp/002").initialUsersPerSec, get(b, "ramp/002").targetUsersPerSec], [
    20,
    30,
  ]);
});

Deno.test("'iteration: none' (the default) names the umbrella of an iterated phase", () => {
  const b = load(`phases:
- it:
    constantRate: {maxIterations: 2, usersPerSec: 1, duration: 1s, scenario: ${SCENARIO}}
- after:
    constantRate:
      usersPerSec: 1
      duration: 1s
      startAfter: [{phase: it, iteration: none}, it]
      scenario: ${SCENARIO}
`);
  assert.deepEqual(get(b, "after").startAfter, ["it", "it"]);
});

Deno.test("{phase, fork} references name one fork, also per iteration", () => {
  const shop = (iterations: number) =>
    `phases:
- shop:
    constantRate:
      maxIterations: ${iterations}
      usersPerSec: 10
      duration: 1s
      forks:
        browse: {scenario: ${SCENARIO}}
        buy: {scenario: ${SCENARIO}}
`;
  const b = load(
    shop(2) + `- audit:
    constantRate:
      maxIterations: 2
      usersPerSec: 1
      duration: 1s
      startAfter: {phase: shop, iteration: same, fork: buy}
      scenario: ${SCENARIO}
`,
  );
  assert.deepEqual(get(b, "audit/000").startAfter, ["shop/000/buy"]);
  assert.deepEqual(get(b, "audit/001").startAfter, ["shop/001/buy"]);
  const report = `- report:
    atOnce:
      users: 1
      startAfterStrict: {phase: shop, fork: browse}
      scenario: ${SCENARIO}
`;
  assert.deepEqual(get(load(shop(1) + report), "report").startAfterStrict, ["shop/browse"]);
  // An iterated phase has no fork 'shop/browse', only 'shop/000/browse'…
  const r = parseBenchmark(HEAD + shop(2) + report, { file: "bench.hf.yaml" });
  assert.equal(r.benchmark, undefined);
  assert.deepEqual(r.diagnostics.map((d) => d.message), [
    "Phase 'shop/browse' referenced from 'report' is not defined: phase 'shop' has iterations " +
    "(such as 'shop/000/browse'); add 'iteration: same' or 'previous' to the reference",
  ]);
});

Deno.test("startWith keeps its delay in ms and follows iterations", () => {
  const b = load(`phases:
- a:
    constantRate: {maxIterations: 2, usersPerSec: 1, duration: 1s, scenario: ${SCENARIO}}
- b:
    constantRate:
      maxIterations: 2
      usersPerSec: 1
      duration: 1s
      startWith: {phase: a, iteration: same, delay: 1.5s}
      scenario: ${SCENARIO}
- c:
    constantRate: {usersPerSec: 1, duration: 1s, startWith: a, scenario: ${SCENARIO}}
`);
  assert.deepEqual(get(b, "b/000").startWith, { phase: "a/000", delay: 1500 });
  assert.deepEqual(get(b, "b/001").startWith, { phase: "a/001", delay: 1500 });
  assert.deepEqual(get(b, "c").startWith, { phase: "a", delay: 0 });
});

Deno.test("users scale with {base, increment} per iteration", () => {
  const b = load(`phases:
- p:
    always:
      maxIterations: 3
      users: {base: 10, increment: 5}
      duration: 1s
      scenario: ${SCENARIO}
`);
  assert.deepEqual(b.phases.map((p) => p.users), [10, 15, 20, undefined]);
});

Deno.test("default maxSessions of constantRate is ceil(weight × highest rate over all iterations)", () => {
  const b = load(`phases:
- p:
    constantRate:
      maxIterations: 3
      usersPerSec: {base: 10, increment: 10}
      duration: 1s
      forks:
        a: {weight: 1, scenario: ${SCENARIO}}
        b: {weight: 3, scenario: ${SCENARIO}}
`);
  for (let k = 0; k < 3; k++) {
    // Highest rate 30/s: 0.25 × 30 = 7.5 → 8 and 0.75 × 30 = 22.5 → 23, in every iteration.
    assert.equal(get(b, `p/00${k}/a`).maxSessions, 8);
    assert.equal(get(b, `p/00${k}/b`).maxSessions, 23);
  }
});

Deno.test("default maxSessions of a ramp is the ceiling of its peak rate; no float noise", () => {
  const b = load(`phases:
- up:
    increasingRate: {initialUsersPerSec: 1, targetUsersPerSec: 99.5, duration: 1s, scenario: ${SCENARIO}}
- down:
    decreasingRate: {initialUsersPerSec: 40, targetUsersPerSec: 2, duration: 1s, scenario: ${SCENARIO}}
- noise:
    constantRate:
      usersPerSec: 300
      duration: 1s
      forks:
        a: {weight: 0.2, scenario: ${SCENARIO}}
        b: {weight: 0.8, scenario: ${SCENARIO}}
`);
  assert.equal(get(b, "up").maxSessions, 100);
  assert.equal(get(b, "down").maxSessions, 40);
  // 0.2 × 300 is 60.00000000000001 in floating point; the pool is still 60.
  assert.equal(get(b, "noise/a").maxSessions, 60);
  assert.equal(get(b, "noise/b").maxSessions, 240);
});

Deno.test("an explicit maxSessions is multiplied by the fork weight and rounded", () => {
  const b = load(`phases:
- p:
    constantRate:
      usersPerSec: 10
      maxSessions: 101
      duration: 1s
      forks:
        a: {weight: 1, scenario: ${SCENARIO}}
        b: {weight: 3, scenario: ${SCENARIO}}
`);
  assert.deepEqual([get(b, "p/a").maxSessions, get(b, "p/b").maxSessions], [25, 76]);
});

Deno.test("open models default to Poisson arrivals and failing on the session limit", () => {
  const b = load(`phases:
- p:
    constantRate: {usersPerSec: 1, duration: 1s, scenario: ${SCENARIO}}
- q:
    constantRate: {usersPerSec: 1, duration: 1s, variance: false, sessionLimitPolicy: CONTINUE, scenario: ${SCENARIO}}
`);
  assert.deepEqual([get(b, "p").variance, get(b, "p").sessionLimitPolicy], [true, "FAIL"]);
  assert.deepEqual([get(b, "q").variance, get(b, "q").sessionLimitPolicy], [false, "CONTINUE"]);
});

Deno.test("durations: a bare number is seconds, units are honoured", () => {
  const b = load(`phases:
- a:
    constantRate: {usersPerSec: 1, duration: 2, maxDuration: 1m, scenario: ${SCENARIO}}
- b:
    constantRate: {usersPerSec: 1, duration: 500ms, startTime: 0, scenario: ${SCENARIO}}
- c:
    constantRate: {usersPerSec: 1, duration: 1h, scenario: ${SCENARIO}}
`);
  assert.deepEqual([get(b, "a").duration, get(b, "a").maxDuration], [2000, 60_000]);
  assert.deepEqual([get(b, "b").duration, get(b, "b").startTime], [500, 0]);
  assert.equal(get(b, "c").duration, 3_600_000);
});

Deno.test("atOnce ignores duration with a warning", () => {
  const yaml = `phases:
- p:
    atOnce: {users: 2, duration: 5s, scenario: ${SCENARIO}}
`;
  assert.equal(get(load(yaml), "p").duration, 0);
  assert.deepEqual(warningsOf(yaml), ["Phase 'p' is atOnce: 'duration' is ignored"]);
});

Deno.test("deprecated constantPerSec and rampPerSec load with a warning", () => {
  const yaml = `phases:
- a:
    constantPerSec: {usersPerSec: 1, duration: 1s, scenario: ${SCENARIO}}
- b:
    rampPerSec: {initialUsersPerSec: 1, targetUsersPerSec: 5, duration: 1s, scenario: ${SCENARIO}}
- c:
    rampPerSec: {initialUsersPerSec: 5, targetUsersPerSec: 1, duration: 1s, scenario: ${SCENARIO}}
`;
  const b = load(yaml);
  assert.deepEqual(b.phases.map((p) => p.model), [
    "constantRate",
    "increasingRate",
    "decreasingRate",
  ]);
  const w = warningsOf(yaml);
  assert.equal(w.length, 3);
  assert.match(w[0], /'constantPerSec' is deprecated: use 'constantRate'/);
});

Deno.test("a user noop phase waits for others and has no scenario", () => {
  const b = load(`phases:
- a:
    constantRate: {usersPerSec: 1, duration: 1s, scenario: ${SCENARIO}}
- gate:
    noop:
      startAfter: a
- b:
    atOnce: {users: 1, startAfter: gate, scenario: ${SCENARIO}}
- idle:
    noop:
`);
  assert.deepEqual([get(b, "gate").model, get(b, "gate").startAfter, get(b, "gate").scenario], [
    "noop",
    ["a"],
    undefined,
  ]);
  assert.deepEqual(get(b, "b").startAfter, ["gate"]);
  assert.equal(get(b, "idle").model, "noop");
});

Deno.test("the shorthand makes one constantRate phase 'main' from the top-level keys", () => {
  const b = load(`usersPerSec: 7
duration: 3
maxDuration: 4s
maxSessions: 9
customSla:
  s: {meanResponseTime: 10ms}
scenario:
- s:
  - noop
`);
  assert.equal(b.phases.length, 1);
  const p = b.phases[0];
  assert.deepEqual([p.name, p.model, p.usersPerSec, p.duration, p.maxDuration, p.maxSessions], [
    "main",
    "constantRate",
    7,
    3000,
    4000,
    9,
  ]);
  assert.deepEqual(Object.keys(p.customSla), ["s"]);
  assert.equal(p.customSla.s[0].meanResponseTime, 10);
});

Deno.test("no phases at all is a valid benchmark with 0 phases", () => {
  assert.deepEqual(load("").phases, []);
});

Deno.test("staircase: initialUsersPerSec defaults to the increment; no rampUpDuration means no rampUp phases", () => {
  const b = load(`staircase:
  steadyStateDuration: 10s
  initialRampUpDuration: 2s
  incrementUsersPerSec: 4
  maxIterations: 2
  scenario: ${SCENARIO}
`);
  assert.deepEqual(b.phases.map((p) => p.name), [
    "initialRampUp",
    "steadyState/000",
    "steadyState/001",
    "steadyState",
  ]);
  assert.deepEqual([
    get(b, "initialRampUp").initialUsersPerSec,
    get(b, "initialRampUp").targetUsersPerSec,
  ], [0, 4]);
  assert.deepEqual([get(b, "steadyState/000").usersPerSec, get(b, "steadyState/001").usersPerSec], [
    4,
    8,
  ]);
  assert.deepEqual(get(b, "steadyState/001").startAfter, ["initialRampUp"]);
});

Deno.test("staircase: the initial ramp-up falls back to rampUpDuration", () => {
  const b = load(`staircase:
  steadyStateDuration: 10s
  rampUpDuration: 3s
  initialUsersPerSec: 2
  incrementUsersPerSec: 1
  maxIterations: 2
  maxSessions: 50
  scenario: ${SCENARIO}
`);
  assert.deepEqual(b.phases.map((p) => p.name), [
    "initialRampUp",
    "steadyState/000",
    "steadyState/001",
    "steadyState",
    "rampUp/000",
    "rampUp",
  ]);
  assert.equal(get(b, "initialRampUp").duration, 3000);
  assert.deepEqual([
    get(b, "rampUp/000").initialUsersPerSec,
    get(b, "rampUp/000").targetUsersPerSec,
  ], [2, 3]);
  assert.ok(b.phases.filter((p) => p.model !== "noop").every((p) => p.maxSessions === 50));
});

Deno.test("staircase with forks splits every generated phase", () => {
  const b = load(`staircase:
  steadyStateDuration: 1s
  rampUpDuration: 1s
  incrementUsersPerSec: 10
  maxIterations: 2
  forks:
    a: {weight: 1, scenario: ${SCENARIO}}
    b: {weight: 4, scenario: ${SCENARIO}}
`);
  assert.deepEqual(get(b, "steadyState/001/b").usersPerSec, 16);
  assert.deepEqual(get(b, "initialRampUp/a").targetUsersPerSec, 2);
  assert.deepEqual(get(b, "rampUp/000/b").targetUsersPerSec, 16);
});

Deno.test("phase ids are their index", async () => {
  const b = await mustLoad("examples/eshop-forks.hf.yaml");
  b.phases.forEach((p, i) => assert.equal(p.id, i));
});

Deno.test("the model round-trips through JSON unchanged and shares scenarios by index", async () => {
  const files: [string, Record<string, string>][] = [
    ["test-suite/complex.hf.yaml", {}],
    ["test-suite/iteration.hf.yaml", {}],
    ["test-suite/simple.hf.yaml", {}],
    ["test-suite/generators.hf.yaml", {}],
    ["test-suite/mutualTls.hf.yaml", {}],
    ["test-suite/start-with-delay.hf.yaml", {}],
    ["examples/choose-movie.hf.yaml", {}],
    ["examples/eshop-forks.hf.yaml", {}],
    ["examples/http-requests.hf.yaml", {}],
    ["examples/two-agents.hf.yaml", {}],
    ["http/EmbeddedResourcesTest.hf.yaml", {}],
    ["http/FollowRedirectTest_manual.hf.yaml", {}],
    ["core/random-csv.hf.yaml", {}],
  ];
  for (const [file, params] of files) {
    const b = await mustLoad(file, { params });
    const copy = JSON.parse(JSON.stringify(b));
    assert.deepEqual(copy, b, file);
    for (const p of b.phases) {
      if (p.model === "noop") assert.equal(p.scenario, undefined, `${file} ${p.name}`);
      else assert.ok(p.scenario! >= 0 && p.scenario! < b.scenarios.length, `${file} ${p.name}`);
    }
  }
  // 62 phases of eshop-forks use 2 scenarios; iteration's 12 forked phases use 2.
  assert.equal((await mustLoad("examples/eshop-forks.hf.yaml")).scenarios.length, 2);
  assert.equal((await mustLoad("test-suite/iteration.hf.yaml")).scenarios.length, 2);
});
