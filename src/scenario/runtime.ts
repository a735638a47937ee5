/**
 * What compiled steps may use at run time, provided by the executor that owns
 * the sessions: clock and timers, HTTP clients, statistics, shared data and
 * the identity of this executor within the run.
 */
import type { HttpClient } from "../http/http_client.ts";
import type { Statistics } from "../stats/recorder.ts";
import type { Session } from "./session.ts";
import type { VarValue } from "./vars.ts";

export interface ExecutorContext {
  readonly runId: string;
  readonly agentName: string;
  readonly agentIndex: number;
  readonly agents: number;
  readonly threadIndex: number;
  readonly threads: number;
  readonly globalThreadIndex: number;
  readonly globalThreads: number;
  /** Monotonic time in ns (performance.now() based). */
  nowNs(): number;
  /** Wakes the session at `atNs` or soon after, unless it was reset meanwhile. */
  wakeAt(s: Session, atNs: number): void;
  /** The HTTP client of an endpoint, by `host:port` authority or endpoint name. */
  http(authorityOrName: string): HttpClient | undefined;
  /** The client of the benchmark's default HTTP target, if any. */
  defaultHttp(): HttpClient | undefined;
  /** Statistics of (phase, step, metric): the hot-path recorder. */
  statistics(phaseId: number, stepId: number, metric: string): Statistics;
  /** Uniform random in [0, 1). */
  random(): number;
  /** Counters shared by the sessions of this executor (`addToSharedCounter`…). */
  readonly sharedCounters: Map<string, number>;
  /** Maps shared by the sessions of this executor (`pushSharedMap`/`pullSharedMap`). */
  readonly sharedMaps: Map<string, Record<string, VarValue>[]>;
  /** Write-once data shared across the agent (`publishAgentData`/`readAgentData`). */
  readonly agentData: Map<string, VarValue>;
  /** Global data merged by the controller and handed to phases when they start. */
  readonly globalData: Map<string, unknown>;
  /** Adds to a global counter the controller merges (`publishGlobalCounters`). */
  publishGlobalCounter(key: string, name: string, value: number): void;
  /** The value of a `hyperfoil.*` pseudo-variable for this session. */
  pseudoVariable(name: string, s: Session): VarValue;
  log(level: "info" | "warn" | "error", message: string): void;
}
