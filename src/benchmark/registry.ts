/**
 * The step registry: step, action and processor names mapped to the shapes
 * that load them. Built-ins come from `defaultRegistry()`; an extension adds
 * its own names with `registerStep` and friends before loading.
 */
import { mismatch, type Shape } from "./shape.ts";
import type { YNode, YScalar } from "./node.ts";
import { didYouMean } from "./suggest.ts";

/** A loaded step, action or processor: plain data tagged with its name. */
export interface StepRecord {
  type: string;
  [key: string]: unknown;
}

export type Kind = "step" | "action" | "processor";

export interface Registry {
  /** Steps that only make sense as steps (httpRequest, loop, thinkTime…). */
  steps: Map<string, Shape<Record<string, unknown>>>;
  /** Actions: usable as steps, in `onCompletion`-style lists and as processors. */
  actions: Map<string, Shape<Record<string, unknown>>>;
  /** Processors: consume response bodies, headers or other data. */
  processors: Map<string, Shape<Record<string, unknown>>>;
}

export function emptyRegistry(): Registry {
  return { steps: new Map(), actions: new Map(), processors: new Map() };
}

/** Shapes usable as `kind`: actions count as steps and as processors too. */
export function lookup(
  reg: Registry,
  kind: Kind,
  name: string,
): Shape<Record<string, unknown>> | undefined {
  if (kind === "step") return reg.steps.get(name) ?? reg.actions.get(name);
  if (kind === "processor") return reg.processors.get(name) ?? reg.actions.get(name);
  return reg.actions.get(name);
}

export function namesOf(reg: Registry, kind: Kind): string[] {
  const own = kind === "step" ? reg.steps : kind === "processor" ? reg.processors : reg.actions;
  return [...new Set([...own.keys(), ...reg.actions.keys()])];
}

const KIND_PLURAL: Record<Kind, string> = {
  step: "steps",
  action: "actions",
  processor: "processors",
};

/** Loads one `name: args` (or bare `name`) element of kind `kind`. */
function loadElement(
  kind: Kind,
  name: YScalar,
  args: YNode,
  ctx: Parameters<Shape<unknown>["load"]>[1],
  path: string,
): StepRecord | undefined {
  const shape = lookup(ctx.registry, kind, name.value);
  if (shape === undefined) {
    const known = namesOf(ctx.registry, kind);
    const other = (["step", "action", "processor"] as Kind[]).find((k) =>
      k !== kind && lookup(ctx.registry, k, name.value)
    );
    const hint = other
      ? ` ('${name.value}' is a ${other}, not usable as a ${kind})`
      : didYouMean(name.value, known);
    ctx.diags.error(name, path, `Unknown ${kind} '${name.value}'${hint}`);
    return undefined;
  }
  const rec = shape.load(args, ctx, `${path}.${name.value}`);
  return rec === undefined ? undefined : { type: name.value, ...rec };
}

/**
 * A list of elements (`- name: args` or `- name`); for actions and processors
 * also a mapping of several `name: args`, as Hyperfoil allows.
 */
export function elements(kind: Kind): Shape<StepRecord[]> {
  const expected = `a list of ${KIND_PLURAL[kind]}` +
    (kind === "step" ? "" : " or a mapping of them");
  return {
    expected,
    load(node, ctx, path) {
      const out: StepRecord[] = [];
      let ok = true;
      const add = (r: StepRecord | undefined) => r === undefined ? (ok = false) : out.push(r);
      if (node.kind === "map" && kind !== "step") {
        for (const e of node.entries) add(loadElement(kind, e.key, e.value, ctx, path));
        return ok ? out : undefined;
      }
      if (node.kind === "scalar" && node.isNull) return out;
      if (node.kind === "scalar" && kind !== "step") {
        return ok && add(loadElement(kind, node, { ...node, isNull: true, value: "" }, ctx, path))
          ? out
          : undefined;
      }
      if (node.kind !== "seq") return mismatch(ctx, node, path, expected);
      node.items.forEach((item, i) => {
        const at = `${path}[${i}]`;
        if (item.kind === "scalar" && !item.isNull) {
          add(loadElement(kind, item, { ...item, isNull: true, value: "" }, ctx, at));
        } else if (item.kind === "map" && item.entries.length === 1) {
          add(loadElement(kind, item.entries[0].key, item.entries[0].value, ctx, at));
        } else if (item.kind === "map" && item.entries.length > 1) {
          ctx.diags.error(
            item.entries[1].key,
            at,
            `A ${kind} is a mapping with a single key (its name), found ${item.entries.length} keys: ` +
              `'${item.entries[0].key.value}', '${
                item.entries[1].key.value
              }'… (is the indentation right?)`,
          );
          ok = false;
        } else {
          mismatch(ctx, item, at, `a ${kind} ('name' or 'name: properties')`);
          ok = false;
        }
      });
      return ok ? out : undefined;
    },
  };
}

/** A single element given as `{name: args}` (a processor, a handler). */
export function element(kind: Kind): Shape<StepRecord> {
  const many = elements(kind);
  return {
    expected: `a ${kind}`,
    load(node, ctx, path) {
      const all = many.load(node, ctx, path);
      if (all === undefined) return undefined;
      if (all.length === 1) return all[0];
      return mismatch(ctx, node, path, `exactly one ${kind}`);
    },
  };
}
