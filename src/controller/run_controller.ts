/**
 * One run, start to end, as Hyperfoil's controller does it (REFERENCE §6):
 * create the run directory, run the pre hooks, deploy the agents, wait for
 * their hello, initialise them, drive the phases, merge their statistics,
 * stop them, write `stats/*.csv`, `info.json` and `all.json`, run the post
 * hooks and write `hooks.json`. Whatever happens (an agent lost, a fatal
 * error, Ctrl-C), what was recorded is written.
 * @module
 */
import { agentThreads } from "../benchmark/load_split.ts";
import type { Benchmark, Sla } from "../benchmark/model.ts";
import type { AgentMessage, ControllerMessage, PhaseCommand } from "../bus/messages.ts";
import type { CreateExecutor } from "../agent/agent.ts";
import type { DeployedAgent, Deployer } from "../deploy/deployer.ts";
import { localDeployer } from "../deploy/local.ts";
import { type RequestStats, RunStatistics } from "../stats/aggregate.ts";
import { renderAllJson, renderInfoJson, type RunError, type RunInfo } from "../stats/all_json.ts";
import { csvFiles } from "../stats/csv.ts";
import { SESSION_LIMIT_MESSAGE, sessionLimitFailure, type SlaFailure } from "../stats/sla.ts";
import { type HookOutput, runHooks } from "./hooks.ts";
import {
  phaseProgress,
  plannedDuration,
  RecentPeriods,
  type RunProgress,
  type RunStage,
} from "./progress.ts";
import { type ControllerPhaseStatus, PhaseOrchestrator } from "./run_orchestrator.ts";
import { allocateRunDir, defaultRoot, RunStore } from "./run_store.ts";
import { requestSlaTable } from "./step_slas.ts";

/** The agent that runs a benchmark without `agents` (Hyperfoil's standalone mode). */
export const IN_VM_AGENT = "in-vm";

export interface RunOptions {
  benchmark: Benchmark;
  /** The benchmark's source text, copied into the run directory as `<name>.yaml`. */
  source?: string;
  /** Root directory; runs go to `${root}/run/<ID>/`. Default `${HF_ROOT:-/tmp/hyperfoil}`. */
  root?: string;
  /** A run directory reserved earlier with `allocateRunDir` (a run requested through CI); default: the next free one under `root`. */
  runDir?: { id: string; dir: string };
  /** Starts the agents. Default: the `local` deployer over `createExecutor`. */
  deployer?: Deployer;
  /** The engine, for the default `local` deployer. */
  createExecutor?: CreateExecutor;
  /** Free text stored in `info.json`. */
  description?: string;
  /** Aborting it is Ctrl-C: phases not started are cancelled, running ones terminated. */
  signal?: AbortSignal;
  /** Called every `progressIntervalMs` while the run is under way. */
  onProgress?: (progress: RunProgress) => void;
  /** Default 1000. */
  progressIntervalMs?: number;
  /** Log lines from agents and the controller. */
  onLog?: (entry: { agent?: string; level: "info" | "warn" | "error"; message: string }) => void;
  /** hf version: agents of another version are refused; written into `all.json`. */
  version?: string;
  /** Commit id written into `all.json` (default "unknown"). */
  commit?: string | null;
  /** SLAs of a step id; default: request steps numbered as the engine compiles them. */
  stepSlas?: (stepId: number) => readonly Sla[] | undefined;
  /** Deploying the agents and hearing their hello, ms; default 15000 (Hyperfoil's). */
  deployTimeoutMs?: number;
  /** Initialising the agents (sessions, connections), ms; default 60000. */
  initTimeoutMs?: number;
  /** Agent silence after which it is lost, ms; default 5000. */
  heartbeatTimeoutMs?: number;
  /** Heartbeat interval towards agents, ms; default 1000. */
  heartbeatMs?: number;
  /** After STOP, how long agents get to close before they are stopped, ms; default 3000. */
  stopTimeoutMs?: number;
  /** After the last phase terminated, how long to wait for the last statistics, ms; default 2 periods + 2000. */
  statsTimeoutMs?: number;
  /** After Ctrl-C, how long phases get to terminate, ms; default 10000. */
  killTimeoutMs?: number;
}

/**
 * How the run ended: `passed` every phase passed; `failed` an SLA, the session
 * limit or a phase failed; `error` the run could not execute (deploy,
 * initialisation, agent lost, pre hook); `interrupted` it was killed (Ctrl-C).
 */
