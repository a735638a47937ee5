/**
 * `hf wrk` and `hf wrk2` against the in-process example server: wrk's report,
 * counts that agree with the server's, wrk2's rate, exit codes, and the
 * benchmark and number formats behind them.
 */
import assert from "node:assert/strict";
import { main } from "../../src/cli/main.ts";
import type { Output } from "../../src/cli/output.ts";
import { buildWrkBenchmark, wrk2MaxSessions } from "../../src/cli/wrk/benchmark.ts";
import { parseWrkOptions, type RawWrkOptions, type WrkOptions } from "../../src/cli/wrk/options.ts";
import { formatWrkHeader, sampleStats, threadRates } from "../../src/cli/wrk/report.ts";
import {
  formatBinary,
  formatMetric,
  formatTimeS,
  formatTimeUs,
  padUnits,
} from "../../src/cli/wrk/units.ts";
import { startExampleServer } from "../../src/example_server/mod.ts";

function capture(): Output & { stdout: string; stderr: string } {
  const io = {
    stdout: "",
    stderr: "",
    out(text: string) {
      io.stdout += text;
    },
    err(text: string) {
      io.stderr += text;
    },
  };
  return io;
}

const DEFAULTS: RawWrkOptions = {
  connections: "10",
  duration: "10s",
  threads: "2",
  header: [],
  timeout: "60s",
  warmupDuration: "6s",
};

function options(kind: "wrk" | "wrk2", url: string, raw: Partial<RawWrkOptions> = {}): WrkOptions {
  const parsed = parseWrkOptions(kind, url, { ...DEFAULTS, ...raw });
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

/** The number in the report line matching `re` (first group). */
function figure(stdout: string, re: RegExp): string {
  const m = re.exec(stdout);
  assert.ok(m, `no match for ${re} in:\n${stdout}`);
  return m[1];
}

// ---- against the example server ----

Deno.test("hf wrk prints wrk's report and counts every request the server saw", async () => {
  await using server = startExampleServer({ port: 0 });
  const io = capture();
  const code = await main(
    [
      "wrk",
      "-t",
      "2",
      "-c",
      "4",
      "-d",
      "1s",
      "--warmup-duration",
      "0s",
      "--latency",
      `${server.url}/hello`,
    ],
    io,
  );
  assert.equal(code, 0, io.stderr);
  const out = io.stdout;
  assert.match(
    out,
    new RegExp(`^Running 1s test @ ${server.url}/hello\n  2 threads and 4 connections\n`),
  );
  assert.match(out, /\n {2}Thread Stats {3}Avg {6}Stdev {5}Max {3}\+\/- Stdev\n/);
  assert.match(
    out,
    /\n {4}Latency +\d+\.\d\d(us|ms|s) +\d+\.\d\d(us|ms|s) +\d+\.\d\d(us|ms|s) +\d+\.\d\d%\n/,
  );
  assert.match(out, /\n {4}Req\/Sec +\d+\.\d\dk? +\d+\.\d\dk? +\d+\.\d\dk? +\d+\.\d\d%\n/);
  assert.match(
    out,
    /\n {2}Latency Distribution\n {5}50% +\S+\n {5}75% +\S+\n {5}90% +\S+\n {5}99% +\S+\n/,
  );
  const requests = Number(
    figure(out, /\n {2}(\d+) requests in \d+\.\d\ds, \d+\.\d\d[KMG]?B read\n/),
  );
  assert.ok(requests > 100, `only ${requests} requests`);
  assert.equal(requests, server.stats().requests);
  const rps = Number(figure(out, /\nRequests\/sec: +(\d+\.\d\d)\n/));
  assert.ok(
    Math.abs(rps - requests) / requests < 0.1,
    `${rps} req/s for ${requests} requests in ~1 s`,
  );
  assert.match(out, /\nTransfer\/sec: +\d+\.\d\d[KMG]?B\n$/);
  assert.doesNotMatch(out, /Socket errors|Non-2xx/);
});

Deno.test("hf wrk2 -R 200 -d 2s sends about 400 requests and counts non-2xx responses", async () => {
  await using server = startExampleServer({ port: 0 });
  const io = capture();
  const code = await main(
    [
      "wrk2",
      "-R",
      "200",
      "-d",
      "2s",
      "-c",
      "4",
      "--warmup-duration",
      "0s",
      `${server.url}/status/404`,
    ],
    io,
  );
  assert.equal(code, 0, io.stderr);
  const requests = Number(figure(io.stdout, /\n {2}(\d+) requests in /));
  assert.ok(Math.abs(requests - 400) <= 20, `${requests} requests instead of 400 ± 5%`);
  assert.equal(requests, server.stats().requests);
  assert.equal(Number(figure(io.stdout, /\n {2}Non-2xx or 3xx responses: (\d+)\n/)), requests);
  // Per thread: 100 req/s each.
  const perThread = figure(io.stdout, /\n {4}Req\/Sec +(\d+\.\d\d) /);
  assert.ok(Math.abs(Number(perThread) - 100) <= 5, `Req/Sec ${perThread}`);
});

Deno.test("hf wrk exits 3 naming the address when the target is unreachable", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const io = capture();
  const code = await main([
    "wrk",
    "-d",
    "1s",
    "--warmup-duration",
    "0s",
    `http://127.0.0.1:${port}/`,
  ], io);
  assert.equal(code, 3);
  assert.match(io.stderr, new RegExp(`127\\.0\\.0\\.1:${port}`));
  assert.equal(io.stdout, "");
});

