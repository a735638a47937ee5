/**
 * Expansion of phase definitions into the phases that run: forks become
 * `parent/fork` with load × weight/Σweights plus a noop umbrella `parent`;
 * `maxIterations: N` gives `name/000`… each strictly after the previous one
 * plus a noop `name` after the last. Then references, cycles and models are checked.
 */
import type { Phase, Scenario } from "./model.ts";
import { OPEN_MODELS } from "./model.ts";
import type { ForkDef, PhaseDef, PhaseRef, Scalable } from "./phase_def.ts";
import type { Diagnostics } from "./diagnostics.ts";
import type { Pos } from "./node.ts";
import { didYouMean } from "./suggest.ts";

export interface Expansion {
  phases: Phase[];
  scenarios: Scenario[];
}

const iterName = (name: string, i: number) => `${name}/${String(i).padStart(3, "0")}`;

/** Where each expanded phase came from, for messages about it. */
interface Origin {
  def: PhaseDef;
}

export interface ExpandOptions {
  /**
   * False when some phase definitions failed to load: references to them would
   * be reported as undefined, so references and cycles are not checked then.
   */
  complete?: boolean;
}

export function expandPhases(
  defs: PhaseDef[],
  diags: Diagnostics,
  options: ExpandOptions = {},
): Expansion | undefined {
  const phases: Phase[] = [];
  const origins = new Map<string, Origin>();
  const scenarios: Scenario[] = [];
  const scenarioIndex = new Map<Scenario, number>();
  const scenarioByJson = new Map<string, number>();
  // Aliases and forks share one Scenario object; equal scenarios share one index too.
  const intern = (s: Scenario) => {
    let i = scenarioIndex.get(s);
    if (i !== undefined) return i;
    const key = JSON.stringify(s);
    i = scenarioByJson.get(key);
    if (i === undefined) {
      i = scenarios.push(s) - 1;
      scenarioByJson.set(key, i);
    }
    scenarioIndex.set(s, i);
    return i;
  };
  let ok = true;
  for (const def of defs) {
    const made = expandOne(def, diags, intern);
    if (made === undefined) {
      ok = false;
      continue;
    }
    for (const p of made) {
      if (origins.has(p.name)) {
        diags.error(
          def.at,
          def.path,
          `Phase '${p.name}' is defined twice (a fork or iteration name clashes with another phase)`,
        );
        ok = false;
        continue;
      }
      origins.set(p.name, { def });
      phases.push(compact({ id: phases.length, ...p }));
    }
  }
  // A phase that failed would show up again as an undefined reference.
  if (!ok || options.complete === false) return undefined;
  if (!checkReferences(phases, origins, diags)) return undefined;
  if (!checkCycles(phases, origins, diags)) return undefined;
  return { phases, scenarios };
}

/** Drops properties whose value is undefined, so the model survives JSON unchanged. */
function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

type Draft = Omit<Phase, "id">;

function expandOne(
  def: PhaseDef,
  diags: Diagnostics,
  intern: (s: Scenario) => number,
): Draft[] | undefined {
  if (!checkDef(def, diags)) return undefined;
  if (def.model === "noop") {
    const startAfter = refNames(def, def.startAfter, 0, diags);
    const startAfterStrict = refNames(def, def.startAfterStrict, 0, diags);
    if (startAfter === undefined || startAfterStrict === undefined) return undefined;
    return [{
      name: def.name,
      model: "noop",
      iteration: 0,
      startTime: def.startTime ?? 0,
      startAfter,
      startAfterStrict,
      startWith: startWithOf(def, 0, diags),
      terminateAfterStrict: [],
      duration: def.duration ?? 0,
      maxDuration: def.maxDuration,
      maxIterations: 1,
      isWarmup: def.isWarmup,
      customSla: def.customSla,
    }];
  }
  const iterations = isIterated(def);
  const hasForks = def.namedForks;
  const sumWeight = def.forks.reduce((s, f) => s + f.weight, 0);
  const out: Draft[] = [];
  for (let i = 0; i < def.maxIterations; i++) {
    const base = iterations ? iterName(def.name, i) : def.name;
    for (const fork of def.forks) {
      const name = hasForks ? `${base}/${fork.name}` : base;
      const p = buildPhase(def, fork, fork.weight / sumWeight, i, name, diags, intern);
      // One message per definition: the same mistake usually repeats in every fork and iteration.
      if (p === undefined) return undefined;
      out.push(p);
    }
    if (iterations && hasForks) {
      out.push(umbrella(def, base, i, def.forks.map((f) => `${base}/${f.name}`)));
    }
  }
  if (iterations) out.push(umbrella(def, def.name, 0, [iterName(def.name, def.maxIterations - 1)]));
  else if (hasForks) {
    out.push(umbrella(def, def.name, 0, def.forks.map((f) => `${def.name}/${f.name}`)));
  }
  return out;
}

