/**
 * One phase on one executor: a pre-allocated session pool driven by the
 * phase's model. Open models start sessions at precomputed fire times; when
 * the pool is empty the arrival is remembered (with its scheduled time) and
 * started as soon as a session frees, and the phase reports that the session
 * limit was exceeded. Closed models keep `users` sessions busy.
 */
import type { Phase } from "../benchmark/model.ts";
import type { AgentPhaseStatus, MinMax } from "../bus/messages.ts";
import {
  type CompiledScenario,
  newSession,
  type PhaseContext,
  type Session,
  startSession,
  stopSession,
} from "../scenario/session.ts";
import type { ExecutorContext } from "../scenario/runtime.ts";
import { type FireTimes, fireTimes } from "./fire_times.ts";

export interface PhaseRunnerEvents {
  status(
    phase: Phase,
    status: AgentPhaseStatus,
    extra?: { sessionLimitExceeded?: boolean; error?: string },
  ): void;
}

export interface PhaseRunner {
  readonly phase: Phase;
  status: AgentPhaseStatus;
  start(): void;
  finish(): void;
  terminate(): void;
  /** Min/max of active sessions since the last call. */
  takeSessionStats(): MinMax;
  /** Debug listing of sessions. */
  listSessions(includeInactive: boolean): string[];
}

const OPEN = new Set(["constantRate", "increasingRate", "decreasingRate"]);
/** Closed-model restarts run as microtasks up to this many in a burst, then yield. */
const MAX_RESTART_BURST = 1024;
/**
 * Restarts after which a timer is armed to end the burst at the next task:
 * one timer per this many restarts rather than one per task (a timer costs as
 * much as a restart). Users waiting for I/O restart in separate tasks anyway.
 */
const BURST_TIMER_AT = 256;

