/**
 * Phase definitions as written (`- name: {model: {…}}`), before expansion
 * into forks and iterations. Scalable values (`{base, increment}`) stay
 * unresolved here; `expand_phases.ts` resolves them per iteration and fork.
 */
import type { PhaseModel, Scenario, Sla } from "./model.ts";
import type { YMap, YNode, YScalar } from "./node.ts";
import { loadScenario } from "./scenario.ts";
import {
  bool,
  custom,
  duration,
  int,
  joinPath,
  type LoadCtx,
  mismatch,
  num,
  obj,
  oneOf,
  type Shape,
  str,
} from "./shape.ts";
import { customSla } from "./sla.ts";
import { didYouMean } from "./suggest.ts";

/** A value that may grow per iteration: base + increment × iteration. */
export interface Scalable {
  base: number;
  increment: number;
}

export interface PhaseRef {
  phase: string;
  iteration: "none" | "same" | "previous";
  fork?: string;
  at: YNode;
}

export interface ForkDef {
  name: string;
  weight: number;
  scenario: Scenario;
  at: YNode;
}

export interface PhaseDef {
  name: string;
  model: PhaseModel;
  /** The phase's name as written. */
  at: YScalar;
  /** The model key (`constantRate:`), where messages about the phase as a whole point. */
  modelAt: YScalar;
  /** YAML path of the model's mapping (`phases[0].main.constantRate`; empty for the shorthand). */
  path: string;
  /** The property keys as written, for messages about one property. */
  keys: Record<string, YScalar>;
  /** The model's mapping node. */
  node: YNode;
  users?: Scalable;
  usersPerAgent?: number;
  usersPerThread?: number;
  usersPerSec?: Scalable;
  initialUsersPerSec?: Scalable;
  targetUsersPerSec?: Scalable;
  maxSessions?: number;
  variance?: boolean;
  sessionLimitPolicy?: "FAIL" | "CONTINUE";
  startTime?: number;
  startAfter: PhaseRef[];
  startAfterStrict: PhaseRef[];
  startWith?: PhaseRef & { delay: number };
  duration?: number;
  maxDuration?: number;
  maxIterations: number;
  /** Name phases `name/000`… even with one iteration (staircase phases always are). */
  iterated?: boolean;
  isWarmup: boolean;
  customSla: Record<string, Sla[]>;
  /** A scenario, or forks (one of them unnamed when given as `scenario`). */
  forks: ForkDef[];
  /** True when `forks` came from a `forks:` key (so a single one is an error). */
  namedForks: boolean;
}

export const MODELS: readonly string[] = [
  "atOnce",
  "always",
  "constantRate",
  "increasingRate",
  "decreasingRate",
  "noop",
];
const DEPRECATED: Record<string, string> = {
  constantPerSec: "constantRate",
  rampPerSec: "increasingRate",
};

function scalable(o: { min?: number; integer?: boolean } = {}): Shape<Scalable> {
  const n = (o.integer ? int : num)({ min: o.min ?? 0 });
  const s = obj({ base: n, increment: (o.integer ? int : num)() }, {
    name: "scalable value",
    required: ["base"],
  });
  return custom(`${n.expected.replace(/ ≥.*/, "")} or '{base, increment}'`, (node, ctx, path) => {
    if (node.kind === "scalar") {
      const v = n.load(node, ctx, path);
      return v === undefined ? undefined : { base: v, increment: 0 };
    }
    const v = s.load(node, ctx, path);
    return v && { base: v.base!, increment: v.increment ?? 0 };
  });
}

const ITERATIONS = ["none", "same", "previous"] as const;

function phaseRef(): Shape<PhaseRef> {
  const full = obj(
    { phase: str("a phase name"), iteration: oneOf(ITERATIONS), fork: str("a fork name") },
    { name: "phase reference", required: ["phase"] },
  );
  return custom("a phase name or '{phase, iteration, fork}'", (node, ctx, path) => {
    if (node.kind === "scalar" && !node.isNull) {
      return { phase: node.value.trim(), iteration: "none", at: node };
    }
    const v = full.load(node, ctx, path);
    return v && { phase: v.phase!, iteration: v.iteration ?? "none", fork: v.fork, at: node };
  });
}

