/**
 * Data processors fed as a response body would be: in pieces, between
 * `before` and `after`. A test-only `feed` step compiles the processors
 * (loaded by the real loader inside a json step) and feeds the bodies.
 */
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import type { Benchmark, StepRecord } from "../../src/benchmark/model.ts";
import type { CompileCtx } from "../../src/scenario/compile.ts";
import type { SequenceInstance, Session } from "../../src/scenario/session.ts";
import { bench, compile, registry, runToEnd, UNSET } from "./_harness.ts";

type Body = (string | Uint8Array)[];

/**
 * A benchmark whose only step feeds `bodies` (each a list of pieces) to the
 * processors written in `processorsYaml`.
 */
function feeding(processorsYaml: string, bodies: Body[]): Benchmark {
  const lines = processorsYaml.split("\n").filter((l) => l.trim() !== "");
  const margin = Math.min(...lines.map((l) => l.length - l.trimStart().length));
  const indented = lines.map((l) => "          " + l.slice(margin)).join("\n");
  const b = bench(`
    - main:
      - json:
          fromVar: unused
          query: .x
          processor:
${indented}
  `);
  const steps = b.scenarios[0].sequences[0].steps;
  const processors = steps[0].processors as StepRecord[];
  steps[0] = { type: "feed", processors, bodies } as StepRecord;
  return b;
}

function feedRegistry() {
  const reg = registry();
  reg.steps.set("feed", (rec: StepRecord, ctx: CompileCtx) => {
    const ps = ctx.compileProcessors(rec.processors as StepRecord[]);
    const bodies = (rec.bodies as Body[]).map((pieces) =>
      pieces.map((p) => typeof p === "string" ? new TextEncoder().encode(p) : p)
    );
    return (s: Session, q: SequenceInstance) => {
      for (const pieces of bodies) {
        for (const p of ps) p.before?.(s, q);
        pieces.forEach((piece, i) => {
          // Pieces are valid only during the call: hand over a copy and scribble on it after.
          const copy = piece.slice();
          for (const p of ps) p.process(s, q, copy, 0, copy.length, i === pieces.length - 1);
          copy.fill(0x3f);
        });
        for (const p of ps) p.after?.(s, q);
      }
      return true;
    };
  });
  return reg;
}

async function run(b: Benchmark) {
  return await runToEnd(b, { scenario: compile(b, feedRegistry()) });
}

Deno.test("store keeps the first item of a body, defragmented; each body starts afresh", async () => {
  const r = await run(feeding(
    `
    - store: body
    - store: {toVar: bytes, format: BYTES}
  `,
    [["hel", "lo"], ["wor", "ld"]],
  ));
  assert.equal(r.v("body"), "world");
  assert.deepEqual(r.v("bytes"), new TextEncoder().encode("world"));
});

Deno.test("storeInt parses integers; it keeps an existing value unless override", async () => {
  const r = await run(feeding(
    `
    - storeInt: a
    - storeInt: {toVar: b, override: true}
  `,
    [["4", "2"], ["17"], ["x1"]],
  ));
  assert.equal(r.v("a"), 42);
  assert.equal(r.v("b"), 17);
  assert.ok(r.ex.logs.some((l) => /x1/.test(l.message)));
});

Deno.test("array fills up to maxSize, collection grows, count counts items", async () => {
  const r = await run(feeding(
    `
    - json:
        query: .[]
        processor:
        - array: {toVar: arr, maxSize: 2, silent: true}
        - collection: all
        - count: n
  `,
    [['["a", "bb", "c"]']],
  ));
  assert.deepEqual(r.v("arr"), ["a", "bb"]);
  assert.deepEqual(r.v("all"), ["a", "bb", "c"]);
  assert.equal(r.v("n"), 3);
});

