/**
 * `/run…` endpoints: the run list, one run, kill, its files and benchmark,
 * its statistics (`/stats/…`), session and connection listings and agent CPU.
 * @module
 */
import {
  booleanParam,
  bytesBody,
  HttpError,
  intParam,
  JSON_TYPE,
  jsonResponse,
  negotiate,
  type RequestContext,
  requiredParam,
  textResponse,
  YAML_TYPE,
  ZIP_TYPE,
} from "./_http.ts";
import type { Route } from "./router.ts";
import type { LiveRun, RunRef, RunRegistry } from "./run_registry.ts";
import { readJsonFile } from "./run_registry.ts";
import { briefRunJson } from "./run_json.ts";
import {
  connectionSummary,
  diskStatsView,
  liveStatsView,
  RECENT_MS,
  type RunStatsView,
  sessionSummary,
} from "./run_stats.ts";
import { zipStore } from "./zip.ts";

async function runOf(registry: RunRegistry, ctx: RequestContext): Promise<RunRef> {
  const id = ctx.params.runId;
  const run = await registry.get(id);
  if (run === undefined) throw new HttpError(404, `Run '${id}' is not known`);
  return run;
}

/** Everything is written: statistics, `all.json`, CSV files. */
function terminated(run: RunRef): boolean {
  if (run.kind === "live") return run.result !== undefined || run.crashed !== undefined;
  return run.kind === "disk";
}

function runningRun(run: RunRef): LiveRun {
  if (run.kind !== "live" || terminated(run)) {
    throw new HttpError(404, `Run ${run.id} is not running`);
  }
  return run;
}

/** Hyperfoil's 303 to the run while its results are not written yet. */
function requireTerminated(run: RunRef): void {
  if (!terminated(run)) {
    throw new HttpError(303, `Run ${run.id} is not completed yet`, { location: `/run/${run.id}` });
  }
}

async function statsView(run: RunRef): Promise<RunStatsView> {
  if (run.kind === "live") return liveStatsView(run.handle.statistics);
  if (run.kind === "requested") throw new HttpError(404, `Run ${run.id} has not started`);
  const all = await readJsonFile(`${run.dir}/all.json`);
  if (all === undefined) {
    throw new HttpError(404, `Run ${run.id} has no statistics ('all.json' is missing)`);
  }
  return diskStatsView(all);
}

function statsStatus(run: RunRef): string {
  if (terminated(run)) return "TERMINATED";
  if (run.kind === "live" && run.handle.progress().startTime !== undefined) return "RUNNING";
  return "INITIALIZING";
}

function metricKey(ctx: RequestContext) {
  return {
    phase: requiredParam(ctx.url, "phase"),
    stepId: intParam(ctx.url, "stepId", 0, 0),
    metric: requiredParam(ctx.url, "metric"),
  };
}

async function readFileOr404(path: string, what: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new HttpError(404, `${what} was not found`);
    throw e;
  }
}

async function allJson(run: RunRef): Promise<Response> {
  requireTerminated(run);
  const body = await readFileOr404(`${run.dir}/all.json`, `'all.json' of run ${run.id}`);
  return new Response(bytesBody(body), { headers: { "content-type": JSON_TYPE } });
}

/** The HTML report of a finished run, rendered from its `all.json`. */
async function htmlReport(run: RunRef, ctx: RequestContext): Promise<Response> {
  requireTerminated(run);
  const body = await readFileOr404(`${run.dir}/all.json`, `'all.json' of run ${run.id}`);
  // Loaded on first use: the controller serves reports rarely.
  const { renderReport } = await import("../../report/html.ts");
  const html = renderReport(JSON.parse(new TextDecoder().decode(body)), {
    source: `all.json of run ${run.id}`,
    warmup: booleanParam(ctx.url, "warmup"),
  });
  return new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } });
}

