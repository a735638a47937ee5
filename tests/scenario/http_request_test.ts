/**
 * `httpRequest` end to end: the real loader, the real HTTP client against a
 * `Deno.serve` server, the compiled step, and statistics in a real registry.
 */
import assert from "node:assert/strict";
import { benchYaml, load, run, serve, sleep } from "./http_harness_test.ts";

Deno.test("a sync request completes before the next step and records one response", async () => {
  await using server = serve(async (_req, url) => {
    if (url.pathname === "/slow") await sleep(30);
    return new Response("ok");
  });
  const r = await run(load(
    benchYaml({
      scenario: `
        - main:
          - httpRequest:
              GET: /slow
              handler:
                onCompletion:
                  set: done <- yes
          - template:
              pattern: \${done}
              toVar: afterwards
      `,
    }),
    server.port,
  ));
  assert.deepEqual(r.failures, []);
  assert.equal(r.v("afterwards"), "yes");
  const st = r.stats("main");
  assert.equal(st.requestCount, 1);
  assert.equal(st.responseCount, 1);
  assert.equal(st.status2xx, 1);
  assert.ok(st.histogram.minValue() >= 25e6, `latency ${st.histogram.minValue()} ns`);
});

Deno.test("async requests go out together and awaitAllResponses waits for them", async () => {
  await using server = serve(async () => {
    await sleep(60);
    return new Response("ok");
  });
  const t0 = performance.now();
  const r = await run(load(
    benchYaml({
      http: "sharedConnections: 3",
      scenario: `
        - main:
          - httpRequest: { GET: /a, sync: false, metric: a }
          - httpRequest: { GET: /b, sync: false, metric: b }
          - httpRequest: { GET: /c, sync: false, metric: c }
          - awaitAllResponses
      `,
    }),
    server.port,
  ));
  const ms = performance.now() - t0;
  assert.deepEqual(r.failures, []);
  assert.deepEqual(r.metrics, ["a", "b", "c"]);
  for (const m of r.metrics) assert.equal(r.stats(m).responseCount, 1);
  assert.ok(ms < 170, `three 60 ms requests in parallel took ${ms} ms`);
});

Deno.test("status handlers: counter, store, action by range and stats counters", async () => {
  await using server = serve((_req, url) =>
    new Response("x", { status: Number(url.pathname.slice(1)) })
  );
  const r = await run(load(
    benchYaml({
      ergonomics: "autoRangeCheck: false",
      scenario: `
        - main:
          - loop:
              counterVar: i
              repeats: 3
              steps:
              - httpRequest:
                  GET: /201
                  handler:
                    status:
                    - counter: { var: created, expectStatus: 201, add: 1 }
                    - store: lastStatus
                    - stats: {}
          - httpRequest:
              GET: /404
              handler:
                status:
                  action:
                    2xx:
                    - set: outcome <- ok
                    4xx:
                    - set: outcome <- missing
      `,
    }),
    server.port,
  ));
  assert.deepEqual(r.failures, []);
  assert.equal(r.v("created"), 3);
  assert.equal(r.v("lastStatus"), 201);
  assert.equal(r.v("outcome"), "missing");
  const st = r.stats("main");
  assert.equal(st.status2xx, 3);
  assert.equal(st.status4xx, 1);
  assert.equal(st.invalid, 0, "autoRangeCheck is off");
  assert.equal(st.extensions.get("exact_status")?.values.get("status_201"), 3);
});

Deno.test("autoRangeCheck marks a 404 invalid and stopOnInvalid stops the session before later steps", async () => {
  await using server = serve((_req, url) =>
    new Response("nope", { status: url.pathname === "/missing" ? 404 : 200 })
  );
  const r = await run(load(
    benchYaml({
      scenario: `
        - main:
          - httpRequest: { GET: /missing }
          - set: reached <- yes
          - httpRequest: { GET: /ok, metric: later }
      `,
    }),
    server.port,
  ));
  assert.deepEqual(r.failures, []);
  const st = r.stats("main");
  assert.equal(st.status4xx, 1);
  assert.equal(st.invalid, 1);
  assert.equal(r.metrics.includes("later"), false);
  assert.equal(server.hits.get("/ok"), undefined);
  assert.notEqual(r.v("reached"), "yes");
});

