/**
 * The facts EXPECTATIONS.md §2 records for `benchmarks/test-suite/`
 * (Hyperfoil's YamlParserTest and friends), expressed in hf's model:
 * phases are expanded, durations are ms, steps are one record per YAML step.
 */
import assert from "node:assert/strict";
import type { Benchmark, Phase } from "../../src/benchmark/model.ts";
import { loadCorpus, mustLoad, near, phase, scenarioOf } from "./_corpus.ts";

const names = (b: Benchmark) => b.phases.map((p) => p.name);
const stepTypes = (b: Benchmark, p: string | Phase, seq?: string) => {
  const s = scenarioOf(b, p);
  const q = seq === undefined ? s.sequences[0] : s.sequences.find((x) => x.name === seq);
  assert.ok(q, `sequence ${seq}`);
  return q.steps.map((st) => st.type);
};

Deno.test("simple: 3 phases reusing one scenario with one 6-step sequence", async () => {
  const b = await mustLoad("test-suite/simple.hf.yaml");
  assert.deepEqual(names(b), ["rampUp", "steadyState", "rampDown"]);
  const [rampUp, steady, rampDown] = b.phases;
  assert.equal(rampUp.model, "increasingRate");
  assert.equal(rampUp.initialUsersPerSec, 1);
  assert.equal(rampUp.targetUsersPerSec, 100);
  assert.equal(rampUp.duration, 3000);
  assert.deepEqual(rampUp.startAfter, []);
  assert.equal(steady.model, "constantRate");
  assert.equal(steady.usersPerSec, 100);
  assert.equal(steady.duration, 6000);
  assert.deepEqual(steady.startAfter, ["rampUp"]);
  assert.equal(rampDown.model, "decreasingRate");
  assert.equal(rampDown.initialUsersPerSec, 100);
  assert.equal(rampDown.targetUsersPerSec, 1);
  assert.equal(rampDown.duration, 3000);
  assert.deepEqual(rampDown.startAfter, ["rampUp", "steadyState"]);
  // `&scenario` is one scenario shared by index.
  assert.equal(b.scenarios.length, 1);
  assert.ok(b.phases.every((p) => p.scenario === 0));
  const s = b.scenarios[0];
  assert.equal(s.sequences.length, 1);
  assert.equal(s.sequences[0].name, "testSequence");
  assert.equal(s.sequences[0].initial, true);
  // Hyperfoil counts 8 built steps (prepare+send twice, no sync wrappers); the model keeps one record each.
  assert.deepEqual(stepTypes(b, "rampUp"), [
    "httpRequest",
    "set",
    "httpRequest",
    "noop",
    "awaitInt",
    "scheduleDelay",
  ]);
});

Deno.test("complex: 3 ssh agents with user, host and port", async () => {
  const b = await mustLoad("test-suite/complex.hf.yaml");
  assert.equal(b.agents.length, 3);
  b.agents.forEach((a, i) => {
    const host = `benchclient${i + 1}.perf.lab.eng.rdu.redhat.com`;
    assert.equal(a.name, `client${i + 1}`);
    assert.equal(a.inline, `benchuser@${host}:22`);
    assert.equal(a.user, "benchuser");
    assert.equal(a.host, host);
    assert.equal(a.port, 22);
  });
});

Deno.test("complex: two http list entries give no default target", async () => {
  const b = await mustLoad("test-suite/complex.hf.yaml");
  assert.equal(b.http.length, 2);
  assert.ok(b.http.every((h) => !h.isDefault));
  assert.deepEqual(b.http.map((h) => [h.protocol, h.host, h.port]), [["http", "localhost", 8080], [
    "https",
    "localhost",
    8443,
  ]]);
});

const COMPLEX_FORKS = {
  invalidRegistration: 0.2,
  validRegistration: 0.8,
  unregister: 0.1,
  viewUser: 1,
};

