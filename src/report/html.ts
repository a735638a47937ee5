/**
 * The self-contained HTML report of one run: summary and verdict first (SLA
 * failures and errors prominently), then per phase tables and charts, then
 * connections and the per-agent breakdown. One file: inline CSS, inline SVG,
 * a few lines of script for legend toggles; nothing is fetched.
 * @module
 */
import { escapeHtml } from "./_escape.ts";
import { PAGE_CSS, PAGE_SCRIPT } from "./_page_style.ts";
import {
  connectionsChart,
  distributionChart,
  errorsChart,
  latencyChart,
  sessionsChart,
  throughputChart,
} from "./charts.ts";
import { formatCount, formatDate, formatDuration } from "./format.ts";
import { type PhaseView, type ReportData, reportData } from "./report_data.ts";
import { readRunDocument } from "./run_document.ts";
import { agentTable, errorsList, errorsTable, failuresTable, latencyTable } from "./tables.ts";

export { escapeHtml };

export interface ReportOptions {
  /** Include warm-up phases; default false. */
  warmup?: boolean;
  /** Epoch ms printed as the generation time; default now. */
  generatedAt?: number;
  /** Names the document in errors; default `all.json`. */
  source?: string;
}

function summary(d: ReportData): string {
  const item = (term: string, value: string) =>
    `<div><dt>${escapeHtml(term)}</dt><dd>${escapeHtml(value)}</dd></div>`;
  const items = [
    item("Benchmark", d.benchmark),
    item("Run", d.id),
    item("Result", d.verdict.toUpperCase()),
    item("Started", formatDate(d.startTime)),
    item("Ended", formatDate(d.endTime)),
    item("Duration", formatDuration(d.endTime - d.startTime)),
    item("Agents", d.agents.length > 0 ? d.agents.join(", ") : "–"),
    item("Requests", formatCount(d.totals.requests)),
    item("Responses", formatCount(d.totals.responses)),
    item("Errors", formatCount(d.totals.errors)),
    item("SLA failures", String(d.failures.length)),
  ];
  if (d.description !== null && d.description !== "") {
    items.push(item("Description", d.description));
  }
  return `<dl class="summary">${items.join("")}</dl>`;
}

function problems(d: ReportData): string {
  if (d.failures.length === 0 && d.errors.length === 0) return "";
  const parts = [`<section class="problems" id="problems">`];
  if (d.failures.length > 0) {
    parts.push(`<h2>SLA failures (${d.failures.length})</h2>`, failuresTable(d.failures));
  }
  if (d.errors.length > 0) parts.push(`<h2>Errors (${d.errors.length})</h2>`, errorsList(d.errors));
  parts.push(`</section>`);
  return parts.join("");
}

function phaseSection(p: PhaseView, index: number, d: ReportData): string {
  const warm = p.isWarmup ? " (warm-up)" : "";
  const span = `${formatDate(p.start)} – ${formatDate(p.end)}, ${formatDuration(p.end - p.start)}`;
  const failed = p.failures.length > 0
    ? `<p class="note bad">SLA failures: ${
      p.failures.map((f) => escapeHtml(`${f.metric ?? "phase"}: ${f.message}`)).join("; ")
    }</p>`
    : "";
  const charts = [
    throughputChart(p),
    latencyChart(p),
    errorsChart(p),
    distributionChart(p),
  ];
  if (p.sessions.length > 0) charts.push(sessionsChart(p));
  return [
    `<section class="phase" id="phase-${index}" data-phase="${escapeHtml(p.name)}">`,
    `<h2>Phase ${escapeHtml(p.name)}${warm}</h2>`,
    `<p class="note">${escapeHtml(span)}; times on the charts are since the run started (${
      escapeHtml(formatDate(d.startTime))
    }).</p>`,
    failed,
    `<h3>Throughput and latency</h3>`,
    latencyTable(p.rows),
    `<h3>Errors and status codes</h3>`,
    errorsTable(p.rows),
    `<div class="charts">${charts.join("")}</div>`,
    `</section>`,
  ].join("");
}

function nav(d: ReportData): string {
  const links = d.phases.map((p, i) => `<li><a href="#phase-${i}">${escapeHtml(p.name)}</a></li>`);
  if (d.connections.length > 0) links.push(`<li><a href="#connections">Connections</a></li>`);
  if (d.agentRows.length > 0) links.push(`<li><a href="#agents">Agents</a></li>`);
  return `<nav><ul>${links.join("")}</ul></nav>`;
}

/** The page for shaped report data. */
export function renderReportData(d: ReportData, generatedAt = Date.now()): string {
  const title = `${d.benchmark} — run ${d.id}`;
  const body: string[] = [
    `<header><h1>${escapeHtml(d.benchmark)} <span class="run-id">run ${escapeHtml(d.id)}</span>`,
    `<span class="verdict ${d.verdict}">${d.verdict.toUpperCase()}</span></h1></header>`,
    problems(d),
    summary(d),
    nav(d),
  ];
  if (d.hiddenWarmup.length > 0) {
    body.push(
      `<p class="note">Warm-up phases not shown: ${escapeHtml(d.hiddenWarmup.join(", "))}.</p>`,
    );
  }
  if (d.phases.length === 0) body.push(`<p class="nodata">The run recorded no statistics.</p>`);
  d.phases.forEach((p, i) => body.push(phaseSection(p, i, d)));
  if (d.connections.length > 0) {
    body.push(
      `<section id="connections"><h2>Connections</h2><div class="charts">`,
      ...d.connections.map((c) => connectionsChart(c.authority, c.series)),
      `</div></section>`,
    );
  }
  if (d.agentRows.length > 0) {
    body.push(`<section id="agents"><h2>Agents</h2>`, agentTable(d.agentRows), `</section>`);
  }
  body.push(
    `<footer>Generated by hf (results written by ${escapeHtml(d.version)}) on ${
      escapeHtml(formatDate(generatedAt))
    }.</footer>`,
  );
  return [
    `<!DOCTYPE html>`,
    `<html lang="en"><head><meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${escapeHtml(title)}</title>`,
    `<style>${PAGE_CSS}</style></head><body>`,
    ...body,
    `<script>${PAGE_SCRIPT}</script>`,
    `</body></html>\n`,
  ].join("\n");
}

/**
 * The self-contained HTML report of a run. `all` is the parsed `all.json`;
 * it is checked here, and a malformed one throws `RunDocumentError` naming
 * the field.
 */
export function renderReport(all: unknown, options: ReportOptions = {}): string {
  const doc = readRunDocument(all, options.source);
  return renderReportData(reportData(doc, { warmup: options.warmup }), options.generatedAt);
}
