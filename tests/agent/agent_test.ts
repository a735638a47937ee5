/**
 * The agent between a controller (the test, on the in-memory bus) and
 * executors the test drives by hand: hello, initialisation, the status of a
 * phase as the minimum over executors, statistics collection, lists, stop.
 */
import assert from "node:assert/strict";
import { type CreateExecutor, mergeByPeriod, startAgent } from "../../src/agent/agent.ts";
import type { Benchmark } from "../../src/benchmark/model.ts";
import { memoryBus } from "../../src/bus/memory_transport.ts";
import type { AgentMessage, ControllerSide } from "../../src/bus/messages.ts";
import type {
  ExecutorCommand,
  ExecutorEvent,
  ExecutorHandle,
} from "../../src/engine/executor_api.ts";
import { decodeSnapshot, encodeSnapshot } from "../../src/stats/snapshot.ts";
import { StatsData } from "../../src/stats/stats_data.ts";
import { bench, SCENARIO } from "../controller/_bench.ts";

/** An executor the test drives: it records commands and emits what it is told to. */
interface ManualExecutor extends ExecutorHandle {
  readonly commands: ExecutorCommand[];
  emit(e: ExecutorEvent): void;
  disposed: boolean;
}

function manualEngine(auto: { ready?: boolean; stopped?: boolean } = {}) {
  const executors: ManualExecutor[] = [];
  const create: CreateExecutor = () => {
    let handler: ((e: ExecutorEvent) => void) | undefined;
    const ex: ManualExecutor = {
      commands: [],
      disposed: false,
      emit: (e) => queueMicrotask(() => handler?.(e)),
      send(c) {
        ex.commands.push(c);
        if (c.type === "init" && auto.ready !== false) ex.emit({ type: "ready" });
        if (c.type === "stop" && auto.stopped !== false) ex.emit({ type: "stopped" });
      },
      onEvent(h) {
        handler = h;
      },
      dispose() {
        ex.disposed = true;
      },
    };
    executors.push(ex);
    return ex;
  };
  return { executors, create };
}

/** A controller end that records messages and can wait for one. */
function controllerEnd(bus: ControllerSide) {
  const received: AgentMessage[] = [];
  let closed: string | undefined;
  const waiters: (() => void)[] = [];
  bus.onMessage((m) => {
    if (m.type !== "heartbeat") received.push(m);
    for (const w of waiters.splice(0)) w();
  });
  bus.onClose((r) => {
    closed = r;
    for (const w of waiters.splice(0)) w();
  });
  const until = async (cond: () => boolean, what: string) => {
    const deadline = Date.now() + 2000;
    while (!cond()) {
      assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 20);
        waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  };
  return {
    received,
    get closed() {
      return closed;
    },
    until,
    of: <T extends AgentMessage["type"]>(type: T) =>
      received.filter((m): m is AgentMessage & { type: T } => m.type === type),
  };
}

const BENCH: Benchmark = bench(`phases:
  - main:
      always:
        users: 2
        duration: 1s
${SCENARIO}
`);

async function started(threads: number, auto?: { ready?: boolean; stopped?: boolean }) {
  const engine = manualEngine(auto);
  const { controller, agent } = memoryBus();
  const handle = startAgent({
    name: "agent-a",
    bus: agent,
    createExecutor: engine.create,
    version: "1.2.3",
    threads,
  });
  const c = controllerEnd(controller);
  await c.until(() => c.of("hello").length === 1, "hello");
  controller.send({
    type: "initialize",
    runId: "0001",
    benchmark: { ...BENCH, statisticsCollectionPeriod: 50 },
    agentIndex: 1,
    agentThreads: [3, threads],
  });
  return { engine, controller, c, handle };
}

Deno.test("an agent says hello, builds one executor per thread and is ready when all are", async () => {
  const { engine, c, handle } = await started(2);
  const [hello] = c.of("hello");
  assert.equal(hello.agent, "agent-a");
  assert.equal(hello.version, "1.2.3");
  assert.equal(hello.threads, 2);
  await c.until(() => c.of("ready").length === 1, "ready");
  assert.equal(engine.executors.length, 2);
  const slots = engine.executors.map((e) => {
    const init = e.commands.find((x) => x.type === "init");
    return init?.type === "init" ? init.slot : undefined;
  });
  assert.deepEqual(slots, [
    { agentIndex: 1, agentThreads: [3, 2], threadIndex: 0 },
    { agentIndex: 1, agentThreads: [3, 2], threadIndex: 1 },
  ]);
  await handle.stop();
  assert.ok(engine.executors.every((e) => e.disposed));
});