Deno.test("complex: 10 phases, forks weighted 100 × w / 2.1 with noop umbrellas", async () => {
  const b = await mustLoad("test-suite/complex.hf.yaml");
  const forks = Object.keys(COMPLEX_FORKS);
  assert.deepEqual(names(b), [
    ...forks.map((f) => `rampUp/${f}`),
    "rampUp",
    ...forks.map((f) => `steadyState/${f}`),
    "steadyState",
  ]);
  let sum = 0;
  for (const [fork, w] of Object.entries(COMPLEX_FORKS)) {
    const share = w / 2.1;
    const steady = phase(b, `steadyState/${fork}`);
    assert.equal(steady.model, "constantRate");
    assert.equal(steady.fork, fork);
    assert.ok(near(steady.usersPerSec, 100 * share), `${fork}: ${steady.usersPerSec}`);
    sum += steady.usersPerSec!;
    const ramp = phase(b, `rampUp/${fork}`);
    assert.equal(ramp.model, "increasingRate");
    assert.ok(near(ramp.initialUsersPerSec, share));
    assert.ok(near(ramp.targetUsersPerSec, 100 * share));
    assert.equal(ramp.duration, 3000);
    assert.equal(steady.duration, 6000);
    assert.deepEqual(steady.startAfter, ["rampUp"]);
    // steadyState forks reuse the rampUp forks' scenarios (by alias, so by index).
    assert.equal(steady.scenario, ramp.scenario);
  }
  assert.ok(near(sum, 100));
  assert.ok(near(phase(b, "steadyState/viewUser").usersPerSec, 47.619));
  assert.ok(near(phase(b, "steadyState/invalidRegistration").usersPerSec, 9.524));
  for (const umbrella of ["rampUp", "steadyState"]) {
    const u = phase(b, umbrella);
    assert.equal(u.model, "noop");
    assert.equal(u.scenario, undefined);
    const covered = forks.map((f) => `${umbrella}/${f}`);
    assert.deepEqual(u.startAfter, covered);
    assert.deepEqual(u.terminateAfterStrict, covered);
  }
});

Deno.test("complex: ordered sequences chain login → unregister and login → viewUser → logout", async () => {
  const b = await mustLoad("test-suite/complex.hf.yaml");
  const unregister = scenarioOf(b, "rampUp/unregister");
  assert.deepEqual(unregister.sequences.map((q) => [q.name, q.initial]), [["login", true], [
    "unregister",
    false,
  ]]);
  assert.deepEqual(unregister.sequences[0].steps.map((s) => s.type), ["thinkTime", "nextSequence"]);
  assert.equal(unregister.sequences[0].steps[1].sequence, "unregister");
  assert.deepEqual(unregister.sequences[1].steps.map((s) => s.type), ["thinkTime"]);
  const view = scenarioOf(b, "rampUp/viewUser");
  assert.deepEqual(view.sequences.map((q) => q.name), ["login", "viewUser", "logout"]);
  assert.deepEqual(view.sequences.map((q) => q.initial), [true, false, false]);
  assert.deepEqual(view.sequences.map((q) => q.steps.at(-1)!.type), [
    "nextSequence",
    "nextSequence",
    "thinkTime",
  ]);
  assert.equal(view.sequences[1].steps.at(-1)!.sequence, "logout");
  // The `&login` anchor reused in another fork loads to the same steps.
  assert.deepEqual(view.sequences[0].steps[0], unregister.sequences[0].steps[0]);
});

Deno.test("shortcut: one constantRate phase 'main' of 3 s / max 5 s, 100/s, maxSessions 1234", async () => {
  const b = await mustLoad("test-suite/shortcut.hf.yaml");
  assert.equal(b.phases.length, 1);
  const p = b.phases[0];
  assert.equal(p.name, "main");
  assert.equal(p.model, "constantRate");
  assert.equal(p.duration, 3000);
  assert.equal(p.maxDuration, 5000);
  assert.equal(p.usersPerSec, 100);
  assert.equal(p.maxSessions, 1234);
  const s = scenarioOf(b, p);
  assert.deepEqual(s.sequences.map((q) => [q.name, q.initial]), [["test", true]]);
  assert.deepEqual(stepTypes(b, p), ["httpRequest"]);
});

