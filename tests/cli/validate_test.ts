import assert from "node:assert/strict";
import { hf, lines, tempFiles } from "./_hf.ts";

const TEMPLATED = `name: templated
http:
  host: !param HOST
phases:
- main:
    constantRate:
      usersPerSec: !param RATE 5
      duration: 5s
      scenario:
      - only:
        - httpRequest:
            GET: /
`;

const BROKEN = `name: broken
http:
  host: http://localhost:8080
phases:
- main:
    constantRate:
      usrsPerSec: 5
      duration: 5s
      scenario:
      - only:
        - thinkTime: 1s
`;

Deno.test("validate exits 0 and says 'valid' for a valid benchmark", async () => {
  const r = await hf("validate", "benchmarks/quickstart.hf.yaml");
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(lines(r.stdout), ["benchmarks/quickstart.hf.yaml: valid (1 phase)"]);
  assert.equal(r.stderr, "");
});

Deno.test("validate takes -PNAME=VALUE (glued) and -P NAME=VALUE", async () => {
  await using t = await tempFiles({ "t.hf.yaml": TEMPLATED });
  const glued = await hf("validate", "-PHOST=http://localhost:8080", t.path("t.hf.yaml"));
  assert.equal(glued.code, 0, glued.stderr);
  assert.match(glued.stdout, /t\.hf\.yaml: valid \(1 phase\)/);
  const spaced = await hf(
    "validate",
    "-P",
    "HOST=http://localhost:8080",
    "--json",
    "-P",
    "RATE=7",
    t.path("t.hf.yaml"),
  );
  assert.equal(spaced.code, 0, spaced.stderr);
  const model = JSON.parse(spaced.stdout);
  assert.equal(model.http[0].host, "localhost");
  assert.equal(model.phases[0].usersPerSec, 7);
  assert.deepEqual(model.params, { HOST: "http://localhost:8080", RATE: "7" });
});

Deno.test("a parameter without default and without a value is an error naming it", async () => {
  await using t = await tempFiles({ "t.hf.yaml": TEMPLATED });
  const r = await hf("validate", t.path("t.hf.yaml"));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /t\.hf\.yaml:3:\d+: .*'HOST'/);
  assert.match(r.stdout, /t\.hf\.yaml: 1 error$/m);
});

Deno.test("errors name file:line:col and the file's error count; exit 2", async () => {
  await using t = await tempFiles({ "b.hf.yaml": BROKEN });
  const r = await hf("validate", t.path("b.hf.yaml"));
  assert.equal(r.code, 2);
  const [first] = lines(r.stderr);
  assert.match(first, /b\.hf\.yaml:7:7: .*'usrsPerSec'.*did you mean 'usersPerSec'/);
  assert.match(r.stdout, /b\.hf\.yaml: 1 error$/m);
});

Deno.test("validate checks every file and exits 2 when any is invalid", async () => {
  await using t = await tempFiles({ "b.hf.yaml": BROKEN });
  const r = await hf("validate", "benchmarks/quickstart.hf.yaml", t.path("b.hf.yaml"));
  assert.equal(r.code, 2);
  assert.match(r.stdout, /quickstart\.hf\.yaml: valid/);
  assert.match(r.stdout, /b\.hf\.yaml: 1 error/);
});

Deno.test("--json prints the expanded model, and only it, to stdout", async () => {
  const r = await hf("validate", "--json", "benchmarks/quickstart.hf.yaml");
  assert.equal(r.code, 0, r.stderr);
  const model = JSON.parse(r.stdout);
  assert.equal(model.name, "quickstart");
  assert.equal(model.phases[0].name, "main");
  assert.equal(model.phases[0].model, "constantRate");
  assert.equal(model.phases[0].duration, 10_000);
  assert.match(r.stderr, /quickstart\.hf\.yaml: valid/);
});

Deno.test("--json with an invalid file prints no JSON and exits 2", async () => {
  await using t = await tempFiles({ "b.hf.yaml": BROKEN });
  const r = await hf("validate", "--json", t.path("b.hf.yaml"));
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
});

Deno.test("--json refuses several files", async () => {
  const r = await hf(
    "validate",
    "--json",
    "benchmarks/quickstart.hf.yaml",
    "benchmarks/quickstart.hf.yaml",
  );
  assert.equal(r.code, 2);
  assert.deepEqual(lines(r.stderr), [
    "hf: --json prints a single benchmark: expected one file, found 2",
  ]);
});