function phaseRefs(): Shape<PhaseRef[]> {
  const one = phaseRef();
  return custom("a phase name, a reference or a list of them", (node, ctx, path) => {
    if (node.kind !== "seq") {
      const r = one.load(node, ctx, path);
      return r && [r];
    }
    const out: PhaseRef[] = [];
    let ok = true;
    node.items.forEach((n, i) => {
      const r = one.load(n, ctx, `${path}[${i}]`);
      if (r === undefined) ok = false;
      else out.push(r);
    });
    return ok ? out : undefined;
  });
}

function startWith(): Shape<PhaseRef & { delay: number }> {
  const full = obj(
    {
      phase: str("a phase name"),
      iteration: oneOf(ITERATIONS),
      fork: str("a fork name"),
      delay: duration("s"),
    },
    { name: "startWith", required: ["phase"] },
  );
  return custom("a phase name or '{phase, iteration, fork, delay}'", (node, ctx, path) => {
    if (node.kind === "scalar" && !node.isNull) {
      return { phase: node.value.trim(), iteration: "none", delay: 0, at: node };
    }
    const v = full.load(node, ctx, path);
    return v &&
      {
        phase: v.phase!,
        iteration: v.iteration ?? "none",
        fork: v.fork,
        delay: v.delay ?? 0,
        at: node,
      };
  });
}

const COMMON = {
  startTime: duration("s"),
  startAfter: phaseRefs(),
  startAfterStrict: phaseRefs(),
  startWith: startWith(),
  duration: duration("s"),
  maxDuration: duration("s"),
  maxIterations: int({ min: 1 }),
  isWarmup: bool(),
  customSla: customSla(),
  // Loaded separately (they need the scenario loader), listed for suggestions.
  scenario: custom("a scenario", () => ({})),
  forks: custom("forks", () => ({})),
};

const CLOSED = {
  users: scalable({ integer: true }),
  usersPerAgent: int({ min: 0 }),
  usersPerThread: int({ min: 0 }),
};

const OPEN = {
  maxSessions: int({ min: 1 }),
  variance: bool(),
  sessionLimitPolicy: oneOf(["FAIL", "CONTINUE"] as const),
};

const MODEL_PROPS: Record<string, Record<string, Shape<unknown>>> = {
  atOnce: { ...COMMON, ...CLOSED },
  always: { ...COMMON, ...CLOSED },
  constantRate: { ...COMMON, ...OPEN, usersPerSec: scalable() },
  increasingRate: {
    ...COMMON,
    ...OPEN,
    initialUsersPerSec: scalable(),
    targetUsersPerSec: scalable(),
  },
  decreasingRate: {
    ...COMMON,
    ...OPEN,
    initialUsersPerSec: scalable(),
    targetUsersPerSec: scalable(),
  },
  noop: {
    startTime: COMMON.startTime,
    startAfter: COMMON.startAfter,
    startAfterStrict: COMMON.startAfterStrict,
    startWith: COMMON.startWith,
    duration: COMMON.duration,
    maxDuration: COMMON.maxDuration,
    isWarmup: COMMON.isWarmup,
  },
};

/** The definitions that loaded; `complete` is false when some did not. */
export interface PhaseDefs {
  defs: PhaseDef[];
  complete: boolean;
}

