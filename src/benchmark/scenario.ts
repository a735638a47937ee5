/**
 * Scenarios: `{initialSequences, sequences, maxRequests, maxSequences}`,
 * `{orderedSequences}` or a bare list (ordered). `name[N]` declares a
 * sequence that may run N concurrent instances.
 */
import type { Scenario, Sequence } from "./model.ts";
import type { YMap, YNode, YScalar, YSeq } from "./node.ts";
import { elements, type StepRecord } from "./registry.ts";
import { int, type LoadCtx, mismatch } from "./shape.ts";
import { didYouMean } from "./suggest.ts";
import { newVarUsage, unwrittenReads } from "./variables.ts";

const KEYS = ["initialSequences", "sequences", "orderedSequences", "maxRequests", "maxSequences"];
const SEQUENCE_NAME = /^([^[\]\s]+)(?:\[(\d+)\])?$/;

export function loadScenario(node: YNode, ctx: LoadCtx, path: string): Scenario | undefined {
  // Variables and sequence references are scoped to one scenario.
  const scoped: LoadCtx = { ...ctx, vars: newVarUsage(), sequenceRefs: [] };
  const s = node.kind === "seq"
    ? ordered(node, scoped, path)
    : node.kind === "map"
    ? structured(node, scoped, path)
    : mismatch(
      ctx,
      node,
      path,
      "a list of sequences or a mapping with 'initialSequences', 'sequences' or 'orderedSequences'",
    );
  if (s === undefined) return undefined;
  let ok = true;
  for (const ref of scoped.sequenceRefs) {
    if (!s.sequences.some((q) => q.name === ref.name)) {
      ctx.diags.error(
        ref.at,
        ref.path,
        `Sequence '${ref.name}' is not defined in this scenario${
          didYouMean(ref.name, s.sequences.map((q) => q.name))
        }`,
      );
      ok = false;
    }
  }
  for (const r of unwrittenReads(scoped.vars)) {
    ctx.diags.warn(r.at, r.path, `Variable '${r.name}' is read but never written in this scenario`);
  }
  if (s.sequences.length === 0) {
    ctx.diags.error(node, path, "The scenario has no sequences");
    return undefined;
  }
  if (!s.sequences.some((q) => q.initial)) {
    ctx.diags.error(
      node,
      path,
      "The scenario has no initial sequence: list one under 'initialSequences' or 'orderedSequences'",
    );
    return undefined;
  }
  return ok ? s : undefined;
}

/** A loaded sequence and where its name is written, for messages about duplicates. */
interface Located {
  seq: Sequence;
  at: YScalar;
  path: string;
}

function structured(node: YMap, ctx: LoadCtx, path: string): Scenario | undefined {
  const scenario: Scenario = { maxRequests: 16, maxSequences: 16, sequences: [] };
  const located: Located[] = [];
  let ok = true;
  const given = new Set<string>();
  for (const { key, value } of node.entries) {
    const k = key.value, p = `${path}.${k}`;
    given.add(k);
    if (k === "maxRequests" || k === "maxSequences") {
      const n = int({ min: 1 }).load(value, ctx, p);
      if (n === undefined) ok = false;
      else scenario[k] = n;
    } else if (k === "initialSequences" || k === "sequences") {
      const seqs = sequences(value, ctx, p, k === "initialSequences");
      if (seqs === undefined) ok = false;
      else located.push(...seqs);
    } else if (k === "orderedSequences") {
      const seqs = value.kind === "seq"
        ? orderedSequences(value, ctx, p)
        : mismatch(ctx, value, p, "a list of sequences");
      if (seqs === undefined) ok = false;
      else located.push(...seqs);
    } else {
      ctx.diags.error(key, path, `Unknown property '${k}' in scenario${didYouMean(k, KEYS)}`);
      ok = false;
    }
  }
  if (given.has("orderedSequences") && given.has("initialSequences")) {
    ctx.diags.error(node, path, "'orderedSequences' and 'initialSequences' cannot be combined");
    ok = false;
  }
  return ok && unique(located, ctx)
    ? { ...scenario, sequences: located.map((l) => l.seq) }
    : undefined;
}

function unique(located: Located[], ctx: LoadCtx): boolean {
  const names = new Set<string>();
  let ok = true;
  for (const { seq, at, path } of located) {
    if (names.has(seq.name)) {
      ctx.diags.error(at, path, `Sequence '${seq.name}' is defined twice in this scenario`);
      ok = false;
    }
    names.add(seq.name);
  }
  return ok;
}

function ordered(node: YSeq, ctx: LoadCtx, path: string): Scenario | undefined {
  const seqs = orderedSequences(node, ctx, path);
  if (seqs === undefined || !unique(seqs, ctx)) return undefined;
  return { maxRequests: 16, maxSequences: 16, sequences: seqs.map((l) => l.seq) };
}

/** Each sequence starts the next one when it ends; only the first is initial. */
function orderedSequences(node: YSeq, ctx: LoadCtx, path: string): Located[] | undefined {
  const seqs = sequences(node, ctx, path, false);
  if (seqs === undefined) return undefined;
  return seqs.map(({ seq, at, path }, i): Located => {
    const next = seqs[i + 1]?.seq;
    const steps: StepRecord[] = next
      ? [...seq.steps, { type: "nextSequence", sequence: next.name }]
      : seq.steps;
    return { seq: { ...seq, initial: i === 0, steps }, at, path };
  });
}

function sequences(
  node: YNode,
  ctx: LoadCtx,
  path: string,
  initial: boolean,
): Located[] | undefined {
  if (node.kind === "scalar" && node.isNull) return [];
  if (node.kind !== "seq") {
    return mismatch(ctx, node, path, "a list of sequences ('- name: [steps]')");
  }
  const out: Located[] = [];
  let ok = true;
  node.items.forEach((item, i) => {
    const p = `${path}[${i}]`;
    if (item.kind !== "map" || item.entries.length !== 1) {
      mismatch(ctx, item, p, "a sequence ('- name:' followed by its steps)");
      ok = false;
      return;
    }
    const { key, value } = item.entries[0];
    const m = SEQUENCE_NAME.exec(key.value.trim());
    if (!m) {
      ctx.diags.error(key, p, `Invalid sequence name '${key.value}': expected 'name' or 'name[N]'`);
      ok = false;
      return;
    }
    const steps = elements("step").load(value, ctx, `${p}.${m[1]}`);
    if (steps === undefined) {
      ok = false;
      return;
    }
    out.push({
      seq: { name: m[1], concurrency: m[2] === undefined ? 0 : Number(m[2]), initial, steps },
      at: key,
      path: p,
    });
  });
  return ok ? out : undefined;
}
