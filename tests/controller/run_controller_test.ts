/**
 * Whole runs with the local deployer and a scripted engine: the controller,
 * agents and bus are the real ones, phases last tens of milliseconds and the
 * collection period is 100 ms.
 */
import assert from "node:assert/strict";
import type { Benchmark } from "../../src/benchmark/model.ts";
import { memoryBus } from "../../src/bus/memory_transport.ts";
import { runBenchmark, type RunOptions, startRun } from "../../src/controller/run_controller.ts";
import { type Deployer, DeployError } from "../../src/deploy/deployer.ts";
import { localDeployer } from "../../src/deploy/local.ts";
import { bench, SCENARIO, tempRoot } from "./_bench.ts";
import { type EngineScript, scriptedEngine } from "./_scripted_engine.ts";

const rate = (duration: string, extra = "") =>
  `      constantRate:\n        usersPerSec: 10\n        duration: ${duration}\n${extra}${SCENARIO}\n`;
const phase = (name: string, body: string) => `  - ${name}:\n${body}`;

async function run(
  root: string,
  benchmark: Benchmark,
  script: EngineScript = {},
  options: Partial<RunOptions> = {},
) {
  const engine = scriptedEngine(script);
  const result = await runBenchmark({
    benchmark,
    root,
    createExecutor: engine.createExecutor,
    version: "test",
    ...options,
  });
  assert.equal(engine.live(), 0, "every executor was disposed");
  return { result, engine };
}

const readJson = async (path: string) => JSON.parse(await Deno.readTextFile(path));

Deno.test("a run writes the run directory: source, model, info.json, all.json, stats CSVs", async () => {
  await using t = await tempRoot();
  const source = `name: files\nhttp:\n  host: http://127.0.0.1:1\n# the source as written\n`;
  const b = bench(`phases:\n${phase("main", rate("200ms"))}`);
  const { result } = await run(t.root, { ...b, name: "files" }, {}, { source });
  assert.equal(result.status, "passed");
  assert.equal(result.runId, "0000");
  assert.equal(result.runDir, `${t.root}/run/0000`);
  assert.equal(await Deno.readTextFile(`${result.runDir}/files.yaml`), source);
  assert.equal((await readJson(`${result.runDir}/benchmark.json`)).name, "files");
  const info = await readJson(`${result.runDir}/info.json`);
  assert.equal(info.id, "0000");
  assert.equal(info.benchmark, "files");
  assert.equal(info.cancelled, false);
  assert.deepEqual(info.errors, []);
  assert.ok(info.terminateTime >= info.startTime);
  const all = await readJson(`${result.runDir}/all.json`);
  assert.equal(all.$schema, "http://hyperfoil.io/run-schema/v3.0");
  assert.equal(all.version, "test");
  assert.deepEqual(all.info, info);
  assert.equal(all.stats.length, 1);
  assert.equal(all.stats[0].name, "main");
  assert.equal(all.stats[0].metric, "test");
  assert.ok(all.stats[0].total.summary.requestCount >= 5);
  assert.ok(all.stats[0].total.start <= result.phases[0].startTime!);
  assert.deepEqual(all.agents.map((a: { name: string }) => a.name), ["in-vm"]);
  const total = await Deno.readTextFile(`${result.runDir}/stats/total.csv`);
  assert.match(total, /^Phase,Metric,Start,End,Requests,Responses,Mean,StdDev,Min,p50\.0,/);
  assert.match(total, /\nmain,test,/);
  assert.ok((await Deno.stat(`${result.runDir}/stats/failures.csv`)).isFile);
  assert.deepEqual(await readJson(`${result.runDir}/hooks.json`), []);
  assert.equal(result.stats.length, 1);
  assert.equal(result.phases[0].status, "TERMINATED");

  const second = await run(t.root, b);
  assert.equal(second.result.runId, "0001");
});