Deno.test("a status range handler decides validity instead of autoRangeCheck", async () => {
  await using server = serve(() => new Response("gone", { status: 404 }));
  const r = await run(load(
    benchYaml({
      scenario: `
        - main:
          - httpRequest:
              GET: /expected-404
              handler:
                status:
                  range: 404
          - httpRequest:
              GET: /other
              metric: strict
              handler:
                stopOnInvalid: false
                status:
                  range: 2xx
          - set: reached <- yes
      `,
    }),
    server.port,
  ));
  assert.deepEqual(r.failures, []);
  assert.equal(r.stats("main").invalid, 0);
  assert.equal(r.stats("strict").invalid, 1);
  assert.equal(r.v("reached"), "yes", "stopOnInvalid: false lets the session go on");
});

Deno.test("a header filter stores a header value and countHeaders counts header names", async () => {
  await using server = serve(() =>
    new Response("ok", { headers: { "x-token": "secret-42", "x-other": "1" } })
  );
  const r = await run(load(
    benchYaml({
      scenario: `
        - main:
          - httpRequest:
              GET: /token
              handler:
                header:
                - filter:
                    header: X-Token
                    processor:
                      store: token
                - countHeaders: {}
      `,
    }),
    server.port,
  ));
  assert.deepEqual(r.failures, []);
  assert.equal(r.v("token"), "secret-42");
  assert.equal(r.stats("main").extensions.get("countHeaders")?.values.get("x-token"), 1);
});

Deno.test("a JSON body processor stores a value for the next request's path", async () => {
  await using server = serve((_req, url) =>
    url.pathname === "/items"
      ? Response.json({ items: [{ id: 7 }, { id: 9 }], next: "/items/9" })
      : new Response(url.pathname)
  );
  const r = await run(load(
    benchYaml({
      scenario: `
        - main:
          - httpRequest:
              GET: /items
              handler:
                body:
                  json:
                    query: .items[1].id
                    toVar: itemId
          - httpRequest:
              GET: /items/\${itemId}/detail
              metric: detail
      `,
    }),
    server.port,
  ));
  assert.deepEqual(r.failures, []);
  assert.equal(String(r.v("itemId")), "9");
  assert.equal(server.hits.get("/items/9/detail"), 1);
});

Deno.test("cookies set by a response are sent back on later requests of the session", async () => {
  await using server = serve((req, url) => {
    if (url.pathname === "/app/login") {
      const h = new Headers();
      h.append("set-cookie", "session=abc123; Path=/app; HttpOnly");
      h.append("set-cookie", "theme=dark");
      return new Response("ok", { headers: h });
    }
    return new Response(req.headers.get("cookie") ?? "none");
  });
  const r = await run(load(
    benchYaml({
      scenario: `
        - main:
          - httpRequest: { GET: /app/login }
          - httpRequest:
              GET: /app/home
              handler:
                body:
                  store: cookies
          - httpRequest:
              GET: /elsewhere
              handler:
                body:
                  store: otherCookies
      `,
    }),
    server.port,
  ));
  assert.deepEqual(r.failures, []);
  assert.equal(r.v("cookies"), "session=abc123; theme=dark");
  // theme has no Path: it belongs to /app/ (the login's directory), like session.
  assert.equal(r.v("otherCookies"), "none");
});

Deno.test("the user agent names the agent and session, and POST bodies and forms are sent", async () => {
  const bodies: string[] = [];
  await using server = serve(async (req) => {
    bodies.push(`${req.headers.get("content-type")}|${await req.text()}`);
    return new Response(req.headers.get("user-agent"));
  });
  const r = await run(load(
    benchYaml({
      scenario: `
        - main:
          - set: name <- John Doe
          - httpRequest:
              POST: /form
              body:
                form:
                - name: who
                  fromVar: name
                - name: what
                  value: a&b
              handler:
                body:
                  store: agent
          - httpRequest:
              POST: /text
              headers:
                content-type: text/plain
              body: hello \${name}
      `,
    }),
    server.port,
  ));
  assert.deepEqual(r.failures, []);
  assert.equal(r.v("agent"), "hf/test-agent/1");
  assert.deepEqual(bodies, [
    "application/x-www-form-urlencoded|who=John+Doe&what=a%26b",
    "text/plain|hello John Doe",
  ]);
});

