/**
 * The V8 flags hf runs with: the compiled binary embeds them (`make binary`,
 * `deno task binary`), `deno task hf` and `make demo` pass them, and agents
 * started from source get them too. Keep the Makefile and deno.json in step.
 *
 * A 4 MB semi-space: opening thousands of connections otherwise grows V8's
 * young generation to its maximum (~35 MB more peak RSS at 10,000
 * connections), and `make bench` measured no throughput cost.
 */
export const HF_V8_FLAGS = "--max-semi-space-size=4";
