/**
 * `threads: 2`: two executors (the agent's loop and a Worker) share the rate
 * exactly, and the results merge into one phase as if one executor ran it.
 */
import assert from "node:assert/strict";
import {
  assertNear,
  assertPassed,
  exampleServer,
  load,
  run,
  served,
  statuses,
} from "./_helpers.ts";

Deno.test("threads: 2 splits constantRate 200/s over two executors: 600 ± 2%, one merged phase", async () => {
  await using server = exampleServer();
  const r = await run(load(`name: threads
threads: 2
http:
  host: ${server.url}
  sharedConnections: 20
phases:
  - main:
      constantRate:
        usersPerSec: 200
        duration: 3s
        maxSessions: 100
        variance: false
        scenario:
          - hit:
              - httpRequest:
                  GET: /
`));
  assertPassed(r);
  // One entry for (main, hit): the two executors' snapshots were merged, not listed twice.
  const entries = r.all.stats.filter((s) => s.name === "main");
  assert.deepEqual(entries.map((s) => s.metric), ["hit"]);
  const s = entries[0].total.summary;
  assertNear(s.requestCount, 600, 0.02, "requests");
  assert.equal(statuses(s)["2xx"], s.requestCount);
  assert.equal(served(server, "/"), s.requestCount);
  assert.equal(r.totalRows.filter((row) => row.Phase === "main").length, 1);
  assert.equal(r.internalErrors(), 0);
});

Deno.test("threads: 2 runs atOnce users split across executors, each user once", async () => {
  await using server = exampleServer();
  const r = await run(load(`name: threads
threads: 2
http:
  host: ${server.url}
  sharedConnections: 8
phases:
  - main:
      atOnce:
        users: 7
        scenario:
          - hit:
              - httpRequest:
                  GET: /hello
`));
  assertPassed(r);
  assert.equal(r.total("main", "hit").requestCount, 7);
  assert.equal(served(server, "/hello"), 7);
});
