import assert from "node:assert/strict";
import { escapeHtml } from "../../src/report/html.ts";
import { downsampleBand, downsampleMinMax, type Point } from "../../src/report/downsample.ts";
import {
  decadeTicks,
  formatClockSeconds,
  linearScale,
  logScale,
  niceTicks,
  timeTicks,
} from "../../src/report/scale.ts";
import { lineChart, linePath } from "../../src/report/svg_chart.ts";

/** Vertices of an SVG path made of M/L commands. */
function vertices(d: string): { x: number; y: number; cmd: string }[] {
  return [...d.matchAll(/([ML])(-?[\d.]+),(-?[\d.]+)/g)].map((m) => ({
    cmd: m[1],
    x: Number(m[2]),
    y: Number(m[3]),
  }));
}

/** A deterministic wiggly series with one spike and one dip. */
function series(n: number, spikeAt: number, dipAt: number): Point[] {
  return Array.from({ length: n }, (_, i) => ({
    x: i,
    y: i === spikeAt ? 1000 : i === dipAt ? -50 : 100 + 20 * Math.sin(i / 7),
  }));
}

Deno.test("linear scale maps the domain ends onto the range ends, inverted y included", () => {
  const y = linearScale([0, 200], [210, 10]);
  assert.equal(y(0), 210);
  assert.equal(y(200), 10);
  assert.equal(y(100), 110);
  assert.deepEqual(y.domain, [0, 200]);
});

Deno.test("log scale puts each decade at an equal distance and clamps values below the start", () => {
  const x = logScale([1, 1000], [0, 300]);
  assert.equal(x(1), 0);
  assert.ok(Math.abs(x(10) - 100) < 1e-9);
  assert.ok(Math.abs(x(100) - 200) < 1e-9);
  assert.equal(x(0.5), 0);
  assert.throws(() => logScale([0, 10], [0, 1]), RangeError);
});

Deno.test("nice ticks are round 1-2-5 steps that start at the minimum and cover the maximum", () => {
  for (const max of [0.7, 3, 17, 99, 101, 1234, 987_654]) {
    const t = niceTicks(0, max);
    assert.equal(t[0], 0);
    assert.ok(t[t.length - 1] >= max, `${t} covers ${max}`);
    assert.ok(t.length >= 3 && t.length <= 12, `${t.length} ticks for ${max}`);
    const step = t[1] - t[0];
    const mantissa = step / 10 ** Math.floor(Math.log10(step));
    assert.ok([1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-9), `step ${step}`);
    for (let i = 1; i < t.length; i++) assert.ok(Math.abs(t[i] - t[i - 1] - step) < step * 1e-9);
  }
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
});

Deno.test("time ticks use clock steps and labels read as seconds, minutes or hours", () => {
  const short = timeTicks(4.5);
  assert.deepEqual(short, [0, 1, 2, 3, 4, 5]);
  const hour = timeTicks(3600);
  assert.equal(hour[1] - hour[0], 600);
  assert.ok(hour[hour.length - 1] >= 3600);
  assert.equal(formatClockSeconds(45), "45s");
  assert.equal(formatClockSeconds(150), "2:30");
  assert.equal(formatClockSeconds(3723), "1:02:03");
  assert.deepEqual(decadeTicks(250), [1, 10, 100, 1000]);
});

Deno.test("downsampling keeps every column's minimum and maximum, spike and dip included", () => {
  const points = series(5000, 1234, 4321);
  const out = downsampleMinMax(points, 200);
  assert.ok(out.length <= 400, `${out.length} points`);
  assert.ok(out.length >= 200);
  const ys = out.map((p) => p.y);
  assert.equal(Math.max(...ys), 1000);
  assert.equal(Math.min(...ys), -50);
  // Every kept point is an original one, in x order.
  for (let i = 1; i < out.length; i++) assert.ok(out[i].x > out[i - 1].x);
  for (const p of out) assert.equal(points[p.x].y, p.y);
  // Each column's extremes survive: compare with a direct computation per column.
  const width = (points[points.length - 1].x - points[0].x) / 200;
  for (let c = 0; c < 200; c++) {
    const inCol = (p: Point) => Math.min(199, Math.floor(p.x / width)) === c;
    const orig = points.filter(inCol).map((p) => p.y);
    const kept = out.filter(inCol).map((p) => p.y);
    assert.equal(Math.max(...kept), Math.max(...orig), `column ${c} max`);
    assert.equal(Math.min(...kept), Math.min(...orig), `column ${c} min`);
  }
});

Deno.test("downsampling leaves short series alone", () => {
  const points = series(300, 10, 20);
  assert.deepEqual(downsampleMinMax(points, 200), points);
});