export type RunStatus = "passed" | "failed" | "error" | "interrupted";

export interface PhaseReport {
  name: string;
  status: ControllerPhaseStatus;
  isWarmup: boolean;
  failed: boolean;
  failureReasons: string[];
  /** Epoch ms. */
  startTime?: number;
  /** Epoch ms. */
  terminateTime?: number;
}

export interface RunResult {
  runId: string;
  runDir: string;
  status: RunStatus;
  /** For `error`: what prevented the run, naming the agent (`in-vm: Connection refused: 127.0.0.1:1`). */
  reason?: string;
  /** SLA and session-limit failures, in detection order. */
  failures: SlaFailure[];
  /** `info.errors`. */
  errors: RunError[];
  /** Totals per (phase, step, metric): the rows of the `stats` table. */
  stats: RequestStats[];
  phases: PhaseReport[];
  info: RunInfo;
}

/** Hyperfoil's agent statuses, as the REST API reports them. */
export type AgentStatus = "STARTING" | "REGISTERED" | "READY" | "STOPPING" | "STOPPED" | "FAILED";

export interface AgentState {
  name: string;
  /** The host the agent reported in its hello; absent before. */
  hostname?: string;
  status: AgentStatus;
}

/** A run under way. */
export interface RunHandle {
  readonly runId: string;
  readonly runDir: string;
  /** Settles once everything was written. Never rejects for a failed run, only for bugs. */
  readonly result: Promise<RunResult>;
  progress(): RunProgress;
  /** The run's statistics so far (read them; the run owns and updates them). */
  readonly statistics: RunStatistics;
  /** `info.errors` so far. */
  errors(): RunError[];
  agents(): AgentState[];
  /** As Ctrl-C: cancels phases not started and terminates the others. */
  kill(): void;
  /** Debug listings from every agent (`sessions`, `connections`). */
  list(
    kind: "sessions" | "connections",
    includeInactive?: boolean,
  ): Promise<Record<string, string[]>>;
}

/** Creates the run directory and starts the run; `result` settles when it is written. */
export async function startRun(options: RunOptions): Promise<RunHandle> {
  const { id, dir } = options.runDir ?? await allocateRunDir(options.root ?? defaultRoot());
  const run = new Run(options, new RunStore(id, dir));
  const result = run.execute();
  return {
    runId: id,
    runDir: dir,
    result,
    progress: () => run.progress(),
    statistics: run.stats,
    errors: () => [...run.errors],
    agents: () => run.agentStates(),
    kill: () => run.kill(),
    list: (kind, includeInactive) => run.list(kind, includeInactive ?? false),
  };
}

/** Runs a benchmark to the end; see {@link startRun}. */
export async function runBenchmark(options: RunOptions): Promise<RunResult> {
  return await (await startRun(options)).result;
}

/** The controller's view of one agent. */
interface AgentLink {
  readonly name: string;
  readonly index: number;
  readonly threads: number;
  deployed?: DeployedAgent;
  hostname?: string;
  hello: boolean;
  ready: boolean;
  closed: boolean;
  stopSent: boolean;
  lastSeen: number;
}

type Waiter = () => void;

class Run {
  private readonly benchmark: Benchmark;
  readonly stats: RunStatistics;
  private readonly orchestrator: PhaseOrchestrator;
  private readonly links: AgentLink[];
  private readonly deployer: Deployer;
  private readonly ownDeployer: boolean;
  readonly errors: RunError[] = [];
  private readonly hookOutputs: HookOutput[] = [];
  private readonly waiters = new Set<Waiter>();
  private readonly statsComplete = new Map<string, Set<string>>();
  private readonly completedPhases = new Set<string>();
  private readonly sessionLimitSeen = new Set<string>();
  private readonly lists = new Map<number, { replies: Map<string, string[]>; done: () => void }>();
  private readonly deployAbort = new AbortController();
  private readonly recent = new RecentPeriods();
  private globalData: Record<string, unknown> = {};
  private stage: RunStage = "deploying";
  private runStart: number | undefined;
  private fatal: string | undefined;
  private interrupted = false;
  private killExpired = false;
  private doneAt: number | undefined;
  private nextListId = 1;
  private tickTimer: ReturnType<typeof setTimeout> | undefined;
  private graceTimer: ReturnType<typeof setTimeout> | undefined;
  private killTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private progressTimer: ReturnType<typeof setInterval> | undefined;
  private readonly onAbort = () => this.kill();

