/**
 * Which SLAs judge the statistics of a step id. Step ids come from
 * `assignStepIds`, the same numbering the engine uses when it compiles.
 * @module
 */
import type { Benchmark, Sla } from "../benchmark/model.ts";
import { assignStepIds } from "../benchmark/step_ids.ts";

/** Step id → the `sla` list of that request step (the loader fills in the default SLA). */
export function requestSlaTable(
  benchmark: Benchmark,
): (stepId: number) => readonly Sla[] | undefined {
  const table = new Map<number, readonly Sla[]>();
  for (const ids of assignStepIds(benchmark).values()) {
    for (const [rec, id] of ids) if (Array.isArray(rec.sla)) table.set(id, rec.sla as Sla[]);
  }
  return (stepId) => table.get(stepId);
}
