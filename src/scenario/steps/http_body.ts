/**
 * Request bodies compiled once: inline text, a pattern, a variable's string
 * or bytes, an embedded data file (decoded at compile time), or an
 * `application/x-www-form-urlencoded` form encoded as Java's `URLEncoder`
 * does (spaces as `+`), so bodies match what Hyperfoil sends.
 */
import type { FormField, HttpBody } from "../../benchmark/steps/http_request.ts";
import type { CompileCtx } from "../compile.ts";
import { compilePattern, compileStringSource, type StringFn } from "../patterns.ts";
import type { SequenceInstance, Session } from "../session.ts";
import { getVar, UNSET, varRef, varText } from "../vars.ts";

export type BodyFn = (s: Session, q: SequenceInstance | undefined) => string | Uint8Array;

export interface CompiledBody {
  readonly fn: BodyFn;
  /** The content type the body kind implies (forms), if any. */
  readonly contentType?: string;
}

export function compileBody(body: HttpBody, ctx: CompileCtx): CompiledBody {
  if ("text" in body) {
    const text = body.text;
    return { fn: () => text };
  }
  if ("pattern" in body) return { fn: compilePattern(body.pattern, ctx.slots) };
  if ("fromVar" in body) {
    const ref = varRef(ctx.slots, body.fromVar);
    return {
      fn: (s, q) => {
        const v = getVar(s, q, ref);
        if (v === UNSET) {
          throw new Error(`Variable '${ref.name}' holding the request body is not set`);
        }
        return v instanceof Uint8Array ? v : varText(v);
      },
    };
  }
  if ("fromFile" in body) {
    const encoded = ctx.benchmark.files[body.fromFile];
    if (encoded === undefined) {
      throw new Error(`Data file '${body.fromFile}' is not embedded in the benchmark`);
    }
    const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
    return { fn: () => bytes };
  }
  return { fn: compileForm(body.form, ctx), contentType: "application/x-www-form-urlencoded" };
}

function compileForm(fields: readonly FormField[], ctx: CompileCtx): BodyFn {
  const parts: (string | StringFn)[] = [];
  fields.forEach((f, i) => {
    const prefix = `${i > 0 ? "&" : ""}${formEncode(f.name)}=`;
    if ("value" in f.value) parts.push(prefix + formEncode(f.value.value));
    else {
      parts.push(prefix);
      const fn = compileStringSource(f.value, ctx.slots);
      parts.push((s, q) => formEncode(fn(s, q)));
    }
  });
  if (parts.every((p) => typeof p === "string")) {
    const text = parts.join("");
    return () => text;
  }
  return (s, q) => {
    let out = "";
    for (const p of parts) out += typeof p === "string" ? p : p(s, q);
    return out;
  };
}

/** `application/x-www-form-urlencoded` as Java's URLEncoder: `*-._` kept, space as `+`. */
export function formEncode(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");
}
