/**
 * Data shared beyond one session: counters and maps per executor thread,
 * write-once data per agent, and counters merged by the controller.
 */
import type { YNode } from "../node.ts";
import { custom, int, list, type LoadCtx, mismatch, oneOf, type Shape, str } from "../shape.ts";
import { readVar, writeVar } from "../sources.ts";
import { recordRead } from "../variables.ts";
import { badInline, type Body, inlineVar, record } from "./_common.ts";
import { parseIncrement } from "./generators.ts";

/** Adds to (or subtracts from) a counter shared by the sessions of one thread. */
export interface AddToSharedCounterRecord {
  type: "addToSharedCounter";
  key: string;
  value?: number;
  fromVar?: string;
  operator: "ADD" | "SUBTRACT";
}

const COUNTER_INLINE = "'counter++', 'counter--', 'counter += n' or 'counter -= n'";

export function addToSharedCounter(): Shape<Body<AddToSharedCounterRecord>> {
  return record(
    {
      key: str("a counter name"),
      value: int(),
      fromVar: readVar(),
      operator: oneOf(["ADD", "SUBTRACT"] as const),
    },
    {
      name: "addToSharedCounter",
      required: ["key"],
      exactlyOne: [["value", "fromVar"]],
      inline: (s, ctx, path) => {
        const inc = parseIncrement(s.value);
        return inc === undefined || /\s/.test(inc.name)
          ? badInline(ctx, s, path, COUNTER_INLINE)
          : { key: inc.name, value: inc.delta, operator: "ADD" };
      },
      build: (v) => ({ ...v, operator: v.operator ?? "ADD" }) as Body<AddToSharedCounterRecord>,
    },
  );
}

/** Reads a shared counter into `toVar`. */
export interface GetSharedCounterRecord {
  type: "getSharedCounter";
  key: string;
  toVar: string;
}

export function getSharedCounter(): Shape<Body<GetSharedCounterRecord>> {
  return record({ key: str("a counter name"), toVar: writeVar() }, {
    name: "getSharedCounter",
    required: ["key", "toVar"],
    inline: (s, ctx, path) => {
      const name = inlineVar(s.value, ctx, s, path, "write");
      return name === undefined
        ? badInline(ctx, s, path, "a counter name")
        : { key: name, toVar: name };
    },
    build: (v) => ({ key: v.key!, toVar: v.toVar! }),
  });
}

/** Sets a shared counter to a value or a variable's value. */
export interface SetSharedCounterRecord {
  type: "setSharedCounter";
  key: string;
  value?: number;
  fromVar?: string;
}

export function setSharedCounter(): Shape<Body<SetSharedCounterRecord>> {
  return record({ key: str("a counter name"), value: int(), fromVar: readVar() }, {
    name: "setSharedCounter",
    required: ["key"],
    exactlyOne: [["value", "fromVar"]],
    inline: (s, ctx, path) => {
      const name = inlineVar(s.value, ctx, s, path, "read");
      return name === undefined
        ? badInline(ctx, s, path, "a counter name")
        : { key: name, fromVar: name };
    },
    build: (v) => v as Body<SetSharedCounterRecord>,
  });
}

/** Takes an entry of a thread-shared map (optionally matching `match`) into `vars`. */
export interface PullSharedMapRecord {
  type: "pullSharedMap";
  key: string;
  /** Variable whose value selects the entry. */
  match?: string;
  vars: string[];
}

export function pullSharedMap(): Shape<Body<PullSharedMapRecord>> {
  return record({
    key: str("a map name"),
    match: readVar(),
    vars: list(writeVar(), { single: true }),
  }, {
    name: "pullSharedMap",
    required: ["key", "vars"],
    build: (v, at, ctx, path) => nonEmptyVars(v as Body<PullSharedMapRecord>, at, ctx, path),
  });
}

/** Stores `vars` as an entry of a thread-shared map. */
export interface PushSharedMapRecord {
  type: "pushSharedMap";
  key: string;
  vars: string[];
}