Deno.test("iteration: 20 phases, forks per iteration, rates base + k × increment split 0.2/0.8", async () => {
  const b = await mustLoad("test-suite/iteration.hf.yaml");
  const expected: string[] = [];
  for (const name of ["rampUp", "steadyState"]) {
    for (let k = 0; k < 3; k++) {
      expected.push(`${name}/00${k}/foo`, `${name}/00${k}/bar`, `${name}/00${k}`);
    }
    expected.push(name);
  }
  assert.deepEqual(names(b), expected);
  assert.equal(b.phases.length, 20);
  const ramp = {
    foo: [[0.2, 20], [20.2, 40], [40.2, 60]],
    bar: [[0.8, 80], [80.8, 160], [160.8, 240]],
  };
  const steady = { foo: [20, 40, 60], bar: [80, 160, 240] };
  for (const fork of ["foo", "bar"] as const) {
    for (let k = 0; k < 3; k++) {
      const r = phase(b, `rampUp/00${k}/${fork}`);
      assert.equal(r.model, "increasingRate");
      assert.equal(r.iteration, k);
      assert.ok(
        near(r.initialUsersPerSec, ramp[fork][k][0], 1e-6),
        `${r.name} ${r.initialUsersPerSec}`,
      );
      assert.ok(
        near(r.targetUsersPerSec, ramp[fork][k][1], 1e-6),
        `${r.name} ${r.targetUsersPerSec}`,
      );
      const s = phase(b, `steadyState/00${k}/${fork}`);
      assert.equal(s.model, "constantRate");
      assert.ok(near(s.usersPerSec, steady[fork][k], 1e-6), `${s.name} ${s.usersPerSec}`);
      // rampUp k starts after steadyState k-1; steadyState k after rampUp k.
      assert.deepEqual(r.startAfter, k === 0 ? [] : [`steadyState/00${k - 1}`]);
      assert.deepEqual(s.startAfter, [`rampUp/00${k}`]);
    }
  }
});

Deno.test("awaitDelay: one 100/s phase of 30 s, 200 shared connections, 4 steps", async () => {
  const b = await mustLoad("test-suite/awaitDelay.hf.yaml");
  assert.deepEqual(names(b), ["steadyState"]);
  const p = b.phases[0];
  assert.equal(p.usersPerSec, 100);
  assert.equal(p.duration, 30_000);
  assert.equal(b.http[0].sharedConnections.max, 200);
  assert.equal(b.http[0].sharedConnections.core, 200);
  assert.deepEqual(stepTypes(b, p), ["scheduleDelay", "httpRequest", "httpRequest", "awaitDelay"]);
});

Deno.test("generators: two atOnce phases share the scenario and the three data files are embedded", async () => {
  const b = await mustLoad("test-suite/generators.hf.yaml");
  assert.deepEqual(names(b), ["testPhase", "anotherPhase"]);
  for (const p of b.phases) {
    assert.equal(p.model, "atOnce");
    assert.equal(p.users, 1);
    assert.equal(p.duration, 0);
  }
  assert.equal(b.phases[0].scenario, b.phases[1].scenario);
  assert.deepEqual(stepTypes(b, "testPhase"), [
    "randomItem",
    "randomItem",
    "randomItem",
    "randomItem",
    "randomItem",
    "randomFile",
  ]);
  assert.deepEqual(Object.keys(b.files).sort(), [
    "data/YamlParserTest_testGeneratorsYaml_foo.txt",
    "data/random-sample-test.csv",
    "data/testdata.csv",
  ]);
  const foo = atob(b.files["data/YamlParserTest_testGeneratorsYaml_foo.txt"]);
  assert.deepEqual(foo.split("\n").filter((l) => l.trim() !== ""), ["foo", "bar"]);
});

Deno.test("httpRequest: autoRangeCheck off, one atOnce phase with request, set, request", async () => {
  const b = await mustLoad("test-suite/httpRequest.hf.yaml");
  assert.equal(b.ergonomics.autoRangeCheck, false);
  assert.equal(b.ergonomics.stopOnInvalid, true);
  assert.deepEqual(names(b), ["testPhase"]);
  assert.deepEqual(stepTypes(b, "testPhase"), ["httpRequest", "set", "httpRequest"]);
});

