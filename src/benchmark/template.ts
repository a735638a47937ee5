/**
 * YAML text → YNode tree, expanding Hyperfoil's template tags on the way:
 * `!param NAME default`, `!concat [..]` and `!foreach {items, separator, param, do}`.
 * Aliases are replayed where they are used, so an alias of a `!param` is
 * evaluated with the parameters bound at the alias (as Hyperfoil does).
 */
import {
  Alias,
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node as YamlNode,
  parseDocument,
  Scalar,
  visit,
} from "yaml";
import type { Diagnostics } from "./diagnostics.ts";
import type { Pos, YMap, YNode, YScalar, YSeq } from "./node.ts";

/** Deeper nesting than this is refused rather than risking the stack. */
export const MAX_DEPTH = 256;
/** Aliases replay their anchors; nested ones multiply. Past this many nodes we stop ("billion laughs"). */
export const MAX_NODES = 500_000;

export interface ParseYamlOptions {
  /** Template parameters (`-P NAME=VALUE`). */
  params: Record<string, string>;
  diagnostics: Diagnostics;
}

/** Parses and expands one YAML document; returns undefined when it has errors. */
export function parseYaml(text: string, options: ParseYamlOptions): YNode | undefined {
  const diags = options.diagnostics;
  const lines = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter: lines, schema: "failsafe", uniqueKeys: false });
  } catch (e) {
    // The yaml package recurses per nesting level; absurd nesting overflows it.
    diags.error(
      undefined,
      "",
      `Cannot parse YAML: ${e instanceof RangeError ? "nesting too deep" : e}`,
    );
    return undefined;
  }
  // The yaml package recurses per nesting level: absurd nesting overflows the stack, maybe repeatedly.
  const overflow = doc.errors.find((e) => /call stack/i.test(e.message));
  for (const err of overflow ? [overflow] : doc.errors) {
    const pos = lines.linePos(err.pos[0]);
    diags.error(
      pos,
      "",
      `YAML syntax error: ${overflow ? "nesting too deep" : firstLine(err.message)}`,
    );
  }
  if (doc.errors.length > 0) return undefined;
  if (doc.contents === null) {
    diags.error(
      { line: 1, col: 1 },
      "",
      "The file is empty: expected a benchmark mapping with at least a 'name'",
    );
    return undefined;
  }
  if (!checkAnchors(doc, lines, diags)) return undefined;
  const expander = new Expander(doc, lines, options);
  const before = diags.errorCount;
  const root = expander.expand(doc.contents, 0);
  // A failed tag leaves a hole in the tree; loading the rest would only add confusing errors.
  return diags.errorCount > before ? undefined : root;
}

function firstLine(message: string): string {
  return message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
}

function checkAnchors(doc: Document.Parsed, lines: LineCounter, diags: Diagnostics): boolean {
  const seen = new Set<string>();
  let ok = true;
  visit(doc, (_key, node) => {
    const anchor = (node as { anchor?: string }).anchor;
    if (!anchor || isAlias(node)) return;
    if (seen.has(anchor)) {
      const range = (node as YamlNode).range;
      diags.error(range ? lines.linePos(range[0]) : undefined, "", `Duplicate anchor '&${anchor}'`);
      ok = false;
    }
    seen.add(anchor);
  });
  return ok;
}

class Expander {
  /** Parameters bound by enclosing `!foreach` loops, innermost last. */
  private readonly scopes: Record<string, string>[] = [];
  private nodes = 0;
  private tooBig = false;

  constructor(
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
    private readonly options: ParseYamlOptions,
  ) {}

  expand(node: unknown, depth: number): YNode | undefined {
    if (depth > MAX_DEPTH) {
      this.options.diagnostics.error(this.pos(node), "", `Nesting deeper than ${MAX_DEPTH} levels`);
      return undefined;
    }
    if (++this.nodes > MAX_NODES) {
      if (!this.tooBig) {
        this.tooBig = true;
        this.options.diagnostics.error(
          this.pos(node),
          "",
          `The document has more than ${MAX_NODES} nodes after expanding aliases and '!foreach'; hf refuses benchmarks this large`,
        );
      }
      return undefined;
    }
    if (isAlias(node)) return this.expandAlias(node, depth);
    const tag = (node as { tag?: string }).tag;
    if (tag === "!param") return this.param(node, depth);
    if (tag === "!concat") return this.concat(node, depth);
    if (tag === "!foreach") return this.foreach(node, depth);
    if (tag !== undefined && tag.startsWith("!") && !tag.startsWith("!!")) {
      this.options.diagnostics.error(
        this.pos(node),
        "",
        `Unknown tag '${tag}': expected '!param', '!concat' or '!foreach'`,
      );
      return undefined;
    }
    if (isScalar(node)) return this.scalar(node);
    if (isMap(node)) {
      const map: YMap = { kind: "map", entries: [], ...this.pos(node) };
      for (const pair of node.items) {
        const key = this.expand(pair.key, depth + 1);
        if (key === undefined) continue;
        if (key.kind !== "scalar") {
          this.options.diagnostics.error(
            key,
            "",
            `Mapping keys must be plain scalars, found ${
              key.kind === "map" ? "a mapping" : "a list"
            }`,
          );
          continue;
        }
        const value = pair.value === null
          ? nullScalar(this.endOf(pair.key) ?? key)
          : this.expand(pair.value, depth + 1);
        if (value !== undefined) map.entries.push({ key, value });
      }
      return map;
    }
    if (isSeq(node)) {
      const seq: YSeq = { kind: "seq", items: [], ...this.pos(node) };
      for (const item of node.items) {
        const value = item === null ? undefined : this.expand(item, depth + 1);
        if (value !== undefined) seq.items.push(value);
      }
      return seq;
    }
    this.options.diagnostics.error(this.pos(node), "", "Unsupported YAML node");
    return undefined;
  }