/** The CSV files of `stats/` as a store-only ZIP. */
async function allCsv(run: RunRef): Promise<Response> {
  requireTerminated(run);
  const dir = `${run.dir}/stats`;
  const entries = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (!e.isFile) continue;
      const info = await Deno.stat(`${dir}/${e.name}`);
      entries.push({
        name: e.name,
        data: await Deno.readFile(`${dir}/${e.name}`),
        modified: info.mtime ?? undefined,
      });
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    throw new HttpError(404, `Run ${run.id} has no CSV statistics ('stats/' is missing)`);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return new Response(bytesBody(zipStore(entries)), {
    headers: {
      "content-type": ZIP_TYPE,
      "content-disposition": `attachment; filename="${run.id}.zip"`,
    },
  });
}

/** `/run/{id}/file?file=`: a file inside the run directory; 403 outside it. */
async function runFile(run: RunRef, file: string): Promise<Response> {
  const root = await Deno.realPath(run.dir);
  let path: string;
  try {
    path = await Deno.realPath(`${root}/${file}`);
  } catch (e) {
    if (file.split("/").includes("..")) {
      throw new HttpError(403, "Requested file is not within the run directory");
    }
    if (e instanceof Deno.errors.NotFound) throw new HttpError(404, "Requested file was not found");
    throw e;
  }
  if (!path.startsWith(`${root}/`)) {
    throw new HttpError(403, "Requested file is not within the run directory");
  }
  const info = await Deno.stat(path);
  if (!info.isFile) throw new HttpError(404, "Requested file was not found");
  return new Response(bytesBody(await Deno.readFile(path)), {
    headers: { "content-type": "application/octet-stream" },
  });
}

async function runBenchmark(registry: RunRegistry, run: RunRef, ctx: RequestContext) {
  const type = negotiate(ctx.request, [YAML_TYPE, JSON_TYPE, "application/x-yaml"]);
  if (type === JSON_TYPE) {
    const body = await readFileOr404(`${run.dir}/benchmark.json`, `Benchmark of run ${run.id}`);
    return new Response(bytesBody(body), { headers: { "content-type": JSON_TYPE } });
  }
  const name = await registry.benchmarkName(run);
  if (name === undefined) throw new HttpError(404, `Run ${run.id} names no benchmark`);
  try {
    const source = await Deno.readTextFile(`${run.dir}/${name.replace(/[/\\]/g, "_")}.yaml`);
    return new Response(source, { headers: { "content-type": `${YAML_TYPE}; charset=UTF-8` } });
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    throw new HttpError(406, `Run ${run.id} did not preserve the benchmark's source`);
  }
}

async function listing(run: LiveRun, kind: "sessions" | "connections", inactive: boolean) {
  const byAgent = await run.handle.list(kind, inactive);
  const lines = Object.entries(byAgent).flatMap(([agent, ls]) => ls.map((l) => `${agent}: ${l}\n`));
  return textResponse(lines.join(""));
}

