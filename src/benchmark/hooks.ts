/** `pre` / `post` hooks: a mapping or list of `name: "command"` or `name: {exec: command}`, run in name order. */
import type { Hook } from "./model.ts";
import type { YEntry, YNode } from "./node.ts";
import { type LoadCtx, mismatch } from "./shape.ts";

export function loadHooks(node: YNode, ctx: LoadCtx, path: string): Hook[] | undefined {
  const entries: { e: YEntry; path: string }[] = [];
  if (node.kind === "map") {
    node.entries.forEach((e) => entries.push({ e, path: `${path}.${e.key.value}` }));
  } else if (node.kind === "seq") {
    for (const [i, item] of node.items.entries()) {
      if (item.kind !== "map" || item.entries.length !== 1) {
        return mismatch(
          ctx,
          item,
          `${path}[${i}]`,
          "a hook ('name: command' or 'name: {exec: command}')",
        );
      }
      entries.push({ e: item.entries[0], path: `${path}[${i}]` });
    }
  } else if (node.kind === "scalar" && node.isNull) return [];
  else return mismatch(ctx, node, path, "a mapping or list of hooks ('name: command')");
  const hooks: Hook[] = [];
  for (const { e, path: p } of entries) {
    const v = e.value;
    if (v.kind === "scalar" && !v.isNull) hooks.push({ name: e.key.value, exec: v.value });
    else if (
      v.kind === "map" && v.entries.length === 1 && v.entries[0].key.value === "exec" &&
      v.entries[0].value.kind === "scalar"
    ) {
      hooks.push({ name: e.key.value, exec: v.entries[0].value.value });
    } else return mismatch(ctx, v, p, "a shell command or '{exec: command}'");
  }
  return hooks.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}
