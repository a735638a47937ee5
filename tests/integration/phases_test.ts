/**
 * Phase orchestration seen in the results: forks split the load by weight,
 * `startAfter` waits for finished, `startAfterStrict` for terminated, and
 * iterations run one after another.
 */
import assert from "node:assert/strict";
import {
  type AllJsonStat,
  assertNear,
  assertPassed,
  benchYaml,
  exampleServer,
  hfRunSubprocess,
  type Run,
  runYaml,
  served,
} from "./_helpers.ts";

function stat(r: Run, phase: string): AllJsonStat {
  const s = r.all.stats.find((x) => x.name === phase);
  assert.ok(s, `no stats of '${phase}': ${r.all.stats.map((x) => x.name).join(", ")}`);
  return s;
}

function phase(r: Run, name: string) {
  const p = r.result.phases.find((x) => x.name === name);
  assert.ok(p && p.startTime !== undefined && p.terminateTime !== undefined, `phase '${name}'`);
  return { start: p.startTime!, end: p.terminateTime! };
}

Deno.test("constantRate 100/s split over forks weighted 3:1 gives about 150 and 50 requests", async () => {
  await using server = exampleServer();
  const r = await runYaml(benchYaml(
    server,
    `
  - main:
      constantRate:
        usersPerSec: 100
        duration: 2s
        maxSessions: 40
        variance: false
        forks:
          heavy:
            weight: 3
            scenario:
              - heavy:
                  - httpRequest:
                      GET: /hello
          light:
            weight: 1
            scenario:
              - light:
                  - httpRequest:
                      GET: /json
`,
    { http: "  sharedConnections: 20" },
  ));
  assertPassed(r);
  const heavy = r.total("main/heavy", "heavy").requestCount;
  const light = r.total("main/light", "light").requestCount;
  assertNear(heavy, 150, 0.03, "main/heavy");
  assertNear(light, 50, 0.04, "main/light");
  assert.equal(served(server, "/hello"), heavy);
  assert.equal(served(server, "/json"), light);
  // The umbrella phase 'main' ran (no-op) after its forks.
  const umbrella = phase(r, "main");
  assert.ok(umbrella.start >= phase(r, "main/heavy").start);
  assert.equal(stat(r, "main/heavy").fork, "heavy");
});

const SLOW = `
        scenario:
          - slow:
              - httpRequest:
                  GET: /delay?ms=400
`;

Deno.test("startAfter starts when the phase finished; startAfterStrict when it terminated", async () => {
  await using server = exampleServer();
  // 'first' finishes at 600 ms but its last sessions end ~400 ms later.
  const r = await runYaml(benchYaml(
    server,
    `
  - first:
      constantRate:
        usersPerSec: 20
        duration: 600ms
        maxSessions: 20
        variance: false${SLOW}
  - afterFinished:
      atOnce:
        users: 1
        startAfter: first${SLOW}
  - afterTerminated:
      atOnce:
        users: 1
        startAfterStrict: first${SLOW}
`,
    { http: "  sharedConnections: 20" },
  ));
  assertPassed(r);
  const first = phase(r, "first");
  const loose = phase(r, "afterFinished");
  const strict = phase(r, "afterTerminated");
  assert.ok(
    loose.start >= first.start + 600,
    `startAfter began ${loose.start - first.start} ms in`,
  );
  assert.ok(loose.start < first.end, "startAfter does not wait for the sessions to end");
  assert.ok(
    strict.start >= first.end,
    `startAfterStrict began ${first.end - strict.start} ms early`,
  );
  // all.json shows the same order.
  const [f, l, s] = ["first", "afterFinished", "afterTerminated"].map((p) => stat(r, p).total);
  assert.ok(l.start >= f.start + 600 && l.start < f.end, `all.json: ${JSON.stringify([f, l])}`);
  assert.ok(s.start >= f.end, `all.json: first ended ${f.end}, strict began ${s.start}`);
});

Deno.test("startTime holds a phase back from the run's start", async () => {
  await using server = exampleServer();
  const r = await runYaml(benchYaml(
    server,
    `
  - now:
      atOnce:
        users: 1
        scenario:
          - now:
              - httpRequest:
                  GET: /
  - later:
      atOnce:
        users: 1
        startTime: 600ms
        scenario:
          - later:
              - httpRequest:
                  GET: /
`,
  ));
  assertPassed(r);
  const runStart = r.result.info.startTime;
  assert.ok(phase(r, "now").start - runStart < 300);
  assert.ok(phase(r, "later").start - runStart >= 600, `${phase(r, "later").start - runStart} ms`);
  assert.ok(stat(r, "later").total.start >= runStart + 600);
});

Deno.test("maxIterations runs iterations in order, each after the previous terminated", async () => {
  await using server = exampleServer();
  const r = await runYaml(benchYaml(
    server,
    `
  - main:
      atOnce:
        users:
          base: 2
          increment: 1
        maxIterations: 3
        scenario:
          - it:
              - httpRequest:
                  GET: /delay?ms=100
`,
    { http: "  sharedConnections: 10" },
  ));
  assertPassed(r);
  const names = ["main/000", "main/001", "main/002"];
  assert.deepEqual(names.map((n) => r.total(n, "it").requestCount), [2, 3, 4]);
  assert.deepEqual(names.map((n) => stat(r, n).iteration), ["000", "001", "002"]);
  const times = names.map((n) => phase(r, n));
  for (let i = 1; i < times.length; i++) {
    assert.ok(
      times[i].start >= times[i - 1].end,
      `${names[i]} started before ${names[i - 1]} ended`,
    );
    assert.ok(stat(r, names[i]).total.start >= stat(r, names[i - 1]).total.end);
  }
  assert.equal(served(server, "/delay"), 9);
});

Deno.test("maxDuration terminates sessions still running: the phase ends at maxDuration", async () => {
  await using server = exampleServer();
  const r = await runYaml(benchYaml(
    server,
    `
  - main:
      constantRate:
        usersPerSec: 10
        duration: 500ms
        maxDuration: 800ms
        maxSessions: 20
        variance: false
        scenario:
          - stuck:
              - httpRequest:
                  GET: /delay?ms=5000
`,
    { http: "  sharedConnections: 20" },
  ));
  const main = phase(r, "main");
  const took = main.end - main.start;
  assert.ok(took >= 800 && took < 2000, `the phase took ${took} ms`);
  const s = r.total("main", "stuck");
  assert.equal(s.requestCount, 5);
  assert.equal(s.responseCount, 0);
  assert.equal(served(server, "/delay"), 5);
});

Deno.test("an always phase whose users do no I/O still finishes at its duration", async () => {
  await using server = exampleServer();
  // Every restart is synchronous: the engine must still yield to timers and phase commands.
  // In a subprocess with a time limit, because a spinning event loop cannot time itself out.
  const started = Date.now();
  const { code, stdout, stderr } = await hfRunSubprocess(
    benchYaml(
      server,
      `
  - main:
      always:
        users: 2
        duration: 300ms
        scenario:
          - spin:
              - setInt: n <- 1
              - addToInt: n += 1
`,
    ),
    ["--output", "json"],
    15_000,
  );
  assert.equal(code, 0, `stdout:\n${stdout}\nstderr:\n${stderr}`);
  assert.ok(Date.now() - started < 15_000);
  assert.equal(JSON.parse(stdout).info.cancelled, false);
});
