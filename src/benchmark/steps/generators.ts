/**
 * Steps and actions that produce values: random numbers, items, CSV rows and
 * files, UUIDs, templates, and the variable setters (`set`, `setInt`,
 * `addToInt`, `unset`, `stringToInt`, `log`).
 */
import { readDataFile, readDataText } from "../data_files.ts";
import type { YMap, YNode, YScalar } from "../node.ts";
import { parsePattern, type Pattern } from "../pattern.ts";
import { bool, custom, int, list, type LoadCtx, mismatch, type Shape, str } from "../shape.ts";
import {
  type IntComparison,
  intFilter,
  type IntSource,
  intSource,
  pattern,
  readVar,
  writeVar,
} from "../sources.ts";
import { recordRead, recordWrite } from "../variables.ts";
import { badInline, type Body, inlineVar, parseIntText, record, weightedItems } from "./_common.ts";
import { parseCsv } from "./csv.ts";

const INT_MAX = 2147483647;

/** A random integer between `min` and `max` (inclusive) into `toVar`. */
export interface RandomIntRecord {
  type: "randomInt";
  toVar: string;
  /** Default 0. */
  min: IntSource;
  /** Default 2147483647. */
  max: IntSource;
}

const RANDOM_INT_INLINE = "'var <- min .. max', e.g. 'n <- 1 .. 999'";

export function randomInt(): Shape<Body<RandomIntRecord>> {
  return record({ toVar: writeVar(), min: intSource(), max: intSource() }, {
    name: "randomInt",
    required: ["toVar"],
    inline: (s, ctx, path) => {
      const m = /^(.*?)<-(.*?)\.\.(.*)$/s.exec(s.value);
      const min = m && parseIntText(m[2]), max = m && parseIntText(m[3]);
      if (!m || min == null || max == null) return badInline(ctx, s, path, RANDOM_INT_INLINE);
      const toVar = inlineVar(m[1], ctx, s, path, "write");
      if (toVar === undefined) return badInline(ctx, s, path, RANDOM_INT_INLINE);
      return checkRange({ toVar, min: { value: min }, max: { value: max } }, s, ctx, path);
    },
    build: (v, at, ctx, path) =>
      checkRange(
        { toVar: v.toVar!, min: v.min ?? { value: 0 }, max: v.max ?? { value: INT_MAX } },
        at,
        ctx,
        path,
      ),
  });
}

function checkRange(r: Body<RandomIntRecord>, at: YNode, ctx: LoadCtx, path: string) {
  if ("value" in r.min && "value" in r.max && r.min.value > r.max.value) {
    ctx.diags.error(
      at,
      path,
      `'min' (${r.min.value}) must not be greater than 'max' (${r.max.value})`,
    );
    return undefined;
  }
  return r;
}

/** A random item into `toVar`: from a list (loaded now, also from `file`) or from an array variable. */
export interface RandomItemRecord {
  type: "randomItem";
  toVar: string;
  /** Pick from the array or collection in this variable. */
  fromVar?: string;
  /** Items to pick from (from `list`, or one per non-empty line of `file`). */
  items?: string[];
  /** Relative weights parallel to `items`; absent when all are equal. */
  weights?: number[];
  /** The file the items came from. */
  file?: string;
}

export function randomItem(): Shape<Body<RandomItemRecord>> {
  const fileName = str("a file name");
  return record(
    { toVar: writeVar(), fromVar: readVar(), list: weightedItems("item"), file: fileName },
    {
      name: "randomItem",
      required: ["toVar"],
      exactlyOne: [["list", "file", "fromVar"]],
      inline: (s, ctx, path) => {
        const parts = s.value.split("<-");
        const toVar = parts.length === 2 ? inlineVar(parts[0], ctx, s, path, "write") : undefined;
        const fromVar = parts.length === 2 ? inlineVar(parts[1], ctx, s, path, "read") : undefined;
        if (toVar === undefined || fromVar === undefined) {
          return badInline(ctx, s, path, "'toVar <- fromVar' where fromVar holds an array");
        }
        return { toVar, fromVar };
      },
      build: (v, at, ctx, path) => {
        if (v.list) return { toVar: v.toVar!, ...v.list };
        if (v.fromVar !== undefined) return { toVar: v.toVar!, fromVar: v.fromVar };
        const node = entry(at, "file")!;
        const text = readDataText(ctx, v.file!, node, `${path}.file`);
        if (text === undefined) return undefined;
        const items = text.split(/\r\n|\n|\r/).filter((l) => l !== "");
        if (items.length === 0) {
          ctx.diags.error(
            node,
            `${path}.file`,
            `Data file '${v.file}' has no items (one per line)`,
          );
          return undefined;
        }
        return { toVar: v.toVar!, items, file: v.file };
      },
    },
  );
}