Deno.test("agents1: 2 agents from a mapping, inline and empty; 0 phases", async () => {
  const b = await mustLoad("test-suite/agents1.hf.yaml");
  assert.deepEqual(b.agents.map((a) => a.name), ["agent-one", "agent-two"]);
  const [one, two] = b.agents;
  assert.equal(one.inline, "user@host:1234");
  assert.deepEqual([one.user, one.host, one.port], ["user", "host", 1234]);
  assert.equal(two.inline, undefined);
  assert.equal(two.host, undefined);
  assert.deepEqual(two.properties, {});
  assert.equal(b.phases.length, 0);
});

Deno.test("agents2: 3 agents from a list: inline, empty value and bare name", async () => {
  const b = await mustLoad("test-suite/agents2.hf.yaml");
  assert.deepEqual(b.agents.map((a) => a.name), ["agent-one", "agent-two", "agent-three"]);
  assert.deepEqual([b.agents[0].user, b.agents[0].host, b.agents[0].port], ["user", "host", 1234]);
  for (const a of b.agents.slice(1)) {
    assert.equal(a.inline, undefined);
    assert.deepEqual(a.properties, {});
  }
  assert.equal(b.phases.length, 0);
});

Deno.test("valid-authorities: 4 distinct authorities, foobar.com with 3 addresses, all requests validate", async () => {
  const b = await mustLoad("test-suite/valid-authorities.hf.yaml");
  assert.equal(b.http.length, 5);
  const authorities = [...new Set(b.http.map((h) => h.authority))];
  assert.equal(authorities.length, 4);
  assert.deepEqual(
    new Set(b.http.map((h) => h.host)),
    new Set(["example.com", "hyperfoil.io", "foobar.com", "myhost"]),
  );
  assert.ok(b.http.every((h) => !h.isDefault));
  const foobar = b.http.find((h) => h.host === "foobar.com")!;
  assert.deepEqual(foobar.addresses, [
    "proxy.my-locally-defined-domain.test",
    "192.168.1.10",
    "192.168.1.11:8080",
  ]);
  assert.equal(foobar.sharedConnections.max, 30);
  assert.deepEqual(b.http.filter((h) => h.host === "myhost").map((h) => h.name), [
    "myhost-1",
    "myhost-2",
  ]);
  const hyperfoil = b.http.find((h) => h.host === "hyperfoil.io")!;
  assert.deepEqual([hyperfoil.protocol, hyperfoil.port], ["https", 443]);
  assert.deepEqual(names(b), ["main"]);
  assert.equal(b.phases[0].usersPerSec, 1);
  assert.equal(b.phases[0].duration, 1000);
});

Deno.test("staircase: 8 phases with the listed rates, durations and order", async () => {
  for (const file of ["test-suite/staircase.hf.yaml", "examples/staircase.hf.yaml"]) {
    const b = await mustLoad(file);
    assert.equal(b.phases.length, 8, file);
    const ramps = b.phases.filter((p) => p.model === "increasingRate");
    const constants = b.phases.filter((p) => p.model === "constantRate");
    assert.equal(ramps.length, 3);
    assert.equal(constants.length, 3);
    for (const p of b.phases.filter((p) => p.model !== "noop")) {
      assert.deepEqual(scenarioOf(b, p).sequences.filter((q) => q.initial).length, 1);
    }
    const init = phase(b, "initialRampUp");
    assert.deepEqual([init.initialUsersPerSec, init.targetUsersPerSec, init.duration], [
      0,
      5,
      10_000,
    ]);
    [5, 6, 7].forEach((rate, k) => {
      const s = phase(b, `steadyState/00${k}`);
      assert.deepEqual([s.usersPerSec, s.duration], [rate, 10_000]);
    });
    [[5, 6], [6, 7]].forEach(([from, to], k) => {
      const r = phase(b, `rampUp/00${k}`);
      assert.deepEqual([r.initialUsersPerSec, r.targetUsersPerSec, r.duration], [from, to, 5000]);
    });
    assert.equal(phase(b, "steadyState").model, "noop");
    assert.equal(phase(b, "rampUp").model, "noop");
    // initialRampUp → ss/000 → rampUp/000 → ss/001 → rampUp/001 → ss/002
    const waits = (p: string) => [...phase(b, p).startAfter, ...phase(b, p).startAfterStrict];
    assert.deepEqual(waits("initialRampUp"), []);
    assert.ok(waits("steadyState/000").includes("initialRampUp"));
    assert.ok(waits("rampUp/000").includes("steadyState/000"));
    assert.ok(waits("steadyState/001").includes("rampUp/000"));
    assert.ok(waits("rampUp/001").includes("steadyState/001"));
    assert.ok(waits("steadyState/002").includes("rampUp/001"));
  }
});

