/** The readable tree `hf inspect` prints: targets, agents, then phases in start order. */
import type { Agent, Benchmark, HttpEndpoint, Phase, Scenario } from "../benchmark/model.ts";
import type { StepRecord } from "../benchmark/registry.ts";
import { startOrder } from "./start_order.ts";
import { nestedSteps, summarizeStep, type SummaryOptions } from "./step_summary.ts";

const INDENT = "  ";

/** The lines of the tree, without trailing newlines. */
export function inspectTree(benchmark: Benchmark): string[] {
  const lines = [`benchmark ${benchmark.name}`];
  if (benchmark.file) lines.push(`${INDENT}file: ${benchmark.file}`);
  if (benchmark.threads !== 1) lines.push(`${INDENT}threads: ${benchmark.threads}`);
  lines.push(benchmark.http.length ? "http:" : "http: none");
  for (const h of benchmark.http) lines.push(INDENT + endpoint(h));
  lines.push(benchmark.agents.length ? "agents:" : "agents: none (runs locally)");
  for (const a of benchmark.agents) lines.push(INDENT + agent(a));
  lines.push(benchmark.phases.length ? "phases, in start order:" : "phases: none");
  // Forks and iterations share a scenario: print its steps once.
  const shownBy = new Map<number, string>();
  const summary = { defaultAuthority: benchmark.http.find((h) => h.isDefault)?.authority };
  for (const p of startOrder(benchmark.phases)) {
    lines.push(...phase(p, benchmark.scenarios, shownBy, summary));
  }
  return lines;
}

function endpoint(h: HttpEndpoint): string {
  const notes: string[] = [];
  if (h.isDefault) notes.push("default");
  const { core, max } = h.sharedConnections;
  notes.push(core === max ? plural(max, "connection") : `${core}–${max} connections`);
  if (h.connectionStrategy !== "SHARED_POOL") notes.push(h.connectionStrategy);
  if (h.addresses.length) notes.push(`addresses ${h.addresses.join(", ")}`);
  const name = h.name ? `${h.name}: ` : "";
  return `${name}${h.protocol}://${h.authority} (${notes.join(", ")})`;
}

function agent(a: Agent): string {
  const where = a.inline ??
    [a.user ? `${a.user}@` : "", a.host ?? "", a.port ? `:${a.port}` : ""].join("");
  return where ? `${a.name}: ${where}` : a.name;
}

function phase(
  p: Phase,
  scenarios: Scenario[],
  shownBy: Map<number, string>,
  summary: SummaryOptions,
): string[] {
  const lines = [`${INDENT}${p.name}: ${[load(p), ...timing(p)].join(", ")}`];
  const more = (label: string, names: string[]) => {
    if (names.length) lines.push(`${INDENT.repeat(2)}${label}: ${names.join(", ")}`);
  };
  more("after", p.startAfter);
  more("after (strict)", p.startAfterStrict);
  if (p.startWith) {
    const delay = p.startWith.delay > 0 ? ` +${duration(p.startWith.delay)}` : "";
    lines.push(`${INDENT.repeat(2)}with: ${p.startWith.phase}${delay}`);
  }
  more("terminates after (strict)", p.terminateAfterStrict);
  if (p.scenario === undefined) return lines;
  const first = shownBy.get(p.scenario);
  if (first !== undefined) {
    lines.push(`${INDENT.repeat(2)}scenario: same as ${first}`);
    return lines;
  }
  shownBy.set(p.scenario, p.name);
  const scenario = scenarios[p.scenario];
  if (scenario) lines.push(...sequences(scenario, summary));
  return lines;
}

/** `constantRate 30 users/s`, `increasingRate 1 → 100 users/s`, `atOnce 10 users`… */
function load(p: Phase): string {
  switch (p.model) {
    case "constantRate":
      return `constantRate ${rate(p.usersPerSec)} users/s`;
    case "increasingRate":
    case "decreasingRate":
      return `${p.model} ${rate(p.initialUsersPerSec)} → ${rate(p.targetUsersPerSec)} users/s`;
    case "atOnce":
    case "always": {
      const users = [
        p.users !== undefined ? plural(p.users, "user") : "",
        p.usersPerAgent !== undefined ? `${p.usersPerAgent} users/agent` : "",
        p.usersPerThread !== undefined ? `${p.usersPerThread} users/thread` : "",
      ].filter(Boolean);
      return [p.model, ...users].join(" ");
    }
    case "noop":
      return p.umbrellaOf?.length ? `noop (umbrella of ${p.umbrellaOf.join(", ")})` : "noop";
    default:
      return String(p.model);
  }
}

function timing(p: Phase): string[] {
  const out: string[] = [];
  if (p.startTime > 0) out.push(`starts at +${duration(p.startTime)}`);
  if (p.model !== "atOnce" && p.model !== "noop") out.push(`duration ${duration(p.duration)}`);
  if (p.maxDuration !== undefined) out.push(`maxDuration ${duration(p.maxDuration)}`);
  if (p.maxSessions !== undefined) out.push(`maxSessions ${p.maxSessions}`);
  if (p.variance === false) out.push("uniform arrivals");
  if (p.isWarmup) out.push("warmup");
  return out;
}

function sequences(scenario: Scenario, summary: SummaryOptions): string[] {
  const lines = [`${INDENT.repeat(2)}sequences:`];
  for (const s of scenario.sequences) {
    const concurrency = s.concurrency > 0 ? `[${s.concurrency}]` : "";
    lines.push(`${INDENT.repeat(3)}${s.name}${concurrency}${s.initial ? " (initial)" : ""}`);
    lines.push(...steps(s.steps, 4, summary));
  }
  return lines;
}

function steps(records: StepRecord[], depth: number, summary: SummaryOptions): string[] {
  return records.flatMap((r) => [
    INDENT.repeat(depth) + summarizeStep(r, summary),
    ...steps(nestedSteps(r), depth + 1, summary),
  ]);
}

/** A rate for reading: forks give 9.523809523809524, shown as 9.52 (the JSON keeps it exact). */
function rate(n: number | undefined): string {
  if (n === undefined) return "?";
  if (Number.isInteger(n)) return String(n);
  return String(Math.abs(n) >= 1 ? Number(n.toFixed(2)) : Number(n.toPrecision(3)));
}

/** Milliseconds in the largest unit that divides them: `90s`, `2m`, `1h`, `250ms`. */
export function duration(ms: number): string {
  if (ms > 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms > 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
