/**
 * The TCP bus on loopback: real sockets, the real handshake, real messages.
 * A "raw" agent speaks the documented handshake by hand, so the tests can
 * send what a well-behaved agent never would.
 */
import assert from "node:assert/strict";
import { encodeFrame, frameDecoder } from "../../src/bus/frames.ts";
import type {
  AgentMessage,
  AgentSide,
  ControllerMessage,
  ControllerSide,
} from "../../src/bus/messages.ts";
import {
  type BusServer,
  type BusServerOptions,
  dialBus,
  listenBus,
  newRunToken,
} from "../../src/bus/tcp_transport.ts";
import { encodeSnapshot, type StatsSnapshot } from "../../src/stats/snapshot.ts";
import { StatsData } from "../../src/stats/stats_data.ts";
import { bench, SCENARIO } from "../controller/_bench.ts";

const VERSION = "0.1.0";

type Log = { level: string; message: string }[];

/** A bus server whose log the test can read; closed when disposed. */
function server(
  options: Partial<BusServerOptions> = {},
): BusServer & { log: Log } & AsyncDisposable {
  const log: Log = [];
  const bus = listenBus({
    version: VERSION,
    onLog: (level, message) => void log.push({ level, message }),
    ...options,
  });
  return Object.assign(bus, { log, [Symbol.asyncDispose]: () => bus.close() });
}

