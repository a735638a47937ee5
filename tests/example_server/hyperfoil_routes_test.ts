import assert from "node:assert/strict";
import { startExampleServer } from "../../src/example_server/mod.ts";
import { dechunk, fetchText, gunzipText, rawRequest } from "./_helpers.ts";

const PRESERVE = { "x-preserve": "repeat me with redirect" };

Deno.test("redirect test routes: 303 / meta refresh / 200 / 404 split, counted as redirects and notFound", async () => {
  await using server = startExampleServer({ port: 0 });
  const seen = new Map<string, number>();
  const tally = (key: string) => seen.set(key, (seen.get(key) ?? 0) + 1);
  for (let i = 0; i < 60; i++) {
    const res = await fetchText(`${server.url}/redirectMeSomehow?allowRecurse=yes`, {
      headers: PRESERVE,
    });
    assert.equal(res.headers.get("cache-control"), "no-store");
    if (res.status === 303) {
      assert.match(
        res.headers.get("location")!,
        /^\/(somewhereElse|redirectMeSomehow\?allowRecurse=yes)$/,
      );
      tally("location");
    } else if (res.status === 404) {
      assert.equal(res.body, "Not Found (sort of)");
      tally("notFound");
    } else if (res.body.includes("http-equiv")) {
      assert.equal(res.status, 200);
      assert.match(res.body, /<meta http-equiv="refresh" content="[01]; url=\/\S+" \/>/);
      tally("html");
    } else {
      assert.equal(res.body, "this is the response");
      tally("found");
    }
  }
  const { counters } = server.stats();
  assert.equal(counters.redirects, (seen.get("location") ?? 0) + (seen.get("html") ?? 0));
  assert.equal(counters.notFound ?? 0, seen.get("notFound") ?? 0);
  assert.ok((seen.get("location") ?? 0) > 0 && (seen.get("html") ?? 0) > 0, `${[...seen]}`);
  // Without allowRecurse every redirect goes to /somewhereElse.
  for (let i = 0; i < 20; i++) {
    const res = await fetchText(`${server.url}/redirectMeViaLocation`, { headers: PRESERVE });
    if (res.status === 303) assert.equal(res.headers.get("location"), "/somewhereElse");
  }
  const final = await fetchText(`${server.url}/somewhereElse`, { headers: PRESERVE });
  assert.equal(final.body, "this is the response");
});

Deno.test("redirect test routes answer 500 without the x-preserve header", async () => {
  await using server = startExampleServer({ port: 0 });
  for (const path of ["/redirectMeViaLocation", "/redirectMeViaHtml", "/somewhereElse"]) {
    const res = await fetchText(server.url + path, { headers: { "x-preserve": "other" } });
    assert.equal(res.status, 500, path);
    assert.equal(res.headers.get("cache-control"), "no-store");
  }
});

Deno.test("/foobar/index.html comes in two chunks 100 ms apart, split before <body>", async () => {
  await using server = startExampleServer({ port: 0 });
  const start = performance.now();
  const raw = await rawRequest(server.port, "GET", "/foobar/index.html");
  const elapsed = performance.now() - start;
  assert.equal(raw.status, 200);
  assert.equal(raw.headers.get("cache-control"), "no-store");
  assert.equal(raw.headers.get("transfer-encoding"), "chunked");
  const [head, body, ...rest] = dechunk(raw.body).map((c) => new TextDecoder().decode(c));
  assert.equal(rest.length, 0);
  assert.ok(body.startsWith("<body>"));
  assert.ok(elapsed >= 95, `took ${elapsed} ms`);
  const page = head + body;
  for (const ref of ["../styles/style.css", "stuff.js", "http://imageshack.com/pic.png"]) {
    assert.ok(page.includes(`"${ref}"`), ref);
  }
  assert.ok(page.includes('"/generate.php?foo=bar"'));
  assert.match(page, /<script>[^<]*<[^/]/, "an inline script contains '<'");
  assert.match(page, /<!--.*-->/);
  const actions = [...page.matchAll(/<form[^>]*action="([^"]+)"/gi)].map((m) => m[1]);
  assert.deepEqual(actions, ["run_some.php", "no_content.php"]);
});

Deno.test("embedded resources resolve, dot segments included, with no-store", async () => {
  await using server = startExampleServer({ port: 0 });
  for (
    const target of ["/foobar/../styles/style.css", "/foobar/stuff.js", "/generate.php?foo=bar"]
  ) {
    const raw = await rawRequest(server.port, "GET", target);
    assert.equal(raw.status, 200, target);
    assert.equal(raw.headers.get("cache-control"), "no-store", target);
  }
});

Deno.test("/short and /long are gzip-encoded, 400 without Accept-Encoding: gzip", async () => {
  await using server = startExampleServer({ port: 0 });
  const short = await rawRequest(server.port, "GET", "/short", { "accept-encoding": "gzip" });
  assert.equal(short.headers.get("content-encoding"), "gzip");
  assert.equal(await gunzipText(short.body.slice()), "Short message to be encoded.");
  const long = await rawRequest(server.port, "GET", "/long", { "accept-encoding": "gzip" });
  assert.match(await gunzipText(long.body.slice()), /^[A-Z]{10000}$/);
  for (const path of ["/short", "/long"]) {
    const plain = await rawRequest(server.port, "GET", path);
    assert.equal(plain.status, 400, path);
    assert.equal(plain.headers.get("cache-control"), "no-store");
  }
});

Deno.test("JsonReplaceTest routes: /get gives age 33, /post wants age 34", async () => {
  await using server = startExampleServer({ port: 0 });
  const got = await fetchText(`${server.url}/get`);
  assert.deepEqual(JSON.parse(got.body), { name: "John Doe", age: 33 });
  const post = (body: string) => fetchText(`${server.url}/post`, { method: "POST", body });
  assert.equal((await post('{"name":"John Doe","age":34}')).status, 200);
  assert.equal((await post('{"name":"John Doe","age":33}')).status, 400);
  assert.equal((await post("not json")).status, 400);
});

Deno.test("/echo-api/... answers for random-csv", async () => {
  await using server = startExampleServer({ port: 0 });
  const res = await fetchText(`${server.url}/echo-api/11?app_id=64646060&key_id=5731751351351`, {
    headers: { host: "localhost" },
  });
  assert.equal(res.status, 200);
  const echoed = JSON.parse(res.body);
  assert.equal(echoed.path, "/echo-api/11");
  assert.equal(echoed.query.app_id, "64646060");
});