  constructor(private readonly options: RunOptions, private readonly store: RunStore) {
    this.benchmark = options.benchmark;
    const b = this.benchmark;
    const names = b.agents.length > 0 ? b.agents.map((a) => a.name) : [IN_VM_AGENT];
    this.links = names.map((name, index) => ({
      name,
      index,
      threads: agentThreads(b, b.agents.length > 0 ? name : undefined),
      hello: false,
      ready: false,
      closed: false,
      stopSent: false,
      lastSeen: Date.now(),
    }));
    if (options.deployer !== undefined) {
      this.deployer = options.deployer;
      this.ownDeployer = false;
    } else {
      if (options.createExecutor === undefined) {
        throw new TypeError("A run needs a deployer or an engine ('createExecutor')");
      }
      this.deployer = localDeployer({
        createExecutor: options.createExecutor,
        version: options.version ?? "unknown",
      });
      this.ownDeployer = true;
    }
    this.stats = new RunStatistics({
      phases: b.phases,
      periodMs: b.statisticsCollectionPeriod,
      stepSlas: options.stepSlas ?? requestSlaTable(b),
      onFailure: (f) => this.orchestrator.fail(f.phase, f.message, Date.now()),
    });
    this.orchestrator = new PhaseOrchestrator({
      phases: b.phases,
      agents: names,
      failurePolicy: b.failurePolicy,
      send: (command, phase) => this.publish(command, phase),
    });
  }

  // ---- the run, step by step ----

  async execute(): Promise<RunResult> {
    this.options.signal?.addEventListener("abort", this.onAbort);
    if (this.options.signal?.aborted) this.interrupted = true;
    if (this.options.onProgress !== undefined) {
      this.progressTimer = setInterval(
        () => this.options.onProgress!(this.progress()),
        this.options.progressIntervalMs ?? 1000,
      );
    }
    try {
      await this.guard(async () => {
        await this.store.writeBenchmark(this.benchmark, this.options.source);
        await this.store.writeText("info.json", renderInfoJson(this.info(Date.now())));
      });
      if (this.proceeding()) await this.preHooks();
      if (this.proceeding()) await this.deployAll();
      if (this.proceeding()) await this.initializeAll();
      if (this.proceeding()) await this.runPhases();
    } finally {
      await this.stopAgents();
      this.options.signal?.removeEventListener("abort", this.onAbort);
      clearInterval(this.progressTimer);
    }
    return await this.persist();
  }

  private proceeding(): boolean {
    return this.fatal === undefined && !this.interrupted;
  }

  /** Runs `f`; an exception makes the run fail with its message instead of escaping. */
  private async guard(f: () => Promise<void>, agent?: string): Promise<void> {
    try {
      await f();
    } catch (e) {
      this.failRun(e instanceof Error ? e.message : String(e), agent);
    }
  }

  private async preHooks(): Promise<void> {
    if (this.benchmark.pre.length === 0) return;
    const run = await runHooks(this.benchmark.pre, { kind: "pre", env: this.hookEnv() });
    this.hookOutputs.push(...run.outputs);
    if (run.failure !== undefined) this.failRun(run.failure);
  }

  private hookEnv(): Record<string, string> {
    const env: Record<string, string> = {
      RUN_ID: this.store.id,
      RUN_DIR: this.store.dir,
      BENCHMARK: this.benchmark.name,
    };
    if (this.options.source !== undefined) {
      env.BENCHMARK_PATH = `${this.store.dir}/${this.benchmark.name.replace(/[/\\]/g, "_")}.yaml`;
    }
    if (this.options.description !== undefined) env.RUN_DESCRIPTION = this.options.description;
    return env;
  }

