/**
 * `staircase:` generates phases: `initialRampUp` (0 → initial rate), then
 * `steadyState/00k` at initial + k × increment, with `rampUp/00k` between
 * consecutive steady states when `rampUpDuration` is set.
 */
import type { YMap, YNode } from "./node.ts";
import type { PhaseDef, PhaseRef } from "./phase_def.ts";
import { loadScenario } from "./scenario.ts";
import { custom, duration, int, type LoadCtx, num, obj } from "./shape.ts";
import type { Scenario, Sla } from "./model.ts";
import { customSla } from "./sla.ts";
import { loadPhaseDef } from "./phase_def.ts";

const staircaseShape = obj(
  {
    initialRampUpDuration: duration("s"),
    steadyStateDuration: duration("s"),
    rampUpDuration: duration("s"),
    initialUsersPerSec: num({ min: 0 }),
    incrementUsersPerSec: num({ min: 0, exclusiveMin: true }),
    maxIterations: int({ min: 1 }),
    maxSessions: int({ min: 1 }),
    scenario: custom("a scenario", () => ({})),
    forks: custom("forks", () => ({})),
    customSla: customSla(),
  },
  {
    name: "staircase",
    required: ["steadyStateDuration", "incrementUsersPerSec", "maxIterations"],
    exclusive: [["scenario", "forks"]],
  },
);

export function loadStaircase(node: YNode, ctx: LoadCtx): PhaseDef[] | undefined {
  const v = staircaseShape.load(node, ctx, "staircase");
  if (v === undefined || node.kind !== "map") return undefined;
  const forks = forksOf(node, ctx);
  if (forks === undefined) return undefined;
  const initial = v.initialUsersPerSec || v.incrementUsersPerSec!;
  const inc = v.incrementUsersPerSec!;
  const n = v.maxIterations!;
  const rampUp = v.rampUpDuration ?? 0;
  const initialRamp = v.initialRampUpDuration || rampUp;
  // Generated phases have no name in the source: messages point at the staircase's first key.
  const first = node.entries[0].key;
  const ref = (phase: string, iteration: PhaseRef["iteration"]): PhaseRef => ({
    phase,
    iteration,
    at: node,
  });
  const base = (phaseName: string): PhaseDef => ({
    name: phaseName,
    model: "constantRate",
    at: { ...first, value: phaseName },
    modelAt: first,
    path: "staircase",
    keys: {},
    node,
    startAfter: [],
    startAfterStrict: [],
    maxIterations: 1,
    isWarmup: false,
    customSla: (v.customSla as Record<string, Sla[]>) ?? {},
    maxSessions: v.maxSessions,
    ...forks,
  });
  const defs: PhaseDef[] = [];
  const steady = base("steadyState");
  steady.usersPerSec = { base: initial, increment: inc };
  steady.duration = v.steadyStateDuration;
  steady.maxIterations = n;
  steady.iterated = true;
  if (initialRamp > 0) {
    const r = base("initialRampUp");
    r.model = "increasingRate";
    r.initialUsersPerSec = { base: 0, increment: 0 };
    r.targetUsersPerSec = { base: initial, increment: 0 };
    r.duration = initialRamp;
    defs.push(r);
    steady.startAfter.push(ref("initialRampUp", "none"));
  }
  defs.push(steady);
  if (rampUp > 0 && n > 1) {
    const r = base("rampUp");
    r.model = "increasingRate";
    r.initialUsersPerSec = { base: initial, increment: inc };
    r.targetUsersPerSec = { base: initial + inc, increment: inc };
    r.duration = rampUp;
    r.maxIterations = n - 1;
    r.iterated = true;
    r.startAfter.push(ref("steadyState", "same"));
    steady.startAfter.push(ref("rampUp", "previous"));
    defs.push(r);
  }
  return defs;
}

function forksOf(node: YMap, ctx: LoadCtx): Pick<PhaseDef, "forks" | "namedForks"> | undefined {
  const s = node.entries.find((e) => e.key.value === "scenario");
  if (s) {
    const scenario: Scenario | undefined = loadScenario(s.value, ctx, "staircase.scenario");
    return scenario &&
      { forks: [{ name: "", weight: 1, scenario, at: s.value }], namedForks: false };
  }
  const f = node.entries.find((e) => e.key.value === "forks");
  if (!f) {
    ctx.diags.error(node, "staircase", "The staircase has no 'scenario' (or 'forks')");
    return undefined;
  }
  // Reuse the phase loader for forks: a throwaway constantRate phase carrying them.
  const fake: YMap = {
    kind: "map",
    line: node.line,
    col: node.col,
    entries: [{
      key: { ...f.key, value: "constantRate" },
      value: {
        kind: "map",
        line: f.key.line,
        col: f.key.col,
        entries: [f, { key: { ...f.key, value: "usersPerSec" }, value: { ...f.key, value: "1" } }, {
          key: { ...f.key, value: "duration" },
          value: { ...f.key, value: "1" },
        }],
      },
    }],
  };
  const def = loadPhaseDef({ ...f.key, value: "staircase" }, fake, ctx, "staircase", "staircase");
  return def && { forks: def.forks, namedForks: def.namedForks };
}
