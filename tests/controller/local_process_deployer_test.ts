/**
 * Agents as `hf agent` subprocesses over the TCP bus: the deployer contract,
 * whole runs against the example server, and what happens when an agent
 * process dies, is refused, or its deploy is aborted.
 */
import assert from "node:assert/strict";
import type { ControllerSide } from "../../src/bus/messages.ts";
import { type BusServer, listenBus } from "../../src/bus/tcp_transport.ts";
import { VERSION } from "../../src/cli/version.ts";
import { runBenchmark } from "../../src/controller/run_controller.ts";
import { type Deployer, DeployError } from "../../src/deploy/deployer.ts";
import { localProcessDeployer } from "../../src/deploy/local_process.ts";
import { exampleServer, load, served, tempDir } from "../integration/_helpers.ts";
import { bench, SCENARIO } from "./_bench.ts";
import { deployerContract } from "./_deployer_contract.ts";

/** A deployer with its own bus; closing it closes the bus too. */
function withBus(
  make: (bus: BusServer) => Deployer = (bus) => localProcessDeployer({ bus, version: VERSION }),
): Deployer & { bus: BusServer; close(): Promise<void> } {
  const bus = listenBus({ version: VERSION });
  const deployer = make(bus);
  return {
    bus,
    name: deployer.name,
    deploy: (name, options) => deployer.deploy(name, options),
    async close() {
      await deployer.close?.();
      await bus.close();
    },
  };
}

deployerContract("local process", () => withBus());

/**
 * Pids of processes whose command line is an agent of run `runId` (and of the bus on
 * `busPort`, when given: other test files run agents of their own run 0000 meanwhile).
 */
async function agentProcesses(runId: string, busPort?: number): Promise<number[]> {
  const pids: number[] = [];
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    let cmdline: string;
    try {
      cmdline = await Deno.readTextFile(`/proc/${e.name}/cmdline`);
    } catch {
      continue; // gone meanwhile
    }
    const args = cmdline.split("\0");
    const at = args.indexOf("--run");
    const controller = args[args.indexOf("--controller") + 1] ?? "";
    if (busPort !== undefined && !controller.endsWith(`:${busPort}`)) continue;
    if (args.includes("agent") && at >= 0 && args[at + 1] === runId) pids.push(Number(e.name));
  }
  return pids;
}

/** Taps each deployed agent's bus to learn its pid from its hello. */
function observed(inner: Deployer, pids: Map<string, number>): Deployer {
  return {
    name: inner.name,
    close: () => inner.close?.() ?? Promise.resolve(),
    async deploy(name, options) {
      const d = await inner.deploy(name, options);
      const bus: ControllerSide = {
        send: (m) => d.bus.send(m),
        onMessage: (h) =>
          d.bus.onMessage((m) => {
            if (m.type === "hello") pids.set(name, m.pid);
            h(m);
          }),
        onClose: (h) => d.bus.onClose(h),
        close: (r) => d.bus.close(r),
      };
      return {
        name: d.name,
        bus,
        stop: () => d.stop(),
        log: () => d.log?.() ?? Promise.resolve(undefined),
      };
    },
  };
}

Deno.test("local process deployer: a benchmark runs on two agent processes with two threads each", async () => {
  await using server = exampleServer();
  await using root = await tempDir("hf-lp-root-");
  await using logs = await tempDir("hf-lp-logs-");
  const deployer = withBus((bus) =>
    localProcessDeployer({ bus, version: VERSION, logDir: logs.dir })
  );
  const pids = new Map<string, number>();
  const benchmark = load(`name: two-agents
agents:
  alpha: 127.0.0.1
  beta: 127.0.0.1
threads: 2
http:
  host: ${server.url}
  sharedConnections: 20
phases:
  - main:
      atOnce:
        users: 8
        scenario:
          - hit:
              - httpRequest:
                  GET: /hello
              - httpRequest:
                  GET: /json
              - httpRequest:
                  GET: /
`);
  try {
    const result = await runBenchmark({
      benchmark,
      root: root.dir,
      deployer: observed(deployer, pids),
      version: VERSION,
    });
    assert.equal(result.status, "passed", `${result.reason} ${JSON.stringify(result.errors)}`);
    const all = JSON.parse(await Deno.readTextFile(`${result.runDir}/all.json`));
    const requests = all.stats.reduce(
      (n: number, s: { total: { summary: { requestCount: number } } }) =>
        n + s.total.summary.requestCount,
      0,
    );
    assert.equal(requests, 24);
    assert.equal(served(server, "/hello") + served(server, "/json") + served(server, "/"), 24);
    assert.deepEqual([...pids.keys()].sort(), ["alpha", "beta"]);
    assert.notEqual(pids.get("alpha"), Deno.pid, "the agents are other processes");
    assert.deepEqual(await agentProcesses(result.runId, deployer.bus.port), []);
    const log = await Deno.readTextFile(`${logs.dir}/agent.alpha.log`);
    assert.match(log, /Connected to the controller for run/);
    assert.match(log, /Stopped by the controller/);
  } finally {
    await deployer.close();
  }
});

/**
 * Runs agents `keep` and `lose` as processes against the example server; once the run is
 * going, sends `signal` to `lose`. Returns the run's result, how long after the signal it
 * ended, and the agent processes of the run left afterwards.
 */
