/** Which session variables a scenario reads and writes, for the "never written" warning. */
import type { Pos } from "./node.ts";

export interface VarUsage {
  reads: Map<string, { at: Pos; path: string }>;
  writes: Set<string>;
}

export function newVarUsage(): VarUsage {
  return { reads: new Map(), writes: new Set() };
}

/** `movies[.]` → `movies`, `arr[3]` → `arr`. */
export function varBaseName(ref: string): string {
  const i = ref.indexOf("[");
  return (i < 0 ? ref : ref.slice(0, i)).trim();
}

/** Read-only variables that Hyperfoil provides to every session. */
export const PSEUDO_VARIABLES: readonly string[] = [
  "hyperfoil.agent.id",
  "hyperfoil.agents",
  "hyperfoil.agent.thread.id",
  "hyperfoil.agent.threads",
  "hyperfoil.global.thread.id",
  "hyperfoil.global.threads",
  "hyperfoil.phase.name",
  "hyperfoil.phase.id",
  "hyperfoil.phase.iteration",
  "hyperfoil.run.id",
  "hyperfoil.session.id",
];

export function recordRead(usage: VarUsage, ref: string, at: Pos, path: string): void {
  const name = varBaseName(ref);
  if (!usage.reads.has(name)) usage.reads.set(name, { at, path });
}

export function recordWrite(usage: VarUsage, ref: string): void {
  usage.writes.add(varBaseName(ref));
}

/** Reads of variables nothing in the scenario writes (pseudo-variables excluded). */
export function unwrittenReads(usage: VarUsage): { name: string; at: Pos; path: string }[] {
  const out = [];
  for (const [name, r] of usage.reads) {
    if (!usage.writes.has(name) && !PSEUDO_VARIABLES.includes(name)) out.push({ name, ...r });
  }
  return out;
}
