/**
 * Timing and accounting of `httpRequest`: coordinated-omission compensation
 * (open and closed models), header-carried times, transfer sizes, and
 * responses that arrive after their session ended.
 */
import assert from "node:assert/strict";
import { benchYaml, load, run, serve, sleep } from "./http_harness_test.ts";

Deno.test("compensateInternalLatency times the first request of an open-model session from its schedule", async () => {
  await using server = serve(() => new Response("ok"));
  const yaml = benchYaml({
    ergonomics: "compensateInternalLatency: true",
    model: "constantRate",
    phaseProps: "usersPerSec: 10\nduration: 1s",
    scenario: `
      - main:
        - httpRequest: { GET: /first }
        - httpRequest: { GET: /second, metric: second }
    `,
  });
  const r = await run(load(yaml, server.port), { sessions: 1, scheduledAgoMs: 200 });
  assert.deepEqual(r.failures, []);
  const first = r.stats("main").histogram.minValue();
  const second = r.stats("second").histogram.maxValue();
  assert.ok(first >= 190e6, `first request ${first / 1e6} ms, started 200 ms late`);
  assert.ok(second < 100e6, `second request ${second / 1e6} ms is not compensated`);

  // Without the ergonomics flag the late start is not in the latency.
  const plain = await run(load(yaml.replace("true", "false"), server.port), {
    sessions: 1,
    scheduledAgoMs: 200,
  });
  assert.ok(plain.stats("main").histogram.maxValue() < 100e6);
});

Deno.test("compensation in an always phase records a compensated metric from the paced start", async () => {
  await using server = serve(async () => {
    await sleep(20);
    return new Response("ok");
  });
  const t0 = performance.now();
  const r = await run(
    load(
      benchYaml({
        model: "always",
        phaseProps: "users: 1\nduration: 1s",
        scenario: `
          - main:
            - httpRequest:
                GET: /paced
                compensation:
                  targetRate: 5
        `,
      }),
      server.port,
    ),
    { random: () => 0.5 },
  );
  assert.deepEqual(r.failures, []);
  assert.ok(performance.now() - t0 >= 95, "the user waited for its paced start");
  const st = r.stats("main");
  const comp = r.stats("compensated-main");
  assert.equal(comp.requestCount, 1);
  assert.equal(comp.responseCount, 1);
  // Due 100 ms after the start (half a 200 ms period): the session waited for it.
  assert.ok(comp.histogram.minValue() >= st.histogram.minValue());
  assert.ok(st.histogram.minValue() >= 15e6);
});

Deno.test("recordHeaderTime and transferSizeRecorder feed their own statistics", async () => {
  await using server = serve(() =>
    new Response("0123456789", { headers: { "x-server-time": "7" } })
  );
  const r = await run(load(
    benchYaml({
      scenario: `
        - main:
          - httpRequest:
              GET: /sized
              handler:
                header:
                  recordHeaderTime:
                    header: X-Server-Time
                    metric: server-time
                    unit: ms
                rawBytes:
                  transferSizeRecorder:
                    key: transfer
      `,
    }),
    server.port,
  ));
  assert.deepEqual(r.failures, []);
  const t = r.stats("server-time");
  assert.equal(t.responseCount, 1);
  assert.ok(Math.abs(t.histogram.maxValue() - 7e6) < 0.1e6, `${t.histogram.maxValue()} ns`);
  const transfer = r.stats("main").extensions.get("transfer");
  assert.equal(transfer?.type, "transfersize");
  assert.ok(transfer!.values.get("sent")! > 30, `sent ${transfer!.values.get("sent")}`);
  assert.ok(transfer!.values.get("received")! > 10, `received ${transfer!.values.get("received")}`);
});

Deno.test("a response arriving after its session ended is recorded but does not touch the session", async () => {
  await using server = serve(async () => {
    await sleep(50);
    return new Response("late");
  });
  const r = await run(
    load(
      benchYaml({
        scenario: `
          - main:
            - httpRequest:
                GET: /late
                sync: false
                handler:
                  onCompletion:
                    set: touched <- yes
            - stop
        `,
      }),
      server.port,
    ),
    { settleMs: 120 },
  );
  assert.deepEqual(r.failures, []);
  const st = r.stats("main");
  assert.equal(st.requestCount, 1);
  assert.equal(st.responseCount, 1);
  assert.notEqual(r.v("touched"), "yes");
});

Deno.test("a session restarted while its request is in flight gets fresh contexts; the late response is only recorded", async () => {
  await using server = serve(async () => {
    await sleep(40);
    return new Response("late");
  });
  const r = await run(
    load(
      benchYaml({
        scenario: `
          - main:
            - httpRequest:
                GET: /late
                sync: false
                handler:
                  onCompletion:
                    set: touched <- yes
            - stop
        `,
      }),
      server.port,
    ),
    { restarts: 2, settleMs: 150 },
  );
  assert.deepEqual(r.failures, []);
  const st = r.stats("main");
  assert.equal(st.requestCount, 3);
  assert.equal(st.responseCount, 3);
  assert.notEqual(r.v("touched"), "yes");
});