  private expandAlias(alias: Alias, depth: number): YNode | undefined {
    const target = alias.resolve(this.doc);
    if (target === undefined) {
      this.options.diagnostics.error(this.pos(alias), "", `Unknown alias '*${alias.source}'`);
      return undefined;
    }
    return this.expand(target, depth + 1);
  }

  private scalar(node: Scalar): YScalar {
    const value = String(node.value ?? "");
    const plain = node.type === Scalar.PLAIN || node.type === undefined;
    const isNull = plain && (value === "" || value === "~" || value === "null");
    return {
      kind: "scalar",
      value: isNull ? "" : value,
      isNull,
      quoted: !plain,
      ...this.pos(node),
    };
  }

  private param(node: unknown, _depth: number): YScalar | undefined {
    const diags = this.options.diagnostics;
    if (!isScalar(node)) {
      diags.error(this.pos(node), "", "'!param' takes a scalar: '!param NAME [default]'");
      return undefined;
    }
    const text = String(node.value ?? "").trim();
    const m = /^(\S+)(?:\s+(.*))?$/s.exec(text);
    if (!m) {
      diags.error(this.pos(node), "", "'!param' needs a parameter name: '!param NAME [default]'");
      return undefined;
    }
    const [, name, rawDefault] = m;
    const value = this.lookup(name) ?? unquote(rawDefault);
    if (value === undefined) {
      diags.error(
        this.pos(node),
        "",
        `Parameter '${name}' is not defined and has no default value: pass -P ${name}=VALUE`,
      );
      return undefined;
    }
    return { kind: "scalar", value, isNull: false, quoted: true, ...this.pos(node) };
  }

  private lookup(name: string): string | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      if (name in this.scopes[i]) return this.scopes[i][name];
    }
    return Object.hasOwn(this.options.params, name) ? this.options.params[name] : undefined;
  }

  private concat(node: unknown, depth: number): YScalar | undefined {
    const diags = this.options.diagnostics;
    if (!isSeq(node)) {
      diags.error(this.pos(node), "", "'!concat' takes a list of scalars: '!concat [a, !param B]'");
      return undefined;
    }
    let out = "";
    for (const item of node.items) {
      const part = this.expand(item, depth + 1);
      if (part === undefined) return undefined;
      if (part.kind !== "scalar") {
        diags.error(
          part,
          "",
          "'!concat' joins scalars only, found a " + (part.kind === "map" ? "mapping" : "list"),
        );
        return undefined;
      }
      out += part.value;
    }
    return { kind: "scalar", value: out, isNull: false, quoted: true, ...this.pos(node) };
  }

  private foreach(node: unknown, depth: number): YSeq | undefined {
    const diags = this.options.diagnostics;
    const at = this.pos(node);
    if (!isMap(node)) {
      diags.error(
        at,
        "",
        "'!foreach' takes a mapping with 'items', 'do' and optionally 'separator' and 'param'",
      );
      return undefined;
    }
    let itemsNode: unknown, doNode: unknown, separator = ",", param = "ITEM";
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      if (key === "do") {
        doNode = pair.value;
        continue;
      }
      const value = pair.value === null ? undefined : this.expand(pair.value, depth + 1);
      if (key === "items") itemsNode = value;
      else if (key === "separator" && value?.kind === "scalar") separator = value.value;
      else if (key === "param" && value?.kind === "scalar") param = value.value;
      else {
        diags.error(
          this.pos(pair.key),
          "",
          `Unknown '!foreach' property '${key}': expected 'items', 'separator', 'param' or 'do'`,
        );
        return undefined;
      }
    }
    if (doNode === undefined) {
      diags.error(at, "", "'!foreach' needs a 'do' node");
      return undefined;
    }
    const items = this.items(itemsNode as YNode | undefined, separator);
    if (items === undefined) return undefined;
    const seq: YSeq = { kind: "seq", items: [], ...at };
    for (const item of items) {
      this.scopes.push({ [param]: item });
      try {
        const value = this.expand(doNode, depth + 1);
        if (value === undefined) return undefined;
        seq.items.push(value);
      } finally {
        this.scopes.pop();
      }
    }
    return seq;
  }

  private items(node: YNode | undefined, separator: string): string[] | undefined {
    if (node === undefined || (node.kind === "scalar" && node.isNull)) return [];
    if (node.kind === "scalar") {
      let re: RegExp;
      try {
        re = new RegExp(separator);
      } catch {
        this.options.diagnostics.error(
          node,
          "",
          `Invalid '!foreach' separator '${separator}': expected a regular expression`,
        );
        return undefined;
      }
      const parts = node.value.split(re).map((s) => s.trim());
      while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
      return parts;
    }
    if (node.kind === "seq" && node.items.every((i) => i.kind === "scalar")) {
      return node.items.map((i) => (i as YScalar).value);
    }
    this.options.diagnostics.error(
      node,
      "",
      "'!foreach' items must be a scalar list ('a,b,c') or a list of scalars",
    );
    return undefined;
  }

  private pos(node: unknown): Pos {
    const range = (node as YamlNode | undefined)?.range;
    return range ? this.lines.linePos(range[0]) : { line: 0, col: 0 };
  }

  private endOf(node: unknown): Pos | undefined {
    const range = (node as YamlNode | undefined)?.range;
    return range ? this.lines.linePos(range[1]) : undefined;
  }
}

function nullScalar(at: Pos): YScalar {
  return { kind: "scalar", value: "", isNull: true, quoted: false, line: at.line, col: at.col };
}

function unquote(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  const m = /^(["'])(.*)\1$/s.exec(s);
  return m ? m[2] : s;
}
