/**
 * The phase state machine on a simulated clock: simulated agents answer
 * every command, and the test steps the clock in 10 ms ticks.
 */
import assert from "node:assert/strict";
import type { Benchmark } from "../../src/benchmark/model.ts";
import type { AgentPhaseStatus, PhaseCommand } from "../../src/bus/messages.ts";
import { PhaseOrchestrator } from "../../src/controller/run_orchestrator.ts";
import { bench, SCENARIO } from "./_bench.ts";

interface AgentBehaviour {
  /** ms between FINISH and TERMINATED, per phase (default 0). */
  drain?: Record<string, number>;
  /** Phases whose sessions never end on their own (only TERMINATE ends them). */
  stuck?: string[];
  /** Noop phases terminate at once on FINISH and ignore TRY_TERMINATE (the engine today). */
  eagerNoop?: boolean;
}

/** An orchestrator over simulated agents on a simulated clock. */
function simulate(
  benchmark: Benchmark,
  agents: Record<string, AgentBehaviour> = { a: {} },
  failurePolicy?: "CANCEL" | "CONTINUE",
) {
  let now = 0;
  const commands: { command: PhaseCommand; phase: string; at: number }[] = [];
  const due: { at: number; agent: string; phase: string; status: AgentPhaseStatus }[] = [];
  const agentStatus = new Map<string, AgentPhaseStatus>();
  const o = new PhaseOrchestrator({
    phases: benchmark.phases,
    agents: Object.keys(agents),
    failurePolicy: failurePolicy ?? benchmark.failurePolicy,
    send(command, phase) {
      commands.push({ command, phase, at: now });
      for (const [agent, b] of Object.entries(agents)) respond(agent, b, command, phase);
    },
  });
  const noop = (phase: string) =>
    benchmark.phases.find((p) => p.name === phase)!.scenario === undefined;
  const report = (agent: string, phase: string, status: AgentPhaseStatus, delay = 0) =>
    due.push({ at: now + delay, agent, phase, status });
  function respond(agent: string, b: AgentBehaviour, command: PhaseCommand, phase: string) {
    const key = `${agent}/${phase}`;
    const status = agentStatus.get(key);
    switch (command) {
      case "RUN":
        agentStatus.set(key, "RUNNING");
        report(agent, phase, "RUNNING");
        return;
      case "FINISH": {
        if (status !== "RUNNING") return;
        agentStatus.set(key, "FINISHED");
        report(agent, phase, "FINISHED");
        if (noop(phase) && !b.eagerNoop) return;
        if (b.stuck?.includes(phase)) return;
        agentStatus.set(key, "TERMINATED");
        report(agent, phase, "TERMINATED", b.drain?.[phase] ?? 0);
        return;
      }
      case "TERMINATE":
        if (status === "TERMINATED") return;
        agentStatus.set(key, "TERMINATED");
        report(agent, phase, "TERMINATED");
        return;
      case "TRY_TERMINATE":
        if (status === "FINISHED" && !b.eagerNoop) {
          agentStatus.set(key, "TERMINATED");
          report(agent, phase, "TERMINATED");
        }
        return;
    }
  }
  /** Advances the clock to `until` in 10 ms steps, delivering due reports. */
  function runUntil(until: number) {
    while (now <= until) {
      // Agents answer at once: deliver and step until nothing more is due now.
      do {
        for (
          let i = due.findIndex((d) => d.at <= now);
          i >= 0;
          i = due.findIndex((d) => d.at <= now)
        ) {
          const [d] = due.splice(i, 1);
          o.agentStatus(d.agent, d.phase, d.status, now);
        }
        o.step(now);
      } while (due.some((d) => d.at <= now));
      now += 10;
    }
  }
  const at = (command: PhaseCommand, phase: string) =>
    commands.find((c) => c.command === command && c.phase === phase)?.at;
  const status = (phase: string) => o.phase(phase)!.status;
  return {
    o,
    commands,
    runUntil,
    at,
    status,
    report,
    start: () => o.start(0),
    get now() {
      return now;
    },
  };
}

const phase = (name: string, body: string) => `  - ${name}:\n${body}`;
const always = (duration: string, extra = "") =>
  `      always:\n        users: 1\n        duration: ${duration}\n${extra}${SCENARIO}\n`;