  private async deployAll(): Promise<void> {
    this.stage = "deploying";
    const timeout = this.options.deployTimeoutMs ?? 15_000;
    this.startHeartbeats();
    const deploys = this.links.map(async (link) => {
      try {
        const deployed = await this.deployer.deploy(link.name, {
          runId: this.store.id,
          benchmark: this.benchmark,
          agent: this.benchmark.agents.find((a) => a.name === link.name),
          threads: link.threads,
          signal: this.deployAbort.signal,
        });
        if (this.stage === "stopping" || this.stage === "done") {
          await deployed.stop(); // too late: the run gave up on it
          return;
        }
        this.attach(link, deployed);
      } catch (e) {
        // A deploy the run gave up on (timeout, Ctrl-C) fails with the abort: nothing new.
        if (this.deployAbort.signal.aborted) return;
        this.failRun(e instanceof Error ? e.message : String(e), link.name);
      }
    });
    const connected = await this.until(() => this.links.every((l) => l.hello), timeout);
    if (!connected && this.proceeding()) {
      for (const l of this.links.filter((l) => !l.hello)) {
        this.failRun(`Agent '${l.name}' did not connect within ${timeout} ms`, l.name);
      }
    }
    if (!this.proceeding()) this.deployAbort.abort();
    // Deploys that are still under way end on the abort; don't leave them dangling.
    if (connected) await Promise.all(deploys);
  }

  private attach(link: AgentLink, deployed: DeployedAgent): void {
    link.deployed = deployed;
    link.lastSeen = Date.now();
    deployed.bus.onMessage((m) => {
      link.lastSeen = Date.now();
      try {
        this.onMessage(link, m);
      } catch (e) {
        this.log("error", `Cannot handle '${m.type}' from '${link.name}': ${String(e)}`);
      }
      this.changed();
    });
    deployed.bus.onClose((reason) => {
      link.closed = true;
      if (!link.stopSent) this.failRun(`Agent '${link.name}' was lost: ${reason}`, link.name);
      this.changed();
    });
  }

  private async initializeAll(): Promise<void> {
    this.stage = "initializing";
    const threads = this.links.map((l) => l.threads);
    for (const link of this.links) {
      this.sendTo(link, {
        type: "initialize",
        runId: this.store.id,
        benchmark: this.benchmark,
        agentIndex: link.index,
        agentThreads: threads,
      });
    }
    const timeout = this.options.initTimeoutMs ?? 60_000;
    const ready = await this.until(() => this.links.every((l) => l.ready), timeout);
    if (!ready && this.proceeding()) {
      const late = this.links.filter((l) => !l.ready).map((l) => l.name);
      this.failRun(`Agents did not initialise within ${timeout} ms: ${late.join(", ")}`);
    }
  }

  private async runPhases(): Promise<void> {
    this.stage = "running";
    this.runStart = Date.now();
    this.orchestrator.start(this.runStart);
    this.tick();
    await this.until(() => this.phasesOver());
  }

  /** All phases terminated or cancelled and their statistics in (or given up on). */
  private phasesOver(): boolean {
    if (this.killExpired) return true;
    if (!this.orchestrator.done) return false;
    if (this.doneAt === undefined) {
      this.doneAt = Date.now();
      const grace = this.options.statsTimeoutMs ??
        2 * this.benchmark.statisticsCollectionPeriod + 2000;
      this.graceTimer = setTimeout(() => {
        this.graceTimer = undefined;
        this.doneAt = -1;
        this.changed();
      }, grace);
    }
    if (this.doneAt === -1) return true;
    return this.orchestrator.phases().every((s) =>
      s.startTime === undefined || this.completedPhases.has(s.phase.name)
    );
  }

  /** Re-evaluates the phases now and again at the next deadline (at least every second). */
  private tick(): void {
    if (this.stage !== "running") return;
    clearTimeout(this.tickTimer);
    const now = Date.now();
    const next = this.orchestrator.step(now);
    const delay = next === undefined ? 1000 : Math.max(0, Math.min(1000, next - now));
    this.tickTimer = setTimeout(() => {
      this.tickTimer = undefined;
      this.tick();
      this.changed();
    }, delay);
  }

  private async stopAgents(): Promise<void> {
    this.stage = "stopping";
    clearTimeout(this.tickTimer);
    clearTimeout(this.graceTimer);
    clearTimeout(this.killTimer);
    this.deployAbort.abort();
    for (const link of this.links) {
      if (link.deployed !== undefined && !link.closed) {
        this.sendTo(link, { type: "stop" });
        link.stopSent = true;
      }
    }
    await this.until(
      () => this.links.every((l) => l.deployed === undefined || l.closed),
      this.options.stopTimeoutMs ?? 3000,
      false,
    );
    clearInterval(this.heartbeatTimer);
    await Promise.allSettled(
      this.links.map((l) => {
        l.stopSent = true;
        return l.deployed?.stop();
      }),
    );
    await this.saveAgentLogs();
    if (this.ownDeployer) await this.deployer.close?.();
    for (const pending of this.lists.values()) pending.done();
    this.stage = "done";
  }