export function pushSharedMap(): Shape<Body<PushSharedMapRecord>> {
  return record({ key: str("a map name"), vars: list(readVar(), { single: true }) }, {
    name: "pushSharedMap",
    required: ["key", "vars"],
    build: (v, at, ctx, path) => nonEmptyVars(v as Body<PushSharedMapRecord>, at, ctx, path),
  });
}

function nonEmptyVars<T extends { vars: string[] }>(v: T, at: YNode, ctx: LoadCtx, path: string) {
  if (v.vars.length > 0) return v;
  ctx.diags.error(at, path, "List at least one variable under 'vars'");
  return undefined;
}

/** Publishes a variable's value to the other sessions of this agent, once. */
export interface PublishAgentDataRecord {
  type: "publishAgentData";
  name: string;
  fromVar: string;
}

export function publishAgentData(): Shape<Body<PublishAgentDataRecord>> {
  return record({ name: str("a data name"), fromVar: readVar() }, {
    name: "publishAgentData",
    required: ["name", "fromVar"],
    inline: (s, ctx, path) => {
      const name = inlineVar(s.value, ctx, s, path, "read");
      return name === undefined
        ? badInline(ctx, s, path, "a variable name")
        : { name, fromVar: name };
    },
    build: (v) => ({ name: v.name!, fromVar: v.fromVar! }),
  });
}

/** Reads data published by `publishAgentData` into `toVar` (blocks until published). */
export interface ReadAgentDataRecord {
  type: "readAgentData";
  name: string;
  toVar: string;
}

export function readAgentData(): Shape<Body<ReadAgentDataRecord>> {
  return record({ name: str("a data name"), toVar: writeVar() }, {
    name: "readAgentData",
    required: ["name", "toVar"],
    inline: (s, ctx, path) => {
      const name = inlineVar(s.value, ctx, s, path, "write");
      return name === undefined
        ? badInline(ctx, s, path, "a variable name")
        : { name, toVar: name };
    },
    build: (v) => ({ name: v.name!, toVar: v.toVar! }),
  });
}

/** Sends integer variables as named counters; the controller sums them per key. */
export interface PublishGlobalCountersRecord {
  type: "publishGlobalCounters";
  key: string;
  counters: { name: string; var: string }[];
}

/** `[a, b]` (name = variable), `{name: var}` or a list mixing both. */
function counterVars(): Shape<{ name: string; var: string }[]> {
  const expected = "a list of variable names or a mapping of counter names to variables";
  return custom(expected, (node, ctx, path) => {
    const out: { name: string; var: string }[] = [];
    let ok = true;
    const add = (name: string, v: YNode, p: string) => {
      const s = str("a variable name").load(v, ctx, p);
      if (s === undefined) ok = false;
      else {
        recordRead(ctx.vars, s, v, p);
        out.push({ name, var: s.trim() });
      }
    };
    if (node.kind === "map") {
      node.entries.forEach((e) => add(e.key.value, e.value, `${path}.${e.key.value}`));
    } else if (node.kind === "seq") {
      node.items.forEach((item, i) => {
        const p = `${path}[${i}]`;
        if (item.kind === "scalar" && !item.isNull) add(item.value.trim(), item, p);
        else if (item.kind === "map") {
          item.entries.forEach((e) => add(e.key.value, e.value, `${p}.${e.key.value}`));
        } else {
          mismatch(ctx, item, p, "a variable name or 'name: variable'");
          ok = false;
        }
      });
    } else return mismatch(ctx, node, path, expected);
    if (ok && out.length === 0) {
      ctx.diags.error(node, path, "List at least one counter");
      return undefined;
    }
    return ok ? out : undefined;
  });
}

export function publishGlobalCounters(): Shape<Body<PublishGlobalCountersRecord>> {
  return record({ key: str("a key"), vars: counterVars() }, {
    name: "publishGlobalCounters",
    required: ["key", "vars"],
    build: (v) => ({ key: v.key!, counters: v.vars! }),
  });
}