Deno.test("iterations run in order and each phase's start and end are recorded", async () => {
  await using t = await tempRoot();
  const b = bench(`phases:
${
    phase(
      "it",
      "      always:\n        users: 1\n        duration: 50ms\n        maxIterations: 3\n" +
        SCENARIO + "\n",
    )
  }`);
  const { result, engine } = await run(t.root, b, {
    phases: { "it/000": { drainMs: 30 }, "it/001": { drainMs: 30 } },
  });
  assert.equal(result.status, "passed");
  const runs = engine.events.filter((e) => e.what === "RUN").map((e) => e.phase);
  assert.deepEqual(runs, ["it/000", "it/001", "it/002", "it"]);
  const p = Object.fromEntries(result.phases.map((x) => [x.name, x]));
  assert.ok(p["it/001"].startTime! >= p["it/000"].terminateTime!, "strictly after the previous");
  assert.ok(p["it/002"].startTime! >= p["it/001"].terminateTime!);
  assert.ok(result.phases.every((x) => x.status === "TERMINATED"));
  const all = await readJson(`${result.runDir}/all.json`);
  assert.deepEqual(
    all.stats.map((s: { name: string; iteration: string }) => [s.name, s.iteration]),
    [["it/000", "000"], ["it/001", "001"], ["it/002", "002"]],
  );
});

const SLA = `        customSla:\n          test:\n            meanResponseTime: 1ms\n`;
const slaBench = (policy: string) =>
  bench(`failurePolicy: ${policy}
phases:
${phase("judged", rate("150ms", SLA))}${
    phase("later", rate("50ms", "        startTime: 600ms\n"))
  }`);