Deno.test("compression: gzip asks for gzip and handlers see the decoded body", async () => {
  const message = "Short message to be encoded.".repeat(40);
  await using server = serve(async (req) => {
    if (req.headers.get("accept-encoding") !== "gzip") return new Response("bad", { status: 400 });
    const gz = await new Response(
      new Blob([message]).stream().pipeThrough(new CompressionStream("gzip")),
    ).arrayBuffer();
    return new Response(gz, { headers: { "content-encoding": "gzip" } });
  });
  const r = await run(load(
    benchYaml({
      scenario: `
        - main:
          - httpRequest:
              GET: /short
              compression: gzip
              handler:
                body:
                  store: text
      `,
    }),
    server.port,
  ));
  assert.deepEqual(r.failures, []);
  assert.equal(r.stats("main").status2xx, 1);
  assert.equal(r.v("text"), message);
});

Deno.test("a request timeout is recorded as a timeout and stops the session", async () => {
  await using server = serve(async () => {
    await sleep(300);
    return new Response("late");
  });
  const r = await run(load(
    benchYaml({
      scenario: `
        - main:
          - httpRequest: { GET: /stall, timeout: 50ms }
          - set: reached <- yes
      `,
    }),
    server.port,
  ));
  const st = r.stats("main");
  assert.equal(st.requestTimeouts, 1);
  assert.equal(st.responseCount, 0);
  assert.equal(st.connectionErrors, 0);
  assert.notEqual(r.v("reached"), "yes");
});

Deno.test("a connection closed without an answer is recorded as a connection error", async () => {
  // A server that accepts and closes at once: the request fails with a reset.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  let open = true;
  const accepting = (async () => {
    while (open) {
      const conn = await listener.accept().catch(() => undefined);
      if (conn === undefined) return;
      // Keep the first connection (the pool's) until a request arrives, then close it.
      conn.read(new Uint8Array(1024)).then(() => conn.close(), () => {});
    }
  })();
  try {
    const r = await run(load(
      benchYaml({
        ergonomics: "stopOnInvalid: false",
        scenario: `
          - main:
            - httpRequest: { GET: /reset }
            - set: reached <- yes
        `,
      }),
      port,
    ));
    const st = r.stats("main");
    assert.equal(st.connectionErrors, 1);
    assert.equal(st.responseCount, 0);
    assert.equal(r.v("reached"), "yes", "with stopOnInvalid off the sequence goes on");
  } finally {
    open = false;
    listener.close();
    await accepting;
  }
});

Deno.test("two sessions sharing one connection record blocked time, not latency", async () => {
  await using server = serve(async () => {
    await sleep(60);
    return new Response("ok");
  });
  const r = await run(
    load(
      benchYaml({
        users: 2,
        scenario: `
          - main:
            - httpRequest: { GET: /one }
        `,
      }),
      server.port,
    ),
    { sessions: 2 },
  );
  assert.deepEqual(r.failures, []);
  const st = r.stats("main");
  assert.equal(st.responseCount, 2);
  assert.ok(st.blockedTime >= 40e6, `blocked ${st.blockedTime / 1e6} ms`);
  // Each response takes ~60 ms on the wire; the wait for the connection is not in it.
  assert.ok(st.histogram.maxValue() < 110e6, `max latency ${st.histogram.maxValue() / 1e6} ms`);
  assert.ok(st.histogram.minValue() >= 50e6, `min latency ${st.histogram.minValue() / 1e6} ms`);
});

Deno.test("the HTTP cache answers a repeated GET and clearHttpCache forgets it", async () => {
  await using server = serve((_req, url) =>
    new Response("ok", {
      headers: url.pathname === "/nostore" ? { "cache-control": "no-store" } : {},
    })
  );
  const r = await run(load(
    benchYaml({
      scenario: `
        - main:
          - httpRequest: { GET: /cached }
          - httpRequest: { GET: /cached }
          - httpRequest: { GET: /nostore, metric: nostore }
          - httpRequest: { GET: /nostore, metric: nostore }
          - clearHttpCache
          - httpRequest: { GET: /cached }
      `,
    }),
    server.port,
  ));
  assert.deepEqual(r.failures, []);
  assert.equal(server.hits.get("/cached"), 2);
  assert.equal(server.hits.get("/nostore"), 2);
  const st = r.stats("main");
  assert.equal(st.requestCount, 3);
  assert.equal(st.responseCount, 2);
  assert.equal(st.cacheHits, 1);
  assert.equal(r.stats("nostore").cacheHits, 0);
});