/** Messages one end received, and the reasons its onClose was called with. */
function recorder<In>(
  side: { onMessage(h: (m: In) => void): void; onClose(h: (r: string) => void): void },
) {
  const messages: In[] = [];
  const closes: string[] = [];
  side.onMessage((m) => void messages.push(m));
  side.onClose((r) => void closes.push(r));
  return { messages, closes };
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Controller and agent ends of one authenticated connection. */
async function pair(
  bus: BusServer,
  agent = "a1",
  runId = "0001",
): Promise<{ controller: ControllerSide; agent: AgentSide }> {
  const token = newRunToken();
  const expected = bus.expect(runId, agent, token);
  const agentSide = await dialBus({
    hostname: bus.hostname,
    port: bus.port,
    runId,
    agent,
    token,
    version: VERSION,
  });
  return { controller: await expected, agent: agentSide };
}

async function hmacHex(token: string, nonce: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    enc.encode(token),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(nonce)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A hand-driven client: raw bytes out, decoded frames in. */
async function rawClient(bus: BusServer) {
  const conn = await Deno.connect({ hostname: bus.hostname, port: bus.port });
  const dec = frameDecoder();
  const inbox: unknown[] = [];
  const buf = new Uint8Array(65536);
  const client = {
    conn,
    write: async (bytes: Uint8Array) => {
      for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
    },
    /** The next frame, or null at the end of the stream. */
    async next(): Promise<Record<string, unknown> | null> {
      while (inbox.length === 0) {
        const n = await conn.read(buf).catch(() => null);
        if (n === null) return null;
        inbox.push(...dec.push(buf.subarray(0, n)));
      }
      return inbox.shift() as Record<string, unknown>;
    },
    /** Reads the challenge and answers it; returns the auth frame's bytes unsent when `send` is false. */
    async authenticate(
      a: { runId: string; agent: string; token: string; version?: string },
    ): Promise<Record<string, unknown> | null> {
      const challenge = await client.next();
      assert.equal(challenge?.type, "challenge");
      assert.equal(challenge?.version, VERSION);
      await client.write(encodeFrame({
        type: "auth",
        runId: a.runId,
        agent: a.agent,
        version: a.version ?? VERSION,
        hmac: await hmacHex(a.token, challenge!.nonce as string),
      }));
      return await client.next();
    },
    close: () => {
      try {
        conn.close();
      } catch {
        // closed by the server already
      }
    },
  };
  return client;
}

function bigSnapshots(count: number): StatsSnapshot[] {
  const out: StatsSnapshot[] = [];
  for (let i = 0; i < count; i++) {
    const d = new StatsData();
    for (let r = 1; r <= 300; r++) {
      d.recordRequest();
      d.recordResponse(r * 7919 * (i + 1), r % 7 === 0 ? 500 : 200);
    }
    d.widen(1000 + i, 2000 + i);
    out.push(encodeSnapshot(d, { phase: 0, stepId: i, metric: `m${i}`, sequenceId: i }));
  }
  return out;
}

Deno.test("tcp bus: messages round-trip in order, including the benchmark and MiBs of statistics", async () => {
  await using bus = server();
  const { controller, agent } = await pair(bus);
  const c = recorder<AgentMessage>(controller);
  const a = recorder<ControllerMessage>(agent);
  const benchmark = bench(`phases:
  - main:
      atOnce:
        users: 1
${SCENARIO}
`);
  const init: ControllerMessage = {
    type: "initialize",
    runId: "0001",
    benchmark,
    agentIndex: 0,
    agentThreads: [2],
  };
  controller.send(init);
  const snapshots = bigSnapshots(8000);
  const stats: AgentMessage = { type: "requestStats", agent: "a1", snapshots };
  assert.ok(JSON.stringify(stats).length > 2 * 1024 * 1024, "the payload spans many reads");
  agent.send({ type: "hello", agent: "a1", version: VERSION, threads: 2, pid: 1, hostname: "h" });
  agent.send(stats);
  for (let i = 0; i < 500; i++) {
    agent.send({ type: "log", agent: "a1", level: "info", message: `${i}` });
  }
  await until(() => c.messages.length === 502 && a.messages.length === 1, "all messages");
  assert.deepEqual(a.messages[0], init);
  assert.equal(c.messages[0].type, "hello");
  assert.deepEqual(c.messages[1], stats);
  assert.deepEqual(
    c.messages.slice(2).map((m) => m.type === "log" && m.message),
    Array.from({ length: 500 }, (_, i) => `${i}`),
  );
  agent.close("done");
  await until(() => c.closes.length === 1 && a.closes.length === 1, "both closes");
});

Deno.test("tcp bus: frames split byte by byte, and frames pipelined behind the answer, arrive", async () => {
  await using bus = server();
  const token = newRunToken();
  const expected = bus.expect("r", "slow", token);
  const raw = await rawClient(bus);
  const challenge = await raw.next();
  const auth = encodeFrame({
    type: "auth",
    runId: "r",
    agent: "slow",
    version: VERSION,
    hmac: await hmacHex(token, challenge!.nonce as string),
  });
  const hello = encodeFrame({
    type: "hello",
    agent: "slow",
    version: VERSION,
    threads: 1,
    pid: 2,
    hostname: "h",
  });
  // The answer and the first message in one write: the hello waits for the verdict.
  const both = new Uint8Array(auth.length + hello.length);
  both.set(auth);
  both.set(hello, auth.length);
  await raw.write(both);
  const controller = await expected;
  const c = recorder<AgentMessage>(controller);
  assert.deepEqual(await raw.next(), { type: "welcome" });
  const log = encodeFrame({ type: "log", agent: "slow", level: "warn", message: "źdźbło" });
  for (let i = 0; i < log.length; i++) await raw.write(log.subarray(i, i + 1));
  await until(() => c.messages.length === 2, "hello and log");
  assert.equal(c.messages[0].type, "hello");
  assert.deepEqual(c.messages[1], { type: "log", agent: "slow", level: "warn", message: "źdźbło" });
  raw.close();
  await until(() => c.closes.length === 1, "close");
  assert.match(c.closes[0], /closed the connection|reset/);
});

Deno.test("tcp bus: a wrong token is refused with the reason, and the right one still gets in", async () => {
  await using bus = server();
  const token = newRunToken();
  const expected = bus.expect("0001", "a1", token);
  await assert.rejects(
    dialBus({
      hostname: bus.hostname,
      port: bus.port,
      runId: "0001",
      agent: "a1",
      token: newRunToken(),
      version: VERSION,
    }),
    /refused agent 'a1': Authentication failed for agent 'a1': wrong token/,
  );
  assert.ok(bus.log.some((l) => l.level === "warn" && /wrong token/.test(l.message)));
  const agent = await dialBus({
    hostname: bus.hostname,
    port: bus.port,
    runId: "0001",
    agent: "a1",
    token,
    version: VERSION,
  });
  const controller = await expected;
  const c = recorder<AgentMessage>(controller);
  agent.send({ type: "ready", agent: "a1" });
  await until(() => c.messages.length === 1, "ready");
  controller.close("bye");
  await until(() => c.closes.length === 1, "close");
});

Deno.test("tcp bus: an agent nobody expects is refused, naming it and the run", async () => {
  await using bus = server();
  const raw = await rawClient(bus);
  const verdict = await raw.authenticate({ runId: "0007", agent: "ghost", token: "t" });
  assert.deepEqual(verdict, {
    type: "refused",
    reason: "No agent 'ghost' is expected for run '0007'",
  });
  assert.equal(await raw.next(), null, "the server closes after refusing");
  raw.close();
});

Deno.test("tcp bus: an agent of another version is refused, naming both versions", async () => {
  await using bus = server();
  const token = newRunToken();
  const ac = new AbortController();
  const expected = bus.expect("0001", "a1", token, ac.signal);
  await assert.rejects(
    dialBus({
      hostname: bus.hostname,
      port: bus.port,
      runId: "0001",
      agent: "a1",
      token,
      version: "0.2.0",
    }),
    (e: unknown) => {
      assert.match(
        (e as Error).message,
        /refused agent 'a1': Agent version 0\.2\.0 does not match controller version 0\.1\.0/,
      );
      return true;
    },
  );
  ac.abort();
  await assert.rejects(expected, /Stopped waiting for agent 'a1' of run '0001'/);
});

Deno.test("tcp bus: oversized and garbage frames close that connection only", async () => {
  await using bus = server({ maxFrameBytes: 1024 * 1024 });
  const cases: [string, Uint8Array][] = [
    ["oversized", new Uint8Array([0x7f, 0xff, 0xff, 0xff])],
    ["not json", frameOf("{{{")],
    ["an array", encodeFrame([1, 2])],
    ["no type", encodeFrame({ agent: "x" })],
    ["a number", encodeFrame(7)],
  ];
  const good = await pair(bus, "good");
  const g = recorder<AgentMessage>(good.controller);
  for (const [i, [name, bytes]] of cases.entries()) {
    const token = newRunToken();
    const expected = bus.expect("0001", name, token);
    const raw = await rawClient(bus);
    assert.deepEqual(await raw.authenticate({ runId: "0001", agent: name, token }), {
      type: "welcome",
    });
    const side = recorder<AgentMessage>(await expected);
    await raw.write(bytes);
    await until(() => side.closes.length === 1, `close after ${name}`);
    assert.match(side.closes[0], /Protocol error|Garbage frame/, name);
    assert.equal(await raw.next(), null, `${name}: the server ends the stream`);
    assert.equal(side.messages.length, 0);
    raw.close();
    // The good agent is unaffected.
    good.agent.send({ type: "log", agent: "good", level: "info", message: name });
    await until(() => g.messages.length === i + 1, "the good agent's log");
  }
  assert.equal(g.closes.length, 0);
  assert.ok(bus.log.filter((l) => l.level === "warn").length >= cases.length);
  // Garbage before authentication is refused too, and the server still serves.
  const raw = await rawClient(bus);
  await raw.next();
  await raw.write(frameOf("nope"));
  assert.equal(await raw.next(), null);
  raw.close();
  const again = await pair(bus, "late");
  again.agent.close();
  good.agent.close();
  await until(() => g.closes.length === 1, "good close");
});

function frameOf(text: string): Uint8Array {
  const body = new TextEncoder().encode(text);
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, 4);
  return out;
}

Deno.test("tcp bus: a connection that says nothing is dropped after the handshake timeout", async () => {
  await using bus = server({ handshakeTimeoutMs: 200 });
  const raw = await rawClient(bus);
  const started = Date.now();
  assert.equal((await raw.next())?.type, "challenge");
  assert.deepEqual(await raw.next(), {
    type: "refused",
    reason: "No authentication within 200 ms",
  });
  assert.equal(await raw.next(), null);
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 150 && elapsed < 3000, `dropped after ${elapsed} ms`);
  raw.close();
});