Deno.test("an SLA failure fails the run and cancels phases not started under CANCEL", async () => {
  await using t = await tempRoot();
  const { result, engine } = await run(t.root, slaBench("CANCEL"), {
    phases: { judged: { responseNs: 5_000_000 } },
  });
  assert.equal(result.status, "failed");
  assert.equal(result.failures.length, 1);
  assert.equal(result.failures[0].phase, "judged");
  assert.match(result.failures[0].message, /^Mean response time exceeded: required 1000000/);
  const later = result.phases.find((p) => p.name === "later")!;
  assert.equal(later.status, "CANCELLED");
  assert.equal(engine.firstAt("RUN", "later"), undefined);
  assert.equal(result.phases.find((p) => p.name === "judged")!.failed, true);
  const failures = await Deno.readTextFile(`${result.runDir}/stats/failures.csv`);
  assert.match(failures, /\njudged,test,"Mean response time exceeded/);
  const all = await readJson(`${result.runDir}/all.json`);
  assert.equal(all.failures.length, 1);
  assert.equal(all.stats[0].total.failures, 1);
});

Deno.test("an SLA failure under CONTINUE fails the run but lets later phases run", async () => {
  await using t = await tempRoot();
  const { result, engine } = await run(t.root, slaBench("CONTINUE"), {
    phases: { judged: { responseNs: 5_000_000 } },
  });
  assert.equal(result.status, "failed");
  assert.equal(result.failures.length, 1);
  assert.equal(result.phases.find((p) => p.name === "later")!.status, "TERMINATED");
  assert.ok(engine.firstAt("RUN", "later") !== undefined);
});

const limitBench = (policy: string, sessionPolicy = "FAIL") =>
  bench(`failurePolicy: ${policy}
phases:
${phase("busy", rate("150ms", `        sessionLimitPolicy: ${sessionPolicy}\n`))}${
    phase("later", rate("50ms", "        startTime: 350ms\n"))
  }`);

Deno.test("exceeding the session limit fails the phase and cancels what has not started", async () => {
  await using t = await tempRoot();
  const { result } = await run(t.root, limitBench("CANCEL"), {
    phases: { busy: { sessionLimitAfterMs: 30 } },
  });
  assert.equal(result.status, "failed");
  assert.deepEqual(result.failures.map((f) => [f.phase, f.metric, f.message]), [
    ["busy", null, "Exceeded session limit"],
  ]);
  assert.equal(result.phases.find((p) => p.name === "later")!.status, "CANCELLED");
  const all = await readJson(`${result.runDir}/all.json`);
  assert.equal(all.failures[0].metric, null);
});

Deno.test("exceeding the session limit under failurePolicy CONTINUE still runs later phases", async () => {
  await using t = await tempRoot();
  const { result } = await run(t.root, limitBench("CONTINUE"), {
    phases: { busy: { sessionLimitAfterMs: 30 } },
  });
  assert.equal(result.status, "failed");
  assert.equal(result.phases.find((p) => p.name === "later")!.status, "TERMINATED");
});

Deno.test("sessionLimitPolicy CONTINUE records no failure", async () => {
  await using t = await tempRoot();
  const logs: string[] = [];
  const { result } = await run(t.root, limitBench("CANCEL", "CONTINUE"), {
    phases: { busy: { sessionLimitAfterMs: 30 } },
  }, { onLog: (e) => logs.push(e.message) });
  assert.equal(result.status, "passed");
  assert.deepEqual(result.failures, []);
  assert.ok(logs.some((l) => /session limit/.test(l)));
});

Deno.test("an error in a phase fails it and is recorded with the agent's name", async () => {
  await using t = await tempRoot();
  const b = bench(`phases:\n${phase("main", rate("200ms"))}`);
  const { result } = await run(t.root, b, {
    phases: { main: { error: { afterMs: 40, message: "Step 'fail' failed" } } },
  });
  assert.equal(result.status, "failed");
  assert.deepEqual(result.errors, [{ agent: "in-vm", msg: "Step 'fail' failed" }]);
  assert.deepEqual(result.phases[0].failureReasons, ["Step 'fail' failed"]);
});

const TWO_AGENTS = `agents:
  a: localhost
  b: localhost
`;

Deno.test("with two agents a phase ends when the slower agent ends, and both report", async () => {
  await using t = await tempRoot();
  const b = bench(`${TWO_AGENTS}phases:
${phase("first", rate("100ms"))}${
    phase("second", rate("50ms", "        startAfterStrict: first\n"))
  }`);
  const { result, engine } = await run(t.root, b, {
    phases: { first: { drainMs: { a: 0, b: 150 } } },
  });
  assert.equal(result.status, "passed");
  const terminatedOnB =
    engine.events.find((e) => e.agent === "b" && e.what === "TERMINATED" && e.phase === "first")!
      .at;
  assert.ok(engine.firstAt("RUN", "second")! >= terminatedOnB, "waits for the slower agent");
  const inits = engine.events.filter((e) => e.what === "init").map((e) => [e.agent, e.slot]);
  assert.deepEqual(inits.sort(), [
    ["a", { agentIndex: 0, agentThreads: [1, 1], threadIndex: 0 }],
    ["b", { agentIndex: 1, agentThreads: [1, 1], threadIndex: 0 }],
  ]);
  const all = await readJson(`${result.runDir}/all.json`);
  assert.deepEqual(all.agents.map((a: { name: string }) => a.name), ["a", "b"]);
});

/** The local deployer, except that agent `victim` dies `afterMs` after it was deployed. */
function killingDeployer(inner: Deployer, victim: string, afterMs: number): Deployer {
  return {
    name: "killing",
    async deploy(name, options) {
      const d = await inner.deploy(name, options);
      if (name === victim) setTimeout(() => void d.stop(), afterMs);
      return d;
    },
    close: () => inner.close!(),
  };
}

Deno.test("an agent lost mid-run fails the run naming it; the others stop and results are written", async () => {
  await using t = await tempRoot();
  const b = bench(`${TWO_AGENTS}phases:
${phase("long", rate("2s"))}${phase("never", rate("50ms", "        startAfter: long\n"))}`);
  const engine = scriptedEngine();
  const deployer = killingDeployer(
    localDeployer({ createExecutor: engine.createExecutor, version: "test" }),
    "b",
    250,
  );
  const t0 = Date.now();
  const result = await runBenchmark({ benchmark: b, root: t.root, deployer, version: "test" });
  await deployer.close!();
  assert.ok(Date.now() - t0 < 1500, "does not wait for the phase's duration");
  assert.equal(result.status, "error");
  assert.match(result.reason!, /^b: Agent 'b' was lost/);
  assert.deepEqual(result.errors.filter((e) => e.agent === "b").length, 1);
  assert.equal(engine.live(), 0, "agent a was stopped too");
  assert.equal(result.phases.find((p) => p.name === "never")!.status, "CANCELLED");
  const info = await readJson(`${result.runDir}/info.json`);
  assert.ok(info.errors.some((e: { agent?: string }) => e.agent === "b"));
  const all = await readJson(`${result.runDir}/all.json`);
  assert.equal(all.stats[0].name, "long");
  assert.ok(all.stats[0].total.summary.requestCount > 0, "what was recorded is kept");
});

Deno.test("an agent that falls silent is lost after the heartbeat timeout", async () => {
  await using t = await tempRoot();
  const b = bench(`phases:\n${phase("main", rate("2s"))}`);
  const mute: Deployer = {
    name: "mute",
    deploy(name) {
      const { controller, agent } = memoryBus();
      agent.onMessage((m) => {
        if (m.type === "initialize") agent.send({ type: "ready", agent: name });
        if (m.type === "stop") agent.close("stopped");
      });
      agent.send({
        type: "hello",
        agent: name,
        version: "test",
        threads: 1,
        pid: 0,
        hostname: "x",
      });
      return Promise.resolve({ name, bus: controller, stop: () => Promise.resolve(agent.close()) });
    },
  };
  const result = await runBenchmark({
    benchmark: b,
    root: t.root,
    deployer: mute,
    version: "test",
    heartbeatTimeoutMs: 200,
  });
  assert.equal(result.status, "error");
  assert.equal(result.reason, "in-vm: Agent 'in-vm' was lost: no message for 200 ms");
});

Deno.test("an initialisation failure starts no phase and names the reason", async () => {
  await using t = await tempRoot();
  const b = bench(`phases:\n${phase("main", rate("100ms"))}`);
  const { result, engine } = await run(t.root, b, {
    initFailed: "Connection refused: 127.0.0.1:1",
  });
  assert.equal(result.status, "error");
  assert.equal(result.reason, "in-vm: Connection refused: 127.0.0.1:1");
  assert.deepEqual(result.errors, [{ agent: "in-vm", msg: "Connection refused: 127.0.0.1:1" }]);
  assert.equal(engine.events.filter((e) => e.what === "RUN").length, 0);
  assert.equal(result.phases[0].status, "CANCELLED");
  const info = await readJson(`${result.runDir}/info.json`);
  assert.deepEqual(info.errors, [{ agent: "in-vm", msg: "Connection refused: 127.0.0.1:1" }]);
  assert.equal(info.startTime, info.terminateTime);
  assert.deepEqual((await readJson(`${result.runDir}/all.json`)).stats, []);
});

Deno.test("an agent of another hf version is refused with both versions named", async () => {
  await using t = await tempRoot();
  const b = bench(`phases:\n${phase("main", rate("100ms"))}`);
  const engine = scriptedEngine();
  const result = await runBenchmark({
    benchmark: b,
    root: t.root,
    deployer: localDeployer({ createExecutor: engine.createExecutor, version: "0.9" }),
    version: "1.0",
  });
  assert.equal(result.status, "error");
  assert.equal(result.reason, "in-vm: Agent 'in-vm' runs hf 0.9, the controller runs hf 1.0");
});

Deno.test("pre hooks run before agents in name order, post hooks after; hooks.json has both", async () => {
  await using t = await tempRoot();
  const b = bench(`pre:
  b-second: echo pre two
  a-first: echo "pre one $RUN_ID"
post:
  z: test -f "$RUN_DIR/all.json" && echo post sees all.json
phases:
${phase("main", rate("50ms"))}`);
  const { result } = await run(t.root, b);
  assert.equal(result.status, "passed");
  assert.deepEqual(await readJson(`${result.runDir}/hooks.json`), [
    { name: "a-first", output: "pre one 0000\n" },
    { name: "b-second", output: "pre two\n" },
    { name: "z", output: "post sees all.json\n" },
  ]);
});

Deno.test("a failing pre hook fails the run before any agent is deployed", async () => {
  await using t = await tempRoot();
  const b = bench(`pre:
  check: echo checking; exit 4
phases:
${phase("main", rate("50ms"))}`);
  const { result, engine } = await run(t.root, b);
  assert.equal(result.status, "error");
  assert.equal(result.reason, "Execution of pre-hook 'check' failed (exit code 4)");
  assert.deepEqual(engine.events, []);
  assert.deepEqual(await readJson(`${result.runDir}/hooks.json`), [
    { name: "check", output: "checking\n" },
  ]);
  assert.equal((await readJson(`${result.runDir}/info.json`)).errors.length, 1);
});

Deno.test("aborting the signal terminates running phases, cancels the rest and writes what ran", async () => {
  await using t = await tempRoot();
  const b = bench(`phases:
${phase("long", rate("10s"))}${phase("after", rate("50ms", "        startAfter: long\n"))}`);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 250);
  const t0 = Date.now();
  const { result, engine } = await run(t.root, b, {}, { signal: abort.signal });
  clearTimeout(timer);
  assert.ok(Date.now() - t0 < 2000);
  assert.equal(result.status, "interrupted");
  assert.ok(engine.firstAt("TERMINATE", "long") !== undefined);
  assert.equal(result.phases.find((p) => p.name === "long")!.status, "TERMINATED");
  assert.equal(result.phases.find((p) => p.name === "after")!.status, "CANCELLED");
  const info = await readJson(`${result.runDir}/info.json`);
  assert.equal(info.cancelled, true);
  const all = await readJson(`${result.runDir}/all.json`);
  assert.ok(all.stats[0].total.summary.requestCount > 0);
});