Deno.test("mutualTls: key manager password 'foobar', trust manager store type 'FOO'", async () => {
  const b = await mustLoad("test-suite/mutualTls.hf.yaml");
  const h = b.http[0];
  assert.equal(h.isDefault, true);
  assert.equal(h.keyManager?.password, "foobar");
  assert.equal(h.trustManager?.storeType, "FOO");
  const p = phase(b, "main");
  assert.deepEqual([p.usersPerSec, p.duration, p.maxDuration], [100, 3000, 5000]);
  assert.deepEqual(stepTypes(b, p), ["noop"]);
});

Deno.test("hooks: 2 pre hooks sorted by name and 1 post hook", async () => {
  const b = await mustLoad("test-suite/hooks.hf.yaml");
  assert.deepEqual(b.pre, [{ name: "01-direct", exec: "foobar" }, {
    name: "02-service-loaded",
    exec: "goo",
  }]);
  assert.deepEqual(b.post, [{ name: "99-using-list", exec: "foobar" }]);
});

Deno.test("specialvars: 10 iterations of an always phase plus the noop 'test'", async () => {
  const b = await mustLoad("test-suite/specialvars.hf.yaml");
  assert.equal(b.phases.length, 11);
  for (let k = 0; k < 10; k++) {
    const p = b.phases[k];
    assert.equal(p.name, `test/00${k}`);
    assert.deepEqual([p.model, p.users, p.duration, p.iteration], ["always", 1, 2000, k]);
  }
  assert.equal(b.phases[10].name, "test");
  assert.equal(b.phases[10].model, "noop");
  assert.deepEqual(stepTypes(b, "test/000"), ["randomInt", "log", "thinkTime"]);
});

Deno.test("loop: ordered sequences test → another, the latter an alias of the former's steps", async () => {
  const b = await mustLoad("test-suite/loop.hf.yaml");
  const p = phase(b, "main");
  assert.deepEqual([p.usersPerSec, p.duration], [10, 5000]);
  const s = scenarioOf(b, p);
  assert.deepEqual(s.sequences.map((q) => q.name), ["test", "another"]);
  assert.deepEqual(s.sequences[0].steps.map((x) => x.type), ["loop", "log", "nextSequence"]);
  assert.deepEqual(s.sequences[1].steps.map((x) => x.type), ["loop", "log"]);
  assert.deepEqual(s.sequences[0].steps.slice(0, 2), s.sequences[1].steps);
});

Deno.test("customSla: 2 custom SLA metrics, foo with 1 SLA and bar with 2", async () => {
  const b = await mustLoad("test-suite/customSla.hf.yaml");
  assert.deepEqual(names(b), ["main"]);
  const sla = b.phases[0].customSla;
  assert.deepEqual(Object.keys(sla), ["foo", "bar"]);
  assert.equal(sla.foo.length, 1);
  assert.equal(sla.foo[0].errorRatio, 0);
  assert.equal(sla.foo[0].window, undefined);
  assert.equal(sla.bar.length, 2);
  assert.equal(sla.bar[0].meanResponseTime, 200);
  assert.equal(sla.bar[0].window, undefined);
  assert.equal(sla.bar[1].window, 60_000);
  assert.equal(sla.bar[1].meanResponseTime, 500);
  // Unset properties keep Hyperfoil's defaults.
  assert.deepEqual([sla.bar[1].errorRatio, sla.bar[1].invalidRatio, sla.bar[1].blockedRatio], [
    1.01,
    1.01,
    0,
  ]);
});

