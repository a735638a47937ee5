/**
 * The runtime compilers of every built-in step, action and processor except
 * `httpRequest` and the HTTP-only handlers (registered by `http_request.ts`).
 */
import { CompileError, type CompilerRegistry } from "../compile.ts";
import { registerCollections } from "./collections.ts";
import { registerControlFlow } from "./control_flow.ts";
import { registerGenerators } from "./generators.ts";
import { registerJson } from "./json.ts";
import { registerDataProcessors } from "./processors_data.ts";
import { registerSharedData } from "./shared_data.ts";
import { registerTiming } from "./timing.ts";

export function registerBuiltinSteps(reg: CompilerRegistry): void {
  registerControlFlow(reg);
  registerTiming(reg);
  registerGenerators(reg);
  registerCollections(reg);
  registerSharedData(reg);
  registerJson(reg);
  registerDataProcessors(reg);
  // The loader accepts HotRod (Infinispan) requests; hf has no client for them.
  reg.steps.set("hotrodRequest", () => {
    throw new CompileError(
      "HotRod is not supported by hf: 'hotrodRequest' needs an Infinispan client (use Hyperfoil for HotRod benchmarks)",
    );
  });
}
