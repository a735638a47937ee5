/** Template parameters from the command line: `-P NAME=VALUE` and Hyperfoil's glued `-PNAME=VALUE`. */
import { InvalidArgumentError } from "commander";

/**
 * Splits Hyperfoil's glued form `-PNAME=VALUE` into `-P NAME=VALUE` before
 * commander sees it. Arguments after `--` are left alone.
 */
export function splitGluedParams(args: readonly string[]): string[] {
  const out: string[] = [];
  let operands = false;
  for (const arg of args) {
    if (!operands && arg === "--") operands = true;
    const glued = !operands && /^-P[^=\s-]/.test(arg);
    if (glued) out.push("-P", arg.slice(2));
    else out.push(arg);
  }
  return out;
}

/** Parses one `NAME=VALUE`; the value may be empty and may contain '='. */
export function parseParam(text: string): [string, string] {
  const eq = text.indexOf("=");
  const name = eq < 0 ? text : text.slice(0, eq);
  if (eq < 0 || !/^[^\s=]+$/.test(name)) {
    throw new InvalidArgumentError(`Expected NAME=VALUE, found '${text}'`);
  }
  return [name, text.slice(eq + 1)];
}

/** Commander's collector for a repeatable `-P`: later values of a name win. */
export function collectParam(
  text: string,
  previous: Record<string, string> = {},
): Record<string, string> {
  const [name, value] = parseParam(text);
  return { ...previous, [name]: value };
}

/** Commander parser of a TCP port option (0 = any free port). */
export function parsePort(value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(port <= 65535)) {
    throw new InvalidArgumentError(`Invalid port '${value}': expected 0..65535`);
  }
  return port;
}
