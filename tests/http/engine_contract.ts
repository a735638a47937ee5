/**
 * The contract both HTTP engines pass: the same requests against the same
 * servers must give the same statuses, headers, bodies and error kinds.
 * `own_engine_test.ts` and `fetch_engine_test.ts` run it.
 */
import assert from "node:assert/strict";
import https from "node:https";
import { gzipSync } from "node:zlib";
import type { HttpEndpoint } from "../../src/benchmark/model.ts";
import {
  createClient,
  type HttpClient,
  type HttpClientOptions,
  HttpError,
  type HttpRequest,
  RequestTemplate,
} from "../../src/http/mod.ts";
import {
  fixed,
  RawServer,
  Recorder,
  respondEach,
  type ScriptedConn,
  send,
  testCerts,
  testEndpoint,
} from "./_helpers.ts";

export type EngineName = "http1" | "fetch";

async function withClient(
  engine: EngineName,
  endpoint: HttpEndpoint,
  fn: (client: HttpClient) => Promise<void>,
  options: HttpClientOptions = {},
): Promise<void> {
  const client = createClient(endpoint, { engine, ...options });
  try {
    await client.connect();
    await fn(client);
  } finally {
    await client.close();
  }
}

function get(
  endpoint: HttpEndpoint,
  path: string,
  extra: Partial<ConstructorParameters<typeof RequestTemplate>[0]> = {},
): HttpRequest {
  return {
    template: new RequestTemplate({
      method: "GET",
      host: `${endpoint.host}:${endpoint.port}`,
      path,
      ...extra,
    }),
  };
}

const OK = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";

