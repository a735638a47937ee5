import assert from "node:assert/strict";
import { startExampleServer } from "../../src/example_server/mod.ts";
import { dechunk, fetchText, gunzipText, rawRequest } from "./_helpers.ts";

Deno.test("/ and /hello answer 200 'hello world' as text/plain", async () => {
  await using server = startExampleServer({ port: 0 });
  for (const path of ["/", "/hello"]) {
    const res = await fetchText(server.url + path);
    assert.equal(res.status, 200);
    assert.equal(res.body, "hello world\n");
    assert.match(res.headers.get("content-type")!, /^text\/plain/);
    assert.equal(res.headers.get("content-length"), "12");
  }
});

Deno.test("/json answers a small JSON document", async () => {
  await using server = startExampleServer({ port: 0 });
  const res = await fetchText(`${server.url}/json`, { headers: { accept: "application/json" } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/json");
  assert.equal(JSON.parse(res.body).message, "hello world");
});

Deno.test("/delay waits the given milliseconds and rejects bad values", async () => {
  await using server = startExampleServer({ port: 0 });
  const start = performance.now();
  const res = await fetchText(`${server.url}/delay?ms=150`);
  const elapsed = performance.now() - start;
  assert.equal(res.status, 200);
  assert.equal(res.body, "delayed 150 ms\n");
  assert.ok(elapsed >= 145 && elapsed < 1000, `took ${elapsed} ms`);
  assert.equal((await fetchText(`${server.url}/delay?ms=soon`)).status, 400);
});

Deno.test("/status/NNN answers that status, without a body for 204 and 304", async () => {
  await using server = startExampleServer({ port: 0 });
  for (const code of [200, 201, 404, 418, 500, 503]) {
    const res = await fetchText(`${server.url}/status/${code}`);
    assert.equal(res.status, code);
    assert.equal(res.body, `status ${code}\n`);
  }
  for (const code of [204, 304]) {
    const raw = await rawRequest(server.port, "GET", `/status/${code}`);
    assert.equal(raw.status, code);
    assert.equal(raw.body.length, 0);
    assert.equal(raw.headers.get("transfer-encoding"), undefined);
  }
  assert.equal((await fetchText(`${server.url}/status/99`)).status, 400);
  assert.equal((await fetchText(`${server.url}/status/abc`)).status, 400);
});

Deno.test("/bytes/N answers exactly N bytes, up to 64 MiB", async () => {
  await using server = startExampleServer({ port: 0 });
  for (const n of [0, 1, 1000, 65536, 200_000]) {
    const res = await fetch(`${server.url}/bytes/${n}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-length"), String(n));
    const body = await res.bytes();
    assert.equal(body.length, n);
    if (n > 70000) assert.equal(body[65536 + 3], body[3], "the pattern repeats past 64 KiB");
  }
  assert.equal((await fetchText(`${server.url}/bytes/${64 * 1024 * 1024 + 1}`)).status, 400);
});

Deno.test("/redirect sends 302 to 'to'; /redirect/N chains N hops ending at /", async () => {
  await using server = startExampleServer({ port: 0 });
  const to = await fetchText(`${server.url}/redirect?to=${encodeURIComponent("/json?x=1")}`);
  assert.equal(to.status, 302);
  assert.equal(to.headers.get("location"), "/json?x=1");
  const moved = await fetchText(`${server.url}/redirect?to=/hello&status=301`);
  assert.equal(moved.status, 301);
  const hops: string[] = [];
  for (let path = "/redirect/3"; path !== "/";) {
    const res = await fetchText(server.url + path);
    assert.equal(res.status, 302);
    path = res.headers.get("location")!;
    hops.push(path);
  }
  assert.deepEqual(hops, ["/redirect/2", "/redirect/1", "/"]);
  const followed = await fetch(`${server.url}/redirect/2`);
  assert.equal(await followed.text(), "hello world\n");
  assert.equal((await fetchText(`${server.url}/redirect/0`)).status, 400);
});

Deno.test("/echo answers method, path, query, headers and body as JSON", async () => {
  await using server = startExampleServer({ port: 0 });
  const res = await fetchText(`${server.url}/echo?a=1&b=two`, {
    method: "POST",
    headers: { "x-test": "yes", "content-type": "text/plain" },
    body: "the body",
  });
  assert.equal(res.status, 200);
  const echoed = JSON.parse(res.body);
  assert.equal(echoed.method, "POST");
  assert.equal(echoed.path, "/echo");
  assert.deepEqual(echoed.query, { a: "1", b: "two" });
  assert.equal(echoed.headers["x-test"], "yes");
  assert.equal(echoed.body, "the body");
});

Deno.test("/html embeds a stylesheet, a script and an image that the server serves", async () => {
  await using server = startExampleServer({ port: 0 });
  const page = await fetchText(`${server.url}/html`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type")!, /^text\/html/);
  const refs = [...page.body.matchAll(/<(?:img|script|link)[^>]*(?:src|href)="([^"]+)"/g)]
    .map((m) => m[1]);
  assert.equal(refs.length, 3);
  const types = [];
  for (const ref of refs) {
    const res = await fetch(new URL(ref, `${server.url}/html`));
    await res.body?.cancel();
    assert.equal(res.status, 200, ref);
    types.push(res.headers.get("content-type")!.split(";")[0]);
  }
  assert.deepEqual(types.sort(), ["image/png", "text/css", "text/javascript"]);
});

Deno.test("/chunked sends a chunked body in several parts", async () => {
  await using server = startExampleServer({ port: 0 });
  const raw = await rawRequest(server.port, "GET", "/chunked?parts=3&gap=5");
  assert.equal(raw.status, 200);
  assert.equal(raw.headers.get("transfer-encoding"), "chunked");
  const parts = dechunk(raw.body).map((c) => new TextDecoder().decode(c));
  assert.deepEqual(parts, ["part 1 of 3\n", "part 2 of 3\n", "part 3 of 3\n"]);
  const fetched = await fetchText(`${server.url}/chunked`);
  assert.equal(fetched.body.split("\n").filter((l) => l).length, 4);
});

Deno.test("/gzip is gzip-encoded only when the client accepts gzip", async () => {
  await using server = startExampleServer({ port: 0 });
  const zipped = await rawRequest(server.port, "GET", "/gzip", { "accept-encoding": "gzip" });
  assert.equal(zipped.status, 200);
  assert.equal(zipped.headers.get("content-encoding"), "gzip");
  const text = await gunzipText(zipped.body.slice());
  assert.ok(text.startsWith("hello gzip world\n"));
  assert.ok(zipped.body.length < text.length / 4, "the body is compressed");
  const plain = await rawRequest(server.port, "GET", "/gzip");
  assert.equal(plain.headers.get("content-encoding"), undefined);
  assert.equal(new TextDecoder().decode(plain.body), text);
});

Deno.test("/cookie/check answers 200 only when the cookie of /cookie/set comes back", async () => {
  await using server = startExampleServer({ port: 0 });
  const set = await fetchText(`${server.url}/cookie/set`);
  assert.equal(set.status, 200);
  const cookie = set.headers.get("set-cookie")!.split(";")[0];
  assert.match(cookie, /^hf-session=[\w-]+$/);
  assert.equal((await fetchText(`${server.url}/cookie/check`)).status, 401);
  const back = await fetchText(`${server.url}/cookie/check`, {
    headers: { cookie: `other=1; ${cookie}` },
  });
  assert.equal(back.status, 200);
});

Deno.test("/foo answers 204 to GET and 201 to PUT; /foo/* and corpus paths answer 2xx", async () => {
  await using server = startExampleServer({ port: 0 });
  assert.equal((await fetchText(`${server.url}/foo`)).status, 204);
  assert.equal((await fetchText(`${server.url}/foo?bar=y`, { method: "PUT" })).status, 201);
  assert.equal(
    (await fetchText(`${server.url}/foo/bar`, { method: "POST", body: "{}" })).status,
    200,
  );
  for (const path of ["/foo/cats", "/index.html", "/api/fruits-normal", "/cats", "/docs"]) {
    assert.equal((await fetchText(server.url + path)).status, 200, path);
  }
  const missing = await fetchText(`${server.url}/no/such/path`);
  assert.equal(missing.status, 404);
  assert.equal(missing.body, "No route for '/no/such/path'\n");
});

Deno.test("eshop quickstart: 3 items 418, 420, 450; buy and restock answer 200", async () => {
  await using server = startExampleServer({ port: 0 });
  const items = await fetchText(`${server.url}/quickstarts/eshop/items`);
  assert.deepEqual(JSON.parse(items.body).map((i: { id: number }) => i.id), [418, 420, 450]);
  const base = `${server.url}/quickstarts/eshop/items`;
  assert.equal((await fetchText(`${base}/418/buy`, { method: "POST" })).status, 200);
  const restock = await fetchText(`${base}/7/restock`, {
    method: "POST",
    body: new URLSearchParams({ addUnits: "3" }),
  });
  assert.equal(restock.status, 200);
  assert.equal((await fetchText(`${base}/418/buy`)).status, 405);
});

Deno.test("choose-movie quickstart: profile, 4 movies, comments and watch by URL-encoded name", async () => {
  await using server = startExampleServer({ port: 0 });
  const base = `${server.url}/quickstarts/choose-movie`;
  const profile = await fetchText(`${base}/profile?user=jackiechan`);
  assert.equal(JSON.parse(profile.body).user, "jackiechan");
  const movies = JSON.parse((await fetchText(`${base}/movies`)).body) as {
    name: string;
    quality: number;
  }[];
  assert.deepEqual(movies.map((m) => m.quality), [73, 89, 87, 8]);
  for (const { name } of movies) {
    const movie = `${base}/movie/${encodeURIComponent(name)}`;
    const comment = await fetchText(`${movie}/comments`, { method: "POST", body: "Bad." });
    assert.equal(comment.status, 200, name);
    assert.equal((await fetchText(`${movie}/watch`)).status, 200, name);
  }
  assert.equal((await fetchText(`${base}/movie/Nope/watch`)).status, 404);
});

Deno.test("random-urls quickstart: index.html and foo.png 200, bar.png 300, others 404", async () => {
  await using server = startExampleServer({ port: 0 });
  const base = `${server.url}/quickstarts/random-urls/`;
  const statuses = [];
  for (const name of ["index.html", "foo.png", "bar.png", "this-returns-404.png"]) {
    statuses.push((await fetchText(base + name)).status);
  }
  assert.deepEqual(statuses, [200, 200, 300, 404]);
});
