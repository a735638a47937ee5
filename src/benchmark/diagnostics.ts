/** Errors and warnings found while loading a benchmark, with their source positions. */
import type { Pos } from "./node.ts";

export interface Diagnostic {
  severity: "error" | "warning";
  file: string;
  /** 1-based; 0 when the problem has no single place in the source. */
  line: number;
  col: number;
  /** YAML path, e.g. `phases[0].main.constantRate`; empty at top level. */
  path: string;
  message: string;
}

/** The most errors reported for one file; the rest are counted, not listed. */
export const MAX_ERRORS = 20;

/** Collects the diagnostics of one load. Owned by that load. */
export class Diagnostics {
  readonly items: Diagnostic[] = [];
  suppressed = 0;
  constructor(readonly file: string) {}

  error(at: Pos | undefined, path: string, message: string): void {
    this.add("error", at, path, message);
  }

  warn(at: Pos | undefined, path: string, message: string): void {
    this.add("warning", at, path, message);
  }

  get errorCount(): number {
    return this.items.filter((d) => d.severity === "error").length + this.suppressed;
  }

  get errors(): Diagnostic[] {
    return this.items.filter((d) => d.severity === "error");
  }

  get warnings(): Diagnostic[] {
    return this.items.filter((d) => d.severity === "warning");
  }

  private add(
    severity: Diagnostic["severity"],
    at: Pos | undefined,
    path: string,
    message: string,
  ) {
    const line = at?.line ?? 0, col = at?.col ?? 0;
    // The same node may be reached twice through an alias; report it once.
    if (this.items.some((d) => d.line === line && d.col === col && d.message === message)) return;
    if (severity === "error" && this.errors.length >= MAX_ERRORS) {
      this.suppressed++;
      return;
    }
    this.items.push({ severity, file: this.file, line, col, path, message });
  }
}

/** `file:line:col: path: message`, the one-line form printed to users. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.col}` : d.file;
  const prefix = d.severity === "warning" ? "warning: " : "";
  return `${where}: ${prefix}${d.path ? d.path + ": " : ""}${d.message}`;
}

/** Thrown by `loadBenchmark` when a benchmark has errors; carries all of them. */
export class BenchmarkError extends Error {
  constructor(readonly diagnostics: Diagnostic[], readonly suppressed = 0) {
    const errors = diagnostics.filter((d) => d.severity === "error");
    super(
      errors.map(formatDiagnostic).join("\n") +
        (suppressed > 0 ? `\n…and ${suppressed} more errors` : ""),
    );
    this.name = "BenchmarkError";
  }
}
