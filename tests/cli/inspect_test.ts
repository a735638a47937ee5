import assert from "node:assert/strict";
import { hf, lines, tempFiles } from "./_hf.ts";

// Defined out of order on purpose: the tree must list them as they can start.
const PHASES = `name: ordered
http:
  host: http://localhost:8080
phases:
- steady:
    constantRate:
      usersPerSec: 30
      duration: 1m
      maxDuration: 2m
      startAfter: rampUp
      scenario: &scenario
        initialSequences:
        - browse:
          - httpRequest:
              GET: /foo
          - thinkTime: 3s
          - set: foo <- bar
          - newSequence: detail
        sequences:
        - detail[4]:
          - httpRequest:
              POST: /detail
          - awaitAllResponses
- rampUp:
    increasingRate:
      initialUsersPerSec: 1
      targetUsersPerSec: 100
      duration: 30s
      startAfter: warmup
      scenario: *scenario
- warmup:
    atOnce:
      users: 10
      scenario: *scenario
- side:
    always:
      users: 5
      duration: 10s
      startWith:
        phase: steady
        delay: 4s
      scenario: *scenario
- cooldown:
    decreasingRate:
      initialUsersPerSec: 100
      targetUsersPerSec: 1
      duration: 20s
      startAfter: [steady, side]
      startAfterStrict: warmup
      scenario: *scenario
`;

Deno.test("inspect lists phases in start order with models, rates and dependencies", async () => {
  await using t = await tempFiles({ "p.hf.yaml": PHASES });
  const r = await hf("inspect", t.path("p.hf.yaml"));
  assert.equal(r.code, 0, r.stderr);
  const out = lines(r.stdout);
  const phaseLines = out.slice(out.indexOf("phases, in start order:") + 1).filter((l) =>
    /^ {2}\S/.test(l)
  );
  assert.deepEqual(phaseLines.map((l) => l.trim().split(":")[0]), [
    "warmup",
    "rampUp",
    "steady",
    "side",
    "cooldown",
  ]);
  assert.ok(out.includes("  warmup: atOnce 10 users"));
  assert.ok(
    out.includes("  rampUp: increasingRate 1 → 100 users/s, duration 30s, maxSessions 100"),
  );
  assert.ok(
    out.includes("  steady: constantRate 30 users/s, duration 1m, maxDuration 2m, maxSessions 30"),
  );
  assert.ok(out.includes("  side: always 5 users, duration 10s"));
  assert.ok(
    out.includes("  cooldown: decreasingRate 100 → 1 users/s, duration 20s, maxSessions 100"),
  );
  assert.ok(out.includes("    after: warmup"));
  assert.ok(out.includes("    with: steady +4s"));
  assert.ok(out.includes("    after: steady, side"));
  assert.ok(out.includes("    after (strict): warmup"));
});

Deno.test("inspect shows the target, agents and the scenario's sequences and steps", async () => {
  await using t = await tempFiles({ "p.hf.yaml": PHASES });
  const r = await hf("inspect", t.path("p.hf.yaml"));
  assert.equal(r.code, 0, r.stderr);
  const out = lines(r.stdout);
  assert.equal(out[0], "benchmark ordered");
  assert.ok(out.includes("  http://localhost:8080 (default, 1 connection)"));
  assert.ok(out.includes("agents: none (runs locally)"));
  const steps = out.slice(out.indexOf("      browse (initial)"));
  assert.deepEqual(steps.slice(0, 10).map((l) => l.trim()), [
    "browse (initial)",
    "httpRequest GET /foo",
    "thinkTime 3000ms",
    "set foo <- bar",
    "newSequence",
    "detail[4]",
    "httpRequest POST /detail",
    "awaitAllResponses",
    "rampUp: increasingRate 1 → 100 users/s, duration 30s, maxSessions 100",
    "after: warmup",
  ]);
});

Deno.test("inspect of the quickstart benchmark exits 0", async () => {
  const r = await hf("inspect", "benchmarks/quickstart.hf.yaml");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ {2}main: constantRate 10 users\/s, duration 10s/m);
});

Deno.test("inspect of an invalid benchmark prints the errors and exits 2", async () => {
  await using t = await tempFiles({
    "b.hf.yaml": "name: b\nphases:\n- main:\n    constantRat: {}\n",
  });
  const r = await hf("inspect", t.path("b.hf.yaml"));
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /b\.hf\.yaml:4:5: /);
  assert.match(r.stderr, /b\.hf\.yaml: \d+ errors?\n$/);
});
