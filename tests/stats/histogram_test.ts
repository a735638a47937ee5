/**
 * The histogram reproduces Java HdrHistogram (1 ns … 60 s, 2 digits): bucket
 * edges, min/max/percentile rules, mean and standard deviation over bucket
 * midpoints, clamping, iteration, and a lossless encoding.
 */
import assert from "node:assert/strict";
import * as hdr from "hdr-histogram-js";
import { inflateSync } from "node:zlib";
import {
  COUNTS_LENGTH,
  countsIndex,
  HIGHEST_TRACKABLE_NS,
  highestEquivalentValue,
  Histogram,
  lowestEquivalentValue,
  medianEquivalentValue,
  valueFromIndex,
} from "../../src/stats/histogram.ts";

function histogramOf(...values: number[]): Histogram {
  const h = new Histogram();
  for (const v of values) h.record(v);
  return h;
}

function referenceHistogram(): hdr.JsHistogram {
  return hdr.build({
    bitBucketSize: 64,
    highestTrackableValue: HIGHEST_TRACKABLE_NS,
    numberOfSignificantValueDigits: 2,
    autoResize: false,
  }) as hdr.JsHistogram;
}

Deno.test("counts index matches hdr-histogram-js for the 60 s / 2 digit layout", () => {
  const ref = referenceHistogram();
  assert.equal(ref.countsArrayLength, COUNTS_LENGTH);
  const edges = [
    0,
    1,
    127,
    128,
    255,
    256,
    257,
    511,
    512,
    999_999,
    2 ** 31 - 1,
    2 ** 31,
    2 ** 32 - 1,
  ];
  const values = [...edges, 2 ** 32, 2 ** 32 + 1, 2 ** 35, HIGHEST_TRACKABLE_NS];
  let seed = 42;
  for (let i = 0; i < 20_000; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    values.push(Math.floor((seed / 2 ** 31) ** 4 * HIGHEST_TRACKABLE_NS));
  }
  for (const v of values) assert.equal(countsIndex(v), ref.countsArrayIndex(v), `index of ${v}`);
  for (let i = 0; i < COUNTS_LENGTH; i++) assert.equal(valueFromIndex(i), ref.valueFromIndex(i));
});

Deno.test("equivalent value ranges follow the bucket edges", () => {
  // Below 256 ns every value has its own bucket.
  assert.equal(highestEquivalentValue(255), 255);
  assert.equal(lowestEquivalentValue(256), 256);
  assert.equal(highestEquivalentValue(256), 257);
  assert.equal(lowestEquivalentValue(257), 256);
  assert.equal(lowestEquivalentValue(258), 258);
  // 1 ms lies in [999424, 1003519] (4096 ns wide); 1.17 ms in [1163264, 1171455].
  assert.equal(lowestEquivalentValue(1_000_000), 999_424);
  assert.equal(highestEquivalentValue(1_000_000), 1_003_519);
  assert.equal(medianEquivalentValue(1_000_000), 1_001_472);
  assert.equal(highestEquivalentValue(1_171_000), 1_171_455);
  assert.equal(highestEquivalentValue(HIGHEST_TRACKABLE_NS), 60_129_542_143);
});

Deno.test("min is the lowest and max the highest value of their buckets", () => {
  const h = histogramOf(1_000_000);
  assert.equal(h.minValue(), 999_424);
  assert.equal(h.maxValue(), 1_003_519);
  assert.equal(h.valueAtPercentile(0), 999_424);
  assert.equal(h.valueAtPercentile(50), 1_003_519);
  assert.equal(h.valueAtPercentile(100), 1_003_519);
});

