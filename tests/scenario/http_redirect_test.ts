/**
 * `followRedirect`: Location redirects and meta refreshes followed
 * automatically, with Hyperfoil's metrics (the original request keeps its
 * metric and 3xx; the follow-ups go to `<sequence>_redirect_<8 hex>`), the
 * original headers repeated, and the sync step completing with the final
 * response only.
 */
import assert from "node:assert/strict";
import { benchYaml, load, run, serve } from "./http_harness_test.ts";

const REDIRECT_METRIC = /^redirectMe_redirect_[0-9a-f]{8}$/;

/** `/hop/N` redirects to `/hop/N-1` … `/hop/0` to `/somewhereElse`; every request must carry x-preserve. */
function redirectServer(kind: "location" | "html", delay = 0) {
  return serve(async (req, url) => {
    if (req.headers.get("x-preserve") !== "repeat me with redirect") {
      return new Response("missing header", { status: 500 });
    }
    if (url.pathname === "/somewhereElse") {
      return new Response("this is the response", { headers: { "cache-control": "no-store" } });
    }
    if (url.pathname === "/post") {
      return new Response(null, { status: 307, headers: { location: "/echo" } });
    }
    if (url.pathname === "/echo") return new Response(`${req.method} ${await req.text()}`);
    const n = Number(url.pathname.split("/")[2]);
    const target = n > 0 ? `${n - 1}` : "/somewhereElse";
    if (kind === "location") {
      return new Response(null, {
        status: n % 2 === 0 ? 303 : 302,
        headers: { location: target, "cache-control": "no-store" },
      });
    }
    return new Response(
      `<html><head><META http-equiv="Refresh" content="${delay}; URL=${target}"></head></html>`,
      { headers: { "content-type": "text/html", "cache-control": "no-store" } },
    );
  });
}

const scenario = (path: string, follow: string) => `
  - redirectMe:
    - unset: actualBody
    - httpRequest:
        GET: ${path}
        headers:
          x-preserve: repeat me with redirect
        handler:
          followRedirect: ${follow}
          body:
            store: actualBody
          onCompletion:
            addToInt: { var: completions, value: 1, orElseSetTo: 1 }
    - fail:
        message: wrong response
        stringCondition:
          fromVar: actualBody
          notEqualTo: this is the response
`;

Deno.test("LOCATION_ONLY follows a chain of redirects; handlers see only the final response", async () => {
  await using server = redirectServer("location");
  const r = await run(
    load(benchYaml({ users: 3, scenario: scenario("/hop/2", "LOCATION_ONLY") }), server.port),
  );
  assert.deepEqual(r.failures, []);
  assert.equal(r.metrics.length, 2, r.metrics.join(", "));
  const original = r.stats("redirectMe");
  assert.equal(original.requestCount, 3);
  assert.equal(original.status3xx, 3);
  assert.equal(original.status2xx, 0);
  const follow = r.stats(r.metrics.find((m) => REDIRECT_METRIC.test(m))!);
  assert.equal(follow.status3xx, 6, "/hop/1 and /hop/0 of each session");
  assert.equal(follow.status2xx, 3);
  assert.equal(follow.invalid + original.invalid, 0);
  assert.equal(r.v("completions", 0), 1, "onCompletion runs once, for the final response");
  assert.equal(r.v("actualBody", 2), "this is the response");
  assert.equal(server.hits.get("/somewhereElse"), 3);
});

Deno.test("NEVER leaves the redirect to the scenario", async () => {
  await using server = redirectServer("location");
  const r = await run(load(
    benchYaml({
      scenario: `
        - redirectMe:
          - httpRequest:
              GET: /hop/0
              headers:
                x-preserve: repeat me with redirect
              handler:
                header:
                  filter:
                    header: location
                    processor:
                      store: where
      `,
    }),
    server.port,
  ));
  assert.deepEqual(r.failures, []);
  assert.deepEqual(r.metrics, ["redirectMe"]);
  assert.equal(r.stats("redirectMe").status3xx, 1);
  assert.equal(r.v("where"), "/somewhereElse");
});

Deno.test("a 307 redirect repeats the method and the body", async () => {
  await using server = redirectServer("location");
  const r = await run(load(
    benchYaml({
      ergonomics: "followRedirect: LOCATION_ONLY",
      scenario: `
        - redirectMe:
          - httpRequest:
              POST: /post
              headers:
                x-preserve: repeat me with redirect
              body: payload
              handler:
                body:
                  store: echoed
      `,
    }),
    server.port,
  ));
  assert.deepEqual(r.failures, []);
  assert.equal(r.v("echoed"), "POST payload");
});

Deno.test("HTML_ONLY follows meta refresh, after its delay", async () => {
  await using server = redirectServer("html", 0);
  const r = await run(
    load(benchYaml({ users: 2, scenario: scenario("/hop/1", "HTML_ONLY") }), server.port),
  );
  assert.deepEqual(r.failures, []);
  const original = r.stats("redirectMe");
  assert.equal(original.status2xx, 2);
  assert.equal(original.status3xx, 0);
  const follow = r.stats(r.metrics.find((m) => REDIRECT_METRIC.test(m))!);
  assert.equal(follow.status2xx, 4, "/hop/0 and /somewhereElse of each session");
  assert.equal(follow.status3xx, 0);
  assert.equal(r.v("completions", 1), 1);

  await using slow = redirectServer("html", 1);
  const t0 = performance.now();
  const r2 = await run(load(benchYaml({ scenario: scenario("/hop/0", "HTML_ONLY") }), slow.port));
  const ms = performance.now() - t0;
  assert.deepEqual(r2.failures, []);
  assert.ok(ms >= 990, `the refresh waited ${ms} ms`);
  assert.equal(r2.v("actualBody"), "this is the response");
});
