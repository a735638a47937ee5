/**
 * Shell command lines: splitting a `-c` script on `;`, words with quotes and
 * backslashes, and options parsed against a command's declared options.
 * @module
 */
import { ShellError } from "./client.ts";

/** A command line that does not parse (unknown command or option, missing argument). */
export class UsageError extends ShellError {
  override name = "UsageError";
}

/** What a positional argument names; completion offers candidates of that kind. */
export type ArgKind = "benchmark" | "run" | "file" | "dir" | "agent" | "command" | "text";

export interface OptionSpec {
  /** `-t`; optional. */
  short?: string;
  /** `--total`. */
  long: string;
  /** Takes a value (`-d DIR`); repeatable ones collect every value. */
  value?: { name: string; kind?: ArgKind; repeatable?: boolean; choices?: readonly string[] };
  description: string;
}

export interface ArgSpec {
  name: string;
  kind: ArgKind;
  optional?: boolean;
}

export interface ParsedArgs {
  positionals: string[];
  /** By long name without dashes: `true` for flags, the value, or every value when repeatable. */
  options: Record<string, string | boolean | string[]>;
}

/** A word of a line and where it starts and ends (for completion). */
export interface Word {
  text: string;
  start: number;
  end: number;
}

/**
 * Splits `line` into words: blanks separate, '…' and "…" quote, a backslash
 * escapes the next character. Throws on an unterminated quote unless `partial`.
 */
export function splitWords(line: string, partial = false): Word[] {
  const words: Word[] = [];
  let current: Word | undefined;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < line.length) current!.text += line[++i];
      else current!.text += c;
      continue;
    }
    if (/\s/.test(c)) {
      if (current) {
        current.end = i;
        words.push(current);
        current = undefined;
      }
      continue;
    }
    current ??= { text: "", start: i, end: i };
    if (c === "'" || c === '"') quote = c;
    else if (c === "\\" && i + 1 < line.length) current.text += line[++i];
    else current.text += c;
  }
  if (quote !== undefined && !partial) throw new UsageError(`Unterminated ${quote} quote`);
  if (current) {
    current.end = line.length;
    words.push(current);
  }
  return words;
}

/** Splits a `-c` script on `;` and newlines outside quotes; empty commands are dropped. */
export function splitCommands(script: string): string[] {
  const out: string[] = [];
  let current = "";
  let quote: string | undefined;
  for (let i = 0; i < script.length; i++) {
    const c = script[i];
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      current += c;
    } else if (c === "\\" && i + 1 < script.length) {
      current += c + script[++i];
    } else if (c === ";" || c === "\n") {
      out.push(current);
      current = "";
    } else {
      if (c === "'" || c === '"') quote = c;
      current += c;
    }
  }
  out.push(current);
  return out.map((s) => s.trim()).filter((s) => s !== "" && !s.startsWith("#"));
}

function findOption(options: readonly OptionSpec[], word: string): OptionSpec | undefined {
  return options.find((o) => word === `--${o.long}` || (o.short && word === `-${o.short}`));
}

/**
 * Parses `words` (without the command name) against `options` and `args`;
 * `-P K=V` and `-PK=V`, `--opt=value` and `-dVALUE` work; `--` ends options.
 */
export function parseArgs(
  command: string,
  words: readonly string[],
  options: readonly OptionSpec[],
  args: readonly ArgSpec[],
): ParsedArgs {
  const parsed: ParsedArgs = { positionals: [], options: {} };
  let operands = false;
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (operands || !word.startsWith("-") || word === "-") {
      parsed.positionals.push(word);
      continue;
    }
    if (word === "--") {
      operands = true;
      continue;
    }
    let name = word;
    let inline: string | undefined;
    const eq = word.indexOf("=");
    if (word.startsWith("--") && eq > 0) {
      name = word.slice(0, eq);
      inline = word.slice(eq + 1);
    }
    let spec = findOption(options, name);
    if (spec === undefined && !word.startsWith("--") && word.length > 2) {
      // Glued short option with its value: -PK=V, -d/tmp.
      spec = findOption(options, word.slice(0, 2));
      if (spec?.value !== undefined) inline = word.slice(2);
      else spec = undefined;
    }
    if (spec === undefined) {
      throw new UsageError(`${command}: unknown option '${name}' (see 'help ${command}')`);
    }
    if (spec.value === undefined) {
      if (inline !== undefined) throw new UsageError(`${command}: --${spec.long} takes no value`);
      parsed.options[spec.long] = true;
      continue;
    }
    const value = inline ?? words[++i];
    if (value === undefined) {
      throw new UsageError(`${command}: --${spec.long} needs a value (${spec.value.name})`);
    }
    if (spec.value.choices && !spec.value.choices.includes(value)) {
      throw new UsageError(
        `${command}: invalid --${spec.long} '${value}': expected ${
          spec.value.choices.join(" or ")
        }`,
      );
    }
    if (spec.value.repeatable) {
      const prev = parsed.options[spec.long];
      parsed.options[spec.long] = [...(Array.isArray(prev) ? prev : []), value];
    } else parsed.options[spec.long] = value;
  }
  const required = args.filter((a) => !a.optional).length;
  if (parsed.positionals.length < required) {
    const missing = args[parsed.positionals.length];
    throw new UsageError(`${command}: missing argument ${missing.name.toUpperCase()}`);
  }
  if (parsed.positionals.length > args.length) {
    throw new UsageError(
      `${command}: unexpected argument '${parsed.positionals[args.length]}'`,
    );
  }
  return parsed;
}

/** Parses repeated `K=V` values (`-P`). */
export function keyValues(values: readonly string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf("=");
    if (eq <= 0) throw new UsageError(`Invalid ${what} '${v}': expected NAME=VALUE`);
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}
