/**
 * Run hooks: the benchmark's `pre` hooks run before agents are deployed, its
 * `post` hooks after the run is written, each a shell command (`sh -c`) in
 * name order. Their standard output goes into `hooks.json`; the first that
 * fails stops the rest (as Hyperfoil's `ExecRunHook` list).
 * @module
 */
import type { Hook } from "../benchmark/model.ts";

/** One entry of `hooks.json`. */
export interface HookOutput {
  name: string;
  output: string;
}

export interface HookRun {
  /** What each hook that ran printed, in order. */
  outputs: HookOutput[];
  /** Why the first failing hook failed; absent when all succeeded. */
  failure?: string;
}

export interface RunHooksOptions {
  /** `pre` or `post`, for messages. */
  kind: "pre" | "post";
  /** Added to the environment: RUN_ID, RUN_DIR, BENCHMARK, BENCHMARK_PATH… */
  env: Record<string, string>;
}

const byName = (a: Hook, b: Hook) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Runs `hooks` in name order until one fails. */
export async function runHooks(hooks: readonly Hook[], options: RunHooksOptions): Promise<HookRun> {
  const outputs: HookOutput[] = [];
  const decoder = new TextDecoder();
  for (const hook of [...hooks].sort(byName)) {
    let result: Deno.CommandOutput;
    try {
      result = await new Deno.Command("sh", {
        args: ["-c", hook.exec],
        env: options.env,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
    } catch (e) {
      outputs.push({ name: hook.name, output: "" });
      const why = e instanceof Error ? e.message : String(e);
      return {
        outputs,
        failure: `Execution of ${options.kind}-hook '${hook.name}' failed: ${why}`,
      };
    }
    outputs.push({ name: hook.name, output: decoder.decode(result.stdout) });
    if (!result.success) {
      const stderr = decoder.decode(result.stderr).trim().split("\n").pop() ?? "";
      const status = result.signal !== null
        ? `killed by ${result.signal}`
        : `exit code ${result.code}`;
      return {
        outputs,
        failure: `Execution of ${options.kind}-hook '${hook.name}' failed (${status})${
          stderr ? `: ${stderr}` : ""
        }`,
      };
    }
  }
  return { outputs };
}
