/**
 * The benchmark model: plain, immutable, JSON-serialisable data. The loader
 * produces it, the controller ships it to agents and stores it in the run
 * directory, the engine compiles it. Durations are milliseconds.
 */
import type { StepRecord } from "./registry.ts";

export interface Benchmark {
  name: string;
  /** The file it was loaded from, as given (for messages and the run directory). */
  file?: string;
  /** Template parameters used to expand it. */
  params: Record<string, string>;
  agents: Agent[];
  /** Executor threads per agent (default 1). */
  threads: number;
  /** How often agents ship statistics, ms (default 1000). */
  statisticsCollectionPeriod: number;
  failurePolicy: "CANCEL" | "CONTINUE";
  triggerUrl?: string;
  http: HttpEndpoint[];
  ergonomics: Ergonomics;
  pre: Hook[];
  post: Hook[];
  /** Phases after expansion of forks, iterations and staircase, in definition order. */
  phases: Phase[];
  /** Scenarios, referenced by index from phases (forks and iterations share them). */
  scenarios: Scenario[];
  /** Data files the benchmark reads, by the name it uses, base64-encoded. */
  files: Record<string, string>;
}

export interface Agent {
  name: string;
  /** The inline definition as written (`user@host:port`), if any. */
  inline?: string;
  host?: string;
  port?: number;
  user?: string;
  /** Further properties as written (sshKey, dir, cpu, threads, extras, …). */
  properties: Record<string, string>;
}

export interface SharedConnections {
  core: number;
  max: number;
  buffer: number;
  /** ms; 0 keeps connections forever. */
  keepAliveTime: number;
}

export type ConnectionStrategy = "SHARED_POOL" | "SESSION_POOLS" | "OPEN_ON_REQUEST" | "ALWAYS_NEW";

export interface TlsMaterial {
  storeType?: string;
  storeFile?: string;
  password?: string;
  alias?: string;
  certFile?: string;
  keyFile?: string;
  /** PEM contents of certFile / keyFile, read when the benchmark is loaded. */
  cert?: string;
  key?: string;
  /** Base64 contents of storeFile. */
  store?: string;
}

export interface HttpEndpoint {
  name?: string;
  protocol: "http" | "https";
  host: string;
  port: number;
  /** `host:port`, the key requests select the endpoint by. */
  authority: string;
  /** The default target of requests that name no authority. */
  isDefault: boolean;
  sharedConnections: SharedConnections;
  connectionStrategy: ConnectionStrategy;
  /** DNS overrides, `ip` or `ip:port`. */
  addresses: string[];
  requestTimeout: number;
  sslHandshakeTimeout: number;
  allowHttp1x: boolean;
  allowHttp2: boolean;
  maxHttp2Streams: number;
  pipeliningLimit: number;
  directHttp2: boolean;
  rawBytesHandlers: boolean;
  useHttpCache: boolean;
  keyManager?: TlsMaterial;
  trustManager?: TlsMaterial;
}

export type FollowRedirect = "NEVER" | "LOCATION_ONLY" | "HTML_ONLY" | "ALWAYS";

export interface Ergonomics {
  repeatCookies: boolean;
  userAgentFromSession: boolean;
  autoRangeCheck: boolean;
  stopOnInvalid: boolean;
  followRedirect: FollowRedirect;
  compensateInternalLatency: boolean;
}

export interface Hook {
  name: string;
  /** Shell command. */
  exec: string;
}

export type PhaseModel =
  | "atOnce"
  | "always"
  | "constantRate"
  | "increasingRate"
  | "decreasingRate"
  | "noop";

export const OPEN_MODELS: readonly PhaseModel[] = [
  "constantRate",
  "increasingRate",
  "decreasingRate",
];
export const CLOSED_MODELS: readonly PhaseModel[] = ["atOnce", "always"];

export interface StartWith {
  phase: string;
  /** ms after that phase started. */
  delay: number;
}

export interface Phase {
  /** Index in `Benchmark.phases`. */
  id: number;
  /** Full name: `main`, `shop/buy`, `test/002`, `rampUp/001/fork`. */
  name: string;
  model: PhaseModel;
  /** Iteration index (0 without iterations). */
  iteration: number;
  /** Fork name, for phases made from a fork. */
  fork?: string;
  /** For noop umbrella phases: the phases they cover. */
  umbrellaOf?: string[];
  users?: number;
  usersPerAgent?: number;
  usersPerThread?: number;
  usersPerSec?: number;
  initialUsersPerSec?: number;
  targetUsersPerSec?: number;
  maxSessions?: number;
  /** Poisson arrivals (true, default) or uniform spacing. */
  variance?: boolean;
  sessionLimitPolicy?: "FAIL" | "CONTINUE";
  /** ms from the run's start; the earliest the phase may start. */
  startTime: number;
  /** Phases that must be finished first. */
  startAfter: string[];
  /** Phases that must be terminated first. */
  startAfterStrict: string[];
  startWith?: StartWith;
  /** Phases that must be terminated before this (umbrella) phase terminates. */
  terminateAfterStrict: string[];
  /** ms; no new sessions after it. */
  duration: number;
  /** ms; sessions are cancelled after it. */
  maxDuration?: number;
  maxIterations: number;
  isWarmup: boolean;
  customSla: Record<string, Sla[]>;
  /** Index into `Benchmark.scenarios`; absent for noop phases. */
  scenario?: number;
}

export interface Sla {
  /** ms; absent means the whole phase. */
  window?: number;
  errorRatio: number;
  invalidRatio: number;
  /** ms; absent means unlimited. */
  meanResponseTime?: number;
  blockedRatio: number;
  /** Percentile (fraction, 0 < p ≤ 1) → limit in ms. */
  limits: Record<string, number>;
}

export interface Scenario {
  /** Concurrent requests per session (default 16). */
  maxRequests: number;
  /** Concurrent sequence instances per session (default 16). */
  maxSequences: number;
  sequences: Sequence[];
}

export interface Sequence {
  name: string;
  /** Concurrent instances allowed (`name[N]`); 0 when not declared. */
  concurrency: number;
  /** Started once when a session starts. */
  initial: boolean;
  steps: StepRecord[];
}

export type { StepRecord };
