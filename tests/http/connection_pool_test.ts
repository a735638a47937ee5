import assert from "node:assert/strict";
import {
  ConnectionPool,
  type HttpErrorKind,
  type HttpRequest,
  RequestTemplate,
} from "../../src/http/mod.ts";
import {
  delay,
  fixed,
  RawServer,
  Recorder,
  respondEach,
  type ScriptedConn,
  send,
  testEndpoint,
} from "./_helpers.ts";

const OK = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";

function get(host: string, path = "/"): HttpRequest {
  return { template: new RequestTemplate({ method: "GET", host, path }) };
}

async function until(condition: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await delay(5);
  }
}

Deno.test("a fixed pool opens its connections up front and reopens one that closes", async () => {
  const conns: ScriptedConn[] = [];
  await using server = new RawServer(async (conn) => {
    conns.push(conn);
    await respondEach(() => OK)(conn);
  });
  const pool = new ConnectionPool(testEndpoint(server.url, { sharedConnections: fixed(3) }));
  try {
    await pool.connect();
    assert.equal(pool.stats().connections, 3);
    await until(() => conns.length === 3, "3 accepted connections");
    conns[0].close(); // an idle keep-alive connection closed by the server
    await until(() => server.accepted === 4 && pool.stats().connections === 3, "a replacement");
    const r = await send(pool, get("x"));
    assert.equal(r.text, "ok");
  } finally {
    await pool.close();
  }
});

Deno.test("an elastic pool grows to max on demand and closes idle connections above core", async () => {
  await using server = new RawServer(async (conn) => {
    for (;;) {
      if (await conn.readRequest() === null) return;
      await delay(30);
      await conn.write(OK);
    }
  });
  const pool = new ConnectionPool(
    testEndpoint(server.url, {
      sharedConnections: { core: 1, max: 3, buffer: 0, keepAliveTime: 100 },
    }),
  );
  try {
    await pool.connect();
    assert.equal(pool.stats().connections, 1);
    const results = await Promise.all(Array.from({ length: 6 }, () => send(pool, get("x"))));
    assert.ok(results.every((r) => r.text === "ok"));
    assert.equal(server.accepted, 3, "grew to max and no further");
    await until(() => pool.stats().connections === 1, "idle connections above core to close", 3000);
  } finally {
    await pool.close();
  }
});

Deno.test("an elastic pool keeps `buffer` idle connections ready above the busy ones", async () => {
  await using server = new RawServer(respondEach(() => OK));
  const pool = new ConnectionPool(
    testEndpoint(server.url, {
      sharedConnections: { core: 1, max: 4, buffer: 1, keepAliveTime: 0 },
    }),
  );
  try {
    await pool.connect();
    assert.equal(pool.stats().connections, 1);
    const r = new Recorder();
    assert.ok(pool.request(get("x"), r)); // the only idle connection becomes busy
    await until(() => pool.stats().connections === 2, "a buffer connection");
    assert.equal((await r.done).text, "ok");
  } finally {
    await pool.close();
  }
});

Deno.test("connections spread round-robin over addresses; Host still names the host", async () => {
  const hosts: string[] = [];
  const script = respondEach((request) => {
    hosts.push(/\r\nhost: ([^\r]+)/i.exec(request)![1]);
    return OK;
  });
  await using a = new RawServer(script);
  await using b = new RawServer(script);
  const endpoint = testEndpoint("http://backend.invalid:8080", {
    addresses: [`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`],
    sharedConnections: fixed(4),
  });
  const pool = new ConnectionPool(endpoint);
  try {
    await pool.connect();
    await until(() => a.accepted + b.accepted === 4, "4 connections");
    assert.equal(a.accepted, 2);
    assert.equal(b.accepted, 2);
    const r = await send(pool, get("backend.invalid:8080"));
    assert.equal(r.text, "ok");
    assert.deepEqual(hosts, ["backend.invalid:8080"]);
  } finally {
    await pool.close();
  }
});