export function engineContract(engine: EngineName): void {
  const test = (name: string, fn: () => Promise<void>) => Deno.test(`${engine}: ${name}`, fn);

  test("GET gives status, headers and body", async () => {
    await using server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      (req) =>
        new Response(`hello ${new URL(req.url).pathname}`, {
          status: 201,
          headers: { "x-test": "Yes" },
        }),
    );
    const endpoint = testEndpoint(`http://127.0.0.1:${server.addr.port}`);
    await withClient(engine, endpoint, async (client) => {
      const r = await send(client, get(endpoint, "/a/b?c=d"));
      assert.equal(r.error, undefined);
      assert.equal(r.status, 201);
      assert.equal(r.text, "hello /a/b");
      assert.ok(r.headers.some(([n, v]) => n === "x-test" && v === "Yes"));
      assert.ok(r.sentNs > 0 && r.doneNs >= r.sentNs);
      assert.ok(r.rawBytes > r.body.length);
      assert.equal(r.ends, 1);
    });
  });

  test("POST sends the body with its content-length; path and headers per request", async () => {
    let seen = "";
    await using server = new RawServer(respondEach((request) => {
      seen = request;
      const body = request.slice(request.indexOf("\r\n\r\n") + 4);
      return `HTTP/1.1 200 OK\r\ncontent-length: ${
        new TextEncoder().encode(body).length
      }\r\n\r\n${body}`;
    }));
    const endpoint = testEndpoint(server.url);
    await withClient(engine, endpoint, async (client) => {
      const template = new RequestTemplate({
        method: "POST",
        host: "example.test",
        headers: [["content-type", "text/plain"]],
        dynamicHeaders: ["x-user"],
      });
      const r = await send(client, {
        template,
        path: "/users/42",
        headerValues: ["alice"],
        extraHeaders: ["x-extra", "1"],
        body: "héllo",
      });
      assert.equal(r.status, 200);
      assert.equal(r.text, "héllo");
      assert.match(seen, /^POST \/users\/42 HTTP\/1\.1\r\n/);
      assert.match(seen, /\r\ncontent-length: 6\r\n/i);
      assert.match(seen, /\r\nx-user: alice\r\n/i);
      assert.match(seen, /\r\nx-extra: 1\r\n/i);
      assert.match(seen, /\r\ncontent-type: text\/plain\r\n/i);
    });
  });

  test("chunked body with extensions and trailers split at odd boundaries", async () => {
    const response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
      "5;name=value\r\nhello\r\n1\r\n \r\n0000005\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n";
    await using server = new RawServer(async (conn) => {
      while (await conn.readRequest() !== null) await conn.writeSplit(response, 3, 1);
    });
    const endpoint = testEndpoint(server.url);
    await withClient(engine, endpoint, async (client) => {
      for (let i = 0; i < 2; i++) {
        const r = await send(client, get(endpoint, "/"));
        assert.equal(r.error, undefined);
        assert.equal(r.text, "hello world");
      }
    });
  });

  test("headers split across packets and a content-length body byte by byte", async () => {
    const response = "HTTP/1.1 200 OK\r\nServer: raw\r\nX-Long: " + "v".repeat(300) +
      "\r\nContent-Length: 10\r\n\r\n0123456789";
    await using server = new RawServer(async (conn) => {
      await conn.readRequest();
      const head = response.length - 10;
      await conn.writeSplit(response.slice(0, head), 7, 1);
      await conn.writeSplit(response.slice(head), 1, 1);
    });
    const endpoint = testEndpoint(server.url);
    await withClient(engine, endpoint, async (client) => {
      const r = await send(client, get(endpoint, "/"));
      assert.equal(r.status, 200);
      assert.equal(r.text, "0123456789");
      assert.equal(r.headers.find(([n]) => n === "x-long")?.[1], "v".repeat(300));
    });
  });

  test("100 Continue before the final response is skipped", async () => {
    await using server = new RawServer(
      respondEach(() =>
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nfinal"
      ),
    );
    const endpoint = testEndpoint(server.url);
    await withClient(engine, endpoint, async (client) => {
      const r = await send(client, get(endpoint, "/"));
      assert.equal(r.status, 200);
      assert.equal(r.text, "final");
    });
  });

  test("HEAD, 204 and 304 have no body even with a content-length", async () => {
    const serving = new Set<ScriptedConn>();
    const respond = (request: string) => {
      if (request.startsWith("HEAD")) return "HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n";
      if (request.includes("/204")) return "HTTP/1.1 204 No Content\r\n\r\n";
      if (request.includes("/304")) {
        return "HTTP/1.1 304 Not Modified\r\ncontent-length: 10\r\n\r\n";
      }
      return OK;
    };
    await using server = new RawServer(async (conn) => {
      for (let request; (request = await conn.readRequest()) !== null;) {
        serving.add(conn);
        await conn.write(respond(request));
      }
    });
    const endpoint = testEndpoint(server.url);
    await withClient(engine, endpoint, async (client) => {
      const host = `127.0.0.1:${server.port}`;
      const head = await send(client, {
        template: new RequestTemplate({ method: "HEAD", host, path: "/" }),
      });
      assert.equal(head.status, 200);
      assert.equal(head.body.length, 0);
      for (const code of [204, 304]) {
        const r = await send(client, get(endpoint, `/${code}`));
        assert.equal(r.status, code);
        assert.equal(r.body.length, 0);
      }
      const after = await send(client, get(endpoint, "/"));
      assert.equal(after.text, "ok");
    });
    assert.equal(serving.size, 1, "all on one keep-alive connection");
  });

  test("Connection: close ends the connection; the next request gets a new one", async () => {
    await using server = new RawServer(async (conn) => {
      await conn.readRequest();
      await conn.write("HTTP/1.1 200 OK\r\nConnection: close\r\ncontent-length: 3\r\n\r\nbye");
    });
    const endpoint = testEndpoint(server.url);
    await withClient(engine, endpoint, async (client) => {
      assert.equal((await send(client, get(endpoint, "/"))).text, "bye");
      assert.equal((await send(client, get(endpoint, "/"))).text, "bye");
    });
    assert.ok(server.accepted >= 2);
  });

  test("an HTTP/1.0 body without length runs until the server closes", async () => {
    await using server = new RawServer(async (conn) => {
      await conn.readRequest();
      await conn.write("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil ");
      await conn.write("close");
    });
    const endpoint = testEndpoint(server.url);
    await withClient(engine, endpoint, async (client) => {
      const r = await send(client, get(endpoint, "/"));
      assert.equal(r.status, 200);
      assert.equal(r.text, "until close");
    });
  });

  test("a server closing mid-response fails the request with 'reset'; the next succeeds", async () => {
    let requests = 0;
    await using server = new RawServer(async (conn) => {
      if (await conn.readRequest() === null) return;
      if (requests++ === 0) {
        await conn.write("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial");
      } else await conn.write(OK);
    });
    const endpoint = testEndpoint(server.url);
    await withClient(engine, endpoint, async (client) => {
      const r = await send(client, get(endpoint, "/"));
      assert.equal(r.error?.kind, "reset");
      assert.match(r.error!.message, new RegExp(`127\\.0\\.0\\.1:${server.port}`));
      assert.equal(r.ends, 1);
      const next = await send(client, get(endpoint, "/"));
      assert.equal(next.text, "ok");
    });
  });

  test("a request past its timeout fails with 'timeout'", async () => {
    await using server = new RawServer(async (conn) => {
      await conn.readRequest();
      await conn.readRequest(); // never answers; returns when the client closes
    });
    const endpoint = testEndpoint(server.url, { requestTimeout: 150 });
    await withClient(engine, endpoint, async (client) => {
      const start = performance.now();
      const r = await send(client, get(endpoint, "/"));
      const elapsed = performance.now() - start;
      assert.equal(r.error?.kind, "timeout");
      assert.match(r.error!.message, /150 ms/);
      assert.ok(elapsed >= 140 && elapsed < 1000, `timed out after ${elapsed} ms`);
      const override = await send(client, { ...get(endpoint, "/"), timeout: 60 });
      assert.equal(override.error?.kind, "timeout");
      assert.match(override.error!.message, /60 ms/);
    });
  });

  test("gzip bodies are decoded when the request asks for gzip", async () => {
    const text = "compressible ".repeat(200);
    await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
      const gzip = /gzip/.test(req.headers.get("accept-encoding") ?? "");
      return gzip
        ? new Response(new Uint8Array(gzipSync(new TextEncoder().encode(text))), {
          headers: { "content-encoding": "gzip" },
        })
        : new Response(text, { headers: { "content-encoding": "identity" } });
    });
    const endpoint = testEndpoint(`http://127.0.0.1:${server.addr.port}`);
    await withClient(engine, endpoint, async (client) => {
      const zipped = await send(client, get(endpoint, "/", { compression: "gzip" }));
      assert.equal(zipped.text, text);
      const plain = await send(client, get(endpoint, "/"));
      assert.equal(plain.text, text);
    });
  });

  test("keep-alive: sequential requests share one connection", async () => {
    const ports = new Set<number>();
    await using server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      (_req, info) => {
        ports.add((info.remoteAddr as Deno.NetAddr).port);
        return new Response("x");
      },
    );
    const endpoint = testEndpoint(`http://127.0.0.1:${server.addr.port}`, {
      sharedConnections: fixed(1),
    });
    await withClient(engine, endpoint, async (client) => {
      for (let i = 0; i < 20; i++) assert.equal((await send(client, get(endpoint, "/"))).text, "x");
    });
    assert.equal(ports.size, 1);
  });

  test("waiters are woken first in, first out", async () => {
    await using server = new RawServer(respondEach(() => OK));
    const endpoint = testEndpoint(server.url, { sharedConnections: fixed(1) });
    await withClient(engine, endpoint, async (client) => {
      const order: number[] = [];
      const req = get(endpoint, "/");
      const first = new Recorder(() => order.push(0));
      assert.ok(client.request(req, first));
      assert.equal(client.acquire(), undefined, "the only connection is busy");
      const done: Promise<unknown>[] = [first.done];
      for (let i = 1; i <= 3; i++) {
        const recorder = new Recorder(() => order.push(i));
        client.wait({ connectionAvailable: () => assert.ok(client.request(req, recorder)) });
        done.push(recorder.done);
      }
      assert.equal(client.stats().waiters, 3);
      await Promise.all(done);
      assert.deepEqual(order, [0, 1, 2, 3]);
    });
  });

  test("a throwing handler is reported, its request fails with 'reset', others go on", async () => {
    await using server = new RawServer(respondEach(() => OK));
    const endpoint = testEndpoint(server.url, { sharedConnections: fixed(1) });
    const thrown: unknown[] = [];
    await withClient(engine, endpoint, async (client) => {
      const bad = new Recorder();
      bad.status = () => {
        throw new Error("boom");
      };
      assert.ok(client.request(get(endpoint, "/"), bad));
      const r = await bad.done;
      assert.equal(r.error?.kind, "reset");
      assert.equal(thrown.length, 1);
      assert.equal((thrown[0] as Error).message, "boom");
      assert.equal((await send(client, get(endpoint, "/"))).text, "ok");
    }, { onHandlerError: (error) => thrown.push(error) });
  });

  test("connection refused names the address", async () => {
    const endpoint = testEndpoint("http://127.0.0.1:1");
    const client = createClient(endpoint, { engine });
    try {
      await assert.rejects(client.connect(), (error: unknown) => {
        assert.ok(error instanceof HttpError);
        assert.equal(error.kind, "connect");
        assert.equal(error.message, "Connection refused: 127.0.0.1:1");
        return true;
      });
    } finally {
      await client.close();
    }
  });

  test("https with the CA from trustManager; an unknown CA fails with 'tls'", async () => {
    const certs = await testCerts();
    await using server = Deno.serve(
      {
        hostname: "127.0.0.1",
        port: 0,
        cert: certs.serverCert,
        key: certs.serverKey,
        onListen() {},
      },
      () => new Response("secure"),
    );
    const url = `https://localhost:${server.addr.port}`;
    const endpoint = testEndpoint(url, { trustManager: { cert: certs.ca } });
    await withClient(engine, endpoint, async (client) => {
      assert.equal((await send(client, get(endpoint, "/"))).text, "secure");
    });
    const untrusted = createClient(testEndpoint(url, { trustManager: { cert: certs.otherCa } }), {
      engine,
    });
    try {
      await assert.rejects(untrusted.connect(), (error: unknown) => {
        assert.ok(error instanceof HttpError);
        assert.equal(error.kind, "tls");
        assert.match(error.message, new RegExp(`localhost:${server.addr.port}`));
        return true;
      });
    } finally {
      await untrusted.close();
    }
  });

  test("mutual TLS presents the client certificate from keyManager", async () => {
    const certs = await testCerts();
    const server = https.createServer({
      key: certs.serverKey,
      cert: certs.serverCert,
      ca: certs.ca,
      requestCert: true,
      rejectUnauthorized: true,
    }, (req, res) => {
      const socket = req.socket as unknown as {
        getPeerCertificate(): { subject?: { CN?: string } };
      };
      res.end(`client=${socket.getPeerCertificate().subject?.CN}`);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const endpoint = testEndpoint(`https://localhost:${port}`, {
        trustManager: { cert: certs.ca },
        keyManager: { cert: certs.clientCert, key: certs.clientKey },
        allowHttp2: false,
      });
      await withClient(engine, endpoint, async (client) => {
        assert.equal((await send(client, get(endpoint, "/"))).text, "client=hf client");
      });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
}
