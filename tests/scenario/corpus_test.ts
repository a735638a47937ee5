/**
 * Hyperfoil's corpus through the built-in steps: the `divide` example runs as
 * EXPECTATIONS.md describes, `testdata.csv` rows come out of randomCsvRow as
 * RandomCsvRowStepTest asserts, and JsonReplaceTest's transformation works on
 * its sample document.
 */
import assert from "node:assert/strict";
import { parseBenchmarkFile } from "../../src/benchmark/load.ts";
import { BENCHMARKS } from "../conformance/_paths.ts";
import { bench, runToEnd } from "./_harness.ts";

Deno.test("examples/divide.hf.yaml divides 33 by 3 and logs 'Foo is 11'", async () => {
  const r = await parseBenchmarkFile(`${BENCHMARKS}examples/divide.hf.yaml`);
  const run = await runToEnd(r.benchmark!);
  assert.deepEqual(run.failures, []);
  assert.equal(run.v("foo"), 11);
  assert.deepEqual(run.ex.logs, [{ level: "info", message: "Foo is 11" }]);
});

Deno.test("core/testdata.csv yields RandomCsvRowStepTest's rows in file order", async () => {
  const csv = await Deno.readFile(`${BENCHMARKS}core/testdata.csv`);
  const yaml = `
    - main:
      - randomCsvRow:
          file: testdata.csv
          skipComments: true
          columns: {0: c0, 1: c1, 2: c2, 3: c3}
  `;
  const rows = [];
  for (const random of [0, 0.4, 0.9]) {
    const r = await runToEnd(bench(yaml, { files: { "testdata.csv": csv } }), {
      randoms: [random],
    });
    rows.push(["c0", "c1", "c2", "c3"].map((v) => r.v(v)));
  }
  assert.deepEqual(rows, [
    ["one", "two two", "three, three", 'four"four'],
    ["     five", "six ", "", "eight"],
    ["nine", "", "eleven", "twelve\n ends here"],
  ]);
});

Deno.test("JsonReplaceTest's replace actions turn age 33 into 34 in the stored document", async () => {
  const r = await runToEnd(bench(`
    - theOnlySequence:
      - set:
          var: response
          value: '{"name":"John Doe","age":33}'
      - json:
          fromVar: response
          query: .age
          replace:
          - actions:
              var: temp
              actions:
              - stringToInt: temp -> age
              - addToInt: age++
              pattern: \${age}
          processor:
          - store:
              toVar: updated
              format: BYTES
  `));
  assert.deepEqual(r.failures, []);
  const updated = r.v("updated") as Uint8Array;
  assert.ok(updated instanceof Uint8Array);
  assert.equal(new TextDecoder().decode(updated), '{"name":"John Doe","age":34}');
});
