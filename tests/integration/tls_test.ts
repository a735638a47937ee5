/**
 * TLS and mutual TLS end to end: certificates made by `openssl` in the test
 * (a CA, a server certificate for localhost, a client certificate), named in
 * the benchmark by `trustManager.certFile` and `keyManager.certFile`/`keyFile`.
 */
import assert from "node:assert/strict";
import https from "node:https";
import { assertPassed, load, run, statuses, tempDir } from "./_helpers.ts";

interface Certs extends AsyncDisposable {
  dir: string;
  read(name: string): Promise<string>;
}

async function openssl(dir: string, ...args: string[]): Promise<void> {
  const out = await new Deno.Command("openssl", {
    args,
    cwd: dir,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** ca.crt, server.crt/key (localhost, 127.0.0.1), client.crt/key: all signed by the CA. */
async function makeCerts(): Promise<Certs> {
  const tmp = await tempDir("hf-it-certs-");
  const dir = tmp.dir;
  const words = (s: string) => s.split(" ");
  const ec = words("-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes");
  await openssl(
    dir,
    "req",
    "-x509",
    ...ec,
    ...words("-keyout ca.key -out ca.crt -days 2"),
    "-subj",
    "/CN=hf integration CA",
  );
  await Deno.writeTextFile(
    `${dir}/server.ext`,
    "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
  );
  await Deno.writeTextFile(
    `${dir}/client.ext`,
    "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n",
  );
  for (const who of ["server", "client"]) {
    await openssl(
      dir,
      "req",
      ...ec,
      ...words(`-keyout ${who}.key -out ${who}.csr`),
      "-subj",
      `/CN=hf ${who}`,
    );
    await openssl(
      dir,
      ...words(`x509 -req -in ${who}.csr -CA ca.crt -CAkey ca.key -CAcreateserial`),
      ...words(`-out ${who}.crt -days 2 -extfile ${who}.ext`),
    );
  }
  return {
    dir,
    read: (name) => Deno.readTextFile(`${dir}/${name}`),
    [Symbol.asyncDispose]: tmp[Symbol.asyncDispose],
  };
}

/** A benchmark against `https://localhost:PORT`; data files resolve in the certificates' dir. */
function tlsBench(port: number, certs: Certs, tls: string, users = 4) {
  return load(
    `name: tls
http:
  host: https://localhost:${port}
  sharedConnections: 4
${tls}
phases:
  - main:
      atOnce:
        users: ${users}
        scenario:
          - secure:
              - httpRequest:
                  GET: /
                  handler:
                    body:
                      store: body
              - breakSequence:
                  stringCondition:
                    fromVar: body
                    equalTo: "hello over tls"
              - fail:
                  message: "Unexpected body"
`,
    { baseDir: certs.dir },
  );
}

const TRUST = "  trustManager:\n    certFile: ca.crt";
const KEYS = "  keyManager:\n    certFile: client.crt\n    keyFile: client.key";

Deno.test("TLS against Deno.serve with a CA from trustManager.certFile (HTTP/1.1 and h2)", async () => {
  await using certs = await makeCerts();
  let requests = 0;
  await using server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    cert: await certs.read("server.crt"),
    key: await certs.read("server.key"),
    onListen() {},
  }, () => {
    requests++;
    return new Response("hello over tls");
  });
  // Our own HTTP/1.1 client over Deno.connectTls, then whatever ALPN picks (h2 → fetch engine).
  for (const extra of ["  allowHttp2: false", ""]) {
    requests = 0;
    const r = await run(tlsBench(server.addr.port, certs, `${TRUST}\n${extra}`));
    assertPassed(r);
    const s = r.total("main", "secure");
    assert.equal(s.requestCount, 4, extra);
    assert.equal(statuses(s)["2xx"], 4, extra);
    assert.equal(s.connectionErrors, 0, extra);
    assert.equal(requests, 4, extra);
  }
});

Deno.test("TLS to a server the benchmark does not trust cannot execute and names the address", async () => {
  await using certs = await makeCerts();
  await using server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    cert: await certs.read("server.crt"),
    key: await certs.read("server.key"),
    onListen() {},
  }, () => new Response("hello over tls"));
  const r = await run(tlsBench(server.addr.port, certs, "  allowHttp2: false", 1));
  assert.equal(r.result.status, "error", JSON.stringify(r.result));
  assert.match(r.result.reason ?? "", new RegExp(`localhost:${server.addr.port}`));
});

/** node:https, because Deno.serve cannot require a client certificate. */
async function mutualTlsServer(certs: Certs) {
  const clients: string[] = [];
  const server = https.createServer({
    key: await certs.read("server.key"),
    cert: await certs.read("server.crt"),
    ca: await certs.read("ca.crt"),
    requestCert: true,
    rejectUnauthorized: true,
  }, (req, res) => {
    const socket = req.socket as unknown as { getPeerCertificate(): { subject?: { CN?: string } } };
    clients.push(String(socket.getPeerCertificate()?.subject?.CN));
    res.end("hello over tls");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    clients,
    async [Symbol.asyncDispose]() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

Deno.test("mutual TLS presents keyManager's client certificate to a server that requires it", async () => {
  await using certs = await makeCerts();
  await using server = await mutualTlsServer(certs);
  const r = await run(tlsBench(server.port, certs, `${TRUST}\n${KEYS}`));
  assertPassed(r);
  assert.equal(statuses(r.total("main", "secure"))["2xx"], 4);
  assert.equal(server.clients.length, 4);
  assert.deepEqual(new Set(server.clients), new Set(["hf client"]));
});

Deno.test("mutual TLS without a client certificate gets no response", async () => {
  await using certs = await makeCerts();
  await using server = await mutualTlsServer(certs);
  const r = await run(tlsBench(server.port, certs, TRUST, 2));
  assert.equal(server.clients.length, 0);
  if (r.result.status !== "error") {
    // TLS 1.3 completes the client's handshake before the server checks the client: the
    // requests fail as connection errors (which the default SLA tolerates, as Hyperfoil's).
    const s = r.total("main", "secure");
    assert.equal(s.responseCount, 0);
    assert.equal(s.connectionErrors, 2, JSON.stringify(s));
  } else {
    assert.match(r.result.reason ?? "", new RegExp(`localhost:${server.port}`));
  }
});

Deno.test("a request's authority without a port finds the https endpoint on 443", async () => {
  await using certs = await makeCerts();
  await using server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    cert: await certs.read("server.crt"),
    key: await certs.read("server.key"),
    onListen() {},
  }, () => new Response("hello over tls"));
  // https://localhost is port 443; `addresses` sends its connections to the test server.
  // Distinct paths: the session's HTTP cache would answer a repeated GET itself.
  const r = await run(load(
    `name: tls-authority
http:
  host: https://localhost
  addresses: 127.0.0.1:${server.addr.port}
  allowHttp2: false
  sharedConnections: 2
${TRUST}
phases:
  - main:
      atOnce:
        users: 2
        scenario:
          - explicit:
              - httpRequest:
                  authority: localhost
                  GET: /a
              - httpRequest:
                  authority: localhost:443
                  GET: /b
                  metric: withPort
              - set: host <- localhost
              - httpRequest:
                  authority: \${host}
                  GET: /c
                  metric: dynamic
`,
    { baseDir: certs.dir },
  ));
  assertPassed(r);
  for (const m of ["explicit", "withPort", "dynamic"]) {
    assert.equal(statuses(r.total("main", m))["2xx"], 2, m);
  }
});
