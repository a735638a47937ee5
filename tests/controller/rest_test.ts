/**
 * The controller's REST API end to end: a real server on loopback with the
 * real engine, benchmarks against the real example server, clients `fetch`
 * and `curl`, and `hf controller` as a subprocess.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { listenBus } from "../../src/bus/tcp_transport.ts";
import { runController } from "../../src/cli/commands/controller.ts";
import { VERSION } from "../../src/cli/version.ts";
import { parseRunDate } from "../../src/controller/rest/run_json.ts";
import { crc32, zipStore } from "../../src/controller/rest/zip.ts";
import { localProcessDeployer } from "../../src/deploy/local_process.ts";
import { createExecutor } from "../../src/engine/create_executor.ts";
import { testCerts } from "../http/_helpers.ts";
import { exampleServer, tempDir } from "../integration/_helpers.ts";
import {
  benchYaml,
  hasBinary,
  type RunJson,
  spawnController,
  testController,
  uploadYaml,
  waitForRun,
  zipData,
  zipEntries,
} from "./_rest_helpers.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

interface RequestStatsJson {
  phase: string;
  stepId: number;
  metric: string;
  summary: { requestCount: number; responseCount: number; percentileResponseTime: object };
  failedSLAs: string[];
  isWarmup: boolean;
}

const totalRequests = (rows: RequestStatsJson[]) =>
  rows.reduce((n, r) => n + r.summary.requestCount, 0);

Deno.test("benchmarks: upload as YAML and JSON, list, get as YAML or JSON, delete", async () => {
  await using ex = exampleServer();
  await using c = await testController();
  const yaml = benchYaml(ex.url, { name: "alpha" });
  const up = await uploadYaml(c.url, yaml);
  assert.equal(up.headers.get("location"), "/benchmark/alpha");
  // JSON is YAML: Hyperfoil takes `application/json` uploads through the same parser.
  const asJson = JSON.stringify(parseYaml(benchYaml(ex.url, { name: "beta" })));
  const res = await fetch(`${c.url}/benchmark`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: asJson,
  });
  assert.equal(res.status, 204, await res.text());

  assert.deepEqual(await (await fetch(`${c.url}/benchmark`)).json(), ["alpha", "beta"]);
  const got = await fetch(`${c.url}/benchmark/alpha`);
  assert.equal(got.status, 200);
  assert.match(got.headers.get("content-type")!, /^text\/vnd\.yaml/);
  assert.equal(await got.text(), yaml);
  const etag = got.headers.get("etag")!;
  assert.ok(etag.length > 0);

  const model = await fetch(`${c.url}/benchmark/alpha`, {
    headers: { accept: "application/json" },
  });
  assert.equal(model.status, 200);
  const benchmark = await model.json();
  assert.equal(benchmark.name, "alpha");
  assert.equal(benchmark.phases[0].name, "main");
  assert.equal(benchmark.phases[0].usersPerSec, 20);

  const structure = await fetch(`${c.url}/benchmark/alpha/structure?maxCollectionSize=1`);
  assert.equal(structure.status, 200);
  assert.equal((await structure.json()).phases.length, 1);

  // If-Match names the version to replace: a stale one is a conflict.
  const stale = await fetch(`${c.url}/benchmark`, {
    method: "POST",
    headers: { "content-type": "text/vnd.yaml", "if-match": "not-the-version" },
    body: yaml,
  });
  assert.equal(stale.status, 409);
  assert.match(await stale.text(), /Benchmark 'alpha' is at version/);
  await uploadYaml(c.url, yaml.replace("usersPerSec: 20", "usersPerSec: 30"), { "if-match": etag });
  assert.notEqual(
    (await fetch(`${c.url}/benchmark/alpha`, { method: "HEAD" })).headers.get("etag"),
    etag,
  );

  assert.equal((await fetch(`${c.url}/benchmark/beta`, { method: "DELETE" })).status, 204);
  assert.equal((await fetch(`${c.url}/benchmark/beta`, { method: "DELETE" })).status, 404);
  const missing = await fetch(`${c.url}/benchmark/beta`);
  assert.equal(missing.status, 404);
  assert.equal(await missing.text(), "Benchmark 'beta' is not defined\n");
  assert.deepEqual(await (await fetch(`${c.url}/benchmark`)).json(), ["alpha"]);
});

Deno.test("an invalid upload is 400 with every error at file:line:col, and nothing is stored", async () => {
  await using c = await testController();
  const bad =
    "name: broken\nhttp:\n  host: http://127.0.0.1:1\nphases:\n- main:\n    constantRate:\n      usrsPerSec: 1\n      duration: 1s\n";
  const res = await fetch(`${c.url}/benchmark`, {
    method: "POST",
    headers: { "content-type": "application/x-yaml" },
    body: bad,
  });
  assert.equal(res.status, 400);
  const text = await res.text();
  assert.match(text, /^Cannot read benchmark:\n/);
  assert.match(text, /benchmark\.hf\.yaml:7:7: .*'usrsPerSec'.*did you mean 'usersPerSec'/);
  assert.deepEqual(await (await fetch(`${c.url}/benchmark`)).json(), []);

  const missingFile = benchYaml("http://127.0.0.1:1", { pathsFile: "paths.txt" });
  const noData = await fetch(`${c.url}/benchmark`, {
    method: "POST",
    headers: { "content-type": "text/vnd.yaml" },
    body: missingFile,
  });
  assert.equal(noData.status, 400);
  assert.match(await noData.text(), /Data file 'paths\.txt' does not exist/);

  const html = await fetch(`${c.url}/benchmark`, {
    method: "POST",
    headers: { "content-type": "text/html" },
    body: "<p>",
  });
  assert.equal(html.status, 406);
  assert.match(await html.text(), /Unsupported content type 'text\/html'/);
  const uri = await fetch(`${c.url}/benchmark`, {
    method: "POST",
    headers: { "content-type": "text/uri-list" },
    body: "file:///tmp/x.yaml",
  });
  assert.equal(uri.status, 501);
  await uri.body?.cancel();
});

Deno.test("a run end to end: multipart upload with a data file, 202 + Location, 403 while running, stats, all.json, CSV zip, files", async () => {
  await using ex = exampleServer();
  await using c = await testController();
  const form = new FormData();
  form.append(
    "benchmark",
    new File([benchYaml(ex.url, { name: "multi", pathsFile: "paths.txt" })], "multi.hf.yaml"),
  );
  form.append("file", new File(["hello\njson\n"], "paths.txt"));
  const up = await fetch(`${c.url}/benchmark`, { method: "POST", body: form });
  assert.equal(up.status, 204, await up.text());

  const files = await fetch(`${c.url}/benchmark/multi/files`);
  assert.equal(files.status, 200);
  assert.match(files.headers.get("content-type")!, /^multipart\/form-data; boundary=/);
  const parts = [...(await files.formData()).entries()];
  assert.equal(parts.length, 1);
  assert.equal((parts[0][1] as File).name, "paths.txt");
  assert.equal(await (parts[0][1] as File).text(), "hello\njson\n");

  const start = await fetch(`${c.url}/benchmark/multi/start?desc=first%20run`);
  assert.equal(start.status, 202);
  const started = await start.json() as RunJson;
  assert.equal(start.headers.get("location"), `/run/${started.id}`);
  assert.match(started.id, /^[0-9A-F]{4}$/);
  assert.equal(started.benchmark, "multi");
  assert.equal(started.description, "first run");
  assert.equal(started.completed, false);

  const second = await fetch(`${c.url}/benchmark/multi/start`);
  assert.equal(second.status, 403);
  assert.equal(
    await second.text(),
    `Cannot start benchmark 'multi': run ${started.id} is in progress\n`,
  );
  // Results are not there yet: Hyperfoil answers 303 to the run.
  const early = await fetch(`${c.url}/run/${started.id}/stats/all/json`, { redirect: "manual" });
  assert.equal(early.status, 303);
  assert.equal(early.headers.get("location"), `/run/${started.id}`);
  await early.body?.cancel();

  const run = await waitForRun(c.url, started.id);
  assert.equal(run.completed, true);
  assert.equal(run.persisted, true);
  assert.equal(run.cancelled, false);
  assert.deepEqual(run.errors, []);
  assert.ok(parseRunDate(run.terminated!) >= parseRunDate(run.started!));
  assert.equal(run.phases!.length, 1);
  const phase = run.phases![0];
  assert.equal(phase.name, "main");
  assert.equal(phase.status, "TERMINATED");
  assert.equal(phase.type, "constantRate");
  assert.equal(phase.description, "20.0 users per second");
  assert.equal(phase.failed, false);
  assert.match(phase.totalDuration!, /^\d+ ms/);
  assert.deepEqual(run.agents!.map((a) => [a.name, a.status]), [["in-vm", "STOPPED"]]);

  const total = await (await fetch(`${c.url}/run/${run.id}/stats/total`)).json();
  assert.equal(total.status, "TERMINATED");
  const rows = total.statistics as RequestStatsJson[];
  assert.equal(rows.length, 1);
  assert.deepEqual(Object.keys(rows[0]), [
    "phase",
    "stepId",
    "metric",
    "summary",
    "failedSLAs",
    "isWarmup",
  ]);
  assert.equal(rows[0].phase, "main");
  assert.equal(rows[0].metric, "test");
  assert.ok(rows[0].stepId > 0);
  assert.deepEqual(rows[0].failedSLAs, []);
  assert.equal(rows[0].isWarmup, false);
  assert.ok(rows[0].summary.requestCount >= 10, JSON.stringify(rows[0].summary));
  assert.equal(rows[0].summary.responseCount, rows[0].summary.requestCount);
  assert.deepEqual(Object.keys(rows[0].summary.percentileResponseTime), [
    "50.0",
    "90.0",
    "99.0",
    "99.9",
    "99.99",
  ]);
  // Every request read a path from the uploaded file.
  const served = ex.stats().routes;
  assert.equal((served["/hello"] ?? 0) + (served["/json"] ?? 0), rows[0].summary.requestCount);

  const recent = await (await fetch(`${c.url}/run/${run.id}/stats/recent`)).json();
  assert.equal(recent.status, "TERMINATED");
  assert.ok(Array.isArray(recent.statistics));

  const allJson = await fetch(`${c.url}/run/${run.id}/stats/all/json`);
  assert.equal(allJson.headers.get("content-type"), "application/json");
  const onDisk = await Deno.readTextFile(`${c.root}/run/${run.id}/all.json`);
  assert.equal(await allJson.text(), onDisk);
  const negotiated = await fetch(`${c.url}/run/${run.id}/stats/all`, {
    headers: { accept: "application/json" },
  });
  assert.equal(await negotiated.text(), onDisk);

  const csv = await fetch(`${c.url}/run/${run.id}/stats/all/csv`);
  assert.equal(csv.headers.get("content-type"), "application/zip");
  const zip = new Uint8Array(await csv.arrayBuffer());
  const zipped = await fetch(`${c.url}/run/${run.id}/stats/all`, {
    headers: { accept: "application/zip" },
  });
  assert.deepEqual(
    zipEntries(new Uint8Array(await zipped.arrayBuffer())).map((e) => e.name),
    zipEntries(zip).map((e) => e.name),
  );
  const entries = zipEntries(zip);
  const statsFiles = [...Deno.readDirSync(`${c.root}/run/${run.id}/stats`)].map((e) => e.name)
    .sort();
  assert.deepEqual(entries.map((e) => e.name), statsFiles);
  assert.ok(statsFiles.includes("total.csv"));
  for (const e of entries) {
    const data = zipData(zip, e);
    assert.equal(e.method, 0);
    assert.equal(crc32(data), e.crc, e.name);
    assert.deepEqual(data, await Deno.readFile(`${c.root}/run/${run.id}/stats/${e.name}`));
  }
  if (await hasBinary("unzip")) {
    const path = `${c.root}/stats.zip`;
    await Deno.writeFile(path, zip);
    const out = await new Deno.Command("unzip", { args: ["-t", path], stdout: "piped" }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stdout));
    assert.match(new TextDecoder().decode(out.stdout), /No errors detected/);
  }

  const histogram = await (await fetch(
    `${c.url}/run/${run.id}/stats/histogram?phase=main&stepId=${rows[0].stepId}&metric=test`,
  )).json();
  assert.equal(histogram.length, 1);
  assert.equal(histogram[0].phase, "main");
  assert.equal(histogram[0].metric, "test");
  assert.match(histogram[0].data, /^[A-Za-z0-9+/]+=*$/);
  const series = await fetch(
    `${c.url}/run/${run.id}/stats/series?phase=main&stepId=${rows[0].stepId}&metric=test`,
  );
  assert.equal(series.status, 200);
  const perSecond = await series.json() as { requestCount: number }[];
  assert.equal(perSecond.reduce((n, s) => n + s.requestCount, 0), rows[0].summary.requestCount);
  const noMetric = await fetch(
    `${c.url}/run/${run.id}/stats/series?phase=main&stepId=${rows[0].stepId}&metric=nope`,
  );
  assert.equal(noMetric.status, 404);
  await noMetric.body?.cancel();
  const noParam = await fetch(`${c.url}/run/${run.id}/stats/histogram?phase=main`);
  assert.equal(noParam.status, 400);
  assert.equal(await noParam.text(), "Missing query parameter 'metric'\n");

  const sessions = await (await fetch(`${c.url}/run/${run.id}/sessions/total`)).json();
  assert.ok(sessions.main["in-vm"].max >= 1, JSON.stringify(sessions));
  const connections = await (await fetch(`${c.url}/run/${run.id}/connections/total`)).json();
  const authority = new URL(ex.url).host;
  assert.ok(connections[authority], JSON.stringify(connections));
  assert.equal(typeof (await (await fetch(`${c.url}/run/${run.id}/agentCpu`)).json()), "object");
  assert.equal((await fetch(`${c.url}/run/${run.id}/sessions`)).status, 404);

  const info = await fetch(`${c.url}/run/${run.id}/file?file=info.json`);
  assert.equal(info.status, 200);
  assert.equal((await info.json()).id, run.id);
  const escape = await fetch(`${c.url}/run/${run.id}/file?file=../../benchmark/multi.yaml`);
  assert.equal(escape.status, 403);
  assert.equal(await escape.text(), "Requested file is not within the run directory\n");
  assert.equal((await fetch(`${c.url}/run/${run.id}/file?file=nope.txt`)).status, 404);
  const source = await fetch(`${c.url}/run/${run.id}/benchmark`);
  assert.match(await source.text(), /^name: multi\n/);
  const report = await fetch(`${c.url}/run/${run.id}/report`);
  assert.equal(report.status, 200);
  assert.equal(report.headers.get("content-type"), "text/html; charset=utf-8");
  assert.match(await report.text(), /^<!DOCTYPE html>[^]*<h1>multi <span class="run-id">run /);

  const list = await (await fetch(`${c.url}/run`)).json() as RunJson[];
  assert.deepEqual(list.map((r) => [r.id, r.completed, r.benchmark]), [[run.id, true, null]]);
  assert.deepEqual(await (await fetch(`${c.url}/agents`)).json(), ["in-vm"]);
  assert.equal((await (await fetch(`${c.url}/run/last`)).json()).id, run.id);
  const log = await fetch(`${c.url}/log`);
  assert.ok(log.headers.get("etag"));
  assert.match(await log.text(), new RegExp(`Run ${run.id} of 'multi' ended: passed`));
});

Deno.test("a restarted controller on the same root lists the earlier runs and benchmarks and serves their statistics", async () => {
  await using ex = exampleServer();
  await using root = await tempDir("hf-rest-root-");
  let id: string;
  let requests: number;
  {
    await using c = await testController({ root: root.dir });
    await uploadYaml(c.url, benchYaml(ex.url, { name: "persist", duration: "500ms" }));
    const started = await (await fetch(`${c.url}/benchmark/persist/start`)).json() as RunJson;
    id = started.id;
    await waitForRun(c.url, id);
    const total = await (await fetch(`${c.url}/run/${id}/stats/total`)).json();
    requests = totalRequests(total.statistics);
    assert.ok(requests > 0);
  }
  await using c = await testController({ root: root.dir });
  assert.deepEqual(await (await fetch(`${c.url}/benchmark`)).json(), ["persist"]);
  const runs = await (await fetch(`${c.url}/run?details=true`)).json() as RunJson[];
  assert.deepEqual(runs.map((r) => [r.id, r.benchmark, r.completed]), [[id, "persist", true]]);
  const run = await (await fetch(`${c.url}/run/${id}`)).json() as RunJson;
  assert.equal(run.phases![0].status, "TERMINATED");
  const total = await (await fetch(`${c.url}/run/${id}/stats/total`)).json();
  assert.equal(total.status, "TERMINATED");
  assert.equal(totalRequests(total.statistics), requests);
  const series = await fetch(`${c.url}/run/${id}/stats/series?phase=main&stepId=0&metric=test`);
  assert.equal(series.status, 200);
  assert.equal(
    (await series.json() as { requestCount: number }[]).reduce((n, s) => n + s.requestCount, 0),
    requests,
  );
  const histogram = await fetch(
    `${c.url}/run/${id}/stats/histogram?phase=main&stepId=0&metric=test`,
  );
  assert.equal(histogram.status, 404);
  assert.match(await histogram.text(), /loaded from disk/);
  const zip = new Uint8Array(await (await fetch(`${c.url}/run/${id}/stats/all/csv`)).arrayBuffer());
  assert.ok(zipEntries(zip).some((e) => e.name === "total.csv"));

  // The next run continues the numbering.
  const next = await (await fetch(`${c.url}/benchmark/persist/start`)).json() as RunJson;
  assert.equal(parseInt(next.id, 16), parseInt(id, 16) + 1);
  await waitForRun(c.url, next.id);
});

Deno.test("templates: listed apart, started with templateParam, killed while running", async () => {
  await using ex = exampleServer();
  await using c = await testController();
  const template = benchYaml(ex.url, { name: "tpl", usersPerSec: "!param RATE", duration: "30s" });
  await uploadYaml(c.url, template);
  assert.deepEqual(await (await fetch(`${c.url}/template`)).json(), ["tpl"]);
  assert.deepEqual(await (await fetch(`${c.url}/benchmark`)).json(), []);

  const noParam = await fetch(`${c.url}/benchmark/tpl/start`);
  assert.equal(noParam.status, 400);
  assert.match(await noParam.text(), /Parameter 'RATE' is not defined/);

  const start = await fetch(`${c.url}/benchmark/tpl/start?templateParam=RATE=10`);
  assert.equal(start.status, 202);
  const { id } = await start.json() as RunJson;
  // Wait until the phase runs, then kill it.
  for (let i = 0;; i++) {
    const run = await (await fetch(`${c.url}/run/${id}`)).json() as RunJson;
    if (run.phases?.[0]?.status === "RUNNING") {
      assert.match(run.phases[0].description, /^10\.0 users per second$/);
      break;
    }
    assert.ok(i < 100, `phase did not start: ${JSON.stringify(run)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const live = await (await fetch(`${c.url}/run/${id}/stats/total`)).json();
  assert.equal(live.status, "RUNNING");
  const sessions = await fetch(`${c.url}/run/${id}/sessions`);
  assert.equal(sessions.status, 200);
  assert.match(sessions.headers.get("content-type")!, /^text\/plain/);
  await sessions.body?.cancel();
  assert.equal((await fetch(`${c.url}/shutdown`)).status, 403);

  const kill = await fetch(`${c.url}/run/${id}/kill`);
  assert.equal(kill.status, 200);
  await kill.body?.cancel();
  const run = await waitForRun(c.url, id);
  assert.equal(run.cancelled, true);
  assert.ok(parseRunDate(run.terminated!) - parseRunDate(run.started!) < 20_000);
  const info = JSON.parse(await Deno.readTextFile(`${c.root}/run/${id}/info.json`));
  assert.equal(info.cancelled, true);
  assert.deepEqual(info.params, { RATE: "10" });
});

Deno.test("triggerUrl: start answers 301 to the CI job with a reserved run id, which the CI then starts", async () => {
  await using ex = exampleServer();
  await using c = await testController();
  const yaml = benchYaml(ex.url, { name: "ci", duration: "300ms" }).replace(
    "phases:",
    "triggerUrl: http://ci.invalid/job/run?token=t\nphases:",
  );
  await uploadYaml(c.url, yaml);
  const res = await fetch(`${c.url}/benchmark/ci/start?desc=nightly`, { redirect: "manual" });
  assert.equal(res.status, 301);
  await res.body?.cancel();
  const id = res.headers.get("x-run-id")!;
  assert.match(id, /^[0-9A-F]{4}$/);
  assert.equal(
    res.headers.get("location"),
    `http://ci.invalid/job/run?token=t&BENCHMARK=ci&RUN_ID=${id}`,
  );
  const requested = await (await fetch(`${c.url}/run/${id}`)).json() as RunJson;
  assert.deepEqual([requested.started, requested.completed, requested.description], [
    null,
    false,
    "nightly",
  ]);

  const wrong = await fetch(`${c.url}/benchmark/ci/start?runId=FFFF`, {
    headers: { "x-trigger-job": "http://ci.invalid/1" },
  });
  assert.equal(wrong.status, 403);
  await wrong.body?.cancel();
  const start = await fetch(`${c.url}/benchmark/ci/start?runId=${id}`, {
    headers: { "x-trigger-job": "http://ci.invalid/1" },
  });
  assert.equal(start.status, 202);
  assert.equal((await start.json()).id, id);
  const run = await waitForRun(c.url, id);
  assert.equal(run.description, "nightly");
  assert.ok(
    totalRequests((await (await fetch(`${c.url}/run/${id}/stats/total`)).json()).statistics) > 0,
  );
});

Deno.test("unknown paths are 404, wrong methods 405, unsupported ones 501; no stack traces", async () => {
  await using c = await testController();
  const cases: [string, string, number, RegExp][] = [
    ["GET", "/nope", 404, /^No such resource: '\/nope'\n$/],
    ["GET", "/run/FFFF", 404, /^Run 'FFFF' is not known\n$/],
    ["GET", "/run/..%2F..%2Fetc/file?file=passwd", 404, /is not known/],
    ["GET", "/run/0000/stats/total", 404, /is not known/],
    ["GET", "/benchmark/nope/start", 404, /Benchmark 'nope' is not defined/],
    ["GET", "/benchmark/..%2Fx", 400, /Invalid benchmark name/],
    ["POST", "/run", 405, /^Method POST is not allowed on '\/run': use GET, HEAD\n$/],
    ["DELETE", "/version", 405, /not allowed/],
    ["POST", "/benchmark/x/start", 405, /use GET/],
    ["GET", "/", 501, /no web CLI/],
    ["GET", "/log/nobody", 404, /Agent 'nobody' not found/],
  ];
  for (const [method, path, status, body] of cases) {
    const res = await fetch(`${c.url}${path}`, { method });
    const text = await res.text();
    assert.equal(res.status, status, `${method} ${path}: ${text}`);
    assert.match(text, body, `${method} ${path}`);
    assert.doesNotMatch(text, /^\s+at /m);
  }
  const allow = await fetch(`${c.url}/run`, { method: "PUT" });
  assert.equal(allow.headers.get("allow"), "GET, HEAD");
  await allow.body?.cancel();

  const version = await (await fetch(`${c.url}/version`)).json();
  assert.deepEqual(Object.keys(version), ["version", "commitId", "deploymentId", "serverTime"]);
  assert.equal(version.version, "test");
  assert.ok(Math.abs(parseRunDate(version.serverTime) - Date.now()) < 60_000);

  const openapi = await fetch(`${c.url}/openapi`);
  assert.equal(openapi.headers.get("content-type"), "text/vnd.yaml");
  const spec = parseYaml(await openapi.text()) as { paths: Record<string, unknown> };
  for (
    const path of [
      "/benchmark",
      "/benchmark/{name}/start",
      "/run/{runId}/stats/all/csv",
      "/log/{agent}",
      "/token",
    ]
  ) {
    assert.ok(path in spec.paths, path);
  }
  // A log offset past the end reads nothing; If-Match of another controller is 412.
  const tail = await fetch(`${c.url}/log?offset=100000000`);
  assert.equal(await tail.text(), "");
  const other = await fetch(`${c.url}/log`, { headers: { "if-match": "elsewhere" } });
  assert.equal(other.status, 412);
  await other.body?.cancel();
  const negative = await fetch(`${c.url}/log?offset=-1`);
  assert.equal(negative.status, 400);
  await negative.body?.cancel();
});

Deno.test("a benchmark with agents does not start without a remote deployer: 409 with the reason", async () => {
  await using c = await testController();
  const yaml = benchYaml("http://127.0.0.1:1", { name: "remote" }).replace(
    "phases:",
    "agents:\n  one: localhost:22\nphases:",
  );
  await uploadYaml(c.url, yaml);
  const res = await fetch(`${c.url}/benchmark/remote/start`);
  assert.equal(res.status, 409);
  assert.match(
    await res.text(),
    /defines agents \('one'\) but this controller cannot deploy agents/,
  );
  assert.deepEqual(await (await fetch(`${c.url}/run`)).json(), []);
});

Deno.test("a benchmark with agents runs on agents the remote deployer starts; /log/{agent} serves their log", async () => {
  await using ex = exampleServer();
  const bus = listenBus({ version: VERSION });
  try {
    await using c = await testController({
      version: VERSION,
      remoteDeployer: () => localProcessDeployer({ bus, version: VERSION }),
    });
    const yaml = benchYaml(ex.url, { name: "agents", duration: "500ms" }).replace(
      "phases:",
      "agents:\n  a1: 127.0.0.1\nphases:",
    );
    await uploadYaml(c.url, yaml);
    const start = await fetch(`${c.url}/benchmark/agents/start`);
    assert.equal(start.status, 202, await start.clone().text());
    const { id } = await start.json() as RunJson;
    const run = await waitForRun(c.url, id, 30_000);
    assert.deepEqual(run.errors, []);
    assert.deepEqual(run.agents!.map((a) => [a.name, a.status]), [["a1", "STOPPED"]]);
    const total = await (await fetch(`${c.url}/run/${id}/stats/total`)).json();
    assert.ok(totalRequests(total.statistics) > 0);
    assert.equal(totalRequests(total.statistics), ex.stats().routes["/hello"]);
    assert.deepEqual(await (await fetch(`${c.url}/agents`)).json(), ["a1"]);
    const log = await fetch(`${c.url}/log/a1`);
    assert.equal(log.status, 200);
    assert.equal(log.headers.get("etag"), `${id}/a1`);
    assert.match(await log.text(), /Connected to the controller for run/);
    const part = await fetch(`${c.url}/log/a1?offset=3&maxLength=5`);
    assert.equal(
      await part.text(),
      (await Deno.readTextFile(`${c.root}/run/${id}/agent.a1.log`)).slice(3, 8),
    );
  } finally {
    await bus.close();
  }
});

Deno.test("basic auth: 401 without or with a wrong password, any user name with the right one, bearer token", async () => {
  await using c = await testController({ password: "s3cret" });
  const none = await fetch(`${c.url}/version`);
  assert.equal(none.status, 401);
  assert.match(none.headers.get("www-authenticate")!, /^Basic realm="hf"/);
  await none.body?.cancel();
  const basic = (user: string, password: string) => ({
    authorization: `Basic ${btoa(`${user}:${password}`)}`,
  });
  const wrong = await fetch(`${c.url}/version`, { headers: basic("admin", "guess") });
  assert.equal(wrong.status, 401);
  await wrong.body?.cancel();
  // Unknown paths are not revealed before authentication.
  const hidden = await fetch(`${c.url}/nope`);
  assert.equal(hidden.status, 401);
  await hidden.body?.cancel();
  for (const user of ["admin", "anyone", ""]) {
    const ok = await fetch(`${c.url}/version`, { headers: basic(user, "s3cret") });
    assert.equal(ok.status, 200, user);
    await ok.body?.cancel();
  }
  const token = await (await fetch(`${c.url}/token`, { headers: basic("u", "s3cret") })).text();
  assert.ok(token.length >= 32);
  const bearer = await fetch(`${c.url}/benchmark`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(bearer.status, 200);
  assert.deepEqual(await bearer.json(), []);
  const badBearer = await fetch(`${c.url}/benchmark`, {
    headers: { authorization: "Bearer nope" },
  });
  assert.equal(badBearer.status, 401);
  await badBearer.body?.cancel();
});

Deno.test("TLS: the controller serves HTTPS with PEM files and requires the password over it", async () => {
  const certs = await testCerts();
  await using dir = await tempDir("hf-rest-tls-");
  await Deno.writeTextFile(`${dir.dir}/cert.pem`, certs.serverCert);
  await Deno.writeTextFile(`${dir.dir}/key.pem`, certs.serverKey);
  await using c = await testController({
    password: "pw",
    tls: { certFile: `${dir.dir}/cert.pem`, keyFile: `${dir.dir}/key.pem` },
  });
  assert.match(c.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  using client = Deno.createHttpClient({ caCerts: [certs.ca] });
  const url = `https://localhost:${c.server.port}/version`;
  const denied = await fetch(url, { client });
  assert.equal(denied.status, 401);
  await denied.body?.cancel();
  const ok = await fetch(url, { client, headers: { authorization: `Basic ${btoa("u:pw")}` } });
  assert.equal(ok.status, 200);
  assert.equal((await ok.json()).version, "test");
  await assert.rejects(
    testController({ tls: { certFile: `${dir.dir}/missing.pem`, keyFile: `${dir.dir}/key.pem` } }),
    /Cannot read the TLS certificate '.*missing\.pem'/,
  );
});

Deno.test("curl drives a run: upload with --data-binary, start, poll, stats", async () => {
  if (!await hasBinary("curl")) {
    console.warn("curl is not installed: skipped");
    return;
  }
  await using ex = exampleServer();
  await using c = await testController({ password: "pw" });
  const file = `${c.root}/curl.hf.yaml`;
  await Deno.writeTextFile(file, benchYaml(ex.url, { name: "curly", duration: "500ms" }));
  const curl = async (...args: string[]) => {
    const out = await new Deno.Command("curl", {
      args: ["-sS", "-u", "me:pw", "-w", "\n%{http_code}", ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const cut = text.lastIndexOf("\n");
    return { status: Number(text.slice(cut + 1)), body: text.slice(0, cut) };
  };
  const up = await curl(
    "--data-binary",
    `@${file}`,
    "-H",
    "Content-Type: text/vnd.yaml",
    `${c.url}/benchmark`,
  );
  assert.equal(up.status, 204, up.body);
  const start = await curl("-D", "-", `${c.url}/benchmark/curly/start?desc=from%20curl`);
  assert.equal(start.status, 202, start.body);
  assert.match(start.body, /^location: \/run\/0000\r$/im);
  let run: RunJson;
  for (let i = 0;; i++) {
    const r = await curl(`${c.url}/run/0000`);
    assert.equal(r.status, 200);
    run = JSON.parse(r.body);
    if (run.completed) break;
    assert.ok(i < 200, "run did not complete");
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(run.description, "from curl");
  const stats = await curl(`${c.url}/run/0000/stats/total`);
  assert.equal(stats.status, 200);
  const total = JSON.parse(stats.body);
  assert.equal(total.status, "TERMINATED");
  assert.equal(totalRequests(total.statistics), ex.stats().routes["/hello"]);
  const denied = await new Deno.Command("curl", {
    args: ["-sS", "-o", "/dev/null", "-w", "%{http_code}", `${c.url}/run`],
    stdout: "piped",
  }).output();
  assert.equal(new TextDecoder().decode(denied.stdout), "401");
});

Deno.test("zipStore writes entries unzip and the central directory agree on", async () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xCBF43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
  const files = [
    { name: "a.csv", data: new TextEncoder().encode("x,y\n1,2\n") },
    { name: "ünïcode.csv", data: new Uint8Array(0) },
    { name: "big.bin", data: crypto.getRandomValues(new Uint8Array(65536)) },
  ];
  const zip = zipStore(files);
  const entries = zipEntries(zip);
  assert.deepEqual(entries.map((e) => e.name), files.map((f) => f.name));
  for (const [i, e] of entries.entries()) {
    assert.deepEqual(zipData(zip, e), files[i].data);
    assert.equal(e.crc, crc32(files[i].data));
  }
  assert.equal(zipEntries(zipStore([])).length, 0);
  if (await hasBinary("unzip")) {
    await using dir = await tempDir("hf-zip-");
    await Deno.writeFile(`${dir.dir}/t.zip`, zip);
    const out = await new Deno.Command("unzip", { args: ["-o", "-q", "t.zip"], cwd: dir.dir })
      .output();
    assert.equal(out.code, 0);
    assert.deepEqual(await Deno.readFile(`${dir.dir}/big.bin`), files[2].data);
    assert.equal(await Deno.readTextFile(`${dir.dir}/a.csv`), "x,y\n1,2\n");
  }
});

Deno.test("runController: 2 for --tls-cert without --tls-key, 3 naming the address when the port is taken", async () => {
  const io = {
    stdout: "",
    stderr: "",
    out: (t: string) => void (io.stdout += t),
    err: (t: string) => void (io.stderr += t),
  };
  await using root = await tempDir("hf-controller-run-");
  const half = await runController(io, {
    hostname: "127.0.0.1",
    port: 0,
    busPort: 0,
    root: root.dir,
    tlsCert: "cert.pem",
    createExecutor,
  });
  assert.equal(half, 2);
  assert.equal(io.stderr, "hf: --tls-cert and --tls-key go together\n");
  await using busy = await testController();
  io.stderr = "";
  const taken = await runController(io, {
    hostname: "127.0.0.1",
    port: busy.server.port,
    busPort: 0,
    root: root.dir,
    createExecutor,
  });
  assert.equal(taken, 3);
  assert.equal(io.stdout, "");
  assert.equal(
    io.stderr,
    `hf: cannot listen on 127.0.0.1:${busy.server.port}: address already in use\n`,
  );
});

Deno.test("hf controller prints its URL, answers /version, and stops on SIGINT and on /shutdown", async () => {
  await using root = await tempDir("hf-controller-cmd-");
  const first = await spawnController(root.dir);
  const version = await (await fetch(`${first.url}/version`)).json();
  const deno = JSON.parse(await Deno.readTextFile(`${REPO}/deno.json`));
  assert.equal(version.version, deno.version);
  first.child.kill("SIGINT");
  const stopped = await first.exit();
  assert.equal(stopped.status.code, 0, stopped.stderr);
  assert.match(stopped.stderr, /hf controller stopped\n$/);

  const second = await spawnController(root.dir);
  const res = await fetch(`${second.url}/shutdown`);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), "Shutting down\n");
  const done = await second.exit();
  assert.equal(done.status.code, 0, done.stderr);
  const log = await Deno.readTextFile(`${root.dir}/controller.log`);
  assert.equal(log.match(/Controller stopped/g)?.length, 2, log);
});
