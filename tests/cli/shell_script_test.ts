/**
 * `hf cli -c '…'` against a real controller and the example server: the
 * quickstart transcript, exports, one-line errors and exit codes, and a
 * shell that survives a controller restart.
 */
import assert from "node:assert/strict";
import { runShell } from "../../src/cli/shell/shell.ts";
import { plainInput } from "../../src/cli/shell/terminal.ts";
import { prettyPrintNanos } from "../../src/stats/stats_table.ts";
import { testController } from "../controller/_rest_helpers.ts";
import { exampleServer } from "../integration/_helpers.ts";
import { hf, stackLines, tempFiles } from "./_hf.ts";
import { allJsonTotals, quickstartYaml, statsRows } from "./_shell.ts";

Deno.test("hf cli -c runs the quickstart transcript and stats agree with all.json", async () => {
  await using server = exampleServer();
  await using controller = await testController();
  await using files = await tempFiles({
    "quickstart.hf.yaml": await quickstartYaml(`http://127.0.0.1:${server.port}`),
  });
  const authority = new URL(controller.url).host;
  const r = await hf(
    "cli",
    "-c",
    `connect ${authority}; upload ${files.path("quickstart.hf.yaml")}; run quickstart; status; ` +
      `stats; export -d ${files.dir}; export -f csv -d ${files.dir}; runs`,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(stackLines(r.stdout + r.stderr).length, 0);
  assert.match(r.stdout, new RegExp(`Connected to ${authority.replaceAll(".", "\\.")}`));
  assert.match(r.stdout, /Uploaded benchmark quickstart/);
  assert.match(r.stdout, /Started run 0000/);
  assert.match(r.stdout, /NAME\s+STATUS\s+STARTED\s+REMAINING\s+COMPLETED\s+TOTAL DURATION/);
  assert.match(r.stdout, /main\s+TERMINATED/);
  assert.match(r.stdout, /Total stats from run 0000/);
  assert.match(r.stdout, /^0000\s+quickstart\s+\d{4}\//m);

  // The exported all.json is the controller's, and the table shows its totals.
  const exported = JSON.parse(await Deno.readTextFile(files.path("0000.json")));
  const served = await (await fetch(`${controller.url}/run/0000/stats/all/json`)).json();
  assert.deepEqual(exported, served);
  const totals = allJsonTotals(exported);
  const rows = statsRows(r.stdout);
  assert.deepEqual([...rows.keys()].sort(), ["main/home", "main/json"]);
  for (const [key, row] of rows) {
    const s = totals.get(key) as {
      requestCount: number;
      meanResponseTime: number;
      maxResponseTime: number;
      extensions: { http: { status_2xx: number } };
    };
    assert.ok(s.requestCount > 0, key);
    assert.equal(Number(row.REQUESTS), s.requestCount, key);
    assert.equal(row.MEAN, prettyPrintNanos(s.meanResponseTime).trim(), key);
    assert.equal(row.MAX, prettyPrintNanos(s.maxResponseTime).trim(), key);
    assert.equal(Number(row["2xx"]), s.extensions.http.status_2xx, key);
  }
  const zip = await Deno.readFile(files.path("0000.zip"));
  assert.deepEqual([...zip.subarray(0, 4)], [0x50, 0x4b, 0x03, 0x04]); // "PK\3\4"
});

Deno.test("hf cli -c stops at the first failure with one line and a non-zero exit", async () => {
  await using controller = await testController();
  const authority = new URL(controller.url).host;
  const unknownRun = await hf("cli", "-c", `connect ${authority}; status 00FF; version`);
  assert.equal(unknownRun.code, 3);
  assert.deepEqual(unknownRun.stderr.trim().split("\n"), ["Run '00FF' is not known"]);
  assert.doesNotMatch(unknownRun.stdout, /hf shell/, "the command after the failure ran");

  const notConnected = await hf("cli", "-c", "stats");
  assert.equal(notConnected.code, 3);
  assert.match(notConnected.stderr, /^Not connected: use 'connect/);

  const unknownCommand = await hf("cli", "-c", `connect ${authority}; stast`);
  assert.equal(unknownCommand.code, 2);
  assert.match(unknownCommand.stderr, /^Unknown command 'stast' \(did you mean .*'stats'/);

  await controller.server.shutdown();
  const unreachable = await hf("cli", "-c", `connect ${authority}`);
  assert.equal(unreachable.code, 3);
  assert.equal(unreachable.stderr.trim().split("\n").length, 1, unreachable.stderr);
  assert.match(unreachable.stderr, /^The controller at .* is unreachable \(connection refused\)/);
  for (const r of [unknownRun, notConnected, unknownCommand, unreachable]) {
    assert.equal(stackLines(r.stderr).length, 0, r.stderr);
  }
});

Deno.test("report says in one line when the controller cannot make it, or writes the file", async () => {
  await using server = exampleServer();
  await using controller = await testController();
  await using files = await tempFiles({
    "quickstart.hf.yaml": await quickstartYaml(`http://127.0.0.1:${server.port}`, "500ms"),
  });
  const r = await hf(
    "cli",
    "-c",
    `connect ${new URL(controller.url).host}; upload ${files.path("quickstart.hf.yaml")}; ` +
      `run; report -d ${files.dir}`,
  );
  const served = await fetch(`${controller.url}/run/0000/report`);
  await served.body?.cancel();
  if (served.status === 501) {
    assert.equal(r.code, 3);
    assert.deepEqual(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, /^The controller cannot make HTML reports: /);
  } else {
    assert.equal(r.code, 0, r.stderr);
    assert.match(await Deno.readTextFile(files.path("0000.html")), /<html/i);
  }
});

/** Lines fed to the shell one at a time, each when the test releases it. */
function lineFeeder() {
  const enc = new TextEncoder();
  const waiting: ((b: Uint8Array | null) => void)[] = [];
  const ready: (Uint8Array | null)[] = [];
  return {
    source: {
      next: () =>
        new Promise<Uint8Array | null>((resolve) => {
          const b = ready.shift();
          if (b !== undefined) resolve(b);
          else waiting.push(resolve);
        }),
    },
    send(line: string | null) {
      const b = line === null ? null : enc.encode(`${line}\n`);
      const w = waiting.shift();
      if (w) w(b);
      else ready.push(b);
    },
  };
}

Deno.test("the shell reconnects to a restarted controller on the next command and says so", async () => {
  await using dir = await tempFiles({});
  let controller = await testController({ root: dir.dir });
  const port = controller.server.port;
  let out = "", err = "";
  const io = { out: (t: string) => void (out += t), err: (t: string) => void (err += t) };
  const feed = lineFeeder();
  const until = async (f: () => boolean, what: string) => {
    const deadline = Date.now() + 10_000;
    while (!f()) {
      assert.ok(Date.now() < deadline, `timed out waiting for ${what}; out:\n${out}\nerr:\n${err}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const shell = runShell({ io, input: plainInput(feed.source, io.out), historyPath: null });
  try {
    feed.send(`connect 127.0.0.1:${port}`);
    await until(() => out.includes("Connected to"), "connect");
    await controller.server.shutdown();
    feed.send("runs");
    await until(() => err.includes("unreachable"), "the unreachable error");
    controller = await testController({ root: dir.dir, port });
    feed.send("runs");
    await until(() => out.includes("No runs yet"), "runs after the restart");
    assert.match(out, /Reconnected to 127\.0\.0\.1:\d+ \(the controller restarted\)\nNo runs yet/);
    assert.equal(err.trim().split("\n").length, 1, err);
    feed.send(null);
    assert.equal(await shell, 0);
  } finally {
    feed.send(null);
    await shell.catch(() => {});
    await controller.server.shutdown();
  }
});

Deno.test("connect asks for the password when the controller answers 401, without echo", async () => {
  await using controller = await testController({ password: "s3cret" });
  const authority = new URL(controller.url).host;
  let out = "", err = "";
  const io = { out: (t: string) => void (out += t), err: (t: string) => void (err += t) };
  const feed = lineFeeder();
  feed.send("s3cret");
  const code = await runShell({
    io,
    script: `connect ${authority}; runs`,
    input: plainInput(feed.source, io.out),
    historyPath: null,
  });
  assert.equal(code, 0, err);
  assert.match(out, new RegExp(`Password for ${authority.replaceAll(".", "\\.")}: `));
  assert.match(out, /Connected to .*\nNo runs yet/);

  const wrong = lineFeeder();
  wrong.send("nope");
  err = "";
  const refused = await runShell({
    io,
    script: `connect ${authority}`,
    input: plainInput(wrong.source, io.out),
    historyPath: null,
  });
  assert.equal(refused, 3);
  assert.equal(err, `The controller at ${authority} refused the password\n`);
});

Deno.test("hf cli -c start-local runs a benchmark in the shell's own controller, under HF_ROOT", async () => {
  await using server = exampleServer();
  await using files = await tempFiles({
    "quickstart.hf.yaml": await quickstartYaml(`http://127.0.0.1:${server.port}`),
  });
  const root = `${files.dir}/root`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../../cli.ts", import.meta.url).pathname,
      "cli",
      "-c",
      `start-local; upload ${files.path("quickstart.hf.yaml")}; run quickstart; stats; exit`,
    ],
    env: { ...Deno.env.toObject(), HF_ROOT: root, NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stdout + stderr);
  assert.match(
    stdout,
    new RegExp(`Started a local controller at http://127\\.0\\.0\\.1:\\d+ \\(root ${root}\\)`),
  );
  assert.match(stdout, /Total stats from run 0000/);
  const rows = statsRows(stdout);
  const totals = allJsonTotals(JSON.parse(await Deno.readTextFile(`${root}/run/0000/all.json`)));
  for (const [key, row] of rows) {
    assert.equal(Number(row.REQUESTS), (totals.get(key) as { requestCount: number }).requestCount);
  }
  assert.equal(rows.size, 2);
});
