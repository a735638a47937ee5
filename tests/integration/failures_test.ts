/**
 * How `hf run` ends when things go wrong: SLA failures and the session limit
 * exit 1 with the failure listed under the table, blocked connections fail
 * the default SLA, an unreachable target exits 3 naming the address.
 */
import assert from "node:assert/strict";
import {
  benchYaml,
  exampleServer,
  hfRunInProcess,
  hfRunSubprocess,
  load,
  run,
  served,
  statuses,
} from "./_helpers.ts";

Deno.test("hf run exits 1 when a request SLA fails and lists the failure under the table", async () => {
  await using server = exampleServer();
  const { code, stdout, stderr } = await hfRunSubprocess(benchYaml(
    server,
    `
  - main:
      atOnce:
        users: 5
        scenario:
          - slow:
              - httpRequest:
                  GET: /delay?ms=50
                  sla:
                    - meanResponseTime: 10ms
                    - limits:
                        "0.99": 20ms
`,
    { http: "  sharedConnections: 5" },
  ));
  assert.equal(code, 1, `stdout:\n${stdout}\nstderr:\n${stderr}`);
  assert.match(stdout, /^PHASE\s+METRIC\s+THROUGHPUT\s+REQUESTS/);
  assert.match(stdout, /\nmain\s+slow\s/);
  const table = stdout.indexOf("\nmain");
  const mean = stdout.indexOf("main/slow: Mean response time exceeded");
  assert.ok(mean > table, `the failure is listed under the table:\n${stdout}`);
  // Each SLA reports its first violated condition, as Hyperfoil's.
  assert.match(
    stdout,
    /main\/slow: Response time at percentile 0\.990000 exceeded: required 20000000, actual \d+\n/,
  );
  assert.match(stderr, /Run [0-9A-F]{4} failed: 2 failures;/);
  assert.equal(served(server, "/delay"), 5);
});

const SESSION_LIMITED = (policy: string) => `
  - main:
      constantRate:
        usersPerSec: 20
        duration: 1s
        maxSessions: 2
        variance: false${policy}
        scenario:
          - slow:
              - httpRequest:
                  GET: /delay?ms=300
`;

Deno.test("exceeding maxSessions fails the phase by default: exit 1 and 'Exceeded session limit'", async () => {
  await using server = exampleServer();
  const { code, stdout, stderr } = await hfRunInProcess(
    benchYaml(server, SESSION_LIMITED(""), { http: "  sharedConnections: 20" }),
  );
  assert.equal(code, 1, `stdout:\n${stdout}\nstderr:\n${stderr}`);
  assert.match(stdout, /main(\/slow)?: Exceeded session limit/);
  assert.match(stderr, /Run [0-9A-F]{4} failed/);
});

Deno.test("sessionLimitPolicy CONTINUE records the throttling but passes (exit 0)", async () => {
  await using server = exampleServer();
  const { code, stdout, stderr } = await hfRunInProcess(benchYaml(
    server,
    SESSION_LIMITED("\n        sessionLimitPolicy: CONTINUE"),
    { http: "  sharedConnections: 20" },
  ));
  assert.equal(code, 0, `stdout:\n${stdout}\nstderr:\n${stderr}`);
  assert.doesNotMatch(stdout, /Exceeded session limit/);
  assert.match(stderr, /exceeded its session limit \(policy CONTINUE\)/);
});