function isIterated(def: PhaseDef): boolean {
  return def.maxIterations > 1 || def.iterated === true;
}

function umbrella(def: PhaseDef, name: string, iteration: number, covers: string[]): Draft {
  return {
    name,
    model: "noop",
    iteration,
    umbrellaOf: covers,
    startTime: 0,
    startAfter: covers,
    startAfterStrict: [],
    terminateAfterStrict: covers,
    duration: 0,
    maxIterations: 1,
    isWarmup: def.isWarmup,
    customSla: {},
  };
}

const at = (s: Scalable | undefined, i: number) =>
  s === undefined ? undefined : s.base + s.increment * i;
const maxOver = (s: Scalable | undefined, n: number) =>
  s === undefined ? 0 : Math.max(s.base, s.base + s.increment * (n - 1));

function buildPhase(
  def: PhaseDef,
  fork: ForkDef,
  weight: number,
  i: number,
  name: string,
  diags: Diagnostics,
  intern: (s: Scenario) => number,
): Draft | undefined {
  const startAfter = refNames(def, def.startAfter, i, diags);
  const startAfterStrict = refNames(def, def.startAfterStrict, i, diags);
  if (startAfter === undefined || startAfterStrict === undefined) return undefined;
  // Each iteration waits for the previous one to terminate.
  if (i > 0) startAfterStrict.push(iterName(def.name, i - 1));
  const p: Draft = {
    name,
    model: def.model,
    iteration: i,
    fork: def.namedForks ? fork.name : undefined,
    startTime: i === 0 ? def.startTime ?? 0 : 0,
    startAfter,
    startAfterStrict,
    startWith: startWithOf(def, i, diags),
    terminateAfterStrict: [],
    duration: def.model === "atOnce" ? 0 : def.duration ?? 0,
    maxDuration: def.maxDuration,
    maxIterations: def.maxIterations,
    isWarmup: def.isWarmup,
    customSla: def.customSla,
    scenario: intern(fork.scenario),
  };
  const err = (key: string, message: string) => {
    diags.error(def.keys[key] ?? def.modelAt, def.path, message);
    return undefined;
  };
  if (def.model === "atOnce" || def.model === "always") {
    if (def.users) p.users = Math.round(at(def.users, i)! * weight);
    if (def.usersPerAgent !== undefined) p.usersPerAgent = Math.round(def.usersPerAgent * weight);
    if (def.usersPerThread !== undefined) {
      p.usersPerThread = Math.round(def.usersPerThread * weight);
    }
    const given = [p.users, p.usersPerAgent, p.usersPerThread].filter((u) =>
      u !== undefined && u > 0
    );
    if (given.length === 0) {
      const key = ["users", "usersPerAgent", "usersPerThread"].find((k) => def.keys[k]) ?? "";
      const why = def.namedForks && weight < 1 && key
        ? ` (it rounds to 0 after the fork weight ${round(weight)})`
        : "";
      return err(
        key,
        `Phase '${name}' has no users: set one of 'users', 'usersPerAgent' or 'usersPerThread' to a positive number${why}`,
      );
    }
    if (given.length > 1) {
      return err(
        "usersPerAgent" in def.keys ? "usersPerAgent" : "usersPerThread",
        `Phase '${name}' sets more than one of 'users', 'usersPerAgent' and 'usersPerThread': give only one`,
      );
    }
    return p;
  }
  p.variance = def.variance ?? true;
  p.sessionLimitPolicy = def.sessionLimitPolicy ?? "FAIL";
  if (def.model === "constantRate") {
    p.usersPerSec = at(def.usersPerSec, i)! * weight;
    if (!(p.usersPerSec > 0)) {
      return err(
        "usersPerSec",
        `Phase '${name}' needs 'usersPerSec' > 0, found ${round(p.usersPerSec)}`,
      );
    }
    p.maxSessions = def.maxSessions !== undefined
      ? Math.round(def.maxSessions * weight)
      : ceil(weight * maxOver(def.usersPerSec, def.maxIterations));
  } else {
    p.initialUsersPerSec = at(def.initialUsersPerSec, i)! * weight;
    p.targetUsersPerSec = at(def.targetUsersPerSec, i)! * weight;
    const increasing = def.model === "increasingRate";
    if (p.initialUsersPerSec < 0 || p.targetUsersPerSec < 0) {
      const key = p.initialUsersPerSec < 0 ? "initialUsersPerSec" : "targetUsersPerSec";
      return err(key, `Phase '${name}' has a negative '${key}' (${round(p[key]!)})`);
    }
    if (
      increasing
        ? p.initialUsersPerSec >= p.targetUsersPerSec
        : p.initialUsersPerSec <= p.targetUsersPerSec
    ) {
      return err(
        "initialUsersPerSec",
        `Phase '${name}' is ${def.model}: 'initialUsersPerSec' (${
          round(p.initialUsersPerSec)
        }) must be ` +
          `${increasing ? "lower" : "higher"} than 'targetUsersPerSec' (${
            round(p.targetUsersPerSec)
          })` +
          hintRamp(increasing),
      );
    }
    const peak = Math.max(
      maxOver(def.initialUsersPerSec, def.maxIterations),
      maxOver(def.targetUsersPerSec, def.maxIterations),
    );
    p.maxSessions = def.maxSessions !== undefined
      ? Math.round(def.maxSessions * weight)
      : ceil(peak * weight);
  }
  p.maxSessions = Math.max(1, p.maxSessions);
  return p;
}