  /** Remote agents' logs (`DeployedAgent.log`) go to `agent.<name>.log` in the run directory. */
  private async saveAgentLogs(): Promise<void> {
    await Promise.all(this.links.map(async (l) => {
      if (l.deployed?.log === undefined) return;
      try {
        const text = await l.deployed.log();
        if (text !== undefined) {
          await this.store.writeText(`agent.${safeFileName(l.name)}.log`, text);
        }
      } catch (e) {
        this.log("warn", `Cannot fetch the log of agent '${l.name}': ${String(e)}`, l.name);
      }
    }));
  }

  private async persist(): Promise<RunResult> {
    const terminateTime = Date.now();
    // Statistics that never completed are closed now (Hyperfoil reports them as errors).
    for (const msg of this.stats.completeAll()) this.errors.push({ msg });
    for (const s of this.orchestrator.phases()) {
      if (s.startTime !== undefined) {
        this.stats.adjustPhaseTimestamps(
          s.phase.name,
          s.startTime,
          s.terminateTime ?? terminateTime,
        );
      }
    }
    const info = this.info(terminateTime);
    const input = this.stats.allJsonInput({
      info,
      version: this.options.version,
      commit: this.options.commit,
    });
    await this.write(() => this.store.writeStats(csvFiles(input)));
    await this.write(() => this.store.writeText("info.json", renderInfoJson(info)));
    await this.write(() => this.store.writeText("all.json", renderAllJson(input)));
    if (this.benchmark.post.length > 0) {
      const post = await runHooks(this.benchmark.post, { kind: "post", env: this.hookEnv() });
      this.hookOutputs.push(...post.outputs);
      if (post.failure !== undefined) {
        this.errors.push({ msg: post.failure });
        await this.write(() => this.store.writeText("info.json", renderInfoJson(info)));
      }
    }
    await this.write(() =>
      this.store.writeText("hooks.json", JSON.stringify(this.hookOutputs, null, 2) + "\n")
    );
    return {
      runId: this.store.id,
      runDir: this.store.dir,
      status: this.status(),
      reason: this.fatal,
      failures: [...this.stats.failures],
      errors: [...this.errors],
      stats: this.stats.totalSummary(),
      phases: this.orchestrator.phases().map((s) => ({
        name: s.phase.name,
        status: s.status,
        isWarmup: s.phase.isWarmup,
        failed: s.failed,
        failureReasons: [...s.failureReasons],
        startTime: s.startTime,
        terminateTime: s.terminateTime,
      })),
      info,
    };
  }

  private async write(f: () => Promise<void>): Promise<void> {
    try {
      await f();
    } catch (e) {
      const msg = `Cannot write the run directory '${this.store.dir}': ${
        e instanceof Error ? e.message : String(e)
      }`;
      this.errors.push({ msg });
      this.fatal ??= msg;
    }
  }

  private status(): RunStatus {
    if (this.fatal !== undefined) return "error";
    if (this.interrupted) return "interrupted";
    const failed = this.stats.failures.length > 0 ||
      this.orchestrator.phases().some((s) => s.failed);
    return failed ? "failed" : "passed";
  }

  private info(terminateTime: number): RunInfo {
    return {
      id: this.store.id,
      benchmark: this.benchmark.name,
      params: this.benchmark.params,
      startTime: this.runStart ?? terminateTime,
      terminateTime,
      cancelled: this.interrupted,
      description: this.options.description ?? null,
      errors: [...this.errors],
    };
  }

  // ---- events ----

