/**
 * `hf agent` as a real subprocess against a real bus: where the token comes
 * from, and the exit status and one-line reason for each way it can end.
 */
import assert from "node:assert/strict";
import type { AgentMessage, ControllerSide } from "../../src/bus/messages.ts";
import { type BusServer, listenBus, newRunToken } from "../../src/bus/tcp_transport.ts";
import { VERSION } from "../../src/cli/version.ts";
import { ROOT } from "./_hf.ts";

interface Agent {
  process: Deno.ChildProcess;
  /** Exit code and everything written to stderr. */
  result: Promise<{ code: number; stderr: string }>;
}

/** `hf agent …` with `env` added; `stdinLine` is written as its first line of input. */
function agent(args: string[], env: Record<string, string>, stdinLine?: string): Agent {
  const process = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", "cli.ts", "agent", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdin: stdinLine === undefined ? "null" : "piped",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  if (stdinLine !== undefined) {
    const writer = process.stdin.getWriter();
    void writer.write(new TextEncoder().encode(stdinLine + "\n")).then(() => writer.close());
  }
  const timer = setTimeout(() => process.kill("SIGKILL"), 20_000);
  const result = (async () => {
    const [status, stderr] = await Promise.all([
      process.status,
      new Response(process.stderr).text(),
    ]);
    clearTimeout(timer);
    return { code: status.code, stderr };
  })();
  return { process, result };
}

function args(bus: BusServer, name: string, run: string): string[] {
  return ["--controller", `${bus.hostname}:${bus.port}`, "--name", name, "--run", run];
}

async function next(side: ControllerSide, type: AgentMessage["type"]): Promise<AgentMessage> {
  return await new Promise((resolve) => side.onMessage((m) => m.type === type && resolve(m)));
}

Deno.test("hf agent reads its token from stdin, says hello, and exits 0 on STOP", async () => {
  const bus = listenBus({ version: VERSION });
  await using _ = { [Symbol.asyncDispose]: () => bus.close() };
  const token = newRunToken();
  const connected = bus.expect("0200", "a1", token);
  const a = agent([...args(bus, "a1", "0200"), "--threads", "3"], {}, token);
  const side = await connected;
  const hello = await next(side, "hello");
  assert.ok(hello.type === "hello");
  assert.equal(hello.agent, "a1");
  assert.equal(hello.threads, 3);
  assert.equal(hello.version, VERSION);
  side.send({ type: "stop" });
  const { code, stderr } = await a.result;
  assert.equal(code, 0, stderr);
  assert.match(stderr, /^\d{4}-\d\d-\d\dT[\d:.]+Z INFO agent 'a1': Connected to the controller/m);
  assert.match(stderr, /Stopped by the controller/);
  assert.ok(!stderr.includes(token), "the token is never logged");
});

Deno.test("hf agent exits 3 with one line when it loses the controller", async () => {
  const bus = listenBus({ version: VERSION });
  try {
    const token = newRunToken();
    const connected = bus.expect("0201", "a2", token);
    const a = agent(args(bus, "a2", "0201"), { HF_TOKEN: token });
    const side = await connected;
    await next(side, "hello");
    side.close("controller gone");
    const { code, stderr } = await a.result;
    assert.equal(code, 3, stderr);
    assert.match(
      stderr,
      /^hf agent 'a2': Lost the controller: The controller at .* closed the connection$/m,
    );
  } finally {
    await bus.close();
  }
});

Deno.test("hf agent exits 3 naming the reason when refused or unable to connect", async () => {
  const bus = listenBus({ version: VERSION });
  try {
    const waiting = bus.expect("0202", "a3", newRunToken());
    const refused = await agent(args(bus, "a3", "0202"), { HF_TOKEN: newRunToken() }).result;
    assert.equal(refused.code, 3);
    assert.match(
      refused.stderr,
      /^hf agent 'a3': The controller at .* refused agent 'a3': Authentication failed for agent 'a3': wrong token$/m,
    );
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = probe.addr.port;
    probe.close();
    const unreachable = await agent(
      ["--controller", `127.0.0.1:${port}`, "--name", "a3", "--run", "0202"],
      { HF_TOKEN: "t" },
    ).result;
    assert.equal(unreachable.code, 3);
    assert.match(
      unreachable.stderr,
      new RegExp(
        `^hf agent 'a3': Cannot connect to the controller at 127\\.0\\.0\\.1:${port}: connection refused$`,
        "m",
      ),
    );
    const pending = assert.rejects(waiting, /closed/);
    await bus.close();
    await pending;
  } finally {
    await bus.close();
  }
});

Deno.test("hf agent without a token exits 2 and says where the token comes from", async () => {
  const { code, stderr } = await agent([
    "--controller",
    "127.0.0.1:9",
    "--name",
    "a4",
    "--run",
    "1",
  ], {})
    .result;
  assert.equal(code, 2);
  assert.match(stderr, /No run token: set HF_TOKEN or write it as the first line of stdin/);
});

Deno.test("hf agent stops its executors and exits 0 on SIGTERM", async () => {
  const bus = listenBus({ version: VERSION });
  try {
    const token = newRunToken();
    const connected = bus.expect("0203", "a5", token);
    const a = agent(args(bus, "a5", "0203"), { HF_TOKEN: token });
    const side = await connected;
    await next(side, "hello");
    let closed = "";
    side.onClose((r) => (closed = r));
    a.process.kill("SIGTERM");
    const { code, stderr } = await a.result;
    assert.equal(code, 0, stderr);
    assert.match(stderr, /Stopped by SIGTERM/);
    assert.match(closed, /closed the connection/);
  } finally {
    await bus.close();
  }
});
