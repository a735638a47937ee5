/**
 * Hyperfoil's `Run` JSON (openapi `components/schemas/Run`, `ControllerServer.runInfo`):
 * the run, its phases with status, remaining time and duration, its agents
 * and errors. Dates are written as Hyperfoil's API writes them,
 * `yyyy/MM/dd HH:mm:ss.S` in UTC (milliseconds without padding).
 * @module
 */
import type { Phase } from "../../benchmark/model.ts";
import type { PhaseProgress } from "../progress.ts";
import type { AgentState } from "../run_controller.ts";
import type { RunError } from "../../stats/all_json.ts";

export interface PhaseJson {
  name: string;
  status: string | null;
  type: string | null;
  started: string | null;
  /** `"<ms> ms"` to the end of `duration`, plus `" (<ms> ms)"` to `maxDuration`; while running. */
  remaining: string | null;
  completed: string | null;
  failed: boolean;
  /** `"<ms> ms"`, plus `" (exceeded by <ms> ms)"` past `duration`; once terminated. */
  totalDuration: string | null;
  description: string | null;
}

export interface AgentJson {
  name: string;
  address: string | null;
  status: string;
}

export interface RunJson {
  id: string;
  benchmark: string | null;
  started: string | null;
  terminated: string | null;
  cancelled: boolean;
  completed: boolean;
  persisted: boolean;
  description: string | null;
  phases: PhaseJson[] | null;
  agents: AgentJson[] | null;
  errors: string[] | null;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** Epoch ms → `2024/05/01 12:00:03.7` (UTC; Java's `S`: milliseconds, unpadded). */
export function formatRunDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${
      pad(d.getUTCSeconds())
    }.${d.getUTCMilliseconds()}`;
}

/** The inverse of {@link formatRunDate}; NaN when `text` is not such a date. */
export function parseRunDate(text: string): number {
  const m = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{1,3})$/.exec(text);
  if (!m) return NaN;
  const [y, mo, d, h, mi, s, ms] = m.slice(1).map(Number);
  return Date.UTC(y, mo - 1, d, h, mi, s, ms);
}

function orNull(ms: number | undefined): string | null {
  return ms === undefined ? null : formatRunDate(ms);
}

/** A double as Java prints it: `10.0`, `2.5`. */
function javaNumber(n: number | undefined): string {
  if (n === undefined) return "?";
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

/** Hyperfoil's `Model.description()`. */
export function phaseDescription(p: Phase): string {
  switch (p.model) {
    case "atOnce":
      return `${p.users ?? p.usersPerAgent ?? p.usersPerThread ?? "?"} users at once`;
    case "always":
      return `${p.users ?? p.usersPerAgent ?? p.usersPerThread ?? "?"} users always`;
    case "constantRate":
      return `${javaNumber(p.usersPerSec)} users per second`;
    case "increasingRate":
    case "decreasingRate":
      return `${javaNumber(p.initialUsersPerSec)} - ${
        javaNumber(p.targetUsersPerSec)
      } users per second`;
    case "noop":
      return "";
  }
}

const TERMINATED = new Set(["TERMINATED", "CANCELLED"]);

/**
 * The phases of a live run, as `runInfo(run, true)`: noop phases left out,
 * ordered by start time (phases not started first) and then name.
 */
export function phasesJson(
  phases: readonly Phase[],
  progress: readonly PhaseProgress[],
  now: number,
): PhaseJson[] {
  const byName = new Map(phases.map((p) => [p.name, p]));
  const rows = progress.filter((p) => byName.get(p.name)?.model !== "noop");
  rows.sort((a, b) =>
    (a.startTime ?? -Infinity) - (b.startTime ?? -Infinity) ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  );
  return rows.map((p) => {
    const def = byName.get(p.name);
    let remaining: string | null = null;
    let totalDuration: string | null = null;
    let completed: string | null = null;
    if (p.startTime !== undefined && def !== undefined) {
      const elapsed = now - p.startTime;
      if (!TERMINATED.has(p.status)) {
        remaining = `${def.duration - elapsed} ms`;
        if (def.maxDuration !== undefined) remaining += ` (${def.maxDuration - elapsed} ms)`;
      } else {
        const end = p.terminateTime ?? now;
        completed = formatRunDate(end);
        const total = end - p.startTime;
        totalDuration = `${total} ms`;
        if (total > def.duration) totalDuration += ` (exceeded by ${total - def.duration} ms)`;
      }
    } else if (p.terminateTime !== undefined) {
      completed = formatRunDate(p.terminateTime);
    }
    return {
      name: p.name,
      status: p.status,
      type: def?.model ?? null,
      started: orNull(p.startTime),
      remaining,
      completed,
      failed: p.failed,
      totalDuration,
      description: def === undefined ? null : phaseDescription(def),
    };
  });
}

/** `Run.Error.toString()`: `agent: message`, or the message alone. */
export function errorText(e: RunError): string {
  const msg = e.msg ?? "unknown error";
  return e.agent === undefined ? msg : `${e.agent}: ${msg}`;
}

export function agentsJson(
  agents: readonly AgentState[],
  addressOf: (name: string) => string | undefined,
): AgentJson[] {
  return agents.map((a) => ({
    name: a.name,
    address: a.hostname ?? addressOf(a.name) ?? null,
    status: a.status,
  }));
}

/** What `GET /run` lists without `details`: the id, `cancelled` and `completed`. */
export function briefRunJson(run: RunJson): RunJson {
  return {
    id: run.id,
    benchmark: null,
    started: null,
    terminated: null,
    cancelled: run.cancelled,
    completed: run.completed,
    persisted: run.persisted,
    description: null,
    phases: null,
    agents: null,
    errors: null,
  };
}
