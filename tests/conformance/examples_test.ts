/**
 * The facts EXPECTATIONS.md §6 records for `benchmarks/examples/` (the
 * distribution's examples and the docs' benchmarks), in hf's model.
 */
import assert from "node:assert/strict";
import type { Benchmark } from "../../src/benchmark/model.ts";
import { mustLoad, near, phase, scenarioOf } from "./_corpus.ts";

type Rec = Record<string, unknown>;
const pad = (k: number) => String(k).padStart(3, "0");
const stepsOf = (b: Benchmark, p: string, seq: string) =>
  scenarioOf(b, p).sequences.find((q) => q.name === seq)!.steps as Rec[];
const patternOf = (source: unknown) => ((source as Rec).pattern as Rec).pattern;

Deno.test("single-request: one atOnce user, one synchronous GET / to the default http://hyperfoil.io", async () => {
  const b = await mustLoad("examples/single-request.hf.yaml");
  assert.deepEqual(b.phases.map((p) => [p.name, p.model, p.users]), [["example", "atOnce", 1]]);
  assert.deepEqual(b.http.map((h) => [h.protocol, h.host, h.port, h.isDefault]), [[
    "http",
    "hyperfoil.io",
    80,
    true,
  ]]);
  const steps = stepsOf(b, "example", "test");
  assert.equal(steps.length, 1);
  assert.deepEqual([steps[0].type, steps[0].method, patternOf(steps[0].path), steps[0].sync], [
    "httpRequest",
    "GET",
    "/",
    true,
  ]);
  assert.equal(steps[0].authority, "hyperfoil.io:80");
});

Deno.test("first-benchmark: 10/s for 10 s, fetchIndex GET / to https://hyperfoil.io with 5 connections", async () => {
  const b = await mustLoad("examples/first-benchmark.hf.yaml");
  const p = phase(b, "main");
  assert.deepEqual([p.model, p.usersPerSec, p.duration], ["constantRate", 10, 10_000]);
  assert.deepEqual([b.http[0].protocol, b.http[0].host, b.http[0].port], [
    "https",
    "hyperfoil.io",
    443,
  ]);
  assert.equal(b.http[0].sharedConnections.max, 5);
  assert.deepEqual(scenarioOf(b, p).sequences.map((q) => q.name), ["fetchIndex"]);
});

Deno.test("random-urls: metric rules, 2xx check and completion flag", async () => {
  const b = await mustLoad("examples/random-urls.hf.yaml");
  const p = phase(b, "main");
  assert.deepEqual([p.usersPerSec, p.duration], [10, 5000]);
  assert.equal(b.http[0].sharedConnections.max, 10);
  const [pick, request, wait] = stepsOf(b, "main", "test");
  assert.deepEqual(pick.items, ["index.html", "foo.png", "bar.png", "this-returns-404.png"]);
  assert.equal(pick.toVar, "my-random-path");
  assert.equal(patternOf(request.path), "/quickstarts/random-urls/${my-random-path}");
  assert.equal(request.sync, false);
  assert.deepEqual(request.metric, [
    { match: ".*\\.html", replacement: "pages" },
    { match: ".*\\.png", replacement: "images" },
    { otherwise: "other" },
  ]);
  const handler = request.handler as Rec;
  assert.deepEqual(handler.status, [{ type: "range", ranges: [{ min: 200, max: 299 }] }]);
  assert.deepEqual(handler.onCompletion, [{ type: "set", var: "completed", value: "yes" }]);
  assert.deepEqual([wait.type, wait.var], ["awaitVar", "completed"]);
});

Deno.test("choose-movie: home is initial, addComment[10] runs 10 concurrent instances, usernames read at load", async () => {
  const b = await mustLoad("examples/choose-movie.hf.yaml");
  const p = phase(b, "main");
  assert.deepEqual([p.usersPerSec, p.duration, p.maxSessions], [10, 5000, 40]);
  assert.equal(b.http[0].sharedConnections.max, 80);
  const s = scenarioOf(b, p);
  assert.deepEqual(s.sequences.map((q) => [q.name, q.initial, q.concurrency]), [
    ["home", true, 0],
    ["addComment", false, 10],
    ["watchMovie", false, 0],
  ]);
  const home = stepsOf(b, "main", "home");
  assert.deepEqual(home[0].items, ["jackiechan", "brucewillis", "arnieschwarzenegger"]);
  const foreach = home.find((x) => x.type === "foreach")!;
  assert.deepEqual([foreach.fromVar, foreach.sequence], ["movies", "addComment"]);
  assert.equal(home.at(-1)!.type, "newSequence");
  assert.equal(home.at(-1)!.sequence, "watchMovie");
  assert.ok("usernames.txt" in b.files);
  assert.equal(atob(b.files["usernames.txt"]).trim().split("\n").length, 3);
  // Only quality < 80 is commented: breakSequence on quality[.] >= 80.
  const brk = stepsOf(b, "main", "addComment")[1];
  assert.deepEqual(brk.condition, {
    intCondition: { fromVar: "quality[.]", greaterOrEqualTo: { value: 80 } },
  });
});

