/**
 * The session driver of a lone plain `httpRequest` (the shape `hf wrk`
 * generates): which scenarios take it, and that it records exactly what the
 * generic step path records for the same run (counts, statuses, invalid
 * responses, timeouts, resets, transfer sizes, blocked time, latency from the
 * schedule under compensateInternalLatency).
 */
import assert from "node:assert/strict";
import type { StatsData } from "../../src/stats/stats_data.ts";
import { compileScenario, newStepIds } from "../../src/scenario/compile.ts";
import { defaultCompilers } from "../../src/scenario/default_compilers.ts";
import {
  benchYaml,
  load,
  run,
  type RunOptions,
  type RunResult,
  serve,
  sleep,
} from "./http_harness_test.ts";

/** Whether the first phase's scenario of `yaml` compiles to a session driver. */
function driven(scenario: string, extra: { ergonomics?: string; drivers?: boolean } = {}) {
  const b = load(benchYaml({ scenario, ergonomics: extra.ergonomics }), 8080);
  const compiled = compileScenario(
    b.scenarios[0],
    b,
    b.phases[0],
    defaultCompilers(),
    newStepIds(b),
    {
      sessionDrivers: extra.drivers,
    },
  );
  return compiled.driver !== undefined;
}

/** The counters of a statistics total, as plain data (timings left out). */
function counts(st: StatsData): Record<string, unknown> {
  return {
    requests: st.requestCount,
    responses: st.responseCount,
    histogram: st.histogram.totalCount,
    invalid: st.invalid,
    connectionErrors: st.connectionErrors,
    timeouts: st.requestTimeouts,
    internalErrors: st.internalErrors,
    status: [st.status2xx, st.status3xx, st.status4xx, st.status5xx, st.statusOther],
    blocked: st.blockedTime > 0,
    extensions: Object.fromEntries(
      [...st.extensions].map(([k, e]) => [k, Object.fromEntries(e.values)]),
    ),
  };
}

/** Runs `yaml` with the driver and with the generic path; both results, driver first. */
async function both(
  yaml: string,
  port: number,
  options: RunOptions = {},
): Promise<[RunResult, RunResult]> {
  const fast = await run(load(yaml, port), { ...options, sessionDrivers: true });
  const generic = await run(load(yaml, port), { ...options, sessionDrivers: false });
  assert.ok(fast.sessions.every((s) => s.driver !== undefined), "the driver ran the sessions");
  assert.ok(generic.sessions.every((s) => s.driver === undefined), "the generic path ran");
  assert.deepEqual(fast.failures, generic.failures);
  return [fast, generic];
}

Deno.test("a lone plain httpRequest drives its sessions; handlers, more steps or sessionDrivers: false do not", () => {
  const plain = `
    - main:
      - httpRequest:
          GET: /
          headers: { accept: text/plain }
          timeout: 1s
          handler:
            status:
              range: 2xx
            rawBytes:
              transferSizeRecorder: { key: transfer }
  `;
  assert.equal(driven(plain), true);
  assert.equal(driven(plain, { drivers: false }), false);
  assert.equal(driven(plain, { ergonomics: "userAgentFromSession: false" }), true);
  const generic = {
    "a status counter": `
      - main:
        - httpRequest:
            GET: /
            handler: { status: { counter: { var: n, add: 1 } } }`,
    "a header handler": `
      - main:
        - httpRequest:
            GET: /
            handler: { header: { countHeaders: {} } }`,
    "a body processor": `
      - main:
        - httpRequest:
            GET: /
            handler: { body: { store: page } }`,
    "a completion action": `
      - main:
        - httpRequest:
            GET: /
            handler: { onCompletion: { set: done <- yes } }`,
    "a path from a variable": `
      - main:
        - httpRequest: { GET: "/\${id}" }`,
    "a second step": `
      - main:
        - httpRequest: { GET: / }
        - set: done <- yes`,
    "a second sequence": `
      - main:
        - httpRequest: { GET: / }
      - other:
        - httpRequest: { GET: / }`,
    "compression": `
      - main:
        - httpRequest: { GET: /, compression: gzip }`,
    "redirects to follow": `
      - main:
        - httpRequest: { GET: /, handler: { followRedirect: LOCATION_ONLY } }`,
  };
  for (const [what, scenario] of Object.entries(generic)) {
    assert.equal(driven(scenario), false, `${what} keeps the generic path`);
  }
});

