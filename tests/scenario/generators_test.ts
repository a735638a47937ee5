/**
 * Value producers and setters: random values (with a scripted random source),
 * CSV rows and files embedded in the benchmark, templates, set/setInt/
 * addToInt/unset/stringToInt, log and divide.
 */
import assert from "node:assert/strict";
import { CompileError, compileScenario, newStepIds } from "../../src/scenario/compile.ts";
import { bench, registry, runToEnd, start, UNSET } from "./_harness.ts";

Deno.test("randomInt draws between min and max inclusive, also from variables", async () => {
  const yaml = `
    - main:
      - setInt: hi <- 9
      - randomInt: a <- 1 .. 6
      - randomInt: a2 <- 1 .. 6
      - randomInt: {toVar: b, min: 3, max: {fromVar: hi}}
  `;
  const r = await runToEnd(bench(yaml), { randoms: [0, 0.99999, 0.5] });
  assert.equal(r.v("a"), 1);
  assert.equal(r.v("a2"), 6);
  assert.equal(r.v("b"), 6);
  const seen = new Set<unknown>();
  for (let i = 0; i < 200; i++) seen.add((await runToEnd(bench(yaml))).v("a"));
  assert.deepEqual([...seen].sort(), [1, 2, 3, 4, 5, 6]);
});

Deno.test("randomItem picks by weight from a list, or from an array variable", async () => {
  const r = await runToEnd(
    bench(`
    - main:
      - randomItem:
          toVar: w
          list: {rare: 0.1, common: 0.9}
      - randomItem:
          toVar: w2
          list: {rare: 0.1, common: 0.9}
      - set: {var: arr, objectArray: {size: 4}}
      - addItem: {toVar: arr, value: x}
      - addItem: {toVar: arr, value: y}
      - randomItem: pick <- arr
  `),
    { randoms: [0.05, 0.5, 0.99] },
  );
  assert.equal(r.v("w"), "rare");
  assert.equal(r.v("w2"), "common");
  // Only the set elements count: 0.99 picks the second of two.
  assert.equal(r.v("pick"), "y");
});