Deno.test("connect() names the failing address from addresses", async () => {
  const pool = new ConnectionPool(
    testEndpoint("http://backend.invalid:8080", { addresses: ["127.0.0.1:1"] }),
  );
  try {
    await assert.rejects(pool.connect(), {
      name: "HttpError",
      kind: "connect",
      message: "Connection refused: 127.0.0.1:1",
    });
  } finally {
    await pool.close();
  }
});

Deno.test("pipelining: requests of one tick leave in one write, responses in one write", async () => {
  const reads: string[] = [];
  await using server = new RawServer(async (conn) => {
    const buf = new Uint8Array(65536);
    let text = "";
    while ((text.match(/\r\n\r\n/g) ?? []).length < 4) {
      const n = await conn.conn.read(buf);
      if (n === null) return;
      const chunk = new TextDecoder().decode(buf.subarray(0, n));
      reads.push(chunk);
      text += chunk;
    }
    const paths = [...text.matchAll(/^GET (\S+)/gm)].map((m) => m[1]);
    await conn.write(
      paths.map((p) => `HTTP/1.1 200 OK\r\ncontent-length: ${p.length}\r\n\r\n${p}`).join(""),
    );
    await conn.readRequest();
  });
  const pool = new ConnectionPool(
    testEndpoint(server.url, { sharedConnections: fixed(1), pipeliningLimit: 4 }),
  );
  try {
    await pool.connect();
    const template = new RequestTemplate({ method: "GET", host: "x" });
    const recorders = [1, 2, 3, 4].map(() => new Recorder());
    recorders.forEach((recorder, i) =>
      assert.ok(pool.request({ template, path: `/r${i}` }, recorder))
    );
    assert.equal(pool.acquire(), undefined, "pipeline full");
    const results = await Promise.all(recorders.map((r) => r.done));
    assert.deepEqual(results.map((r) => r.text), ["/r0", "/r1", "/r2", "/r3"]);
    assert.equal(reads.length, 1, "one write carried all four requests");
    assert.ok(results.every((r) => r.sentNs === results[0].sentNs), "one write, one timestamp");
  } finally {
    await pool.close();
  }
});

Deno.test("static requests pipelined in one tick are all sent (zero-copy, then copied)", async () => {
  await using server = new RawServer(respondEach(() => OK));
  const pool = new ConnectionPool(
    testEndpoint(server.url, { sharedConnections: fixed(1), pipeliningLimit: 3 }),
  );
  try {
    await pool.connect();
    const req = get("x");
    const recorders = [new Recorder(), new Recorder(), new Recorder()];
    for (const r of recorders) assert.ok(pool.request(req, r));
    const results = await Promise.all(recorders.map((r) => r.done));
    assert.ok(results.every((r) => r.text === "ok"));
  } finally {
    await pool.close();
  }
});

Deno.test("a timeout with pipelined requests fails the late one with 'timeout' and the rest with 'reset'", async () => {
  await using server = new RawServer(async (conn) => {
    await conn.readRequest();
    await conn.readRequest(); // holds both, answers nothing
    await conn.readRequest();
  });
  const pool = new ConnectionPool(
    testEndpoint(server.url, {
      sharedConnections: fixed(1),
      pipeliningLimit: 2,
      requestTimeout: 100,
    }),
  );
  try {
    await pool.connect();
    const slow = new Recorder();
    const other = new Recorder();
    pool.request(get("x"), slow);
    pool.request({ ...get("x"), timeout: 5000 }, other);
    const [a, b] = await Promise.all([slow.done, other.done]);
    assert.equal(a.error?.kind, "timeout");
    assert.equal(b.error?.kind, "reset");
    assert.match(b.error!.message, /after a request timeout/);
    await until(() => pool.stats().connections === 1 && server.accepted === 2, "a replacement");
  } finally {
    await pool.close();
  }
});