Deno.test("progress is reported while the run is under way", async () => {
  await using t = await tempRoot();
  const b = bench(`phases:\n${phase("main", rate("300ms"))}`);
  const seen: string[] = [];
  const { result } = await run(t.root, b, {}, {
    progressIntervalMs: 50,
    onProgress: (p) => {
      const main = p.phases[0];
      seen.push(`${p.stage}:${main.status}:${main.recent !== undefined}`);
      assert.equal(p.plannedMs, 300);
    },
  });
  assert.equal(result.status, "passed");
  assert.ok(seen.some((s) => s.startsWith("running:RUNNING")), seen.join(" "));
  assert.ok(seen.some((s) => s.endsWith(":true")), "the last period's figures appear");
});

Deno.test("a deployer that cannot start an agent fails the run naming agent and reason", async () => {
  await using t = await tempRoot();
  const b = bench(`phases:\n${phase("main", rate("100ms"))}`);
  const refusing: Deployer = {
    name: "refusing",
    deploy: (name) => Promise.reject(new DeployError(name, "Connection refused: 127.0.0.2:22")),
  };
  const result = await runBenchmark({ benchmark: b, root: t.root, deployer: refusing });
  assert.equal(result.status, "error");
  assert.equal(result.reason, "in-vm: Connection refused: 127.0.0.2:22");
  assert.equal(result.phases[0].status, "CANCELLED");
});