Deno.test("eshop: three independent phases starting together", async () => {
  const b = await mustLoad("examples/eshop.hf.yaml");
  assert.deepEqual(b.phases.map((p) => [p.name, p.model, p.duration]), [
    ["browsingUser", "constantRate", 10_000],
    ["buyingUser", "constantRate", 10_000],
    ["operator", "always", 10_000],
  ]);
  for (const p of b.phases) {
    assert.deepEqual([p.startAfter, p.startAfterStrict, p.startTime, p.startWith], [
      [],
      [],
      0,
      undefined,
    ]);
  }
  assert.equal(phase(b, "browsingUser").usersPerSec, 10);
  assert.equal(phase(b, "buyingUser").usersPerSec, 5);
  assert.equal(phase(b, "operator").users, 5);
  assert.deepEqual(scenarioOf(b, "buyingUser").sequences.map((q) => [q.name, q.initial]), [
    ["browse", true],
    ["buy", false],
  ]);
  const restock = stepsOf(b, "operator", "restock");
  assert.deepEqual(restock.map((x) => x.type), [
    "randomInt",
    "randomInt",
    "httpRequest",
    "thinkTime",
  ]);
  assert.deepEqual([restock[0].toVar, restock[0].min, restock[0].max], ["itemId", { value: 1 }, {
    value: 999,
  }]);
  assert.deepEqual(restock[2].body, { form: [{ name: "addUnits", value: { fromVar: "units" } }] });
  assert.equal(restock[3].duration, 2000);
});

Deno.test("eshop-scale: 44 phases, rates growing by 10 and 5 per iteration, ramp-ups and steadies interleaved", async () => {
  const b = await mustLoad("examples/eshop-scale.hf.yaml");
  assert.equal(b.phases.length, 44);
  const groups = [
    "browsingUserRampUp",
    "browsingUserSteady",
    "buyingUserRampUp",
    "buyingUserSteady",
  ];
  assert.deepEqual(
    b.phases.map((p) => p.name),
    groups.flatMap((g) => [...Array.from({ length: 10 }, (_, k) => `${g}/${pad(k)}`), g]),
  );
  for (let k = 0; k < 10; k++) {
    const br = phase(b, `browsingUserRampUp/${pad(k)}`);
    assert.deepEqual([br.initialUsersPerSec, br.targetUsersPerSec, br.duration], [
      10 * k,
      10 * k + 10,
      5000,
    ]);
    const ur = phase(b, `buyingUserRampUp/${pad(k)}`);
    assert.deepEqual([ur.initialUsersPerSec, ur.targetUsersPerSec, ur.duration], [
      5 * k,
      5 * k + 5,
      5000,
    ]);
    const bs = phase(b, `browsingUserSteady/${pad(k)}`);
    assert.deepEqual([bs.usersPerSec, bs.duration], [10 * k + 10, 10_000]);
    const us = phase(b, `buyingUserSteady/${pad(k)}`);
    assert.deepEqual([us.usersPerSec, us.duration], [5 * k + 5, 10_000]);
    for (const ramp of [br, ur]) {
      assert.deepEqual(
        ramp.startAfter,
        k === 0 ? [] : [`browsingUserSteady/${pad(k - 1)}`, `buyingUserSteady/${pad(k - 1)}`],
      );
    }
    for (const steady of [bs, us]) {
      assert.deepEqual(steady.startAfter, [
        `browsingUserRampUp/${pad(k)}`,
        `buyingUserRampUp/${pad(k)}`,
      ]);
    }
  }
});

