/**
 * The YAML tree the loader works on: templates already expanded, aliases
 * replayed, every node carrying the line and column it came from. Scalars
 * stay strings (as Hyperfoil's event parser sees them); loaders give them types.
 */

/** A position in the benchmark source, 1-based. */
export interface Pos {
  line: number;
  col: number;
}

export interface YScalar extends Pos {
  kind: "scalar";
  value: string;
  /** True for an empty plain value (`key:`), `~` or `null`. */
  isNull: boolean;
  /** True when the scalar was quoted in the source. */
  quoted: boolean;
}

export interface YEntry {
  key: YScalar;
  value: YNode;
}

export interface YMap extends Pos {
  kind: "map";
  entries: YEntry[];
}

export interface YSeq extends Pos {
  kind: "seq";
  items: YNode[];
}

export type YNode = YScalar | YMap | YSeq;

export function scalar(value: string, pos: Pos, quoted = false): YScalar {
  return { kind: "scalar", value, isNull: false, quoted, line: pos.line, col: pos.col };
}

/** Describes a node for "found …" in error messages. */
export function describeNode(node: YNode): string {
  switch (node.kind) {
    case "scalar":
      return node.isNull ? "an empty value" : `'${truncate(node.value)}'`;
    case "map":
      return "a mapping";
    case "seq":
      return "a list";
  }
}

function truncate(s: string): string {
  const line = s.split("\n")[0];
  return line.length > 60 || line !== s ? line.slice(0, 57) + "…" : line;
}