  private onMessage(link: AgentLink, m: AgentMessage): void {
    const now = Date.now();
    switch (m.type) {
      case "hello":
        if (this.options.version !== undefined && m.version !== this.options.version) {
          this.failRun(
            `Agent '${link.name}' runs hf ${m.version}, the controller runs hf ${this.options.version}`,
            link.name,
          );
          return;
        }
        link.hello = true;
        link.hostname = m.hostname;
        return;
      case "ready":
        link.ready = true;
        return;
      case "error":
        if (m.fatal) this.failRun(m.message, link.name);
        else {
          this.errors.push({ agent: link.name, msg: m.message });
          this.log("error", m.message, link.name);
        }
        return;
      case "phaseChange":
        return this.onPhaseChange(link, m, now);
      case "requestStats":
        for (const s of m.snapshots) {
          try {
            this.stats.record(link.name, s);
            this.recent.record(link.name, s);
          } catch (e) {
            this.log("error", `Dropped statistics: ${String(e)}`, link.name);
          }
        }
        return;
      case "phaseStatsComplete":
        return this.onStatsComplete(link, m.phase);
      case "sessionStats":
        for (const [phase, { min, max }] of Object.entries(m.sessions)) {
          this.stats.recordSessionStats(link.name, m.timestamp, phase, min, max);
        }
        return;
      case "connectionStats": {
        const byAuthority: Record<string, Record<string, { low: number; high: number }>> = {};
        for (const [authority, byType] of Object.entries(m.connections)) {
          byAuthority[authority] = {};
          for (const [type, { min, max }] of Object.entries(byType)) {
            byAuthority[authority][type] = { low: min, high: max };
          }
        }
        this.stats.recordConnectionStats(link.name, m.timestamp, byAuthority);
        return;
      }
      case "listReply": {
        const pending = this.lists.get(m.requestId);
        if (pending === undefined) return;
        pending.replies.set(link.name, m.lines);
        if (pending.replies.size === this.connectedLinks().length) pending.done();
        return;
      }
      case "log":
        this.log(m.level, m.message, link.name);
        return;
      case "heartbeat":
        return;
    }
  }

  private onPhaseChange(
    link: AgentLink,
    m: AgentMessage & { type: "phaseChange" },
    now: number,
  ): void {
    const state = this.orchestrator.phase(m.phase);
    if (state === undefined) {
      this.log("warn", `Status of unknown phase '${m.phase}'`, link.name);
      return;
    }
    if (m.cpuUsage !== undefined) this.stats.recordCpuUsage(m.phase, link.name, m.cpuUsage);
    if (m.globalData !== undefined) this.globalData = { ...this.globalData, ...m.globalData };
    if (m.sessionLimitExceeded && !this.sessionLimitSeen.has(m.phase)) {
      this.sessionLimitSeen.add(m.phase);
      if ((state.phase.sessionLimitPolicy ?? "FAIL") === "FAIL") {
        this.stats.addFailure(sessionLimitFailure(m.phase, state.startTime ?? now, now));
        this.orchestrator.fail(m.phase, SESSION_LIMIT_MESSAGE, now);
      } else {
        this.log("warn", `Phase '${m.phase}' exceeded its session limit (policy CONTINUE)`);
      }
    }
    if (m.error !== undefined) {
      this.errors.push({ agent: link.name, msg: m.error });
      this.orchestrator.fail(m.phase, m.error, now);
    }
    this.orchestrator.agentStatus(link.name, m.phase, m.status, now);
    if (m.status === "STATS_COMPLETE") this.onStatsComplete(link, m.phase);
    this.tick();
  }

  private onStatsComplete(link: AgentLink, phase: string): void {
    let agents = this.statsComplete.get(phase);
    if (agents === undefined) this.statsComplete.set(phase, agents = new Set());
    agents.add(link.name);
    if (agents.size < this.links.length || this.completedPhases.has(phase)) return;
    this.completedPhases.add(phase);
    // Judges whole-phase SLAs; a failure fails the phase (and may cancel others).
    this.stats.completePhase(phase);
    this.tick();
  }

  /** The run cannot go on: records why, cancels what has not started, wakes the waiters. */
  private failRun(message: string, agent?: string): void {
    this.errors.push(agent === undefined ? { msg: message } : { agent, msg: message });
    this.log("error", message, agent);
    if (this.fatal === undefined) {
      this.fatal = agent === undefined ? message : `${agent}: ${message}`;
      this.orchestrator.abort(Date.now());
    }
    this.changed();
  }

  /** Ctrl-C: cancel what has not started, terminate the rest, then finish as usual. */
  kill(): void {
    if (this.interrupted && this.stage !== "running") return;
    const first = !this.interrupted;
    this.interrupted = true;
    if (this.stage === "running" && first) {
      this.orchestrator.kill(Date.now());
      this.killTimer = setTimeout(() => {
        this.killTimer = undefined;
        this.killExpired = true;
        this.changed();
      }, this.options.killTimeoutMs ?? 10_000);
      this.tick();
    }
    this.changed();
  }

