/** The order phases can start in, for `hf inspect`. */
import type { Phase } from "../benchmark/model.ts";

/** The phases a phase waits for before it starts (startAfter, startAfterStrict, startWith). */
export function startDependencies(phase: Phase): string[] {
  const deps = [...phase.startAfter, ...phase.startAfterStrict];
  if (phase.startWith) deps.push(phase.startWith.phase);
  return [...new Set(deps)].filter((d) => d !== phase.name);
}

/**
 * Phases in a topological order of their start dependencies; among phases
 * ready at the same time, the one defined first comes first. Phases caught in
 * a cycle (the loader refuses those) follow in definition order.
 */
export function startOrder(phases: readonly Phase[]): Phase[] {
  const index = new Map(phases.map((p, i) => [p.name, i]));
  const waiting = phases.map(() => 0);
  const dependents: number[][] = phases.map(() => []);
  phases.forEach((p, i) => {
    for (const dep of startDependencies(p)) {
      const d = index.get(dep);
      if (d === undefined) continue;
      waiting[i]++;
      dependents[d].push(i);
    }
  });
  const ready = new MinHeap();
  waiting.forEach((n, i) => n === 0 && ready.push(i));
  const order: Phase[] = [];
  const placed = phases.map(() => false);
  for (let i = ready.pop(); i !== undefined; i = ready.pop()) {
    order.push(phases[i]);
    placed[i] = true;
    for (const j of dependents[i]) if (--waiting[j] === 0) ready.push(j);
  }
  phases.forEach((p, i) => placed[i] || order.push(p));
  return order;
}

/** A binary min-heap of indexes: "defined first" among the ready phases. */
class MinHeap {
  private readonly items: number[] = [];

  push(v: number): void {
    const a = this.items;
    a.push(v);
    for (let i = a.length - 1; i > 0;) {
      const up = (i - 1) >> 1;
      if (a[up] <= a[i]) break;
      [a[up], a[i]] = [a[i], a[up]];
      i = up;
    }
  }

  pop(): number | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    a[0] = last;
    for (let i = 0;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < a.length && a[l] < a[m]) m = l;
      if (r < a.length && a[r] < a[m]) m = r;
      if (m === i) break;
      [a[m], a[i]] = [a[i], a[m]];
      i = m;
    }
    return top;
  }
}
