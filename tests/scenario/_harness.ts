/**
 * Test harness for the built-in steps: loads a scenario through the real
 * loader, compiles it with the built-in compilers, and runs sessions against
 * a small executor with real timers (all cleared by `close`).
 */
import assert from "node:assert/strict";
import { parseBenchmark } from "../../src/benchmark/load.ts";
import type { Benchmark } from "../../src/benchmark/model.ts";
import {
  type CompilerRegistry,
  compileScenario,
  emptyCompilers,
  newStepIds,
} from "../../src/scenario/compile.ts";
import type { ExecutorContext } from "../../src/scenario/runtime.ts";
import {
  type CompiledScenario,
  newSession,
  type PhaseContext,
  type Session,
  startSession,
  wakeSession,
} from "../../src/scenario/session.ts";
import { registerBuiltinSteps } from "../../src/scenario/steps/builtin.ts";
import { UNSET, type VarValue } from "../../src/scenario/vars.ts";
import type { Statistics } from "../../src/stats/recorder.ts";

export { UNSET };

export interface BenchOptions {
  /** Data files by name. */
  files?: Record<string, string | Uint8Array>;
}

/** A benchmark with one `atOnce` phase whose scenario is `scenarioYaml` (indented freely). */
export function bench(scenarioYaml: string, options: BenchOptions = {}): Benchmark {
  const lines = scenarioYaml.replace(/^\n+/, "").replace(/\s+$/, "").split("\n");
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.match(/^ */)![0].length));
  const body = lines.map((l) => "        " + l.slice(indent)).join("\n");
  const source = [
    "name: test",
    "http:",
    "  host: http://localhost:8080",
    "phases:",
    "- main:",
    "    atOnce:",
    "      users: 1",
    "      scenario:",
    body,
    "",
  ].join("\n");
  const files = options.files ?? {};
  const r = parseBenchmark(source, {
    readFile: (p) => {
      const f = files[p];
      return f === undefined ? undefined : typeof f === "string" ? new TextEncoder().encode(f) : f;
    },
  });
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  assert.equal(errors.length, 0, errors.map((d) => d.message).join("\n"));
  return r.benchmark!;
}

export function registry(): CompilerRegistry {
  const reg = emptyCompilers();
  registerBuiltinSteps(reg);
  return reg;
}

export function compile(b: Benchmark, reg: CompilerRegistry = registry()): CompiledScenario {
  return compileScenario(b.scenarios[0], b, b.phases[0], reg, newStepIds(b));
}

export interface Recorded {
  phaseId: number;
  stepId: number;
  metric: string;
  requests: number;
  responses: number[];
}

/** An executor with real timers, a scripted random source and recording hooks. */
export class TestExecutor implements ExecutorContext {
  readonly runId = "0000";
  readonly agentName = "agent";
  readonly agentIndex = 0;
  readonly agents = 1;
  readonly threadIndex = 0;
  readonly threads = 1;
  readonly globalThreadIndex = 0;
  readonly globalThreads = 1;
  readonly sharedCounters = new Map<string, number>();
  readonly sharedMaps = new Map<string, Record<string, VarValue>[]>();
  readonly agentData = new Map<string, VarValue>();
  readonly globalData = new Map<string, unknown>();
  readonly globalCounters: { key: string; name: string; value: number }[] = [];
  readonly logs: { level: string; message: string }[] = [];
  readonly recorded = new Map<string, Recorded>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /** Values `random()` returns in turn (then Math.random). */
  randoms: number[] = [];

  nowNs(): number {
    return performance.now() * 1e6;
  }

  wakeAt(s: Session, atNs: number): void {
    const generation = s.generation;
    const arm = () => {
      const id = setTimeout(() => {
        this.timers.delete(id);
        if (s.generation !== generation) return;
        // Timers may fire a little early: wake only when the time has come.
        if (this.nowNs() < atNs) arm();
        else wakeSession(s);
      }, Math.max(0, (atNs - this.nowNs()) / 1e6));
      this.timers.add(id);
    };
    arm();
  }

  http(): undefined {
    return undefined;
  }

  defaultHttp(): undefined {
    return undefined;
  }

  statistics(phaseId: number, stepId: number, metric: string): Statistics {
    const key = `${phaseId}/${stepId}/${metric}`;
    let r = this.recorded.get(key);
    if (r === undefined) {
      r = { phaseId, stepId, metric, requests: 0, responses: [] };
      this.recorded.set(key, r);
    }
    const rec = r;
    return {
      recordRequest: () => rec.requests++,
      recordResponse: (start: number, end: number) => rec.responses.push(end - start),
    } as unknown as Statistics;
  }

  random = (): number => this.randoms.length > 0 ? this.randoms.shift()! : Math.random();

  publishGlobalCounter(key: string, name: string, value: number): void {
    this.globalCounters.push({ key, name, value });
  }

  pseudoVariable(): VarValue {
    return undefined;
  }

  log(level: "info" | "warn" | "error", message: string): void {
    this.logs.push({ level, message });
  }

  close(): void {
    for (const id of this.timers) clearTimeout(id);
    this.timers.clear();
  }
}

export interface Run {
  session: Session;
  scenario: CompiledScenario;
  ex: TestExecutor;
  phase: PhaseContext;
  failures: string[];
  /** Resolves when the session has no more work. */
  done: Promise<void>;
  /** A variable's value by name (UNSET when never set). */
  v(name: string): VarValue;
  /** Sets a variable from outside (as a response handler would) and wakes the session. */
  set(name: string, value: VarValue): void;
  /** Names of the running sequence instances, with their index. */
  running(): string[];
}

export interface RunOptions {
  ex?: TestExecutor;
  scenario?: CompiledScenario;
  randoms?: number[];
}

/** Starts one session of the benchmark's first scenario. */
export function start(b: Benchmark, options: RunOptions = {}): Run {
  const scenario = options.scenario ?? compile(b);
  const ex = options.ex ?? new TestExecutor();
  if (options.randoms) ex.randoms = [...options.randoms];
  const failures: string[] = [];
  let resolve!: () => void;
  const done = new Promise<void>((r) => resolve = r);
  const phase: PhaseContext = {
    phase: b.phases[0],
    executor: ex,
    finished: false,
    terminated: false,
    sessionDone: () => resolve(),
    fail: (message) => failures.push(message),
  };
  const session = newSession(1, scenario, phase);
  const slot = (name: string) => {
    const i = scenario.slots.bySlot.get(name);
    assert.ok(i !== undefined, `no variable '${name}' in the scenario`);
    return i;
  };
  startSession(session, phase, ex.nowNs());
  return {
    session,
    scenario,
    ex,
    phase,
    failures,
    done,
    v: (name) => session.vars[slot(name)],
    set(name, value) {
      session.vars[slot(name)] = value;
      wakeSession(session);
    },
    running: () =>
      session.instances.slice(0, session.count).map((q) => `${q.seq.name}[${q.index}]`),
  };
}

/** Runs a session to its end (failing after `timeoutMs`) and clears the timers. */
export async function runToEnd(
  b: Benchmark,
  options: RunOptions & { timeoutMs?: number } = {},
): Promise<Run> {
  const r = start(b, options);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      r.done,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`The session did not finish; running: ${r.running().join(", ")}`)),
          options.timeoutMs ?? 2000,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
    r.ex.close();
  }
  return r;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