function hintRamp(increasing: boolean): string {
  return increasing ? ": use 'decreasingRate' to ramp down" : ": use 'increasingRate' to ramp up";
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** Ceiling that ignores floating-point noise (0.2 × 300 is 60.00000000000001). */
function ceil(n: number): number {
  return Math.ceil(n - 1e-9);
}

function checkDef(def: PhaseDef, diags: Diagnostics): boolean {
  let ok = true;
  const err = (key: string, m: string) => {
    diags.error(def.keys[key] ?? def.modelAt, def.path, m);
    ok = false;
  };
  const starts = ["startAfter", "startAfterStrict", "startTime"].filter((k) => def.keys[k]);
  if (def.startWith && starts.length) {
    err(
      "startWith",
      `Phase '${def.name}' combines 'startWith' with ${
        starts.map((k) => `'${k}'`).join(" and ")
      }: ` +
        "use only 'startWith' (it has a 'delay')",
    );
  }
  const needsDuration = def.model !== "atOnce" && def.model !== "noop";
  if (needsDuration && def.duration === undefined) {
    err("", `Phase '${def.name}' (${def.model}) needs a 'duration' such as '60s'`);
  }
  if (def.model === "atOnce" && def.duration) {
    diags.warn(
      def.keys.duration ?? def.modelAt,
      def.path,
      `Phase '${def.name}' is atOnce: 'duration' is ignored`,
    );
  }
  if (
    def.maxDuration !== undefined && def.duration !== undefined && def.model !== "atOnce" &&
    def.maxDuration < def.duration
  ) {
    err(
      "maxDuration",
      `Phase '${def.name}' has 'maxDuration' (${def.maxDuration} ms) shorter than 'duration' (${def.duration} ms)`,
    );
  }
  if (def.model === "constantRate" && !def.usersPerSec) {
    err("", `Phase '${def.name}' (constantRate) needs 'usersPerSec'`);
  }
  const ramp = def.model === "increasingRate" || def.model === "decreasingRate";
  if (ramp && (!def.initialUsersPerSec || !def.targetUsersPerSec)) {
    err(
      "",
      `Phase '${def.name}' (${def.model}) needs both 'initialUsersPerSec' and 'targetUsersPerSec'`,
    );
  }
  if (!OPEN_MODELS.includes(def.model) && def.model !== "noop" && def.maxSessions !== undefined) {
    err("maxSessions", `Phase '${def.name}' (${def.model}) does not take 'maxSessions'`);
  }
  return ok;
}

function refName(ref: PhaseRef, i: number): string | undefined {
  let name = ref.phase;
  if (ref.iteration === "same") name = iterName(ref.phase, i);
  else if (ref.iteration === "previous") {
    if (i === 0) return undefined;
    name = iterName(ref.phase, i - 1);
  }
  return ref.fork ? `${name}/${ref.fork}` : name;
}

function refNames(
  def: PhaseDef,
  refs: PhaseRef[],
  i: number,
  diags: Diagnostics,
): string[] | undefined {
  const out: string[] = [];
  for (const r of refs) {
    if (r.iteration !== "none" && !isIterated(def)) {
      diags.error(r.at, def.path, relativeWithoutIterations(def, r));
      return undefined;
    }
    const n = refName(r, i);
    if (n !== undefined) out.push(n);
  }
  return out;
}

function relativeWithoutIterations(def: PhaseDef, r: PhaseRef): string {
  return `Phase '${def.name}' references '${r.phase}' with iteration '${r.iteration}' but has no ` +
    "iterations itself: set 'maxIterations' or use 'iteration: none'";
}

function startWithOf(def: PhaseDef, i: number, diags: Diagnostics) {
  const s = def.startWith;
  if (s === undefined) return undefined;
  if (s.iteration !== "none" && !isIterated(def)) {
    diags.error(s.at, def.path, relativeWithoutIterations(def, s));
    return undefined;
  }
  const phase = refName(s, i);
  return phase === undefined ? undefined : { phase, delay: s.delay };
}

function checkReferences(
  phases: Phase[],
  origins: Map<string, Origin>,
  diags: Diagnostics,
): boolean {
  let ok = true;
  const names = phases.map((p) => p.name);
  const reported = new Set<string>();
  for (const p of phases) {
    const refs = [
      ...p.startAfter,
      ...p.startAfterStrict,
      ...(p.startWith ? [p.startWith.phase] : []),
    ];
    for (const r of refs) {
      if (origins.has(r)) continue;
      const def = origins.get(p.name)!.def;
      const key = `${def.name}->${r}`;
      if (reported.has(key)) continue;
      reported.add(key);
      diags.error(
        findRefNode(def, r) ?? def.at,
        def.path,
        `Phase '${r}' referenced from '${def.name}' is not defined${refHint(r, names)}`,
      );
      ok = false;
    }
  }
  return ok;
}

/** A near name, or how to reach a fork of an iterated phase (`shop/000/browse` for `shop/browse`). */
function refHint(ref: string, names: string[]): string {
  const iterated = names.find((n) => n.replace(/\/\d{3}(?=\/|$)/, "") === ref && n !== ref);
  if (iterated === undefined) return didYouMean(ref, names);
  const phase = iterated.slice(0, iterated.search(/\/\d{3}(\/|$)/));
  return `: phase '${phase}' has iterations (such as '${iterated}'); add 'iteration: same' or 'previous' to the reference`;
}

function findRefNode(def: PhaseDef, name: string): Pos | undefined {
  const all = [
    ...def.startAfter,
    ...def.startAfterStrict,
    ...(def.startWith ? [def.startWith] : []),
  ];
  return (all.find((r) => name === r.phase || name.startsWith(r.phase + "/")) ?? all[0])?.at;
}

/** Start dependencies must form no cycle, or no phase in it would ever start (Hyperfoil hangs, #89). */
function checkCycles(phases: Phase[], origins: Map<string, Origin>, diags: Diagnostics): boolean {
  const deps = new Map<string, string[]>();
  for (const p of phases) {
    deps.set(p.name, [
      ...p.startAfter,
      ...p.startAfterStrict,
      ...(p.startWith ? [p.startWith.phase] : []),
    ]);
  }
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  let cycle: string[] | undefined;
  const visit = (n: string): void => {
    if (cycle) return;
    state.set(n, "visiting");
    stack.push(n);
    for (const d of deps.get(n) ?? []) {
      if (state.get(d) === "visiting") {
        cycle = [...stack.slice(stack.indexOf(d)), d];
        return;
      }
      if (!state.has(d)) visit(d);
      if (cycle) return;
    }
    stack.pop();
    state.set(n, "done");
  };
  for (const p of phases) if (!state.has(p.name)) visit(p.name);
  if (!cycle) return true;
  // Report on the user's phase definitions, not on generated names.
  const def = origins.get(cycle[0])!.def;
  diags.error(
    def.at,
    def.path,
    `Phases wait for each other in a cycle: ${
      cycle.map((c) => `'${c}'`).join(" → ")
    }; none of them would ever start`,
  );
  return false;
}
