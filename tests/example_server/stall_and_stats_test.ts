import assert from "node:assert/strict";
import { startExampleServer } from "../../src/example_server/mod.ts";
import { fetchText } from "./_helpers.ts";

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Milliseconds from `t0` until `url` answered. */
async function answeredAt(url: string, t0: number, init?: RequestInit): Promise<number> {
  const res = await fetchText(url, init);
  assert.ok(res.status < 500, `${url}: ${res.status}`);
  return performance.now() - t0;
}

Deno.test("stall(300, 100) holds every response ready in its window until the window ends", async () => {
  await using server = startExampleServer({ port: 0 });
  const t0 = performance.now();
  server.stall(300, 100);
  const before = await answeredAt(`${server.url}/hello`, t0);
  // Sent before the window, ready inside it: held too.
  const delayed = answeredAt(`${server.url}/delay?ms=200`, t0);
  await delay(150 - (performance.now() - t0));
  const during = answeredAt(`${server.url}/json`, t0);
  const admin = await answeredAt(`${server.url}/admin/stats`, t0);
  await delay(450 - (performance.now() - t0));
  const after = await answeredAt(`${server.url}/hello`, t0);
  assert.ok(before < 90, `before the window: ${before} ms`);
  assert.ok(admin < 300, `admin routes are not stalled: ${admin} ms`);
  for (const [what, at] of [["delayed", await delayed], ["during", await during]] as const) {
    assert.ok(at >= 395 && at < 600, `${what}: answered at ${at} ms, expected ≈ 400`);
  }
  assert.ok(after - 450 < 90, `after the window: answered ${after - 450} ms after sending`);
});

Deno.test("POST /admin/stall stalls responses over HTTP and DELETE cancels", async () => {
  await using server = startExampleServer({ port: 0 });
  const set = await fetchText(`${server.url}/admin/stall?ms=200`, { method: "POST" });
  assert.equal(set.status, 200);
  assert.deepEqual(JSON.parse(set.body), { stallMs: 200, afterMs: 0 });
  const t0 = performance.now();
  const held = await answeredAt(`${server.url}/hello`, t0);
  assert.ok(held >= 180 && held < 500, `held ${held} ms`);

  await fetchText(`${server.url}/admin/stall?ms=5000`, { method: "POST" });
  await fetchText(`${server.url}/admin/stall`, { method: "DELETE" });
  const t1 = performance.now();
  assert.ok(await answeredAt(`${server.url}/hello`, t1) < 200);
  assert.equal((await fetchText(`${server.url}/admin/stall?ms=x`, { method: "POST" })).status, 400);
  assert.equal((await fetchText(`${server.url}/admin/stall?ms=1`)).status, 405);
});

Deno.test("close() releases stalled and delayed requests at once", async () => {
  const server = startExampleServer({ port: 0 });
  server.stall(10_000);
  const t0 = performance.now();
  const stalled = fetchText(`${server.url}/hello`);
  const delayed = fetchText(`${server.url}/delay?ms=10000`);
  await delay(50);
  await server.close();
  await Promise.allSettled([stalled, delayed]);
  assert.ok(performance.now() - t0 < 2000);
});

Deno.test("/admin/stats counts requests per route and responses per status; reset zeroes them", async () => {
  await using server = startExampleServer({ port: 0 });
  for (let i = 0; i < 5; i++) await fetchText(`${server.url}/hello`);
  for (let i = 0; i < 3; i++) await fetchText(`${server.url}/status/201`);
  await fetchText(`${server.url}/nowhere`);
  await fetchText(`${server.url}/quickstarts/eshop/items/418/buy`, { method: "POST" });
  const stats = JSON.parse((await fetchText(`${server.url}/admin/stats`)).body);
  assert.deepEqual(stats, {
    requests: 10,
    routes: {
      "/hello": 5,
      "/status/:code": 3,
      "(not found)": 1,
      "/quickstarts/eshop/items/:id/buy": 1,
    },
    statuses: { "200": 6, "201": 3, "404": 1 },
    counters: {},
  });
  assert.deepEqual(server.stats(), stats);
  const reset = await fetchText(`${server.url}/admin/reset`, { method: "POST" });
  assert.equal(reset.status, 200);
  assert.deepEqual(server.stats(), { requests: 0, routes: {}, statuses: {}, counters: {} });
  await fetchText(server.url);
  server.resetStats();
  assert.equal(server.stats().requests, 0);
});

Deno.test("an aborted signal closes the server", async () => {
  const stop = new AbortController();
  const server = startExampleServer({ port: 0, signal: stop.signal });
  assert.equal((await fetchText(server.url)).status, 200);
  stop.abort();
  await server.finished;
  await assert.rejects(fetch(server.url));
});
