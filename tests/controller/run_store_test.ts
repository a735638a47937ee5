/** Run ids and the run directory: 4 upper-case hex digits, the next free one, created atomically. */
import assert from "node:assert/strict";
import { allocateRunDir, formatRunId } from "../../src/controller/run_store.ts";
import { runHooks } from "../../src/controller/hooks.ts";
import { tempRoot } from "./_bench.ts";

Deno.test("run ids are 4 upper-case hex digits", () => {
  assert.deepEqual([0, 1, 10, 45, 0xffff].map(formatRunId), [
    "0000",
    "0001",
    "000A",
    "002D",
    "FFFF",
  ]);
  assert.equal(formatRunId(0x10000), "10000");
});

Deno.test("run ids count up from 0000 and follow the highest one on disk", async () => {
  await using t = await tempRoot();
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) ids.push((await allocateRunDir(t.root)).id);
  assert.deepEqual(ids, ["0000", "0001", "0002"]);
  await Deno.mkdir(`${t.root}/run/0009`);
  await Deno.mkdir(`${t.root}/run/notes`);
  const next = await allocateRunDir(t.root);
  assert.deepEqual(next, { id: "000A", dir: `${t.root}/run/000A` });
  assert.ok((await Deno.stat(next.dir)).isDirectory);
});

Deno.test("concurrent allocations never share a run id", async () => {
  await using t = await tempRoot();
  const runs = await Promise.all(Array.from({ length: 8 }, () => allocateRunDir(t.root)));
  const ids = runs.map((r) => r.id).sort();
  assert.deepEqual(ids, ["0000", "0001", "0002", "0003", "0004", "0005", "0006", "0007"]);
});

Deno.test("hooks run in name order through sh, their output captured, until one fails", async () => {
  const run = await runHooks([
    { name: "02-second", exec: "echo second $RUN_ID" },
    { name: "01-first", exec: "printf 'first\\n'" },
    { name: "03-fails", exec: "echo partial; echo 'no such thing' >&2; exit 3" },
    { name: "04-never", exec: "echo never" },
  ], { kind: "pre", env: { RUN_ID: "0007" } });
  assert.deepEqual(run.outputs, [
    { name: "01-first", output: "first\n" },
    { name: "02-second", output: "second 0007\n" },
    { name: "03-fails", output: "partial\n" },
  ]);
  assert.equal(run.failure, "Execution of pre-hook '03-fails' failed (exit code 3): no such thing");
});
