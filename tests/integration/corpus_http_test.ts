/**
 * The corpus's `http/` files (Hyperfoil's http-module tests) against the
 * example server, which serves their routes (EXPECTATIONS §3). All take
 * `-P PORT`; every `fail` step in them must stay silent.
 *
 * | file | run? | why / how |
 * |---|---|---|
 * | CompressionTest | run | gzip bodies decoded: `short` and `long` 1 request, 1 2xx each |
 * | EmbeddedResourcesTest | run | 6 metrics: 3 sequences × 1 page, 3 resources × 3 fetches |
 * | TagAttributeHandlerTest | run | FORM actions collected (checked by its own `fail` steps) |
 * | FollowRedirectTest_manual, _location, _html, _always | run | 100 users on 10 connections block (as upstream); sums checked against the server's counters |
 */
import assert from "node:assert/strict";
import type { ExampleServer } from "../../src/example_server/mod.ts";
import { BENCHMARKS, BLOCKED, corpusTests, PORT_PARAM } from "./_corpus.ts";
import { exampleServer, hfRunFile, type Run, statuses } from "./_helpers.ts";

/** Status counts summed over every metric of the run (or the named ones). */
function sum(r: Run, metrics?: (m: string) => boolean) {
  const total = { "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0 };
  for (const s of r.all.stats) {
    if (metrics && !metrics(s.metric)) continue;
    const c = statuses(s.total.summary);
    for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += c[k];
  }
  return total;
}

function counters(server: ExampleServer) {
  const c = server.stats().counters;
  return { redirects: c.redirects ?? 0, notFound: c.notFound ?? 0 };
}

const USERS = 100;

corpusTests([
  {
    file: "http/CompressionTest.hf.yaml",
    params: PORT_PARAM,
    check(r) {
      for (const m of ["short", "long"]) {
        const s = r.total("testPhase", m);
        assert.equal(s.requestCount, 1, m);
        assert.equal(statuses(s)["2xx"], 1, m);
        assert.equal(s.invalid, 0, m);
      }
    },
  },
  {
    file: "http/EmbeddedResourcesTest.hf.yaml",
    params: PORT_PARAM,
    check(r) {
      // Distinct names: the resources are fetched by three different steps each.
      const metrics = [...new Set(r.metrics("testPhase"))].sort();
      assert.equal(metrics.length, 6, metrics.join(", "));
      for (const m of ["manual", "automatic", "legacy"]) {
        assert.equal(r.total("testPhase", m).requestCount, 1, m);
        assert.equal(statuses(r.total("testPhase", m))["2xx"], 1, m);
      }
      for (const ext of [".css", ".js", ".php"]) {
        const m = metrics.find((x) => x.endsWith(ext));
        assert.ok(m, `a metric ending in ${ext}: ${metrics.join(", ")}`);
        const total = r.all.stats.filter((s) => s.metric === m).reduce(
          (n, s) => n + statuses(s.total.summary)["2xx"],
          0,
        );
        assert.equal(total, 3, m);
      }
    },
  },
  { file: "http/TagAttributeHandlerTest.hf.yaml", params: PORT_PARAM },
  {
    file: "http/FollowRedirectTest_manual.hf.yaml",
    params: PORT_PARAM,
    allowFailures: BLOCKED,
    check(r, server) {
      const { redirects, notFound } = counters(server);
      const me = statuses(r.total("testPhase", "redirectMe"));
      assert.equal(me["3xx"], redirects);
      assert.equal(me["2xx"], USERS - redirects - notFound);
      assert.equal(me["4xx"], notFound);
      if (redirects > 0) {
        assert.equal(statuses(r.total("testPhase", "redirectMe_redirect"))["2xx"], redirects);
      }
    },
  },
  {
    file: "http/FollowRedirectTest_location.hf.yaml",
    params: PORT_PARAM,
    allowFailures: BLOCKED,
    check(r, server) {
      const { redirects, notFound } = counters(server);
      const metrics = r.metrics("testPhase");
      assert.ok(metrics.includes("redirectMe"));
      assert.ok(metrics.length <= 2, metrics.join(", "));
      assert.deepEqual(sum(r), {
        "2xx": USERS - notFound,
        "3xx": redirects,
        "4xx": notFound,
        "5xx": 0,
      });
    },
  },
  {
    file: "http/FollowRedirectTest_html.hf.yaml",
    params: PORT_PARAM,
    allowFailures: BLOCKED,
    check(r, server) {
      const { redirects, notFound } = counters(server);
      assert.deepEqual(sum(r), {
        "2xx": USERS + redirects - notFound,
        "3xx": 0,
        "4xx": notFound,
        "5xx": 0,
      });
    },
  },
  {
    file: "http/FollowRedirectTest_always.hf.yaml",
    params: PORT_PARAM,
    allowFailures: BLOCKED,
    check(r, server) {
      const { notFound } = counters(server);
      assert.equal(sum(r)["4xx"], notFound);
      assert.equal(sum(r)["5xx"], 0);
      const me = statuses(r.total("testPhase", "redirectMe"));
      const first = me["2xx"] + me["3xx"];
      assert.ok(first >= USERS - notFound && first <= USERS, `redirectMe 2xx+3xx ${first}`);
    },
  },
]);

Deno.test("hf run http/CompressionTest.hf.yaml -P PORT=… runs the corpus file as it is", async () => {
  await using server = exampleServer();
  const { code, stdout, stderr } = await hfRunFile(`${BENCHMARKS}http/CompressionTest.hf.yaml`, [
    "-P",
    `PORT=${server.port}`,
  ]);
  assert.equal(code, 0, `stdout:\n${stdout}\nstderr:\n${stderr}`);
  assert.match(stdout, /\ntestPhase\s+short\s+.*\s1\s+0\s+0\s+0\s+\d+\s*\n/);
  assert.match(stdout, /\ntestPhase\s+long\s/);
  assert.equal(server.stats().statuses["200"], 2);
});