Deno.test("startAfter waits for the phase to finish, startAfterStrict for it to terminate", () => {
  const b = bench(`phases:
${phase("a", always("100ms"))}${phase("loose", always("50ms", "        startAfter: a\n"))}${
    phase("strict", always("50ms", "        startAfterStrict: a\n"))
  }`);
  const sim = simulate(b, { x: { drain: { a: 60 } } });
  sim.start();
  sim.runUntil(400);
  assert.equal(sim.at("RUN", "a"), 0);
  assert.equal(sim.at("FINISH", "a"), 100);
  assert.equal(sim.at("RUN", "loose"), 100, "startAfter: as soon as 'a' finished");
  assert.equal(sim.at("RUN", "strict"), 160, "startAfterStrict: once 'a' terminated");
  assert.ok(sim.o.done);
});

Deno.test("startWith starts a phase when the other started, plus its delay", () => {
  const b = bench(`phases:
${phase("a", always("200ms", "        startTime: 50ms\n"))}${
    phase("same", always("50ms", "        startWith: a\n"))
  }${phase("later", always("50ms", "        startWith: {phase: a, delay: 70ms}\n"))}`);
  const sim = simulate(b);
  sim.start();
  sim.runUntil(300);
  assert.equal(sim.at("RUN", "a"), 50);
  assert.equal(sim.at("RUN", "same"), 50, "no delay: in the same step");
  assert.equal(sim.at("RUN", "later"), 120);
});

Deno.test("startTime delays a phase and is the next deadline", () => {
  const b = bench(`phases:
${phase("a", always("50ms", "        startTime: 200ms\n"))}`);
  const sim = simulate(b);
  assert.equal(sim.start(), 200);
  assert.equal(sim.status("a"), "NOT_STARTED");
  sim.runUntil(300);
  assert.equal(sim.at("RUN", "a"), 200);
  assert.equal(sim.at("FINISH", "a"), 250);
});

Deno.test("maxDuration terminates sessions that outlive the duration", () => {
  const b = bench(`phases:
${phase("a", always("100ms", "        maxDuration: 150ms\n"))}`);
  const sim = simulate(b, { x: { stuck: ["a"] } });
  sim.start();
  sim.runUntil(120);
  assert.equal(sim.status("a"), "FINISHED");
  sim.runUntil(300);
  assert.equal(sim.at("TERMINATE", "a"), 150);
  assert.equal(sim.status("a"), "TERMINATED");
  assert.equal(sim.o.phase("a")!.terminateTime, 150);
});

Deno.test("a phase without maxDuration whose sessions never end is never terminated", () => {
  const b = bench(`phases:
${phase("a", always("50ms"))}`);
  const sim = simulate(b, { x: { stuck: ["a"] } });
  sim.start();
  sim.runUntil(500);
  assert.equal(sim.status("a"), "FINISHED");
  assert.equal(sim.at("TERMINATE", "a"), undefined);
  assert.equal(sim.o.done, false);
});

function forkBench(after: string): Benchmark {
  return bench(`phases:
  - p:
      always:
        users: 2
        duration: 100ms
        forks:
          - fast:
              weight: 1
              scenario:
                - main:
                    - httpRequest:
                        GET: /
          - slow:
              weight: 1
              scenario:
                - main:
                    - httpRequest:
                        GET: /
${after}`);
}

Deno.test("an umbrella phase is tried to terminate once the phases it covers terminated", () => {
  const b = forkBench(phase("next", always("50ms", "        startAfterStrict: p\n")));
  const sim = simulate(b, { x: { drain: { "p/slow": 80 } } });
  sim.start();
  sim.runUntil(400);
  assert.equal(sim.at("RUN", "p/fast"), 0);
  assert.equal(sim.at("RUN", "p/slow"), 0);
  assert.equal(sim.at("RUN", "p"), 100, "the umbrella starts when its forks finished");
  assert.equal(sim.at("TRY_TERMINATE", "p"), 180, "…and is tried once they terminated");
  assert.equal(sim.at("RUN", "next"), 180);
  assert.ok(sim.o.done);
});

Deno.test("an umbrella that its agents end early still waits for the phases it covers", () => {
  const b = forkBench(phase("next", always("50ms", "        startAfterStrict: p\n")));
  const sim = simulate(b, { x: { drain: { "p/slow": 80 }, eagerNoop: true } });
  sim.start();
  sim.runUntil(140);
  assert.equal(sim.status("p"), "FINISHED", "agents said TERMINATED, the slow fork still runs");
  assert.equal(sim.at("RUN", "next"), undefined);
  sim.runUntil(400);
  assert.equal(sim.status("p"), "TERMINATED");
  assert.equal(sim.at("RUN", "next"), 180);
});

