/**
 * The `local` deployer: agents in this process, connected over the in-memory
 * bus. This is how `hf run` works (Hyperfoil's standalone mode with its
 * `in-vm` agent); the agent is the same code a remote host runs.
 * @module
 */
import { type AgentHandle, type CreateExecutor, startAgent } from "../agent/agent.ts";
import { memoryBus } from "../bus/memory_transport.ts";
import type { DeployedAgent, Deployer, DeployOptions } from "./deployer.ts";

export interface LocalDeployerOptions {
  /** Builds each agent's executors (the engine). */
  createExecutor: CreateExecutor;
  /** hf version the agents announce. */
  version: string;
  /** Agent heartbeat interval, ms (default 1000). */
  heartbeatMs?: number;
  /** Controller silence after which an agent stops itself, ms (default 5000). */
  controllerTimeoutMs?: number;
}

/** Starts agents in-process; each gets its own in-memory bus. */
export function localDeployer(options: LocalDeployerOptions): Deployer {
  const running = new Set<AgentHandle>();
  return {
    name: "local",
    deploy(agentName: string, deploy: DeployOptions): Promise<DeployedAgent> {
      const { controller, agent } = memoryBus();
      const handle = startAgent({
        name: agentName,
        bus: agent,
        createExecutor: options.createExecutor,
        version: options.version,
        threads: deploy.threads,
        heartbeatMs: options.heartbeatMs,
        controllerTimeoutMs: options.controllerTimeoutMs,
      });
      running.add(handle);
      void handle.stopped.then(() => running.delete(handle));
      return Promise.resolve({
        name: agentName,
        bus: controller,
        stop: () => handle.stop("Stopped by the deployer"),
      });
    },
    async close() {
      await Promise.all([...running].map((h) => h.stop("The deployer closed")));
    },
  };
}