/** Loads `- name: {model: {…}}` list items. */
export function loadPhaseDefs(node: YNode, ctx: LoadCtx): PhaseDefs | undefined {
  if (node.kind !== "seq") {
    return mismatch(ctx, node, "phases", "a list of phases ('- name: {constantRate: {…}}')");
  }
  const defs: PhaseDef[] = [];
  const names = new Set<string>();
  let complete = true;
  node.items.forEach((item, i) => {
    const path = `phases[${i}]`;
    if (item.kind === "map" && item.entries.length > 1) {
      const [a, b] = item.entries;
      ctx.diags.error(
        b.key,
        path,
        `A phase is a mapping with a single key (its name), found ${item.entries.length} keys: ` +
          `'${a.key.value}', '${b.key.value}' (is the indentation right?)`,
      );
      complete = false;
      return;
    }
    if (item.kind !== "map" || item.entries.length !== 1) {
      mismatch(ctx, item, path, "a phase ('- name:' with one model such as 'constantRate')");
      complete = false;
      return;
    }
    const { key, value } = item.entries[0];
    if (names.has(key.value)) {
      ctx.diags.error(key, path, `Phase '${key.value}' is defined twice`);
      complete = false;
      return;
    }
    names.add(key.value);
    const def = loadPhaseDef(key, value, ctx, `${path}.${key.value}`);
    if (def === undefined) complete = false;
    else defs.push(def);
  });
  return { defs, complete };
}

/**
 * Loads `name: {model: {…}}`. `modelPath` overrides the YAML path of the
 * model's properties (the single-phase shorthand has them at the top level).
 */
export function loadPhaseDef(
  name: YScalar,
  node: YNode,
  ctx: LoadCtx,
  path: string,
  modelPath?: string,
): PhaseDef | undefined {
  if (name.value.includes("/")) {
    ctx.diags.error(
      name,
      path,
      `Phase name '${name.value}' must not contain '/': it separates forks and iterations`,
    );
    return undefined;
  }
  if (node.kind !== "map" || node.entries.length !== 1) {
    return mismatch(ctx, node, path, `one phase model: ${MODELS.map((m) => `'${m}'`).join(", ")}`);
  }
  const { key, value } = node.entries[0];
  let model = key.value;
  if (DEPRECATED[model]) {
    ctx.diags.warn(key, path, `Phase model '${model}' is deprecated: use '${DEPRECATED[model]}'`);
    model = DEPRECATED[model];
  }
  if (!MODELS.includes(model)) {
    ctx.diags.error(
      key,
      path,
      `Unknown phase model '${key.value}': expected one of ${
        MODELS.map((m) => `'${m}'`).join(", ")
      }${didYouMean(key.value, MODELS)}`,
    );
    return undefined;
  }
  const p = modelPath ?? `${path}.${key.value}`;
  return loadModel(name, key, model as PhaseModel, value, ctx, p, key.value === "rampPerSec");
}

function loadModel(
  name: YScalar,
  modelAt: YScalar,
  model: PhaseModel,
  node: YNode,
  ctx: LoadCtx,
  path: string,
  ramp: boolean,
): PhaseDef | undefined {
  const props = MODEL_PROPS[model];
  const base = { name: name.value, model, at: name, modelAt, path, node };
  if (node.kind === "scalar" && node.isNull && model === "noop") {
    return {
      ...base,
      keys: {},
      startAfter: [],
      startAfterStrict: [],
      maxIterations: 1,
      isWarmup: false,
      customSla: {},
      forks: [],
      namedForks: false,
    };
  }
  if (node.kind === "scalar" && node.isNull) {
    // `atOnce:` with nothing under it: load it as an empty mapping, so the missing properties are named.
    node = { kind: "map", entries: [], line: node.line, col: node.col };
  }
  const v = obj(props, { name: `${model} phase '${name.value}'` }).load(node, ctx, path) as
    | Record<string, unknown>
    | undefined;
  if (v === undefined || node.kind !== "map") return undefined;
  const { scenario: _scenario, forks: _forks, ...given } = v;
  const def: PhaseDef = {
    ...(given as Partial<PhaseDef>),
    ...base,
    keys: Object.fromEntries(node.entries.map((e) => [e.key.value, e.key])),
    startAfter: (v.startAfter as PhaseRef[]) ?? [],
    startAfterStrict: (v.startAfterStrict as PhaseRef[]) ?? [],
    maxIterations: (v.maxIterations as number) ?? 1,
    isWarmup: (v.isWarmup as boolean) ?? false,
    customSla: (v.customSla as Record<string, Sla[]>) ?? {},
    forks: [],
    namedForks: false,
  };
  if (
    ramp && def.initialUsersPerSec && def.targetUsersPerSec &&
    def.initialUsersPerSec.base > def.targetUsersPerSec.base
  ) {
    def.model = "decreasingRate";
  }
  if (model === "noop") return def;
  return loadForks(def, node, ctx, path);
}