Deno.test("iterations run one after another, then their umbrella", () => {
  const b = bench(`phases:
${phase("it", always("50ms", "        maxIterations: 3\n"))}`);
  const sim = simulate(b, { x: { drain: { "it/000": 20, "it/001": 20, "it/002": 20 } } });
  sim.start();
  sim.runUntil(500);
  assert.deepEqual(
    sim.commands.filter((c) => c.command === "RUN").map((c) => [c.phase, c.at]),
    [["it/000", 0], ["it/001", 70], ["it/002", 140], ["it", 190]],
  );
  assert.ok(sim.o.done);
});

Deno.test("the status of a phase is the least advanced of its agents'", () => {
  const b = bench(`phases:
${phase("a", always("100ms"))}`);
  const sim = simulate(b, { fast: {}, slow: { drain: { a: 100 } } });
  sim.start();
  assert.equal(sim.status("a"), "STARTING");
  sim.runUntil(0);
  assert.equal(sim.status("a"), "RUNNING");
  sim.runUntil(150);
  assert.equal(sim.o.phase("a")!.agents.get("fast"), "TERMINATED");
  assert.equal(sim.status("a"), "FINISHED");
  sim.runUntil(250);
  assert.equal(sim.status("a"), "TERMINATED");
  assert.equal(sim.o.phase("a")!.terminateTime, 200);
});

Deno.test("no status advances until every agent has reported", () => {
  const b = bench(`phases:
${phase("a", always("100ms"))}`);
  const o = new PhaseOrchestrator({ phases: b.phases, agents: ["x", "y"], send: () => {} });
  o.start(0);
  o.agentStatus("x", "a", "TERMINATED", 5);
  assert.equal(o.phase("a")!.status, "STARTING");
  o.agentStatus("y", "a", "RUNNING", 6);
  assert.equal(o.phase("a")!.status, "RUNNING");
  o.agentStatus("y", "a", "RUNNING", 7);
  o.agentStatus("x", "a", "RUNNING", 8); // statuses never go back
  assert.equal(o.phase("a")!.agents.get("x"), "TERMINATED");
});

const TWO = `phases:
${phase("a", always("100ms"))}${phase("b", always("50ms", "        startTime: 300ms\n"))}`;

Deno.test("a failed phase cancels the phases not started under failurePolicy CANCEL", () => {
  const sim = simulate(bench(TWO));
  sim.start();
  sim.runUntil(50);
  sim.o.fail("a", "Exceeded session limit", 50);
  assert.equal(sim.status("b"), "CANCELLED");
  assert.equal(sim.status("a"), "RUNNING", "a running phase goes on");
  sim.runUntil(400);
  assert.equal(sim.at("RUN", "b"), undefined);
  assert.deepEqual(sim.o.phase("a")!.failureReasons, ["Exceeded session limit"]);
  assert.ok(sim.o.done);
});

Deno.test("under failurePolicy CONTINUE a failed phase cancels nothing", () => {
  const sim = simulate(bench(`failurePolicy: CONTINUE\n${TWO}`));
  sim.start();
  sim.runUntil(50);
  sim.o.fail("a", "boom", 50);
  sim.runUntil(400);
  assert.equal(sim.at("RUN", "b"), 300);
  assert.equal(sim.status("b"), "TERMINATED");
  assert.equal(sim.o.phase("a")!.failed, true);
});

Deno.test("kill cancels phases not started and terminates running ones", () => {
  const sim = simulate(bench(TWO), { x: { stuck: ["a"] } });
  sim.start();
  sim.runUntil(20);
  const t = sim.now;
  sim.o.kill(t);
  assert.equal(sim.status("b"), "CANCELLED");
  assert.equal(sim.status("a"), "TERMINATING");
  assert.equal(sim.at("TERMINATE", "a"), t);
  sim.runUntil(60);
  assert.equal(sim.status("a"), "TERMINATED");
  assert.ok(sim.o.done && sim.o.cancelled);
});

Deno.test("noop phases finish at once", () => {
  const b = bench(`phases:
  - gate:
      noop: {}
${phase("a", always("50ms", "        startAfter: gate\n"))}`);
  const sim = simulate(b);
  sim.start();
  sim.runUntil(100);
  assert.equal(sim.at("RUN", "gate"), 0);
  assert.equal(sim.at("FINISH", "gate"), 0);
  assert.equal(sim.at("RUN", "a"), 0);
});
