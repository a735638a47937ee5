/**
 * An executor: one event loop's share of the run. It builds HTTP clients
 * (its share of each endpoint's connections), compiles every phase's
 * scenario, pre-allocates sessions, and runs phases as the agent commands,
 * reporting phase statuses and statistics as plain events.
 */
import type { Benchmark, Phase } from "../benchmark/model.ts";
import {
  connectionsShare,
  type ExecutorSlot,
  globalThreadIndex,
  phaseShare,
} from "../benchmark/load_split.ts";
import type { MinMax } from "../bus/messages.ts";
import { createClient } from "../http/create_client.ts";
import type { HttpClient } from "../http/http_client.ts";
import { nowNs } from "../http/time.ts";
import {
  type CompilerRegistry,
  compileScenario,
  newStepIds,
  type StepIds,
} from "../scenario/compile.ts";
import type { ExecutorContext } from "../scenario/runtime.ts";
import type { Session } from "../scenario/session.ts";
import { wakeSession } from "../scenario/session.ts";
import type { VarValue } from "../scenario/vars.ts";
import { StatsRegistry } from "../stats/recorder.ts";
import type { ExecutorCommand, ExecutorEvent } from "./executor_api.ts";
import { createPhaseRunner, type PhaseRunner } from "./phase_runner.ts";

export interface ExecutorOptions {
  /** Runtime step compilers (built-ins plus extensions). */
  compilers: CompilerRegistry;
  emit(event: ExecutorEvent): void;
}

