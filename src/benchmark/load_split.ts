/**
 * How a phase's load is shared between agents and their threads (REFERENCE §6):
 * rates in proportion to threads, user counts and pool sizes by prefix-sum
 * rounding so the parts add up exactly to the total and no user is lost.
 */
import type { Benchmark, Phase, SharedConnections } from "./model.ts";

/** The i-th of `weights.length` parts of `total`, rounded so that all parts sum to `total`. */
export function prefixSumShare(total: number, weights: readonly number[], i: number): number {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum <= 0) return 0;
  let before = 0;
  for (let k = 0; k < i; k++) before += weights[k];
  return Math.round((total * (before + weights[i])) / sum) - Math.round((total * before) / sum);
}

/** Where an executor sits among all executors of the run. */
export interface ExecutorSlot {
  /** Index of the agent among the run's agents. */
  agentIndex: number;
  /** Threads of every agent, in agent order. */
  agentThreads: readonly number[];
  /** Index of the thread within its agent. */
  threadIndex: number;
}

/** Global index of the executor across all agents' threads. */
export function globalThreadIndex(slot: ExecutorSlot): number {
  let g = slot.threadIndex;
  for (let a = 0; a < slot.agentIndex; a++) g += slot.agentThreads[a];
  return g;
}

function totalThreads(slot: ExecutorSlot): number {
  return slot.agentThreads.reduce((a, b) => a + b, 0);
}

/** An integer total shared across all executors, each thread weighing the same. */
function shareInt(total: number, slot: ExecutorSlot): number {
  const n = totalThreads(slot);
  return prefixSumShare(total, new Array(n).fill(1), globalThreadIndex(slot));
}

/** An integer given per agent (usersPerAgent), shared across that agent's threads. */
function shareWithinAgent(total: number, slot: ExecutorSlot): number {
  const n = slot.agentThreads[slot.agentIndex];
  return prefixSumShare(total, new Array(n).fill(1), slot.threadIndex);
}

/** The part of a phase that one executor runs: same shape as `Phase`, smaller numbers. */
export function phaseShare(phase: Phase, slot: ExecutorSlot): Phase {
  const n = totalThreads(slot);
  const out: Phase = { ...phase };
  if (phase.users !== undefined) out.users = shareInt(phase.users, slot);
  if (phase.usersPerAgent !== undefined) out.users = shareWithinAgent(phase.usersPerAgent, slot);
  if (phase.usersPerThread !== undefined) out.users = phase.usersPerThread;
  delete out.usersPerAgent;
  delete out.usersPerThread;
  for (const k of ["usersPerSec", "initialUsersPerSec", "targetUsersPerSec"] as const) {
    if (phase[k] !== undefined) out[k] = phase[k]! / n;
  }
  if (phase.maxSessions !== undefined) {
    out.maxSessions = Math.max(1, shareInt(phase.maxSessions, slot));
  }
  return out;
}

/** An executor's share of an endpoint's connections: at least one each. */
export function connectionsShare(c: SharedConnections, slot: ExecutorSlot): SharedConnections {
  return {
    ...c,
    core: Math.max(c.core > 0 ? 1 : 0, shareInt(c.core, slot)),
    max: Math.max(1, shareInt(c.max, slot)),
  };
}

/** Total threads of an agent: its own `threads` property, else the benchmark's. */
export function agentThreads(benchmark: Benchmark, agentName: string | undefined): number {
  const a = benchmark.agents.find((x) => x.name === agentName);
  const t = a?.properties.threads;
  return t !== undefined ? Number(t) : benchmark.threads;
}
