/**
 * The JSON query engine on sample documents, and the `json` step and
 * processor: toVar, toArray, processors, unquoting, delete and replace.
 */
import assert from "node:assert/strict";
import { parseJsonQuery, selectJson } from "../../src/scenario/steps/json.ts";
import { bench, runToEnd } from "./_harness.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function query(doc: string, q: string): string[] {
  const bytes = enc(doc);
  const out: string[] = [];
  selectJson(bytes, parseJsonQuery(q), (m) => out.push(dec(bytes.subarray(m.start, m.end))));
  return out;
}

const PRODUCTS = `[
  { "id" : 418, "product" : "Teapots", "units" : 123 },
  { "id" : 420, "product" : "Various herbs", "units" : 321  },
  { "id" : 450, "product" : "Magazines", "units": 456 }
]`;

Deno.test("JSON queries select members, elements and nested paths", () => {
  assert.deepEqual(query(PRODUCTS, ".[].id"), ["418", "420", "450"]);
  assert.deepEqual(query(PRODUCTS, ".[1].product"), ['"Various herbs"']);
  assert.deepEqual(query(PRODUCTS, ".[-1].units"), ["456"]);
  assert.deepEqual(query(PRODUCTS, ".[1:2].id"), ["420", "450"]);
  assert.deepEqual(query(PRODUCTS, ".[0]"), [
    '{ "id" : 418, "product" : "Teapots", "units" : 123 }',
  ]);
  const doc = `{"a": {"b": [1, {"c": "x"}], "s": "q\\"uote"}, "arr": [], "n": null}`;
  assert.deepEqual(query(doc, ".a.b"), ['[1, {"c": "x"}]']);
  assert.deepEqual(query(doc, ".a.b[].c"), ['"x"']);
  assert.deepEqual(query(doc, ".a.s"), ['"q\\"uote"']);
  assert.deepEqual(query(doc, ".arr[]"), []);
  assert.deepEqual(query(doc, ".n"), ["null"]);
  assert.deepEqual(query(doc, ".missing"), []);
  assert.deepEqual(query(doc, ".a.b.c"), [], "a member selector on an array matches nothing");
  assert.deepEqual(query("not json {", ".a"), []);
});

Deno.test("JSON queries must start with '.' and close their brackets", () => {
  assert.throws(() => parseJsonQuery("a.b"), SyntaxError);
  assert.throws(() => parseJsonQuery(".a[1"), SyntaxError);
  assert.throws(() => parseJsonQuery(".a[x]"), SyntaxError);
});

Deno.test("the json step stores the first match, all matches, and unquotes strings", async () => {
  const r = await runToEnd(bench(`
    - main:
      - set:
          var: doc
          value: '{"items": [{"id": "a\\u0041\\n"}, {"id": "b"}, {"id": 3}], "obj": {"k": 1}}'
      - json: {fromVar: doc, query: ".items[].id", toVar: first}
      - json: {fromVar: doc, query: ".items[].id", toArray: "ids[5]"}
      - json: {fromVar: doc, query: ".items[].id", toArray: "raw[5]", unquote: false}
      - json: {fromVar: doc, query: ".obj", toVar: obj}
      - json:
          fromVar: doc
          query: .items[]
          processor:
          - count: n
  `));
  assert.deepEqual(r.failures, []);
  assert.equal(r.v("first"), "aA\n");
  const ids = r.v("ids") as unknown[];
  assert.deepEqual(ids.slice(0, 3), ["aA\n", "b", "3"]);
  assert.deepEqual((r.v("raw") as unknown[]).slice(0, 3), ['"a\\u0041\\n"', '"b"', "3"]);
  assert.equal(r.v("obj"), '{"k": 1}');
  assert.equal(r.v("n"), 3);
});

Deno.test("json delete removes the selected members and passes the document on", async () => {
  const r = await runToEnd(bench(`
    - main:
      - set:
          var: doc
          value: '${PRODUCTS.replace(/\n/g, " ")}'
      - json: {fromVar: doc, query: ".[].product", delete: true, toVar: noProducts}
      - json: {fromVar: doc, query: ".[].id", delete: true, toVar: noIds}
      - json: {fromVar: doc, query: ".[0]", delete: true, toVar: noFirst}
      - json: {fromVar: doc, query: ".[]", delete: true, toVar: empty}
  `));
  const noProducts = JSON.parse(r.v("noProducts") as string);
  assert.deepEqual(noProducts, [
    { id: 418, units: 123 },
    { id: 420, units: 321 },
    { id: 450, units: 456 },
  ]);
  const noIds = JSON.parse(r.v("noIds") as string);
  assert.deepEqual(noIds.map((o: Record<string, unknown>) => Object.keys(o)), [
    ["product", "units"],
    ["product", "units"],
    ["product", "units"],
  ]);
  assert.deepEqual(JSON.parse(r.v("noFirst") as string).map((o: { id: number }) => o.id), [
    420,
    450,
  ]);
  assert.deepEqual(JSON.parse(r.v("empty") as string), []);
});

Deno.test("json replace with a pattern or with actions rewrites selected values", async () => {
  const r = await runToEnd(bench(`
    - main:
      - set: secret <- "***"
      - set:
          var: doc
          value: '{"user": "alice", "pass": "p4ss", "n": 2}'
      - json:
          fromVar: doc
          query: .pass
          replace: \${secret}
          toVar: masked
      - json:
          fromVar: doc
          query: .user
          replace:
            actions:
              var: name
              pattern: '"\${name}-x"'
              actions:
              - log: {message: "saw {}", vars: [name]}
          toVar: renamed
      - json:
          fromVar: doc
          query: .n
          replace: ""
          toVar: dropped
  `));
  assert.deepEqual(r.failures, []);
  assert.deepEqual(JSON.parse(r.v("masked") as string), { user: "alice", pass: "***", n: 2 });
  assert.deepEqual(JSON.parse(r.v("renamed") as string), { user: "alice-x", pass: "p4ss", n: 2 });
  assert.deepEqual(r.ex.logs.map((l) => l.message), ["saw alice"]);
  assert.deepEqual(JSON.parse(r.v("dropped") as string), { user: "alice", pass: "p4ss" });
});
