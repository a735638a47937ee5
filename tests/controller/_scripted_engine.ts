/**
 * A scripted engine for controller and agent tests: executors that run
 * phases on short timers, report statuses as the real engine does and send
 * synthetic statistics on every collect. It records every command it gets.
 */
import type { ExecutorSlot } from "../../src/benchmark/load_split.ts";
import type { Benchmark } from "../../src/benchmark/model.ts";
import type { AgentPhaseStatus } from "../../src/bus/messages.ts";
import type {
  ExecutorCommand,
  ExecutorEvent,
  ExecutorHandle,
} from "../../src/engine/executor_api.ts";
import { encodeSnapshot, type StatsSnapshot } from "../../src/stats/snapshot.ts";
import { StatsData } from "../../src/stats/stats_data.ts";

/** How one phase behaves on every executor. */
export interface PhaseScript {
  /** After FINISH, sessions take this long to end (TERMINATED); default 0. Per agent name as a record. */
  drainMs?: number | Record<string, number>;
  /** Finishes by itself this long after RUN (as atOnce does); default never. */
  selfFinishMs?: number;
  /** Reports `sessionLimitExceeded` this long after RUN. */
  sessionLimitAfterMs?: number;
  /** Reports an error this long after RUN (and terminates, as a failed phase does). */
  error?: { afterMs: number; message: string };
  /** Response time of every synthetic response, ns; default 1 ms. */
  responseNs?: number;
  /** Responses per collect; default 5. */
  responses?: number;
  /** Metric name; default "test". */
  metric?: string;
}

export interface EngineScript {
  /** Initialisation fails with this message (on thread 0). */
  initFailed?: string;
  initDelayMs?: number;
  /** Per phase name. */
  phases?: Record<string, PhaseScript>;
  /** Ignores TRY_TERMINATE and terminates noop phases at once on FINISH, as the real engine does today. */
  eagerNoop?: boolean;
}

export interface EngineEvent {
  agent: string;
  thread: number;
  /** RUN, FINISH, TERMINATE, TRY_TERMINATE, init, stop, or a status this executor reported. */
  what: string;
  phase?: string;
  at: number;
  /** The slot, for `init`. */
  slot?: ExecutorSlot;
}

export interface ScriptedEngine {
  createExecutor(threadIndex: number): ExecutorHandle;
  /** Everything every executor received or reported, in order. */
  readonly events: EngineEvent[];
  /** Executors created and not disposed. */
  live(): number;
  /** Time the first executor of any agent got `command` for `phase` (epoch ms). */
  firstAt(what: string, phase: string): number | undefined;
}

interface PhaseRun {
  status: AgentPhaseStatus;
  seq: number;
  statsPending: boolean;
}

