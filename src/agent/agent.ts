/**
 * The agent: one per host (or the in-process `in-vm` one). It greets the
 * controller, builds one executor per thread when initialised, forwards phase
 * commands to all of them and reports back what they do as one agent would:
 * a phase's status is the least advanced of its executors', statistics are
 * collected every `statisticsCollectionPeriod` and shipped as one message.
 * The engine is a dependency (`createExecutor`), so the agent knows nothing
 * of scenarios or HTTP.
 * @module
 */
import { type ExecutorSlot } from "../benchmark/load_split.ts";
import {
  AGENT_PHASE_STATUSES,
  type AgentPhaseStatus,
  type AgentSide,
  type ControllerMessage,
  type MinMax,
} from "../bus/messages.ts";
import type { ExecutorEvent, ExecutorHandle } from "../engine/executor_api.ts";
import { mergeSnapshots, type StatsSnapshot } from "../stats/snapshot.ts";

/** Creates the executor of thread `threadIndex` (0 in the agent's own thread, Workers for more). */
export type CreateExecutor = (threadIndex: number) => ExecutorHandle;

export interface AgentOptions {
  /** The agent's name, as in the benchmark's `agents` (or `in-vm`). */
  name: string;
  /** The agent's end of its connection to the controller. */
  bus: AgentSide;
  createExecutor: CreateExecutor;
  /** hf version, announced in `hello` (the controller refuses another version). */
  version: string;
  /** Threads announced in `hello`; the controller decides from the benchmark. Default 1. */
  threads?: number;
  /** Heartbeat interval, ms; default 1000. */
  heartbeatMs?: number;
  /** Controller silence after which the agent stops itself, ms; default 5000, 0 never. */
  controllerTimeoutMs?: number;
  /** How long STOP waits for executors to close their connections, ms; default 2000. */
  stopTimeoutMs?: number;
}

/** A running agent. */
export interface AgentHandle {
  readonly name: string;
  /** Resolves once the agent stopped (STOP received, bus closed, controller lost, `stop()`). */
  readonly stopped: Promise<void>;
  /** Stops executors and closes the bus; idempotent. */
  stop(reason?: string): Promise<void>;
}

const rank = (s: AgentPhaseStatus) => AGENT_PHASE_STATUSES.indexOf(s);

/** What the agent knows of one phase across its executors. */
interface PhaseTrack {
  /** Per executor. */
  statuses: AgentPhaseStatus[];
  /** The status last reported to the controller. */
  reported: AgentPhaseStatus;
  sessionLimitReported: boolean;
  errorsReported: Set<string>;
  globalData?: Record<string, unknown>;
  statsCompleteSent: boolean;
}

/** Statistics gathered from executors during one collection tick. */
interface StatsBuffer {
  snapshots: StatsSnapshot[];
  sessions: Record<string, MinMax>;
  connections: Record<string, Record<string, MinMax>>;
}

const emptyBuffer = (): StatsBuffer => ({ snapshots: [], sessions: {}, connections: {} });

function addMinMax(into: Record<string, MinMax>, key: string, v: MinMax): void {
  const old = into[key];
  // Executors are separate pools: the agent's count is their sum.
  into[key] = old === undefined ? { min: v.min, max: v.max } : {
    min: old.min + v.min,
    max: old.max + v.max,
  };
}

/** Snapshots of the same (phase, step, metric, period) from several executors, merged exactly. */
export function mergeByPeriod(snapshots: readonly StatsSnapshot[]): StatsSnapshot[] {
  const groups = new Map<string, StatsSnapshot[]>();
  for (const s of snapshots) {
    const key = `${s.phase}\u0000${s.stepId}\u0000${s.metric}\u0000${s.sequenceId}`;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, [s]);
    else g.push(s);
  }
  return [...groups.values()].map((g) => (g.length === 1 ? g[0] : mergeSnapshots(g)));
}

function hostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "localhost";
  }
}