Deno.test("eshop-forks: 62 phases, 2:1 fork weights of base/increment 15", async () => {
  const b = await mustLoad("examples/eshop-forks.hf.yaml");
  assert.equal(b.phases.length, 62);
  const expected = ["rampUp", "steadyState"].flatMap((g) => [
    ...Array.from({ length: 10 }, (_, k) => [
      `${g}/${pad(k)}/browsingUser`,
      `${g}/${pad(k)}/buyingUser`,
      `${g}/${pad(k)}`,
    ]).flat(),
    g,
  ]);
  assert.deepEqual(b.phases.map((p) => p.name), expected);
  for (let k = 0; k < 10; k++) {
    const rb = phase(b, `rampUp/${pad(k)}/browsingUser`);
    const ru = phase(b, `rampUp/${pad(k)}/buyingUser`);
    assert.ok(near(rb.initialUsersPerSec, 10 * k) || (k === 0 && rb.initialUsersPerSec === 0));
    assert.ok(near(rb.targetUsersPerSec, 10 * k + 10));
    assert.ok(near(ru.initialUsersPerSec, 5 * k) || (k === 0 && ru.initialUsersPerSec === 0));
    assert.ok(near(ru.targetUsersPerSec, 5 * k + 5));
    assert.ok(near(phase(b, `steadyState/${pad(k)}/browsingUser`).usersPerSec, 10 * k + 10));
    assert.ok(near(phase(b, `steadyState/${pad(k)}/buyingUser`).usersPerSec, 5 * k + 5));
    assert.deepEqual(rb.startAfter, k === 0 ? [] : [`steadyState/${pad(k - 1)}`]);
    assert.deepEqual(phase(b, `steadyState/${pad(k)}/buyingUser`).startAfter, [`rampUp/${pad(k)}`]);
    const umbrella = phase(b, `rampUp/${pad(k)}`);
    assert.deepEqual(umbrella.terminateAfterStrict, [
      `rampUp/${pad(k)}/browsingUser`,
      `rampUp/${pad(k)}/buyingUser`,
    ]);
  }
});

Deno.test("two-agents: one inline agent and one with properties", async () => {
  const b = await mustLoad("examples/two-agents.hf.yaml");
  assert.deepEqual(b.agents.map((a) => [a.name, a.inline, a.host, a.port]), [
    ["agent-one", "localhost:22", "localhost", 22],
    ["agent-two", undefined, "localhost", 22],
  ]);
  assert.deepEqual(b.agents[1].properties, { host: "localhost", port: "22" });
  const p = phase(b, "main");
  assert.deepEqual([p.usersPerSec, p.duration], [10, 10_000]);
});

Deno.test("k8s-hello-world: an agent without config and an https default target", async () => {
  const b = await mustLoad("examples/k8s-hello-world.hf.yaml");
  assert.deepEqual(b.agents, [{ name: "agent-one", properties: {} }]);
  assert.deepEqual([b.http[0].protocol, b.http[0].host, b.http[0].port, b.http[0].isDefault], [
    "https",
    "kubernetes.default.svc.cluster.local",
    443,
    true,
  ]);
  const p = phase(b, "main");
  assert.deepEqual([p.usersPerSec, p.duration], [5, 5000]);
});

Deno.test("more-servers: 3 targets without default; static and dynamic authorities", async () => {
  const b = await mustLoad("examples/more-servers.hf.yaml");
  assert.deepEqual(
    b.http.map((h) => [h.protocol, h.host, h.port, h.sharedConnections.max, h.isDefault]),
    [
      ["http", "example.com", 80, 100, false],
      ["https", "hyperfoil.io", 443, 10, false],
      ["http", "foobar.com", 80, 30, false],
    ],
  );
  assert.deepEqual(b.http[2].addresses, [
    "proxy.my-locally-defined-domain.test",
    "192.168.1.10",
    "192.168.1.11:8080",
  ]);
  const p = phase(b, "main");
  assert.deepEqual([p.usersPerSec, p.duration], [1, 1000]);
  const [docs, , foo] = stepsOf(b, "main", "test");
  assert.equal(docs.authority, "hyperfoil.io:443");
  assert.equal(foo.authority, undefined);
  assert.equal(patternOf(foo.dynamicAuthority), "${hostname}:80");
});

