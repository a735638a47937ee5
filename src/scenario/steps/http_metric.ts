/**
 * Metric selection for HTTP requests: a constant name, or Hyperfoil's path
 * rules (`regex -> replacement`, `regex`, `-> default`) matched against the
 * whole of `authority + path` (only the path when the benchmark has a single
 * HTTP destination). Rule results are memoised per input, so the regexes run
 * once per distinct path rather than once per request.
 */
import type { MetricRule, MetricSelector } from "../../benchmark/steps/_common.ts";

/** `(authority, path)` → metric name. */
export type MetricFn = (authority: string, path: string) => string;

/** Distinct inputs remembered per selector before the memo is dropped. */
const MEMO_LIMIT = 1024;

interface CompiledRule {
  /** Anchored: Java's `Matcher.matches()` semantics. */
  readonly re: RegExp | undefined;
  readonly replacement: string | undefined;
  readonly otherwise: string | undefined;
}

/**
 * Compiles a selector. `fallback` names the metric when no rule matches
 * (Hyperfoil would fail the request; the sequence name keeps it visible).
 */
export function compileMetric(
  selector: MetricSelector | undefined,
  fallback: (input: string) => string,
  singleDestination: boolean,
): MetricFn {
  if (selector === undefined) {
    return (authority, path) => fallback(singleDestination ? path : authority + path);
  }
  if (typeof selector === "string") return () => selector;
  const rules = selector.map(compileRule);
  const memo = new Map<string, string>();
  const apply = (input: string): string => {
    for (const r of rules) {
      if (r.otherwise !== undefined) return r.otherwise;
      if (!r.re!.test(input)) continue;
      return r.replacement === undefined
        ? input
        : input.replace(r.re!, javaReplacement(r.replacement));
    }
    return fallback(input);
  };
  return (authority, path) => {
    const input = singleDestination ? path : authority + path;
    let name = memo.get(input);
    if (name === undefined) {
      if (memo.size >= MEMO_LIMIT) memo.clear();
      name = apply(input);
      memo.set(input, name);
    }
    return name;
  };
}

function compileRule(rule: MetricRule): CompiledRule {
  if ("otherwise" in rule) {
    return { re: undefined, replacement: undefined, otherwise: rule.otherwise };
  }
  return {
    re: new RegExp(`^(?:${rule.match})$`),
    replacement: "replacement" in rule ? rule.replacement : undefined,
    otherwise: undefined,
  };
}

/** Java's `$1` references are JavaScript's too; `\$` and `\\` escape as in Java. */
function javaReplacement(text: string): string {
  if (!text.includes("\\")) return text;
  return text.replace(/\\(.)/g, (_, c: string) => (c === "$" ? "$$" : c));
}

/** Hyperfoil's redirect metric: `<sequence>_redirect_<8 hex digits>`, stable across executors. */
export function redirectMetricName(sequenceName: string, ordinal: number): string {
  return `${sequenceName}_redirect_${fnv1a(`${sequenceName}#${ordinal}`)}`;
}

/** FNV-1a of the UTF-16 units, as 8 hex digits. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}