/** Starts an agent on `bus`: it says hello at once and then follows the controller. */
export function startAgent(options: AgentOptions): AgentHandle {
  const { name, bus, createExecutor } = options;
  const heartbeatMs = options.heartbeatMs ?? 1000;
  const controllerTimeoutMs = options.controllerTimeoutMs ?? 5000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 2000;

  let executors: ExecutorHandle[] = [];
  let readyCount = 0;
  let initialized = false;
  let failed = false;
  let stopping: Promise<void> | undefined;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));
  const phases = new Map<string, PhaseTrack>();
  let buffer = emptyBuffer();
  let awaitingStats = 0;
  let collectTimer: ReturnType<typeof setInterval> | undefined;
  const lists = new Map<number, { remaining: number; lines: string[] }>();
  let lastHeard = Date.now();
  let stoppedReplies = 0;
  let onAllStopped: (() => void) | undefined;

  const send = (m: Parameters<AgentSide["send"]>[0]) => bus.send(m);

  const heartbeatTimer = setInterval(() => {
    send({ type: "heartbeat" });
    if (controllerTimeoutMs > 0 && Date.now() - lastHeard > controllerTimeoutMs) {
      void stop(`No message from the controller for ${controllerTimeoutMs} ms`);
    }
  }, heartbeatMs);

  bus.onMessage((m) => {
    lastHeard = Date.now();
    try {
      onControllerMessage(m);
    } catch (e) {
      send({
        type: "error",
        agent: name,
        message: `Agent '${name}' failed handling '${m.type}': ${
          e instanceof Error ? e.message : String(e)
        }`,
        fatal: true,
      });
    }
  });
  bus.onClose(() => void stop("The controller closed the connection", false));

  send({
    type: "hello",
    agent: name,
    version: options.version,
    threads: options.threads ?? 1,
    pid: Deno.pid,
    hostname: hostname(),
  });

  function onControllerMessage(m: ControllerMessage): void {
    if (stopping) return;
    switch (m.type) {
      case "initialize":
        return initialize(m);
      case "phaseControl":
        for (const e of executors) {
          e.send({ type: "phase", command: m.command, phase: m.phase, globalData: m.globalData });
        }
        return;
      case "listSessions":
      case "listConnections":
        return list(m);
      case "stop":
        void stop("Stopped by the controller");
        return;
      case "heartbeat":
        return;
    }
  }

  function initialize(m: ControllerMessage & { type: "initialize" }): void {
    if (initialized) return;
    initialized = true;
    const threads = m.agentThreads[m.agentIndex];
    if (!Number.isInteger(threads) || threads < 1) {
      fail(`Agent '${name}' was given ${threads} threads: expected at least 1`);
      return;
    }
    for (let i = 0; i < threads; i++) {
      let handle: ExecutorHandle;
      try {
        handle = createExecutor(i);
      } catch (e) {
        fail(`Cannot start executor ${i}: ${e instanceof Error ? e.message : String(e)}`);
        return;
      }
      executors.push(handle);
      handle.onEvent((ev) => onExecutorEvent(i, ev));
    }
    phases.clear();
    for (const p of m.benchmark.phases) {
      phases.set(p.name, {
        statuses: new Array(threads).fill("NOT_STARTED"),
        reported: "NOT_STARTED",
        sessionLimitReported: false,
        errorsReported: new Set(),
        statsCompleteSent: false,
      });
    }
    executors.forEach((e, threadIndex) => {
      const slot: ExecutorSlot = {
        agentIndex: m.agentIndex,
        agentThreads: m.agentThreads,
        threadIndex,
      };
      e.send({ type: "init", runId: m.runId, agentName: name, benchmark: m.benchmark, slot });
    });
    const period = m.benchmark.statisticsCollectionPeriod > 0
      ? m.benchmark.statisticsCollectionPeriod
      : 1000;
    collectTimer = setInterval(collect, period);
  }

  function fail(message: string): void {
    if (failed) return;
    failed = true;
    send({ type: "error", agent: name, message, fatal: true });
  }

  function onExecutorEvent(index: number, ev: ExecutorEvent): void {
    switch (ev.type) {
      case "ready":
        if (++readyCount === executors.length && !failed) send({ type: "ready", agent: name });
        return;
      case "initFailed":
        fail(ev.message);
        return;
      case "phaseStatus":
        return phaseStatus(index, ev);
      case "stats":
        return stats(ev);
      case "listReply": {
        const pending = lists.get(ev.requestId);
        if (pending === undefined) return;
        pending.lines.push(...ev.lines);
        if (--pending.remaining === 0) {
          lists.delete(ev.requestId);
          send({ type: "listReply", agent: name, requestId: ev.requestId, lines: pending.lines });
        }
        return;
      }
      case "log":
        send({ type: "log", agent: name, level: ev.level, message: ev.message });
        return;
      case "stopped":
        if (++stoppedReplies === executors.length) onAllStopped?.();
        return;
    }
  }

  function phaseStatus(index: number, ev: ExecutorEvent & { type: "phaseStatus" }): void {
    const track = phases.get(ev.phase);
    if (track === undefined) return;
    if (rank(ev.status) > rank(track.statuses[index])) track.statuses[index] = ev.status;
    const min = track.statuses.reduce((a, b) => (rank(b) < rank(a) ? b : a));
    const extra: { sessionLimitExceeded?: boolean; error?: string } = {};
    if (ev.sessionLimitExceeded && !track.sessionLimitReported) {
      track.sessionLimitReported = true;
      extra.sessionLimitExceeded = true;
    }
    if (ev.error !== undefined && !track.errorsReported.has(ev.error)) {
      track.errorsReported.add(ev.error);
      extra.error = ev.error;
    }
    if (ev.globalData !== undefined) track.globalData = { ...track.globalData, ...ev.globalData };
    const advanced = rank(min) > rank(track.reported);
    if (!advanced && Object.keys(extra).length === 0) return;
    // Everything an executor collected before its last status must reach the controller first.
    if (min === "STATS_COMPLETE") flush();
    if (advanced) track.reported = min;
    const globalData = rank(min) >= rank("TERMINATED") ? track.globalData : undefined;
    if (globalData !== undefined) track.globalData = undefined;
    send({
      type: "phaseChange",
      agent: name,
      phase: ev.phase,
      status: track.reported,
      ...extra,
      ...(globalData !== undefined ? { globalData } : {}),
    });
    if (min === "STATS_COMPLETE" && !track.statsCompleteSent) {
      track.statsCompleteSent = true;
      send({ type: "phaseStatsComplete", agent: name, phase: ev.phase });
    }
  }

  function collect(): void {
    if (executors.length === 0) return;
    // An executor that did not answer the previous tick must not hold back the others.
    if (awaitingStats > 0) flush();
    awaitingStats = executors.length;
    for (const e of executors) e.send({ type: "collect" });
  }

  function stats(ev: ExecutorEvent & { type: "stats" }): void {
    buffer.snapshots.push(...ev.snapshots);
    for (const [phase, mm] of Object.entries(ev.sessions)) addMinMax(buffer.sessions, phase, mm);
    for (const [authority, byType] of Object.entries(ev.connections)) {
      const into = buffer.connections[authority] ??= {};
      for (const [type, mm] of Object.entries(byType)) addMinMax(into, type, mm);
    }
    if (awaitingStats > 0 && --awaitingStats === 0) flush();
  }

  function flush(): void {
    awaitingStats = 0;
    const b = buffer;
    buffer = emptyBuffer();
    const timestamp = Date.now();
    if (b.snapshots.length > 0) {
      send({ type: "requestStats", agent: name, snapshots: mergeByPeriod(b.snapshots) });
    }
    // Like Hyperfoil, no record for a phase that had no session in use.
    const sessions = Object.fromEntries(Object.entries(b.sessions).filter(([, v]) => v.max > 0));
    if (Object.keys(sessions).length > 0) {
      send({ type: "sessionStats", agent: name, timestamp, sessions });
    }
    if (Object.keys(b.connections).length > 0) {
      send({ type: "connectionStats", agent: name, timestamp, connections: b.connections });
    }
  }

  function list(m: ControllerMessage & { type: "listSessions" | "listConnections" }): void {
    if (executors.length === 0) {
      send({ type: "listReply", agent: name, requestId: m.requestId, lines: [] });
      return;
    }
    lists.set(m.requestId, { remaining: executors.length, lines: [] });
    for (const e of executors) {
      e.send(
        m.type === "listSessions"
          ? { type: "listSessions", requestId: m.requestId, includeInactive: m.includeInactive }
          : { type: "listConnections", requestId: m.requestId },
      );
    }
  }

  function stop(reason = "Stopped", closeBus = true): Promise<void> {
    if (stopping) return stopping;
    stopping = (async () => {
      clearInterval(heartbeatTimer);
      if (collectTimer !== undefined) clearInterval(collectTimer);
      if (closeBus) flush();
      if (executors.length > 0) {
        const all = new Promise<void>((r) => (onAllStopped = r));
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<void>((r) => (timer = setTimeout(r, stopTimeoutMs)));
        for (const e of executors) e.send({ type: "stop" });
        await Promise.race([all, timeout]);
        clearTimeout(timer);
        for (const e of executors) e.dispose();
        executors = [];
      }
      if (closeBus) bus.close(reason);
      resolveStopped();
    })();
    return stopping;
  }

  return { name, stopped, stop: (reason) => stop(reason) };
}
