/** Hyperfoil's CLI `stats` table: columns, humanised values, warm-up hiding, failures. */
import assert from "node:assert/strict";
import {
  formatStatsTable,
  formatThroughput,
  prettyPrintNanos,
  type StatsTableRow,
} from "../../src/stats/stats_table.ts";
import { StatsData } from "../../src/stats/stats_data.ts";
import { summarize } from "../../src/stats/summary.ts";

const T0 = 1_700_000_000_000;

function row(phase: string, o: Partial<StatsTableRow> = {}, status = 200): StatsTableRow {
  const d = new StatsData();
  for (const ns of [500_000, 500_000, 1_500_000, 2_500_000]) {
    d.recordRequest();
    d.recordResponse(ns, status);
  }
  d.widen(T0, T0 + 2000);
  return { phase, metric: "hello", isWarmup: false, summary: summarize(d), failedSLAs: [], ...o };
}

Deno.test("times are humanised like Hyperfoil's prettyPrintNanos", () => {
  assert.equal(prettyPrintNanos(950), "950 ns");
  assert.equal(prettyPrintNanos(812_030), "812.03 \u03bcs");
  assert.equal(prettyPrintNanos(1_250_000), "1.25 ms");
  assert.equal(prettyPrintNanos(2_010_000_000), "2.01 s "); // aligned with "ms"
  assert.equal(prettyPrintNanos(0), "0 ns");
});

Deno.test("throughput is responses per second over the summary's span", () => {
  const s = row("main").summary;
  assert.equal(formatThroughput(s), "2.00 req/s");
  assert.equal(
    formatThroughput({ ...s, responseCount: 25_000, endTime: T0 + 1000 }),
    "25.00k req/s",
  );
  assert.equal(
    formatThroughput({ ...s, responseCount: 12_345_678, endTime: T0 + 1000 }),
    "12.35M req/s",
  );
  assert.equal(formatThroughput({ ...s, endTime: T0 }), "<none>");
});

Deno.test("the table has Hyperfoil's columns, aligned", () => {
  const lines = formatStatsTable([row("main")]).split("\n");
  assert.equal(
    lines[0],
    "PHASE  METRIC  THROUGHPUT  REQUESTS  MEAN     STD_DEV    MAX      p50        p90      p99      " +
      "p99.9    p99.99   INVALID  TIMEOUTS  ERRORS  BLOCKED  2xx  3xx  4xx  5xx  CACHE",
  );
  assert.equal(
    lines[1],
    "main   hello   2.00 req/s         4  1.25 ms  828.53 \u03bcs  2.51 ms  501.76 \u03bcs  2.51 ms  " +
      "2.51 ms  2.51 ms  2.51 ms        0         0       0     0 ns    4    0    0    0      0",
  );
  assert.equal(lines.length, 3); // header, row, final newline
});

Deno.test("without HTTP statuses the 2xx…CACHE columns are left out", () => {
  const r = row("main");
  r.summary = { ...r.summary, extensions: {} };
  assert.ok(formatStatsTable([r]).split("\n")[0].endsWith("ERRORS  BLOCKED"));
});

Deno.test("warm-up phases are hidden unless asked for", () => {
  const rows = [row("warmup", { isWarmup: true, failedSLAs: ["slow"] }), row("main")];
  const hidden = formatStatsTable(rows);
  assert.ok(!hidden.includes("warmup"));
  const shown = formatStatsTable(rows, { warmup: true });
  assert.match(shown, /\nwarmup /);
  assert.ok(shown.endsWith("warmup/hello: slow\n"));
});

Deno.test("failed SLAs are listed below the table and their rows are red with color", () => {
  const rows = [
    row("main", {
      failedSLAs: [
        "Progress was blocked waiting for a free connection. Hint: increase http.sharedConnections.",
      ],
    }),
    row("other"),
  ];
  const plain = formatStatsTable(rows);
  assert.ok(plain.endsWith(
    "main/hello: Progress was blocked waiting for a free connection. Hint: increase http.sharedConnections.\n",
  ));
  assert.ok(!plain.includes("\u001b"));
  const colored = formatStatsTable(rows, { color: true }).split("\n");
  assert.ok(colored[0].startsWith("\u001b[1mPHASE") && colored[0].endsWith("CACHE\u001b[0m"));
  assert.ok(colored[1].startsWith("\u001b[31mmain ") && colored[1].endsWith("\u001b[0m"));
  assert.ok(colored[2].startsWith("other ") && colored[2].endsWith("\u001b[0m"));
});

Deno.test("other extensions are named above the table", () => {
  const r = row("main");
  r.summary = {
    ...r.summary,
    extensions: { ...r.summary.extensions, bytes: { "@type": "transfersize" } },
  };
  assert.ok(formatStatsTable([r]).startsWith("Extensions (use -e to show): bytes\nPHASE"));
});

Deno.test("a narrow terminal wraps the value columns under the id columns", () => {
  const text = formatStatsTable([row("main"), row("other")], { width: 80 });
  const lines = text.split("\n").filter((l) => l !== "");
  for (const l of lines) assert.ok(l.length <= 80, `${l.length}: ${l}`);
  assert.ok(lines.some((l) => /^-{80}$/.test(l)));
  assert.ok(lines[0].startsWith("PHASE  METRIC  THROUGHPUT"));
  assert.ok(lines[1].trimStart().startsWith("p90")); // the second line of titles
});
