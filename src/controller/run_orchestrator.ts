/**
 * The phase state machine of a run across its agents (Hyperfoil's
 * `ControllerVerticle.runSimulation` and `ControllerPhase`, REFERENCE §6).
 * It owns no timer and no connection: the caller feeds it agents' statuses
 * and the clock, it sends phase commands through a callback and says when it
 * next needs to look at the clock.
 * @module
 */
import type { Phase } from "../benchmark/model.ts";
import { AGENT_PHASE_STATUSES, type AgentPhaseStatus, type PhaseCommand } from "../bus/messages.ts";

/** Controller-side phase states, in the order they advance. */
export const CONTROLLER_PHASE_STATUSES = [
  "NOT_STARTED",
  "STARTING",
  "RUNNING",
  "FINISHING",
  "FINISHED",
  "TERMINATING",
  "TERMINATED",
  "CANCELLED",
] as const;
export type ControllerPhaseStatus = typeof CONTROLLER_PHASE_STATUSES[number];

const rank = (s: ControllerPhaseStatus) => CONTROLLER_PHASE_STATUSES.indexOf(s);
const agentRank = (s: AgentPhaseStatus) => AGENT_PHASE_STATUSES.indexOf(s);

/** Finished, terminated or cancelled: what `startAfter` waits for. */
export function isFinished(s: ControllerPhaseStatus): boolean {
  return rank(s) >= rank("FINISHED");
}

/** Terminated or cancelled: what `startAfterStrict` and `terminateAfterStrict` wait for. */
export function isTerminated(s: ControllerPhaseStatus): boolean {
  return rank(s) >= rank("TERMINATED");
}

/** One phase as the controller sees it. */
export interface PhaseState {
  readonly phase: Phase;
  status: ControllerPhaseStatus;
  /** Epoch ms when RUN was sent. */
  startTime?: number;
  /** Epoch ms when every agent reported it finished. */
  finishTime?: number;
  /** Epoch ms when every agent reported it terminated (or when it was cancelled). */
  terminateTime?: number;
  /** Failed: an SLA, the session limit, or an error in the phase. */
  failed: boolean;
  /** Why it failed, in the order it was learnt. */
  failureReasons: string[];
  /** The last status each agent reported. */
  readonly agents: Map<string, AgentPhaseStatus>;
  /** Commands sent for it, each at most once. */
  readonly sent: Set<PhaseCommand>;
}

export interface PhaseOrchestratorOptions {
  /** The benchmark's phases (after expansion). */
  phases: readonly Phase[];
  /** Every agent of the run: a phase advances once all of them reported. */
  agents: readonly string[];
  /** `CANCEL` (default): a failed phase cancels the phases that have not started. */
  failurePolicy?: "CANCEL" | "CONTINUE";
  /** Publishes a phase command to every agent. */
  send(command: PhaseCommand, phase: string): void;
  /** Called after a phase's status changed. */
  onStatus?(state: PhaseState): void;
}

/** Hyperfoil's controller loop over a run's phases; see the module doc. */
export class PhaseOrchestrator {
  private readonly states = new Map<string, PhaseState>();
  private readonly policy: "CANCEL" | "CONTINUE";
  private runStart: number | undefined;
  private killed = false;
  /** Counts status changes, so `step` knows when it is done. */
  private changes = 0;

  constructor(private readonly options: PhaseOrchestratorOptions) {
    this.policy = options.failurePolicy ?? "CANCEL";
    for (const phase of options.phases) {
      this.states.set(phase.name, {
        phase,
        status: "NOT_STARTED",
        failed: false,
        failureReasons: [],
        agents: new Map(),
        sent: new Set(),
      });
    }
  }

  /** Epoch ms when the run started (phases' `startTime` counts from it). */
  get startTime(): number | undefined {
    return this.runStart;
  }

  /** True once `kill` was called. */
  get cancelled(): boolean {
    return this.killed;
  }

  /** Every phase, in definition order. */
  phases(): PhaseState[] {
    return [...this.states.values()];
  }

  phase(name: string): PhaseState | undefined {
    return this.states.get(name);
  }

  /** Every phase is terminated or cancelled: the run is over. */
  get done(): boolean {
    for (const s of this.states.values()) if (!isTerminated(s.status)) return false;
    return true;
  }

  /** Starts the clock and the phases that may start at once. Returns the next deadline. */
  start(now: number): number | undefined {
    this.runStart = now;
    return this.step(now);
  }

  /** An agent reported a phase's status. Unknown phases are ignored (false). */
  agentStatus(agent: string, phase: string, status: AgentPhaseStatus, now: number): boolean {
    const s = this.states.get(phase);
    if (s === undefined) return false;
    const old = s.agents.get(agent);
    if (old === undefined || agentRank(status) > agentRank(old)) s.agents.set(agent, status);
    this.progress(s, now);
    return true;
  }

  /** Marks a phase failed; under `CANCEL` the phases that have not started are cancelled. */
  fail(phase: string, reason: string, now: number): void {
    const s = this.states.get(phase);
    if (s === undefined) return;
    s.failed = true;
    if (!s.failureReasons.includes(reason)) s.failureReasons.push(reason);
    if (this.policy === "CANCEL") this.cancelNotStarted(now);
  }

  /** Ctrl-C or a kill request: cancels what has not started and terminates the rest. */
  kill(now: number): void {
    this.killed = true;
    this.cancelNotStarted(now);
    for (const s of this.states.values()) {
      if (isTerminated(s.status) || s.status === "TERMINATING") continue;
      this.command(s, "TERMINATE");
      this.setStatus(s, "TERMINATING", now);
    }
  }

  /** The run cannot go on (agent lost, fatal error): cancels what has not started. */
  abort(now: number): void {
    this.cancelNotStarted(now);
  }

