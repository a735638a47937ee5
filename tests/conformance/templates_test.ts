/**
 * Hyperfoil's template goldens (`TemplateIteratorTest`): a template expanded
 * with the given parameters equals the expected file parsed the same way.
 */
import assert from "node:assert/strict";
import { Diagnostics } from "../../src/benchmark/diagnostics.ts";
import type { YNode } from "../../src/benchmark/node.ts";
import { parseYaml } from "../../src/benchmark/template.ts";
import { TEMPLATES } from "./_paths.ts";

type Plain = string | null | Plain[] | { [key: string]: Plain };

/** A YNode tree as plain JS values, for deep equality. */
function toPlain(node: YNode): Plain {
  switch (node.kind) {
    case "scalar":
      return node.isNull ? null : node.value;
    case "seq":
      return node.items.map(toPlain);
    case "map":
      return Object.fromEntries(node.entries.map((e) => [e.key.value, toPlain(e.value)]));
  }
}

function expand(text: string, params: Record<string, string> = {}) {
  const diagnostics = new Diagnostics("template.yaml");
  const node = parseYaml(text, { params, diagnostics });
  return { node, diagnostics };
}

function expandFile(name: string, params: Record<string, string> = {}): Plain {
  const { node, diagnostics } = expand(Deno.readTextFileSync(TEMPLATES + name), params);
  assert.deepEqual(diagnostics.items, [], `${name} expands without diagnostics`);
  assert.ok(node !== undefined);
  return toPlain(node);
}

const PARAMS = { FOO: "foo", BAR: "bar", C: "c", LIST_OF_ITEMS: "x;y" };

Deno.test("template.yaml expands to expected.yaml with FOO, BAR, C and LIST_OF_ITEMS", () => {
  const actual = expandFile("template.yaml", PARAMS);
  const expected = expandFile("expected.yaml");
  assert.deepEqual(actual, expected);
});

Deno.test("template.yaml: each key of the golden holds on its own", () => {
  const t = expandFile("template.yaml", PARAMS) as Record<string, Plain>;
  assert.equal(t.withoutDefault, "foo");
  assert.equal(t.withDefault, "bar");
  assert.equal(t.giveMeString, "abcd");
  assert.deepEqual(t.giveMeList, ["a", "b", "c"]);
  assert.deepEqual(t.giveMeComplexList, [{ foo: "x", bar: ["a", "b"] }, {
    foo: "y",
    bar: ["a", "b"],
  }]);
  assert.deepEqual(t.inList, ["bar", "xxx", [["ax", "ay"], ["bx", "by"]]]);
  assert.equal(t.copyOne, "foo");
  assert.deepEqual(t.copyTwo, ["a", "b", "c"]);
  // The alias re-evaluates `!param FOO` inside the loop, where FOO is rebound...
  assert.deepEqual(t.copyToLoop, ["bar", "goo"]);
  // ...and the binding is popped after the loop.
  assert.equal(t.checkUnsetAfterLoop, "foo");
  assert.deepEqual(t.emptyLoop, []);
});

Deno.test("aliasInAnchor.template.yaml expands aliases nested in anchors fully", () => {
  const actual = expandFile("aliasInAnchor.template.yaml");
  assert.deepEqual(actual, expandFile("aliasInAnchor.expected.yaml"));
  assert.deepEqual(actual, {
    foo: ["A", "B"],
    bar: [["A", "B"], "C"],
    result: [[["A", "B"], "C"], "D"],
  });
});

Deno.test("template.yaml without FOO fails naming the missing parameter", () => {
  const { FOO: _, ...rest } = PARAMS;
  const text = Deno.readTextFileSync(TEMPLATES + "template.yaml");
  const { node, diagnostics } = expand(text, rest);
  assert.equal(node, undefined);
  const errors = diagnostics.errors;
  assert.ok(errors.length >= 1);
  assert.match(errors[0].message, /'FOO'/);
  assert.match(errors[0].message, /not defined and has no default/);
  // `withoutDefault: &first !param FOO` is line 6; the position is the parameter's name.
  assert.equal(errors[0].line, 6);
  assert.equal(errors[0].col, 31);
});

Deno.test("a missing parameter without default is an error naming it", () => {
  const { node, diagnostics } = expand("port: !param SERVER_PORT\n");
  assert.equal(node, undefined);
  assert.equal(diagnostics.errors.length, 1);
  const e = diagnostics.errors[0];
  assert.match(e.message, /Parameter 'SERVER_PORT' is not defined and has no default value/);
  assert.match(e.message, /-P SERVER_PORT=VALUE/);
  assert.deepEqual([e.line, e.col], [1, 14]);
});

Deno.test("a parameter default keeps inner spaces and loses one pair of quotes", () => {
  const { node } = expand(
    "a: !param X some default value\nb: !param Y \"quoted  value\"\nc: !param Z 'single'\n",
  );
  assert.deepEqual(toPlain(node!), { a: "some default value", b: "quoted  value", c: "single" });
});

Deno.test("a given parameter wins over the default", () => {
  const { node } = expand("a: !param X some default\n", { X: "given" });
  assert.deepEqual(toPlain(node!), { a: "given" });
});

Deno.test("a duplicate anchor is an error", () => {
  const { node, diagnostics } = expand("a: &x 1\nb: &x 2\nc: *x\n");
  assert.equal(node, undefined);
  assert.equal(diagnostics.errors.length, 1);
  assert.match(diagnostics.errors[0].message, /Duplicate anchor '&x'/);
  assert.equal(diagnostics.errors[0].line, 2);
});

Deno.test("!foreach splits scalar items on a regex separator, trims them and drops trailing empties", () => {
  const { node, diagnostics } = expand(
    "l: !foreach\n  items: ' a ;b;; c ;;'\n  separator: ';+'\n  do: !concat [x, !param ITEM]\n",
  );
  assert.deepEqual(diagnostics.items, []);
  assert.deepEqual(toPlain(node!), { l: ["xa", "xb", "xc"] });
});

Deno.test("!foreach accepts a list of scalar items", () => {
  const { node } = expand("l: !foreach\n  items: [p, q]\n  param: V\n  do: {name: !param V}\n");
  assert.deepEqual(toPlain(node!), { l: [{ name: "p" }, { name: "q" }] });
});

Deno.test("an unknown tag is an error naming it", () => {
  const { node, diagnostics } = expand("a: !parm X\n");
  assert.equal(node, undefined);
  assert.match(
    diagnostics.errors[0].message,
    /Unknown tag '!parm': expected '!param', '!concat' or '!foreach'/,
  );
});

Deno.test("!concat with a mapping inside is an error", () => {
  const { node, diagnostics } = expand("a: !concat [x, {y: z}]\n");
  assert.equal(node, undefined);
  assert.match(diagnostics.errors[0].message, /'!concat' joins scalars only, found a mapping/);
});
