/**
 * Real runs for the report tests: a quickstart-like benchmark against the
 * example server on loopback, run in-process with the real engine into a
 * root the caller owns, so the run directories outlive the run.
 */
import assert from "node:assert/strict";
import { runBenchmark } from "../../src/controller/run_controller.ts";
import { createExecutor } from "../../src/engine/create_executor.ts";
import { load } from "../integration/_helpers.ts";

export { exampleServer, tempDir } from "../integration/_helpers.ts";

export interface QuickRunOptions {
  name?: string;
  usersPerSec?: number;
  /** Default `2s`. */
  duration?: string;
  /** Also request `/status/404` as metric `missing`. */
  withErrors?: boolean;
  /** Add a 1 s warm-up phase `warm` before `main`. */
  warmup?: boolean;
  /** Give `json` an SLA no response meets (mean under 1 ns). */
  failingSla?: boolean;
}

/** The benchmark text: `home` and `json` metrics, like benchmarks/quickstart.hf.yaml. */
export function quickYaml(target: string, o: QuickRunOptions = {}): string {
  const scenario = (indent: string) =>
    [
      `${indent}scenario:`,
      `${indent}  - browse:`,
      `${indent}      - httpRequest:`,
      `${indent}          GET: /`,
      `${indent}          metric: home`,
      `${indent}      - httpRequest:`,
      `${indent}          GET: /json`,
      `${indent}          metric: json`,
      ...(o.failingSla
        ? [`${indent}          sla:`, `${indent}            - meanResponseTime: 1ns`]
        : []),
      ...(o.withErrors
        ? [
          `${indent}      - httpRequest:`,
          `${indent}          GET: /status/404`,
          `${indent}          metric: missing`,
        ]
        : []),
    ].join("\n");
  const warm = o.warmup
    ? [
      `  - warm:`,
      `      constantRate:`,
      `        isWarmup: true`,
      `        usersPerSec: 10`,
      `        variance: false`,
      `        duration: 1s`,
      `        maxSessions: 20`,
      scenario("        "),
    ]
    : [];
  return [
    `name: ${JSON.stringify(o.name ?? "quick")}`,
    `http:`,
    `  host: ${target}`,
    `  sharedConnections: 4`,
    `phases:`,
    ...warm,
    `  - main:`,
    `      constantRate:`,
    ...(o.warmup ? [`        startAfter: warm`] : []),
    `        usersPerSec: ${o.usersPerSec ?? 20}`,
    // Evenly spaced starts, not Poisson: the session count is the rate times the duration.
    `        variance: false`,
    `        duration: ${o.duration ?? "2s"}`,
    `        maxSessions: 40`,
    scenario("        "),
    "",
  ].join("\n");
}

export interface QuickRun {
  id: string;
  dir: string;
  /** The parsed all.json. */
  all: AllJsonLike;
}

/** What the tests read of all.json. */
export interface AllJsonLike {
  info: { id: string; benchmark: string };
  stats: {
    name: string;
    metric: string;
    isWarmup: boolean;
    total: { summary: Record<string, unknown> & SummaryLike };
    series: SummaryLike[];
  }[];
}

export interface SummaryLike {
  requestCount: number;
  responseCount: number;
  meanResponseTime: number;
  invalid: number;
  requestTimeouts: number;
  connectionErrors: number;
  internalErrors: number;
  percentileResponseTime: Record<string, number>;
}

/** Runs the quick benchmark into `root`; fails the test unless all.json was written. */
export async function quickRun(root: string, target: string, o: QuickRunOptions = {}) {
  const yaml = quickYaml(target, o);
  const result = await runBenchmark({
    benchmark: load(yaml),
    source: yaml,
    root,
    createExecutor,
    version: "test",
  });
  assert.notEqual(result.status, "error", result.reason);
  const all = JSON.parse(await Deno.readTextFile(`${result.runDir}/all.json`)) as AllJsonLike;
  return { id: result.runId, dir: result.runDir, all } satisfies QuickRun;
}