Deno.test("start-with-delay: rampUp starts 4 s after steadyState starts", async () => {
  const b = await mustLoad("test-suite/start-with-delay.hf.yaml");
  assert.equal(b.name, "benchmark using start with delay");
  assert.deepEqual(names(b), ["rampUp", "steadyState"]);
  const ramp = phase(b, "rampUp");
  assert.deepEqual(ramp.startWith, { phase: "steadyState", delay: 4000 });
  assert.deepEqual(ramp.startAfter, []);
  assert.deepEqual([ramp.initialUsersPerSec, ramp.targetUsersPerSec, ramp.duration], [
    1,
    100,
    3000,
  ]);
  const steady = phase(b, "steadyState");
  assert.deepEqual([steady.usersPerSec, steady.duration], [100, 8000]);
  for (const p of b.phases) {
    const s = scenarioOf(b, p);
    assert.equal(s.sequences.length, 1);
    assert.deepEqual(s.sequences[0].steps.map((x) => x.type), [
      "httpRequest",
      "set",
      "httpRequest",
      "noop",
      "awaitInt",
      "scheduleDelay",
    ]);
  }
});

Deno.test("clusteredHttp: agent0 inline 'localhost', target port from SERVER_PORT", async () => {
  const b = await mustLoad("test-suite/clusteredHttp.hf.yaml", {
    params: { SERVER_PORT: "31337" },
  });
  assert.deepEqual(b.agents.map((a) => [a.name, a.inline, a.host]), [[
    "agent0",
    "localhost",
    "localhost",
  ]]);
  assert.deepEqual([b.http[0].host, b.http[0].port, b.http[0].isDefault], [
    "localhost",
    31337,
    true,
  ]);
  const p = phase(b, "test");
  assert.deepEqual([p.model, p.users], ["atOnce", 1]);
});

Deno.test("JsonReplaceTest: PORT defaults to 8080, one atOnce user, two requests", async () => {
  const b = await mustLoad("test-suite/JsonReplaceTest.hf.yaml");
  assert.equal(b.http[0].port, 8080);
  const given = await mustLoad("test-suite/JsonReplaceTest.hf.yaml", { params: { PORT: "9999" } });
  assert.equal(given.http[0].port, 9999);
  const p = phase(b, "test");
  assert.deepEqual([p.model, p.users], ["atOnce", 1]);
  assert.deepEqual(scenarioOf(b, p).sequences.map((q) => q.name), ["theOnlySequence"]);
  assert.deepEqual(stepTypes(b, p), ["httpRequest", "httpRequest"]);
});

Deno.test("IterationsTest: test/000..002 at 100, 200, 300 /s, 5 s each, one after another", async () => {
  const b = await mustLoad("test-suite/IterationsTest.hf.yaml", { params: { PORT: "8080" } });
  assert.deepEqual(names(b), ["test/000", "test/001", "test/002", "test"]);
  [100, 200, 300].forEach((rate, k) => {
    const p = b.phases[k];
    assert.deepEqual([p.model, p.usersPerSec, p.duration, p.iteration], [
      "constantRate",
      rate,
      5000,
      k,
    ]);
    assert.deepEqual(p.startAfterStrict, k === 0 ? [] : [`test/00${k - 1}`]);
  });
  const umbrella = phase(b, "test");
  assert.equal(umbrella.model, "noop");
  assert.deepEqual(umbrella.startAfter, ["test/002"]);
});

// Step records: what the parser tests assert about requests, handlers and generators.

type Rec = Record<string, unknown>;
const steps = (b: Benchmark, p: string, seq = 0) => scenarioOf(b, p).sequences[seq].steps as Rec[];
const requests = (b: Benchmark, p: string, seq = 0) =>
  steps(b, p, seq).filter((s) => s.type === "httpRequest");
const handler = (r: Rec) =>
  r.handler as { status: Rec[]; header: Rec[]; body: Rec[]; onCompletion: Rec[] } & Rec;
const DEFAULT_SLA = { errorRatio: 1.01, invalidRatio: 1.01, blockedRatio: 0, limits: {} };