function entry(map: YMap, key: string): YNode | undefined {
  return map.entries.find((e) => e.key.value === key)?.value;
}

/** A random UUID string into `toVar`. */
export interface RandomUuidRecord {
  type: "randomUUID";
  toVar: string;
}

export function randomUUID(): Shape<Body<RandomUuidRecord>> {
  return record({ toVar: writeVar() }, {
    name: "randomUUID",
    required: ["toVar"],
    inline: (s, ctx, path) => {
      const toVar = inlineVar(s.value, ctx, s, path, "write");
      return toVar === undefined ? badInline(ctx, s, path, "a variable name") : { toVar };
    },
    build: (v) => ({ toVar: v.toVar! }),
  });
}

/** A random row of a CSV file (parsed at load time) into variables. */
export interface RandomCsvRowRecord {
  type: "randomCsvRow";
  file: string;
  /** Source column indexes (0-based), ascending. */
  columns: number[];
  /** Variables, parallel to `columns`. */
  vars: string[];
  /** The mapped fields of each row, parallel to `columns`; null where a row is shorter. */
  rows: (string | null)[][];
}

function csvColumns(): Shape<[number, string][]> {
  const expected = "a mapping of 0-based column indexes to variable names";
  return custom(expected, (node, ctx, path) => {
    const entries = node.kind === "map"
      ? node.entries
      : node.kind === "seq" && node.items.every((i) => i.kind === "map")
      ? node.items.flatMap((i) => (i as YMap).entries)
      : undefined;
    if (entries === undefined) return mismatch(ctx, node, path, expected);
    const out = new Map<number, string>();
    let ok = true;
    for (const { key, value } of entries) {
      const idx = /^\s*\d+\s*$/.test(key.value) ? Number(key.value) : -1;
      if (idx < 0) {
        ctx.diags.error(key, path, `Found '${key.value}', expected a column index (0, 1, …)`);
        ok = false;
        continue;
      }
      const name = writeVar().load(value, ctx, `${path}.${key.value}`);
      if (name === undefined) ok = false;
      else if (out.has(idx)) {
        ctx.diags.error(key, path, `Column ${idx} is already mapped to '${out.get(idx)}'`);
        ok = false;
      } else out.set(idx, name);
    }
    return ok ? [...out.entries()].sort((a, b) => a[0] - b[0]) : undefined;
  });
}

function separator(): Shape<string> {
  return custom(
    "a single character",
    (node, ctx, path) =>
      node.kind === "scalar" && [...node.value].length === 1
        ? node.value
        : mismatch(ctx, node, path, "a single character such as ';'"),
  );
}

export function randomCsvRow(): Shape<Body<RandomCsvRowRecord>> {
  return record(
    {
      file: str("a file name"),
      columns: csvColumns(),
      separator: separator(),
      skipComments: bool(),
      // Deprecated in Hyperfoil; quotes are always removed.
      removeQuotes: bool(),
    },
    {
      name: "randomCsvRow",
      required: ["file", "columns"],
      build: (v, at, ctx, path) => {
        const fileNode = entry(at, "file")!;
        const text = readDataText(ctx, v.file!, fileNode, `${path}.file`);
        if (text === undefined) return undefined;
        const parsed = parseCsv(text, { separator: v.separator, skipComments: v.skipComments });
        if ("error" in parsed) {
          ctx.diags.error(
            fileNode,
            `${path}.file`,
            `The CSV file '${v.file}' is invalid: line ${parsed.line}: ${parsed.error}`,
          );
          return undefined;
        }
        if (v.columns!.length === 0) {
          ctx.diags.error(at, path, "Map at least one column to a variable under 'columns'");
          return undefined;
        }
        const columns = v.columns!.map(([i]) => i);
        return {
          file: v.file!,
          columns,
          vars: v.columns!.map(([, name]) => name),
          rows: parsed.rows.map((row) => columns.map((i) => i < row.length ? row[i] : null)),
        };
      },
    },
  );
}

/** A random file's bytes into `toVar` (files read and embedded at load time). */
export interface RandomFileRecord {
  type: "randomFile";
  files: string[];
  /** Relative weights parallel to `files`; absent when equal. */
  weights?: number[];
  toVar: string;
  /** Receives the chosen file's name. */
  filenameVar?: string;
}

export function randomFile(): Shape<Body<RandomFileRecord>> {
  return record(
    { files: weightedItems("file"), toVar: writeVar(), filenameVar: writeVar() },
    {
      name: "randomFile",
      required: ["files", "toVar"],
      build: (v, at, ctx, path) => {
        const node = entry(at, "files")!;
        const ok = v.files!.items.every((f) =>
          readDataFile(ctx, f, node, `${path}.files`) !== undefined
        );
        if (!ok) return undefined;
        return {
          files: v.files!.items,
          ...(v.files!.weights ? { weights: v.files!.weights } : {}),
          toVar: v.toVar!,
          ...(v.filenameVar !== undefined ? { filenameVar: v.filenameVar } : {}),
        };
      },
    },
  );
}