  private publish(command: PhaseCommand, phase: string): void {
    const globalData = command === "RUN" && Object.keys(this.globalData).length > 0
      ? this.globalData
      : undefined;
    for (const link of this.connectedLinks()) {
      this.sendTo(link, { type: "phaseControl", command, phase, globalData });
    }
  }

  private connectedLinks(): AgentLink[] {
    return this.links.filter((l) => l.deployed !== undefined && !l.closed);
  }

  private sendTo(link: AgentLink, m: ControllerMessage): void {
    if (link.deployed !== undefined && !link.closed) link.deployed.bus.send(m);
  }

  private startHeartbeats(): void {
    const timeout = this.options.heartbeatTimeoutMs ?? 5000;
    const every = Math.min(this.options.heartbeatMs ?? 1000, Math.max(10, timeout / 2));
    this.heartbeatTimer = setInterval(() => {
      const now = Date.now();
      for (const link of this.connectedLinks()) {
        this.sendTo(link, { type: "heartbeat" });
        if (!link.stopSent && now - link.lastSeen > timeout) {
          this.failRun(`Agent '${link.name}' was lost: no message for ${timeout} ms`, link.name);
          link.closed = true; // deaf to it from now on; the deployer stops it
        }
      }
    }, every);
  }

  private log(level: "info" | "warn" | "error", message: string, agent?: string): void {
    this.options.onLog?.({ agent, level, message });
  }

  // ---- waiting ----

  /** Wakes everything waiting on a condition. */
  private changed(): void {
    for (const w of [...this.waiters]) w();
  }

  /**
   * Resolves true once `cond` holds, false on timeout or (with `giveUp`) when the
   * run failed or was interrupted. Every event re-checks it; no polling.
   */
  private until(cond: () => boolean, timeoutMs?: number, giveUp = true): Promise<boolean> {
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = (v: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(v);
      };
      const check = () => {
        if (cond()) finish(true);
        else if (giveUp && this.stage !== "running" && !this.proceeding()) finish(false);
        else if (giveUp && this.stage === "running" && this.fatal !== undefined) finish(false);
      };
      this.waiters.add(check);
      if (timeoutMs !== undefined) timer = setTimeout(() => finish(false), timeoutMs);
      check();
    });
  }

  // ---- for the caller ----

  agentStates(): AgentState[] {
    return this.links.map((l) => ({
      name: l.name,
      hostname: l.hostname,
      // An agent that was never deployed and is past its deploy failed to start.
      status: l.deployed === undefined && l.stopSent
        ? "FAILED"
        : l.closed
        ? (l.stopSent ? "STOPPED" : "FAILED")
        : l.stopSent
        ? "STOPPING"
        : l.ready
        ? "READY"
        : l.hello
        ? "REGISTERED"
        : "STARTING",
    }));
  }

  progress(): RunProgress {
    const now = Date.now();
    return {
      runId: this.store.id,
      benchmark: this.benchmark.name,
      stage: this.stage,
      startTime: this.runStart,
      now,
      elapsedMs: this.runStart === undefined ? 0 : now - this.runStart,
      plannedMs: plannedDuration(this.benchmark.phases),
      phases: this.orchestrator.phases().map((s) =>
        phaseProgress(s, {
          stats: this.stats,
          recent: this.recent,
          now,
          periodMs: this.benchmark.statisticsCollectionPeriod,
        })
      ),
    };
  }

  list(
    kind: "sessions" | "connections",
    includeInactive: boolean,
  ): Promise<Record<string, string[]>> {
    const requestId = this.nextListId++;
    const links = this.connectedLinks();
    if (links.length === 0) return Promise.resolve({});
    return new Promise((resolve) => {
      const replies = new Map<string, string[]>();
      const timer = setTimeout(() => done(), 5000);
      const done = () => {
        clearTimeout(timer);
        this.lists.delete(requestId);
        resolve(Object.fromEntries(replies));
      };
      this.lists.set(requestId, { replies, done });
      for (const link of links) {
        this.sendTo(
          link,
          kind === "sessions"
            ? { type: "listSessions", requestId, includeInactive }
            : { type: "listConnections", requestId },
        );
      }
    });
  }
}

/** An agent name as a file name inside the run directory. */
function safeFileName(name: string): string {
  return name.replace(/[/\\]/g, "_");
}
