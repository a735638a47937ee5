/**
 * The corpus's `examples/` against the example server, which serves the
 * quickstart mock routes (EXPECTATIONS §6).
 *
 * | file | run? | why / how |
 * |---|---|---|
 * | choose-movie | run | host rewritten; 5 s → 1 s, think time 3 s → 300 ms; comments only on movies < 80 |
 * | divide | run | host rewritten (no request is sent); 5 s → 1 s |
 * | eshop | run | host rewritten; 10 s → 1 s, think time 2 s → 200 ms |
 * | eshop-forks | run | host rewritten; 10 iterations of 5 s/10 s → 60 ms/60 ms (40 chained phases) |
 * | eshop-scale | run | host rewritten; 10 iterations of 5 s/10 s → 60 ms/60 ms (44 phases) |
 * | random-urls | run | host rewritten; 5 s → 1 s; 404s are expected (status range 2xx) |
 * | staircase | run | host rewritten; 10 s/5 s → 300 ms (6 chained phases) |
 * | http-requests | run | external host example.com → the server, which serves its paths; 1 → 5 users/s |
 * | single-request | run | external host hyperfoil.io → the server (GET /) |
 * | first-benchmark | run | external https://hyperfoil.io → the server over http; 10 s → 1 s |
 * | more-servers | no | three external hosts (one https) chosen at run time: parse only |
 * | credentials | no | needs the credentials mock server (TLS on 8084, /howto/credentials/…) |
 * | two-agents | no | deploys over SSH to localhost:22 (clustered_test.ts runs this shape on loopback sshds) |
 * | k8s-hello-world | no | a Kubernetes agent and an in-cluster https target |
 */
import assert from "node:assert/strict";
import { BLOCKED, corpusTests, LOCAL_8080, runEntry } from "./_corpus.ts";
import { statuses } from "./_helpers.ts";

const CHOOSE_MOVIE_REWRITES: [string, string][] = [
  ["localhost:8080", "localhost:{PORT}"],
  ["duration: 5s", "duration: 1s"],
  ["duration: 3s", "duration: 300ms"],
];

corpusTests([
  {
    file: "examples/choose-movie.hf.yaml",
    rewrite: CHOOSE_MOVIE_REWRITES,
    check(r) {
      assert.ok(r.total("main", "profile").requestCount > 0);
    },
  },
  {
    file: "examples/divide.hf.yaml",
    rewrite: [LOCAL_8080, ["duration: 5s", "duration: 1s"]],
    noRequests: true,
  },
  {
    file: "examples/eshop.hf.yaml",
    rewrite: [LOCAL_8080, [/duration: 10s/g, "duration: 1s"], ["duration: 2s", "duration: 200ms"]],
    check(r) {
      assert.ok(r.requests("browsingUser") > 0);
      assert.ok(r.total("buyingUser", "buy").requestCount > 0);
      assert.ok(r.total("operator", "restock").requestCount >= 5);
    },
  },
  {
    file: "examples/eshop-forks.hf.yaml",
    rewrite: [LOCAL_8080, [/duration: (5|10)s/g, "duration: 60ms"]],
    check(r) {
      assert.equal(r.result.phases.length, 62);
    },
  },
  {
    file: "examples/eshop-scale.hf.yaml",
    rewrite: [LOCAL_8080, [/duration: (5|10)s/g, "duration: 60ms"]],
    check(r) {
      assert.equal(r.result.phases.length, 44);
    },
  },
  {
    file: "examples/random-urls.hf.yaml",
    rewrite: [LOCAL_8080, ["duration: 5s", "duration: 1s"]],
    check(r) {
      const metrics = new Set(r.metrics("main"));
      for (const m of metrics) assert.ok(m === "pages" || m === "images", m);
      if (metrics.has("pages")) {
        const p = statuses(r.total("main", "pages"));
        assert.equal(p["3xx"] + p["4xx"] + p["5xx"], 0);
      }
    },
  },
  {
    file: "examples/staircase.hf.yaml",
    rewrite: [LOCAL_8080, [/Duration: (10|5)s/g, "Duration: 300ms"]],
    allowFailures: BLOCKED,
  },
  {
    file: "examples/http-requests.hf.yaml",
    // 1 user/s for 1 s is no user at all one time in e (Poisson): 5/s.
    rewrite: [["http://example.com", "http://localhost:{PORT}"], [
      "usersPerSec: 1\n",
      "usersPerSec: 5\n",
    ]],
    // Its own tough SLAs (mean < 10 ms…) may fail on a loaded machine, and overlapping
    // sessions block on the default single connection.
    allowFailures: /exceeded|^Progress was blocked/,
    check(r) {
      const metrics = new Set(r.metrics("main"));
      for (const m of ["jsonBody", "formBody", "bodyFromFile", "customHeaders", "toughSLAs"]) {
        assert.ok(metrics.has(m), `${m} in ${[...metrics].join(", ")}`);
      }
      assert.ok(metrics.has("mammals"));
    },
  },
  {
    file: "examples/single-request.hf.yaml",
    rewrite: [["http://hyperfoil.io", "http://localhost:{PORT}"]],
    check(r) {
      assert.equal(r.total("example", "test").requestCount, 1);
    },
  },
  {
    file: "examples/first-benchmark.hf.yaml",
    rewrite: [["https://hyperfoil.io", "http://localhost:{PORT}"], [
      "duration: 10s",
      "duration: 1s",
    ]],
  },
  { file: "examples/more-servers.hf.yaml", skip: "external hosts: parse only" },
  { file: "examples/credentials.hf.yaml", skip: "needs the credentials mock server on 8084" },
  {
    file: "examples/two-agents.hf.yaml",
    skip: "SSH to localhost:22; clustered_test.ts runs this shape on loopback sshds",
  },
  {
    file: "examples/k8s-hello-world.hf.yaml",
    skip: "a Kubernetes agent and an in-cluster https target",
  },
]);

// `${urlencode:…}` writes spaces as '+' (Hyperfoil's URLEncoder); the server must read them back.
Deno.test({
  name: "corpus examples/choose-movie.hf.yaml: each session comments twice and watches a movie",
  fn: async () => {
    const o = await runEntry({
      file: "examples/choose-movie.hf.yaml",
      rewrite: CHOOSE_MOVIE_REWRITES,
    });
    if (o.error !== undefined) throw o.error;
    const r = o.run!;
    const sessions = r.total("main", "profile").requestCount;
    assert.ok(sessions > 0);
    assert.equal(r.total("main", "movies").requestCount, sessions);
    // Two of the four movies are below quality 80: two comments per session.
    assert.equal(statuses(r.total("main", "addComment"))["2xx"], 2 * sessions);
    assert.equal(statuses(r.total("main", "watchMovie"))["2xx"], sessions);
    assert.equal(o.server!.stats().statuses["404"], undefined, "every movie name was understood");
  },
});