Deno.test("an agent whose executor cannot start reports a fatal error naming the reason", async () => {
  const { engine, c, handle } = await started(2, { ready: false });
  engine.executors[0].emit({ type: "ready" });
  engine.executors[1].emit({ type: "initFailed", message: "Connection refused: 127.0.0.1:1" });
  await c.until(() => c.of("error").length === 1, "error");
  assert.deepEqual(c.of("error")[0], {
    type: "error",
    agent: "agent-a",
    message: "Connection refused: 127.0.0.1:1",
    fatal: true,
  });
  assert.equal(c.of("ready").length, 0);
  await handle.stop();
});

Deno.test("a phase's status is the least advanced executor's, reported when it advances", async () => {
  const { engine, controller, c, handle } = await started(2);
  await c.until(() => c.of("ready").length === 1, "ready");
  controller.send({ type: "phaseControl", command: "RUN", phase: "main" });
  await c.until(() => engine.executors.every((e) => e.commands.length === 2), "RUN forwarded");
  assert.deepEqual(engine.executors[1].commands[1], {
    type: "phase",
    command: "RUN",
    phase: "main",
    globalData: undefined,
  });
  const [e0, e1] = engine.executors;
  const status = (e: ManualExecutor, s: "RUNNING" | "FINISHED" | "TERMINATED", extra = {}) =>
    e.emit({ type: "phaseStatus", phase: "main", status: s, ...extra });
  status(e0, "RUNNING");
  status(e0, "FINISHED");
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(c.of("phaseChange").length, 0, "thread 1 has not started yet");
  status(e1, "RUNNING", { sessionLimitExceeded: true });
  status(e1, "RUNNING", { sessionLimitExceeded: true });
  status(e1, "FINISHED", { error: "Step failed" });
  await c.until(() => c.of("phaseChange").length === 2, "two changes");
  assert.deepEqual(c.of("phaseChange").map((m) => [m.status, m.sessionLimitExceeded, m.error]), [
    ["RUNNING", true, undefined],
    ["FINISHED", undefined, "Step failed"],
  ]);
  await handle.stop();
});

function snapshotOf(requests: number, seq: number) {
  const d = new StatsData();
  for (let i = 0; i < requests; i++) {
    d.recordRequest();
    d.recordResponse(2_000_000, 200);
  }
  d.widen(1000, 2000);
  return encodeSnapshot(d, { phase: 0, stepId: 1, metric: "m", sequenceId: seq });
}

Deno.test("every period the agent collects from all executors and ships one message", async () => {
  const { engine, controller, c, handle } = await started(2);
  await c.until(() => c.of("ready").length === 1, "ready");
  controller.send({ type: "phaseControl", command: "RUN", phase: "main" });
  for (const e of engine.executors) {
    e.emit({ type: "phaseStatus", phase: "main", status: "RUNNING" });
  }
  await c.until(
    () => engine.executors.every((e) => e.commands.some((x) => x.type === "collect")),
    "collect",
  );
  engine.executors.forEach((e, i) =>
    e.emit({
      type: "stats",
      snapshots: [snapshotOf(3 + i, 0)],
      sessions: { main: { min: i, max: 2 } },
      connections: { "127.0.0.1:1": { open: { min: 1, max: 1 } } },
    })
  );
  await c.until(() => c.of("requestStats").length === 1, "requestStats");
  const [stats] = c.of("requestStats");
  assert.equal(stats.snapshots.length, 1, "same period from both threads: merged");
  assert.equal(decodeSnapshot(stats.snapshots[0]).requestCount, 7);
  await c.until(() => c.of("connectionStats").length === 1, "connectionStats");
  assert.deepEqual(c.of("sessionStats")[0].sessions, { main: { min: 1, max: 4 } });
  assert.deepEqual(c.of("connectionStats")[0].connections, {
    "127.0.0.1:1": { open: { min: 2, max: 2 } },
  });
  // The last statistics go out before the phase's statistics are said complete.
  for (const e of engine.executors) {
    e.emit({ type: "phaseStatus", phase: "main", status: "TERMINATED" });
  }
  await c.until(() => c.of("phaseChange").some((m) => m.status === "TERMINATED"), "terminated");
  const before = c.received.length;
  engine.executors[0].emit({
    type: "stats",
    snapshots: [snapshotOf(1, 1)],
    sessions: {},
    connections: {},
  });
  engine.executors[0].emit({ type: "phaseStatus", phase: "main", status: "STATS_COMPLETE" });
  engine.executors[1].emit({ type: "phaseStatus", phase: "main", status: "STATS_COMPLETE" });
  await c.until(() => c.of("phaseStatsComplete").length === 1, "stats complete");
  const order = c.received.slice(before).map((m) => m.type)
    .filter((t) => t !== "sessionStats" && t !== "connectionStats");
  assert.deepEqual(order.slice(-3), ["requestStats", "phaseChange", "phaseStatsComplete"]);
  await handle.stop();
});

