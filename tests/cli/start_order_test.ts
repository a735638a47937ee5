import assert from "node:assert/strict";
import type { Phase } from "../../src/benchmark/model.ts";
import { startOrder } from "../../src/cli/start_order.ts";

function phase(
  name: string,
  deps: { after?: string[]; strict?: string[]; with?: string } = {},
): Phase {
  return {
    id: 0,
    name,
    model: "noop",
    iteration: 0,
    startTime: 0,
    startAfter: deps.after ?? [],
    startAfterStrict: deps.strict ?? [],
    startWith: deps.with ? { phase: deps.with, delay: 0 } : undefined,
    terminateAfterStrict: [],
    duration: 0,
    maxIterations: 1,
    isWarmup: false,
    customSla: {},
  };
}

const names = (ps: Phase[]) => ps.map((p) => p.name);

Deno.test("phases come after the phases they start after, with, or strictly after", () => {
  const order = startOrder([
    phase("c", { strict: ["b"] }),
    phase("b", { with: "a" }),
    phase("a", { after: ["d"] }),
    phase("d"),
  ]);
  assert.deepEqual(names(order), ["d", "a", "b", "c"]);
});

Deno.test("phases ready at the same time keep their definition order", () => {
  const order = startOrder([
    phase("x", { after: ["z"] }),
    phase("y"),
    phase("z"),
    phase("w", { after: ["y"] }),
  ]);
  assert.deepEqual(names(order), ["y", "z", "x", "w"]);
});

Deno.test("a cycle does not lose phases: they follow in definition order", () => {
  const order = startOrder([
    phase("a", { after: ["b"] }),
    phase("b", { after: ["a"] }),
    phase("c"),
  ]);
  assert.deepEqual(names(order), ["c", "a", "b"]);
});

Deno.test("start order of 10,000 chained phases is computed without recursion", () => {
  const ps = Array.from(
    { length: 10_000 },
    (_, i) => phase(`p${i}`, i ? { after: [`p${i - 1}`] } : {}),
  );
  const order = startOrder([...ps].reverse());
  assert.equal(order[0].name, "p0");
  assert.equal(order.at(-1)!.name, "p9999");
});
