/**
 * Live progress of `hf run`, every second: on a terminal one block repainted
 * in place (elapsed / planned, and per running phase its req/s, p50 and p99
 * of the last second, errors and active sessions); elsewhere one plain line
 * per report, so logs stay readable.
 * @module
 */
import type { PhaseProgress, RunProgress } from "../controller/progress.ts";
import { prettyPrintNanos } from "../stats/stats_table.ts";

/** `1:05`, `12:00`, `1:02:03`. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

const ACTIVE = new Set(["STARTING", "RUNNING", "FINISHING", "FINISHED", "TERMINATING"]);

const STAGE_TEXT: Record<RunProgress["stage"], string> = {
  deploying: "deploying agents",
  initializing: "opening connections",
  running: "running",
  stopping: "stopping agents",
  done: "done",
};

function rate(perSec: number): string {
  return perSec >= 10_000 ? `${(perSec / 1000).toFixed(1)}k req/s` : `${perSec.toFixed(1)} req/s`;
}

const ns = (v: number) => prettyPrintNanos(v).trim();

/** The numbers of one running phase: `98.0 req/s, p50 1.25 ms, p99 2.10 ms, 0 errors, 3 sessions`. */
export function phaseFigures(p: PhaseProgress): string {
  const parts: string[] = [];
  if (p.recent !== undefined) {
    parts.push(rate(p.recent.requestsPerSec), `p50 ${ns(p.recent.p50)}`, `p99 ${ns(p.recent.p99)}`);
    parts.push(`${p.recent.errors} error${p.recent.errors === 1 ? "" : "s"}`);
  } else {
    // Figures come from the newest second every agent has completed: none yet in the first ~2 s.
    parts.push("first second of statistics pending");
  }
  parts.push(`${p.sessions} session${p.sessions === 1 ? "" : "s"}`);
  return parts.join(", ");
}

/** `Run 0001 quickstart · running 0:05 / ~0:10 (estimate)`. */
function header(p: RunProgress): string {
  const time = `${formatClock(p.elapsedMs)} / ~${formatClock(p.plannedMs)} (planned, estimate)`;
  return `Run ${p.runId} ${p.benchmark} · ${STAGE_TEXT[p.stage]}${
    p.stage === "running" ? ` ${time}` : ""
  }`;
}

function counts(p: RunProgress): string {
  let done = 0, waiting = 0;
  for (const ph of p.phases) {
    if (ph.status === "TERMINATED" || ph.status === "CANCELLED") done++;
    else if (ph.status === "NOT_STARTED") waiting++;
  }
  return `${done} phase${done === 1 ? "" : "s"} done, ${waiting} waiting`;
}

/** The repainted block: a header, one line per running phase, a count of the others. */
export function progressBlock(p: RunProgress): string[] {
  const active = p.phases.filter((ph) => ACTIVE.has(ph.status));
  const width = Math.max(0, ...active.map((ph) => ph.name.length));
  const lines = [header(p)];
  for (const ph of active) {
    lines.push(`  ${ph.name.padEnd(width)}  ${ph.status.padEnd(11)}  ${phaseFigures(ph)}`);
  }
  if (p.stage === "running") lines.push(`  ${counts(p)}`);
  return lines;
}

/** One plain line: `[0001 0:05/~0:10] main: 98.0 req/s, p50 …; other: …`. */
export function progressLine(p: RunProgress): string {
  const active = p.phases.filter((ph) => ACTIVE.has(ph.status));
  const time = `${formatClock(p.elapsedMs)}/~${formatClock(p.plannedMs)}`;
  if (p.stage !== "running") return `[${p.runId}] ${STAGE_TEXT[p.stage]}`;
  const phases = active.map((ph) => `${ph.name}: ${phaseFigures(ph)}`).join("; ");
  return `[${p.runId} ${time}] ${phases || counts(p)}`;
}

/** Paints progress reports to a stream; `log` prints a line above the block. */
export interface ProgressPainter {
  update(progress: RunProgress): void;
  /** A message (a warning from an agent…) that must not be painted over. */
  log(text: string): void;
  /** Removes the block (before the final table). */
  clear(): void;
}

/**
 * A painter writing to `write`: with `tty` the block is repainted in place
 * (cursor up, erase down), without it each report is one line.
 */
export function progressPainter(write: (text: string) => void, tty: boolean): ProgressPainter {
  let painted = 0;
  const erase = () => {
    // Cursor to the start of the block's first line, then erase to the end of the screen.
    if (painted > 0) write(`\u001b[${painted}F\u001b[J`);
    painted = 0;
  };
  return {
    update(progress) {
      if (!tty) {
        write(progressLine(progress) + "\n");
        return;
      }
      const lines = progressBlock(progress);
      erase();
      write(lines.join("\n") + "\n");
      painted = lines.length;
    },
    log(text) {
      if (tty) erase();
      write(text.endsWith("\n") ? text : text + "\n");
    },
    clear() {
      if (tty) erase();
    },
  };
}