Deno.test("waiting for the only connection is BLOCKED time and fails the default SLA", async () => {
  await using server = exampleServer();
  const benchmark = load(benchYaml(
    server,
    `
  - main:
      atOnce:
        users: 8
        scenario:
          - queued:
              - httpRequest:
                  GET: /delay?ms=30
`,
    { http: "  sharedConnections: 1" },
  ));
  const r = await run(benchmark);
  assert.equal(r.result.status, "failed");
  const s = r.total("main", "queued");
  assert.equal(s.requestCount, 8);
  // Seven requests waited behind the one connection: at least 30 ms + 60 ms + … of blocking.
  assert.ok(s.blockedTime >= 7 * 30e6, `blocked ${s.blockedTime} ns`);
  // The response time does not include the wait (it starts once the connection is had).
  assert.ok(s.maxResponseTime < 200e6, `max response ${s.maxResponseTime} ns`);
  assert.equal(Number(r.totalRows.find((x) => x.Phase === "main")!.BlockedTime), s.blockedTime);
  assert.deepEqual(
    r.all.failures.map((f) => f.message),
    ["Progress was blocked waiting for a free connection. Hint: increase http.sharedConnections."],
  );
  assert.ok(r.result.phases.find((p) => p.name === "main")!.failed);
});

Deno.test("hf run shows the blocked time in BLOCKED and exits 1 on the default SLA", async () => {
  await using server = exampleServer();
  const { code, stdout, stderr } = await hfRunInProcess(benchYaml(
    server,
    `
  - main:
      atOnce:
        users: 4
        scenario:
          - queued:
              - httpRequest:
                  GET: /delay?ms=30
`,
    { http: "  sharedConnections: 1" },
  ));
  assert.equal(code, 1, `stdout:\n${stdout}\nstderr:\n${stderr}`);
  const [header, row] = stdout.split("\n");
  // Columns are separated by two or more spaces; values like "12.3 ms" keep one.
  const columns = header.split(/\s{2,}/);
  const values = row.split(/\s{2,}/);
  const blocked = values[columns.indexOf("BLOCKED")];
  assert.match(blocked, /^[\d.]+ ms$/, `BLOCKED '${blocked}' in\n${stdout}`);
  assert.ok(Number.parseFloat(blocked) >= 90, `3 requests waited ≥ 30, 60 and 90 ms: ${blocked}`);
  assert.match(stdout, /\nmain\/queued: Progress was blocked waiting for a free connection/);
});

Deno.test("a request timeout counts under TIMEOUTS; a 5xx is invalid and stops the session", async () => {
  await using server = exampleServer();
  const r = await run(load(benchYaml(
    server,
    `
  - slow:
      atOnce:
        users: 3
        scenario:
          - slow:
              - httpRequest:
                  GET: /delay?ms=2000
                  timeout: 200ms
  - broken:
      atOnce:
        users: 3
        startAfterStrict: slow
        scenario:
          - broken:
              - httpRequest:
                  GET: /status/503
              - httpRequest:
                  GET: /hello
                  metric: never
`,
    { http: "  sharedConnections: 3" },
  )));
  assert.notEqual(r.result.status, "error", r.result.reason);
  const slow = r.total("slow", "slow");
  assert.equal(slow.requestCount, 3);
  assert.equal(slow.requestTimeouts, 3);
  assert.equal(slow.responseCount, 0);
  const timeoutPhase = r.result.phases.find((p) => p.name === "slow")!;
  assert.ok(timeoutPhase.terminateTime! - timeoutPhase.startTime! < 1500, "not waiting for 2 s");
  const broken = r.total("broken", "broken");
  assert.equal(broken.invalid, 3);
  assert.equal(statuses(broken)["5xx"], 3);
  assert.equal(r.metrics("broken").includes("never"), false, "stopOnInvalid ends the session");
  assert.equal(served(server, "/hello"), 0);
});

Deno.test("hf run exits 3 naming the address when the target is unreachable", async () => {
  const { code, stdout, stderr } = await hfRunSubprocess(`name: unreachable
http:
  host: http://127.0.0.1:1
phases:
  - main:
      atOnce:
        users: 1
        scenario:
          - one:
              - httpRequest:
                  GET: /
`);
  assert.equal(code, 3, `stdout:\n${stdout}\nstderr:\n${stderr}`);
  assert.match(stderr, /could not execute: .*127\.0\.0\.1:1\b/);
  assert.doesNotMatch(stderr, /Uncaught|at .*\.ts:\d+/, "no stack trace");
});
