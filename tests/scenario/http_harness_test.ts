/**
 * Helpers for the `httpRequest` tests (this module declares no tests): a
 * real `Deno.serve` server on 127.0.0.1, the real loader with `-P PORT`,
 * real HTTP clients and a real `StatsRegistry`, and a small executor that
 * starts N sessions of the first phase at once and waits for them to end.
 */
import assert from "node:assert/strict";
import { parseBenchmark } from "../../src/benchmark/load.ts";
import type { Benchmark } from "../../src/benchmark/model.ts";
import { createClient } from "../../src/http/create_client.ts";
import type { HttpClient } from "../../src/http/http_client.ts";
import { compileScenario, newStepIds } from "../../src/scenario/compile.ts";
import { defaultCompilers } from "../../src/scenario/default_compilers.ts";
import type { ExecutorContext } from "../../src/scenario/runtime.ts";
import {
  newSession,
  type PhaseContext,
  type Session,
  startSession,
  stopSession,
  wakeSession,
} from "../../src/scenario/session.ts";
import type { VarValue } from "../../src/scenario/vars.ts";
import { StatsRegistry } from "../../src/stats/recorder.ts";
import { decodeSnapshot, mergeSnapshots, type StatsSnapshot } from "../../src/stats/snapshot.ts";
import type { StatsData } from "../../src/stats/stats_data.ts";

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface TestServer {
  readonly port: number;
  /** Requests received per path (without the query). */
  readonly hits: Map<string, number>;
  /** Every request in arrival order: path, headers and the client's port (one per connection). */
  readonly requests: { path: string; headers: Headers; clientPort: number }[];
  [Symbol.asyncDispose](): Promise<void>;
}