async function loseAgentMidRun(keep: string, lose: string, signal: Deno.Signal) {
  await using server = exampleServer();
  await using root = await tempDir("hf-lp-root-");
  const deployer = withBus();
  const pids = new Map<string, number>();
  const benchmark = load(`name: lose-one
agents:
  ${keep}: 127.0.0.1
  ${lose}: 127.0.0.1
http:
  host: ${server.url}
phases:
  - main:
      constantRate:
        usersPerSec: 50
        duration: 30s
        scenario:
          - hit:
              - httpRequest:
                  GET: /hello
`);
  try {
    const started = runBenchmark({
      benchmark,
      root: root.dir,
      deployer: observed(deployer, pids),
      version: VERSION,
    });
    const deadline = Date.now() + 20_000;
    while (served(server, "/hello") < 120) {
      assert.ok(Date.now() < deadline, "the run did not get going");
      await new Promise((r) => setTimeout(r, 50));
    }
    const signalledAt = Date.now();
    Deno.kill(pids.get(lose)!, signal);
    const result = await started;
    const took = Date.now() - signalledAt;
    const all = JSON.parse(await Deno.readTextFile(`${result.runDir}/all.json`));
    const left = await agentProcesses(result.runId, deployer.bus.port);
    return { result, took, all, left };
  } finally {
    await deployer.close();
  }
}

Deno.test("local process deployer: a killed agent process fails the run naming it, and nothing is left", async () => {
  const { result, took, all, left } = await loseAgentMidRun("alpha", "beta", "SIGKILL");
  assert.ok(took < 6500, `the run ended ${took} ms after the kill`);
  assert.equal(result.status, "error");
  assert.match(result.reason ?? "", /beta/);
  assert.match(result.reason ?? "", /lost/);
  assert.ok(all.stats.length > 0, "what was recorded before the kill is written");
  assert.deepEqual(left, []);
});

Deno.test("local process deployer: a frozen agent (as an unreachable host) is lost after 5 s of silence", async () => {
  // SIGSTOP keeps the socket open but silent: only the heartbeat timeout can tell.
  const { result, took, all, left } = await loseAgentMidRun("north", "south", "SIGSTOP");
  assert.ok(took >= 4000 && took < 6500, `the run ended ${took} ms after the freeze`);
  assert.equal(result.status, "error");
  assert.match(result.reason ?? "", /south/);
  assert.ok(all.stats.length > 0, "what was recorded before the freeze is written");
  // The stopped process is killed, not left frozen.
  assert.deepEqual(left, []);
});

const BENCHMARK = bench(`phases:
  - main:
      atOnce:
        users: 1
${SCENARIO}
`);

Deno.test("local process deployer: a refused agent fails the deploy with its own words", async () => {
  // A controller of another version: the real agent is refused and exits.
  const bus = listenBus({ version: "9.9.9" });
  const deployer = localProcessDeployer({ bus, version: "9.9.9" });
  try {
    await assert.rejects(
      deployer.deploy("gamma", { runId: "0100", benchmark: BENCHMARK, threads: 1 }),
      (e: unknown) => {
        assert.ok(e instanceof DeployError);
        assert.equal(e.agent, "gamma");
        assert.match(e.message, /Agent 'gamma' exited with code 3 before connecting/);
        assert.match(
          e.message,
          new RegExp(
            `Agent version ${
              VERSION.replaceAll(".", "\\.")
            } does not match controller version 9\\.9\\.9`,
          ),
        );
        return true;
      },
    );
    assert.deepEqual(await agentProcesses("0100"), []);
  } finally {
    await deployer.close?.();
    await bus.close();
  }
});

Deno.test("local process deployer: aborting a deploy kills the agent process", async () => {
  const deployer = withBus((bus) =>
    localProcessDeployer({
      bus,
      version: VERSION,
      // A process that never connects: sleeps, whatever its arguments.
      command: [Deno.execPath(), "eval", "await new Promise((r) => setTimeout(r, 60_000))"],
    })
  );
  const ac = new AbortController();
  try {
    const deploying = deployer.deploy("delta", {
      runId: "0101",
      benchmark: BENCHMARK,
      threads: 1,
      signal: ac.signal,
    });
    await new Promise((r) => setTimeout(r, 300));
    ac.abort();
    await assert.rejects(deploying, /Deploying agent 'delta' was aborted/);
    assert.deepEqual(await agentProcesses("0101"), []);
  } finally {
    await deployer.close();
  }
});

Deno.test("local process deployer: log() holds what the agent wrote, stop() ends the process", async () => {
  const deployer = withBus();
  try {
    const agent = await deployer.deploy("eps", { runId: "0102", benchmark: BENCHMARK, threads: 1 });
    assert.equal((await agentProcesses("0102")).length, 1);
    await agent.stop();
    assert.deepEqual(await agentProcesses("0102"), []);
    const log = await agent.log!();
    assert.match(log ?? "", /agent 'eps': Connected to the controller for run '0102'/);
    assert.doesNotMatch(log ?? "", /[0-9a-f]{64}/, "the token is never logged");
  } finally {
    await deployer.close();
  }
});
