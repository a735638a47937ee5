/**
 * The contract between an agent and its executors (one per thread). An
 * executor runs its share of every phase on its own event loop; the agent
 * drives it with commands and merges what it reports. The same messages
 * cross a Worker boundary, so they are plain data.
 */
import type { Benchmark } from "../benchmark/model.ts";
import type { ExecutorSlot } from "../benchmark/load_split.ts";
import type { AgentPhaseStatus, MinMax, PhaseCommand } from "../bus/messages.ts";
import type { StatsSnapshot } from "../stats/snapshot.ts";

export type ExecutorCommand =
  | { type: "init"; runId: string; agentName: string; benchmark: Benchmark; slot: ExecutorSlot }
  | { type: "phase"; command: PhaseCommand; phase: string; globalData?: Record<string, unknown> }
  /** Send the statistics gathered so far (the agent's collection tick). */
  | { type: "collect" }
  | { type: "listSessions"; requestId: number; includeInactive: boolean }
  | { type: "listConnections"; requestId: number }
  | { type: "stop" };

export type ExecutorEvent =
  /** Sessions are allocated and connections open: ready for phases. */
  | { type: "ready" }
  /** Initialisation failed (unreachable target, TLS failure…); names the address. */
  | { type: "initFailed"; message: string }
  | {
    type: "phaseStatus";
    phase: string;
    status: AgentPhaseStatus;
    sessionLimitExceeded?: boolean;
    error?: string;
    globalData?: Record<string, unknown>;
  }
  | {
    type: "stats";
    snapshots: StatsSnapshot[];
    /** Phase name → min/max active sessions since the last collect. */
    sessions: Record<string, MinMax>;
    /** Authority → connection kind → min/max since the last collect. */
    connections: Record<string, Record<string, MinMax>>;
  }
  | { type: "listReply"; requestId: number; lines: string[] }
  | { type: "log"; level: "info" | "warn" | "error"; message: string }
  | { type: "stopped" };

/** An executor as the agent sees it, whether in this thread or in a Worker. */
export interface ExecutorHandle {
  send(command: ExecutorCommand): void;
  onEvent(handler: (event: ExecutorEvent) => void): void;
  /** Ends the executor (a Worker is terminated); idempotent. */
  dispose(): void;
}
