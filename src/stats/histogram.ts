/**
 * Response-time histogram with HdrHistogram's exact layout and arithmetic for
 * Hyperfoil's configuration: values in nanoseconds from 0 to 60 s, 2 significant
 * digits (`new Histogram(TimeUnit.MINUTES.toNanos(1), 2)`).
 *
 * Recording indexes a Float64Array directly (a few ns, no allocation); min, max,
 * mean, standard deviation, percentiles and the iterators reproduce Java
 * HdrHistogram 2.2.2 step by step so that the numbers match Hyperfoil's.
 * Histograms travel as HdrHistogram's V2 compressed base64 encoding, written
 * and read here byte for byte as Java's `encodeIntoCompressedByteBuffer` does
 * (a library for it would cost every process ~8 MB of memory).
 * @module
 */
import { deflateSync, inflateSync } from "node:zlib";

/** The highest value kept: 60 s in ns. Larger samples are recorded as this. */
export const HIGHEST_TRACKABLE_NS = 60_000_000_000;
/** Significant decimal digits kept by the histogram. */
export const SIGNIFICANT_DIGITS = 2;

// 2 digits need single-unit resolution up to 200 → 256 sub-buckets.
const SUB_BUCKET_HALF_COUNT_MAGNITUDE = 7;
const SUB_BUCKET_HALF_COUNT = 128;
const TWO_POW_32 = 4294967296;
/** Length of the counts array: (29 buckets + 1) × 128. */
export const COUNTS_LENGTH = 3840;

/** ⌊log2 v⌋ for an integer 1 ≤ v < 2^53, exact (Math.log2 rounds near powers of two). */
function floorLog2(v: number): number {
  return v < TWO_POW_32 ? 31 - Math.clz32(v) : 63 - Math.clz32(Math.floor(v / TWO_POW_32));
}

