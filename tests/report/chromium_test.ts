/**
 * The report of a real run opened in headless Chromium: it renders (a PNG of
 * the asked size with a real picture), runs without console errors, and its
 * charts hold the run's data points after load.
 */
import assert from "node:assert/strict";
import { renderReport } from "../../src/report/html.ts";
import { chromiumPath, decodePng, loadPage, screenshot } from "./_chromium.ts";
import { chart, drawnCharts, type DrawnSeries, phaseSections } from "./_html.ts";
import { exampleServer, quickRun, tempDir } from "./_runs.ts";

const binary = chromiumPath();
// CI installs chromium (.ci/run), so there a missing one fails instead of skipping.
const ignore = binary === undefined && !Deno.env.get("CI");

Deno.test({
  name: "the console check catches a page that throws (the detector works on this Chromium)",
  ignore,
  async fn() {
    assert.ok(binary, "chromium is not installed");
    await using tmp = await tempDir("hf-chromium-test-");
    const page = `${tmp.dir}/broken.html`;
    await Deno.writeTextFile(
      page,
      `<!DOCTYPE html><p>x</p><script>throw new Error("control-boom")</script>`,
    );
    const loaded = await loadPage(binary, page);
    assert.ok(loaded.console.some((l) => l.includes("control-boom")), loaded.console.join("\n"));
  },
});

Deno.test({
  name:
    "a real run's report renders in headless Chromium with its data points and no console errors",
  ignore,
  async fn() {
    assert.ok(binary, "chromium is not installed");
    await using server = exampleServer();
    await using root = await tempDir("hf-chromium-test-");
    const run = await quickRun(root.dir, server.url, { duration: "3s", withErrors: true });
    const file = `${root.dir}/report.html`;
    await Deno.writeTextFile(file, renderReport(run.all));

    const png = decodePng(await screenshot(binary, file, 1280, 2000));
    assert.equal(png.width, 1280);
    assert.equal(png.height, 2000);
    // Not blank: a good share of non-white pixels in many colors (text, tables, chart lines).
    const colors = new Set<number>();
    let inked = 0;
    for (let i = 0; i < png.pixels.length; i += png.channels) {
      const [r, g, b] = [png.pixels[i], png.pixels[i + 1], png.pixels[i + 2]];
      colors.add((r << 16) | (g << 8) | b);
      if (r < 200 || g < 200 || b < 200) inked++;
    }
    const share = inked / (png.width * png.height);
    assert.ok(share > 0.01, `only ${(share * 100).toFixed(2)}% of the pixels are inked`);
    assert.ok(colors.size > 50, `only ${colors.size} colors`);

    const page = await loadPage(binary, file);
    assert.deepEqual(page.console, [], "console messages");
    // The DOM after load still has every chart, each series with all the run's points.
    assert.match(page.dom, /<h1>quick <span class="run-id">run /);
    const main: string = phaseSections(page.dom).get("main") ?? "";
    assert.ok(main !== "", "the main phase section");
    const stats = run.all.stats.filter((s) => s.name === "main");
    assert.equal(stats.length, 3);
    for (const s of stats) {
      assert.ok(s.series.length >= 3, `${s.metric}: ${s.series.length} slots`);
      for (
        const [title, key] of [
          ["Throughput", s.metric],
          ["Errors per second", s.metric],
          ["Latency over time", `${s.metric} p50`],
          ["Latency over time", `${s.metric} p99`],
        ]
      ) {
        const series: DrawnSeries | undefined = chart(main, title).series.find((x) =>
          x.key === key
        );
        assert.ok(series, `${title}: ${key}`);
        assert.equal(series.points, s.series.length, `${title} ${key}`);
        assert.equal(series.vertices, s.series.length, `${title} ${key}`);
      }
    }
    const sessions = (run.all as unknown as { sessions: { name: string; sessions: unknown[] }[] })
      .sessions.find((e) => e.name === "main")!.sessions.length;
    assert.equal(chart(main, "Sessions in use").series[0].points, sessions);
    assert.ok(drawnCharts(page.dom).length >= 6);
  },
});
