/**
 * The facts EXPECTATIONS.md §3 and §4 record for `benchmarks/http/` and
 * `benchmarks/core/` (and its CSV fixtures), in hf's model.
 */
import assert from "node:assert/strict";
import type { Benchmark } from "../../src/benchmark/model.ts";
import { parseCsv } from "../../src/benchmark/steps/csv.ts";
import { BENCHMARKS, loadCorpus, mustLoad, phase, scenarioOf } from "./_corpus.ts";

type Rec = Record<string, unknown>;
const stepsOf = (b: Benchmark, p: string, seq: string) =>
  scenarioOf(b, p).sequences.find((q) => q.name === seq)!.steps as Rec[];
const request = (b: Benchmark, seq: string, i = 0) =>
  stepsOf(b, "testPhase", seq).filter((s) => s.type === "httpRequest")[i];

const HTTP_FILES = [
  "CompressionTest",
  "EmbeddedResourcesTest",
  "FollowRedirectTest_always",
  "FollowRedirectTest_html",
  "FollowRedirectTest_location",
  "FollowRedirectTest_manual",
  "TagAttributeHandlerTest",
];

Deno.test("http/*: PORT defaults to 8080, one atOnce phase 'testPhase' with duration 0", async () => {
  for (const f of HTTP_FILES) {
    const b = await mustLoad(`http/${f}.hf.yaml`);
    assert.deepEqual(
      b.http.map((h) => [h.host, h.port, h.isDefault]),
      [["localhost", 8080, true]],
      f,
    );
    assert.deepEqual(b.phases.map((p) => [p.name, p.model, p.duration]), [[
      "testPhase",
      "atOnce",
      0,
    ]], f);
  }
});

Deno.test("http/*: the PORT parameter (as the tests pass it) sets the target port", async () => {
  for (const f of HTTP_FILES) {
    const b = await mustLoad(`http/${f}.hf.yaml`, { params: { PORT: "41234" } });
    assert.equal(b.http[0].port, 41234, f);
    assert.equal(b.http[0].authority, "localhost:41234", f);
  }
});

Deno.test("FollowRedirectTest_*: 100 users, 10 connections, x-preserve header, followRedirect per file", async () => {
  const modes: Record<string, [string, string]> = {
    always: ["ALWAYS", "/redirectMeSomehow?allowRecurse=yes"],
    html: ["HTML_ONLY", "/redirectMeViaHtml?allowRecurse=yes"],
    location: ["LOCATION_ONLY", "/redirectMeViaLocation?allowRecurse=yes"],
    manual: ["NEVER", "/redirectMeViaLocation"],
  };
  for (const [suffix, [mode, path]] of Object.entries(modes)) {
    const b = await mustLoad(`http/FollowRedirectTest_${suffix}.hf.yaml`);
    assert.equal(b.phases[0].users, 100);
    assert.equal(b.http[0].sharedConnections.max, 10);
    const r = request(b, "redirectMe");
    assert.equal(((r.path as Rec).pattern as Rec).pattern, path);
    assert.equal((r.handler as Rec).followRedirect, mode);
    assert.deepEqual((r.headers as { name: string }[]).map((h) => h.name), ["x-preserve"]);
    assert.equal(stepsOf(b, "testPhase", "redirectMe").at(-1)!.type, "fail");
  }
});

Deno.test("FollowRedirectTest_manual: redirect statuses set 'redirect' and start redirectMe_redirect", async () => {
  const b = await mustLoad("http/FollowRedirectTest_manual.hf.yaml");
  assert.equal(b.name, "follow redirects manual");
  const s = scenarioOf(b, "testPhase");
  assert.deepEqual(s.sequences.map((q) => [q.name, q.initial]), [["redirectMe", true], [
    "redirectMe_redirect",
    false,
  ]]);
  const handler = request(b, "redirectMe").handler as Rec;
  const [action] = handler.status as {
    type: string;
    cases: { ranges: { min: number }[]; actions: Rec[] }[];
  }[];
  assert.equal(action.type, "action");
  assert.deepEqual(action.cases[0].ranges.map((r) => r.min), [301, 302, 303, 307, 308]);
  assert.deepEqual(action.cases[0].actions, [{ type: "set", var: "redirect", value: "true" }]);
  const [filter] = handler.header as { processors: Rec[] }[];
  assert.deepEqual(filter.processors.map((p) => p.type), ["store", "newSequence"]);
  assert.equal(filter.processors[1].sequence, "redirectMe_redirect");
  const follow = request(b, "redirectMe_redirect");
  assert.deepEqual([follow.path, follow.sync], [{ fromVar: "location" }, false]);
});