Deno.test("driver and generic path count the same requests, statuses, invalid responses and bytes", async () => {
  await using server = serve((_req, url) =>
    new Response("hello world\n", { status: url.pathname === "/missing" ? 404 : 200 })
  );
  for (const path of ["/", "/missing"]) {
    const yaml = benchYaml({
      users: 6,
      scenario: `
        - main:
          - httpRequest:
              GET: ${path}
              handler:
                rawBytes:
                  transferSizeRecorder: { key: transfer }
      `,
    });
    const [fast, generic] = await both(yaml, server.port, { restarts: 4 });
    const st = fast.stats("main");
    assert.deepEqual(counts(st), counts(generic.stats("main")), path);
    assert.equal(st.requestCount, 30, path);
    assert.equal(st.invalid, path === "/missing" ? 30 : 0, path);
    const transfer = st.extensions.get("transfer")!.values;
    assert.ok(transfer.get("sent")! > 30 * 40 && transfer.get("received")! > 30 * 12, path);
  }
});

Deno.test("driver and generic path record timeouts, resets and a status range alike", async () => {
  await using stalling = serve(async (_req, url) => {
    if (url.pathname === "/stall") await sleep(300);
    return new Response("gone", { status: 404 });
  });
  const timeout = benchYaml({
    users: 3,
    scenario: `
      - main:
        - httpRequest: { GET: /stall, timeout: 50ms }
    `,
  });
  const [t1, t2] = await both(timeout, stalling.port);
  assert.deepEqual(counts(t1.stats("main")), counts(t2.stats("main")));
  assert.equal(t1.stats("main").requestTimeouts, 3);

  const ranged = benchYaml({
    users: 2,
    scenario: `
      - main:
        - httpRequest:
            GET: /expected-404
            handler:
              status:
                range: 404
    `,
  });
  const [r1, r2] = await both(ranged, stalling.port, { restarts: 1 });
  assert.deepEqual(counts(r1.stats("main")), counts(r2.stats("main")));
  assert.equal(r1.stats("main").invalid, 0);
  assert.equal(r1.stats("main").status4xx, 4);

  // A server that closes each connection when a request arrives: a reset per request.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let open = true;
  const accepting = (async () => {
    while (open) {
      const conn = await listener.accept().catch(() => undefined);
      if (conn === undefined) return;
      conn.read(new Uint8Array(1024)).then(() => conn.close(), () => {});
    }
  })();
  try {
    const reset = benchYaml({
      users: 2,
      scenario: `
        - main:
          - httpRequest: { GET: /reset }
      `,
    });
    const port = (listener.addr as Deno.NetAddr).port;
    const [c1, c2] = await both(reset, port);
    assert.deepEqual(counts(c1.stats("main")), counts(c2.stats("main")));
    assert.equal(c1.stats("main").connectionErrors, 2);
  } finally {
    open = false;
    listener.close();
    await accepting;
  }
});

Deno.test("driver and generic path time blocked sessions and late schedules alike", async () => {
  await using server = serve(async () => {
    await sleep(40);
    return new Response("ok");
  });
  // Three users on one connection: two wait, and the wait is blocked time, not latency.
  const blocked = benchYaml({
    users: 3,
    http: "sharedConnections: 1",
    scenario: `
      - main:
        - httpRequest: { GET: /one }
    `,
  });
  for (const r of await both(blocked, server.port)) {
    const st = r.stats("main");
    assert.equal(st.responseCount, 3);
    assert.ok(st.blockedTime >= 60e6, `blocked ${st.blockedTime / 1e6} ms`);
    assert.ok(st.histogram.maxValue() < 100e6, `max latency ${st.histogram.maxValue() / 1e6} ms`);
  }
  // compensateInternalLatency (wrk2): latency runs from the scheduled start, 150 ms ago.
  const scheduled = benchYaml({
    ergonomics: "compensateInternalLatency: true",
    model: "constantRate",
    phaseProps: "usersPerSec: 10\nduration: 1s",
    scenario: `
      - main:
        - httpRequest: { GET: /late }
    `,
  });
  for (const r of await both(scheduled, server.port, { sessions: 2, scheduledAgoMs: 150 })) {
    const st = r.stats("main");
    assert.equal(st.responseCount, 2);
    assert.ok(st.histogram.minValue() >= 180e6, `min latency ${st.histogram.minValue() / 1e6} ms`);
  }
});

Deno.test("a driven session stopped with its request in flight starts afresh; the late response is only recorded", async () => {
  await using server = serve(async () => {
    await sleep(60);
    return new Response("late");
  });
  const yaml = benchYaml({
    users: 2,
    http: "sharedConnections: 4",
    scenario: `
      - main:
        - httpRequest: { GET: /late }
    `,
  });
  const [fast, generic] = await both(yaml, server.port, {
    restarts: 1,
    stopAfterMs: 20,
    settleMs: 100,
  });
  for (const r of [fast, generic]) {
    const st = r.stats("main");
    assert.equal(st.requestCount, 4, "two lives per session");
    assert.equal(st.responseCount, 4, "the stopped lives' responses are recorded too");
    assert.ok(r.sessions.every((s) => !s.active && s.inFlight === 0));
  }
  assert.deepEqual(counts(fast.stats("main")), counts(generic.stats("main")));
});
