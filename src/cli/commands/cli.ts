/**
 * `hf cli [-c COMMANDS]`: the interactive shell against a controller's REST
 * API (Hyperfoil's `cli.sh`), or the same commands as a script. The shell is
 * loaded only when this command runs.
 */
import type { Command } from "commander";
import type { Output } from "../output.ts";

/** Adds the command to `program`; its exit code goes to `done`. */
export function addCliCommand(program: Command, io: Output, done: (code: number) => void): void {
  program
    .command("cli")
    .description("interactive shell against a controller: connect, upload, run, status, stats…")
    .option(
      "-c, --commands <script>",
      "run these commands (separated by ';') and exit; stops at the first failure",
    )
    .addHelpText(
      "after",
      "\nExample: hf cli -c 'start-local; upload benchmarks/quickstart.hf.yaml; run quickstart; stats'" +
        "\nIn the shell, 'help' lists the commands. History is kept in ~/.hf_history ($HF_HISTORY)." +
        "\nExit status with -c: 0 all commands succeeded, 2 a command was invalid, 3 one failed.",
    )
    .action(async (opts: { commands?: string }) => {
      const { runShell } = await import("../shell/shell.ts");
      done(await runShell({ io, script: opts.commands }));
    });
}
