/** Helpers of the shell tests: the quickstart benchmark aimed at a test server, table parsing. */
import { ROOT } from "./_hf.ts";

/** `benchmarks/quickstart.hf.yaml` against `target` (`http://127.0.0.1:PORT`), running `duration`. */
export async function quickstartYaml(target: string, duration = "1s"): Promise<string> {
  const source = await Deno.readTextFile(`${ROOT}benchmarks/quickstart.hf.yaml`);
  const aimed = source.replace(/host: http:\/\/localhost:8080/, `host: ${target}`)
    .replace(/duration: 10s/, `duration: ${duration}`);
  if (aimed === source) throw new Error("quickstart.hf.yaml changed: update the shell tests");
  return aimed;
}

/** Rows of a `stats` table by `phase/metric`, each cell by its column title. */
export function statsRows(text: string): Map<string, Record<string, string>> {
  const lines = text.split("\n");
  const at = lines.findIndex((l) => /^PHASE\s+METRIC\s+THROUGHPUT/.test(l));
  if (at < 0) throw new Error(`No stats table in:\n${text}`);
  const titles = lines[at].trim().split(/\s{2,}/);
  const rows = new Map<string, Record<string, string>>();
  for (const line of lines.slice(at + 1)) {
    const cells = line.trim().split(/\s{2,}/);
    if (cells.length !== titles.length) break;
    const row = Object.fromEntries(titles.map((t, i) => [t, cells[i]]));
    rows.set(`${row.PHASE}/${row.METRIC}`, row);
  }
  return rows;
}

/** `total.summary` of each `phase/metric` in an all.json document. */
export function allJsonTotals(
  all: { stats: { name: string; metric: string; total: { summary: Record<string, unknown> } }[] },
): Map<string, Record<string, unknown>> {
  return new Map(all.stats.map((s) => [`${s.name}/${s.metric}`, s.total.summary]));
}