Deno.test("tcp bus: closing either end calls onClose once on both, and send after close is a no-op", async () => {
  await using bus = server();
  for (const closer of ["controller", "agent"] as const) {
    const { controller, agent } = await pair(bus, `by-${closer}`);
    const c = recorder<AgentMessage>(controller);
    const a = recorder<ControllerMessage>(agent);
    // The last message before close still arrives.
    if (closer === "controller") {
      controller.send({ type: "stop" });
      controller.close("run over");
    } else {
      agent.send({ type: "ready", agent: "x" });
      agent.close("stopped");
    }
    await until(() => c.closes.length === 1 && a.closes.length === 1, "both closes");
    controller.send({ type: "heartbeat" });
    agent.send({ type: "heartbeat" });
    controller.close();
    agent.close();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(c.closes.length, 1);
    assert.equal(a.closes.length, 1);
    if (closer === "controller") {
      assert.deepEqual(a.messages, [{ type: "stop" }]);
      assert.equal(c.closes[0], "run over");
      assert.match(a.closes[0], /The controller at .* closed the connection/);
    } else {
      assert.deepEqual(c.messages, [{ type: "ready", agent: "x" }]);
      assert.equal(a.closes[0], "stopped");
      assert.match(c.closes[0], /The agent at .* closed the connection/);
    }
  }
});

