/** SLAs: on requests (`sla:`) and per metric (`customSla:`). */
import type { Sla } from "./model.ts";
import { custom, dict, duration, list, mismatch, num, obj, type Shape } from "./shape.ts";

/** Defaults as Hyperfoil's: ratios 1.01 (never fail) except blockedRatio 0. */
export const DEFAULT_SLA: Sla = {
  errorRatio: 1.01,
  invalidRatio: 1.01,
  blockedRatio: 0,
  limits: {},
};

function percentileLimits(): Shape<Record<string, number>> {
  const limit = duration();
  const expected = "a mapping of percentiles (0 < p ≤ 1, e.g. 0.99) to response times";
  return custom(expected, (node, ctx, path) => {
    if (node.kind !== "map") return mismatch(ctx, node, path, expected);
    const out: Record<string, number> = {};
    let ok = true;
    for (const { key, value } of node.entries) {
      const p = Number(key.value);
      if (!/^\d*\.?\d+$/.test(key.value.trim()) || !(p > 0 && p <= 1)) {
        ctx.diags.error(
          key,
          path,
          `Percentile '${key.value}' must be a fraction between 0 and 1 (e.g. 0.99 for p99)` +
            (p > 1 && p <= 100 ? `: did you mean '${p / 100}'?` : ""),
        );
        ok = false;
        continue;
      }
      const v = limit.load(value, ctx, `${path}.${key.value}`);
      if (v === undefined) ok = false;
      else out[String(p)] = v;
    }
    return ok ? out : undefined;
  });
}

export function sla(): Shape<Sla> {
  return obj(
    {
      window: duration("s"),
      errorRatio: num({ min: 0 }),
      invalidRatio: num({ min: 0 }),
      meanResponseTime: duration(),
      blockedRatio: num({ min: 0 }),
      limits: percentileLimits(),
    },
    {
      name: "sla",
      finish: (v) => ({ ...DEFAULT_SLA, ...v, limits: v.limits ?? {} }),
    },
  ) as Shape<Sla>;
}

/** `sla:` as one mapping or a list of them. */
export function slaList(): Shape<Sla[]> {
  return list(sla(), { single: true });
}

/** `customSla: {metric: SLA | [SLA…]}`. */
export function customSla(): Shape<Record<string, Sla[]>> {
  const d = dict(slaList(), "a mapping of metric names to SLAs");
  return custom(d.expected, (node, ctx, path) => {
    const entries = d.load(node, ctx, path);
    return entries && Object.fromEntries(entries);
  });
}
