import assert from "node:assert/strict";
import config from "../../deno.json" with { type: "json" };
import { hf, lines, stackLines } from "./_hf.ts";

Deno.test("--version prints the version from deno.json", async () => {
  const r = await hf("--version");
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), `hf ${config.version}`);
  assert.equal(r.stderr, "");
});

Deno.test("--help lists the commands and exits 0", async () => {
  const r = await hf("--help");
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^Usage: hf /);
  assert.match(r.stdout, /validate \[options\] <file\.\.\.>/);
  assert.match(r.stdout, /inspect \[options\] <file>/);
});

Deno.test("validate --help documents -P, --json and the exit status", async () => {
  const r = await hf("validate", "--help");
  assert.equal(r.code, 0);
  assert.match(r.stdout, /-P, --param <NAME=VALUE>/);
  assert.match(r.stdout, /--json/);
  assert.match(r.stdout, /Exit status: 0 when every file is valid, 2 otherwise/);
});

Deno.test("an unknown command is a one-line error with a suggestion and exit 2", async () => {
  const r = await hf("valdate", "x.hf.yaml");
  assert.equal(r.code, 2);
  assert.deepEqual(lines(r.stderr), ["hf: unknown command 'valdate' (did you mean validate?)"]);
  assert.equal(r.stdout, "");
});

Deno.test("an unknown option is a one-line error and exit 2", async () => {
  const r = await hf("validate", "--bogus", "x.hf.yaml");
  assert.equal(r.code, 2);
  assert.deepEqual(lines(r.stderr), ["hf: unknown option '--bogus'"]);
});

Deno.test("usage mistakes exit 2 without stack traces", async () => {
  for (
    const args of [[], ["validate"], ["inspect", "a", "b"], ["validate", "-P", "NOEQUALS", "x"], [
      "validate",
      "-P",
    ]]
  ) {
    const r = await hf(...args);
    assert.equal(r.code, 2, `hf ${args.join(" ")}`);
    assert.deepEqual(stackLines(r.stderr), [], `hf ${args.join(" ")}`);
    assert.doesNotMatch(r.stderr, /internal error/);
  }
});