  /**
   * Does what is due at `now`: starts eligible phases, finishes those past
   * their duration, terminates those past their maxDuration, tries to terminate
   * umbrella phases. Returns the next time something is due (epoch ms), if any.
   */
  step(now: number): number | undefined {
    if (this.runStart === undefined) return undefined;
    // A status change (an umbrella let go, a phase finished) may make more due: repeat until quiet.
    for (let round = 0; round < 1000; round++) {
      const before = this.changes;
      for (const s of this.states.values()) this.progress(s, now);
      this.startEligible(now);
      for (const s of this.states.values()) this.dueCommands(s, now);
      if (this.changes === before) break;
    }
    return this.nextDeadline(now);
  }

  private startEligible(now: number): void {
    // Starting one phase may make another eligible (startWith without delay).
    for (let started = true; started;) {
      started = false;
      for (const s of this.states.values()) {
        if (s.status === "NOT_STARTED" && !this.killed && this.eligible(s, now)) {
          s.startTime = now;
          this.command(s, "RUN");
          this.setStatus(s, "STARTING", now);
          started = true;
        }
      }
    }
  }

  private dueCommands(s: PhaseState, now: number): void {
    const start = s.startTime;
    if (start === undefined || isTerminated(s.status)) return;
    const def = s.phase;
    if (
      (s.status === "STARTING" || s.status === "RUNNING") && !s.sent.has("FINISH") &&
      now >= start + def.duration
    ) {
      this.command(s, "FINISH");
      this.setStatus(s, "FINISHING", now);
    }
    if (
      def.maxDuration !== undefined && now >= start + def.maxDuration && !s.sent.has("TERMINATE")
    ) {
      this.command(s, "TERMINATE");
      this.setStatus(s, "TERMINATING", now);
    }
    if (
      s.status === "FINISHED" && def.terminateAfterStrict.length > 0 &&
      !s.sent.has("TRY_TERMINATE") && this.dependenciesTerminated(def)
    ) {
      this.command(s, "TRY_TERMINATE");
    }
    this.progress(s, now);
  }

  private eligible(s: PhaseState, now: number): boolean {
    const def = s.phase;
    if (now < this.runStart! + def.startTime) return false;
    for (const dep of def.startAfter) {
      const d = this.states.get(dep);
      if (d !== undefined && !isFinished(d.status)) return false;
    }
    for (const dep of def.startAfterStrict) {
      const d = this.states.get(dep);
      if (d !== undefined && !isTerminated(d.status)) return false;
    }
    if (def.startWith !== undefined) {
      const target = this.states.get(def.startWith.phase);
      if (target !== undefined) {
        if (target.status === "CANCELLED") return true;
        if (target.startTime === undefined) return false;
        if (now < target.startTime + def.startWith.delay) return false;
      }
    }
    return true;
  }

  private dependenciesTerminated(def: Phase): boolean {
    return def.terminateAfterStrict.every((n) => {
      const d = this.states.get(n);
      return d === undefined || isTerminated(d.status);
    });
  }

  /** Advances the controller status to the least advanced agent's, never backwards. */
  private progress(s: PhaseState, now: number): void {
    if (s.status === "NOT_STARTED" || isTerminated(s.status)) return;
    const agents = this.options.agents;
    if (agents.length === 0) return;
    let min: AgentPhaseStatus | undefined;
    for (const a of agents) {
      const st = s.agents.get(a);
      if (st === undefined) return; // an agent has not spoken yet
      if (min === undefined || agentRank(st) < agentRank(min)) min = st;
    }
    switch (min) {
      case "RUNNING":
        this.setStatus(s, "RUNNING", now);
        break;
      case "FINISHED":
        this.setStatus(s, "FINISHED", now);
        break;
      case "TERMINATING":
        this.setStatus(s, "TERMINATING", now);
        break;
      case "TERMINATED":
      case "STATS_COMPLETE":
        // An umbrella outlives the phases it covers, whatever its agents say.
        if (this.dependenciesTerminated(s.phase)) this.setStatus(s, "TERMINATED", now);
        else this.setStatus(s, "FINISHED", now);
        break;
    }
  }

  private setStatus(s: PhaseState, status: ControllerPhaseStatus, now: number): void {
    if (rank(status) <= rank(s.status)) return;
    s.status = status;
    this.changes++;
    if (isFinished(status) && s.finishTime === undefined && status !== "CANCELLED") {
      s.finishTime = now;
    }
    if (isTerminated(status)) s.terminateTime = now;
    this.options.onStatus?.(s);
  }

  private command(s: PhaseState, command: PhaseCommand): void {
    if (s.sent.has(command)) return;
    s.sent.add(command);
    this.options.send(command, s.phase.name);
  }

  private cancelNotStarted(now: number): void {
    for (const s of this.states.values()) {
      if (s.status === "NOT_STARTED") this.setStatus(s, "CANCELLED", now);
    }
  }

  private nextDeadline(now: number): number | undefined {
    let next = Number.POSITIVE_INFINITY;
    const consider = (t: number) => {
      if (t > now && t < next) next = t;
    };
    for (const s of this.states.values()) {
      const def = s.phase;
      if (s.status === "NOT_STARTED") {
        consider(this.runStart! + def.startTime);
        const target = def.startWith && this.states.get(def.startWith.phase);
        if (target?.startTime !== undefined) consider(target.startTime + def.startWith!.delay);
        continue;
      }
      if (s.startTime === undefined || isTerminated(s.status)) continue;
      if (!s.sent.has("FINISH")) consider(s.startTime + def.duration);
      if (def.maxDuration !== undefined && !s.sent.has("TERMINATE")) {
        consider(s.startTime + def.maxDuration);
      }
    }
    return Number.isFinite(next) ? next : undefined;
  }
}