/** Formats `pattern` into `toVar`. */
export interface TemplateRecord {
  type: "template";
  pattern: Pattern;
  toVar: string;
}

export function template(): Shape<Body<TemplateRecord>> {
  return record({ pattern: pattern(), toVar: writeVar() }, {
    name: "template",
    required: ["pattern", "toVar"],
    build: (v) => ({ pattern: v.pattern!, toVar: v.toVar! }),
  });
}

/** Sets an object variable: to a string, or to an empty object or integer array. */
export interface SetRecord {
  type: "set";
  var: string;
  value?: string;
  objectArray?: ArrayInit;
  intArray?: ArrayInit;
}

/** A new array of `size` elements, copied from `fromVar` (array or single value) when given. */
export interface ArrayInit {
  size: number;
  fromVar?: string;
}

function arrayInit(): Shape<ArrayInit> {
  return record({ size: int({ min: 0 }), fromVar: readVar() }, {
    name: "array initializer",
    required: ["size"],
    build: (v) => v as ArrayInit,
  });
}

export function set(): Shape<Body<SetRecord>> {
  return record(
    {
      var: writeVar(),
      value: custom("a string", stringValue),
      objectArray: arrayInit(),
      intArray: arrayInit(),
    },
    {
      name: "set",
      required: ["var"],
      exactlyOne: [["value", "objectArray", "intArray"]],
      inline: (s, ctx, path) => {
        const sep = s.value.indexOf("<-");
        const name = sep < 0 ? undefined : inlineVar(s.value.slice(0, sep), ctx, s, path, "write");
        if (name === undefined) return badInline(ctx, s, path, "'var <- value'");
        return { var: name, value: s.value.slice(sep + 2).trim() };
      },
      build: (v) => v as Body<SetRecord>,
    },
  );
}

/** Any scalar as a string (`key:` is the empty string). */
function stringValue(node: YNode, ctx: LoadCtx, path: string): string | undefined {
  return node.kind === "scalar"
    ? (node.isNull ? "" : node.value)
    : mismatch(ctx, node, path, "a string");
}

/** Sets an integer variable from a value, a variable, or the minimum/maximum of several. */
export interface SetIntRecord {
  type: "setInt";
  var: string;
  value?: number;
  fromVar?: string;
  min?: IntSource[];
  max?: IntSource[];
  /** Only set the variable when it is not set yet. */
  onlyIfNotSet: boolean;
  /** Only set it when its current value satisfies these comparisons. */
  intCondition?: Partial<Record<IntComparison, IntSource>>;
}

export function setInt(): Shape<Body<SetIntRecord>> {
  return record(
    {
      var: writeVar(),
      value: int(),
      fromVar: readVar(),
      min: list(intSource(), { single: true }),
      max: list(intSource(), { single: true }),
      onlyIfNotSet: bool(),
      intCondition: intFilter(),
    },
    {
      name: "setInt",
      required: ["var"],
      exactlyOne: [["value", "fromVar", "min", "max"]],
      inline: (s, ctx, path) => {
        const sep = s.value.indexOf("<-");
        const name = sep < 0 ? undefined : inlineVar(s.value.slice(0, sep), ctx, s, path, "write");
        const value = sep < 0 ? undefined : parseIntText(s.value.slice(sep + 2));
        if (name === undefined || value === undefined) {
          return badInline(ctx, s, path, "'var <- integer'");
        }
        return { var: name, value, onlyIfNotSet: false };
      },
      build: (v, at, ctx, path) => {
        for (const k of ["min", "max"] as const) {
          if (v[k]?.length === 0) {
            ctx.diags.error(at, path, `'${k}' needs at least one value`);
            return undefined;
          }
        }
        return { ...v, onlyIfNotSet: v.onlyIfNotSet ?? false } as Body<SetIntRecord>;
      },
    },
  );
}

/** Adds `value` to an integer variable (or sets `orElseSetTo` when it is unset). */
export interface AddToIntRecord {
  type: "addToInt";
  var: string;
  value: number;
  orElseSetTo?: number;
}

const ADD_INLINE = "'var++', 'var--', 'var += n' or 'var -= n'";

/** `name++`, `name--`, `name += n`, `name -= n` → name and delta (also used by addToSharedCounter). */
export function parseIncrement(text: string): { name: string; delta: number } | undefined {
  const t = text.trim();
  let m = /^(.*?)(\+\+|--)$/s.exec(t);
  if (m) return m[1].trim() ? { name: m[1].trim(), delta: m[2] === "++" ? 1 : -1 } : undefined;
  m = /^(.*?)([+-])=(.*)$/s.exec(t);
  const n = m ? parseIntText(m[3]) : undefined;
  if (!m || n === undefined || !m[1].trim()) return undefined;
  return { name: m[1].trim(), delta: m[2] === "+" ? n : -n };
}

