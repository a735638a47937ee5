/**
 * `hf run` end to end in-process, on the scripted engine: exit codes, the
 * table or all.json on stdout, progress and messages on stderr.
 */
import assert from "node:assert/strict";
import { type RunCommandOptions, runFile } from "../../src/cli/commands/run.ts";
import type { Output } from "../../src/cli/output.ts";
import {
  formatClock,
  progressBlock,
  progressLine,
  progressPainter,
} from "../../src/cli/progress.ts";
import type { RunProgress } from "../../src/controller/progress.ts";
import { SCENARIO, tempRoot } from "./_bench.ts";
import { type EngineScript, scriptedEngine } from "./_scripted_engine.ts";

function capture(): Output & { stdout: string; stderr: string } {
  const io = {
    stdout: "",
    stderr: "",
    out: (s: string) => void (io.stdout += s),
    err: (s: string) => void (io.stderr += s),
  };
  return io;
}

async function hfRun(
  yaml: string,
  options: Partial<RunCommandOptions> = {},
  script: EngineScript = {},
  signal?: AbortSignal,
) {
  await using t = await tempRoot();
  const file = `${t.root}/bench.hf.yaml`;
  await Deno.writeTextFile(file, yaml);
  const io = capture();
  const engine = scriptedEngine(script);
  const code = await runFile(file, io, { params: {}, root: t.root, ...options }, {
    createExecutor: engine.createExecutor,
    progressTty: false,
    stdoutTty: false,
    signal: signal ?? new AbortController().signal,
    progressIntervalMs: 50,
  });
  const runs: string[] = [];
  for await (const e of Deno.readDir(`${t.root}/run`)) runs.push(e.name);
  return { code, io, runs };
}

const BENCH = (phases: string, head = "") =>
  `name: cli\nhttp:\n  host: http://127.0.0.1:1\nstatisticsCollectionPeriod: 100ms\n${head}phases:\n${phases}`;
const PHASE = (name: string, extra = "", duration = "150ms") =>
  `  - ${name}:\n      constantRate:\n        usersPerSec: 10\n        duration: ${duration}\n${extra}${SCENARIO}\n`;

Deno.test("hf run prints the stats table and exits 0 when every phase passed", async () => {
  const { code, io, runs } = await hfRun(
    BENCH(PHASE("warm", "        isWarmup: true\n") + PHASE("main", "        startAfter: warm\n")),
  );
  assert.equal(code, 0, io.stderr);
  assert.deepEqual(runs, ["0000"]);
  assert.match(io.stdout, /^PHASE\s+METRIC\s+THROUGHPUT\s+REQUESTS\s+MEAN/);
  assert.match(io.stdout, /\nmain\s+test\s/);
  assert.doesNotMatch(io.stdout, /\nwarm\s/, "warm-up phases are hidden");
  assert.match(io.stderr, /Run 0000 passed; results in .*\/run\/0000\n/);
  assert.match(io.stderr, /\[0000 \d+:\d\d\/~0:00\] /, "a plain progress line per second");
});

