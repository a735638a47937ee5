/**
 * The runs a controller knows: those it started (live, then finished with
 * their statistics in memory), those requested for a CI trigger, and every
 * run directory under `${root}/run/` (earlier processes, `hf run`). It starts
 * runs one at a time, as Hyperfoil does, and writes each finished run's
 * `run.json` (the REST view of it) next to `info.json`.
 * @module
 */
import type { CreateExecutor } from "../../agent/agent.ts";
import type { Benchmark } from "../../benchmark/model.ts";
import type { Deployer } from "../../deploy/deployer.ts";
import type { RunError } from "../../stats/all_json.ts";
import { IN_VM_AGENT, type RunHandle, type RunResult, startRun } from "../run_controller.ts";
import { allocateRunDir } from "../run_store.ts";
import { describeError, HttpError } from "./_http.ts";
import { type LogFile, logFile, type LogLevel } from "./log_file.ts";
import { agentsJson, errorText, formatRunDate, phasesJson, type RunJson } from "./run_json.ts";

export interface RunRegistryOptions {
  root: string;
  version: string;
  /** The in-process engine, for benchmarks without `agents`. */
  createExecutor?: CreateExecutor;
  /** A deployer for benchmarks with `agents`; called once per run, closed when the run ends. */
  remoteDeployer?: () => Deployer;
  log: (level: LogLevel, message: string, agent?: string) => void;
  /** Finished runs of this process kept in memory with their statistics; default 20. */
  keepInMemory?: number;
}

/** A run this process started. */
export interface LiveRun {
  readonly kind: "live";
  readonly id: string;
  readonly dir: string;
  readonly handle: RunHandle;
  readonly benchmark: Benchmark;
  readonly description?: string;
  /** Set once everything was written. */
  result?: RunResult;
  /** Set when the run ended with a bug instead of a result. */
  crashed?: string;
  killed: boolean;
  /** Settles when the run and its `run.json` are written; never rejects. */
  readonly done: Promise<void>;
}

/** A run reserved for a CI job (`triggerUrl`), not started yet. */
export interface RequestedRun {
  readonly kind: "requested";
  readonly id: string;
  readonly dir: string;
  readonly benchmarkName: string;
  readonly description?: string;
}

/** A run directory of an earlier process (or of a run evicted from memory). */
export interface DiskRun {
  readonly kind: "disk";
  readonly id: string;
  readonly dir: string;
}

export type RunRef = LiveRun | RequestedRun | DiskRun;

export interface StartRequest {
  benchmark: Benchmark;
  source: string;
  description?: string;
  /** Start this requested run (Hyperfoil's `runId` query parameter). */
  runId?: string;
}

export interface RunRegistry {
  /** `${root}/run`. */
  readonly runRoot: string;
  /** Starts a run; 403 while another one runs, 409 when no deployer fits the benchmark. */
  start(request: StartRequest): Promise<LiveRun>;
  /** Reserves a run for a CI job; returns its id. */
  request(benchmarkName: string, description?: string): Promise<string>;
  /** `last` is the run with the highest id. */
  get(id: string): Promise<RunRef | undefined>;
  /** Every run, ascending by id. */
  list(): Promise<RunRef[]>;
  /** Runs under way. */
  running(): LiveRun[];
  runJson(run: RunRef, details: boolean): Promise<RunJson>;
  /** The agent names of a run (`in-vm` for a run in this process). */
  agentNames(run: RunRef): Promise<string[]>;
  /** The benchmark name of a run; undefined when unknown. */
  benchmarkName(run: RunRef): Promise<string | undefined>;
  kill(run: LiveRun): void;
  /** Kills what runs and waits until it is written. */
  shutdown(): Promise<void>;
}

const RUN_ID = /^[0-9A-F]{4,}$/;

