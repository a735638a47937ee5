/**
 * The HTML report of a real run (example server, real engine): what the page
 * says is what all.json holds, charts carry every data point, names are
 * escaped, nothing is loaded from elsewhere; the loader, `hf report` and
 * `GET /run/{id}/report` find runs by id or directory.
 */
import assert from "node:assert/strict";
import { formatCount, formatNanos } from "../../src/report/format.ts";
import { escapeHtml, renderReport } from "../../src/report/html.ts";
import { loadRunForReport, RunLoadError } from "../../src/report/load_run.ts";
import { percentileCurve } from "../../src/report/report_data.ts";
import { readRunDocument, RunDocumentError } from "../../src/report/run_document.ts";
import { hf } from "../cli/_hf.ts";
import { testController } from "../controller/_rest_helpers.ts";
import { chart, phaseSections } from "./_html.ts";
import { exampleServer, quickRun, tempDir } from "./_runs.ts";

const NAME = `q<&"x`;

Deno.test("the report of a real run shows its totals, errors, SLA failures and every series point", async () => {
  await using server = exampleServer();
  await using root = await tempDir("hf-report-");
  const run = await quickRun(root.dir, server.url, {
    name: NAME,
    withErrors: true,
    warmup: true,
    failingSla: true,
  });
  const html = renderReport(run.all, { generatedAt: 1 });

  // Self-contained: no scripts, styles, images or fonts from anywhere.
  assert.ok(html.startsWith("<!DOCTYPE html>"));
  assert.ok(!/<link|<img|<iframe|\ssrc=|url\(|@import/i.test(html));
  const urls = html.match(/https?:\/\/[^"'\s<)]+/g) ?? [];
  assert.deepEqual([...new Set(urls)], ["http://www.w3.org/2000/svg"]);

  // The benchmark's name is escaped wherever it appears.
  assert.ok(!html.includes(NAME));
  assert.ok(html.includes(`<title>${escapeHtml(NAME)} — run ${run.id}</title>`));
  assert.ok(html.includes(`<h1>${escapeHtml(NAME)} <span class="run-id">run ${run.id}</span>`));

  // SLA failures come first, before the summary, with all.json's messages.
  const doc = readRunDocument(run.all);
  assert.ok(doc.failures.length > 0);
  assert.match(html, /<span class="verdict failed">FAILED<\/span>/);
  const problems = html.indexOf(`<section class="problems"`);
  assert.ok(problems > 0 && problems < html.indexOf(`<dl class="summary">`));
  for (const f of doc.failures) assert.ok(html.includes(escapeHtml(f.message)), f.message);

  // Warm-up phases are left out by default, and named.
  const sections = phaseSections(html);
  assert.deepEqual([...sections.keys()], ["main"]);
  assert.match(html, /Warm-up phases not shown: warm\./);
  const withWarmup = phaseSections(renderReport(run.all, { warmup: true }));
  assert.deepEqual([...withWarmup.keys()], ["warm", "main"]);

  const main = sections.get("main")!;
  const stats = run.all.stats.filter((s) => s.name === "main");
  assert.deepEqual(stats.map((s) => s.metric).sort(), ["home", "json", "missing"]);
  for (const s of stats) {
    const sum = s.total.summary;
    // The table row holds the totals, formatted as everywhere in hf.
    const row = new RegExp(`<tr[^>]*><td>${s.metric}</td>(.*?)</tr>`).exec(main)![1];
    assert.ok(row.includes(`>${formatCount(sum.requestCount)}<`), `${s.metric}: ${row}`);
    assert.ok(row.includes(`>${formatNanos(sum.percentileResponseTime["99.0"])}<`));
    assert.ok(row.includes(`>${formatNanos(sum.meanResponseTime)}<`));
    // Each time chart has the metric's series, point for point.
    for (
      const [title, key] of [
        ["Throughput", s.metric],
        ["Errors per second", s.metric],
        ["Latency over time", `${s.metric} p99`],
      ]
    ) {
      const series = chart(main, title).series.find((x) => x.key === key)!;
      assert.equal(series.points, s.series.length, `${title} ${key}`);
      assert.equal(series.drawn, s.series.length);
      assert.equal(series.vertices, s.series.length);
    }
    const curve = chart(main, "Latency percentile distribution").series
      .find((x) => x.key === s.metric)!;
    const expected = percentileCurve(doc.stats[run.all.stats.indexOf(s)]);
    assert.equal(curve.vertices, expected.points.length);
    assert.ok(curve.vertices >= 2);
  }
  // The 404s are counted as 4xx and marked.
  const missing = stats.find((s) => s.metric === "missing")!;
  const http = (missing.total.summary.extensions as { http: { status_4xx: number } }).http;
  assert.ok(http.status_4xx > 0);
  const errorsRow = [...main.matchAll(/<tr[^>]*><td>missing<\/td>(.*?)<\/tr>/g)][1][1];
  assert.ok(errorsRow.includes(`<td class="n bad">${formatCount(http.status_4xx)}</td>`));

  assert.equal(chart(main, "Sessions in use").series[0].key, "in-vm");
  assert.match(html, /<section id="agents"><h2>Agents<\/h2>[^]*<td>in-vm<\/td>/);
  assert.match(html, /<section id="connections">[^]*Connections to 127\.0\.0\.1:/);
});

Deno.test("runs are found by id, directory or all.json file; a missing one is a clear error", async () => {
  await using server = exampleServer();
  await using root = await tempDir("hf-report-");
  const run = await quickRun(root.dir, server.url, { duration: "1s" });
  for (const ref of [run.id, run.id.toLowerCase(), run.dir, `${run.dir}/`, `${run.dir}/all.json`]) {
    const loaded = await loadRunForReport(ref, root.dir);
    assert.equal(loaded.doc.info.id, run.id, ref);
    assert.deepEqual(loaded.all, run.all);
  }
  await assert.rejects(
    () => loadRunForReport("FFFF", root.dir),
    (e) => e instanceof RunLoadError && e.message === `No run 'FFFF' under '${root.dir}/run'`,
  );
  await assert.rejects(
    () => loadRunForReport(root.dir, root.dir),
    (e) => e instanceof RunLoadError && /has no all\.json/.test(e.message),
  );
  await assert.rejects(() => loadRunForReport("no such thing", root.dir), RunLoadError);

  // `hf report` by id into a file, and to stdout.
  const out = `${root.dir}/r.html`;
  const written = await hf("report", run.id, "--root", root.dir, "-o", out);
  assert.equal(written.code, 0, written.stderr);
  assert.equal(written.stdout, `Report of run ${run.id} written to ${out}\n`);
  assert.match(await Deno.readTextFile(out), /^<!DOCTYPE html>[^]*<h1>quick /);
  const piped = await hf("report", run.dir, "-o", "-");
  assert.equal(piped.code, 0, piped.stderr);
  assert.match(piped.stdout, /^<!DOCTYPE html>[^]*<\/html>\n$/);
  const missing = await hf("report", "FFFF", "--root", root.dir);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, `hf: No run 'FFFF' under '${root.dir}/run'\n`);

  // The controller serves the same page for a run on disk; unknown runs are 404.
  await using c = await testController({ root: root.dir });
  const res = await fetch(`${c.url}/run/${run.id}/report`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
  const served = await res.text();
  const local = renderReport(run.all);
  // Equal but for the generation time in the footer.
  const body = (h: string) => h.replace(/<footer>.*<\/footer>/, "");
  assert.equal(body(served), body(local));
  const unknown = await fetch(`${c.url}/run/FFFF/report`);
  assert.equal(unknown.status, 404);
  await unknown.body?.cancel();
});

Deno.test("a malformed all.json is rejected naming the field and what was expected", () => {
  const cases: [unknown, RegExp][] = [
    [[], /^x\.json: document: expected an object, found \[\]$/],
    [{ stats: 3 }, /^x\.json: stats: expected an array, found 3$/],
    [{ stats: [{ name: "p" }] }, /^x\.json: stats\[0\]\.metric: expected a string, found nothing$/],
    [
      { stats: [{ name: "p", metric: "m", total: { summary: { meanResponseTime: "1" } } }] },
      /^x\.json: stats\[0\]\.total\.summary\.minResponseTime: expected a number, found nothing$/,
    ],
  ];
  for (const [doc, message] of cases) {
    assert.throws(
      () => renderReport(doc, { source: "x.json" }),
      (e) => e instanceof RunDocumentError && message.test(e.message),
      String(message),
    );
  }
});