Deno.test("hf wrk refuses bad options with exit code 2 before running anything", async () => {
  for (
    const [args, message] of [
      [["wrk", "-c", "1", "-t", "2", "http://localhost/"], /connections \(1\).*threads \(2\)/],
      [["wrk", "-d", "soon", "http://localhost/"], /'-d'.*'soon'/],
      [["wrk", "-H", "no colon", "http://localhost/"], /'-H'.*'no colon'/],
      [["wrk", "ftp://localhost/"], /scheme 'ftp'/],
      [["wrk2", "-R", "0", "http://localhost/"], /'-R'/],
      [["wrk", "-s", "x.lua", "http://localhost/"], /Lua scripts/],
    ] as const
  ) {
    const io = capture();
    assert.equal(await main([...args], io), 2, args.join(" "));
    assert.match(io.stderr, message);
  }
  const io = capture();
  assert.equal(await main(["wrk2", "http://localhost/"], io), 2);
  assert.match(io.stderr, /-R, --rate/);
});

// ---- the benchmark ----

Deno.test("the wrk benchmark has a warm-up calibration phase, then the test, one request per session", () => {
  const o = options("wrk", "localhost:8080/a?b=1#frag", {
    connections: "20",
    threads: "4",
    header: ["X-Token: ${secret}", "Accept: text/plain"],
  });
  const { loaded } = buildWrkBenchmark(o);
  const b = loaded.benchmark!;
  assert.ok(b, loaded.diagnostics.map((d) => d.message).join("\n"));
  assert.equal(b.threads, 4);
  assert.equal(b.failurePolicy, "CONTINUE");
  assert.equal(b.http[0].authority, "localhost:8080");
  assert.equal(b.http[0].sharedConnections.max, 20);
  assert.equal(b.http[0].useHttpCache, false);
  assert.equal(b.ergonomics.compensateInternalLatency, false);
  const [calibration, test] = b.phases;
  assert.deepEqual(
    [
      calibration.name,
      calibration.model,
      calibration.users,
      calibration.isWarmup,
      calibration.duration,
    ],
    ["calibration", "always", 20, true, 6000],
  );
  assert.equal(calibration.maxDuration, 66000);
  assert.deepEqual([test.name, test.model, test.users, test.isWarmup], [
    "test",
    "always",
    20,
    false,
  ]);
  assert.deepEqual([test.duration, test.maxDuration, test.startAfterStrict], [10000, 10000, [
    "calibration",
  ]]);
  const scenario = b.scenarios[test.scenario!];
  assert.deepEqual([scenario.maxRequests, scenario.maxSequences], [1, 1]);
  const step = scenario.sequences[0].steps[0] as unknown as {
    method: string;
    path: { pattern: { segments: unknown[] } };
    headers: { name: string; value: { pattern: { segments: unknown[] } } }[];
    timeout: number;
  };
  assert.equal(step.method, "GET");
  assert.deepEqual(step.path.pattern.segments, ["/a?b=1"]);
  // A header value is sent as written, never read as a session variable.
  assert.deepEqual(step.headers.map((h) => [h.name, h.value.pattern.segments]), [
    ["X-Token", ["${secret}"]],
    ["Accept", ["text/plain"]],
  ]);
  assert.equal(step.timeout, 60000);
});

