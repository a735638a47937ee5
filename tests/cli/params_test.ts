import assert from "node:assert/strict";
import { InvalidArgumentError } from "commander";
import { collectParam, parseParam, splitGluedParams } from "../../src/cli/params.ts";

Deno.test("the glued form -PNAME=VALUE is split into -P NAME=VALUE", () => {
  assert.deepEqual(
    splitGluedParams(["validate", "-PHOST=http://h:1", "-P", "A=b", "--param", "C=d", "x.hf.yaml"]),
    ["validate", "-P", "HOST=http://h:1", "-P", "A=b", "--param", "C=d", "x.hf.yaml"],
  );
});

Deno.test("arguments after -- are not split", () => {
  assert.deepEqual(splitGluedParams(["validate", "--", "-PX=1"]), ["validate", "--", "-PX=1"]);
});

Deno.test("a parameter value may be empty and may contain '='", () => {
  assert.deepEqual(parseParam("A="), ["A", ""]);
  assert.deepEqual(parseParam("Q=a=b"), ["Q", "a=b"]);
});

Deno.test("a parameter without '=' or without a name is refused", () => {
  assert.throws(() => parseParam("NAME"), InvalidArgumentError);
  assert.throws(() => parseParam("=value"), InvalidArgumentError);
});

Deno.test("a repeated parameter keeps the last value", () => {
  assert.deepEqual(collectParam("A=2", collectParam("A=1")), { A: "2" });
});