Deno.test("band downsampling keeps the lowest low and the highest high per column", () => {
  const band = Array.from({ length: 3000 }, (_, i) => ({
    x: i,
    lo: i === 777 ? 0 : 5,
    hi: i === 2222 ? 99 : 10,
  }));
  const out = downsampleBand(band, 100);
  assert.equal(out.length, 100);
  assert.equal(Math.min(...out.map((p) => p.lo)), 0);
  assert.equal(Math.max(...out.map((p) => p.hi)), 99);
});

Deno.test("a line path breaks where the data has a gap", () => {
  const x = linearScale([0, 10], [0, 100]);
  const y = linearScale([0, 10], [100, 0]);
  const d = linePath([{ x: 0, y: 0 }, { x: 1, y: 1 }, { x: 5, y: 5 }, { x: 6, y: 6 }], x, y, 1.5);
  assert.deepEqual(vertices(d).map((v) => v.cmd), ["M", "L", "M", "L"]);
  assert.deepEqual(vertices(d).map((v) => [v.x, v.y]), [[0, 100], [10, 90], [50, 50], [60, 40]]);
});

Deno.test("a chart draws every point of a short series inside its plot area", () => {
  const points = series(60, 30, 40);
  const svg = lineChart({
    title: "t",
    x: { kind: "time" },
    y: {},
    lines: [{ key: "a", label: "a", points }],
  });
  const g = /<g class="series" data-key="a" data-points="(\d+)" data-drawn="(\d+)">/.exec(svg);
  assert.ok(g);
  assert.equal(Number(g[1]), 60);
  assert.equal(Number(g[2]), 60);
  const d = /<path class="line" d="([^"]+)"/.exec(svg)![1];
  const v = vertices(d);
  assert.equal(v.length, 60);
  const [, , w, h] = /viewBox="([\d ]+)"/.exec(svg)![1].split(" ").map(Number);
  for (const p of v) assert.ok(p.x >= 0 && p.x <= w && p.y >= 0 && p.y <= h, `${p.x},${p.y}`);
  // The highest point is drawn highest (smallest y), the lowest lowest.
  const ys = v.map((p) => p.y);
  assert.equal(ys.indexOf(Math.min(...ys)), 30);
  assert.equal(ys.indexOf(Math.max(...ys)), 40);
  // Few points: each is a hoverable marker with a tooltip.
  assert.equal((svg.match(/<circle /g) ?? []).length, 60);
  assert.equal((svg.match(/<title>/g) ?? []).length, 60);
});

Deno.test("a chart of thousands of seconds draws at most two points per pixel column", () => {
  const points = series(7200, 5000, 100);
  const svg = lineChart({
    title: "long",
    x: { kind: "time" },
    y: {},
    width: 560,
    gap: 1.5,
    lines: [{ key: "a", label: "a", points }],
  });
  const drawn = Number(/data-drawn="(\d+)"/.exec(svg)![1]);
  assert.equal(Number(/data-points="(\d+)"/.exec(svg)![1]), 7200);
  assert.ok(drawn <= 2 * 560 && drawn > 100, `${drawn} drawn`);
  const v = vertices(/<path class="line" d="([^"]+)"/.exec(svg)![1]);
  assert.equal(v.length, drawn);
  // Points kept a few seconds apart by downsampling are no gap in the data: one unbroken line.
  assert.deepEqual(v.map((p) => p.cmd).filter((c) => c === "M"), ["M"]);
  assert.ok(!svg.includes("<circle"), "no markers for thousands of points");
  // The x axis ends at or after the last second, with clock labels; the last one fits.
  assert.match(svg, /text-anchor="end">2:00:00</);
});

Deno.test('chart text is escaped: titles, series names and tooltips with <&"', () => {
  const name = `<script>alert("x")</script> & co`;
  const svg = lineChart({
    title: name,
    x: {},
    y: {},
    lines: [{ key: name, label: name, points: [{ x: 1, y: 2 }] }],
  });
  assert.ok(!svg.includes("<script>"));
  assert.ok(!svg.includes(`"x"`));
  assert.ok(svg.includes(escapeHtml(name)));
  assert.equal(escapeHtml(`a<b>&"c'`), "a&lt;b&gt;&amp;&quot;c&#39;");
});

Deno.test("a chart without points says so instead of drawing empty axes", () => {
  const svg = lineChart({
    title: "none",
    x: {},
    y: {},
    lines: [{ key: "a", label: "a", points: [] }],
  });
  assert.match(svg, /No data recorded/);
  assert.ok(!svg.includes("<svg"));
});
