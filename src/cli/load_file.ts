/** Loads one benchmark file for a command and prints its diagnostics. */
import { type Diagnostic, formatDiagnostic } from "../benchmark/diagnostics.ts";
import { type LoadResult, parseBenchmarkFile } from "../benchmark/load.ts";
import type { Output } from "./output.ts";

/** Larger files are refused unread: a benchmark is a page of YAML, not a data set. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

export interface LoadFileOptions {
  /** Template parameters (`-P`). */
  params: Record<string, string>;
}

/** Loads `path`, printing every diagnostic (errors and warnings) to stderr. */
export async function loadFile(
  path: string,
  io: Output,
  options: LoadFileOptions,
): Promise<LoadResult> {
  const unreadable = await checkFile(path);
  const result = unreadable
    ? { diagnostics: [unreadable], suppressed: 0 }
    : await parseBenchmarkFile(path, { params: options.params });
  for (const d of result.diagnostics) io.err(formatDiagnostic(d) + "\n");
  if (result.suppressed > 0) io.err(`${path}: …and ${result.suppressed} more errors\n`);
  return result;
}

/** Counts errors, including those beyond the reporting cap. */
export function errorCount(result: LoadResult): number {
  return result.diagnostics.filter((d) => d.severity === "error").length + result.suppressed;
}

/** `N error(s)`, `N phase(s)`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Refuses, unread, what would never end or never fit: devices and huge files. */
async function checkFile(path: string): Promise<Diagnostic | undefined> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch {
    return undefined; // the loader says why it cannot read the file
  }
  const refuse = (why: string): Diagnostic => ({
    severity: "error",
    file: path,
    line: 0,
    col: 0,
    path: "",
    message: `Cannot read the benchmark: ${why}`,
  });
  // A pipe (`hf validate <(gen)`) is fine; /dev/zero or a terminal is not.
  if (info.isCharDevice || info.isBlockDevice || info.isSocket) return refuse("not a regular file");
  if (!info.isFile || info.size <= MAX_FILE_BYTES) return undefined;
  const mib = (n: number) => `${Math.round(n / 1024 / 1024)} MiB`;
  return refuse(`the file has ${mib(info.size)}, more than the ${mib(MAX_FILE_BYTES)} limit`);
}
