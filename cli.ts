#!/usr/bin/env -S deno run -A
/**
 * The `hf` command: `hf --help` lists the commands. `deno compile` turns this
 * file into the single `hf` binary.
 *
 * @module
 */
import { main } from "./src/cli/main.ts";

if (import.meta.main) Deno.exit(await main(Deno.args));
