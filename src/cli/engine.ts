/** The engine commands run benchmarks on, loaded only when one runs (keeps `--help` and `hf validate` quick). */
import type { CreateExecutor } from "../agent/agent.ts";

/** `createExecutor` of src/engine/create_executor.ts, imported on first use. */
export async function defaultEngine(): Promise<CreateExecutor> {
  return (await import("../engine/create_executor.ts")).createExecutor;
}
