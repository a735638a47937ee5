/**
 * The corpus's `test-suite/` and `core/` files against the example server.
 *
 * | file | run? | why / how |
 * |---|---|---|
 * | IterationsTest | run | `-P PORT`; 3 × 5 s → 3 × 400 ms; default 1 connection blocks (as upstream) |
 * | JsonReplaceTest | run | `-P PORT`; /get → age+1 → /post must answer 200 |
 * | awaitDelay | run | host rewritten; 30 s → 1.5 s; 1 s sessions at 100/s exceed the default pool of 100 |
 * | customSla | run | host rewritten; 5 s → 1 s; log only, no request |
 * | generators | run | host rewritten; data files beside it; no request |
 * | httpRequest | run | host rewritten; GET /foo 2xx, PUT /foo?bar=y 201 |
 * | httpRequestParameterized | run | `-P SERVER_PORT` |
 * | iteration | run | host rewritten; 3 s/6 s phases and 1 s think times → 300 ms/100 ms |
 * | loop | run | host rewritten; 5 s → 1 s; overlapping sessions may block on 1 connection |
 * | mutualTls | run | host rewritten (plain http: the TLS settings are unused); 3 s → 1 s |
 * | shortcut | run | host rewritten; 3 s → 1 s |
 * | simple | run | host rewritten; 3 s/6 s → 700 ms each |
 * | specialvars | run | host example.com rewritten (no request goes there); 10 × 2 s → 10 × 150 ms |
 * | staircase | run | host rewritten; 10 s/5 s → 300 ms (6 chained phases) |
 * | start-with-delay | run | host rewritten; 8 s/3 s/4 s delay → 1.5 s/700 ms/500 ms |
 * | core/random-csv | run | localhost:8099 → the server; 30 s → 1 s |
 *
 * Files whose own settings fail an SLA (one default connection for many users) run with
 * `failurePolicy: CONTINUE`, so every phase still runs; the failure itself is allowed.
 *
 * | agents1, agents2 | no | no phases: parse only |
 * | clusteredHttp | no | SSH to localhost:22 (clustered_test.ts runs clustered benchmarks on loopback sshds) |
 * | complex | no | agents on external hosts: parse only |
 * | hooks | no | its pre/post hooks run the commands 'foobar' and 'goo', which do not exist |
 * | valid-authorities | no | external hosts: parse only |
 * | wrong-authority, ambiguous-authority | no | invalid by design: must be rejected |
 */
import assert from "node:assert/strict";
import { BLOCKED, corpusTests, LOCAL_8080, PORT_PARAM } from "./_corpus.ts";
import { statuses } from "./_helpers.ts";

