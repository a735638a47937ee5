/** `main` in-process: exit codes of the top-level handler. */
import assert from "node:assert/strict";
import { main } from "../../src/cli/main.ts";
import type { Output } from "../../src/cli/output.ts";

function capture(): Output & { stdout: string; stderr: string } {
  const io = {
    stdout: "",
    stderr: "",
    out(text: string) {
      io.stdout += text;
    },
    err(text: string) {
      io.stderr += text;
    },
  };
  return io;
}

Deno.test("an unexpected exception is an internal error with exit code 70", async () => {
  const io = capture();
  io.out = () => {
    throw new Error("disk on fire");
  };
  const code = await main(["--version"], io);
  assert.equal(code, 70);
  assert.match(io.stderr, /^hf: internal error: Error: disk on fire\n/);
});

Deno.test("main returns the command's exit code instead of exiting", async () => {
  const io = capture();
  assert.equal(await main(["validate", "benchmarks/quickstart.hf.yaml"], io), 0);
  assert.match(io.stdout, /valid \(1 phase\)/);
  assert.equal(await main(["validate", "no/such/file.hf.yaml"], io), 2);
  assert.match(io.stderr, /no such file/);
});

Deno.test("warnings are printed but do not make a benchmark invalid", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/w.hf.yaml`;
    await Deno.writeTextFile(
      file,
      "name: w\nhttp:\n  host: http://localhost:8080\nusersPerSec: 1\nduration: 1s\n" +
        "scenario:\n- s:\n  - httpRequest:\n      GET: /items/${neverWritten}\n",
    );
    const io = capture();
    assert.equal(await main(["validate", file], io), 0, io.stderr);
    assert.match(io.stderr, /w\.hf\.yaml:9:\d+: warning: .*neverWritten/);
    assert.match(io.stdout, /w\.hf\.yaml: valid \(1 phase\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