Deno.test("simple: request 1 has its SLA, request 2 the default SLA and two headers", async () => {
  const b = await mustLoad("test-suite/simple.hf.yaml");
  const [r1, r2] = requests(b, "rampUp");
  assert.equal(r1.method, "GET");
  assert.deepEqual(r1.path, { pattern: { pattern: "/foo", segments: ["/foo"] } });
  assert.equal(r1.sync, false);
  assert.equal(r2.sync, false);
  // mean ≤ 1 s and p90 ≤ 2 s over the whole phase (no window).
  assert.deepEqual(r1.sla, [{ ...DEFAULT_SLA, meanResponseTime: 1000, limits: { "0.9": 2000 } }]);
  assert.deepEqual(r2.sla, [DEFAULT_SLA]);
  const headers = r2.headers as { name: string; value: Rec }[];
  assert.deepEqual(headers.map((h) => h.name), ["Accept", "Foo"]);
  assert.equal((headers[0].value.pattern as Rec).pattern, "text/plain");
  assert.deepEqual(headers[1].value, { fromVar: "foo" });
  // `set: foo <- bar` gives the header its value.
  assert.deepEqual(steps(b, "rampUp")[1], { type: "set", var: "foo", value: "bar" });
  // Each response counts 204s in testCounter; awaitInt waits for 2.
  for (const r of [r1, r2]) {
    assert.deepEqual(handler(r).status, [{
      type: "counter",
      expectStatus: 204,
      var: "testCounter",
      init: 0,
      add: 1,
    }]);
  }
  const awaitInt = steps(b, "rampUp")[4];
  assert.equal(awaitInt.var, "testCounter");
  assert.deepEqual(awaitInt.greaterOrEqualTo, { value: 2 });
  const delay = steps(b, "rampUp")[5];
  assert.deepEqual([delay.key, delay.duration, delay.reference], ["k", 5000, "FROM_NOW"]);
});

Deno.test("httpRequest: status handlers 2xx, then 201..259 and 200..210 in order; SLAs and PUT pattern", async () => {
  const b = await mustLoad("test-suite/httpRequest.hf.yaml");
  const [r1, r2] = requests(b, "testPhase");
  assert.deepEqual(handler(r1).status, [{ type: "range", ranges: [{ min: 200, max: 299 }] }]);
  assert.deepEqual(handler(r2).status, [
    { type: "range", ranges: [{ min: 201, max: 259 }] },
    { type: "range", ranges: [{ min: 200, max: 210 }] },
  ]);
  assert.deepEqual(r1.sla, [{ ...DEFAULT_SLA, meanResponseTime: 1000 }]);
  assert.deepEqual(r2.sla, [
    { ...DEFAULT_SLA, meanResponseTime: 500 },
    { ...DEFAULT_SLA, window: 10_000, meanResponseTime: 1000 },
  ]);
  assert.equal(r2.method, "PUT");
  assert.equal(((r2.path as Rec).pattern as Rec).pattern, "/foo?bar=${x}");
  assert.deepEqual(steps(b, "testPhase")[1], { type: "set", var: "x", value: "y" });
  // Both requests are synchronous by default.
  assert.equal(r1.sync, true);
  assert.equal(r2.sync, true);
});

Deno.test("generators: every randomItem form loads its items and weights", async () => {
  const b = await mustLoad("test-suite/generators.hf.yaml");
  const [flow, block, file, weightedList, weightedMap, randomFile] = steps(b, "testPhase");
  assert.deepEqual(flow, { type: "randomItem", toVar: "x", items: ["A", "B", "C"] });
  // `toVar: "y"` is the string y.
  assert.deepEqual(block, { type: "randomItem", toVar: "y", items: ["A", "B", "C"] });
  assert.deepEqual(file, {
    type: "randomItem",
    toVar: "z",
    items: ["foo", "bar"],
    file: "data/YamlParserTest_testGeneratorsYaml_foo.txt",
  });
  assert.deepEqual(weightedList, {
    type: "randomItem",
    toVar: "zz",
    items: ["foo", "bar"],
    weights: [1, 0.5],
  });
  assert.deepEqual(weightedMap, {
    type: "randomItem",
    toVar: "zzz",
    items: ["foo", "bar"],
    weights: [0.9, 0.1],
  });
  assert.deepEqual(randomFile, {
    type: "randomFile",
    files: ["data/testdata.csv", "data/random-sample-test.csv"],
    toVar: "xxx",
  });
});