Deno.test("tcp bus: a peer that does not read is warned about, then dropped", async () => {
  await using bus = server({ maxFrameBytes: 64 * 1024 });
  const token = newRunToken();
  const expected = bus.expect("0001", "deaf", token);
  const raw = await rawClient(bus);
  await raw.authenticate({ runId: "0001", agent: "deaf", token });
  const controller = await expected;
  const c = recorder<AgentMessage>(controller);
  const filler = "z".repeat(60 * 1024);
  // 40 MiB while the peer reads nothing: far more than the kernel buffers.
  for (let i = 0; i < 700 && c.closes.length === 0; i++) {
    controller.send({ type: "stop", filler } as unknown as ControllerMessage);
  }
  await until(() => c.closes.length === 1, "drop");
  assert.match(c.closes[0], /does not read: \d+\.\d MiB queued/);
  assert.ok(bus.log.some((l) => l.level === "warn" && /reads slowly/.test(l.message)));
  raw.close();
});

Deno.test("tcp bus: dialing fails clearly: connection refused, no answer, aborted", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  const base = { hostname: "127.0.0.1", runId: "r", agent: "a", token: "t", version: VERSION };
  await assert.rejects(
    dialBus({ ...base, port }),
    new RegExp(`Cannot connect to the controller at 127\\.0\\.0\\.1:${port}: connection refused`),
  );
  // A listener that accepts and never speaks.
  const mute = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of mute) accepted.push(conn);
  })();
  await assert.rejects(
    dialBus({ ...base, port: mute.addr.port, timeoutMs: 200 }),
    new RegExp(`No answer from the controller at 127\\.0\\.0\\.1:${mute.addr.port} within 200 ms`),
  );
  const ac = new AbortController();
  const dialing = dialBus({ ...base, port: mute.addr.port, signal: ac.signal });
  setTimeout(() => ac.abort(), 50);
  await assert.rejects(dialing, /was aborted/);
  mute.close();
  await accepting;
  for (const c of accepted) c.close();
});

Deno.test("tcp bus: close() rejects waiting expectations and closes live connections; empty tokens are refused", async () => {
  const bus = server();
  const { controller, agent } = await pair(bus);
  const c = recorder<AgentMessage>(controller);
  const a = recorder<ControllerMessage>(agent);
  const waiting = assert.rejects(
    bus.expect("0001", "never", newRunToken()),
    /The bus server closed/,
  );
  await assert.rejects(bus.expect("0001", "never", newRunToken()), /already expected/);
  await bus.close();
  await waiting;
  await until(() => c.closes.length === 1 && a.closes.length === 1, "closes");
  assert.equal(c.closes[0], "The bus server closed");
  await assert.rejects(bus.expect("0001", "x", "t"), /closed/);
  await using open = server();
  await assert.rejects(open.expect("0001", "x", ""), /The run token must not be empty/);
  await assert.rejects(
    dialBus({
      hostname: open.hostname,
      port: open.port,
      runId: "r",
      agent: "a",
      token: "",
      version: VERSION,
    }),
    /The run token must not be empty/,
  );
  assert.throws(
    () => listenBus({ version: VERSION, port: -1 }),
    /Cannot listen for agents on 127\.0\.0\.1:-1/,
  );
});

Deno.test("tcp bus: a large message in the same read as the welcome is judged by the full limit", async () => {
  // A hand-written controller: challenge, then welcome and a 200 KiB message in one write.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const token = newRunToken();
  const big: ControllerMessage = {
    type: "phaseControl",
    command: "RUN",
    phase: "main",
    globalData: { blob: "g".repeat(200 * 1024) },
  };
  const controller = (async () => {
    const conn = await listener.accept();
    const dec = frameDecoder();
    const buf = new Uint8Array(65536);
    const write = async (bytes: Uint8Array) => {
      for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
    };
    await write(encodeFrame({ type: "challenge", protocol: 1, version: VERSION, nonce: "abc" }));
    let auth: Record<string, unknown> | undefined;
    while (auth === undefined) {
      const n = await conn.read(buf);
      assert.ok(n !== null, "the agent answers");
      auth = dec.push(buf.subarray(0, n))[0] as Record<string, unknown> | undefined;
    }
    assert.equal(auth.hmac, await hmacHex(token, "abc"));
    await write(new Uint8Array([...encodeFrame({ type: "welcome" }), ...encodeFrame(big)]));
    return conn;
  })();
  const agent = await dialBus({
    hostname: "127.0.0.1",
    port: listener.addr.port,
    runId: "r",
    agent: "a",
    token,
    version: VERSION,
  });
  const a = recorder<ControllerMessage>(agent);
  const conn = await controller;
  await until(() => a.messages.length === 1, "the large message");
  assert.deepEqual(a.messages[0], big);
  conn.close();
  await until(() => a.closes.length === 1, "close");
  listener.close();
});