export function createPhaseRunner(
  phase: Phase,
  scenario: CompiledScenario | undefined,
  ex: ExecutorContext,
  events: PhaseRunnerEvents,
  firstSessionId: number,
): PhaseRunner {
  const open = OPEN.has(phase.model);
  const poolSize = scenario === undefined ? 0 : open ? phase.maxSessions ?? 1 : phase.users ?? 0;
  const free: Session[] = [];
  const all: Session[] = [];
  let activeCount = 0, minActive = 0, maxActive = 0;
  let startNs = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let fire: FireTimes | undefined;
  let nextFire = Infinity;
  /** Offset (ns) from the phase start at which arrivals stop: `duration`. */
  const endNs = phase.duration > 0 ? phase.duration * 1e6 : Infinity;
  /** Arrivals that found no free session: their scheduled times, started on catch-up. */
  const throttled: number[] = [];
  let throttledHead = 0;
  let limitExceeded = false;
  /** Closed-model restarts since the last task boundary (see `restart`). */
  let restartBurst = 0;
  let failed: string | undefined;

  const ctx: PhaseContext = {
    phase,
    executor: ex,
    finished: false,
    terminated: false,
    sessionDone(s) {
      activeCount--;
      if (activeCount < minActive) minActive = activeCount;
      if (!ctx.finished && !ctx.terminated) {
        if (phase.model === "always") {
          return restart(s);
        }
        if (open && throttledHead < throttled.length) {
          const at = throttled[throttledHead++];
          if (throttledHead === throttled.length) throttled.length = throttledHead = 0;
          return begin(s, at);
        }
      }
      free.push(s);
      maybeTerminated();
    },
    fail(message) {
      if (failed !== undefined) return;
      failed = message;
      ex.log("error", `Phase ${phase.name}: ${message}`);
      events.status(phase, runner.status, { error: message });
      runner.terminate();
    },
  };

  if (scenario !== undefined) {
    for (let i = 0; i < poolSize; i++) {
      const s = newSession(firstSessionId + i, scenario, ctx);
      all.push(s);
      free.push(s);
    }
  }

  function begin(s: Session, scheduledNs: number): void {
    activeCount++;
    if (activeCount > maxActive) maxActive = activeCount;
    startSession(s, ctx, scheduledNs);
  }

  function restart(s: Session): void {
    // A closed-model user starts again right away; on a fresh stack so long runs don't recurse.
    activeCount++;
    if (activeCount > maxActive) maxActive = activeCount;
    // Microtasks never yield to timers and messages: a user whose scenario does no I/O (or
    // only hits the HTTP cache) would spin forever and FINISH would never arrive. After a
    // burst of restarts with no timer run in between, the rest wait for the next task.
    if (++restartBurst === BURST_TIMER_AT) setTimeout(endBurst, 0);
    if (restartBurst > MAX_RESTART_BURST) {
      if (deferred.push(s) === 1) setTimeout(undefer, 0);
      return;
    }
    queueRestart(s);
  }

  const endBurst = () => (restartBurst = 0);
  // Restarts wait in a FIFO that keeps its array (indexes reset once drained), and one
  // microtask drains every restart queued meanwhile: no closure or allocation per restart.
  const restartQueue: Session[] = [];
  let restartHead = 0;
  let restartTail = 0;
  /** Restarts past the burst, queued again at the next task. */
  let deferred: Session[] = [];

  function queueRestart(s: Session): void {
    restartQueue[restartTail++] = s;
    if (restartTail === 1) queueMicrotask(drainRestarts);
  }

  function undefer(): void {
    const sessions = deferred;
    deferred = [];
    for (const s of sessions) queueRestart(s);
  }

  function drainRestarts(): void {
    // Restarts queued while draining run in this same pass, in order.
    try {
      while (restartHead < restartTail) again(restartQueue[restartHead++]);
    } finally {
      if (restartHead < restartTail) queueMicrotask(drainRestarts); // after a throw
      else restartHead = restartTail = 0;
    }
  }

  function again(s: Session): void {
    if (ctx.finished || ctx.terminated) {
      activeCount--;
      free.push(s);
      maybeTerminated();
      return;
    }
    const now = ex.nowNs();
    startSession(s, ctx, now, now);
  }

  function setStatus(status: AgentPhaseStatus): void {
    runner.status = status;
    events.status(phase, status, {
      sessionLimitExceeded: limitExceeded || undefined,
      error: failed,
    });
  }

  function maybeTerminated(): void {
    if (runner.status === "TERMINATED" || runner.status === "NOT_STARTED") return;
    if ((ctx.finished || ctx.terminated) && activeCount === 0) {
      clear();
      if (runner.status === "RUNNING") setStatus("FINISHED");
      setStatus("TERMINATED");
    }
  }

  function clear(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  }

  /** Starts every arrival that is due, then sleeps until the next one. */
  function tick(): void {
    timer = undefined;
    if (ctx.finished || ctx.terminated) return;
    const elapsed = ex.nowNs() - startNs;
    while (nextFire <= elapsed) {
      // No arrival at or after `duration`, even if FINISH (a message away) has not come yet.
      if (nextFire >= endNs) {
        nextFire = Infinity;
        break;
      }
      const s = free.pop();
      if (s !== undefined) begin(s, startNs + nextFire);
      else {
        throttled.push(startNs + nextFire);
        if (!limitExceeded) {
          limitExceeded = true;
          setStatus(runner.status);
        }
      }
      nextFire = fire!.next();
      if (ctx.finished || ctx.terminated) return;
    }
    if (nextFire >= endNs) return;
    const waitMs = Math.max(0, (nextFire - (ex.nowNs() - startNs)) / 1e6);
    timer = setTimeout(tick, waitMs);
  }

  const runner: PhaseRunner = {
    phase,
    status: "NOT_STARTED",
    start() {
      if (runner.status !== "NOT_STARTED") return;
      startNs = ex.nowNs();
      minActive = maxActive = 0;
      setStatus("RUNNING");
      if (scenario === undefined) return; // noop: the controller finishes it
      if (open) {
        const constant = phase.model === "constantRate";
        fire = fireTimes({
          initial: constant ? phase.usersPerSec! : phase.initialUsersPerSec!,
          target: constant ? phase.usersPerSec! : phase.targetUsersPerSec!,
          durationNs: phase.duration * 1e6,
          variance: phase.variance ?? true,
          random: ex.random,
        });
        nextFire = fire.next();
        tick();
        return;
      }
      const users = Math.min(phase.users ?? 0, free.length);
      for (let i = 0; i < users && !ctx.terminated; i++) begin(free.pop()!, startNs);
      if (phase.model === "atOnce") runner.finish();
      else if (users === 0) maybeTerminated();
    },
    finish() {
      if (runner.status !== "RUNNING") return;
      ctx.finished = true;
      clear();
      setStatus("FINISHED");
      maybeTerminated();
    },
    terminate() {
      if (runner.status === "TERMINATED" || runner.status === "TERMINATING") return;
      const wasStarted = runner.status !== "NOT_STARTED";
      ctx.finished = true;
      ctx.terminated = true;
      clear();
      if (!wasStarted) {
        runner.status = "TERMINATED";
        events.status(phase, "TERMINATED");
        return;
      }
      setStatus("TERMINATING");
      for (const s of all) if (s.active) stopSession(s);
      maybeTerminated();
    },
    takeSessionStats() {
      const r = { min: minActive, max: maxActive };
      minActive = maxActive = activeCount;
      return r;
    },
    listSessions(includeInactive) {
      return all.filter((s) => includeInactive || s.active).map((s) =>
        `${phase.name} session #${s.id}: ${
          s.active ? "active" : "idle"
        }, ${s.count} sequences, ${s.inFlight} requests in flight` +
        (s.count
          ? ` (${
            s.instances.slice(0, s.count).map((q) => `${q.seq.name}[${q.index}]@${q.step}`).join(
              ", ",
            )
          })`
          : "")
      );
    },
  };
  return runner;
}