Deno.test("percentiles of 100 ns … 1000 ns are the highest values of their buckets", () => {
  const h = histogramOf(100, 200, 300, 400, 500, 600, 700, 800, 900, 1000);
  assert.equal(h.valueAtPercentile(50), 501); // 5th sample, bucket [500, 501]
  assert.equal(h.valueAtPercentile(90), 903); // 9th sample, bucket [900, 903]
  assert.equal(h.valueAtPercentile(99), 1003); // 10th sample, bucket [1000, 1003]
  assert.equal(h.valueAtPercentile(99.99), 1003);
  assert.equal(h.minValue(), 100);
  assert.equal(h.maxValue(), 1003);
  // Midpoints 100, 200, 301, 401, 501, 602, 702, 802, 902, 1002: mean 551.3, σ ≈ 287.94.
  assert.equal(h.mean(), 551.3);
  assert.equal(Math.trunc(h.stdDeviation()), 287);
  const ref = referenceHistogram();
  for (const v of [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]) ref.recordValue(v);
  assert.equal(h.stdDeviation(), ref.stdDeviation);
});

Deno.test("percentile counts round up at exact bucket boundaries", () => {
  const h = new Histogram();
  for (let v = 1; v <= 100; v++) h.record(v);
  assert.equal(h.valueAtPercentile(50), 50);
  assert.equal(h.valueAtPercentile(90), 90);
  assert.equal(h.valueAtPercentile(99), 99);
  assert.equal(h.valueAtPercentile(99.9), 100);
  assert.equal(h.valueAtPercentile(0), 1);
});

Deno.test("samples beyond 60 s are clamped, negative ones count as 0, fractions are dropped", () => {
  const h = histogramOf(70_000_000_000, -5, Number.NaN, 12.9);
  assert.equal(h.totalCount, 4);
  assert.equal(h.maxValue(), 60_129_542_143);
  assert.equal(h.minValue(), 0);
  assert.equal(h.counts[0], 2);
  assert.equal(h.counts[12], 1);
});

Deno.test("an empty histogram reports zeros", () => {
  const h = new Histogram();
  assert.deepEqual(
    [h.minValue(), h.maxValue(), h.mean(), h.stdDeviation(), h.valueAtPercentile(99)],
    [0, 0, 0, 0, 0],
  );
  assert.deepEqual(h.percentiles(5), []);
  assert.deepEqual(h.linearBucketValues(1_000_000), []);
});

Deno.test("mean and standard deviation use bucket midpoints and are not truncated here", () => {
  const h = histogramOf(1, 2);
  assert.equal(h.mean(), 1.5);
  assert.equal(h.stdDeviation(), 0.5);
});

Deno.test("percentile iteration matches hdr-histogram-js step by step", () => {
  const h = new Histogram();
  const ref = referenceHistogram();
  let seed = 7;
  for (let i = 0; i < 5000; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const v = Math.floor(Math.exp((seed / 2 ** 31) * 22));
    h.record(v);
    ref.recordValue(v);
  }
  const ours = h.percentiles(5).map((s) => [
    s.valueIteratedTo,
    s.percentileLevelIteratedTo,
    s.totalCountToThisValue,
  ]);
  // deno-lint-ignore no-explicit-any
  const it = (ref as any).percentileIterator;
  it.reset(5);
  const theirs: number[][] = [];
  while (it.hasNext()) {
    const v = it.next();
    theirs.push([v.valueIteratedTo, v.percentileLevelIteratedTo, v.totalCountToThisValue]);
  }
  assert.deepEqual(ours, theirs);
  assert.equal(h.mean(), ref.mean);
});

Deno.test("linear iteration steps are 1 ms wide and reach the maximum's bucket", () => {
  const h = histogramOf(500_000, 500_000, 1_500_000, 2_500_000);
  const steps = h.linearBucketValues(1_000_000).map((s) => [
    s.valueIteratedFrom,
    s.valueIteratedTo,
    s.countAddedInThisIterationStep,
    s.percentileLevelIteratedTo,
  ]);
  assert.deepEqual(steps, [
    [0, 999_999, 2, 50],
    [999_999, 1_999_999, 1, 75],
    [1_999_999, 2_999_999, 1, 100],
  ]);
});