Deno.test("an agent gathers list replies from its executors", async () => {
  const { engine, controller, c, handle } = await started(2);
  await c.until(() => c.of("ready").length === 1, "ready");
  controller.send({ type: "listSessions", requestId: 7, includeInactive: true });
  await c.until(
    () => engine.executors.every((e) => e.commands.some((x) => x.type === "listSessions")),
    "list",
  );
  engine.executors.forEach((e, i) =>
    e.emit({ type: "listReply", requestId: 7, lines: [`session of thread ${i}`] })
  );
  await c.until(() => c.of("listReply").length === 1, "listReply");
  assert.deepEqual(c.of("listReply")[0].lines, ["session of thread 0", "session of thread 1"]);
  await handle.stop();
});

Deno.test("STOP stops and disposes the executors and closes the bus", async () => {
  const { engine, controller, c, handle } = await started(2);
  await c.until(() => c.of("ready").length === 1, "ready");
  controller.send({ type: "stop" });
  await handle.stopped;
  await c.until(() => c.closed !== undefined, "bus closed");
  assert.ok(engine.executors.every((e) => e.commands.some((x) => x.type === "stop")));
  assert.ok(engine.executors.every((e) => e.disposed));
});

Deno.test("an executor that never confirms STOP is disposed after the stop timeout", async () => {
  const engine = manualEngine({ stopped: false });
  const { controller, agent } = memoryBus();
  const handle = startAgent({
    name: "a",
    bus: agent,
    createExecutor: engine.create,
    version: "x",
    stopTimeoutMs: 50,
  });
  const c = controllerEnd(controller);
  controller.send({
    type: "initialize",
    runId: "1",
    benchmark: BENCH,
    agentIndex: 0,
    agentThreads: [1],
  });
  await c.until(() => c.of("ready").length === 1, "ready");
  const t0 = Date.now();
  controller.send({ type: "stop" });
  await handle.stopped;
  assert.ok(Date.now() - t0 >= 40);
  assert.ok(engine.executors[0].disposed);
});

Deno.test("an agent sends heartbeats and stops when the controller goes silent", async () => {
  const engine = manualEngine();
  const { controller, agent } = memoryBus();
  let heartbeats = 0;
  controller.onMessage((m) => m.type === "heartbeat" && heartbeats++);
  const handle = startAgent({
    name: "a",
    bus: agent,
    createExecutor: engine.create,
    version: "x",
    heartbeatMs: 20,
    controllerTimeoutMs: 100,
  });
  await handle.stopped;
  assert.ok(heartbeats >= 3, `${heartbeats} heartbeats`);
});

Deno.test("snapshots of different periods or steps are not merged", () => {
  const a = snapshotOf(1, 0), b = snapshotOf(2, 1), c = snapshotOf(3, 0);
  const merged = mergeByPeriod([a, b, c]);
  assert.equal(merged.length, 2);
  assert.equal(merged[0].requestCount, 4);
  assert.equal(merged[1], b);
});