/** Creates the executor; feed it commands with the returned function. */
export function createExecutorCore(options: ExecutorOptions): (command: ExecutorCommand) => void {
  const { emit } = options;
  let state: ExecutorState | undefined;
  return (command) => {
    try {
      switch (command.type) {
        case "init":
          init(command).then(
            (s) => {
              state = s;
              emit({ type: "ready" });
            },
            (e) =>
              emit({ type: "initFailed", message: e instanceof Error ? e.message : String(e) }),
          );
          return;
        case "phase":
          if (state) phaseCommand(state, command.command, command.phase, command.globalData);
          return;
        case "collect":
          if (state) collect(state);
          return;
        case "listSessions":
          emit({
            type: "listReply",
            requestId: command.requestId,
            lines: state
              ? [...state.runners.values()].flatMap((r) => r.listSessions(command.includeInactive))
              : [],
          });
          return;
        case "listConnections":
          emit({
            type: "listReply",
            requestId: command.requestId,
            lines: state
              ? [...state.clients.entries()].map(([a, c]) => {
                const st = c.stats();
                return `${a}: ${st.connections} open, ${st.connecting} connecting, ${st.inFlight} in flight, ${st.waiters} waiting`;
              })
              : [],
          });
          return;
        case "stop":
          if (state) stop(state).then(() => emit({ type: "stopped" }));
          else emit({ type: "stopped" });
          return;
      }
    } catch (e) {
      emit({
        type: "log",
        level: "error",
        message: `Executor failed on '${command.type}': ${e instanceof Error ? e.stack : e}`,
      });
    }
  };

  async function init(cmd: ExecutorCommand & { type: "init" }): Promise<ExecutorState> {
    const { benchmark, slot } = cmd;
    const clients = new Map<string, HttpClient>();
    const byName = new Map<string, HttpClient>();
    let defaultClient: HttpClient | undefined;
    for (const ep of benchmark.http) {
      const client = clients.get(ep.authority) ?? createClient(ep, {
        sharedConnections: connectionsShare(ep.sharedConnections, slot),
      });
      clients.set(ep.authority, client);
      if (ep.name) byName.set(ep.name, client);
      if (ep.isDefault) defaultClient = client;
    }
    const stats = new StatsRegistry({ periodMs: benchmark.statisticsCollectionPeriod, nowNs });
    const agents = slot.agentThreads.length;
    const globalThreads = slot.agentThreads.reduce((a, b) => a + b, 0);
    const runners = new Map<string, PhaseRunner>();
    const ctx: ExecutorContext = {
      runId: cmd.runId,
      agentName: cmd.agentName,
      agentIndex: slot.agentIndex,
      agents,
      threadIndex: slot.threadIndex,
      threads: slot.agentThreads[slot.agentIndex],
      globalThreadIndex: globalThreadIndex(slot),
      globalThreads,
      nowNs,
      wakeAt(s: Session, atNs: number) {
        const generation = s.generation;
        // Timers may fire up to a millisecond early: re-arm until the deadline has passed.
        const fire = () => {
          if (s.generation !== generation) return;
          const left = atNs - nowNs();
          if (left > 0) setTimeout(fire, Math.max(0, left / 1e6));
          else wakeSession(s);
        };
        setTimeout(fire, Math.max(0, (atNs - nowNs()) / 1e6));
      },
      http: (a) =>
        clients.get(a) ?? byName.get(a) ?? clients.get(`${a}:80`) ?? clients.get(`${a}:443`),
      defaultHttp: () => defaultClient,
      statistics: (p, s, m) => stats.statistics(p, s, m),
      random: Math.random,
      sharedCounters: new Map(),
      sharedMaps: new Map(),
      agentData: new Map(),
      globalData: new Map(),
      publishGlobalCounter(key, name, value) {
        const g = (st.globalCounters ??= {});
        const m = (g[key] ??= {});
        m[name] = (m[name] ?? 0) + value;
      },
      pseudoVariable(name, s): VarValue {
        const p = s.phase.phase;
        switch (name) {
          case "hyperfoil.agent.id":
            return slot.agentIndex;
          case "hyperfoil.agents":
            return agents;
          case "hyperfoil.agent.thread.id":
            return slot.threadIndex;
          case "hyperfoil.agent.threads":
            return slot.agentThreads[slot.agentIndex];
          case "hyperfoil.global.thread.id":
            return globalThreadIndex(slot);
          case "hyperfoil.global.threads":
            return globalThreads;
          case "hyperfoil.phase.name":
            return p.name;
          case "hyperfoil.phase.id":
            return p.id;
          case "hyperfoil.phase.iteration":
            return p.iteration;
          case "hyperfoil.run.id":
            return cmd.runId;
          case "hyperfoil.session.id":
            return s.id;
        }
        return undefined;
      },
      log: (level, message) => emit({ type: "log", level, message }),
    };
    const st: ExecutorState = {
      benchmark,
      clients,
      stats,
      runners,
      ctx,
      terminatedPending: new Set(),
    };
    // Sessions are allocated up front (Hyperfoil's reserve): running out is reported, not hidden.
    const stepIds: StepIds = newStepIds(benchmark);
    let sessionId = globalThreadIndex(slot) * 1_000_000;
    for (const full of benchmark.phases) {
      const phase = phaseShare(full, slot);
      const scenario = phase.scenario === undefined ? undefined : compileScenario(
        benchmark.scenarios[phase.scenario],
        benchmark,
        phase,
        options.compilers,
        stepIds,
      );
      const runner = createPhaseRunner(phase, scenario, ctx, {
        status: (p, status, extra) => onStatus(st, p, status, extra),
      }, sessionId);
      sessionId += phase.maxSessions ?? phase.users ?? 0;
      runners.set(phase.name, runner);
    }
    try {
      await Promise.all([...clients.values()].map((c) => c.connect()));
    } catch (e) {
      await Promise.all([...clients.values()].map((c) => c.close()));
      throw e;
    }
    return st;
  }

  function onStatus(
    st: ExecutorState,
    phase: Phase,
    status: ExecutorEvent & { type: "phaseStatus" } extends { status: infer S } ? S : never,
    extra?: { sessionLimitExceeded?: boolean; error?: string },
  ): void {
    if (status === "RUNNING") st.stats.startPhase(phase.id);
    if (status === "TERMINATED") {
      st.stats.endPhase(phase.id);
      st.terminatedPending.add(phase.name);
    }
    emit({ type: "phaseStatus", phase: phase.name, status, ...extra });
  }

  function phaseCommand(
    st: ExecutorState,
    command: string,
    name: string,
    globalData?: Record<string, unknown>,
  ): void {
    const r = st.runners.get(name);
    if (!r) {
      emit({ type: "log", level: "error", message: `Unknown phase '${name}'` });
      return;
    }
    // Global data merged by the controller is visible to the phase that starts with it.
    for (const [k, v] of Object.entries(globalData ?? {})) st.ctx.globalData.set(k, v);
    switch (command) {
      case "RUN":
        return r.start();
      case "FINISH":
        return r.finish();
      case "TERMINATE":
      case "TRY_TERMINATE":
        // Sessions of a phase that already finished end on their own; TERMINATE cuts them.
        if (command === "TRY_TERMINATE" && r.status === "FINISHED") return;
        return r.terminate();
    }
  }

  function collect(st: ExecutorState): void {
    const snapshots = st.stats.collect();
    const sessions: Record<string, MinMax> = {};
    for (const [name, r] of st.runners) {
      if (r.status !== "NOT_STARTED" && r.status !== "STATS_COMPLETE") {
        sessions[name] = r.takeSessionStats();
      }
    }
    const connections: Record<string, Record<string, MinMax>> = {};
    for (const [a, c] of st.clients) {
      const s = c.stats();
      // Gauges sampled at collection time, under Hyperfoil's names (all.json `connections`).
      const kind = (c.endpoint.protocol === "https" ? "TLS + " : "") +
        (c.engine === "fetch" ? "HTTP 2" : "HTTP 1.x");
      const gauge = (n: number) => ({ min: n, max: n });
      connections[a] = {
        "in-flight requests": gauge(s.inFlight),
        "used connections": gauge(Math.min(s.connections, s.inFlight)),
        "blocked sessions": gauge(s.waiters),
        [kind]: gauge(s.connections),
      };
    }
    emit({ type: "stats", snapshots, sessions, connections });
    // A terminated phase whose last period was just sent has complete statistics.
    for (const name of [...st.terminatedPending]) {
      const r = st.runners.get(name)!;
      if (!st.stats.hasPending(r.phase.id)) {
        st.terminatedPending.delete(name);
        r.status = "STATS_COMPLETE";
        emit({ type: "phaseStatus", phase: name, status: "STATS_COMPLETE" });
      }
    }
  }

  async function stop(st: ExecutorState): Promise<void> {
    for (const r of st.runners.values()) r.terminate();
    await Promise.all([...st.clients.values()].map((c) => c.close()));
  }
}

interface ExecutorState {
  benchmark: Benchmark;
  clients: Map<string, HttpClient>;
  stats: StatsRegistry;
  runners: Map<string, PhaseRunner>;
  ctx: ExecutorContext;
  terminatedPending: Set<string>;
  globalCounters?: Record<string, Record<string, number>>;
}

export type { ExecutorSlot };