corpusTests([
  {
    file: "test-suite/IterationsTest.hf.yaml",
    params: PORT_PARAM,
    rewrite: [["duration: 5s", "duration: 400ms"]],
    allowFailures: BLOCKED,
    check(r) {
      const counts = ["test/000", "test/001", "test/002"].map((p) => r.requests(p));
      // 100, 200 and 300 users/s: each iteration carries more.
      assert.ok(counts[0] < counts[1] && counts[1] < counts[2], JSON.stringify(counts));
    },
  },
  {
    file: "test-suite/JsonReplaceTest.hf.yaml",
    params: PORT_PARAM,
    check(r, server) {
      assert.equal(server.stats().routes["/post"], 1);
      assert.deepEqual(server.stats().statuses, { "200": 2 }, "the POST carried age 34");
      assert.equal(r.requests(), 2);
    },
  },
  {
    file: "test-suite/awaitDelay.hf.yaml",
    rewrite: [LOCAL_8080, ["duration: 30s", "duration: 1500ms"]],
    // 100 users/s holding a session ≥ 1 s each, in the default pool of 100 sessions.
    allowFailures: /^Exceeded session limit$/,
  },
  {
    file: "test-suite/customSla.hf.yaml",
    rewrite: [LOCAL_8080, ["duration: 5s", "duration: 1s"]],
    noRequests: true,
  },
  { file: "test-suite/generators.hf.yaml", rewrite: [LOCAL_8080], noRequests: true },
  {
    file: "test-suite/httpRequest.hf.yaml",
    rewrite: [LOCAL_8080],
    check(r, server) {
      assert.equal(r.requests(), 2);
      assert.deepEqual(server.stats().statuses, { "201": 1, "204": 1 });
    },
  },
  {
    file: "test-suite/httpRequestParameterized.hf.yaml",
    params: (port) => ({ SERVER_PORT: String(port) }),
    check(r) {
      assert.equal(r.requests(), 2);
      assert.equal(r.result.stats.reduce((n, s) => n + s.summary.invalid, 0), 0);
    },
  },
  {
    file: "test-suite/iteration.hf.yaml",
    rewrite: [
      LOCAL_8080,
      [/duration: 3s/g, "duration: 300ms"],
      [/duration: 6s/g, "duration: 300ms"],
      [/duration: 1s/g, "duration: 100ms"],
    ],
    noRequests: true,
  },
  {
    file: "test-suite/loop.hf.yaml",
    rewrite: [LOCAL_8080, ["duration: 5s", "duration: 1s"]],
    // Overlapping sessions share the default single connection.
    allowFailures: BLOCKED,
  },
  {
    file: "test-suite/mutualTls.hf.yaml",
    rewrite: [LOCAL_8080, ["duration: 3s", "duration: 1s"], ["maxDuration: 5s", "maxDuration: 2s"]],
    noRequests: true,
  },
  {
    file: "test-suite/shortcut.hf.yaml",
    rewrite: [LOCAL_8080, ["duration: 3s", "duration: 1s"], ["maxDuration: 5s", "maxDuration: 2s"]],
    // 100 users/s on the default single connection.
    allowFailures: BLOCKED,
  },
  {
    file: "test-suite/simple.hf.yaml",
    rewrite: [LOCAL_8080, [/duration: [36]s/g, "duration: 700ms"]],
    allowFailures: BLOCKED,
    check(r) {
      // GET /foo answers 204: the counters see both responses and no session hangs.
      for (const p of ["rampUp", "steadyState", "rampDown"]) {
        const codes = r.all.stats.filter((s) => s.name === p).map((s) => statuses(s.total.summary));
        assert.ok(codes.length > 0, p);
        for (const c of codes) assert.equal(c["4xx"] + c["5xx"], 0, p);
      }
    },
  },
  {
    file: "test-suite/specialvars.hf.yaml",
    rewrite: [["http://example.com", "http://localhost:{PORT}"], [
      "duration: 2s",
      "duration: 150ms",
    ]],
    noRequests: true,
    check(r) {
      assert.equal(r.result.phases.length, 11);
    },
  },
  {
    file: "test-suite/staircase.hf.yaml",
    rewrite: [LOCAL_8080, [/Duration: (10|5)s/g, "Duration: 300ms"]],
    allowFailures: BLOCKED,
  },
  {
    file: "test-suite/start-with-delay.hf.yaml",
    rewrite: [
      LOCAL_8080,
      ["duration: 8s", "duration: 1500ms"],
      ["duration: 3s", "duration: 700ms"],
      ["delay: 4s", "delay: 500ms"],
    ],
    allowFailures: BLOCKED,
    check(r) {
      const start = (n: string) => r.result.phases.find((p) => p.name === n)!.startTime!;
      const delay = start("rampUp") - start("steadyState");
      assert.ok(delay >= 500 && delay < 1500, `rampUp started ${delay} ms after steadyState`);
    },
  },
  {
    file: "core/random-csv.hf.yaml",
    rewrite: [[/localhost:8099/g, "localhost:{PORT}"], [":8099", ":{PORT}"], [
      "duration: 30s",
      "duration: 1s",
    ]],
    allowFailures: BLOCKED,
    check(_r, server) {
      assert.ok((server.stats().routes["/echo-api/*"] ?? 0) > 0, JSON.stringify(server.stats()));
    },
  },
  { file: "test-suite/agents1.hf.yaml", skip: "no phases: parse only" },
  { file: "test-suite/agents2.hf.yaml", skip: "no phases: parse only" },
  {
    file: "test-suite/clusteredHttp.hf.yaml",
    skip: "SSH to localhost:22; clustered_test.ts runs clustered benchmarks on loopback sshds",
    params: (port) => ({ SERVER_PORT: String(port) }),
  },
  { file: "test-suite/complex.hf.yaml", skip: "agents on external hosts: parse only" },
  { file: "test-suite/hooks.hf.yaml", skip: "its hooks run commands 'foobar' and 'goo'" },
  { file: "test-suite/valid-authorities.hf.yaml", skip: "external hosts: parse only" },
  { file: "test-suite/wrong-authority.hf.yaml", skip: "invalid by design", rejected: true },
  { file: "test-suite/ambiguous-authority.hf.yaml", skip: "invalid by design", rejected: true },
]);
