/**
 * Where Hyperfoil's corpus lives: `<repo>/../shared/hyperfoil/`, beside the
 * repository and never copied into it, resolved from this file so the cwd
 * does not matter.
 */
import { fileURLToPath } from "node:url";

export const SHARED = fileURLToPath(new URL("../../../shared/hyperfoil/", import.meta.url));
export const BENCHMARKS = `${SHARED}benchmarks/`;
export const TEMPLATES = `${SHARED}templates/`;
