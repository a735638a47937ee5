/**
 * Running Hyperfoil's benchmark corpus against the example server. Each file
 * is loaded from `../shared/hyperfoil/benchmarks/` (never copied), its text
 * rewritten where needed (fixed hosts to the server's port, long durations
 * shortened so each run takes ≤ 3 s), and run in-process with the real
 * engine. The runs of one table start together on first use so a test file
 * takes as long as its slowest run; each file still gets its own test.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { formatDiagnostic } from "../../src/benchmark/diagnostics.ts";
import { parseBenchmark } from "../../src/benchmark/load.ts";
import type { ExampleServer } from "../../src/example_server/mod.ts";
import { exampleServer, type Run, run } from "./_helpers.ts";

/** `<repo>/../shared/hyperfoil/benchmarks/`, as tests/conformance/_paths.ts resolves it. */
export const BENCHMARKS = fileURLToPath(
  new URL("../../../shared/hyperfoil/benchmarks/", import.meta.url),
);

export interface CorpusEntry {
  /** Relative to {@link BENCHMARKS}. */
  file: string;
  /** Why the file is not run. It is still loaded: it must load, or be rejected if `rejected`. */
  skip?: string;
  /** The loader must reject the file (a negative parser test). */
  rejected?: boolean;
  /** Why the run is shaped as it is (rewrites, parameters): the table's comment column. */
  note?: string;
  /** `-P` parameters given the example server's port. */
  params?: (port: number) => Record<string, string>;
  /** Text rewrites in order; `{PORT}` in a replacement is the example server's port. */
  rewrite?: [string | RegExp, string][];
  /**
   * SLA failures the file's own settings cause and Hyperfoil would report as well. The run
   * then gets `failurePolicy: CONTINUE`, so that the phases after a failure still run.
   */
  allowFailures?: RegExp;
  /** The file sends no HTTP request (no statistics are expected). */
  noRequests?: boolean;
  /** File-specific checks on the finished run. */
  check?: (r: Run, server: ExampleServer) => void;
}

/** Every `localhost:8080` (host lines, authorities) to the example server. */
export const LOCAL_8080: [string | RegExp, string] = [/localhost:8080/g, "localhost:{PORT}"];
/** The blocked-connection failure of the default SLA (files with fewer connections than users). */
export const BLOCKED = /^Progress was blocked waiting for a free connection/;

export const PORT_PARAM = (port: number) => ({ PORT: String(port) });

export interface Outcome {
  run?: Run;
  server?: ExampleServer;
  error?: unknown;
}

/** Loads (with the entry's rewrites and parameters) and runs one file against its own server. */
export async function runEntry(e: CorpusEntry): Promise<Outcome> {
  const path = `${BENCHMARKS}${e.file}`;
  let text = await Deno.readTextFile(path);
  await using server = exampleServer();
  for (const [from, to] of e.rewrite ?? []) {
    const next = text.replace(from, to.replaceAll("{PORT}", String(server.port)));
    assert.notEqual(next, text, `${e.file}: the rewrite of ${from} changed nothing`);
    text = next;
  }
  if (e.allowFailures !== undefined) text += "\nfailurePolicy: CONTINUE\n";
  const loaded = parseBenchmark(text, {
    file: path,
    baseDir: path.slice(0, path.lastIndexOf("/")),
    params: e.params?.(server.port),
  });
  assert.ok(
    loaded.benchmark,
    `${e.file} did not load:\n${loaded.diagnostics.map(formatDiagnostic).join("\n")}`,
  );
  try {
    return { run: await run(loaded.benchmark!, text), server };
  } catch (error) {
    return { error, server };
  }
}

/** Registers one test per entry; the runs of the table start together on the first test. */
export function corpusTests(entries: CorpusEntry[]): void {
  const runnable = entries.filter((e) => e.skip === undefined);
  let started: Map<string, Promise<Outcome>> | undefined;
  const outcome = (file: string) => {
    started ??= new Map(
      runnable.map((e) => [e.file, runEntry(e).catch((error) => ({ error }))]),
    );
    return started.get(file)!;
  };
  for (const e of runnable) {
    Deno.test({
      name: `corpus ${e.file} runs against the example server without internal errors`,
      // The runs of the whole table overlap the tests: resources outlive each test.
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async () => {
        const o = await outcome(e.file);
        if (o.error !== undefined) throw o.error;
        if (Deno.env.get("HF_IT_VERBOSE")) console.log(describeRun(o.run!));
        assertClean(e, o.run!);
        e.check?.(o.run!, o.server!);
      },
    });
  }
  for (const e of entries.filter((e) => e.skip !== undefined)) {
    Deno.test(`corpus ${e.file} is not run (${e.skip}) but ${e.rejected ? "is rejected" : "loads"}`, async () => {
      const path = `${BENCHMARKS}${e.file}`;
      const loaded = parseBenchmark(await Deno.readTextFile(path), {
        file: path,
        baseDir: path.slice(0, path.lastIndexOf("/")),
        params: e.params?.(8080),
      });
      const errors = loaded.diagnostics.filter((d) => d.severity === "error");
      if (e.rejected) assert.ok(errors.length > 0, `${e.file} should be rejected`);
      else assert.deepEqual(errors.map(formatDiagnostic), []);
    });
  }
}

/** No internal error, no phase error, no error logged, every phase ran to its end. */
function assertClean(e: CorpusEntry, r: Run): void {
  const where = `${e.file} (run ${r.result.status}${
    r.result.reason ? `: ${r.result.reason}` : ""
  })`;
  assert.notEqual(r.result.status, "error", where);
  assert.deepEqual(r.info.errors, [], `${where}: info.json errors`);
  assert.deepEqual(
    r.logs.filter((l) => l.level === "error").map((l) => l.message),
    [],
    `${where}: errors logged`,
  );
  assert.equal(r.internalErrors(), 0, `${where}: internal errors`);
  for (const p of r.result.phases) {
    assert.equal(p.status, "TERMINATED", `${where}: phase '${p.name}'`);
  }
  const unexpected = r.result.failures.filter((f) => !e.allowFailures?.test(f.message));
  assert.deepEqual(unexpected.map((f) => `${f.phase}/${f.metric}: ${f.message}`), [], where);
  if (e.allowFailures === undefined) assert.equal(r.result.status, "passed", where);
  if (!e.noRequests) assert.ok(r.requests() > 0, `${where}: no request was recorded`);
}

/** One line per phase: status, duration and requests (HF_IT_VERBOSE=1 prints them). */
function describeRun(r: Run): string {
  return r.result.phases.map((p) =>
    `${p.name}: ${p.status}${p.failed ? " (failed)" : ""} ${
      (p.terminateTime ?? 0) - (p.startTime ?? 0)
    } ms, ${r.requests(p.name)} requests`
  ).join("\n");
}
