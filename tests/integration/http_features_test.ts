/**
 * HTTP behaviour end to end against the example server: pipelining, chunked
 * and gzip bodies, redirects, embedded resources and cookies. Bodies are
 * checked inside the scenario by `fail` steps, so a wrong body fails the run.
 */
import assert from "node:assert/strict";
import { assertPassed, benchYaml, exampleServer, runYaml, served, statuses } from "./_helpers.ts";

Deno.test("pipelining 4 deep over 2 connections: every session gets its own responses", async () => {
  await using server = exampleServer();
  const r = await runYaml(benchYaml(
    server,
    `
  - main:
      atOnce:
        users: 8
        scenario:
          - pipe:
              - loop:
                  counterVar: i
                  repeats: 6
                  steps:
                    - httpRequest:
                        GET: /echo?who=\${hyperfoil.session.id}-\${i}
                        handler:
                          body:
                            json:
                              query: .query.who
                              toVar: who
                    - template:
                        pattern: \${hyperfoil.session.id}-\${i}
                        toVar: expected
                    - fail:
                        message: "A response went to the wrong request"
                        stringCondition:
                          fromVar: who
                          matchVar: expected
                          negate: true
`,
    { http: "  sharedConnections: 2\n  pipeliningLimit: 4" },
  ));
  assertPassed(r);
  const s = r.total("main", "pipe");
  assert.equal(s.requestCount, 48);
  assert.equal(statuses(s)["2xx"], 48);
  assert.equal(s.blockedTime, 0, "8 sessions fit in 2 connections × 4 pipelined requests");
  assert.equal(served(server, "/echo"), 48);
});

Deno.test("chunked and gzip bodies are decoded before handlers see them", async () => {
  await using server = exampleServer();
  const r = await runYaml(benchYaml(
    server,
    `
  - main:
      atOnce:
        users: 3
        scenario:
          - chunked:
              - httpRequest:
                  GET: /chunked?parts=4&gap=20
                  handler:
                    body:
                      store: chunkedBody
              - fail:
                  message: "Wrong chunked body"
                  stringCondition:
                    fromVar: chunkedBody
                    notEqualTo: "part 1 of 4\\npart 2 of 4\\npart 3 of 4\\npart 4 of 4\\n"
          - gzip:
              - httpRequest:
                  GET: /gzip
                  compression: gzip
                  handler:
                    body:
                      store: gzipBody
              - fail:
                  message: "Wrong gzip body length"
                  stringCondition:
                    fromVar: gzipBody
                    length:
                      notEqualTo: 1088
              - fail:
                  message: "Wrong gzip body"
                  stringCondition:
                    fromVar: gzipBody
                    startsWith: "hello gzip world\\nhello gzip world\\n"
                    negate: true
`,
    { http: "  sharedConnections: 3" },
  ));
  assertPassed(r);
  assert.equal(statuses(r.total("main", "chunked"))["2xx"], 3);
  assert.equal(statuses(r.total("main", "gzip"))["2xx"], 3);
  assert.equal(served(server, "/chunked"), 3);
  assert.equal(served(server, "/gzip"), 3);
});

Deno.test("followRedirect LOCATION_ONLY follows /redirect?to=/: 3xx and 2xx metrics", async () => {
  await using server = exampleServer();
  const r = await runYaml(benchYaml(
    server,
    `
  - main:
      atOnce:
        users: 5
        scenario:
          - redirectMe:
              - httpRequest:
                  GET: /redirect?to=/
                  handler:
                    followRedirect: LOCATION_ONLY
                    body:
                      store: body
              - fail:
                  message: "The redirect was not followed"
                  stringCondition:
                    fromVar: body
                    notEqualTo: "hello world\\n"
`,
    { http: "  sharedConnections: 5" },
  ));
  assertPassed(r);
  const metrics = r.metrics("main");
  assert.ok(metrics.includes("redirectMe"), metrics.join(", "));
  const followUps = metrics.filter((m) => m !== "redirectMe");
  assert.equal(followUps.length, 1, `one metric for the follow-ups: ${metrics.join(", ")}`);
  assert.match(followUps[0], /^redirectMe_redirect_/);
  assert.deepEqual(statuses(r.total("main", "redirectMe")), {
    "2xx": 0,
    "3xx": 5,
    "4xx": 0,
    "5xx": 0,
  });
  assert.equal(statuses(r.total("main", followUps[0]))["2xx"], 5);
  assert.equal(served(server, "/redirect"), 5);
  assert.equal(served(server, "/"), 5);
});

Deno.test("parseHtml with fetchResource downloads /html's embedded resources", async () => {
  await using server = exampleServer();
  const r = await runYaml(benchYaml(
    server,
    `
  - main:
      atOnce:
        users: 2
        scenario:
          - page:
              - httpRequest:
                  GET: /html
                  handler:
                    body:
                      parseHtml:
                        onEmbeddedResource:
                          fetchResource:
                            maxResources: 8
                            onCompletion:
                              set: allFetched <- true
              - awaitVar: allFetched
`,
    { http: "  sharedConnections: 8" },
  ));
  assertPassed(r);
  assert.equal(statuses(r.total("main", "page"))["2xx"], 2);
  const resources = r.metrics("main").filter((m) => m !== "page");
  assert.ok(resources.length >= 1, `resource metrics: ${r.metrics("main").join(", ")}`);
  const fetched = resources.reduce((n, m) => n + statuses(r.total("main", m))["2xx"], 0);
  assert.equal(fetched, 6, `3 resources × 2 users in ${resources.join(", ")}`);
  for (const path of ["/static/style.css", "/static/app.js", "/static/logo.png"]) {
    assert.equal(served(server, path), 2, path);
  }
});

Deno.test("cookies set by /cookie/set come back to /cookie/check (repeatCookies)", async () => {
  await using server = exampleServer();
  const r = await runYaml(benchYaml(
    server,
    `
  - main:
      atOnce:
        users: 4
        scenario:
          - login:
              - httpRequest:
                  GET: /cookie/set
                  metric: set
              - httpRequest:
                  GET: /cookie/check
                  metric: check
`,
    { http: "  sharedConnections: 4" },
  ));
  assertPassed(r);
  assert.equal(statuses(r.total("main", "set"))["2xx"], 4);
  assert.deepEqual(statuses(r.total("main", "check")), { "2xx": 4, "3xx": 0, "4xx": 0, "5xx": 0 });
  assert.equal(r.total("main", "check").invalid, 0);
  assert.deepEqual(server.stats().statuses, { "200": 8 });
});
