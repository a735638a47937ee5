/**
 * Number formatting as the JVM does it, so that the files we write read like
 * Hyperfoil's: `Double.toString` (what Jackson writes for doubles) and
 * `String.format("%.Nf")` (half-up rounding of the shortest decimal form).
 * @module
 */

/** Sign, shortest decimal digits and exponent: value = 0.DIGITS × 10^pointPos. */
function decimalParts(x: number): { negative: boolean; digits: string; pointPos: number } {
  const negative = x < 0 || Object.is(x, -0);
  const [mantissa, exp] = Math.abs(x).toExponential().split("e");
  return { negative, digits: mantissa.replace(".", ""), pointPos: Number(exp) + 1 };
}

/** `Double.toString(x)`: `999999.0`, `0.95`, `1.2582911E7`, `1.0E-4`. */
export function javaDouble(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const abs = Math.abs(x);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(x);
    return s.includes(".") ? s : `${s}.0`;
  }
  const { negative, digits, pointPos } = decimalParts(x);
  const fraction = digits.length > 1 ? digits.slice(1) : "0";
  return `${negative ? "-" : ""}${digits[0]}.${fraction}E${pointPos - 1}`;
}

/** Adds one to a string of decimal digits: "0999" → "1000", "99" → "100". */
function incrementDigits(digits: string): string {
  const out = digits.split("");
  let i = out.length - 1;
  while (i >= 0) {
    if (out[i] === "9") {
      out[i] = "0";
      i--;
    } else {
      out[i] = String(Number(out[i]) + 1);
      return out.join("");
    }
  }
  return "1" + out.join("");
}

/** `String.format(Locale.US, "%.<decimals>f", x)`. */
export function javaFixed(x: number, decimals: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  const { negative, digits, pointPos } = decimalParts(x);
  // All digits with the decimal point after `intLen` of them.
  let all: string;
  let intLen: number;
  if (pointPos <= 0) {
    all = "0".repeat(1 - pointPos) + digits;
    intLen = 1;
  } else if (pointPos > digits.length) {
    all = digits + "0".repeat(pointPos - digits.length);
    intLen = pointPos;
  } else {
    all = digits;
    intLen = pointPos;
  }
  const keep = intLen + decimals;
  let kept: string;
  if (all.length <= keep) {
    kept = all + "0".repeat(keep - all.length);
  } else {
    kept = all.slice(0, keep);
    if (all.charCodeAt(keep) >= 53 /* '5' */) {
      kept = incrementDigits(kept);
      if (kept.length > keep) intLen++;
    }
  }
  const intPart = kept.slice(0, intLen).replace(/^0+(?=\d)/, "");
  const fracPart = kept.slice(intLen);
  return `${negative ? "-" : ""}${intPart}${decimals > 0 ? "." + fracPart : ""}`;
}

/** Java's `String.hashCode()`. */
function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * The iteration order of a `java.util.HashMap<String, …>` filled with `keys` in
 * that order (default capacity 16, load factor 0.75, no treeification): by
 * bucket, then by insertion. Hyperfoil's `counters` extension serialises so.
 */
export function javaHashMapOrder(keys: readonly string[]): string[] {
  let capacity = 16;
  while (keys.length > capacity * 0.75) capacity *= 2;
  const bucket = (k: string) => {
    const h = javaStringHash(k);
    return (h ^ (h >>> 16)) & (capacity - 1);
  };
  return keys
    .map((k, i) => ({ k, i, b: bucket(k) }))
    .sort((a, b) => a.b - b.b || a.i - b.i)
    .map((e) => e.k);
}
