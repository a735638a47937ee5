/** Exact request counts: what the engine records equals what the server saw. */
import assert from "node:assert/strict";
import { assertPassed, benchYaml, exampleServer, runYaml, served, statuses } from "./_helpers.ts";

Deno.test("atOnce: 20 users × 3 requests are exactly 60 requests, on both sides", async () => {
  await using server = exampleServer();
  const r = await runYaml(benchYaml(
    server,
    `
  - main:
      atOnce:
        users: 20
        scenario:
          - visit:
              - httpRequest:
                  GET: /
                  metric: home
              - httpRequest:
                  GET: /json
                  metric: json
              - httpRequest:
                  GET: /hello
                  metric: home
`,
    { http: "  sharedConnections: 20" },
  ));
  assertPassed(r);
  // Two steps share the metric 'home': one entry per (phase, step, metric), as Hyperfoil keeps them.
  const home = r.all.stats.filter((x) => x.name === "main" && x.metric === "home");
  assert.equal(home.length, 2);
  assert.deepEqual(home.map((x) => x.total.summary.requestCount), [20, 20]);
  assert.equal(r.total("main", "json").requestCount, 20);
  assert.equal(statuses(r.total("main", "json"))["2xx"], 20);
  assert.equal(r.requests(), 60);
  assert.equal(served(server, "/") + served(server, "/hello"), 40);
  assert.equal(served(server, "/json"), 20);
  assert.equal(server.stats().requests, 60);
  // stats/total.csv says the same.
  const csv = r.totalRows.filter((row) => row.Phase === "main");
  assert.equal(csv.reduce((n, row) => n + Number(row.Requests), 0), 60);
});

Deno.test("always: 4 users with a 5-request loop, 3 iterations: engine counts equal the server's", async () => {
  await using server = exampleServer();
  // The HTTP cache would answer repeated GETs without sending them: off, so counts match.
  const r = await runYaml(benchYaml(
    server,
    `
  - main:
      always:
        users: 4
        duration: 300ms
        maxIterations: 3
        scenario:
          - visit:
              - loop:
                  counterVar: i
                  repeats: 5
                  steps:
                    - httpRequest:
                        GET: /delay?ms=2
`,
    { http: "  sharedConnections: 4\n  useHttpCache: false" },
  ));
  assertPassed(r);
  const phases = ["main/000", "main/001", "main/002"];
  let total = 0;
  for (const p of phases) {
    const s = r.total(p, "visit");
    assert.equal(s.requestCount, s.responseCount, p);
    assert.equal(statuses(s)["2xx"], s.requestCount, p);
    // Whole sessions: every user finished its loop of 5 (finish waits for running sessions).
    assert.equal(s.requestCount % 5, 0, `${p}: ${s.requestCount} is not whole loops of 5`);
    assert.ok(s.requestCount >= 20, `${p}: ${s.requestCount} < 4 users × 5`);
    total += s.requestCount;
  }
  // The server's own account, over HTTP as an external tool would read it.
  const admin = await (await fetch(`${server.url}/admin/stats`)).json();
  assert.equal(total, admin.routes["/delay"]);
  assert.equal(r.requests(), admin.requests);
});
