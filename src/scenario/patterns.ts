/** Patterns compiled to functions that fill in `${var}` segments for a session. */
import type { Pattern, Transform } from "../benchmark/pattern.ts";
import type { StringSource } from "../benchmark/sources.ts";
import type { SequenceInstance, Session } from "./session.ts";
import { getVar, UNSET, type VarRef, varRef, type VarSlots, varText } from "./vars.ts";

export type StringFn = (s: Session, q: SequenceInstance | undefined) => string;

export class PatternError extends Error {
  override name = "PatternError";
}

export function compilePattern(p: Pattern, slots: VarSlots): StringFn {
  const parts = p.segments.map((seg): string | { ref: VarRef; t: (s: string) => string } =>
    typeof seg === "string" ? seg : { ref: varRef(slots, seg.var), t: transform(seg.transform) }
  );
  if (parts.every((x) => typeof x === "string")) {
    const constant = (parts as string[]).join("");
    return () => constant;
  }
  if (parts.length === 1) {
    const only = parts[0] as { ref: VarRef; t: (s: string) => string };
    return (s, q) => only.t(value(s, q, only.ref, p));
  }
  return (s, q) => {
    let out = "";
    for (let i = 0; i < parts.length; i++) {
      const x = parts[i];
      out += typeof x === "string" ? x : x.t(value(s, q, x.ref, p));
    }
    return out;
  };
}

function value(s: Session, q: SequenceInstance | undefined, ref: VarRef, p: Pattern): string {
  const v = getVar(s, q, ref);
  if (v === UNSET) {
    throw new PatternError(`Variable '${ref.name}' is not set (pattern '${p.pattern}')`);
  }
  return varText(v);
}

function transform(t: Transform | undefined): (s: string) => string {
  if (t === undefined) return (s) => s;
  switch (t.kind) {
    case "urlencode":
      return urlEncode;
    case "base64encode":
      return (s) => base64(new TextEncoder().encode(s));
    case "base64decode":
      return (s) => new TextDecoder().decode(Uint8Array.from(atob(s), (c) => c.charCodeAt(0)));
    case "format":
      return formatInt(t.format);
    case "replace": {
      const re = new RegExp(t.regex, t.flags);
      return (s) => s.replace(re, t.replacement.replace(/\$(\d)/g, "$$$1"));
    }
  }
}

/**
 * Java's `URLEncoder.encode(s, UTF_8)`, which Hyperfoil uses: only letters, digits and
 * `.-*_` stay, a space becomes `+`. encodeURIComponent also keeps `!'()~`.
 */
function urlEncode(s: string): string {
  return encodeURIComponent(s).replace(/%20/g, "+").replace(
    /[!'()~]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Base64 of `bytes`, in chunks: spreading a long string's bytes as arguments overflows the stack. */
function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Java's `%05d`, `%x`, `%X`, `%o`, `%-5d` for integers. */
function formatInt(format: string): (s: string) => string {
  const m = /^%(-)?(0)?(\d*)([doxX])$/.exec(format)!;
  const [, left, zero, width, conv] = m;
  const w = width ? Number(width) : 0;
  return (s) => {
    const n = Math.trunc(Number(s));
    const neg = n < 0;
    let digits = Math.abs(n).toString(conv === "d" ? 10 : conv === "o" ? 8 : 16);
    if (conv === "X") digits = digits.toUpperCase();
    let out = (neg ? "-" : "") + digits;
    if (out.length < w) {
      if (left) out = out.padEnd(w);
      else if (zero) out = (neg ? "-" : "") + digits.padStart(w - (neg ? 1 : 0), "0");
      else out = out.padStart(w);
    }
    return out;
  };
}

/** A `{value|fromVar|pattern}` source compiled to a function. */
export function compileStringSource(src: StringSource, slots: VarSlots): StringFn {
  if ("value" in src) {
    const v = src.value;
    return () => v;
  }
  if ("pattern" in src) return compilePattern(src.pattern, slots);
  const ref = varRef(slots, src.fromVar);
  return (s, q) => {
    const v = getVar(s, q, ref);
    if (v === UNSET) throw new PatternError(`Variable '${ref.name}' is not set`);
    return varText(v);
  };
}