/** Index into the counts array of an integer value 0 ≤ v ≤ HIGHEST_TRACKABLE_NS (the hot path). */
export function countsIndex(v: number): number {
  if (v < 256) return v;
  if (v < TWO_POW_32) {
    const bucket = 24 - Math.clz32(v); // floorLog2(v) - 7
    return (bucket << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + (v >>> bucket);
  }
  const bucket = 56 - Math.clz32(Math.floor(v / TWO_POW_32));
  return bucket * SUB_BUCKET_HALF_COUNT + Math.floor(v / 2 ** bucket);
}

function bucketIndexOf(v: number): number {
  return v < 256 ? 0 : floorLog2(v) - SUB_BUCKET_HALF_COUNT_MAGNITUDE;
}

/** The lowest value counted at `index`. */
export function valueFromIndex(index: number): number {
  let bucket = Math.floor(index / SUB_BUCKET_HALF_COUNT) - 1;
  let sub = (index % SUB_BUCKET_HALF_COUNT) + SUB_BUCKET_HALF_COUNT;
  if (bucket < 0) {
    sub -= SUB_BUCKET_HALF_COUNT;
    bucket = 0;
  }
  return sub * 2 ** bucket;
}

/** Width of the range of values counted together with `v`. */
export function sizeOfEquivalentValueRange(v: number): number {
  return 2 ** bucketIndexOf(v);
}

/** The lowest value counted together with `v`. */
export function lowestEquivalentValue(v: number): number {
  const bucket = bucketIndexOf(v);
  return Math.floor(v / 2 ** bucket) * 2 ** bucket;
}

/** The highest value counted together with `v`, e.g. 1171455 for 1.17 ms. */
export function highestEquivalentValue(v: number): number {
  return lowestEquivalentValue(v) + sizeOfEquivalentValueRange(v) - 1;
}

/** The middle of `v`'s range (what mean and standard deviation use). */
export function medianEquivalentValue(v: number): number {
  return lowestEquivalentValue(v) + Math.floor(sizeOfEquivalentValueRange(v) / 2);
}

/** Clamps a sample to [0, HIGHEST_TRACKABLE_NS] and drops fractions of a ns. */
export function clampNs(value: number): number {
  if (!(value > 0)) return 0; // negatives and NaN
  if (value >= HIGHEST_TRACKABLE_NS) return HIGHEST_TRACKABLE_NS;
  return Math.floor(value);
}

const scratch = new DataView(new ArrayBuffer(8));
/** Java's `Math.nextAfter(x, Double.NEGATIVE_INFINITY)` for finite x. */
function nextDown(x: number): number {
  if (x === 0) return -Number.MIN_VALUE;
  scratch.setFloat64(0, x);
  const bits = scratch.getBigUint64(0);
  scratch.setBigUint64(0, x > 0 ? bits - 1n : bits + 1n);
  return scratch.getFloat64(0);
}

/** One step of a histogram iteration (Java's `HistogramIterationValue`). */
export interface IterationStep {
  valueIteratedTo: number;
  valueIteratedFrom: number;
  countAtValueIteratedTo: number;
  countAddedInThisIterationStep: number;
  totalCountToThisValue: number;
  /** Percentage (0–100) of samples at or below `valueIteratedTo`. */
  percentile: number;
  /** The percentage level (percentile iteration) or `percentile` (linear). */
  percentileLevelIteratedTo: number;
}

export class Histogram {
  readonly counts: Float64Array = new Float64Array(COUNTS_LENGTH);
  totalCount = 0;

  /** Records one sample (ns); out-of-range values are clamped, fractions dropped. */
  record(value: number): void {
    let v = value;
    if (!(v > 0)) v = 0;
    else if (v >= HIGHEST_TRACKABLE_NS) v = HIGHEST_TRACKABLE_NS;
    else v = Math.floor(v);
    this.counts[countsIndex(v)]++;
    this.totalCount++;
  }

  /** Records `count` samples of `value` (ns). */
  recordCount(value: number, count: number): void {
    this.counts[countsIndex(clampNs(value))] += count;
    this.totalCount += count;
  }

  add(other: Histogram): void {
    const mine = this.counts, theirs = other.counts;
    for (let i = 0; i < COUNTS_LENGTH; i++) {
      if (theirs[i] !== 0) mine[i] += theirs[i];
    }
    this.totalCount += other.totalCount;
  }

  subtract(other: Histogram): void {
    const mine = this.counts, theirs = other.counts;
    for (let i = 0; i < COUNTS_LENGTH; i++) {
      if (theirs[i] !== 0) mine[i] -= theirs[i];
    }
    this.totalCount -= other.totalCount;
  }

  reset(): void {
    if (this.totalCount !== 0) this.counts.fill(0);
    this.totalCount = 0;
  }

  copy(): Histogram {
    const h = new Histogram();
    h.counts.set(this.counts);
    h.totalCount = this.totalCount;
    return h;
  }

  equals(other: Histogram): boolean {
    if (this.totalCount !== other.totalCount) return false;
    for (let i = 0; i < COUNTS_LENGTH; i++) {
      if (this.counts[i] !== other.counts[i]) return false;
    }
    return true;
  }

  /** The lowest value of the bucket holding the minimum; 0 when empty. */
  minValue(): number {
    if (this.totalCount === 0 || this.counts[0] > 0) return 0;
    for (let i = 1; i < COUNTS_LENGTH; i++) {
      if (this.counts[i] > 0) return valueFromIndex(i);
    }
    return 0;
  }

  /** The highest value of the bucket holding the maximum; 0 when empty. */
  maxValue(): number {
    for (let i = COUNTS_LENGTH - 1; i > 0; i--) {
      if (this.counts[i] > 0) return highestEquivalentValue(valueFromIndex(i));
    }
    return 0;
  }

  /** Mean over bucket midpoints, not truncated (Java's `getMean()`). */
  mean(): number {
    if (this.totalCount === 0) return 0;
    let total = 0;
    for (let i = 0; i < COUNTS_LENGTH; i++) {
      const c = this.counts[i];
      if (c !== 0) total += medianEquivalentValue(valueFromIndex(i)) * c;
    }
    return total / this.totalCount;
  }

  /** Population standard deviation over bucket midpoints (Java's `getStdDeviation()`). */
  stdDeviation(): number {
    if (this.totalCount === 0) return 0;
    const mean = this.mean();
    let total = 0;
    for (let i = 0; i < COUNTS_LENGTH; i++) {
      const c = this.counts[i];
      if (c !== 0) {
        const deviation = medianEquivalentValue(valueFromIndex(i)) - mean;
        total += deviation * deviation * c;
      }
    }
    return Math.sqrt(total / this.totalCount);
  }

  /**
   * The highest value of the bucket at `percentile` (a percentage, 0–100); the
   * lowest for 0. Returns 0 when empty (Java's `getValueAtPercentile`).
   */
  valueAtPercentile(percentile: number): number {
    const requested = Math.min(Math.max(nextDown(percentile), 0), 100);
    const countAtPercentile = Math.max(Math.ceil((requested * this.totalCount) / 100), 1);
    let total = 0;
    for (let i = 0; i < COUNTS_LENGTH; i++) {
      total += this.counts[i];
      if (total >= countAtPercentile) {
        const v = valueFromIndex(i);
        return percentile === 0 ? lowestEquivalentValue(v) : highestEquivalentValue(v);
      }
    }
    return 0;
  }

  /** HdrHistogram's percentile iteration (`percentiles(ticksPerHalfDistance)`). */
  percentiles(ticksPerHalfDistance: number): IterationStep[] {
    return iterate(this, new PercentileLevels(ticksPerHalfDistance));
  }

  /** HdrHistogram's linear iteration (`linearBucketValues(valueUnitsPerBucket)`). */
  linearBucketValues(valueUnitsPerBucket: number): IterationStep[] {
    return iterate(this, new LinearLevels(valueUnitsPerBucket));
  }

  /** HdrHistogram V2 compressed encoding, base64 (what Java's `encodeIntoCompressedByteBuffer` reads). */
  encode(): string {
    let limit = COUNTS_LENGTH;
    while (limit > 1 && this.counts[limit - 1] === 0) limit--;
    const payload = encodeCounts(this.counts, limit);
    const plain = new Uint8Array(V2_HEADER + payload.length);
    const view = new DataView(plain.buffer);
    view.setInt32(0, V2_COOKIE);
    view.setInt32(4, payload.length);
    view.setInt32(8, 0); // normalizing index offset
    view.setInt32(12, SIGNIFICANT_DIGITS);
    setInt64(view, 16, 1); // lowest discernible value
    setInt64(view, 24, HIGHEST_TRACKABLE_NS);
    view.setFloat64(32, 1); // integer to double conversion ratio
    plain.set(payload, V2_HEADER);
    const compressed = deflateSync(plain);
    const out = new Uint8Array(8 + compressed.length);
    const head = new DataView(out.buffer);
    head.setInt32(0, V2_COMPRESSED_COOKIE);
    head.setInt32(4, compressed.length);
    out.set(compressed, 8);
    let binary = "";
    for (let i = 0; i < out.length; i++) binary += String.fromCharCode(out[i]);
    return btoa(binary);
  }

  /** Reads `encode()`'s output (or any V2 compressed HdrHistogram, re-bucketed to this layout). */
  static decode(base64: string): Histogram {
    let packed: Uint8Array;
    try {
      packed = Uint8Array.from(atob(base64.trim()), (c) => c.charCodeAt(0));
    } catch {
      throw new TypeError("Invalid histogram: not base64");
    }
    if (packed.length < 8 || cookieBase(readInt32(packed, 0)) !== V2_COMPRESSED_COOKIE_BASE) {
      throw new TypeError("Invalid histogram: expected HdrHistogram's V2 compressed encoding");
    }
    const length = readInt32(packed, 4);
    let plain: Uint8Array;
    try {
      plain = inflateSync(packed.subarray(8, 8 + length));
    } catch (error) {
      throw new TypeError(`Invalid histogram: ${(error as Error).message}`);
    }
    if (plain.length < V2_HEADER || cookieBase(readInt32(plain, 0)) !== V2_COOKIE_BASE) {
      throw new TypeError("Invalid histogram: expected a V2 encoding inside");
    }
    const view = new DataView(plain.buffer, plain.byteOffset, plain.length);
    const payloadLength = view.getInt32(4);
    const digits = view.getInt32(12);
    const lowest = getInt64(view, 16);
    if (V2_HEADER + payloadLength > plain.length || digits < 0 || digits > 5 || lowest < 1) {
      throw new TypeError("Invalid histogram: inconsistent V2 header");
    }
    const h = new Histogram();
    // Same layout as ours: indexes map one to one; else each count goes to its value's bucket.
    const same = digits === SIGNIFICANT_DIGITS && lowest === 1;
    const valueOf = same ? valueFromIndex : layoutValueFromIndex(digits, lowest);
    decodeCounts(plain, V2_HEADER, V2_HEADER + payloadLength, (index, count) => {
      if (same && index < COUNTS_LENGTH) {
        h.counts[index] += count;
        h.totalCount += count;
      } else h.recordCount(valueOf(index), count);
    });
    return h;
  }
}

// HdrHistogram's V2 format: a 40-byte header, then the counts as ZigZag LEB128 longs where a
// negative number n stands for -n empty buckets; compressed, it is zlib-deflated behind an
// 8-byte header. The cookies' 0x10 says "9-byte words" (LEB128-64b9B).
const V2_COOKIE_BASE = 0x1c849303;
const V2_COMPRESSED_COOKIE_BASE = 0x1c849304;
const V2_COOKIE = V2_COOKIE_BASE | 0x10;
const V2_COMPRESSED_COOKIE = V2_COMPRESSED_COOKIE_BASE | 0x10;
const V2_HEADER = 40;

function cookieBase(cookie: number): number {
  return cookie & ~0xf0;
}

function readInt32(buf: Uint8Array, at: number): number {
  return new DataView(buf.buffer, buf.byteOffset, buf.length).getInt32(at);
}

function setInt64(view: DataView, at: number, value: number): void {
  view.setUint32(at, Math.floor(value / TWO_POW_32));
  view.setUint32(at + 4, value % TWO_POW_32);
}

function getInt64(view: DataView, at: number): number {
  return view.getUint32(at) * TWO_POW_32 + view.getUint32(at + 4);
}

/** Counts `[0, limit)` as Java's `fillBufferFromCountsArray` writes them. */
function encodeCounts(counts: Float64Array, limit: number): Uint8Array {
  const out: number[] = [];
  let i = 0;
  while (i < limit) {
    const count = counts[i++];
    let zeros = 0;
    if (count === 0) {
      zeros = 1;
      while (i < limit && counts[i] === 0) {
        zeros++;
        i++;
      }
    }
    putZigZag(out, zeros > 1 ? -zeros : count);
  }
  return Uint8Array.from(out);
}

/** ZigZag LEB128 of an integer |v| < 2^53 (never reaches the 9th byte, which is for ≥ 2^56). */
function putZigZag(out: number[], v: number): void {
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  while (z >= 128) {
    out.push((z % 128) | 0x80);
    z = Math.floor(z / 128);
  }
  out.push(z);
}

/** Calls `each(index, count)` for every non-empty bucket of a V2 payload `buf[start, end)`. */
function decodeCounts(
  buf: Uint8Array,
  start: number,
  end: number,
  each: (index: number, count: number) => void,
): void {
  let pos = start;
  let index = 0;
  while (pos < end) {
    let z = 0;
    for (let shift = 0, scale = 1;; shift++, scale *= 128) {
      if (pos >= end) throw new TypeError("Invalid histogram: truncated counts");
      const b = buf[pos++];
      if (shift === 8) { // the 9th byte carries 8 bits
        z += b * scale;
        break;
      }
      z += (b & 0x7f) * scale;
      if (b < 0x80) break;
    }
    const v = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    if (v < 0) index -= v;
    else {
      if (v > 0) each(index, v);
      index++;
    }
  }
}

/** `valueFromIndex` of another histogram layout (Java's for those digits and lowest value). */
function layoutValueFromIndex(digits: number, lowest: number): (index: number) => number {
  const subBucketCountMagnitude = Math.ceil(Math.log2(2 * 10 ** digits));
  const halfMagnitude = Math.max(subBucketCountMagnitude, 1) - 1;
  const half = 2 ** halfMagnitude;
  const unitMagnitude = Math.floor(Math.log2(lowest));
  return (index) => {
    let bucket = Math.floor(index / half) - 1;
    let sub = (index % half) + half;
    if (bucket < 0) {
      sub -= half;
      bucket = 0;
    }
    return sub * 2 ** (bucket + unitMagnitude);
  };
}

/** What distinguishes the percentile and linear iterators. */
interface Levels {
  reset(): void;
  reached(it: IteratorState): boolean;
  valueIteratedTo(it: IteratorState): number;
  percentileIteratedTo(it: IteratorState): number;
  increment(): void;
  /** Whether to continue once every count has been seen. */
  extraStep(it: IteratorState): boolean;
}

interface IteratorState {
  arrayTotalCount: number;
  currentIndex: number;
  currentValueAtIndex: number;
  nextValueAtIndex: number;
  totalCountToCurrentIndex: number;
  countAtThisValue: number;
}

class PercentileLevels implements Levels {
  levelTo = 0;
  reachedLast = false;
  constructor(readonly ticksPerHalfDistance: number) {}
  reset(): void {
    this.levelTo = 0;
    this.reachedLast = false;
  }
  reached(it: IteratorState): boolean {
    if (it.countAtThisValue === 0) return false;
    return (100 * it.totalCountToCurrentIndex) / it.arrayTotalCount >= this.levelTo;
  }
  valueIteratedTo(it: IteratorState): number {
    return highestEquivalentValue(it.currentValueAtIndex);
  }
  percentileIteratedTo(): number {
    return this.levelTo;
  }
  increment(): void {
    const halvings = Math.trunc(Math.log(100 / (100 - this.levelTo)) / Math.log(2));
    const ticks = this.ticksPerHalfDistance * Math.trunc(Math.pow(2, halvings + 1));
    this.levelTo += 100 / ticks;
  }
  extraStep(it: IteratorState): boolean {
    if (!this.reachedLast && it.arrayTotalCount > 0) {
      this.levelTo = 100;
      this.reachedLast = true;
      return true;
    }
    return false;
  }
}

class LinearLevels implements Levels {
  highest = 0;
  lowest = 0;
  constructor(readonly unit: number) {
    this.reset();
  }
  reset(): void {
    this.highest = this.unit - 1;
    this.lowest = lowestEquivalentValue(this.highest);
  }
  reached(it: IteratorState): boolean {
    return it.currentValueAtIndex >= this.lowest || it.currentIndex >= COUNTS_LENGTH - 1;
  }
  valueIteratedTo(): number {
    return this.highest;
  }
  percentileIteratedTo(it: IteratorState): number {
    return (100 * it.totalCountToCurrentIndex) / it.arrayTotalCount;
  }
  increment(): void {
    this.highest += this.unit;
    this.lowest = lowestEquivalentValue(this.highest);
  }
  extraStep(it: IteratorState): boolean {
    return this.highest < it.nextValueAtIndex;
  }
}

/** Java's AbstractHistogramIterator, run to the end. */
function iterate(h: Histogram, levels: Levels): IterationStep[] {
  levels.reset();
  const it: IteratorState = {
    arrayTotalCount: h.totalCount,
    currentIndex: 0,
    currentValueAtIndex: 0,
    nextValueAtIndex: 1,
    totalCountToCurrentIndex: 0,
    countAtThisValue: 0,
  };
  let prevValueIteratedTo = 0;
  let totalCountToPrevIndex = 0;
  let freshSubBucket = true;
  const steps: IterationStep[] = [];
  while (it.totalCountToCurrentIndex < it.arrayTotalCount || levels.extraStep(it)) {
    let step: IterationStep | undefined;
    while (it.currentIndex < COUNTS_LENGTH) {
      it.countAtThisValue = h.counts[it.currentIndex];
      if (freshSubBucket) {
        it.totalCountToCurrentIndex += it.countAtThisValue;
        freshSubBucket = false;
      }
      if (levels.reached(it)) {
        const valueIteratedTo = levels.valueIteratedTo(it);
        step = {
          valueIteratedTo,
          valueIteratedFrom: prevValueIteratedTo,
          countAtValueIteratedTo: it.countAtThisValue,
          countAddedInThisIterationStep: it.totalCountToCurrentIndex - totalCountToPrevIndex,
          totalCountToThisValue: it.totalCountToCurrentIndex,
          percentile: (100 * it.totalCountToCurrentIndex) / it.arrayTotalCount,
          percentileLevelIteratedTo: levels.percentileIteratedTo(it),
        };
        prevValueIteratedTo = valueIteratedTo;
        totalCountToPrevIndex = it.totalCountToCurrentIndex;
        levels.increment();
        break;
      }
      freshSubBucket = true;
      it.currentIndex++;
      it.currentValueAtIndex = valueFromIndex(it.currentIndex);
      it.nextValueAtIndex = valueFromIndex(it.currentIndex + 1);
    }
    if (step === undefined) break; // Java would throw NoSuchElementException
    steps.push(step);
  }
  return steps;
}