Deno.test("the json processor queries a body split anywhere", async () => {
  const doc = '{"list": [{"id": "x1"}, {"id": "x22"}, {"id": 3}]}';
  for (const cut of [1, 9, 17, 30, doc.length - 1]) {
    const r = await run(feeding(
      `
      - json: {query: ".list[].id", toArray: "ids[4]"}
      - json: {query: ".list[1].id", toVar: second}
    `,
      [[doc.slice(0, cut), doc.slice(cut)]],
    ));
    assert.deepEqual((r.v("ids") as unknown[]).slice(0, 3), ["x1", "x22", "3"], `cut at ${cut}`);
    assert.equal(r.v("second"), "x22");
  }
});

Deno.test("gzipInflator inflates gzip bodies; other data passes through", async () => {
  const zipped = new Uint8Array(gzipSync(new TextEncoder().encode('{"v": "inflated"}')));
  const r = await run(withEncoding(zipped));
  assert.equal(r.v("v"), "inflated");
  assert.equal(r.v("sniffed"), '{"v": "inflated"}');
  const plain = await run(feeding(
    `
    - gzipInflator:
        processor:
        - store: body
  `,
    [["not ", "zipped"]],
  ));
  assert.equal(plain.v("body"), "not zipped");
});

/** Sets `enc` before feeding the zipped body. */
function withEncoding(zipped: Uint8Array): Benchmark {
  const b = feeding(
    `
    - gzipInflator:
        encodingVar: enc
        processor:
        - json: {query: .v, toVar: v}
    - gzipInflator:
        processor:
        - store: sniffed
  `,
    [[zipped.subarray(0, 7), zipped.subarray(7)]],
  );
  const steps = b.scenarios[0].sequences[0].steps;
  steps.unshift({ type: "set", var: "enc", value: "gzip" } as StepRecord);
  return b;
}

Deno.test("the conditional processor forwards data only while its condition holds", async () => {
  const b = feeding(
    `
    - conditional:
        boolCondition: {fromVar: wanted}
        processor:
        - collection: kept
        actions:
        - addToInt: {var: n, value: 1, orElseSetTo: 1}
  `,
    [["one"], ["two"]],
  );
  const r = await run(b);
  assert.equal(r.v("kept"), UNSET);
  const steps = b.scenarios[0].sequences[0].steps;
  steps.unshift({ type: "set", var: "wanted", value: "true" } as StepRecord);
  const r2 = await run(b);
  assert.deepEqual(r2.v("kept"), ["one", "two"]);
  assert.equal(r2.v("n"), 2);
});

Deno.test("an action used as a processor runs once per item", async () => {
  const r = await run(feeding(
    `
    - addToInt: {var: n, value: 1, orElseSetTo: 1}
  `,
    [["a", "b", "c"], ["d"]],
  ));
  assert.equal(r.v("n"), 2);
});

Deno.test("queue starts consumers up to its concurrency and completes when all are consumed", async () => {
  const b = bench(`
    initialSequences:
    - main:
      - json:
          fromVar: unused
          query: .x
          processor:
          - json:
              query: .[]
              processor:
              - queue:
                  var: q
                  maxSize: 10
                  concurrency: 2
                  sequence: consumer
                  onCompletion:
                  - set: allDone <- yes
      - awaitVar: allDone
    sequences:
    - consumer[2]:
      - thinkTime: 5ms
      - addToInt: {var: consumed, value: 1, orElseSetTo: 1}
      - template: {pattern: "\${seen}\${q[.]},", toVar: seen}
  `);
  const steps = b.scenarios[0].sequences[0].steps;
  const processors = steps[0].processors as StepRecord[];
  steps[0] = { type: "feed", processors, bodies: [['["a", "b", "c", "d", "e"]']] } as StepRecord;
  steps.unshift({ type: "set", var: "seen", value: "" } as StepRecord);
  const r = await run(b);
  assert.deepEqual(r.failures, []);
  assert.equal(r.v("allDone"), "yes");
  assert.equal(r.v("consumed"), 5);
  assert.deepEqual((r.v("seen") as string).split(",").filter(Boolean).sort(), [
    "a",
    "b",
    "c",
    "d",
    "e",
  ]);
});