Deno.test("http-requests: bodies, headers, metrics and the tough SLAs", async () => {
  const b = await mustLoad("examples/http-requests.hf.yaml");
  assert.equal(b.ergonomics.autoRangeCheck, false);
  const p = phase(b, "main");
  assert.deepEqual([p.usersPerSec, p.duration], [1, 1000]);
  const names = [
    "jsonBody",
    "formBody",
    "bodyFromFile",
    "customHeaders",
    "nonDefaultMetric",
    "toughSLAs",
  ];
  assert.deepEqual(scenarioOf(b, p).sequences.map((q) => q.name), names);
  const req = (seq: string, i = 0) =>
    stepsOf(b, "main", seq).filter((x) => x.type === "httpRequest")[i];
  // form: foo=bar&bar=foobar&goo=foofoobarbar
  assert.deepEqual(
    (req("formBody").body as { form: { name: string; value: Rec }[] }).form.map((
      f,
    ) => [f.name, Object.keys(f.value)[0]]),
    [["foo", "value"], ["bar", "fromVar"], ["goo", "pattern"]],
  );
  assert.deepEqual(req("bodyFromFile").body, { fromFile: "usernames.txt" });
  assert.ok("usernames.txt" in b.files);
  assert.deepEqual((req("customHeaders").headers as { name: string }[]).map((h) => h.name), [
    "accept",
    "authorization",
    "if-match",
  ]);
  assert.equal(req("nonDefaultMetric").metric, "mammals");
  assert.deepEqual(req("nonDefaultMetric", 1).metric, [
    { match: ".*cats", replacement: "mammals" },
    { match: ".*dogs", replacement: "mammals" },
    { otherwise: "insects" },
  ]);
  const tough = req("toughSLAs");
  assert.deepEqual((tough.handler as Rec).status, [{
    type: "range",
    ranges: [{ min: 200, max: 200 }],
  }]);
  assert.deepEqual(tough.sla, [
    {
      errorRatio: 0.1,
      invalidRatio: 0.2,
      blockedRatio: 0,
      meanResponseTime: 10,
      limits: { "0.9": 100, "0.99": 1000 },
    },
    {
      errorRatio: 1.01,
      invalidRatio: 1.01,
      blockedRatio: 0,
      window: 10_000,
      meanResponseTime: 50,
      limits: {},
    },
  ]);
});

Deno.test("divide: the custom step loads between setInt and log", async () => {
  const b = await mustLoad("examples/divide.hf.yaml");
  const p = phase(b, "main");
  assert.deepEqual([p.usersPerSec, p.duration], [1, 5000]);
  const steps = stepsOf(b, "main", "test");
  assert.deepEqual(steps.map((s) => s.type), ["setInt", "divide", "log"]);
  assert.deepEqual([steps[0].var, steps[0].value], ["foo", 33]);
});

Deno.test("credentials: a single-entry list is the default target; CSV rows lose their quotes", async () => {
  const b = await mustLoad("examples/credentials.hf.yaml");
  assert.deepEqual(b.http.map((h) => [h.protocol, h.host, h.port, h.isDefault]), [[
    "https",
    "localhost",
    8084,
    true,
  ]]);
  assert.deepEqual(b.phases.map((p) => [p.name, p.model, p.users]), [
    ["use-cookie", "atOnce", 1],
    ["use-bearer-token", "atOnce", 1],
  ]);
  const csv = stepsOf(b, "use-cookie", "login-with-form")[0];
  assert.deepEqual(csv.vars, ["username", "password"]);
  assert.deepEqual(csv.rows, [
    ["johnny", "pA55w012d"],
    ["harry", "!@#$%^&*()"],
    ["tony", "aLongSequenceThatsReallyHardToGuess"],
  ]);
  assert.ok("credentials.csv" in b.files);
});

Deno.test("eshop: buy collects item ids into itemIds[10] and picks one", async () => {
  const b = await mustLoad("examples/eshop.hf.yaml");
  const browse = stepsOf(b, "buyingUser", "browse")[0];
  const [json] = (browse.handler as { body: Rec[] }).body;
  assert.deepEqual([json.type, json.query, json.toArray], ["json", ".[].id", {
    var: "itemIds",
    maxSize: 10,
  }]);
  const [pick, buy] = stepsOf(b, "buyingUser", "buy");
  assert.deepEqual([pick.toVar, pick.fromVar], ["itemId", "itemIds"]);
  assert.equal(patternOf(buy.path), "/quickstarts/eshop/items/${itemId}/buy");
});

Deno.test("divide: 'foo /= 3' divides foo in place", async () => {
  const b = await mustLoad("examples/divide.hf.yaml");
  const divide = stepsOf(b, "main", "test")[1];
  assert.deepEqual(divide, { type: "divide", fromVar: "foo", toVar: "foo", divisor: 3 });
});
