/**
 * String patterns: `foo${var}bar`, with transforms `${urlencode:v}`,
 * `${base64encode:v}`, `${base64decode:v}`, `${%05d:v}` and
 * `${replace/re/replacement/flags:v}`; `$${x}` is a literal `${x}`.
 * Parsed once at load time into segments the engine fills in.
 */

export type Transform =
  | { kind: "urlencode" }
  | { kind: "base64encode" }
  | { kind: "base64decode" }
  /** A Java-style integer format such as `%05d`, `%x`, `%X`, `%o`. */
  | { kind: "format"; format: string }
  | { kind: "replace"; regex: string; replacement: string; flags: string };

export interface VarSegment {
  /** The variable reference as written, e.g. `movies[.]`. */
  var: string;
  transform?: Transform;
}

export type PatternSegment = string | VarSegment;

export interface Pattern {
  /** The source text, for messages and inspection. */
  pattern: string;
  segments: PatternSegment[];
}

const FORMAT = /^%(-?0?\d*)([doxX])$/;

/** Parses a pattern; throws a `SyntaxError` naming the problem. */
export function parsePattern(text: string): Pattern {
  const segments: PatternSegment[] = [];
  let literal = "";
  let i = 0;
  while (i < text.length) {
    if (text.startsWith("$${", i)) {
      literal += "${";
      i += 3;
      continue;
    }
    if (!text.startsWith("${", i)) {
      literal += text[i++];
      continue;
    }
    const end = text.indexOf("}", i + 2);
    if (end < 0) throw new SyntaxError(`Unclosed '\${' at offset ${i} in pattern '${text}'`);
    const inner = text.slice(i + 2, end);
    if (literal) segments.push(literal);
    literal = "";
    segments.push(parseVarSegment(inner, text));
    i = end + 1;
  }
  if (literal) segments.push(literal);
  return { pattern: text, segments };
}

function parseVarSegment(inner: string, text: string): VarSegment {
  const colon = inner.lastIndexOf(":");
  if (colon < 0) return { var: checkVar(inner.trim(), text) };
  const name = checkVar(inner.slice(colon + 1).trim(), text);
  const t = inner.slice(0, colon).trim();
  if (t === "urlencode" || t === "base64encode" || t === "base64decode") {
    return { var: name, transform: { kind: t } };
  }
  if (FORMAT.test(t)) return { var: name, transform: { kind: "format", format: t } };
  if (t.startsWith("replace") && t.length > 7) {
    const sep = t[7];
    const parts = t.slice(8).split(sep);
    if (parts.length !== 3) {
      throw new SyntaxError(
        `Invalid replace transform '${t}' in pattern '${text}': expected 'replace${sep}regex${sep}replacement${sep}flags'`,
      );
    }
    try {
      new RegExp(parts[0]);
    } catch {
      throw new SyntaxError(`Invalid regular expression '${parts[0]}' in pattern '${text}'`);
    }
    if (!/^[gi]*$/.test(parts[2])) {
      throw new SyntaxError(
        `Invalid replace flags '${parts[2]}' in pattern '${text}': expected 'g' and/or 'i'`,
      );
    }
    return {
      var: name,
      transform: { kind: "replace", regex: parts[0], replacement: parts[1], flags: parts[2] },
    };
  }
  throw new SyntaxError(
    `Unknown transform '${t}' in pattern '${text}': expected 'urlencode', 'base64encode', 'base64decode', a format such as '%05d', or 'replace/regex/replacement/'`,
  );
}

function checkVar(name: string, text: string): string {
  if (!name) throw new SyntaxError(`Empty variable name in pattern '${text}'`);
  return name;
}

/** True when the pattern has no variables (a constant string). */
export function isConstant(p: Pattern): boolean {
  return p.segments.every((s) => typeof s === "string");
}

/** Variables the pattern reads. */
export function patternVars(p: Pattern): string[] {
  return p.segments.filter((s): s is VarSegment => typeof s !== "string").map((s) => s.var);
}