function loadForks(def: PhaseDef, node: YMap, ctx: LoadCtx, path: string): PhaseDef | undefined {
  const scenarioNode = node.entries.find((e) => e.key.value === "scenario");
  const forksNode = node.entries.find((e) => e.key.value === "forks");
  if (scenarioNode && forksNode) {
    ctx.diags.error(
      forksNode.key,
      path,
      `Phase '${def.name}' has both 'scenario' and 'forks': give the scenario in each fork, or drop 'forks'`,
    );
    return undefined;
  }
  if (scenarioNode) {
    const s = loadScenario(scenarioNode.value, ctx, joinPath(path, "scenario"));
    if (s === undefined) return undefined;
    def.forks = [{ name: "", weight: 1, scenario: s, at: scenarioNode.value }];
    return def;
  }
  if (!forksNode) {
    ctx.diags.error(def.modelAt, path, `Phase '${def.name}' has no 'scenario' (or 'forks')`);
    return undefined;
  }
  const entries = forkEntries(forksNode.value, ctx, joinPath(path, "forks"));
  if (entries === undefined) return undefined;
  let ok = true;
  for (const { name, value, p } of entries) {
    const f = loadFork(name, value, ctx, p);
    if (f === undefined) ok = false;
    else if (def.forks.some((x) => x.name === f.name)) {
      ctx.diags.error(name, p, `Fork '${f.name}' is defined twice`);
      ok = false;
    } else def.forks.push(f);
  }
  if (!ok) return undefined;
  def.namedForks = true;
  if (def.forks.length === 1) {
    ctx.diags.error(
      forksNode.key,
      path,
      `Phase '${def.name}' has a single fork: define 'scenario' directly`,
    );
    return undefined;
  }
  def.forks = def.forks.filter((f) => f.weight > 0);
  if (def.forks.length === 0) {
    ctx.diags.error(forksNode.key, path, `Phase '${def.name}' has no fork with a positive weight`);
    return undefined;
  }
  return def;
}

function forkEntries(node: YNode, ctx: LoadCtx, path: string) {
  const out: { name: YScalar; value: YNode; p: string }[] = [];
  if (node.kind === "map") {
    for (const e of node.entries) {
      out.push({ name: e.key, value: e.value, p: `${path}.${e.key.value}` });
    }
    return out;
  }
  if (node.kind !== "seq") {
    return mismatch(ctx, node, path, "a mapping or list of forks ('name: {weight, scenario}')");
  }
  for (const [i, item] of node.items.entries()) {
    if (item.kind !== "map" || item.entries.length !== 1) {
      return mismatch(ctx, item, `${path}[${i}]`, "a fork ('- name: {weight, scenario}')");
    }
    out.push({
      name: item.entries[0].key,
      value: item.entries[0].value,
      p: `${path}[${i}].${item.entries[0].key.value}`,
    });
  }
  return out;
}

function loadFork(name: YScalar, node: YNode, ctx: LoadCtx, path: string): ForkDef | undefined {
  if (name.value.includes("/")) {
    ctx.diags.error(name, path, `Fork name '${name.value}' must not contain '/'`);
    return undefined;
  }
  const v = obj({ weight: num(), scenario: custom("a scenario", () => ({})) }, {
    name: `fork '${name.value}'`,
    required: ["scenario"],
  }).load(node, ctx, path);
  if (v === undefined || node.kind !== "map") return undefined;
  const s = node.entries.find((e) => e.key.value === "scenario")!;
  const scenario = loadScenario(s.value, ctx, `${path}.scenario`);
  return scenario && { name: name.value, weight: v.weight ?? 1, scenario, at: name };
}
