import assert from "node:assert/strict";
import https from "node:https";
import type { HttpEndpoint } from "../../src/benchmark/model.ts";
import {
  createClient,
  type HttpEngine,
  RequestTemplate,
  selectEngine,
} from "../../src/http/mod.ts";
import { send, testCerts, testEndpoint } from "./_helpers.ts";

/** An HTTPS server (node:https, HTTP/1.1 only) that answers with the SNI name and client CN it saw. */
async function sniServer(mutual: boolean): Promise<{ port: number; close(): Promise<void> }> {
  const certs = await testCerts();
  const server = https.createServer({
    key: certs.serverKey,
    cert: certs.serverCert,
    ca: certs.ca,
    requestCert: mutual,
    rejectUnauthorized: mutual,
  }, (req, res) => {
    const socket = req.socket as unknown as {
      servername?: string;
      getPeerCertificate(): { subject?: { CN?: string } };
    };
    res.end(
      `sni=${socket.servername} client=${socket.getPeerCertificate()?.subject?.CN} host=${req.headers.host}`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function fetchText(endpoint: HttpEndpoint, engine: HttpEngine = "http1"): Promise<string> {
  const client = createClient(endpoint, { engine });
  try {
    await client.connect();
    const r = await send(client, {
      template: new RequestTemplate({
        method: "GET",
        host: `${endpoint.host}:${endpoint.port}`,
        path: "/",
      }),
    });
    assert.equal(r.error, undefined);
    return r.text;
  } finally {
    await client.close();
  }
}

Deno.test("TLS to an addresses IP keeps SNI and verification on the host name", async () => {
  const certs = await testCerts();
  const server = await sniServer(false);
  try {
    const endpoint = testEndpoint("https://localhost:9", {
      addresses: [`127.0.0.1:${server.port}`],
      trustManager: { cert: certs.ca },
    });
    assert.equal(await fetchText(endpoint), "sni=localhost client=undefined host=localhost:9");
  } finally {
    await server.close();
  }
});

Deno.test("mutual TLS to an addresses IP presents the client certificate with SNI", async () => {
  const certs = await testCerts();
  const server = await sniServer(true);
  try {
    const endpoint = testEndpoint("https://localhost:9", {
      addresses: [`127.0.0.1:${server.port}`],
      trustManager: { cert: certs.ca },
      keyManager: { cert: certs.clientCert, key: certs.clientKey },
    });
    assert.equal(await fetchText(endpoint), "sni=localhost client=hf client host=localhost:9");
  } finally {
    await server.close();
  }
});

Deno.test("mutual TLS without a client certificate is refused", async () => {
  const certs = await testCerts();
  const server = await sniServer(true);
  try {
    const endpoint = testEndpoint(`https://localhost:${server.port}`, {
      trustManager: { cert: certs.ca },
    });
    const client = createClient(endpoint);
    try {
      await client.connect().catch(() => {});
      const r = await send(client, {
        template: new RequestTemplate({ method: "GET", host: "localhost", path: "/" }),
      });
      assert.ok(r.error, "no response without a client certificate");
    } finally {
      await client.close();
    }
  } finally {
    await server.close();
  }
});

Deno.test("selectEngine picks fetch when the server negotiates h2, http1 otherwise", async () => {
  const certs = await testCerts();
  await using h2 = Deno.serve(
    { hostname: "127.0.0.1", port: 0, cert: certs.serverCert, key: certs.serverKey, onListen() {} },
    () => new Response("h2"),
  );
  const h2Endpoint = testEndpoint(`https://localhost:${h2.addr.port}`, {
    trustManager: { cert: certs.ca },
  });
  assert.equal(await selectEngine(h2Endpoint), "fetch");
  assert.equal(await selectEngine({ ...h2Endpoint, allowHttp2: false }), "http1");
  assert.equal(await selectEngine({ ...h2Endpoint, allowHttp1x: false }), "fetch");
  assert.equal(await fetchText(h2Endpoint, "fetch"), "h2");
  const h1 = await sniServer(false);
  try {
    const h1Endpoint = testEndpoint(`https://localhost:${h1.port}`, {
      trustManager: { cert: certs.ca },
    });
    assert.equal(await selectEngine(h1Endpoint), "http1");
  } finally {
    await h1.close();
  }
  assert.equal(await selectEngine(testEndpoint("http://127.0.0.1:1")), "http1");
});

Deno.test("the fetch engine dials addresses over http and sends the Host of the endpoint", async () => {
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => new Response(`host=${req.headers.get("host")}`),
  );
  const endpoint = testEndpoint("http://backend.invalid:8080", {
    addresses: [`127.0.0.1:${server.addr.port}`],
  });
  assert.equal(await fetchText(endpoint, "fetch"), "host=backend.invalid:8080");
});
