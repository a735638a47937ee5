/** Runs `cli.ts` as a subprocess, as users run `hf`, and collects what it printed. */
import { fileURLToPath } from "node:url";

/** The repository root, so tests work from any cwd. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface HfResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `hf ARGS…` from the repository root, colors off. */
export async function hf(...args: string[]): Promise<HfResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", "cli.ts", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** A temporary directory holding `files`; removed when disposed. */
export async function tempFiles(
  files: Record<string, string | Uint8Array>,
): Promise<{ dir: string; path(name: string): string } & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix: "hf-cli-test-" });
  for (const [name, content] of Object.entries(files)) {
    const full = `${dir}/${name}`;
    if (typeof content === "string") await Deno.writeTextFile(full, content);
    else await Deno.writeFile(full, content);
  }
  return {
    dir,
    path: (name) => `${dir}/${name}`,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

/** Lines of text, without the empty one after the final newline. */
export function lines(text: string): string[] {
  return text.split("\n").filter((l) => l !== "");
}

/** Lines that look like a JavaScript stack trace. */
export function stackLines(text: string): string[] {
  return lines(text).filter((l) => /^\s+at /.test(l));
}