Deno.test("the wrk2 benchmark runs at a constant rate with compensated latency", () => {
  const o = options("wrk2", "http://127.0.0.1:9000/", { rate: "2k", warmupDuration: "0" });
  const b = buildWrkBenchmark(o).loaded.benchmark!;
  assert.equal(b.ergonomics.compensateInternalLatency, true);
  assert.equal(b.phases.length, 1, "no calibration phase with --warmup-duration 0");
  const [test] = b.phases;
  assert.deepEqual(
    [test.name, test.model, test.usersPerSec, test.variance, test.maxSessions],
    ["test", "constantRate", 2000, false, wrk2MaxSessions(10, 2000)],
  );
  assert.deepEqual(test.startAfterStrict, []);
});

// ---- formats ----

Deno.test("numbers are formatted as wrk's units.c does", () => {
  assert.equal(formatTimeUs(353.2), "353.20us");
  assert.equal(formatTimeUs(920), "0.92ms");
  assert.equal(formatTimeUs(18570), "18.57ms");
  assert.equal(formatTimeUs(2_100_000), "2.10s");
  assert.equal(formatTimeUs(90_000_000), "1.50m");
  assert.equal(formatTimeS(10), "10s");
  assert.equal(formatTimeS(120), "2m");
  assert.equal(formatMetric(36500), "36.50k");
  assert.equal(formatMetric(512), "512.00");
  assert.equal(formatBinary(18.32 * 1024 * 1024), "18.32M");
  assert.equal(padUnits("353.20us", 8), "353.20us");
  assert.equal(padUnits("36.50k", 8), " 36.50k ");
  assert.equal(padUnits("512.00", 8), "512.00  ");
  assert.equal(padUnits("94.00us", 10), "   94.00us");
});

Deno.test("Req/Sec pools every thread's periods and leaves out a cut-short last one", () => {
  const period = (thread: number, sequenceId: number, ms: number, requestCount: number) => ({
    thread,
    sequenceId,
    start: sequenceId * 1000,
    end: sequenceId * 1000 + ms,
    requestCount,
    responseCount: requestCount,
  });
  const rates = threadRates([
    period(0, 0, 1000, 100),
    period(0, 1, 1000, 120),
    period(0, 2, 3, 1),
    period(1, 0, 1000, 80),
  ], 1000);
  assert.deepEqual(rates, [100, 120, 80]);
  const s = sampleStats(rates);
  assert.equal(s.mean, 100);
  assert.equal(s.max, 120);
  assert.equal(s.stdev, 20); // sample standard deviation, as wrk
  assert.ok(Math.abs(s.withinStdev - 100) < 1e-9);
});

Deno.test("the header names the duration as wrk does", () => {
  const o = options("wrk", "http://h:1/", { duration: "2m", threads: "1", connections: "50" });
  assert.equal(
    formatWrkHeader(o),
    "Running 2m test @ http://h:1/\n  1 threads and 50 connections\n",
  );
  assert.match(
    formatWrkHeader(options("wrk", "http://h:1/", { duration: "1500ms" })),
    /^Running 1500ms test/,
  );
});
