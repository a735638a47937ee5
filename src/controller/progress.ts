/**
 * What a run looks like while it runs: per phase its status and the numbers
 * of the last complete collection period (req/s, p50, p99, errors, sessions),
 * plus elapsed and planned time. The CLI paints it; the REST API will serve it.
 * @module
 */
import type { Phase } from "../benchmark/model.ts";
import type { RunStatistics } from "../stats/aggregate.ts";
import { decodeSnapshot, type StatsSnapshot } from "../stats/snapshot.ts";
import { StatsData } from "../stats/stats_data.ts";
import type { ControllerPhaseStatus, PhaseState } from "./run_orchestrator.ts";

export type RunStage = "deploying" | "initializing" | "running" | "stopping" | "done";

/** The last complete collection period of a phase, all metrics and agents together. */
export interface RecentStats {
  /** Responses per second. */
  requestsPerSec: number;
  /** ns. */
  p50: number;
  /** ns. */
  p99: number;
  /** Connection errors, timeouts and internal errors in the period. */
  errors: number;
}

export interface PhaseProgress {
  name: string;
  status: ControllerPhaseStatus;
  isWarmup: boolean;
  failed: boolean;
  /** Epoch ms. */
  startTime?: number;
  /** Epoch ms. */
  terminateTime?: number;
  /** Requests sent so far. */
  requests: number;
  /** Absent until a period was received (and for phases not running). */
  recent?: RecentStats;
  /** Sessions in use in the last period reported, summed over agents. */
  sessions: number;
}

export interface RunProgress {
  runId: string;
  benchmark: string;
  stage: RunStage;
  /** Epoch ms when phases started; absent before. */
  startTime?: number;
  /** Epoch ms of this report. */
  now: number;
  /** ms since `startTime` (0 before). */
  elapsedMs: number;
  /** An estimate of the run's length, ms (see {@link plannedDuration}). */
  plannedMs: number;
  /** Every phase in definition order. */
  phases: PhaseProgress[];
}

/**
 * An estimate of how long the phases take: each phase starts after what it
 * waits for (its `startTime`, the end of its `startAfter`/`startAfterStrict`
 * phases, its `startWith` phase's start + delay) and lasts its `duration`;
 * the estimate is the latest end. Sessions running past `duration` (up to
 * `maxDuration`) are not counted.
 */
export function plannedDuration(phases: readonly Phase[]): number {
  const byName = new Map(phases.map((p) => [p.name, p]));
  const starts = new Map<string, number>();
  const visiting = new Set<string>();
  const startOf = (p: Phase): number => {
    const known = starts.get(p.name);
    if (known !== undefined) return known;
    if (visiting.has(p.name)) return p.startTime; // a cycle; the loader refuses those
    visiting.add(p.name);
    let start = p.startTime;
    for (const dep of [...p.startAfter, ...p.startAfterStrict]) {
      const d = byName.get(dep);
      if (d !== undefined) start = Math.max(start, startOf(d) + d.duration);
    }
    if (p.startWith !== undefined) {
      const d = byName.get(p.startWith.phase);
      if (d !== undefined) start = Math.max(start, startOf(d) + p.startWith.delay);
    }
    visiting.delete(p.name);
    starts.set(p.name, start);
    return start;
  };
  let end = 0;
  for (const p of phases) end = Math.max(end, startOf(p) + p.duration);
  return end;
}

const RUNNING: readonly ControllerPhaseStatus[] = [
  "STARTING",
  "RUNNING",
  "FINISHING",
  "FINISHED",
  "TERMINATING",
];

/** A period that started longer ago than this is stale (Hyperfoil's "recent" window). */
const RECENT_MS = 5000;

interface Period {
  data: StatsData;
  agents: Set<string>;
}

/**
 * The latest collection period of each phase, summed over metrics and agents,
 * for live progress. Executors send a period once it is over, so the latest
 * period every reporting agent has sent is complete (unlike the REST "recent",
 * which takes the one before, as Hyperfoil does).
 */
export class RecentPeriods {
  private readonly phases = new Map<
    number,
    { agents: Set<string>; periods: Map<number, Period> }
  >();

  record(agent: string, snapshot: StatsSnapshot): void {
    let phase = this.phases.get(snapshot.phase);
    if (phase === undefined) {
      this.phases.set(snapshot.phase, phase = { agents: new Set(), periods: new Map() });
    }
    phase.agents.add(agent);
    let period = phase.periods.get(snapshot.sequenceId);
    if (period === undefined) {
      phase.periods.set(snapshot.sequenceId, period = { data: new StatsData(), agents: new Set() });
      // Keep the last few periods only.
      const ids = [...phase.periods.keys()].sort((a, b) => b - a);
      for (const old of ids.slice(3)) phase.periods.delete(old);
    }
    period.agents.add(agent);
    period.data.add(decodeSnapshot(snapshot));
  }

  /** The newest period all agents of the phase reported (else the newest), unless stale. */
  latest(phaseId: number, now: number): StatsData | undefined {
    const phase = this.phases.get(phaseId);
    if (phase === undefined) return undefined;
    const ids = [...phase.periods.keys()].sort((a, b) => b - a);
    const id = ids.find((i) => phase.periods.get(i)!.agents.size >= phase.agents.size) ?? ids[0];
    const data = id === undefined ? undefined : phase.periods.get(id)!.data;
    return data === undefined || data.startTime < now - RECENT_MS ? undefined : data;
  }
}

function recentStats(data: StatsData | undefined): RecentStats | undefined {
  if (data === undefined || data.isEmpty()) return undefined;
  const spanMs = data.endTime - data.startTime;
  const h = data.histogram;
  return {
    requestsPerSec: spanMs > 0 ? (1000 * data.responseCount) / spanMs : 0,
    p50: h.totalCount > 0 ? h.valueAtPercentile(50) : 0,
    p99: h.totalCount > 0 ? h.valueAtPercentile(99) : 0,
    errors: data.errors(),
  };
}

function requestsSoFar(stats: RunStatistics, phase: string): number {
  let n = 0;
  for (const d of stats.metrics()) if (d.phase === phase) n += d.total.requestCount;
  return n;
}

/** Agents send no session record for a period without sessions: an old record means none. */
function activeSessions(stats: RunStatistics, phase: string, since: number): number {
  let n = 0;
  for (const records of Object.values(stats.sessions[phase] ?? {})) {
    const last = records[records.length - 1];
    if (last !== undefined && last.timestamp >= since) n += last.high;
  }
  return n;
}

export interface PhaseProgressSources {
  stats: RunStatistics;
  recent: RecentPeriods;
  /** Epoch ms. */
  now: number;
  /** `statisticsCollectionPeriod`, ms. */
  periodMs: number;
}

/** The progress of a phase from the controller's state and statistics. */
export function phaseProgress(state: PhaseState, from: PhaseProgressSources): PhaseProgress {
  const { stats, now, periodMs } = from;
  const name = state.phase.name;
  const running = RUNNING.includes(state.status);
  return {
    name,
    status: state.status,
    isWarmup: state.phase.isWarmup,
    failed: state.failed,
    startTime: state.startTime,
    terminateTime: state.terminateTime,
    requests: requestsSoFar(stats, name),
    recent: running ? recentStats(from.recent.latest(state.phase.id, now)) : undefined,
    sessions: running ? activeSessions(stats, name, now - 2 * periodMs - 500) : 0,
  };
}