Deno.test("metric rules on the path pick the metric; markRequestInvalid counts as invalid", async () => {
  await using server = serve(() => new Response("ok"));
  const r = await run(load(
    benchYaml({
      scenario: `
        - main:
          - httpRequest:
              GET: /img/logo.png?v=1
              metric:
              - .*\\.png.* -> images
              - -> other
          - httpRequest:
              GET: /page.html
              metric:
              - ([^?]*)(\\?.*)? -> $1
          - httpRequest:
              GET: /mark
              handler:
                stopOnInvalid: false
                onCompletion:
                - markRequestInvalid
      `,
    }),
    server.port,
  ));
  assert.deepEqual(r.failures, []);
  assert.deepEqual(r.metrics, ["/page.html", "images", "main"]);
  assert.equal(r.stats("main").invalid, 1);
});

Deno.test("a Host header from a variable replaces the endpoint's, per request", async () => {
  await using server = serve((req) => new Response(req.headers.get("host")));
  const r = await run(load(
    benchYaml({
      scenario: `
        - main:
          - set: target <- shop.example.com
          - httpRequest:
              GET: /
              headers:
                HOST: \${target}
              handler:
                body:
                  store: seenHost
      `,
    }),
    server.port,
  ));
  assert.deepEqual(r.failures, []);
  assert.equal(r.v("seenHost"), "shop.example.com");
  assert.equal(
    server.requests.filter((x) => x.headers.get("host") === "shop.example.com").length,
    1,
  );
});

Deno.test("closeConnection makes the next request use a new connection", async () => {
  await using server = serve(() =>
    new Response("ok", { headers: { "cache-control": "no-store" } })
  );
  const r = await run(load(
    benchYaml({
      scenario: `
        - main:
          - httpRequest: { GET: /a }
          - httpRequest: { GET: /b }
          - httpRequest:
              GET: /c
              handler:
                body:
                  closeConnection: {}
          - httpRequest: { GET: /d }
      `,
    }),
    server.port,
  ));
  assert.deepEqual(r.failures, []);
  const ports = server.requests.map((x) => x.clientPort);
  assert.equal(ports[0], ports[1]);
  assert.equal(ports[1], ports[2]);
  assert.notEqual(ports[2], ports[3]);
});

Deno.test("multiplex and conditional handlers pick by status and variables; logInvalid logs", async () => {
  await using server = serve((_req, url) =>
    new Response("broken body", {
      status: url.pathname === "/bad" ? 503 : 200,
      headers: { "x-kind": url.pathname.slice(1) },
    })
  );
  const r = await run(load(
    benchYaml({
      scenario: `
        - main:
          - set: wanted <- yes
          - httpRequest:
              GET: /good
              handler:
                status:
                  multiplex:
                    2xx:
                      store: okStatus
                    other:
                      store: otherStatus
                header:
                  conditional:
                    stringCondition:
                      fromVar: wanted
                      equalTo: yes
                    handler:
                      filter:
                        header: x-kind
                        processor:
                          store: kind
          - httpRequest:
              GET: /bad
              handler:
                header:
                  logInvalid: {}
                body:
                  logInvalid: {}
      `,
    }),
    server.port,
  ));
  assert.deepEqual(r.failures, []);
  assert.equal(r.v("okStatus"), 200);
  assert.equal(r.v("kind"), "good");
  assert.equal(r.stats("main").invalid, 1);
  const logged = r.logs.map((l) => l.message).join("\n");
  assert.match(logged, /GET 127\.0\.0\.1:\d+\/bad: x-kind: bad/);
  assert.match(logged, /11 bytes: broken body/);
});

Deno.test("a failing completion action counts an internal error and stops the session", async () => {
  await using server = serve(() => new Response("ok"));
  const r = await run(load(
    benchYaml({
      scenario: `
        - main:
          - set: word <- abc
          - httpRequest:
              GET: /x
              handler:
                onCompletion:
                  addToInt: word += 1
          - set: reached <- yes
      `,
    }),
    server.port,
  ));
  const st = r.stats("main");
  assert.equal(st.responseCount, 1);
  assert.equal(st.internalErrors, 1);
  assert.equal(st.invalid, 1);
  assert.notEqual(r.v("reached"), "yes");
  assert.match(r.logs.map((l) => l.message).join("\n"), /internal error/);
});
