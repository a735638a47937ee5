/** Actions on array and collection variables: add, get, set, remove, find, count. */
import { bool, int, type Shape, str } from "../shape.ts";
import {
  type IntComparison,
  intFilter,
  type IntSource,
  intSource,
  readVar,
  stringFilter,
  type StringMatch,
  writeVar,
} from "../sources.ts";
import { recordWrite } from "../variables.ts";
import { type Body, record } from "./_common.ts";

/** A value given verbatim or read from a variable. */
export type ObjectSource = { value: string } | { fromVar: string };

/** Appends a value to the collection in `toVar`. */
export interface AddItemRecord {
  type: "addItem";
  toVar: string;
  item: ObjectSource;
}

function sourceOf(v: { value?: string; fromVar?: string }): ObjectSource {
  return v.fromVar !== undefined ? { fromVar: v.fromVar } : { value: v.value! };
}

export function addItem(): Shape<Body<AddItemRecord>> {
  return record({ toVar: writeVar(), value: str("a value"), fromVar: readVar() }, {
    name: "addItem",
    required: ["toVar"],
    exactlyOne: [["value", "fromVar"]],
    build: (v) => ({ toVar: v.toVar!, item: sourceOf(v) }),
  });
}

/** Copies the element at `index` of the array in `fromVar` into `toVar`. */
export interface GetItemRecord {
  type: "getItem";
  fromVar: string;
  index: IntSource;
  toVar: string;
}

export function getItem(): Shape<Body<GetItemRecord>> {
  return record({ fromVar: readVar(), index: intSource(), toVar: writeVar() }, {
    name: "getItem",
    required: ["fromVar", "index", "toVar"],
    build: (v) => v as Body<GetItemRecord>,
  });
}

/** Stores a value at `index` of the array in `toVar`. */
export interface SetItemRecord {
  type: "setItem";
  toVar: string;
  index: IntSource;
  item: ObjectSource;
}

export function setItem(): Shape<Body<SetItemRecord>> {
  return record(
    { toVar: writeVar(), index: intSource(), value: str("a value"), fromVar: readVar() },
    {
      name: "setItem",
      required: ["toVar", "index"],
      exactlyOne: [["value", "fromVar"]],
      build: (v) => ({ toVar: v.toVar!, index: v.index!, item: sourceOf(v) }),
    },
  );
}

/** Removes the element at `index`, shifting the rest left. */
export interface RemoveItemRecord {
  type: "removeItem";
  fromVar: string;
  index: IntSource;
}

export function removeItem(): Shape<Body<RemoveItemRecord>> {
  return record({ fromVar: readVar(), index: intSource() }, {
    name: "removeItem",
    required: ["fromVar", "index"],
    build: (v, _at, ctx) => {
      // The array is modified in place.
      recordWrite(ctx.vars, v.fromVar!);
      return v as Body<RemoveItemRecord>;
    },
  });
}

/** Stores the index of `item` in `collection` (or -1) into the integer `toVar`. */
export interface GetIndexRecord {
  type: "getIndex";
  collection: string;
  item: ObjectSource;
  toVar: string;
}

export function getIndex(): Shape<Body<GetIndexRecord>> {
  const item = record({ value: str("a value"), fromVar: readVar() }, {
    name: "item",
    exactlyOne: [["value", "fromVar"]],
    inline: (s) => ({ value: s.value }) as ObjectSource,
    build: (v) => sourceOf(v),
  });
  return record({ collection: readVar(), item, toVar: writeVar() }, {
    name: "getIndex",
    required: ["collection", "item", "toVar"],
    build: (v) => v as Body<GetIndexRecord>,
  });
}

/** Counts the (matching) items of a collection into the integer `toVar`. */
export interface GetSizeRecord {
  type: "getSize";
  fromVar: string;
  toVar: string;
  /** Stored when `fromVar` is unset or not a collection (default 0). */
  undefinedValue?: number;
  boolFilter?: { value?: boolean };
  intFilter?: Partial<Record<IntComparison, IntSource>>;
  stringFilter?: StringMatch;
}

export function getSize(): Shape<Body<GetSizeRecord>> {
  return record(
    {
      fromVar: readVar(),
      toVar: writeVar(),
      undefinedValue: int(),
      boolFilter: record({ value: bool() }, { name: "boolFilter" }),
      intFilter: intFilter(),
      stringFilter: stringFilter(),
    },
    {
      name: "getSize",
      required: ["fromVar", "toVar"],
      exclusive: [["boolFilter", "intFilter", "stringFilter"]],
      build: (v) => v as Body<GetSizeRecord>,
    },
  );
}
