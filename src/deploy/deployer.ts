/**
 * How the controller gets agents: a deployer starts one agent (in this
 * process, a subprocess, or over SSH on another host) and hands back the
 * controller's end of its bus connection. The controller, the messages and the
 * agent are the same whichever deployer runs them (DESIGN "One path for every run").
 * @module
 */
import type { Agent, Benchmark } from "../benchmark/model.ts";
import type { ControllerSide } from "../bus/messages.ts";

/** What a deployer needs to start one agent. */
export interface DeployOptions {
  runId: string;
  /** The benchmark of the run (agent definitions, threads, files to copy). */
  benchmark: Benchmark;
  /** The agent's definition in `benchmark.agents`; absent for the implicit in-process agent. */
  agent?: Agent;
  /** Threads the agent runs (its `threads` property, else the benchmark's). */
  threads: number;
  /** Aborted when the run gives up waiting (deploy timeout, Ctrl-C). */
  signal?: AbortSignal;
}

/** A started agent as the controller holds it. */
export interface DeployedAgent {
  readonly name: string;
  /** The controller's end of the agent's bus connection. */
  readonly bus: ControllerSide;
  /**
   * Ends the agent's process or in-process instance and releases what the
   * deployer holds for it; idempotent. The controller calls it after STOP
   * (or at once when the agent was lost).
   */
  stop(): Promise<void>;
  /**
   * The agent's log so far (remote deployers fetch `dir/agent.NAME.log`);
   * absent when the agent logs through the bus only. Called after `stop()`.
   */
  log?(): Promise<string | undefined>;
}

/** Starts agents for runs; `local`, and `ssh` in clustered mode. */
export interface Deployer {
  /** `local`, `ssh`…: named in messages. */
  readonly name: string;
  /**
   * Starts agent `agentName` and resolves once its bus connection is open (the
   * agent's `hello` may still be in flight). Rejects with a {@link DeployError}
   * naming the agent and the reason (connection refused, authentication failed…).
   */
  deploy(agentName: string, options: DeployOptions): Promise<DeployedAgent>;
  /** Releases shared resources (listeners, SSH connections); idempotent. */
  close?(): Promise<void>;
}

/** A deployer could not start an agent; `agent` names it. */
export class DeployError extends Error {
  override name = "DeployError";
  constructor(readonly agent: string, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}
