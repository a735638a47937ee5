/**
 * Open-model rates: sessions start on the precomputed schedule, so the count
 * of a phase is the integral of its rate over its duration.
 */
import assert from "node:assert/strict";
import { assertNear, assertPassed, benchYaml, exampleServer, runYaml, served } from "./_helpers.ts";

const SCENARIO = `
        scenario:
          - hit:
              - httpRequest:
                  GET: /
`;
const HTTP = { http: "  sharedConnections: 20" };

Deno.test("constantRate 200/s for 3 s without variance makes 600 requests ± 2%", async () => {
  await using server = exampleServer();
  const r = await runYaml(benchYaml(
    server,
    `
  - main:
      constantRate:
        usersPerSec: 200
        duration: 3s
        maxSessions: 100
        variance: false${SCENARIO}`,
    HTTP,
  ));
  assertPassed(r);
  const s = r.total("main", "hit");
  assertNear(s.requestCount, 600, 0.02, "requests");
  assert.equal(s.responseCount, s.requestCount);
  assert.equal(served(server, "/"), s.requestCount);
});

Deno.test("increasingRate 0 → 200/s over 3 s makes 300 requests ± 2%", async () => {
  await using server = exampleServer();
  const r = await runYaml(benchYaml(
    server,
    `
  - main:
      increasingRate:
        initialUsersPerSec: 0
        targetUsersPerSec: 200
        duration: 3s
        maxSessions: 100
        variance: false${SCENARIO}`,
    HTTP,
  ));
  assertPassed(r);
  const s = r.total("main", "hit");
  assertNear(s.requestCount, 300, 0.02, "requests");
  assert.equal(served(server, "/"), s.requestCount);
  // The rate rises: seconds 1, 2, 3 carry about 33, 100 and 167 (the last period may be a sliver).
  const counts = r.all.stats.find((x) => x.name === "main")!.series.map((x) => x.requestCount);
  assert.ok(counts.length >= 3, `series of ${counts.length}`);
  assert.ok(counts[0] < counts[1] && counts[1] < counts[2], JSON.stringify(counts));
});

Deno.test("decreasingRate 200 → 100/s over 2 s makes 300 requests ± 2%", async () => {
  await using server = exampleServer();
  const r = await runYaml(benchYaml(
    server,
    `
  - main:
      decreasingRate:
        initialUsersPerSec: 200
        targetUsersPerSec: 100
        duration: 2s
        maxSessions: 100
        variance: false${SCENARIO}`,
    HTTP,
  ));
  assertPassed(r);
  assertNear(r.total("main", "hit").requestCount, 300, 0.02, "requests");
});

Deno.test("constantRate 200/s for 3 s with Poisson arrivals makes 600 requests ± 15%", async () => {
  await using server = exampleServer();
  // The count of a Poisson process with mean 600 has σ ≈ 24.5: ± 90 is over 3.6 σ.
  const r = await runYaml(benchYaml(
    server,
    `
  - main:
      constantRate:
        usersPerSec: 200
        duration: 3s
        maxSessions: 100
        variance: true${SCENARIO}`,
    HTTP,
  ));
  assertPassed(r);
  assertNear(r.total("main", "hit").requestCount, 600, 0.15, "requests");
  assert.equal(served(server, "/"), r.total("main", "hit").requestCount);
});
