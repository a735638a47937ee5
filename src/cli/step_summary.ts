/** One-line summaries of step records, for `hf inspect`. */
import type { StepRecord } from "../benchmark/registry.ts";

export interface SummaryOptions {
  /** `host:port` of the default endpoint; requests to others name their authority. */
  defaultAuthority?: string;
}

/** `httpRequest GET /foo`, `thinkTime 3000ms`, `set foo <- bar`, else the step type. */
export function summarizeStep(step: StepRecord, options: SummaryOptions = {}): string {
  const summary = SUMMARIES[step.type]?.(step, options);
  return summary ? `${step.type} ${summary}` : step.type;
}

/** The nested steps of a step (loop, stopwatch…), if it has any. */
export function nestedSteps(step: StepRecord): StepRecord[] {
  const steps = step.steps;
  return Array.isArray(steps) && steps.every(isStepRecord) ? steps : [];
}

const SUMMARIES: Record<string, (s: StepRecord, o: SummaryOptions) => string | undefined> = {
  httpRequest: (s, o) => {
    const authority = text(s.authority) ?? text(s.dynamicAuthority);
    const target = authority && authority !== o.defaultAuthority ? `(${authority})` : undefined;
    return [text(s.method), text(s.path), target].filter(Boolean).join(" ") || undefined;
  },
  thinkTime: (s) => typeof s.duration === "number" ? `${s.duration}ms` : randomDelay(s),
  set: (s) => {
    const name = text(s.var);
    if (name === undefined) return undefined;
    const array = s.objectArray ?? s.intArray;
    const size = (array as { size?: number } | undefined)?.size;
    const value = text(s.value) ??
      (size !== undefined ? `${s.intArray ? "int" : "object"} array[${size}]` : undefined);
    return value === undefined ? name : `${name} <- ${value}`;
  },
};

function randomDelay(s: StepRecord): string | undefined {
  if (typeof s.min !== "number" && typeof s.max !== "number") return undefined;
  return `${s.min ?? 0}ms .. ${s.max ?? "?"}ms`;
}

/** A readable form of a loaded value: strings, numbers, patterns by their source, `${var}`. */
function text(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (v === null || typeof v !== "object") return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.fromVar === "string") return `\${${o.fromVar}}`;
  return text(o.pattern) ?? text(o.value);
}

function isStepRecord(v: unknown): v is StepRecord {
  return v !== null && typeof v === "object" && typeof (v as { type?: unknown }).type === "string";
}
