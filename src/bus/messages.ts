/**
 * What the controller and the agents say to each other (DESIGN "The event bus",
 * mirroring Hyperfoil's messages). Plain JSON data: the same values travel
 * over the in-memory transport and as frames over TCP.
 */
import type { Benchmark } from "../benchmark/model.ts";
import type { StatsSnapshot } from "../stats/snapshot.ts";

/** Agent-side phase states, in the order they advance. */
export const AGENT_PHASE_STATUSES = [
  "NOT_STARTED",
  "RUNNING",
  "FINISHED",
  "TERMINATING",
  "TERMINATED",
  "STATS_COMPLETE",
] as const;
export type AgentPhaseStatus = typeof AGENT_PHASE_STATUSES[number];

export type PhaseCommand = "RUN" | "FINISH" | "TERMINATE" | "TRY_TERMINATE";

export interface MinMax {
  min: number;
  max: number;
}

/** Controller → agent. */
export type ControllerMessage =
  | {
    type: "initialize";
    runId: string;
    benchmark: Benchmark;
    /** This agent's place among all agents (for the load split and `hyperfoil.agent.id`). */
    agentIndex: number;
    /** Threads of every agent in agent order. */
    agentThreads: number[];
  }
  | {
    type: "phaseControl";
    command: PhaseCommand;
    phase: string;
    globalData?: Record<string, unknown>;
  }
  | { type: "listSessions"; requestId: number; includeInactive: boolean }
  | { type: "listConnections"; requestId: number }
  | { type: "stop" }
  | { type: "heartbeat" };

/** Agent → controller. */
export type AgentMessage =
  | {
    type: "hello";
    agent: string;
    version: string;
    threads: number;
    pid: number;
    hostname: string;
  }
  | { type: "ready"; agent: string }
  | {
    type: "phaseChange";
    agent: string;
    phase: string;
    status: AgentPhaseStatus;
    sessionLimitExceeded?: boolean;
    /** A fatal problem in the phase (failed step, `fail` action…), as text. */
    error?: string;
    /** CPU use of the agent during the phase, e.g. "42.3%". */
    cpuUsage?: string;
    globalData?: Record<string, unknown>;
  }
  /** Delta statistics of the last collection period(s). */
  | { type: "requestStats"; agent: string; snapshots: StatsSnapshot[] }
  /** No more statistics will come for this phase from this agent. */
  | { type: "phaseStatsComplete"; agent: string; phase: string }
  | { type: "sessionStats"; agent: string; timestamp: number; sessions: Record<string, MinMax> }
  | {
    type: "connectionStats";
    agent: string;
    timestamp: number;
    /** target authority → connection type (e.g. "in-flight", "used", "open") → min/max. */
    connections: Record<string, Record<string, MinMax>>;
  }
  | { type: "listReply"; agent: string; requestId: number; lines: string[] }
  | { type: "log"; agent: string; level: "info" | "warn" | "error"; message: string }
  /** The agent cannot go on (initialisation failed, target unreachable…); the run fails. */
  | { type: "error"; agent: string; message: string; fatal: boolean }
  | { type: "heartbeat" };

/** One end of a bus connection. */
export interface BusEndpoint<Out, In> {
  send(message: Out): void;
  /** Sets the receiver; messages are delivered in order, asynchronously. */
  onMessage(handler: (message: In) => void): void;
  /** Called once when the other side goes away (closed, lost, refused). */
  onClose(handler: (reason: string) => void): void;
  close(reason?: string): void;
}

export type ControllerSide = BusEndpoint<ControllerMessage, AgentMessage>;
export type AgentSide = BusEndpoint<AgentMessage, ControllerMessage>;