Deno.test("EmbeddedResourcesTest: ordered manual → automatic → legacy plus two concurrent resource sequences", async () => {
  const b = await mustLoad("http/EmbeddedResourcesTest.hf.yaml");
  assert.equal(b.phases[0].users, 1);
  assert.equal(b.http[0].sharedConnections.max, 17);
  const s = scenarioOf(b, "testPhase");
  assert.deepEqual(s.sequences.map((q) => [q.name, q.initial, q.concurrency]), [
    ["manual", true, 0],
    ["automatic", false, 0],
    ["legacy", false, 0],
    ["embeddedResource", false, 2],
    ["legacyEmbeddedResource", false, 16],
  ]);
  const body = (seq: string) => ((request(b, seq).handler as Rec).body as Rec[])[0];
  const manual = body("manual").onEmbeddedResource as {
    ignoreExternal: boolean;
    processors: Rec[];
  };
  assert.equal(manual.ignoreExternal, true);
  assert.deepEqual([manual.processors[0].type, manual.processors[0].sequence], [
    "queue",
    "embeddedResource",
  ]);
  const automatic = body("automatic").onEmbeddedResource as { fetchResource: Rec };
  assert.equal(automatic.fetchResource.maxResources, 16);
  const legacy = body("legacy").onEmbeddedResource as { processors: Rec[] };
  assert.deepEqual(legacy.processors.map((p) => p.type), ["addToInt", "array", "newSequence"]);
});

Deno.test("TagAttributeHandlerTest: FORM action attributes into actions[3]", async () => {
  const b = await mustLoad("http/TagAttributeHandlerTest.hf.yaml");
  const parse = ((request(b, "test").handler as Rec).body as Rec[])[0];
  assert.equal(parse.type, "parseHtml");
  const [tag] = parse.onTagAttribute as Rec[];
  assert.deepEqual([tag.tag, tag.attribute], ["FORM", "action"]);
  assert.deepEqual(
    stepsOf(b, "testPhase", "test").map((s) => s.type),
    ["httpRequest", "getSize", "fail", "getItem", "fail", "getItem", "fail"],
  );
});

Deno.test("CompressionTest: both compression forms ask for gzip content encoding", async () => {
  const b = await mustLoad("http/CompressionTest.hf.yaml");
  assert.deepEqual(scenarioOf(b, "testPhase").sequences.map((q) => q.name), ["short", "long"]);
  for (const seq of ["short", "long"]) {
    assert.deepEqual(request(b, seq).compression, { encoding: "gzip", type: "CONTENT_ENCODING" });
  }
});

Deno.test("random-csv: the single http list entry is the default; rows lose their quotes", async () => {
  const r = await loadCorpus("core/random-csv.hf.yaml");
  const b = r.benchmark!;
  assert.ok(b);
  // The file sets a HOST header on purpose: a warning, not an error.
  assert.ok(r.diagnostics.every((d) => d.severity === "warning"));
  assert.deepEqual(b.http.map((h) => [h.host, h.port, h.isDefault]), [["localhost", 8099, true]]);
  const p = phase(b, "rampUp");
  assert.deepEqual([p.model, p.initialUsersPerSec, p.targetUsersPerSec, p.duration], [
    "increasingRate",
    1,
    100,
    30_000,
  ]);
  const [csv, template, req] = stepsOf(b, "rampUp", "testSequence");
  assert.deepEqual([csv.columns, csv.vars], [[0, 1], ["target-host", "uri"]]);
  const rows = csv.rows as string[][];
  assert.equal(rows.length, 4);
  assert.ok(rows.every((row) => row[0] === "localhost"));
  assert.deepEqual(rows.map((row) => row[1].split("?")[0]), [
    "/echo-api/1",
    "/echo-api/11",
    "/echo-api/1111",
    "/echo-api/1",
  ]);
  assert.ok(rows.every((row) => !row.join("").includes('"')));
  assert.deepEqual([template.toVar], ["target-authority"]);
  assert.deepEqual(req.dynamicAuthority, { fromVar: "target-authority" });
  assert.deepEqual(req.path, { fromVar: "uri" });
});

Deno.test("testdata.csv with skipComments: 3 rows × 4 columns as RandomCsvRowStepTest asserts", () => {
  for (const dir of ["core", "test-suite/data"]) {
    const text = Deno.readTextFileSync(`${BENCHMARKS}${dir}/testdata.csv`);
    const parsed = parseCsv(text, { skipComments: true });
    assert.ok("rows" in parsed, dir);
    assert.deepEqual(parsed.rows, [
      ["one", "two two", "three, three", 'four"four'],
      ["     five", "six ", "", "eight"],
      ["nine", "", "eleven", "twelve\n ends here"],
    ]);
  }
});

Deno.test("CSV: a quote after other characters, or text after a closing quote, is invalid", () => {
  assert.ok("error" in parseCsv('a,b"c"\n'));
  assert.ok("error" in parseCsv('a,"b"c\n'));
});