/** The `/run` routes over `registry`. */
export function runRoutes(registry: RunRegistry): Route[] {
  const withRun =
    (f: (run: RunRef, ctx: RequestContext) => Promise<Response> | Response) =>
    async (ctx: RequestContext) => f(await runOf(registry, ctx), ctx);
  const withStats = (
    f: (view: RunStatsView, run: RunRef, ctx: RequestContext) => Response,
  ) => withRun(async (run, ctx) => f(await statsView(run), run, ctx));
  return [
    {
      path: "/run",
      methods: {
        GET: async (ctx) => {
          const details = booleanParam(ctx.url, "details");
          const runs = await registry.list();
          const out = [];
          for (const r of runs) {
            const json = await registry.runJson(r, false);
            out.push(details ? json : briefRunJson(json));
          }
          return jsonResponse(out);
        },
      },
    },
    {
      path: "/run/{runId}",
      methods: { GET: withRun(async (run) => jsonResponse(await registry.runJson(run, true))) },
    },
    {
      path: "/run/{runId}/kill",
      methods: {
        GET: withRun((run) => {
          if (run.kind === "live" && !terminated(run)) {
            registry.kill(run);
            return textResponse(`Run ${run.id} is being killed\n`);
          }
          return textResponse(`Run ${run.id} is not running\n`);
        }),
      },
    },
    {
      path: "/run/{runId}/report",
      methods: {
        GET: withRun(htmlReport),
      },
    },
    {
      path: "/run/{runId}/benchmark",
      methods: { GET: withRun((run, ctx) => runBenchmark(registry, run, ctx)) },
    },
    {
      path: "/run/{runId}/file",
      methods: { GET: withRun((run, ctx) => runFile(run, requiredParam(ctx.url, "file"))) },
    },
    {
      path: "/run/{runId}/agentCpu",
      methods: { GET: withStats((view) => jsonResponse(view.agentCpu())) },
    },
    {
      path: "/run/{runId}/sessions",
      methods: {
        GET: withRun((run, ctx) =>
          listing(runningRun(run), "sessions", booleanParam(ctx.url, "inactive"))
        ),
      },
    },
    {
      path: "/run/{runId}/sessions/recent",
      methods: {
        GET: withStats((v) => jsonResponse(sessionSummary(v.sessions(), Date.now() - RECENT_MS))),
      },
    },
    {
      path: "/run/{runId}/sessions/total",
      methods: { GET: withStats((v) => jsonResponse(sessionSummary(v.sessions(), -Infinity))) },
    },
    {
      path: "/run/{runId}/connections",
      methods: { GET: withRun((run) => listing(runningRun(run), "connections", false)) },
    },
    {
      path: "/run/{runId}/connections/recent",
      methods: {
        GET: withStats((v) =>
          jsonResponse(connectionSummary(v.connections(), Date.now() - RECENT_MS))
        ),
      },
    },
    {
      path: "/run/{runId}/connections/total",
      methods: {
        GET: withStats((v) => jsonResponse(connectionSummary(v.connections(), -Infinity))),
      },
    },
    {
      path: "/run/{runId}/stats/recent",
      methods: {
        GET: withStats((v, run) =>
          jsonResponse({ status: statsStatus(run), statistics: v.recent(Date.now()) })
        ),
      },
    },
    {
      path: "/run/{runId}/stats/total",
      methods: {
        GET: withStats((v, run) =>
          jsonResponse({ status: statsStatus(run), statistics: v.total() })
        ),
      },
    },
    {
      path: "/run/{runId}/stats/all",
      methods: {
        GET: withRun((run, ctx) =>
          negotiate(ctx.request, [JSON_TYPE, ZIP_TYPE]) === ZIP_TYPE ? allCsv(run) : allJson(run)
        ),
      },
    },
    { path: "/run/{runId}/stats/all/json", methods: { GET: withRun(allJson) } },
    { path: "/run/{runId}/stats/all/csv", methods: { GET: withRun(allCsv) } },
    {
      path: "/run/{runId}/stats/histogram",
      methods: {
        GET: withStats((v, run, ctx) => {
          const key = metricKey(ctx);
          const h = v.histogram(key);
          if (h === null) {
            throw new HttpError(
              404,
              `Run ${run.id} was loaded from disk: its histograms are in all.json, not kept encoded`,
            );
          }
          if (h === undefined) throw noMetric(run, key);
          return jsonResponse([h]);
        }),
      },
    },
    {
      path: "/run/{runId}/stats/series",
      methods: {
        GET: withStats((v, run, ctx) => {
          const key = metricKey(ctx);
          const s = v.series(key);
          if (s === undefined) throw noMetric(run, key);
          return jsonResponse(s);
        }),
      },
    },
  ];
}

function noMetric(run: RunRef, k: { phase: string; stepId: number; metric: string }): HttpError {
  return new HttpError(
    404,
    `Run ${run.id} has no statistics for phase '${k.phase}', step ${k.stepId}, metric '${k.metric}'`,
  );
}
