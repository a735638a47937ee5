import assert from "node:assert/strict";
import { fireTimes } from "../../src/engine/fire_times.ts";

function countWithin(gen: { next(): number }, durationNs: number): number[] {
  const out: number[] = [];
  for (let t = gen.next(); t < durationNs; t = gen.next()) out.push(t);
  return out;
}

/** A seeded generator, so the Poisson checks are repeatable. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

Deno.test("evenly spaced constant rate: 10/s for 10 s is 100 arrivals 100 ms apart", () => {
  const t = countWithin(
    fireTimes({ initial: 10, target: 10, durationNs: 10e9, variance: false }),
    10e9,
  );
  assert.equal(t.length, 100);
  assert.equal(t[0], 0);
  assert.ok(Math.abs(t[1] - 100e6) < 1);
  assert.ok(Math.abs(t[99] - 9.9e9) < 10);
});

Deno.test("Poisson constant rate averages the rate and has irregular gaps", () => {
  const t = countWithin(
    fireTimes({ initial: 1000, target: 1000, durationNs: 20e9, variance: true, random: lcg(7) }),
    20e9,
  );
  assert.ok(Math.abs(t.length - 20000) < 20000 * 0.03, `got ${t.length}`);
  const gaps = t.slice(1).map((x, i) => x - t[i]);
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  const sd = Math.sqrt(gaps.reduce((a, b) => a + (b - mean) ** 2, 0) / gaps.length);
  // Exponential gaps have a standard deviation equal to their mean.
  assert.ok(Math.abs(sd / mean - 1) < 0.05, `cv ${sd / mean}`);
});

Deno.test("a linear ramp from 0 to 100/s over 10 s starts 500 users, denser at the end", () => {
  const t = countWithin(
    fireTimes({ initial: 0, target: 100, durationNs: 10e9, variance: false }),
    10e9,
  );
  assert.ok(Math.abs(t.length - 500) <= 1, `got ${t.length}`);
  const firstHalf = t.filter((x) => x < 5e9).length;
  assert.ok(Math.abs(firstHalf - 125) <= 1, `first half ${firstHalf}`);
  for (let i = 1; i < t.length; i++) assert.ok(t[i] > t[i - 1]);
});

Deno.test("a decreasing ramp from 100/s to 10/s over 4 s starts (100+10)/2 × 4 users", () => {
  const t = countWithin(
    fireTimes({ initial: 100, target: 10, durationNs: 4e9, variance: false }),
    4e9,
  );
  assert.ok(Math.abs(t.length - 220) <= 1, `got ${t.length}`);
});