Deno.test("an agent that never says hello fails the run after the deploy timeout", async () => {
  await using t = await tempRoot();
  const b = bench(`phases:\n${phase("main", rate("100ms"))}`);
  let aborted = false;
  const hanging: Deployer = {
    name: "hanging",
    deploy: (_name, options) =>
      new Promise((_resolve, reject) => {
        options.signal!.addEventListener("abort", () => {
          aborted = true;
          reject(new Error("aborted"));
        });
      }),
  };
  const result = await runBenchmark({
    benchmark: b,
    root: t.root,
    deployer: hanging,
    deployTimeoutMs: 100,
  });
  assert.equal(result.status, "error");
  assert.equal(result.reason, "in-vm: Agent 'in-vm' did not connect within 100 ms");
  assert.equal(result.errors.length, 1, "the aborted deploy adds no second error");
  assert.ok(aborted, "the deploy was told to give up");
});

Deno.test("a run handle lists sessions from every agent and can kill the run", async () => {
  await using t = await tempRoot();
  const b = bench(`${TWO_AGENTS}phases:\n${phase("long", rate("10s"))}`);
  const engine = scriptedEngine();
  const handle = await startRun({
    benchmark: b,
    root: t.root,
    createExecutor: engine.createExecutor,
  });
  assert.equal(handle.runId, "0000");
  while (handle.progress().stage !== "running") await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(await handle.list("sessions"), { a: ["a#0"], b: ["b#0"] });
  handle.kill();
  const result = await handle.result;
  assert.equal(result.status, "interrupted");
  assert.equal(engine.live(), 0);
});
