/**
 * Ctrl-C: running phases are terminated, the run directory is still written
 * and the statistics of what ran are printed (exit 130).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runBenchmark } from "../../src/controller/run_controller.ts";
import { createExecutor } from "../../src/engine/create_executor.ts";
import { benchYaml, exampleServer, load, REPO, tempDir } from "./_helpers.ts";

const LONG_PHASE = `
  - main:
      constantRate:
        usersPerSec: 50
        duration: 20s
        maxSessions: 20
        variance: false
        scenario:
          - hit:
              - httpRequest:
                  GET: /delay?ms=20
`;

Deno.test("aborting a run terminates its phases and still writes all.json", async () => {
  await using server = exampleServer();
  await using tmp = await tempDir();
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 700);
  const started = Date.now();
  const result = await runBenchmark({
    benchmark: load(benchYaml(server, LONG_PHASE, { http: "  sharedConnections: 10" })),
    root: tmp.dir,
    createExecutor,
    signal: abort.signal,
  });
  clearTimeout(timer);
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  assert.equal(result.status, "interrupted");
  const all = JSON.parse(await Deno.readTextFile(`${result.runDir}/all.json`));
  assert.equal(all.info.cancelled, true);
  const requests = all.stats[0].total.summary.requestCount;
  assert.ok(requests > 10 && requests < 100, `${requests} requests in ~0.7 s at 50/s`);
  const phase = result.phases.find((p) => p.name === "main")!;
  assert.equal(phase.status, "TERMINATED");
});

Deno.test("hf run on SIGINT prints what ran and exits 130", async () => {
  await using server = exampleServer();
  await using tmp = await tempDir();
  const file = `${tmp.dir}/bench.hf.yaml`;
  await Deno.writeTextFile(
    file,
    benchYaml(server, LONG_PHASE, { http: "  sharedConnections: 10" }),
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", fileURLToPath(new URL("../../cli.ts", import.meta.url)), "run", file],
    cwd: REPO,
    env: { NO_COLOR: "1", HF_ROOT: tmp.dir },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(20_000),
  }).spawn();
  // The first progress line says the phase runs; then Ctrl-C.
  const stderr: string[] = [];
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  while (!stderr.join("").includes("main")) {
    const { value, done } = await reader.read();
    if (done) break;
    stderr.push(value);
  }
  child.kill("SIGINT");
  const rest = (async () => {
    for (let r = await reader.read(); !r.done; r = await reader.read()) stderr.push(r.value);
  })();
  const [status, stdout] = await Promise.all([
    child.status,
    new Response(child.stdout).text(),
    rest,
  ]);
  const err = stderr.join("");
  assert.equal(status.code, 130, `stdout:\n${stdout}\nstderr:\n${err}`);
  assert.match(stdout, /^PHASE\s+METRIC/);
  assert.match(stdout, /\nmain\s+hit\s/);
  assert.match(err, /interrupted/);
});
