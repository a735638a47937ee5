/**
 * The report's inline CSS and script. No fonts or files are loaded: system
 * fonts only. The script only toggles series from chart legends; the charts
 * and their tooltips (SVG `<title>`) work without it.
 * @module
 */

export const PAGE_CSS = `
:root { --fg:#1d2129; --muted:#5f6672; --line:#d9dde3; --bg:#fff; --panel:#f6f7f9;
  --bad:#c62828; --bad-bg:#fdecea; --warn:#8a5a00; --warn-bg:#fff4dc; --ok:#2e7d32; --ok-bg:#e8f5e9; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1400px; padding: 16px 24px 40px; color: var(--fg); background: var(--bg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 22px; margin: 0; display: flex; gap: 12px; align-items: baseline; flex-wrap: wrap; }
h2 { font-size: 18px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 15px; margin: 16px 0 6px; }
.run-id { color: var(--muted); font-weight: normal; }
.verdict { font-size: 13px; font-weight: 700; padding: 2px 10px; border-radius: 10px; letter-spacing: .04em; }
.verdict.passed { color: var(--ok); background: var(--ok-bg); }
.verdict.failed { color: var(--bad); background: var(--bad-bg); }
.verdict.cancelled { color: var(--warn); background: var(--warn-bg); }
.problems { border: 2px solid var(--bad); background: var(--bad-bg); border-radius: 6px; padding: 8px 14px; margin: 14px 0; }
.problems h2 { color: var(--bad); border: 0; margin: 4px 0; }
.summary { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 6px 18px;
  background: var(--panel); border-radius: 6px; padding: 10px 14px; margin: 14px 0; }
.summary div { min-width: 0; }
.summary dt { color: var(--muted); font-size: 12px; }
.summary dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
nav ul { list-style: none; padding: 0; margin: 6px 0; display: flex; flex-wrap: wrap; gap: 4px 14px; }
a { color: #2a5db0; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; margin: 4px 0 10px; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 9px; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { text-align: left; background: var(--panel); font-weight: 600; font-size: 12px; }
td.n, th.n { text-align: right; }
tr.failed td { background: var(--bad-bg); }
tr.blocked td { background: var(--warn-bg); }
.bad { color: var(--bad); font-weight: 600; }
.note { color: var(--muted); font-size: 12px; margin: 4px 0; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 12px 18px; }
figure.chart { margin: 0; padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; break-inside: avoid; }
figcaption { font-weight: 600; font-size: 13px; margin-bottom: 2px; }
figure.chart svg { width: 100%; height: auto; display: block; }
svg .grid { stroke: #eceef1; } svg .axis, svg .tickmark { stroke: #9aa1ab; }
svg text { font-size: 11px; fill: var(--muted); font-family: inherit; }
svg .axis-label { font-size: 10px; }
svg .line { fill: none; stroke-width: 1.6; stroke-linejoin: round; }
svg .line.dashed { stroke-dasharray: 5 3; }
svg .area { opacity: .18; stroke: none; }
svg .series.off { display: none; }
.legend { list-style: none; padding: 0; margin: 2px 0 0; display: flex; flex-wrap: wrap; gap: 2px 10px; font-size: 12px; }
.legend button { font: inherit; border: 0; background: none; padding: 0; cursor: pointer; color: inherit; }
.legend button[aria-pressed="false"] { opacity: .4; text-decoration: line-through; }
.swatch { display: inline-block; width: 14px; height: 0; border-top: 3px solid; margin-right: 4px; vertical-align: middle; }
.swatch.dashed { border-top-style: dashed; }
.nodata { color: var(--muted); }
footer { margin-top: 30px; color: var(--muted); font-size: 12px; }
@media print {
  @page { size: A4 landscape; margin: 10mm; }
  body { max-width: none; padding: 0; font-size: 11px; }
  nav, .legend button[aria-pressed="false"] { display: none; }
  h2, h3 { break-after: avoid; }
  .charts { grid-template-columns: 1fr 1fr; }
  figure.chart, .summary, .problems { break-inside: avoid; }
  tr { break-inside: avoid; }
  thead { display: table-header-group; }
  .table-wrap { overflow: visible; }
  a { color: inherit; text-decoration: none; }
}
`;

export const PAGE_SCRIPT = `
document.addEventListener("click", function (ev) {
  var b = ev.target instanceof Element ? ev.target.closest(".legend button") : null;
  if (!b) return;
  var on = b.getAttribute("aria-pressed") !== "true";
  b.setAttribute("aria-pressed", String(on));
  var key = b.getAttribute("data-key");
  b.closest("figure").querySelectorAll("g.series").forEach(function (g) {
    if (g.getAttribute("data-key") === key) g.classList.toggle("off", !on);
  });
});
`;