/** Reads a JSON file; undefined when it is absent or not JSON. */
export async function readJsonFile(path: string): Promise<unknown> {
  try {
    return JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof SyntaxError) return undefined;
    throw e;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `info.json` as far as the REST view needs it; fields of the wrong type are dropped. */
interface InfoFile {
  benchmark?: string;
  startTime?: number;
  terminateTime?: number;
  cancelled?: boolean;
  description?: string;
  errors: RunError[];
}

function parseInfo(v: unknown): InfoFile | undefined {
  if (!isRecord(v)) return undefined;
  const str = (x: unknown) => (typeof x === "string" ? x : undefined);
  const num = (x: unknown) => (typeof x === "number" && Number.isFinite(x) ? x : undefined);
  const errors = Array.isArray(v.errors)
    ? v.errors.filter(isRecord).map((e) => ({
      agent: str(e.agent),
      msg: typeof e.msg === "string" ? e.msg : null,
    }))
    : [];
  return {
    benchmark: str(v.benchmark),
    startTime: num(v.startTime),
    terminateTime: num(v.terminateTime),
    cancelled: typeof v.cancelled === "boolean" ? v.cancelled : undefined,
    description: str(v.description),
    errors,
  };
}

/** Creates the registry; nothing is read until asked. */
export function runRegistry(options: RunRegistryOptions): RunRegistry {
  const runRoot = `${options.root}/run`;
  const keep = options.keepInMemory ?? 20;
  const live = new Map<string, LiveRun>();
  const requested = new Map<string, RequestedRun>();
  let starting = false;

  const running = () => [...live.values()].filter((r) => !r.result && !r.crashed);

  function chooseDeployer(benchmark: Benchmark): Deployer | undefined {
    if (benchmark.agents.length > 0) {
      if (options.remoteDeployer === undefined) {
        throw new HttpError(
          409,
          `Benchmark '${benchmark.name}' defines agents (${
            benchmark.agents.map((a) => `'${a.name}'`).join(", ")
          }) but this controller cannot deploy agents: start 'hf controller' in clustered mode, or remove 'agents' to run in the controller's process`,
        );
      }
      return options.remoteDeployer();
    }
    if (options.createExecutor === undefined) {
      throw new HttpError(
        409,
        `Benchmark '${benchmark.name}' has no 'agents' and this controller has no in-process engine: add 'agents'`,
      );
    }
    return undefined;
  }

  /** Local agents log through the bus only: their lines go to `agent.<name>.log` in the run dir. */
  function agentLogs(dir: string, local: boolean) {
    const files = new Map<string, LogFile>();
    return (level: LogLevel, message: string, agent?: string) => {
      options.log(level, message, agent);
      if (!local || agent === undefined) return;
      let f = files.get(agent);
      if (f === undefined) {
        f = logFile(`${dir}/agent.${agent.replace(/[/\\]/g, "_")}.log`, () => {});
        files.set(agent, f);
      }
      f.write(level, message);
    };
  }

  function evict(): void {
    const finished = [...live.values()].filter((r) => r.result || r.crashed);
    for (const r of finished.slice(0, Math.max(0, finished.length - keep))) live.delete(r.id);
  }

  async function finish(run: LiveRun, deployer: Deployer | undefined): Promise<void> {
    try {
      run.result = await run.handle.result;
      options.log(
        "info",
        `Run ${run.id} of '${run.benchmark.name}' ended: ${run.result.status}${
          run.result.reason ? ` (${run.result.reason})` : ""
        }`,
      );
    } catch (e) {
      run.crashed = describeError(e);
      options.log("error", `Run ${run.id} failed: ${run.crashed}`);
    }
    try {
      await deployer?.close?.();
    } catch (e) {
      options.log("warn", `Cannot close the deployer of run ${run.id}: ${describeError(e)}`);
    }
    try {
      const json = liveJson(run, true);
      await Deno.writeTextFile(`${run.dir}/run.json`, JSON.stringify(json, null, 2) + "\n");
    } catch (e) {
      options.log("warn", `Cannot write '${run.dir}/run.json': ${describeError(e)}`);
    }
    evict();
  }

  function addressOf(benchmark: Benchmark) {
    return (name: string) => {
      if (benchmark.agents.length === 0) return name === IN_VM_AGENT ? "in-vm" : undefined;
      return benchmark.agents.find((a) => a.name === name)?.host;
    };
  }

  function liveJson(run: LiveRun, details: boolean): RunJson {
    const now = Date.now();
    const progress = run.handle.progress();
    const terminated = run.result?.info.terminateTime ??
      (run.crashed !== undefined ? now : undefined);
    const errors = run.handle.errors().map(errorText);
    if (run.crashed !== undefined) errors.push(`Internal error: ${run.crashed}`);
    return {
      id: run.id,
      benchmark: run.benchmark.name,
      started: progress.startTime === undefined ? null : formatRunDate(progress.startTime),
      terminated: terminated === undefined ? null : formatRunDate(terminated),
      cancelled: run.killed || (run.result?.info.cancelled ?? false),
      completed: run.result !== undefined || run.crashed !== undefined,
      persisted: run.result !== undefined,
      description: run.description ?? null,
      phases: details ? phasesJson(run.benchmark.phases, progress.phases, now) : null,
      agents: agentsJson(run.handle.agents(), addressOf(run.benchmark)),
      errors,
    };
  }

  async function diskBenchmarkAgents(dir: string): Promise<string[]> {
    const model = await readJsonFile(`${dir}/benchmark.json`);
    if (!isRecord(model) || !Array.isArray(model.agents)) return [];
    const names = model.agents.filter(isRecord).map((a) => a.name).filter((n) =>
      typeof n === "string"
    ) as string[];
    return names.length > 0 ? names : [IN_VM_AGENT];
  }

  async function diskJson(run: DiskRun): Promise<RunJson> {
    const saved = await readJsonFile(`${run.dir}/run.json`);
    if (isRecord(saved) && saved.id === run.id) return saved as unknown as RunJson;
    const info = parseInfo(await readJsonFile(`${run.dir}/info.json`));
    const completed = await exists(`${run.dir}/all.json`);
    const agents = await diskBenchmarkAgents(run.dir);
    return {
      id: run.id,
      benchmark: info?.benchmark ?? null,
      started: info?.startTime === undefined ? null : formatRunDate(info.startTime),
      terminated: info?.terminateTime === undefined || !completed
        ? null
        : formatRunDate(info.terminateTime),
      cancelled: info?.cancelled ?? false,
      completed,
      persisted: completed,
      description: info?.description ?? null,
      phases: [],
      agents: agents.map((name) => ({ name, address: null, status: "STOPPED" })),
      errors: (info?.errors ?? []).map(errorText),
    };
  }

  async function diskIds(): Promise<string[]> {
    const ids: string[] = [];
    try {
      for await (const e of Deno.readDir(runRoot)) {
        if (e.isDirectory && RUN_ID.test(e.name)) ids.push(e.name);
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    return ids;
  }

  const byId = (a: string, b: string) => parseInt(a, 16) - parseInt(b, 16);

  async function lookup(id: string): Promise<RunRef | undefined> {
    const mine = live.get(id) ?? requested.get(id);
    if (mine !== undefined) return mine;
    if (!RUN_ID.test(id)) return undefined;
    const dir = `${runRoot}/${id}`;
    const known = await exists(`${dir}/info.json`) || await exists(`${dir}/run.json`);
    return known ? { kind: "disk", id, dir } : undefined;
  }

  async function list(): Promise<RunRef[]> {
    const ids = new Set([...await diskIds(), ...live.keys(), ...requested.keys()]);
    const runs: RunRef[] = [];
    for (const id of [...ids].sort(byId)) {
      const r = await lookup(id);
      if (r !== undefined) runs.push(r);
    }
    return runs;
  }

  function kill(run: LiveRun): void {
    if (run.result || run.crashed) return;
    run.killed = true;
    run.handle.kill();
    options.log("info", `Run ${run.id} was killed`);
  }

  return {
    runRoot,
    async start(request) {
      const { benchmark } = request;
      const busy = running()[0];
      if (busy !== undefined || starting) {
        throw new HttpError(
          403,
          `Cannot start benchmark '${benchmark.name}': run ${
            busy?.id ?? "(starting)"
          } is in progress`,
        );
      }
      let reserved: { id: string; dir: string } | undefined;
      if (request.runId !== undefined) {
        const r = requested.get(request.runId);
        if (r === undefined || r.benchmarkName !== benchmark.name) {
          throw new HttpError(403, `Run '${request.runId}' was not requested or already started`);
        }
        reserved = { id: r.id, dir: r.dir };
      }
      starting = true;
      try {
        const deployer = chooseDeployer(benchmark);
        const description = request.description ??
          (request.runId !== undefined ? requested.get(request.runId)?.description : undefined);
        // Until the run directory exists, lines go to the controller log only.
        let sink: (level: LogLevel, message: string, agent?: string) => void = options.log;
        let handle: RunHandle;
        try {
          handle = await startRun({
            benchmark,
            source: request.source,
            root: options.root,
            runDir: reserved,
            deployer,
            createExecutor: options.createExecutor,
            description,
            version: options.version,
            onLog: (e) => sink(e.level, e.message, e.agent),
          });
        } catch (e) {
          await deployer?.close?.().catch(() => {});
          throw new HttpError(500, `Cannot start the run: ${describeError(e)}`);
        }
        sink = agentLogs(handle.runDir, deployer === undefined);
        if (request.runId !== undefined) requested.delete(request.runId);
        const run: LiveRun = {
          kind: "live",
          id: handle.runId,
          dir: handle.runDir,
          handle,
          benchmark,
          description,
          killed: false,
          done: Promise.resolve(),
        };
        (run as { done: Promise<void> }).done = finish(run, deployer);
        live.set(run.id, run);
        options.log("info", `Run ${run.id} of '${benchmark.name}' started`);
        return run;
      } finally {
        starting = false;
      }
    },
    async request(benchmarkName, description) {
      const { id, dir } = await allocateRunDir(options.root);
      requested.set(id, { kind: "requested", id, dir, benchmarkName, description });
      return id;
    },
    async get(id) {
      if (id === "last") {
        const all = await list();
        return all[all.length - 1];
      }
      return await lookup(id);
    },
    list,
    running,
    async runJson(run, details) {
      switch (run.kind) {
        case "live":
          return liveJson(run, details);
        case "requested":
          return {
            id: run.id,
            benchmark: run.benchmarkName,
            started: null,
            terminated: null,
            cancelled: false,
            completed: false,
            persisted: false,
            description: run.description ?? null,
            phases: details ? [] : null,
            agents: [],
            errors: [],
          };
        case "disk":
          return await diskJson(run);
      }
    },
    async agentNames(run) {
      switch (run.kind) {
        case "live":
          return run.handle.agents().map((a) => a.name);
        case "requested":
          return [];
        case "disk": {
          const json = await diskJson(run);
          return (json.agents ?? []).map((a) => a.name);
        }
      }
    },
    async benchmarkName(run) {
      switch (run.kind) {
        case "live":
          return run.benchmark.name;
        case "requested":
          return run.benchmarkName;
        case "disk":
          return (await diskJson(run)).benchmark ?? undefined;
      }
    },
    kill,
    async shutdown() {
      const runs = running();
      for (const r of runs) kill(r);
      await Promise.all(runs.map((r) => r.done));
    },
  };
}
