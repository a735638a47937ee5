/** Java number formatting, as Jackson and String.format write it. */
import assert from "node:assert/strict";
import { javaDouble, javaFixed, javaHashMapOrder } from "../../src/stats/_java_format.ts";

Deno.test("doubles print like Double.toString: a fraction always, exponent from 1e7", () => {
  assert.equal(javaDouble(0), "0.0");
  assert.equal(javaDouble(1), "1.0");
  assert.equal(javaDouble(0.5), "0.5");
  assert.equal(javaDouble(0.775), "0.775");
  assert.equal(javaDouble(999_999), "999999.0");
  assert.equal(javaDouble(9_999_999), "9999999.0");
  assert.equal(javaDouble(10_000_000), "1.0E7");
  assert.equal(javaDouble(12_582_911), "1.2582911E7");
  assert.equal(javaDouble(60_129_542_143), "6.0129542143E10");
  assert.equal(javaDouble(0.001), "0.001");
  assert.equal(javaDouble(0.0001), "1.0E-4");
  assert.equal(javaDouble(0.00012), "1.2E-4");
});

Deno.test("%.Nf rounds half up on the shortest decimal form", () => {
  assert.equal(javaFixed(1.005, 2), "1.01"); // toFixed gives 1.00
  assert.equal(javaFixed(0.125, 2), "0.13");
  assert.equal(javaFixed(2.5, 0), "3");
  assert.equal(javaFixed(999.995, 2), "1000.00");
  assert.equal(javaFixed(0.1 + 0.2, 3), "0.300");
  assert.equal(javaFixed(1e-7, 3), "0.000");
  assert.equal(javaFixed(0.99, 6), "0.990000");
  assert.equal(javaFixed(1.2e21, 2), "1200000000000000000000.00");
  assert.equal(javaFixed(Number.POSITIVE_INFINITY, 3), "Infinity");
  assert.equal(javaFixed(-1.5, 1), "-1.5");
});

Deno.test("java HashMap order is by hash bucket, then insertion", () => {
  // "a".."e" hash to 97..101, buckets 1..5 of 16.
  assert.deepEqual(javaHashMapOrder(["e", "a", "c"]), ["a", "c", "e"]);
  assert.deepEqual(javaHashMapOrder(["status_200", "status_404"]).length, 2);
});