Deno.test("large request and response bodies cross many reads and writes", async () => {
  await using server = new RawServer(respondEach((request) => {
    const length = request.length - request.indexOf("\r\n\r\n") - 4;
    const body = length > 1 ? "b".repeat(1_000_000) : "s";
    return `HTTP/1.1 200 OK\r\nx-received: ${length}\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
  }));
  const pool = new ConnectionPool(testEndpoint(server.url));
  try {
    await pool.connect();
    const template = new RequestTemplate({ method: "POST", host: "x", path: "/" });
    const r = await send(pool, { template, body: "a".repeat(2_000_000) });
    assert.equal(r.headers.find(([n]) => n === "x-received")?.[1], "2000000");
    assert.equal(r.body.length, 1_000_000);
    // many small responses after it: the grown read buffer shrinks back
    for (let i = 0; i < 80; i++) {
      const small = await send(pool, { template, body: "x" });
      assert.equal(small.headers.find(([n]) => n === "x-received")?.[1], "1");
    }
  } finally {
    await pool.close();
  }
});

Deno.test("a failed reconnect is reported and retried until the server is back", async () => {
  const errors: [HttpErrorKind, string][] = [];
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  const first = await (async () => {
    const pool = new ConnectionPool(testEndpoint(`http://127.0.0.1:${port}`), {
      onConnectionError: (kind, message) => errors.push([kind, message]),
    });
    const connecting = pool.connect();
    const accepted = await listener.accept();
    await connecting;
    return { pool, accepted };
  })();
  const { pool } = first;
  try {
    listener.close();
    first.accepted.close(); // server gone: the replacement cannot connect
    await until(() => errors.length >= 2, "reconnect errors");
    assert.equal(errors[0][0], "connect");
    assert.equal(errors[0][1], `Connection refused: 127.0.0.1:${port}`);
    assert.equal(pool.stats().connections, 0);
    using back = Deno.listen({ hostname: "127.0.0.1", port });
    const conn = await back.accept();
    await until(() => pool.stats().connections === 1, "the reconnect");
    conn.close();
  } finally {
    await pool.close();
  }
});

Deno.test("closing the pool fails in-flight requests with 'reset' and leaks nothing", async () => {
  await using server = new RawServer(async (conn) => {
    await conn.readRequest();
    await conn.readRequest();
  });
  const pool = new ConnectionPool(testEndpoint(server.url, { sharedConnections: fixed(2) }));
  await pool.connect();
  const a = new Recorder();
  const b = new Recorder();
  pool.request(get("x"), a);
  pool.request(get("x"), b);
  let woken = false;
  pool.wait({ connectionAvailable: () => woken = true });
  await pool.close();
  const results = await Promise.all([a.done, b.done]);
  assert.ok(results.every((r) => r.error?.kind === "reset" && r.ends === 1));
  assert.equal(woken, false);
  assert.equal(pool.acquire(), undefined);
  await pool.close(); // idempotent
});

Deno.test("closing the pool half-closes idle connections; one the server keeps open is cut off", async () => {
  let ended = 0;
  await using server = new RawServer(async (conn, index) => {
    const request = await conn.readRequest(); // null: the client half-closed
    if (request === null) ended++;
    if (index === 1) await delay(800); // this one does not close its side
  });
  const pool = new ConnectionPool(testEndpoint(server.url, { sharedConnections: fixed(2) }));
  await pool.connect();
  await until(() => server.accepted === 2, "2 accepted connections");
  const start = performance.now();
  await pool.close();
  const ms = performance.now() - start;
  assert.equal(ended, 2, "both saw the end of the stream");
  assert.ok(ms >= 150 && ms < 700, `close took ${ms.toFixed(0)} ms: the stubborn one was cut off`);
  assert.equal(pool.stats().connections, 0);
});

Deno.test("request timing: sentNs before doneNs, both on the nowNs clock", async () => {
  await using server = new RawServer(async (conn) => {
    await conn.readRequest();
    await delay(20);
    await conn.write(OK);
    await conn.readRequest();
  });
  const pool = new ConnectionPool(testEndpoint(server.url));
  try {
    await pool.connect();
    const before = performance.now() * 1e6;
    const r = await send(pool, get("x"));
    const after = performance.now() * 1e6;
    assert.ok(before <= r.sentNs && r.sentNs < r.doneNs && r.doneNs <= after);
    assert.ok(r.doneNs - r.sentNs >= 15e6, `${(r.doneNs - r.sentNs) / 1e6} ms`);
    assert.equal(r.rawBytes, OK.length);
  } finally {
    await pool.close();
  }
});
