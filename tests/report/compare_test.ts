/**
 * Comparing two real runs (example server, real engine): values and deltas
 * come from both all.json files, changes beyond the threshold are marked,
 * metrics of one run only are listed; `hf compare` prints the same.
 */
import assert from "node:assert/strict";
import { compareRuns, relativeDelta } from "../../src/report/compare.ts";
import { formatCount, formatDelta, formatNanos } from "../../src/report/format.ts";
import { hf } from "../cli/_hf.ts";
import { type AllJsonLike, exampleServer, quickRun, type SummaryLike, tempDir } from "./_runs.ts";

function summary(all: AllJsonLike, metric: string): SummaryLike {
  return all.stats.find((s) => s.name === "main" && s.metric === metric)!.total.summary;
}

/** The comparison's line for `value` under the group of `metric` (the group starts with `main  metric`). */
function valueLine(text: string, metric: string, value: string): string {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => new RegExp(`^main\\s+${metric}\\s`).test(l));
  assert.ok(start >= 0, `no group for ${metric}:\n${text}`);
  const line = lines.slice(start, start + 7).find((l) => new RegExp(`\\s${value}\\s`).test(l));
  assert.ok(line !== undefined, `no ${value} line for ${metric}:\n${text}`);
  return line;
}

Deno.test("compareRuns lines up two real runs by phase and metric and marks changes beyond 5%", async () => {
  await using server = exampleServer();
  await using root = await tempDir("hf-compare-");
  const [a, b] = await Promise.all([
    quickRun(root.dir, server.url, { usersPerSec: 10, duration: "1s" }),
    quickRun(root.dir, server.url, { usersPerSec: 40, duration: "1s", withErrors: true }),
  ]);
  const text = compareRuns(a.all, b.all);
  assert.match(text, new RegExp(`^A: run ${a.id} of 'quick', started \\d{4}-`));
  assert.match(text, new RegExp(`\\nB: run ${b.id} of 'quick', started `));

  let marked = 0;
  for (const metric of ["home", "json"]) {
    const sa = summary(a.all, metric);
    const sb = summary(b.all, metric);
    const checks: [string, number, number, (v: number) => string][] = [
      ["requests", sa.requestCount, sb.requestCount, (v) => formatCount(v)],
      ["mean", sa.meanResponseTime, sb.meanResponseTime, formatNanos],
      ["p50", sa.percentileResponseTime["50.0"], sb.percentileResponseTime["50.0"], formatNanos],
      ["p99.9", sa.percentileResponseTime["99.9"], sb.percentileResponseTime["99.9"], formatNanos],
    ];
    for (const [value, va, vb, format] of checks) {
      const line = valueLine(text, metric, value);
      const delta = relativeDelta(va, vb);
      const beyond = Math.abs(delta) > 0.05;
      const cells = line.trim().split(/\s{2,}/);
      assert.deepEqual(
        cells.slice(-3),
        [format(va), format(vb), `${formatDelta(delta)}${beyond ? " !" : ""}`],
        line,
      );
    }
    // Four times the rate: the request counts differ well beyond 5 %.
    assert.ok(sb.requestCount > sa.requestCount * 2);
    assert.match(valueLine(text, metric, "requests"), /\+\d+\.\d% !$/);
  }
  for (const line of text.split("\n")) if (line.endsWith(" !")) marked++;
  assert.match(text, /\nOnly in run B:\n {2}main {2}missing\n/);
  assert.ok(!text.includes("Only in run A"));
  assert.match(
    text,
    new RegExp(`\\n2 metrics compared, ${marked} values? changed beyond the threshold\\.\\n$`),
  );

  // A generous threshold marks nothing; the same run against itself changes nothing.
  assert.ok(!/ !$/m.test(compareRuns(a.all, b.all, { threshold: 1000 })));
  const same = compareRuns(a.all, a.all);
  assert.match(same, /2 metrics compared, 0 values changed/);
  assert.equal((same.match(/ 0\.0%$/gm) ?? []).length, 2 * 7);
  assert.throws(() => compareRuns(a.all, b.all, { threshold: -1 }), RangeError);

  // The CLI on run ids and directories prints the same text.
  const cli = await hf("compare", a.id, b.dir, "--root", root.dir, "--threshold", "5%");
  assert.equal(cli.code, 0, cli.stderr);
  assert.equal(cli.stdout, text);
  const badThreshold = await hf("compare", a.id, b.id, "--root", root.dir, "--threshold", "x");
  assert.equal(badThreshold.code, 2);
  assert.match(badThreshold.stderr, /expected a fraction like 0\.05 or a percentage like 5%/);
  const missing = await hf("compare", a.id, "FFFF", "--root", root.dir);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, `hf: No run 'FFFF' under '${root.dir}/run'\n`);
});
