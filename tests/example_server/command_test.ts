import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runExampleServer } from "../../src/cli/commands/example_server.ts";
import { startExampleServer } from "../../src/example_server/mod.ts";
import { fetchText } from "./_helpers.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const LISTENING = /^hf example-server listening on (http:\/\/127\.0\.0\.1:(\d+))$/;

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) } };
}

Deno.test("hf example-server --port 0 prints its URL, serves, and stops when stdin closes", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      "cli.ts",
      "example-server",
      "--port",
      "0",
      "--stop-on-stdin-close",
    ],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let stdout = "";
  while (!stdout.includes("\n")) {
    const { value, done } = await lines.read();
    if (done) break;
    stdout += value;
  }
  const match = LISTENING.exec(stdout.trim());
  assert.ok(match, `unexpected first output: ${JSON.stringify(stdout)}`);
  const url = match[1];
  assert.notEqual(Number(match[2]), 0);
  const res = await fetchText(`${url}/hello`);
  assert.equal(res.body, "hello world\n");

  await child.stdin.close();
  const status = await child.status;
  for (let r = await lines.read(); !r.done; r = await lines.read()) stdout += r.value;
  assert.equal(status.code, 0, await stderr);
  assert.equal(stdout, `hf example-server listening on ${url}\n`);
  assert.equal(await stderr, "hf example-server stopped after 1 request\n");
});

Deno.test("runExampleServer prints the URL and returns 0 when stopped", async () => {
  const { out, err, io } = capture();
  const stop = new AbortController();
  const running = runExampleServer(io, { port: 0, hostname: "127.0.0.1", signal: stop.signal });
  while (out.length === 0) await new Promise((r) => setTimeout(r, 5));
  const url = LISTENING.exec(out[0].trim())?.[1];
  assert.ok(url, out[0]);
  assert.equal((await fetchText(`${url}/json`)).status, 200);
  stop.abort();
  assert.equal(await running, 0);
  assert.deepEqual(err, ["hf example-server stopped after 1 request\n"]);
});

Deno.test("runExampleServer returns 3 and names the address when the port is taken", async () => {
  await using busy = startExampleServer({ port: 0 });
  const { out, err, io } = capture();
  const code = await runExampleServer(io, { port: busy.port, hostname: "127.0.0.1" });
  assert.equal(code, 3);
  assert.deepEqual(out, []);
  assert.deepEqual(err, [`hf: cannot listen on 127.0.0.1:${busy.port}: address already in use\n`]);
});
