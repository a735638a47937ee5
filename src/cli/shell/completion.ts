/**
 * Tab completion: command names, their options, option values with choices,
 * and positional arguments by kind (benchmark names and run ids from the
 * controller, local files and directories).
 * @module
 */
import { type ArgKind, type OptionSpec, splitWords } from "./command_line.ts";
import type { ShellCommand } from "./context.ts";

/** Where candidates come from; each may fail (no controller): then it offers nothing. */
export interface CompletionSources {
  commands: readonly ShellCommand[];
  benchmarks?(): Promise<string[]>;
  runs?(): Promise<string[]>;
  agents?(): Promise<string[]>;
  /** Entries of the directory part of `prefix`, directories ending in `/`; default: the local disk. */
  files?(prefix: string): Promise<string[]>;
}

/** Replace `line.slice(start, end)` with one of `candidates` (full words, sorted). */
export interface Completion {
  start: number;
  end: number;
  candidates: string[];
}

/** Local paths starting with `prefix`; directories end with `/`. */
export async function localFiles(prefix: string): Promise<string[]> {
  const slash = prefix.lastIndexOf("/");
  const dir = slash < 0 ? "" : prefix.slice(0, slash + 1);
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(dir === "" ? "." : dir)) {
      out.push(`${dir}${e.name}${e.isDirectory ? "/" : ""}`);
    }
  } catch {
    return [];
  }
  return out;
}

async function safely(f: (() => Promise<string[]>) | undefined): Promise<string[]> {
  if (f === undefined) return [];
  try {
    return await f();
  } catch {
    return [];
  }
}

function optionWords(options: readonly OptionSpec[]): string[] {
  return options.flatMap((o) => [`--${o.long}`, ...(o.short ? [`-${o.short}`] : [])]);
}

function byKind(kind: ArgKind, prefix: string, sources: CompletionSources): Promise<string[]> {
  switch (kind) {
    case "benchmark":
      return safely(sources.benchmarks);
    case "run":
      return safely(sources.runs);
    case "agent":
      return safely(sources.agents);
    case "command":
      return Promise.resolve(sources.commands.map((c) => c.name));
    case "file":
      return safely(() => (sources.files ?? localFiles)(prefix));
    case "dir":
      return safely(async () =>
        (await (sources.files ?? localFiles)(prefix)).filter((f) => f.endsWith("/"))
      );
    case "text":
      return Promise.resolve([]);
  }
}

/** Candidates for the word at `cursor` in `line`. */
export async function complete(
  line: string,
  cursor: number,
  sources: CompletionSources,
): Promise<Completion> {
  const before = line.slice(0, cursor);
  const words = splitWords(before, true);
  const last = words.at(-1);
  const inWord = last !== undefined && last.end === before.length;
  const prefix = inWord ? last.text : "";
  const start = inWord ? last.start : cursor;
  const previous = words.slice(0, inWord ? -1 : undefined).map((w) => w.text);
  const done = (all: string[]) => ({
    start,
    end: cursor,
    candidates: [...new Set(all.filter((c) => c.startsWith(prefix)))].sort(),
  });
  if (previous.length === 0) {
    return done(sources.commands.flatMap((c) => [c.name, ...(c.aliases ?? [])]));
  }
  const command = sources.commands.find((c) =>
    c.name === previous[0] || c.aliases?.includes(previous[0])
  );
  if (command === undefined) return done([]);
  // Walk the words typed so far: which positional comes next, or which option wants a value.
  let positional = 0;
  let wantsValue: OptionSpec | undefined;
  for (const w of previous.slice(1)) {
    if (wantsValue !== undefined) {
      wantsValue = undefined;
      continue;
    }
    const o = command.options.find((o) => w === `--${o.long}` || (o.short && w === `-${o.short}`));
    if (o !== undefined) wantsValue = o.value !== undefined ? o : undefined;
    else if (!w.startsWith("-")) positional++;
  }
  if (wantsValue?.value !== undefined) {
    const v = wantsValue.value;
    if (v.choices) return done([...v.choices]);
    return done(v.kind === undefined ? [] : await byKind(v.kind, prefix, sources));
  }
  if (prefix.startsWith("-")) return done(optionWords(command.options));
  const arg = command.args[positional];
  return done(arg === undefined ? [] : await byKind(arg.kind, prefix, sources));
}

/** The longest prefix all `words` share. */
export function commonPrefix(words: readonly string[]): string {
  if (words.length === 0) return "";
  let p = words[0];
  for (const w of words) while (!w.startsWith(p)) p = p.slice(0, -1);
  return p;
}