Deno.test("encode → decode round-trips exactly and reads the same as hdr-histogram-js", () => {
  const h = histogramOf(0, 1, 255, 256, 1_000_000, 59_000_000_000, 70_000_000_000);
  h.recordCount(1_234_567, 3_000_000_000); // counts beyond 32 bits survive
  const decoded = Histogram.decode(h.encode());
  assert.ok(decoded.equals(h));
  const viaLibrary = hdr.decodeFromCompressedBase64(h.encode(), 64);
  assert.equal(viaLibrary.totalCount, h.totalCount);
  assert.ok(Histogram.decode(new Histogram().encode()).equals(new Histogram()));
});

/** The V2 bytes inside a compressed base64 histogram. */
function v2Bytes(base64: string): Uint8Array {
  const packed = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const length = new DataView(packed.buffer).getInt32(4);
  return inflateSync(packed.subarray(8, 8 + length));
}

Deno.test("the encoding has Java's V2 layout: the counts payload hdr-histogram-js writes", () => {
  const values = [0, 3, 3, 255, 256, 90_000, 1_000_000, 1_000_001, 42_000_000_000];
  const ref = referenceHistogram();
  for (const v of values) ref.recordValue(v);
  const ours = v2Bytes(histogramOf(...values).encode());
  const theirs = v2Bytes(hdr.encodeIntoCompressedBase64(ref));
  assert.equal(ours.length, theirs.length);
  // Cookie and payload length, digits and value range, then the counts, byte for byte.
  assert.deepEqual([...ours.subarray(0, 8)], [...theirs.subarray(0, 8)]);
  assert.deepEqual([...ours.subarray(12, 32)], [...theirs.subarray(12, 32)]);
  assert.deepEqual([...ours.subarray(40)], [...theirs.subarray(40)]);
  // Where hdr-histogram-js departs from Java: normalizing index offset 0, conversion ratio 1.0.
  const header = new DataView(ours.buffer, ours.byteOffset);
  assert.equal(header.getInt32(8), 0);
  assert.equal(header.getFloat64(32), 1);
});

Deno.test("decode reads hdr-histogram-js output, also with another layout, and rejects garbage", () => {
  const values = [1, 250, 1_234_567, 59_999_000_000];
  const same = referenceHistogram();
  for (const v of values) same.recordValue(v);
  assert.ok(Histogram.decode(hdr.encodeIntoCompressedBase64(same)).equals(histogramOf(...values)));

  // 3 digits from 1 µs: each count lands where the lowest value of its bucket there falls here.
  const other = hdr.build({
    bitBucketSize: 64,
    lowestDiscernibleValue: 1000,
    highestTrackableValue: HIGHEST_TRACKABLE_NS,
    numberOfSignificantValueDigits: 3,
    autoResize: false,
  });
  for (const v of [5_000, 5_000, 2_000_000]) other.recordValue(v);
  const rebucketed = Histogram.decode(hdr.encodeIntoCompressedBase64(other));
  assert.equal(rebucketed.totalCount, 3);
  // There, buckets are 512 ns wide below 2048 × 512 ns, 1024 ns wide in the next range.
  assert.equal(rebucketed.counts[countsIndex(Math.floor(5_000 / 512) * 512)], 2);
  assert.equal(rebucketed.counts[countsIndex(Math.floor(2_000_000 / 1024) * 1024)], 1);

  assert.throws(() => Histogram.decode("not base64!"), /Invalid histogram: not base64/);
  assert.throws(() => Histogram.decode(btoa("HIST")), /V2 compressed encoding/);
});

Deno.test("add and subtract are exact inverses", () => {
  const a = histogramOf(1, 1000, 1_000_000);
  const b = histogramOf(5, 1000, 9_999_999_999);
  const sum = a.copy();
  sum.add(b);
  assert.equal(sum.totalCount, 6);
  sum.subtract(b);
  assert.ok(sum.equals(a));
});