Deno.test("hf run -w shows warm-up phases; --quiet prints no progress", async () => {
  const { code, io } = await hfRun(BENCH(PHASE("warm", "        isWarmup: true\n")), {
    warmup: true,
    quiet: true,
  });
  assert.equal(code, 0);
  assert.match(io.stdout, /\nwarm\s+test\s/);
  assert.doesNotMatch(io.stderr, /\[0000/);
});

Deno.test("hf run --output json prints the run's all.json", async () => {
  const { code, io } = await hfRun(BENCH(PHASE("main")), { output: "json", quiet: true });
  assert.equal(code, 0);
  const all = JSON.parse(io.stdout);
  assert.equal(all.$schema, "http://hyperfoil.io/run-schema/v3.0");
  assert.equal(all.info.id, "0000");
  assert.equal(all.stats[0].name, "main");
});

Deno.test("hf run exits 1 and lists the failure when an SLA fails", async () => {
  const sla = "        customSla:\n          test:\n            meanResponseTime: 1ms\n";
  const { code, io } = await hfRun(BENCH(PHASE("main", sla)), { quiet: true }, {
    phases: { main: { responseNs: 3_000_000 } },
  });
  assert.equal(code, 1);
  assert.match(io.stdout, /\nmain\/test: Mean response time exceeded: required 1000000, actual /);
  assert.match(io.stderr, /Run 0000 failed: 1 failure;/);
});

Deno.test("hf run exits 1 when the session limit was exceeded, listing the phase failure", async () => {
  const { code, io } = await hfRun(BENCH(PHASE("main")), { quiet: true }, {
    phases: { main: { sessionLimitAfterMs: 20 } },
  });
  assert.equal(code, 1);
  assert.match(io.stdout, /main\/test: Exceeded session limit\n/);
});

Deno.test("hf run exits 2 on an invalid benchmark and creates no run", async () => {
  await using t = await tempRoot();
  const file = `${t.root}/bad.hf.yaml`;
  await Deno.writeTextFile(
    file,
    "name: bad\nphases:\n  - main:\n      constantRate:\n        usrsPerSec: 1\n",
  );
  const io = capture();
  const code = await runFile(file, io, { params: {}, root: t.root }, {
    createExecutor: scriptedEngine().createExecutor,
    signal: new AbortController().signal,
  });
  assert.equal(code, 2);
  assert.match(io.stderr, /usrsPerSec/);
  assert.match(io.stderr, /bad\.hf\.yaml: \d+ errors?\n/);
  assert.equal(io.stdout, "");
  await assert.rejects(() => Deno.stat(`${t.root}/run`));
});

Deno.test("hf run exits 3 naming the agent and the reason when the target is unreachable", async () => {
  const { code, io, runs } = await hfRun(BENCH(PHASE("main")), { quiet: true }, {
    initFailed: "Connection refused: 127.0.0.1:1",
  });
  assert.equal(code, 3);
  assert.match(
    io.stderr,
    /hf: run 0000 could not execute: in-vm: Connection refused: 127\.0\.0\.1:1\n/,
  );
  assert.deepEqual(runs, ["0000"], "the run directory is written anyway");
});

Deno.test("Ctrl-C terminates the phases, prints what ran and exits 130", async () => {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 200);
  const { code, io } = await hfRun(
    BENCH(PHASE("main", "", "10s")),
    { quiet: true },
    {},
    abort.signal,
  );
  clearTimeout(timer);
  assert.equal(code, 130);
  assert.match(io.stdout, /\nmain\s+test\s/);
  assert.match(io.stderr, /Run 0000 was interrupted;/);
});

const PROGRESS: RunProgress = {
  runId: "0003",
  benchmark: "shop",
  stage: "running",
  startTime: 1000,
  now: 66_000,
  elapsedMs: 65_000,
  plannedMs: 120_000,
  phases: [
    {
      name: "browse",
      status: "RUNNING",
      isWarmup: false,
      failed: false,
      startTime: 1000,
      requests: 500,
      recent: { requestsPerSec: 98, p50: 1_250_000, p99: 12_500_000, errors: 1 },
      sessions: 3,
    },
    {
      name: "buy",
      status: "NOT_STARTED",
      isWarmup: false,
      failed: false,
      requests: 0,
      sessions: 0,
    },
  ],
};

Deno.test("progress: a repainted block on a terminal, one line elsewhere", () => {
  assert.equal(formatClock(65_000), "1:05");
  assert.equal(formatClock(3_723_000), "1:02:03");
  assert.deepEqual(progressBlock(PROGRESS), [
    "Run 0003 shop · running 1:05 / ~2:00 (planned, estimate)",
    "  browse  RUNNING      98.0 req/s, p50 1.25 ms, p99 12.50 ms, 1 error, 3 sessions",
    "  0 phases done, 1 waiting",
  ]);
  assert.equal(
    progressLine(PROGRESS),
    "[0003 1:05/~2:00] browse: 98.0 req/s, p50 1.25 ms, p99 12.50 ms, 1 error, 3 sessions",
  );
  let out = "";
  const painter = progressPainter((s) => void (out += s), true);
  painter.update(PROGRESS);
  painter.update(PROGRESS);
  assert.equal(out.split("\u001b[3F\u001b[J").length, 2, "the second report repaints the first");
  painter.clear();
  assert.ok(out.endsWith("\u001b[3F\u001b[J"));
});

Deno.test("hf run exits 3 when the run directory cannot be created", async () => {
  await using t = await tempRoot();
  const file = `${t.root}/bench.hf.yaml`;
  await Deno.writeTextFile(file, BENCH(PHASE("main")));
  await Deno.writeTextFile(`${t.root}/not-a-dir`, "");
  const io = capture();
  const code = await runFile(file, io, { params: {}, root: `${t.root}/not-a-dir`, quiet: true }, {
    createExecutor: scriptedEngine().createExecutor,
    signal: new AbortController().signal,
  });
  assert.equal(code, 3);
  assert.match(
    io.stderr,
    /hf: the run could not start: Cannot create a run directory under '.*not-a-dir\/run': /,
  );
});