Deno.test("randomUUID stores a version 4 UUID", async () => {
  const r = await runToEnd(bench(`
    - main:
      - randomUUID: id
  `));
  assert.match(
    r.v("id") as string,
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
});

Deno.test("randomCsvRow assigns the mapped columns of a random row", async () => {
  const files = { "users.csv": '# comment\nalice,secret1,admin\n"bob, jr",secret2\n' };
  const yaml = `
    - main:
      - randomCsvRow:
          file: users.csv
          skipComments: true
          columns:
            0: user
            2: role
  `;
  const first = await runToEnd(bench(yaml, { files }), { randoms: [0] });
  assert.equal(first.v("user"), "alice");
  assert.equal(first.v("role"), "admin");
  const second = await runToEnd(bench(yaml, { files }), { randoms: [0.7] });
  assert.equal(second.v("user"), "bob, jr");
  // The row has no third column.
  assert.equal(second.v("role"), null);
});

Deno.test("randomFile stores the bytes and the name of a weighted file", async () => {
  const files = { "a.bin": new Uint8Array([1, 2, 3]), "b.txt": "hello" };
  const r = await runToEnd(
    bench(
      `
    - main:
      - randomFile:
          files: {a.bin: 1, b.txt: 3}
          toVar: body
          filenameVar: name
  `,
      { files },
    ),
    { randoms: [0.5] },
  );
  assert.equal(r.v("name"), "b.txt");
  assert.deepEqual(r.v("body"), new TextEncoder().encode("hello"));
});

Deno.test("template formats a pattern with transforms", async () => {
  const r = await runToEnd(bench(`
    - main:
      - set: q <- a b&c
      - setInt: n <- 42
      - template: {pattern: "/s?q=\${urlencode:q}&n=\${%05d:n}", toVar: url}
  `));
  assert.equal(r.v("url"), "/s?q=a+b%26c&n=00042");
});

Deno.test("set stores strings and creates object and integer arrays", async () => {
  const r = await runToEnd(bench(`
    - main:
      - set: s <- hello world
      - set: {var: empty, objectArray: {size: 3}}
      - setInt: seven <- 7
      - set: {var: sevens, intArray: {size: 2, fromVar: seven}}
      - set: {var: src, objectArray: {size: 3}}
      - addItem: {toVar: src, value: a}
      - addItem: {toVar: src, value: b}
      - addItem: {toVar: src, value: c}
      - set: {var: copy, objectArray: {size: 2, fromVar: src}}
  `));
  assert.equal(r.v("s"), "hello world");
  assert.deepEqual(r.v("empty"), [UNSET, UNSET, UNSET]);
  assert.deepEqual(r.v("sevens"), [7, 7]);
  assert.deepEqual(r.v("copy"), ["a", "b"]);
});

Deno.test("setInt honours onlyIfNotSet, intCondition and min/max of sources", async () => {
  const r = await runToEnd(bench(`
    - main:
      - setInt: a <- 1
      - setInt: {var: a, value: 2, onlyIfNotSet: true}
      - setInt: {var: b, value: 3, onlyIfNotSet: true}
      - setInt: {var: c, value: 10}
      - setInt: {var: c, value: 20, intCondition: {lessThan: 5}}
      - setInt: {var: c, value: 30, intCondition: {greaterThan: 5}}
      - setInt: {var: d, value: 1, intCondition: {greaterThan: 5}}
      - setInt: {var: lo, min: [{value: 4}, {fromVar: a}, 9]}
      - setInt: {var: hi, max: [4, {fromVar: b}]}
      - set: str <- 17
      - setInt: {var: fromStr, fromVar: str}
  `));
  assert.equal(r.v("a"), 1);
  assert.equal(r.v("b"), 3);
  assert.equal(r.v("c"), 30);
  assert.equal(r.v("d"), UNSET, "an unset variable fails the intCondition");
  assert.equal(r.v("lo"), 1);
  assert.equal(r.v("hi"), 4);
  assert.equal(r.v("fromStr"), 17);
});

Deno.test("addToInt adds, or sets orElseSetTo when unset; unset without it fails", async () => {
  const r = await runToEnd(bench(`
    - main:
      - addToInt: {var: a, value: 5, orElseSetTo: 1}
      - addToInt: {var: a, value: 5, orElseSetTo: 1}
      - addToInt: a--
      - addToInt: a -= 3
  `));
  assert.equal(r.v("a"), 2);
  const bad = await runToEnd(bench(`
    - main:
      - addToInt: nope++
  `));
  assert.match(bad.failures[0], /'nope' is not set/);
});

Deno.test("unset and stringToInt", async () => {
  const r = await runToEnd(bench(`
    - main:
      - set: s <- 123
      - stringToInt: s -> n
      - set: bad <- 12x
      - stringToInt: bad -> m
      - set: gone <- 1
      - unset: gone
  `));
  assert.equal(r.v("n"), 123);
  assert.equal(r.v("m"), UNSET);
  assert.equal(r.v("gone"), UNSET);
  assert.ok(r.ex.logs.some((l) => l.level === "error" && /12x/.test(l.message)));
});

Deno.test("log formats its message; unset variables print <not set>", async () => {
  const r = await runToEnd(bench(`
    - main:
      - set: who <- world
      - log: {message: "hello {} and {}", vars: [who, nobody]}
  `));
  assert.deepEqual(r.ex.logs, [{ level: "info", message: "hello world and <not set>" }]);
});

Deno.test("divide blocks until its variable is set, then divides in place", () => {
  const r = start(bench(`
    - main:
      - divide: n /= 4
      - set: done <- yes
  `));
  assert.equal(r.v("done"), UNSET);
  r.set("n", 42);
  assert.equal(r.v("n"), 10);
  assert.equal(r.v("done"), "yes");
});

Deno.test("hotrodRequest fails at compile time", () => {
  const b = bench(`
    - main:
      - noop
  `);
  const seq = b.scenarios[0].sequences[0];
  const scenario = {
    ...b.scenarios[0],
    sequences: [{ ...seq, steps: [{ type: "hotrodRequest", put: "cache", key: "k", value: "v" }] }],
  };
  assert.throws(
    () => compileScenario(scenario, b, b.phases[0], registry(), newStepIds(b)),
    (e: Error) => e instanceof CompileError && /HotRod is not supported by hf/.test(e.message),
  );
});