export function scriptedEngine(script: EngineScript = {}): ScriptedEngine {
  const events: EngineEvent[] = [];
  let live = 0;

  function createExecutor(threadIndex: number): ExecutorHandle {
    live++;
    let handler: ((e: ExecutorEvent) => void) | undefined;
    const backlog: ExecutorEvent[] = [];
    let disposed = false;
    let benchmark: Benchmark | undefined;
    let agent = "?";
    let slot: ExecutorSlot | undefined;
    const timers = new Set<ReturnType<typeof setTimeout>>();
    const runs = new Map<string, PhaseRun>();

    const record = (what: string, phase?: string) =>
      events.push({ agent, thread: threadIndex, what, phase, at: Date.now() });
    const emit = (e: ExecutorEvent) => {
      queueMicrotask(() => {
        if (disposed) return;
        if (handler) handler(e);
        else backlog.push(e);
      });
    };
    const later = (ms: number, f: () => void) => {
      const t = setTimeout(() => {
        timers.delete(t);
        if (!disposed) f();
      }, ms);
      timers.add(t);
    };
    const phaseOf = (name: string) => benchmark!.phases.find((p) => p.name === name)!;
    const scriptOf = (name: string) => script.phases?.[name] ?? {};
    const setStatus = (
      name: string,
      status: AgentPhaseStatus,
      extra: { sessionLimitExceeded?: boolean; error?: string } = {},
    ) => {
      const run = runs.get(name)!;
      run.status = status;
      if (status === "TERMINATED") run.statsPending = true;
      record(status, name);
      emit({ type: "phaseStatus", phase: name, status, ...extra });
    };
    const terminate = (name: string) => {
      const run = runs.get(name);
      if (run === undefined || run.status === "TERMINATED" || run.status === "STATS_COMPLETE") {
        return;
      }
      if (run.status === "RUNNING") setStatus(name, "FINISHED");
      setStatus(name, "TERMINATED");
    };
    const finish = (name: string) => {
      const run = runs.get(name);
      if (run === undefined || run.status !== "RUNNING") return;
      setStatus(name, "FINISHED");
      const noop = phaseOf(name).scenario === undefined;
      if (noop && !script.eagerNoop) return; // waits for TRY_TERMINATE
      const d = scriptOf(name).drainMs ?? 0;
      const drain = typeof d === "number" ? d : d[agent] ?? 0;
      if (drain > 0) later(drain, () => terminate(name));
      else terminate(name);
    };
    const start = (name: string) => {
      if (runs.has(name)) return;
      runs.set(name, { status: "NOT_STARTED", seq: 0, statsPending: false });
      setStatus(name, "RUNNING");
      const s = scriptOf(name);
      if (s.selfFinishMs !== undefined) later(s.selfFinishMs, () => finish(name));
      if (s.sessionLimitAfterMs !== undefined) {
        later(s.sessionLimitAfterMs, () => {
          const run = runs.get(name)!;
          emit({
            type: "phaseStatus",
            phase: name,
            status: run.status,
            sessionLimitExceeded: true,
          });
        });
      }
      if (s.error !== undefined) {
        const { message } = s.error;
        later(s.error.afterMs, () => {
          emit({
            type: "phaseStatus",
            phase: name,
            status: runs.get(name)!.status,
            error: message,
          });
          terminate(name);
        });
      }
    };
    const collect = () => {
      const snapshots: StatsSnapshot[] = [];
      const sessions: Record<string, { min: number; max: number }> = {};
      const now = Date.now();
      for (const [name, run] of runs) {
        const phase = phaseOf(name);
        if (phase.scenario === undefined || run.status === "STATS_COMPLETE") continue;
        if (run.status === "RUNNING" || run.status === "FINISHED" || run.statsPending) {
          const s = scriptOf(name);
          const data = new StatsData();
          for (let i = 0; i < (s.responses ?? 5); i++) {
            data.recordRequest();
            data.recordResponse(s.responseNs ?? 1_000_000, 200);
          }
          data.widen(now - benchmark!.statisticsCollectionPeriod, now);
          snapshots.push(
            encodeSnapshot(data, {
              phase: phase.id,
              stepId: 0,
              metric: s.metric ?? "test",
              sequenceId: run.seq++,
            }),
          );
          sessions[name] = { min: 0, max: 1 };
        }
      }
      emit({ type: "stats", snapshots, sessions, connections: {} });
      for (const [name, run] of runs) {
        if (run.statsPending) {
          run.statsPending = false;
          setStatus(name, "STATS_COMPLETE");
        }
      }
    };

    const handle: ExecutorHandle = {
      send(c: ExecutorCommand) {
        if (disposed) return;
        switch (c.type) {
          case "init":
            benchmark = c.benchmark;
            agent = c.agentName;
            slot = c.slot;
            events.push({ agent, thread: threadIndex, what: "init", at: Date.now(), slot });
            later(script.initDelayMs ?? 1, () => {
              if (script.initFailed !== undefined && slot!.threadIndex === 0) {
                emit({ type: "initFailed", message: script.initFailed });
              } else emit({ type: "ready" });
            });
            return;
          case "phase":
            record(c.command, c.phase);
            if (c.command === "RUN") start(c.phase);
            else if (c.command === "FINISH") finish(c.phase);
            else if (c.command === "TERMINATE") terminate(c.phase);
            else if (runs.get(c.phase)?.status === "FINISHED") {
              // TRY_TERMINATE: an umbrella whose phases are all done ends now.
              if (!script.eagerNoop) terminate(c.phase);
            }
            return;
          case "collect":
            return collect();
          case "listSessions":
          case "listConnections":
            emit({ type: "listReply", requestId: c.requestId, lines: [`${agent}#${threadIndex}`] });
            return;
          case "stop":
            record("stop");
            for (const t of timers) clearTimeout(t);
            timers.clear();
            emit({ type: "stopped" });
            return;
        }
      },
      onEvent(h) {
        handler = h;
        for (const e of backlog.splice(0)) h(e);
      },
      dispose() {
        if (disposed) return;
        disposed = true;
        live--;
        for (const t of timers) clearTimeout(t);
        timers.clear();
      },
    };
    return handle;
  }

  return {
    createExecutor,
    events,
    live: () => live,
    firstAt: (what, phase) => events.find((e) => e.what === what && e.phase === phase)?.at,
  };
}