Deno.test("valid-authorities: constant authorities resolve to one target, variable ones stay dynamic", async () => {
  const b = await mustLoad("test-suite/valid-authorities.hf.yaml");
  const rs = requests(b, "main");
  assert.equal(rs.length, 5);
  // `hyperfoil.io:443` and `hyperfoil.io` both match https://hyperfoil.io.
  assert.equal(rs[0].authority, "hyperfoil.io:443");
  assert.equal(rs[1].authority, "hyperfoil.io:443");
  assert.equal(rs[2].authority, undefined);
  assert.equal(((rs[2].dynamicAuthority as Rec).pattern as Rec).pattern, "${hostname}:80");
  assert.equal(((rs[3].dynamicAuthority as Rec).pattern as Rec).pattern, "${hostname}");
  // The two http://myhost entries count once.
  assert.equal(rs[4].authority, "myhost:80");
});

Deno.test("awaitDelay: scheduleDelay and awaitDelay share the key 'thinkTime'", async () => {
  const b = await mustLoad("test-suite/awaitDelay.hf.yaml");
  const [schedule, , , wait] = steps(b, "steadyState");
  assert.deepEqual([schedule.key, schedule.duration, schedule.reference], [
    "thinkTime",
    1000,
    "FROM_NOW",
  ]);
  assert.equal(wait.key, "thinkTime");
  assert.ok(requests(b, "steadyState").every((r) => r.sync === true));
});

Deno.test("specialvars: randomInt's upper bound comes from hyperfoil.phase.iteration without a warning", async () => {
  const r = await loadCorpus("test-suite/specialvars.hf.yaml");
  assert.deepEqual(r.diagnostics, []);
  const b = r.benchmark!;
  const randomInt = steps(b, "test/000")[0];
  assert.equal(randomInt.toVar, "my-var");
  assert.deepEqual(randomInt.max, { fromVar: "hyperfoil.phase.iteration" });
});

Deno.test("loop: 5 repeats of GET / counted in myCounter", async () => {
  const b = await mustLoad("test-suite/loop.hf.yaml");
  const loop = steps(b, "main")[0];
  assert.equal(loop.counterVar, "myCounter");
  assert.equal(loop.repeats, 5);
  assert.deepEqual((loop.steps as Rec[]).map((s) => s.type), ["httpRequest"]);
});

Deno.test("JsonReplaceTest: .age is replaced through actions and the document stored as bytes for the POST", async () => {
  const b = await mustLoad("test-suite/JsonReplaceTest.hf.yaml");
  const [get, post] = requests(b, "test");
  const [json] = handler(get).body;
  assert.equal(json.type, "json");
  assert.equal(json.query, ".age");
  const replace =
    (json.replace as { actions: { var: string; actions: Rec[]; pattern: Rec } }).actions;
  assert.equal(replace.var, "temp");
  assert.deepEqual(replace.actions.map((a) => a.type), ["stringToInt", "addToInt"]);
  assert.equal(replace.pattern.pattern, "${age}");
  assert.deepEqual(json.processors, [{ type: "store", toVar: "updated", format: "BYTES" }]);
  assert.equal(post.method, "POST");
  assert.deepEqual(post.body, { fromVar: "updated" });
});

Deno.test("simple: ergonomics keep Hyperfoil's defaults", async () => {
  const b = await mustLoad("test-suite/simple.hf.yaml");
  assert.deepEqual(b.ergonomics, {
    repeatCookies: true,
    userAgentFromSession: true,
    autoRangeCheck: true,
    stopOnInvalid: true,
    followRedirect: "NEVER",
    compensateInternalLatency: false,
  });
  assert.deepEqual([b.threads, b.statisticsCollectionPeriod, b.failurePolicy], [1, 1000, "CANCEL"]);
});
