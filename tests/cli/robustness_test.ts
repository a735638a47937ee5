/** No input crashes `hf validate`: each bad file gets a reason on one line and exit 2. */
import assert from "node:assert/strict";
import { hf, lines, stackLines, tempFiles } from "./_hf.ts";

function garbage(size: number): Uint8Array {
  // Deterministic bytes that are not UTF-8 (0xff never is) and contain NULs.
  const bytes = new Uint8Array(size);
  let x = 12345;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    bytes[i] = i % 7 === 0 ? 0xff : x & 0xff;
  }
  return bytes;
}

const INPUTS: Record<string, string | Uint8Array> = {
  "empty.hf.yaml": "",
  "blank.hf.yaml": "\n  \n# only a comment\n",
  "garbage.hf.yaml": garbage(4096),
  "nul.hf.yaml": "name: x\u0000\n",
  "big.hf.yaml": "a".repeat(10 * 1024 * 1024),
  "deep-seq.hf.yaml": "[".repeat(100_000),
  "deep-map.hf.yaml": "{a: ".repeat(100_000),
  "deep-block.hf.yaml": "- ".repeat(100_000) + "x\n",
  "syntax.hf.yaml": "name: x\nphases: [\n  - a: {\n",
  "tabs.hf.yaml": "name: x\n\tphases: 1\n",
  "scalar.hf.yaml": "just a string\n",
  "list.hf.yaml": "- name: x\n",
};

/** Checks that every stderr line is a one-line reason about `file`, and the verdict. */
function assertRejected(r: { code: number; stdout: string; stderr: string }, file: string) {
  assert.equal(r.code, 2, `${file}: ${r.stderr}`);
  assert.deepEqual(stackLines(r.stderr), [], `${file}: stack trace printed`);
  assert.doesNotMatch(r.stderr, /internal error/, file);
  const reasons = lines(r.stderr);
  assert.ok(reasons.length >= 1, `${file}: no reason given`);
  for (const line of reasons) {
    assert.ok(line.startsWith(file + ":"), `${file}: unexpected line '${line}'`);
    assert.ok(line.length < 500, `${file}: reason too long`);
  }
  assert.match(r.stdout, new RegExp(`: \\d+ errors?\\n$`), file);
}

Deno.test("validate rejects malformed files with a one-line reason and exit 2", async (t) => {
  await using dir = await tempFiles(INPUTS);
  await Deno.mkdir(dir.path("dir.hf.yaml"));
  const names = [...Object.keys(INPUTS), "dir.hf.yaml", "missing.hf.yaml"];
  const results = await Promise.all(names.map((n) => hf("validate", dir.path(n))));
  for (const [i, name] of names.entries()) {
    await t.step(name, () => assertRejected(results[i], dir.path(name)));
  }
  // A device would be read forever: refused unread.
  await t.step(
    "/dev/zero",
    async () => assertRejected(await hf("validate", "/dev/zero"), "/dev/zero"),
  );
});

Deno.test("the reasons say what is wrong", async () => {
  await using dir = await tempFiles({
    "empty.hf.yaml": "",
    "garbage.hf.yaml": garbage(512),
    "deep.hf.yaml": "[".repeat(100_000),
  });
  await Deno.mkdir(dir.path("dir.hf.yaml"));
  const says = async (name: string, pattern: RegExp) => {
    const r = await hf("validate", dir.path(name));
    assert.match(r.stderr, pattern, name);
  };
  await Promise.all([
    says("empty.hf.yaml", /empty/i),
    says("garbage.hf.yaml", /binary|UTF-8/),
    says("deep.hf.yaml", /nest/i),
    says("dir.hf.yaml", /directory/),
    says("missing.hf.yaml", /no such file/),
  ]);
});

Deno.test("inspect rejects the same inputs without crashing", async () => {
  await using dir = await tempFiles({
    "garbage.hf.yaml": garbage(1024),
    "deep.hf.yaml": "[".repeat(100_000),
  });
  for (const name of ["garbage.hf.yaml", "deep.hf.yaml", "missing.hf.yaml"]) {
    const r = await hf("inspect", dir.path(name));
    assert.equal(r.code, 2, name);
    assert.deepEqual(stackLines(r.stderr), [], name);
    assert.doesNotMatch(r.stderr, /internal error/, name);
    assert.equal(r.stdout, "", name);
  }
});