/** A `Deno.serve` server on 127.0.0.1 and a free port, counting requests per path. */
export function serve(
  handler: (req: Request, url: URL) => Response | Promise<Response>,
): TestServer {
  const hits = new Map<string, number>();
  const requests: { path: string; headers: Headers; clientPort: number }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req, info) => {
    const url = new URL(req.url);
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    const clientPort = (info.remoteAddr as Deno.NetAddr).port;
    requests.push({ path: url.pathname + url.search, headers: req.headers, clientPort });
    return handler(req, url);
  });
  return {
    port: server.addr.port,
    hits,
    requests,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

/** Loads `yaml` with `-P PORT=port`; fails the test on any error. */
export function load(yaml: string, port: number): Benchmark {
  const r = parseBenchmark(yaml, { params: { PORT: String(port) } });
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  assert.equal(errors.length, 0, errors.map((d) => `${d.line}: ${d.message}`).join("\n"));
  return r.benchmark!;
}

/** What a run left behind: statistics per metric, failures, logs and the sessions. */
export interface RunResult {
  readonly sessions: Session[];
  readonly failures: string[];
  readonly logs: { level: string; message: string }[];
  /** Metric names seen, sorted. */
  readonly metrics: string[];
  /** Merged statistics of a metric (all steps); fails when it is absent. */
  stats(metric: string): StatsData;
  /** A variable of session `i`. */
  v(name: string, i?: number): VarValue;
}

export interface RunOptions {
  /** Sessions started at once (default: the phase's users, else 1). */
  sessions?: number;
  timeoutMs?: number;
  /** Open the clients' connections up front (default true). */
  connect?: boolean;
  /** Sessions were scheduled this long before they start (a late start, as under overload). */
  scheduledAgoMs?: number;
  /** The executor's random source (default Math.random). */
  random?: () => number;
  /** Time to wait after the sessions ended before closing the clients (late responses). */
  settleMs?: number;
  /** Times each session starts again when it ends (as an `always` phase restarts it). */
  restarts?: number;
  /** Let a lone request drive its sessions (default true, as the engine does). */
  sessionDrivers?: boolean;
  /** Stops the sessions still active after this long (as a phase termination does). */
  stopAfterMs?: number;
}

/** A minimal executor: real clients, timers and statistics. */
class TestExecutor implements ExecutorContext {
  readonly runId = "0000";
  readonly agentName = "test-agent";
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
  readonly logs: { level: string; message: string }[] = [];
  readonly stats = new StatsRegistry({ periodMs: 1000 });
  readonly clients = new Map<string, HttpClient>();
  private readonly byName = new Map<string, HttpClient>();
  private defaultClient: HttpClient | undefined;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(b: Benchmark) {
    for (const e of b.http) {
      const c = this.clients.get(e.authority) ?? createClient(e);
      this.clients.set(e.authority, c);
      if (e.name) this.byName.set(e.name, c);
      if (e.isDefault) this.defaultClient = c;
    }
  }

  nowNs(): number {
    return performance.now() * 1e6;
  }

  wakeAt(s: Session, atNs: number): void {
    const generation = s.generation;
    const id = setTimeout(() => {
      this.timers.delete(id);
      if (s.generation === generation) wakeSession(s);
    }, Math.max(0, (atNs - this.nowNs()) / 1e6));
    this.timers.add(id);
  }

  http(a: string): HttpClient | undefined {
    return this.clients.get(a) ?? this.byName.get(a) ?? this.clients.get(`${a}:80`);
  }

  defaultHttp(): HttpClient | undefined {
    return this.defaultClient;
  }

  statistics(phaseId: number, stepId: number, metric: string) {
    return this.stats.statistics(phaseId, stepId, metric);
  }

  random = Math.random;

  publishGlobalCounter(): void {}

  pseudoVariable(): VarValue {
    return undefined;
  }

  log(level: "info" | "warn" | "error", message: string): void {
    this.logs.push({ level, message });
  }

  async close(): Promise<void> {
    for (const id of this.timers) clearTimeout(id);
    this.timers.clear();
    await Promise.all([...this.clients.values()].map((c) => c.close()));
  }
}

/** Runs the first phase's scenario with `sessions` sessions started at once, to their end. */
export async function run(b: Benchmark, options: RunOptions = {}): Promise<RunResult> {
  const ex = new TestExecutor(b);
  if (options.random) ex.random = options.random;
  const phaseDef = b.phases[0];
  const count = options.sessions ?? phaseDef.users ?? 1;
  const failures: string[] = [];
  const sessions: Session[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopper: ReturnType<typeof setTimeout> | undefined;
  try {
    if (options.connect ?? true) {
      await Promise.all([...ex.clients.values()].map((c) => c.connect()));
    }
    const scenario = compileScenario(
      b.scenarios[0],
      b,
      phaseDef,
      defaultCompilers(),
      newStepIds(b),
      { sessionDrivers: options.sessionDrivers },
    );
    let active = count;
    const restarts = new Map<Session, number>();
    let resolve!: () => void;
    const done = new Promise<void>((r) => resolve = r);
    const phase: PhaseContext = {
      phase: phaseDef,
      executor: ex,
      finished: false,
      terminated: false,
      sessionDone: (s) => {
        const n = restarts.get(s) ?? 0;
        if (n < (options.restarts ?? 0)) {
          restarts.set(s, n + 1);
          queueMicrotask(() => startSession(s, phase, ex.nowNs()));
        } else if (--active === 0) resolve();
      },
      fail: (message) => failures.push(message),
    };
    ex.stats.startPhase(phaseDef.id);
    for (let i = 0; i < count; i++) sessions.push(newSession(i + 1, scenario, phase));
    const start = ex.nowNs() - (options.scheduledAgoMs ?? 0) * 1e6;
    for (const s of sessions) startSession(s, phase, start);
    if (options.stopAfterMs !== undefined) {
      stopper = setTimeout(() => {
        for (const s of sessions) if (s.active) stopSession(s);
      }, options.stopAfterMs);
    }
    await Promise.race([
      done,
      new Promise((_, reject) => {
        timer = setTimeout(() => {
          const stuck = sessions.filter((s) => s.active).map((s) =>
            `#${s.id}: ${
              s.instances.slice(0, s.count).map((q) => `${q.seq.name}@${q.step}`).join(", ")
            } (${s.inFlight} in flight)`
          );
          reject(new Error(`Sessions did not finish: ${stuck.join("; ")}`));
        }, options.timeoutMs ?? 5000);
      }),
    ]);
    if (options.settleMs) await sleep(options.settleMs);
  } finally {
    clearTimeout(timer);
    clearTimeout(stopper);
    await ex.close();
  }
  ex.stats.endPhase(phaseDef.id);
  const byMetric = new Map<string, StatsSnapshot[]>();
  for (const snap of ex.stats.collect()) {
    const list = byMetric.get(snap.metric) ?? [];
    list.push(snap);
    byMetric.set(snap.metric, list);
  }
  const slots = sessions[0]?.scenario.slots;
  return {
    sessions,
    failures,
    logs: ex.logs,
    metrics: [...byMetric.keys()].sort(),
    stats(metric) {
      const list = byMetric.get(metric);
      assert.ok(
        list,
        `no statistics for metric '${metric}' (have ${[...byMetric.keys()].join(", ")})`,
      );
      return decodeSnapshot(mergeSnapshots(list));
    },
    v(name, i = 0) {
      const slot = slots?.bySlot.get(name);
      assert.ok(slot !== undefined, `no variable '${name}'`);
      return sessions[i].vars[slot];
    },
  };
}

/** The standard file header: one endpoint on the test server, one atOnce phase. */
export function benchYaml(options: {
  http?: string;
  ergonomics?: string;
  users?: number;
  scenario: string;
  model?: string;
  /** Phase properties replacing `users: N` (e.g. `usersPerSec: 10` and `duration: 1s`). */
  phaseProps?: string;
}): string {
  const indent = (text: string, n: number) =>
    text.replace(/^\n+/, "").replace(/\s+$/, "").split("\n").map((l) => " ".repeat(n) + l).join(
      "\n",
    );
  const scenario = options.scenario.replace(/^\n+/, "");
  const base = Math.min(
    ...scenario.split("\n").filter((l) => l.trim()).map((l) => l.match(/^ */)![0].length),
  );
  const dedented = scenario.split("\n").map((l) => l.slice(base)).join("\n");
  return [
    "name: http-test",
    "http:",
    '  host: !concat [ "http://127.0.0.1:", !param PORT ]',
    indent(options.http ?? "", 2),
    ...(options.ergonomics ? ["ergonomics:", indent(options.ergonomics, 2)] : []),
    "phases:",
    "- testPhase:",
    `    ${options.model ?? "atOnce"}:`,
    indent(options.phaseProps ?? `users: ${options.users ?? 1}`, 6),
    "      scenario:",
    indent(dedented, 8),
    "",
  ].join("\n");
}
