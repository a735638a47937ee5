/**
 * Step ids: every step that records statistics (`httpRequest`, `hotrodRequest`,
 * `stopwatch`) gets one per phase, numbered depth first, phase by phase. The
 * engine (naming statistics) and the controller (finding a step's SLAs) both
 * number a benchmark with this one walk, so they agree without sharing objects.
 */
import type { Benchmark, StepRecord } from "./model.ts";

const STEPS_WITH_IDS = new Set(["httpRequest", "hotrodRequest", "stopwatch"]);

/** Ids above this are handed out at compile time for auxiliary statistics (redirect follow-ups). */
export const AUXILIARY_STEP_IDS = 1_000_000;

/** Phase id → (record → step id) for one benchmark value. */
export function assignStepIds(benchmark: Benchmark): Map<number, Map<StepRecord, number>> {
  const out = new Map<number, Map<StepRecord, number>>();
  let next = 0;
  for (const phase of benchmark.phases) {
    if (phase.scenario === undefined) continue;
    const ids = new Map<StepRecord, number>();
    const walk = (records: readonly StepRecord[]) => {
      for (const rec of records) {
        if (STEPS_WITH_IDS.has(rec.type)) ids.set(rec, ++next);
        if (Array.isArray(rec.steps)) walk(rec.steps as StepRecord[]);
      }
    };
    for (const seq of benchmark.scenarios[phase.scenario]?.sequences ?? []) walk(seq.steps);
    out.set(phase.id, ids);
  }
  return out;
}
