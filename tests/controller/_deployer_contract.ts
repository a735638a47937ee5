/**
 * What every deployer must do, whatever the transport (STYLE: one contract
 * suite per pluggable part). `local` runs it now; `ssh` will run the same.
 */
import assert from "node:assert/strict";
import type { AgentMessage } from "../../src/bus/messages.ts";
import type { Deployer } from "../../src/deploy/deployer.ts";
import { startExampleServer } from "../../src/example_server/mod.ts";
import { bench, SCENARIO } from "./_bench.ts";

const BENCHMARK = bench(`phases:
  - main:
      atOnce:
        users: 1
${SCENARIO}
`);

function inbox(bus: { onMessage(h: (m: AgentMessage) => void): void }) {
  const got: AgentMessage[] = [];
  bus.onMessage((m) => m.type !== "heartbeat" && got.push(m));
  return {
    got,
    async next(type: AgentMessage["type"]): Promise<AgentMessage> {
      const deadline = Date.now() + 5000;
      for (;;) {
        const m = got.find((x) => x.type === type);
        if (m) return m;
        assert.ok(Date.now() < deadline, `no '${type}' from the agent`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}

/** Registers the contract tests for the deployer `make` builds. */
export function deployerContract(name: string, make: () => Deployer): void {
  Deno.test(`${name} deployer: the agent says hello with its name and the run's version`, async () => {
    const deployer = make();
    const agent = await deployer.deploy("agent-x", {
      runId: "0001",
      benchmark: BENCHMARK,
      threads: 1,
    });
    assert.equal(agent.name, "agent-x");
    const hello = await inbox(agent.bus).next("hello");
    assert.equal(hello.type === "hello" && hello.agent, "agent-x");
    await agent.stop();
    await deployer.close?.();
  });

  Deno.test(`${name} deployer: the agent initialises, and STOP closes its connection`, async () => {
    // A real engine connects to the target while initialising: give it one.
    await using server = startExampleServer({ port: 0 });
    const benchmark = bench(`http:
  host: ${server.url}
phases:
  - main:
      atOnce:
        users: 1
${SCENARIO}
`);
    const deployer = make();
    const agent = await deployer.deploy("agent-y", {
      runId: "0002",
      benchmark,
      threads: 2,
    });
    const box = inbox(agent.bus);
    let closed = false;
    agent.bus.onClose(() => (closed = true));
    agent.bus.send({
      type: "initialize",
      runId: "0002",
      benchmark,
      agentIndex: 0,
      agentThreads: [2],
    });
    await box.next("ready");
    agent.bus.send({ type: "stop" });
    const deadline = Date.now() + 5000;
    while (!closed) {
      assert.ok(Date.now() < deadline, "the connection was not closed after STOP");
      await new Promise((r) => setTimeout(r, 10));
    }
    await agent.stop();
    await agent.stop(); // idempotent
    await deployer.close?.();
  });
}
