/** The runtime compilers of every built-in step, action and processor. */
import { type CompilerRegistry, emptyCompilers } from "./compile.ts";
import { registerBuiltinSteps } from "./steps/builtin.ts";
import { registerHttpSteps } from "./steps/http_request.ts";

export function defaultCompilers(): CompilerRegistry {
  const reg = emptyCompilers();
  registerBuiltinSteps(reg);
  registerHttpSteps(reg);
  return reg;
}
