/** hf run against nginx: exact counts, a schedule kept, statuses as nginx answers them. */
import assert from "node:assert/strict";
import { assertNear, assertPassed, benchYaml, runYaml, statuses } from "./_helpers.ts";
import { nginxPath, startNginx } from "./_nginx.ts";

const nginx = nginxPath();
// .ci/run installs nginx-light, so CI always runs these; a developer machine without nginx skips.
const ignore = nginx === undefined;

Deno.test({
  name: "nginx: atOnce 25 users × 4 requests are exactly 100 responses, 404s counted as 4xx",
  ignore,
  async fn() {
    await using server = await startNginx(nginx!);
    const r = await runYaml(benchYaml(
      server,
      `
  - main:
      atOnce:
        users: 25
        scenario:
          - visit:
              - httpRequest: { GET: /, metric: ok }
              - httpRequest: { GET: /a, metric: ok }
              - httpRequest: { GET: /b, metric: ok }
              - httpRequest:
                  GET: /missing
                  metric: missing
                  handler: { autoRangeCheck: false }
`,
      // One connection per user: any wait for a connection would fail the default SLA.
      { http: "  sharedConnections: 25" },
    ));
    assertPassed(r);
    // Three steps share the metric 'ok': one entry per (phase, step, metric), as Hyperfoil keeps them.
    const ok = r.all.stats.filter((x) => x.name === "main" && x.metric === "ok");
    assert.deepEqual(ok.map((x) => x.total.summary.responseCount), [25, 25, 25]);
    assert.deepEqual(ok.map((x) => statuses(x.total.summary)["2xx"]), [25, 25, 25]);
    assert.equal(statuses(r.total("main", "missing"))["4xx"], 25);
    assert.equal(r.requests(), 100);
  },
});

Deno.test({
  name: "nginx: constantRate 300/s for 2 s without variance keeps the schedule within 2%",
  ignore,
  async fn() {
    await using server = await startNginx(nginx!);
    const r = await runYaml(benchYaml(
      server,
      `
  - main:
      constantRate:
        usersPerSec: 300
        variance: false
        duration: 2s
        maxSessions: 100
        scenario:
          - visit:
              - httpRequest: { GET: / }
`,
      { http: "  sharedConnections: 20" },
    ));
    assertPassed(r);
    assertNear(r.requests("main"), 600, 0.02, "requests");
    assert.equal(r.total("main", "visit").responseCount, r.requests("main"));
  },
});
