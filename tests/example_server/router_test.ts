import assert from "node:assert/strict";
import { requestTarget, resolveDotSegments } from "../../src/example_server/request_target.ts";
import { NOT_FOUND_ROUTE, Router } from "../../src/example_server/router.ts";

Deno.test("requestTarget splits path and query without building a URL", () => {
  assert.deepEqual(requestTarget("http://127.0.0.1:8080/hello"), { path: "/hello", query: "" });
  assert.deepEqual(requestTarget("http://h:1/a/b?x=1&y=2"), { path: "/a/b", query: "x=1&y=2" });
  assert.deepEqual(requestTarget("http://h:1"), { path: "/", query: "" });
  assert.deepEqual(requestTarget("http://h:1/?q"), { path: "/", query: "q" });
  assert.deepEqual(requestTarget("http://h:1/foobar/../styles/style.css"), {
    path: "/styles/style.css",
    query: "",
  });
});

Deno.test("resolveDotSegments follows RFC 3986", () => {
  assert.equal(resolveDotSegments("/a/b/../c"), "/a/c");
  assert.equal(resolveDotSegments("/a/./b/."), "/a/b/");
  assert.equal(resolveDotSegments("/../../x"), "/x");
  assert.equal(resolveDotSegments("/a/b/.."), "/a/");
});

Deno.test("Router matches static paths, decoded :params and * tails, first pattern first", () => {
  const ok = () => new Response("ok");
  const router = new Router()
    .add("/a", ok)
    .add("/m/:name/watch", ok)
    .add("/m/special/watch", ok)
    .add("/files/*", ok);
  assert.equal(router.match("/a").route.pattern, "/a");
  const movie = router.match("/m/The%20Matrix/watch");
  assert.equal(movie.route.pattern, "/m/:name/watch");
  assert.deepEqual(movie.params, { name: "The Matrix" });
  assert.equal(router.match("/m/special/watch").route.pattern, "/m/special/watch");
  assert.deepEqual(router.match("/files/x/y.png").params, { "*": "x/y.png" });
  assert.equal(router.match("/m//watch").route, NOT_FOUND_ROUTE);
  assert.equal(router.match("/m/x/watch/more").route, NOT_FOUND_ROUTE);
  assert.throws(() => router.add("/a", ok), /Route '\/a' is defined twice/);
});