export function addToInt(): Shape<Body<AddToIntRecord>> {
  return record(
    { var: custom("a variable name", readWriteVar), value: int(), orElseSetTo: int() },
    {
      name: "addToInt",
      required: ["var", "value"],
      inline: (s, ctx, path) => {
        const inc = parseIncrement(s.value);
        const name = inc && inlineVar(inc.name, ctx, s, path, "both");
        return name === undefined
          ? badInline(ctx, s, path, ADD_INLINE)
          : { var: name, value: inc!.delta };
      },
      build: (v) => v as Body<AddToIntRecord>,
    },
  );
}

/** A variable the step both reads and writes. */
function readWriteVar(node: YNode, ctx: LoadCtx, path: string): string | undefined {
  const v = readVar().load(node, ctx, path);
  if (v !== undefined) recordWrite(ctx.vars, v);
  return v;
}

/** Unsets a variable. */
export interface UnsetRecord {
  type: "unset";
  var: string;
}

export function unset(): Shape<Body<UnsetRecord>> {
  const name = str("a variable name");
  return record({ var: name }, {
    name: "unset",
    required: ["var"],
    inline: (s) => ({ var: s.value.trim() }),
    build: (v) => ({ var: v.var!.trim() }),
  });
}

/** Parses the string in `fromVar` into the integer variable `toVar`. */
export interface StringToIntRecord {
  type: "stringToInt";
  fromVar: string;
  toVar: string;
}

export function stringToInt(): Shape<Body<StringToIntRecord>> {
  return record({ fromVar: readVar(), toVar: writeVar() }, {
    name: "stringToInt",
    required: ["fromVar", "toVar"],
    inline: (s, ctx, path) => {
      const i = s.value.indexOf("->");
      const fromVar = i < 0 ? undefined : inlineVar(s.value.slice(0, i), ctx, s, path, "read");
      const toVar = i < 0 ? undefined : inlineVar(s.value.slice(i + 2), ctx, s, path, "write");
      if (fromVar === undefined || toVar === undefined) {
        return badInline(ctx, s, path, "'fromVar -> toVar'");
      }
      return { fromVar, toVar };
    },
    build: (v) => ({ fromVar: v.fromVar!, toVar: v.toVar! }),
  });
}

/** Logs a message; `{}` placeholders with `vars` became `${var}` in the pattern. */
export interface LogRecord {
  type: "log";
  message: Pattern;
}

function logMessage(text: string, vars: string[], at: YScalar | YMap, ctx: LoadCtx, path: string) {
  let out = "", from = 0;
  for (const v of vars) {
    const i = text.indexOf("{}", from);
    if (i < 0) {
      ctx.diags.error(at, path, `The message '${text}' has no '{}' left for variable '${v}'`);
      return undefined;
    }
    out += text.slice(from, i) + "${" + v + "}";
    from = i + 2;
  }
  out += text.slice(from);
  try {
    const p = parsePattern(out);
    for (const s of p.segments) if (typeof s !== "string") recordRead(ctx.vars, s.var, at, path);
    return { message: p };
  } catch (e) {
    ctx.diags.error(at, path, (e as Error).message);
    return undefined;
  }
}

export function log(): Shape<Body<LogRecord>> {
  return record({ message: str("a message"), vars: list(str("a variable name")) }, {
    name: "log",
    required: ["message"],
    inline: (s, ctx, path) => logMessage(s.value, [], s, ctx, path),
    build: (v, at, ctx, path) => logMessage(v.message!, v.vars ?? [], at, ctx, path),
  });
}

/** The example custom step from Hyperfoil's distribution: integer division. */
export interface DivideRecord {
  type: "divide";
  fromVar: string;
  toVar: string;
  divisor: number;
}

export function divide(): Shape<Body<DivideRecord>> {
  return record({ fromVar: readVar(), toVar: writeVar(), divisor: int() }, {
    name: "divide",
    required: ["fromVar", "toVar", "divisor"],
    inline: (s, ctx, path) => {
      const i = s.value.indexOf("/=");
      const divisor = i < 0 ? undefined : parseIntText(s.value.slice(i + 2));
      const name = i < 0 ? undefined : inlineVar(s.value.slice(0, i), ctx, s, path, "both");
      if (name === undefined || !divisor) {
        return badInline(ctx, s, path, "'var /= divisor' with a divisor other than 0");
      }
      return { fromVar: name, toVar: name, divisor };
    },
    build: (v, at, ctx, path) => {
      if (v.divisor === 0) {
        ctx.diags.error(at, path, "'divisor' must not be 0");
        return undefined;
      }
      return v as Body<DivideRecord>;
    },
  });
}
