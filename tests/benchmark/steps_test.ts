/**
 * The built-in steps, actions and processors: every name and documented
 * property loads, inline forms, status ranges, the authority check, CSV rows
 * parsed at load time, variable and sequence bookkeeping, JSON round trips.
 */
import assert from "node:assert/strict";
import { type Diagnostic, Diagnostics } from "../../src/benchmark/diagnostics.ts";
import type { HttpEndpoint } from "../../src/benchmark/model.ts";
import { elements, type Kind, lookup, type StepRecord } from "../../src/benchmark/registry.ts";
import type { LoadCtx } from "../../src/benchmark/shape.ts";
import { defaultRegistry } from "../../src/benchmark/steps/builtin.ts";
import { parseCsv } from "../../src/benchmark/steps/csv.ts";
import { parseStatusRange } from "../../src/benchmark/steps/http_handlers.ts";
import type { HttpRequestRecord } from "../../src/benchmark/steps/http_request.ts";
import { parseYaml } from "../../src/benchmark/template.ts";
import { newVarUsage, unwrittenReads } from "../../src/benchmark/variables.ts";

// ---------------------------------------------------------------- helpers

function endpoint(url: string, o: Partial<HttpEndpoint> = {}): HttpEndpoint {
  const u = new URL(url);
  const protocol = u.protocol === "https:" ? "https" : "http";
  const port = u.port ? Number(u.port) : protocol === "https" ? 443 : 80;
  return {
    protocol,
    host: u.hostname,
    port,
    authority: `${u.hostname}:${port}`,
    isDefault: false,
    sharedConnections: { core: 1, max: 1, buffer: 0, keepAliveTime: 0 },
    connectionStrategy: "SHARED_POOL",
    addresses: [],
    requestTimeout: 30000,
    sslHandshakeTimeout: 10000,
    allowHttp1x: true,
    allowHttp2: true,
    maxHttp2Streams: 100,
    pipeliningLimit: 1,
    directHttp2: false,
    rawBytesHandlers: true,
    useHttpCache: true,
    ...o,
  };
}

const DEFAULT_HTTP = [endpoint("http://localhost:8080", { isDefault: true })];

interface LoadOptions {
  http?: HttpEndpoint[];
  /** Data files written to a temp dir that `readFile` reads from. */
  files?: Record<string, string>;
  kind?: Kind;
}

interface Loaded {
  steps?: StepRecord[];
  diags: Diagnostics;
  ctx: LoadCtx;
}

/** Loads a YAML list of steps (or actions/processors) the way a sequence is loaded. */
function load(yaml: string, o: LoadOptions = {}): Loaded {
  const diags = new Diagnostics("test.hf.yaml");
  const dir = Deno.makeTempDirSync({ prefix: "hf-steps-" });
  for (const [name, text] of Object.entries(o.files ?? {})) {
    Deno.writeTextFileSync(`${dir}/${name}`, text);
  }
  const ctx: LoadCtx = {
    diags,
    readFile(path) {
      try {
        return Deno.readFileSync(`${dir}/${path}`);
      } catch {
        return undefined;
      }
    },
    describePath: (path) => `${dir}/${path}`,
    http: o.http ?? DEFAULT_HTTP,
    sequenceRefs: [],
    registry: defaultRegistry(),
    vars: newVarUsage(),
    files: {},
  };
  const node = parseYaml(yaml, { params: {}, diagnostics: diags });
  assert.ok(node, `YAML did not parse: ${JSON.stringify(diags.items)}`);
  const steps = elements(o.kind ?? "step").load(node, ctx, "steps");
  Deno.removeSync(dir, { recursive: true });
  return { steps, diags, ctx };
}

function errors(d: Diagnostics): string[] {
  return d.errors.map((e) => e.message);
}

/** Loads and fails with all diagnostics unless it loaded cleanly. */
function ok(yaml: string, o: LoadOptions = {}): StepRecord[] {
  const r = load(yaml, o);
  assert.deepEqual(errors(r.diags), [], yaml);
  assert.ok(r.steps);
  return r.steps;
}

/** The single record of a one-element snippet. */
function one(yaml: string, o: LoadOptions = {}): StepRecord {
  const steps = ok(yaml, o);
  assert.equal(steps.length, 1);
  return steps[0];
}

/** Loads a snippet expected to fail; returns its errors. */
function fails(yaml: string, o: LoadOptions = {}): Diagnostic[] {
  const r = load(yaml, o);
  assert.equal(r.steps, undefined, `expected errors for:\n${yaml}`);
  assert.ok(r.diags.errors.length > 0);
  return r.diags.errors;
}

function req(yaml: string, o: LoadOptions = {}): HttpRequestRecord {
  return one(yaml, o) as unknown as HttpRequestRecord;
}

// ---------------------------------------------------------------- names and properties

/** A minimal valid form of every step name (actions included). */
const MINIMAL_STEPS: Record<string, string> = {
  addItem: "{toVar: arr, value: x}",
  addToInt: "n++",
  addToSharedCounter: "c++",
  awaitAllResponses: "",
  awaitDelay: "k",
  awaitInt: "{var: n, equalTo: 1}",
  awaitVar: "v",
  breakIfFinished: "",
  breakSequence: "{intCondition: n > 3}",
  clearHttpCache: "",
  conditional: "{boolCondition: {fromVar: b}, actions: [restartSequence]}",
  divide: "n /= 3",
  fail: "boom",
  foreach: "{fromVar: arr, sequence: other}",
  getIndex: "{collection: arr, item: x, toVar: i}",
  getItem: "{fromVar: arr, index: 0, toVar: x}",
  getSharedCounter: "c",
  getSize: "{fromVar: arr, toVar: n}",
  hotrodRequest: "{put: cache, key: k, value: v}",
  httpRequest: "{GET: /}",
  json: "{fromVar: doc, query: .a, toVar: a}",
  log: "hello",
  loop: "{counterVar: i, repeats: 2, steps: [noop]}",
  markRequestInvalid: "",
  newSequence: "other",
  nextSequence: "other",
  noop: "",
  publishAgentData: "v",
  publishGlobalCounters: "{key: k, vars: [n]}",
  pullSharedMap: "{key: k, vars: [a]}",
  pushSharedMap: "{key: k, vars: [a]}",
  randomCsvRow: "{file: data.csv, columns: {0: a}}",
  randomFile: "{files: [data.csv], toVar: f}",
  randomInt: "n <- 1 .. 9",
  randomItem: "{list: [a, b], toVar: x}",
  randomUUID: "u",
  readAgentData: "v",
  removeItem: "{fromVar: arr, index: 0}",
  restartSequence: "",
  scheduleDelay: "{key: k, duration: 1s}",
  set: "a <- b",
  setInt: "n <- 3",
  setItem: "{toVar: arr, index: 0, value: x}",
  setSharedCounter: "c",
  stop: "",
  stopwatch: "[noop]",
  stringToInt: "a -> b",
  template: "{pattern: 'x${a}', toVar: t}",
  thinkTime: "100ms",
  timestamp: "ts",
  unset: "v",
};

/** A minimal valid form of every processor-only name. */
const MINIMAL_PROCESSORS: Record<string, string> = {
  array: "arr[4]",
  closeConnection: "",
  collection: "c",
  conditional: "{boolCondition: {fromVar: b}, processor: {store: x}}",
  count: "n",
  gzipInflator: "{processor: [{store: x}]}",
  json: ".a -> v",
  logInvalid: "",
  parseHtml: "{onTagAttribute: {tag: a, attribute: href, toVar: x}}",
  queue: "{var: q, maxSize: 4, sequence: other}",
  simple: "x",
  store: "x",
  storeInt: "n",
};

const FILES = { "data.csv": "a,b\n" };

function snippet(name: string, args: string): string {
  return args === "" ? `- ${name}\n` : `- ${name}: ${args}\n`;
}

Deno.test("the registry holds every Hyperfoil step, action and processor name", () => {
  const reg = defaultRegistry();
  for (const name of Object.keys(MINIMAL_STEPS)) assert.ok(lookup(reg, "step", name), name);
  for (const name of Object.keys(MINIMAL_PROCESSORS)) {
    assert.ok(lookup(reg, "processor", name), name);
  }
  for (const name of Object.keys(DOCUMENTED.action)) {
    assert.ok(reg.actions.has(name), `action ${name}`);
  }
  for (const [kind, names] of Object.entries(DOCUMENTED)) {
    for (const name of Object.keys(names)) {
      assert.ok(lookup(reg, kind as Kind, name), `${kind} ${name}`);
    }
  }
});

Deno.test("every step name loads from a minimal form", () => {
  for (const [name, args] of Object.entries(MINIMAL_STEPS)) {
    const r = load(snippet(name, args), { files: FILES });
    assert.deepEqual(errors(r.diags), [], name);
    assert.equal(r.steps?.[0].type, name);
  }
});

Deno.test("every processor name loads from a minimal form, and every action works as a processor", () => {
  const actions = [...defaultRegistry().actions.keys()];
  for (const [name, args] of Object.entries(MINIMAL_PROCESSORS)) {
    const r = load(snippet(name, args), { kind: "processor" });
    assert.deepEqual(errors(r.diags), [], name);
    assert.equal(r.steps?.[0].type, name === "simple" ? "store" : name);
  }
  for (const name of actions) {
    for (const kind of ["action", "processor"] as const) {
      const r = load(snippet(name, MINIMAL_STEPS[name]), { kind });
      assert.deepEqual(errors(r.diags), [], `${kind} ${name}`);
    }
  }
});

/** Every documented top-level property, per kind (from Hyperfoil's reference docs). */
const DOCUMENTED: Record<Kind, Record<string, string>> = {
  step: {
    addItem: "fromVar toVar value",
    addToInt: "orElseSetTo value var",
    addToSharedCounter: "fromVar key operator value",
    awaitAllResponses: "",
    awaitDelay: "key",
    awaitInt: "equalTo greaterOrEqualTo greaterThan lessOrEqualTo lessThan notEqualTo var",
    awaitVar: "var",
    breakIfFinished: "",
    breakSequence: "allConditions boolCondition dependency intCondition onBreak stringCondition",
    clearHttpCache: "",
    conditional: "actions allConditions boolCondition intCondition stringCondition",
    fail: "allConditions boolCondition intCondition message stringCondition",
    foreach: "counterVar dependency fromVar sequence",
    getIndex: "collection item toVar",
    getItem: "fromVar index toVar",
    getSharedCounter: "key toVar",
    getSize: "boolFilter fromVar intFilter stringFilter toVar undefinedValue",
    hotrodRequest: "cacheName get key metric operation put value",
    httpRequest:
      "authority body compensation compression CONNECT DELETE endpoint GET handler HEAD headers method metric OPTIONS PATCH path POST PUT sla sync timeout TRACE",
    json: "delete format fromVar processor query replace toArray toVar unquote",
    log: "message",
    loop: "counterVar repeats steps",
    markRequestInvalid: "",
    newSequence: "concurrencyPolicy forceSameIndex sequence",
    noop: "",
    publishAgentData: "fromVar name",
    publishGlobalCounters: "key vars",
    pullSharedMap: "key match vars",
    pushSharedMap: "key vars",
    randomCsvRow: "columns file separator skipComments",
    randomFile: "filenameVar files toVar",
    randomInt: "max min toVar",
    randomItem: "file fromVar list toVar",
    randomUUID: "toVar",
    readAgentData: "name toVar",
    removeItem: "fromVar index",
    restartSequence: "",
    scheduleDelay: "duration fromLast fromNow key max min random type",
    set: "intArray objectArray value var",
    setInt: "fromVar intCondition max min onlyIfNotSet value var",
    setItem: "fromVar index toVar value",
    setSharedCounter: "fromVar key value",
    stop: "",
    stopwatch: "",
    stringToInt: "fromVar toVar",
    template: "pattern toVar",
    thinkTime: "duration fromLast fromNow key max min random type",
    timestamp: "localeCountry pattern toVar",
    unset: "var",
  },
  action: {
    addItem: "fromVar toVar value",
    addToInt: "orElseSetTo value var",
    addToSharedCounter: "fromVar key operator value",
    clearHttpCache: "",
    conditional: "actions allConditions boolCondition intCondition stringCondition",
    fail: "allConditions boolCondition intCondition message stringCondition",
    getIndex: "collection item toVar",
    getItem: "fromVar index toVar",
    getSharedCounter: "key toVar",
    getSize: "boolFilter fromVar intFilter stringFilter toVar undefinedValue",
    log: "message",
    markRequestInvalid: "",
    newSequence: "concurrencyPolicy forceSameIndex sequence",
    publishAgentData: "fromVar name",
    publishGlobalCounters: "key vars",
    readAgentData: "name toVar",
    removeItem: "fromVar index",
    restartSequence: "",
    set: "intArray objectArray value var",
    setInt: "fromVar intCondition max min onlyIfNotSet value var",
    setItem: "fromVar index toVar value",
    setSharedCounter: "fromVar key value",
    stringToInt: "fromVar toVar",
    unset: "var",
  },
  processor: {
    addItem: "fromVar toVar value",
    addToInt: "orElseSetTo value var",
    addToSharedCounter: "fromVar key operator value",
    array: "format maxSize silent toVar",
    clearHttpCache: "",
    closeConnection: "",
    collection: "format toVar",
    conditional: "allConditions boolCondition intCondition processor stringCondition",
    count: "toVar",
    fail: "allConditions boolCondition intCondition message stringCondition",
    getIndex: "collection item toVar",
    getItem: "fromVar index toVar",
    getSharedCounter: "key toVar",
    getSize: "boolFilter fromVar intFilter stringFilter toVar undefinedValue",
    gzipInflator: "encodingVar processor",
    json: "delete format processor query replace toArray toVar unquote",
    log: "message",
    logInvalid: "",
    markRequestInvalid: "",
    newSequence: "concurrencyPolicy forceSameIndex sequence",
    parseHtml: "onEmbeddedResource onTagAttribute",
    publishAgentData: "fromVar name",
    publishGlobalCounters: "key vars",
    queue: "concurrency format maxSize onCompletion sequence var",
    readAgentData: "name toVar",
    removeItem: "fromVar index",
    restartSequence: "",
    set: "intArray objectArray value var",
    setInt: "fromVar intCondition max min onlyIfNotSet value var",
    setItem: "fromVar index toVar value",
    setSharedCounter: "fromVar key value",
    store: "format toVar",
    storeInt: "override toVar",
    stringToInt: "fromVar toVar",
    unset: "var",
  },
};

/** Nested builders: the path of keys down to the builder, and its documented properties. */
const NESTED: [Kind, string[], string][] = [
  [
    "step",
    ["httpRequest", "handler"],
    "autoRangeCheck body followRedirect header onCompletion rawBytes status stopOnInvalid",
  ],
  ["step", ["httpRequest", "handler", "status"], "action counter multiplex range stats store"],
  ["step", ["httpRequest", "handler", "status", "counter"], "add expectStatus init set var"],
  ["step", ["httpRequest", "handler", "status", "range"], "min max"],
  ["step", ["httpRequest", "handler", "status", "store"], "toVar"],
  [
    "step",
    ["httpRequest", "handler", "status", "multiplex", "2xx"],
    "action counter multiplex range stats store",
  ],
  [
    "step",
    ["httpRequest", "handler", "header"],
    "conditional countHeaders filter logInvalid recordHeaderTime",
  ],
  ["step", ["httpRequest", "handler", "header", "filter"], "header processor"],
  [
    "step",
    ["httpRequest", "handler", "header", "conditional"],
    "allConditions boolCondition handler intCondition stringCondition",
  ],
  ["step", ["httpRequest", "handler", "header", "recordHeaderTime"], "header metric unit"],
  ["step", ["httpRequest", "handler", "rawBytes"], "transferSizeRecorder"],
  ["step", ["httpRequest", "handler", "rawBytes", "transferSizeRecorder"], "key"],
  ["step", ["httpRequest", "body"], "form fromFile fromVar pattern text"],
  ["step", ["httpRequest", "body", "form"], "fromVar name pattern value"],
  ["step", ["httpRequest", "compensation"], "metric targetRate"],
  ["step", ["httpRequest", "compensation", "targetRate"], "base increment"],
  ["step", ["httpRequest", "compression"], "encoding type"],
  [
    "step",
    ["httpRequest", "sla"],
    "blockedRatio errorRatio invalidRatio limits meanResponseTime window",
  ],
  ["step", ["httpRequest", "GET"], "fromVar pattern value"],
  ["step", ["httpRequest", "authority"], "fromVar pattern value"],
  ["step", ["httpRequest", "endpoint"], "fromVar pattern value"],
  ["step", ["httpRequest", "headers", "accept"], "fromVar pattern"],
  ["step", ["hotrodRequest", "cacheName"], "fromVar pattern value"],
  ["step", ["hotrodRequest", "key"], "fromVar pattern value"],
  ["step", ["json", "replace"], "actions pattern"],
  ["step", ["json", "replace", "actions"], "actions format pattern var"],
  ["step", ["randomInt", "min"], "fromVar value"],
  ["step", ["getItem", "index"], "fromVar value"],
  ["step", ["getIndex", "item"], "fromVar value"],
  ["step", ["getSize", "boolFilter"], "value"],
  [
    "step",
    ["getSize", "intFilter"],
    "equalTo greaterOrEqualTo greaterThan lessOrEqualTo lessThan notEqualTo",
  ],
  [
    "step",
    ["getSize", "stringFilter"],
    "caseSensitive endsWith equalTo length matchVar negate notEqualTo startsWith value",
  ],
  ["step", ["set", "objectArray"], "fromVar size"],
  ["step", ["set", "intArray"], "fromVar size"],
  ["step", ["awaitInt", "equalTo"], "fromVar value"],
  [
    "step",
    ["breakSequence", "intCondition"],
    "equalTo fromVar greaterOrEqualTo greaterThan isSet lessOrEqualTo lessThan notEqualTo",
  ],
  [
    "step",
    ["breakSequence", "stringCondition"],
    "caseSensitive endsWith equalTo fromVar isSet length matchVar negate notEqualTo startsWith value",
  ],
  ["step", ["breakSequence", "boolCondition"], "fromVar value"],
  ["processor", ["parseHtml", "onEmbeddedResource"], "fetchResource ignoreExternal processor"],
  [
    "processor",
    ["parseHtml", "onEmbeddedResource", "fetchResource"],
    "concurrency maxResources metric onCompletion",
  ],
  ["processor", ["parseHtml", "onTagAttribute"], "attribute format processor tag toArray toVar"],
];

/** `[a, b]`, `c` → a block mapping `a: {b: {c: }}` as a one-step list. */
function nestedYaml(keys: string[], prop: string): string {
  let out = "";
  [...keys, prop].forEach((k, i) => out += `${"  ".repeat(i + 1)}${k}:\n`);
  return "-" + out.slice(1);
}

function unknownKeyErrors(d: Diagnostics, prop: string): string[] {
  return errors(d).filter((m) => m.startsWith("Unknown") && m.includes(`'${prop}'`));
}

Deno.test("every documented property of every step, action and processor is accepted", () => {
  for (const [kind, names] of Object.entries(DOCUMENTED) as [Kind, Record<string, string>][]) {
    for (const [name, props] of Object.entries(names)) {
      for (const prop of props.split(" ").filter(Boolean)) {
        const r = load(nestedYaml([name], prop), { kind, files: FILES });
        assert.deepEqual(unknownKeyErrors(r.diags, prop), [], `${kind} ${name}.${prop}`);
      }
    }
  }
});

Deno.test("every documented property of the nested builders is accepted", () => {
  for (const [kind, keys, props] of NESTED) {
    for (const prop of props.split(" ")) {
      const r = load(nestedYaml(keys, prop), { kind });
      assert.deepEqual(unknownKeyErrors(r.diags, prop), [], `${keys.join(".")}.${prop}`);
    }
  }
});

// ---------------------------------------------------------------- errors

Deno.test("an unknown property is reported at its line and column with a suggestion", () => {
  const [e, missing] = fails(
    "- thinkTime: 1s\n- loop:\n    counterVar: i\n    repaets: 3\n    steps: [noop]\n",
  );
  assert.equal(missing.message, "Missing required property 'repeats' in loop");
  assert.equal(e.line, 4);
  assert.equal(e.col, 5);
  assert.equal(e.path, "steps[1].loop");
  assert.equal(e.message, "Unknown property 'repaets' in loop (did you mean 'repeats'?)");
});

Deno.test("an unknown step is reported with a suggestion, a processor used as a step says so", () => {
  const [e] = fails("- noop\n- thinkTme: 1s\n");
  assert.deepEqual([e.line, e.col, e.message], [
    2,
    3,
    "Unknown step 'thinkTme' (did you mean 'thinkTime'?)",
  ]);
  const [p] = fails("- parseHtml: {}\n");
  assert.match(p.message, /'parseHtml' is a processor, not usable as a step/);
});

Deno.test("errors inside nested handlers point at the nested key", () => {
  const [e] = fails(
    "- httpRequest:\n    GET: /\n    handler:\n      status:\n        countr: {var: n, add: 1}\n",
  );
  assert.deepEqual([e.line, e.col], [5, 9]);
  assert.equal(e.message, "Unknown status handler 'countr' (did you mean 'counter'?)");
  const [h] = fails("- httpRequest:\n    GET: /\n    handler:\n      bdy: {store: x}\n");
  assert.equal(h.message, "Unknown property 'bdy' in handler (did you mean 'body'?)");
});

Deno.test("bad inline forms say what was expected", () => {
  assert.match(fails("- randomInt: n <- 1 to 9\n")[0].message, /expected 'var <- min \.\. max'/);
  assert.match(fails("- addToInt: n**\n")[0].message, /expected 'var\+\+', 'var--'/);
  assert.match(fails("- set: a = b\n")[0].message, /expected 'var <- value'/);
  assert.match(fails("- stringToInt: a => b\n")[0].message, /expected 'fromVar -> toVar'/);
  assert.match(fails("- thinkTime: 100\n")[0].message, /with a unit/);
  assert.match(fails("- array: arr\n", { kind: "processor" })[0].message, /e\.g\. 'items\[16\]'/);
  assert.match(fails("- randomItem: a <- b <- c\n")[0].message, /'toVar <- fromVar'/);
});

Deno.test("required properties and exclusive groups are checked", () => {
  assert.equal(
    fails("- loop: {counterVar: i, steps: [noop]}\n")[0].message,
    "Missing required property 'repeats' in loop",
  );
  assert.match(
    fails("- set: {var: a, value: b, objectArray: {size: 2}}\n")[0].message,
    /exactly one of 'value', 'objectArray', 'intArray'/,
  );
  assert.match(fails("- httpRequest: {GET: /a, POST: /b}\n")[0].message, /cannot be combined/);
  assert.match(
    fails("- httpRequest: {sync: false}\n")[0].message,
    /Missing the request: set one of 'GET'/,
  );
  assert.match(
    fails("- breakSequence: {onBreak: [markRequestInvalid]}\n")[0].message,
    /Expected exactly one of 'intCondition'/,
  );
  assert.match(
    fails("- randomItem: {toVar: x}\n")[0].message,
    /exactly one of 'list', 'file', 'fromVar'/,
  );
});

// ---------------------------------------------------------------- inline forms

Deno.test("thinkTime inline and mapping forms give durations in ms", () => {
  assert.deepEqual(one("- thinkTime: 100ms\n"), {
    type: "thinkTime",
    duration: 100,
    random: "CONSTANT",
    reference: "FROM_NOW",
  });
  assert.deepEqual(one("- thinkTime: {duration: 2s}\n"), {
    type: "thinkTime",
    duration: 2000,
    random: "CONSTANT",
    reference: "FROM_NOW",
  });
  assert.deepEqual(one("- thinkTime: {random: LINEAR, min: 1, max: 2s}\n"), {
    type: "thinkTime",
    random: "LINEAR",
    min: 1000,
    max: 2000,
    reference: "FROM_NOW",
  });
  assert.match(
    fails("- thinkTime: {duration: 1s, min: 1s}\n")[0].message,
    /constant delay takes no 'min'/,
  );
  assert.match(
    fails("- thinkTime: {random: LINEAR, duration: 1s, max: 2s}\n")[0].message,
    /remove 'duration'/,
  );
});

Deno.test("scheduleDelay and awaitDelay share a key; fromLast sets the reference", () => {
  const [s, a] = ok("- scheduleDelay: {key: k, fromLast: , duration: 1s}\n- awaitDelay: k\n");
  assert.deepEqual(s, {
    type: "scheduleDelay",
    key: "k",
    duration: 1000,
    random: "CONSTANT",
    reference: "FROM_LAST",
  });
  assert.deepEqual(a, { type: "awaitDelay", key: "k" });
  assert.equal(
    one("- scheduleDelay: {key: k, type: FROM_LAST, duration: 5ms}\n").reference,
    "FROM_LAST",
  );
  assert.match(
    fails("- scheduleDelay: {key: k, fromNow: , fromLast: , duration: 1s}\n")[0].message,
    /cannot be combined/,
  );
});

Deno.test("awaitVar waits for set with 'v' and for unset with '!v'", () => {
  const [a, b, c] = ok("- awaitVar: done\n- awaitVar: '!done'\n- awaitVar: {var: '!x'}\n");
  assert.deepEqual(a, { type: "awaitVar", var: "done", unset: false });
  assert.deepEqual(b, { type: "awaitVar", var: "done", unset: true });
  assert.deepEqual(c, { type: "awaitVar", var: "x", unset: true });
});

Deno.test("awaitInt compares a variable with constants or variables", () => {
  assert.deepEqual(one("- awaitInt: {var: n, greaterOrEqualTo: 3, lessThan: {fromVar: m}}\n"), {
    type: "awaitInt",
    var: "n",
    greaterOrEqualTo: { value: 3 },
    lessThan: { fromVar: "m" },
  });
});

Deno.test("randomInt inline 'v <- 1 .. 999' and mapping with defaults", () => {
  assert.deepEqual(one("- randomInt: itemId <- 1 .. 999\n"), {
    type: "randomInt",
    toVar: "itemId",
    min: { value: 1 },
    max: { value: 999 },
  });
  assert.deepEqual(one("- randomInt: {toVar: n, max: {fromVar: top}}\n"), {
    type: "randomInt",
    toVar: "n",
    min: { value: 0 },
    max: { fromVar: "top" },
  });
  assert.match(
    fails("- randomInt: n <- 9 .. 1\n")[0].message,
    /'min' \(9\) must not be greater than 'max' \(1\)/,
  );
});

Deno.test("randomItem accepts every list form, a file and an array variable", () => {
  const yaml = `
- randomItem: {list: [A, B, C], toVar: x}
- randomItem:
    list:
    - A
    - B
    toVar: "y"
- randomItem: {file: items.txt, toVar: z}
- randomItem:
    list:
    - foo: 1
    - bar: 0.5
    toVar: zz
- randomItem:
    list: {foo: 0.9, bar: 0.1}
    toVar: zzz
- randomItem: {list: [a, a, b], toVar: w}
- randomItem: pick <- items
- randomItem: {fromVar: items, toVar: p2}
`;
  const steps = ok(yaml, { files: { "items.txt": "foo\n\nbar\n" } });
  assert.deepEqual(steps.map(({ type: _, ...r }) => r), [
    { toVar: "x", items: ["A", "B", "C"] },
    { toVar: "y", items: ["A", "B"] },
    { toVar: "z", items: ["foo", "bar"], file: "items.txt" },
    { toVar: "zz", items: ["foo", "bar"], weights: [1, 0.5] },
    { toVar: "zzz", items: ["foo", "bar"], weights: [0.9, 0.1] },
    { toVar: "w", items: ["a", "b"], weights: [2, 1] },
    { toVar: "pick", fromVar: "items" },
    { toVar: "p2", fromVar: "items" },
  ]);
});

Deno.test("randomItem with a missing file is an error naming the file", () => {
  assert.match(
    fails("- randomItem: {file: nope.txt, toVar: z}\n")[0].message,
    /Data file 'nope\.txt' does not exist/,
  );
});

Deno.test("set: inline 'a <- b', value, objectArray and intArray", () => {
  const [a, b, c, d] = ok(
    "- set: a <- some value\n- set: {var: e, value: }\n- set: {var: q, objectArray: {size: 10}}\n- set: {var: r, intArray: {size: 2, fromVar: q}}\n",
  );
  assert.deepEqual(a, { type: "set", var: "a", value: "some value" });
  assert.deepEqual(b, { type: "set", var: "e", value: "" });
  assert.deepEqual(c, { type: "set", var: "q", objectArray: { size: 10 } });
  assert.deepEqual(d, { type: "set", var: "r", intArray: { size: 2, fromVar: "q" } });
});

Deno.test("setInt inline and min/max lists", () => {
  assert.deepEqual(one("- setInt: n <- 33\n"), {
    type: "setInt",
    var: "n",
    value: 33,
    onlyIfNotSet: false,
  });
  assert.deepEqual(
    one("- setInt: {var: n, max: [{value: 1}, {fromVar: m}], onlyIfNotSet: true}\n"),
    {
      type: "setInt",
      var: "n",
      max: [{ value: 1 }, { fromVar: "m" }],
      onlyIfNotSet: true,
    },
  );
});

Deno.test("addToInt inline forms v++, v--, v += n, v -= n", () => {
  const steps = ok(
    "- addToInt: a++\n- addToInt: b--\n- addToInt: c += 5\n- addToInt: d -= 2\n- addToInt: {var: e, value: 3, orElseSetTo: 0}\n",
  );
  assert.deepEqual(steps, [
    { type: "addToInt", var: "a", value: 1 },
    { type: "addToInt", var: "b", value: -1 },
    { type: "addToInt", var: "c", value: 5 },
    { type: "addToInt", var: "d", value: -2 },
    { type: "addToInt", var: "e", value: 3, orElseSetTo: 0 },
  ]);
});

Deno.test("stringToInt 'a -> b', unset, log with {} placeholders", () => {
  assert.deepEqual(one("- stringToInt: temp -> age\n"), {
    type: "stringToInt",
    fromVar: "temp",
    toVar: "age",
  });
  assert.deepEqual(one("- unset: downloadUrl[.]\n"), { type: "unset", var: "downloadUrl[.]" });
  const log = one("- log: {message: 'Final value: {}', vars: [myCounter]}\n") as unknown as {
    message: { pattern: string };
  };
  assert.equal(log.message.pattern, "Final value: ${myCounter}");
  assert.match(
    fails("- log: {message: 'no placeholder', vars: [a]}\n")[0].message,
    /has no '\{\}' left for variable 'a'/,
  );
});

Deno.test("shared counters and agent data inline forms", () => {
  assert.deepEqual(
    ok("- addToSharedCounter: hits += 2\n- getSharedCounter: hits\n- setSharedCounter: hits\n"),
    [
      { type: "addToSharedCounter", key: "hits", value: 2, operator: "ADD" },
      { type: "getSharedCounter", key: "hits", toVar: "hits" },
      { type: "setSharedCounter", key: "hits", fromVar: "hits" },
    ],
  );
  assert.deepEqual(ok("- publishAgentData: token\n- readAgentData: token\n"), [
    { type: "publishAgentData", name: "token", fromVar: "token" },
    { type: "readAgentData", name: "token", toVar: "token" },
  ]);
  assert.deepEqual(one("- publishGlobalCounters: {key: k, vars: [a, {total: b}]}\n"), {
    type: "publishGlobalCounters",
    key: "k",
    counters: [{ name: "a", var: "a" }, { name: "total", var: "b" }],
  });
});

Deno.test("processors: json 'query -> var', array 'v[N]', store, count, collection", () => {
  const steps = ok(
    "- json: .[].id -> ids\n- array: downloadUrl[16]\n- store: x\n- count: n\n- collection: c\n- storeInt: {toVar: i, override: true}\n",
    { kind: "processor" },
  );
  assert.deepEqual(steps, [
    {
      type: "json",
      query: ".[].id",
      toVar: "ids",
      format: "STRING",
      processors: [],
      delete: false,
      unquote: true,
    },
    { type: "array", toVar: "downloadUrl", maxSize: 16, format: "STRING", silent: false },
    { type: "store", toVar: "x", format: "STRING" },
    { type: "count", toVar: "n" },
    { type: "collection", toVar: "c", format: "STRING" },
    { type: "storeInt", toVar: "i", override: true },
  ]);
});

Deno.test("the deprecated 'simple' processor loads as 'store' with a warning", () => {
  const r = load("- simple: x\n", { kind: "processor" });
  assert.deepEqual(r.steps, [{ type: "store", toVar: "x", format: "STRING" }]);
  assert.match(r.diags.warnings[0].message, /'simple' processor is deprecated/);
});

Deno.test("json step and processor: toArray, processors, replace with actions or a pattern", () => {
  const step = one(
    "- json: {fromVar: 'movies[.]', query: .quality, toArray: 'q[10]', format: BYTES}\n",
  );
  assert.deepEqual(step, {
    type: "json",
    fromVar: "movies[.]",
    query: ".quality",
    toArray: { var: "q", maxSize: 10 },
    format: "BYTES",
    processors: [],
    delete: false,
    unquote: true,
  });
  const yaml = `
- json:
    query: .age
    replace:
    - actions:
        var: temp
        actions:
        - stringToInt: temp -> age
        - addToInt: age++
        pattern: \${age}
    processor:
    - store: {toVar: updated, format: BYTES}
- json: {query: .name, replace: 'x\${a}', toVar: n}
`;
  const [a, b] = ok(yaml, { kind: "processor" }) as unknown as Record<string, unknown>[];
  const actions = (a.replace as { actions: { var: string; actions: StepRecord[] } }).actions;
  assert.equal(actions.var, "temp");
  assert.deepEqual(actions.actions.map((x) => x.type), ["stringToInt", "addToInt"]);
  assert.deepEqual(a.processors, [{ type: "store", toVar: "updated", format: "BYTES" }]);
  assert.equal(a.unquote, true);
  assert.equal(b.unquote, false);
  assert.match(
    fails("- json: {query: a, toVar: x}\n", { kind: "processor" })[0].message,
    /must start with '\.'/,
  );
  assert.match(fails("- json: {query: .a}\n", { kind: "processor" })[0].message, /stores nothing/);
});

Deno.test("parseHtml with embedded resources (queue, fetchResource) and tag attributes", () => {
  const yaml = `
- parseHtml:
    onEmbeddedResource:
      ignoreExternal: true
      processor:
      - queue:
          var: downloadQueue
          maxSize: 4
          concurrency: 2
          sequence: embeddedResource[2]
          onCompletion:
            set: allFetched <- true
- parseHtml:
    onEmbeddedResource:
      fetchResource:
        maxResources: 16
        metric:
        - ([^?]*)(\\?.*)? -> $1
        onCompletion:
          set: allFetched <- true
- parseHtml:
    onTagAttribute: {tag: FORM, attribute: action, toArray: "actions[3]"}
`;
  const r = load(yaml, { kind: "processor" });
  assert.deepEqual(errors(r.diags), []);
  const [q, f, t] = r.steps as unknown as Record<string, Record<string, unknown>>[];
  const queue = (q.onEmbeddedResource.processors as StepRecord[])[0];
  assert.deepEqual(queue, {
    type: "queue",
    var: "downloadQueue",
    maxSize: 4,
    format: "STRING",
    concurrency: 2,
    sequence: "embeddedResource",
    onCompletion: [{ type: "set", var: "allFetched", value: "true" }],
  });
  assert.deepEqual(f.onEmbeddedResource.fetchResource, {
    maxResources: 16,
    concurrency: 8,
    metric: [{ match: "([^?]*)(\\?.*)?", replacement: "$1" }],
    onCompletion: [{ type: "set", var: "allFetched", value: "true" }],
  });
  assert.deepEqual(t.onTagAttribute, [
    {
      tag: "FORM",
      attribute: "action",
      toArray: { var: "actions", maxSize: 3 },
      format: "STRING",
      processors: [],
    },
  ]);
  assert.deepEqual(r.ctx.sequenceRefs.map((s) => s.name), ["embeddedResource"]);
});

// ---------------------------------------------------------------- control flow

Deno.test("loop, foreach, newSequence, breakSequence and conditional records", () => {
  const yaml = `
- loop:
    counterVar: i
    repeats: 5
    steps:
    - httpRequest: {GET: /}
- foreach: {fromVar: movies, sequence: addComment, counterVar: n}
- newSequence: watchMovie
- newSequence: {sequence: 'other[3]', forceSameIndex: true, concurrencyPolicy: WARN}
- breakSequence:
    intCondition: {fromVar: 'quality[.]', greaterOrEqualTo: 80}
    onBreak: [restartSequence]
- conditional:
    stringCondition: {fromVar: s, startsWith: x}
    actions: {set: a <- b}
- fail:
    message: wrong
    boolCondition: {fromVar: b, value: false}
`;
  const r = load(yaml);
  assert.deepEqual(errors(r.diags), []);
  const [loop, foreach, ns1, ns2, brk, cond, fail] = r.steps!;
  assert.equal(loop.counterVar, "i");
  assert.equal(loop.repeats, 5);
  assert.deepEqual((loop.steps as StepRecord[]).map((s) => s.type), ["httpRequest"]);
  assert.deepEqual(foreach, {
    type: "foreach",
    fromVar: "movies",
    sequence: "addComment",
    counterVar: "n",
  });
  assert.deepEqual(ns1, {
    type: "newSequence",
    sequence: "watchMovie",
    forceSameIndex: false,
    concurrencyPolicy: "FAIL",
  });
  assert.deepEqual(ns2, {
    type: "newSequence",
    sequence: "other",
    forceSameIndex: true,
    concurrencyPolicy: "WARN",
  });
  assert.deepEqual(brk, {
    type: "breakSequence",
    condition: { intCondition: { fromVar: "quality[.]", greaterOrEqualTo: { value: 80 } } },
    onBreak: [{ type: "restartSequence" }],
  });
  assert.deepEqual(cond, {
    type: "conditional",
    condition: { stringCondition: { fromVar: "s", startsWith: "x" } },
    actions: [{ type: "set", var: "a", value: "b" }],
  });
  assert.deepEqual(fail, {
    type: "fail",
    message: "wrong",
    condition: { boolCondition: { fromVar: "b", value: false } },
  });
  assert.deepEqual(
    r.ctx.sequenceRefs.map((s) => [s.name, s.at.line]),
    [["addComment", 7], ["watchMovie", 8], ["other", 9]],
  );
});

Deno.test("an empty loop and a loop with repeats 0 are errors", () => {
  assert.match(
    fails("- loop: {counterVar: i, repeats: 2, steps: []}\n")[0].message,
    /The loop has no steps/,
  );
  assert.match(
    fails("- loop: {counterVar: i, repeats: 0, steps: [noop]}\n")[0].message,
    /expected an integer ≥ 1/,
  );
});

Deno.test("deprecated newSequence properties are accepted with a warning", () => {
  const r = load("- newSequence: {sequence: s, maxSequences: 4}\n");
  assert.deepEqual(errors(r.diags), []);
  assert.match(r.diags.warnings[0].message, /'maxSequences' of newSequence is deprecated/);
});

Deno.test("stopwatch nests steps", () => {
  assert.deepEqual(one("- stopwatch:\n  - thinkTime: 1ms\n  - noop\n"), {
    type: "stopwatch",
    steps: [{ type: "thinkTime", duration: 1, random: "CONSTANT", reference: "FROM_NOW" }, {
      type: "noop",
    }],
  });
});

// ---------------------------------------------------------------- variables

Deno.test("variables: writes and reads are recorded, addToInt both", () => {
  const r = load(`
- randomInt: n <- 1 .. 3
- set: s <- x
- httpRequest: {GET: '/a/\${n}/\${s}/\${missing}', headers: {h: {fromVar: alsoMissing}}}
- addToInt: counter++
- awaitVar: never
- json: {fromVar: doc, query: .a, toVar: a}
`);
  assert.deepEqual(errors(r.diags), []);
  const unwritten = unwrittenReads(r.ctx.vars).map((u) => u.name).sort();
  assert.deepEqual(unwritten, ["alsoMissing", "doc", "missing", "never"]);
  assert.ok(r.ctx.vars.writes.has("counter"));
  assert.ok(r.ctx.vars.reads.has("counter"));
});

// ---------------------------------------------------------------- httpRequest

Deno.test("httpRequest: method keys and method + path, defaults filled in", () => {
  const r = req("- httpRequest: {GET: '/items/${id}'}\n");
  assert.equal(r.method, "GET");
  assert.equal((r.path as { pattern: { pattern: string } }).pattern.pattern, "/items/${id}");
  assert.equal(r.authority, "localhost:8080");
  assert.equal(r.sync, true);
  assert.deepEqual(r.headers, []);
  assert.deepEqual(r.handler, { status: [], header: [], body: [], rawBytes: [], onCompletion: [] });
  assert.deepEqual(r.sla, [{ errorRatio: 1.01, invalidRatio: 1.01, blockedRatio: 0, limits: {} }]);
  const m = req("- httpRequest: {method: PATCH, path: {fromVar: p}, sync: false, timeout: 2s}\n");
  assert.deepEqual([m.method, m.path, m.sync, m.timeout], ["PATCH", { fromVar: "p" }, false, 2000]);
  for (const method of ["HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "CONNECT"]) {
    assert.equal(req(`- httpRequest: {${method}: /x}\n`).method, method);
  }
});

Deno.test("httpRequest headers: mapping or list, pattern or fromVar values", () => {
  const r = req(`
- httpRequest:
    GET: /
    headers:
      accept: text/html
      authorization: Bearer \${token}
      if-match: {fromVar: etag}
`);
  assert.deepEqual(r.headers.map((h) => [h.name, Object.keys(h.value)[0]]), [
    ["accept", "pattern"],
    ["authorization", "pattern"],
    ["if-match", "fromVar"],
  ]);
  const l = req("- httpRequest: {GET: /, headers: [{a: '1'}, {b: {pattern: 'x${y}'}}]}\n");
  assert.deepEqual(l.headers.map((h) => h.name), ["a", "b"]);
});

Deno.test("httpRequest body: inline pattern, text, fromVar, fromFile (embedded), form", () => {
  const inline = req("- httpRequest: {POST: /, body: 'a=${b}'}\n");
  assert.equal((inline.body as { pattern: { pattern: string } }).pattern.pattern, "a=${b}");
  assert.deepEqual(req("- httpRequest: {POST: /, body: {text: '{\"a\": 1}'}}\n").body, {
    text: '{"a": 1}',
  });
  assert.deepEqual(req("- httpRequest: {POST: /, body: {fromVar: updated}}\n").body, {
    fromVar: "updated",
  });
  const r = load("- httpRequest: {POST: /, body: {fromFile: body.json}}\n", {
    files: { "body.json": "{}" },
  });
  assert.deepEqual(errors(r.diags), []);
  assert.deepEqual((r.steps![0] as unknown as HttpRequestRecord).body, { fromFile: "body.json" });
  assert.equal(r.ctx.files["body.json"], "e30=");
  const form = req(`
- httpRequest:
    POST: /myform
    body:
      form:
      - name: foo
        value: bar
      - name: bar
        fromVar: myVar
      - name: goo
        pattern: foo\${myVar}bar
`).body as { form: { name: string; value: Record<string, unknown> }[] };
  assert.deepEqual(form.form.map((f) => [f.name, Object.keys(f.value)[0]]), [
    ["foo", "value"],
    ["bar", "fromVar"],
    ["goo", "pattern"],
  ]);
  assert.match(
    fails("- httpRequest: {POST: /, body: {fromFile: nope.json}}\n")[0].message,
    /'nope\.json' does not exist/,
  );
});

Deno.test("httpRequest metric, compression, compensation and sla", () => {
  const r = req(`
- httpRequest:
    GET: /
    metric:
    - .*\\.html -> pages
    - .*\\.png
    - -> other
    compression: gzip
    compensation: {targetRate: {base: 10, increment: 5}, metric: comp}
    sla:
    - meanResponseTime: 500ms
    - window: 10s
      limits: {0.99: 1s}
`);
  assert.deepEqual(r.metric, [{ match: ".*\\.html", replacement: "pages" }, { match: ".*\\.png" }, {
    otherwise: "other",
  }]);
  assert.deepEqual(r.compression, { encoding: "gzip", type: "CONTENT_ENCODING" });
  assert.deepEqual(r.compensation, { targetRate: 10, targetRateIncrement: 5, metric: "comp" });
  assert.equal(r.sla.length, 2);
  assert.equal(r.sla[0].meanResponseTime, 500);
  assert.deepEqual([r.sla[1].window, r.sla[1].limits], [10000, { "0.99": 1000 }]);
  assert.equal(req("- httpRequest: {GET: /, metric: mammals}\n").metric, "mammals");
  assert.deepEqual(
    req("- httpRequest: {GET: /, compression: {encoding: gzip, type: TRANSFER_ENCODING}}\n")
      .compression,
    {
      encoding: "gzip",
      type: "TRANSFER_ENCODING",
    },
  );
  assert.match(fails("- httpRequest: {GET: /, compression: br}\n")[0].message, /'gzip'/);
});

Deno.test("requests to endpoints opened per request get a relaxed default blocked-time SLA", () => {
  const http = [endpoint("http://a.io", { isDefault: true, connectionStrategy: "ALWAYS_NEW" })];
  assert.equal(req("- httpRequest: {GET: /}\n", { http }).sla[0].blockedRatio, 1.01);
});

Deno.test("httpRequest handler: status, header, body, rawBytes, onCompletion and flags", () => {
  const r = req(`
- httpRequest:
    GET: /
    handler:
      autoRangeCheck: false
      stopOnInvalid: false
      followRedirect: NEVER
      status:
        action:
          301, 302, 303, 307, 308:
          - set: redirect <- true
          other: [markRequestInvalid]
      header:
        filter:
          header:
            value: location
          processor:
          - store: location
          - newSequence: redirectMe_redirect
        recordHeaderTime: x-time
      body:
        conditional:
          boolCondition: {fromVar: redirect, value: false}
          processor:
            store: actualBody
      rawBytes:
        transferSizeRecorder: {key: transfer}
      onCompletion:
        set: completed <- yes
`);
  assert.equal(r.handler.autoRangeCheck, false);
  assert.equal(r.handler.stopOnInvalid, false);
  assert.equal(r.handler.followRedirect, "NEVER");
  assert.deepEqual(r.handler.status, [{
    type: "action",
    cases: [{
      ranges: [301, 302, 303, 307, 308].map((n) => ({ min: n, max: n })),
      actions: [{ type: "set", var: "redirect", value: "true" }],
    }],
    other: [{ type: "markRequestInvalid" }],
  }]);
  assert.deepEqual(r.handler.header, [
    {
      type: "filter",
      header: { caseSensitive: false, value: "location" },
      processors: [
        { type: "store", toVar: "location", format: "STRING" },
        {
          type: "newSequence",
          sequence: "redirectMe_redirect",
          forceSameIndex: false,
          concurrencyPolicy: "FAIL",
        },
      ],
    },
    { type: "recordHeaderTime", header: "x-time", metric: "x-time", unit: "ns" },
  ]);
  assert.deepEqual(r.handler.body.map((b) => b.type), ["conditional"]);
  assert.deepEqual(r.handler.rawBytes, [{ type: "transferSizeRecorder", key: "transfer" }]);
  assert.deepEqual(r.handler.onCompletion, [{ type: "set", var: "completed", value: "yes" }]);
});

Deno.test("status handlers: counter, store, stats, multiplex; list form keeps order", () => {
  const r = req(`
- httpRequest:
    GET: /
    handler:
    - status:
      - range: {min: 201, max: 259}
      - range: 200-210
    - status:
        counter: {var: hits, expectStatus: 204, add: 1}
        store: code
        stats:
        multiplex:
          2xx: {store: ok}
          other: [{range: 404}]
`);
  assert.deepEqual(r.handler.status, [
    { type: "range", ranges: [{ min: 201, max: 259 }] },
    { type: "range", ranges: [{ min: 200, max: 210 }] },
    { type: "counter", var: "hits", expectStatus: 204, init: 0, add: 1 },
    { type: "store", toVar: "code" },
    { type: "stats" },
    {
      type: "multiplex",
      cases: [{ ranges: [{ min: 200, max: 299 }], handlers: [{ type: "store", toVar: "ok" }] }],
      other: [{ type: "range", ranges: [{ min: 404, max: 404 }] }],
    },
  ]);
  assert.match(
    fails("- httpRequest: {GET: /, handler: {status: {counter: {var: n, add: 1, set: 2}}}}\n")[0]
      .message,
    /exactly one of 'add', 'set'/,
  );
});

Deno.test("status ranges normalise to {min, max}", () => {
  assert.deepEqual(parseStatusRange("2xx"), { min: 200, max: 299 });
  assert.deepEqual(parseStatusRange("30x"), { min: 300, max: 309 });
  assert.deepEqual(parseStatusRange("401"), { min: 401, max: 401 });
  assert.deepEqual(parseStatusRange("200-210"), { min: 200, max: 210 });
  assert.deepEqual(parseStatusRange(" 5xx "), { min: 500, max: 599 });
  assert.equal(parseStatusRange("7xx"), undefined);
  assert.equal(parseStatusRange("210-200"), undefined);
  assert.equal(parseStatusRange("abc"), undefined);
  const ranges = (yaml: string) =>
    req(`- httpRequest: {GET: /, handler: {status: {range: ${yaml}}}}\n`).handler.status[0];
  assert.deepEqual(ranges("2xx"), { type: "range", ranges: [{ min: 200, max: 299 }] });
  assert.deepEqual(ranges("{min: 200, max: 204}"), {
    type: "range",
    ranges: [{ min: 200, max: 204 }],
  });
  assert.deepEqual(ranges("[2xx, 404]"), {
    type: "range",
    ranges: [{ min: 200, max: 299 }, { min: 404, max: 404 }],
  });
  assert.deepEqual(ranges("'200, 30x'"), {
    type: "range",
    ranges: [{ min: 200, max: 200 }, { min: 300, max: 309 }],
  });
  const [e] = fails("- httpRequest:\n    GET: /\n    handler: {status: {range: 9xx}}\n");
  assert.equal(e.line, 3);
  assert.match(e.message, /Found '9xx' in '9xx', expected a status range such as '200', '2xx'/);
  assert.match(
    fails(
      "- httpRequest: {GET: /, handler: {status: {action: {2xx: [unset: a], '204': [unset: b]}}}}\n",
    )[0].message,
    /Overlapping status ranges in action: 200-299 and 204-204/,
  );
});

// ---------------------------------------------------------------- authority

const HYPERFOIL_HTTP = [endpoint("http://hyperfoil.io", { isDefault: true })];
const BOTH = [endpoint("http://hyperfoil.io"), endpoint("https://hyperfoil.io")];
const MANY = [
  endpoint("http://example.com"),
  endpoint("https://hyperfoil.io"),
  endpoint("http://myhost", { name: "myhost-1" }),
  endpoint("http://myhost", { name: "myhost-2" }),
];

Deno.test("a constant authority matches one endpoint, with the default port appended", () => {
  assert.equal(
    req("- httpRequest: {authority: 'hyperfoil.io:443', GET: /docs}\n", { http: MANY }).authority,
    "hyperfoil.io:443",
  );
  assert.equal(
    req("- httpRequest: {authority: hyperfoil.io, GET: /docs}\n", { http: MANY }).authority,
    "hyperfoil.io:443",
  );
  assert.equal(
    req("- httpRequest: {authority: {value: example.com}, GET: /}\n", { http: MANY }).authority,
    "example.com:80",
  );
  // Endpoints with the same protocol and authority count once.
  assert.equal(
    req("- httpRequest: {authority: myhost, GET: /}\n", { http: MANY }).authority,
    "myhost:80",
  );
});

Deno.test("an authority no endpoint serves is rejected with Hyperfoil's message", () => {
  const [e] = fails("- httpRequest:\n    authority: hyperfoil.io:443\n    GET: /docs\n", {
    http: HYPERFOIL_HTTP,
  });
  assert.equal(
    e.message,
    "GET to hyperfoil.io:443/docs is invalid - no HTTP configuration defined",
  );
  assert.deepEqual([e.line, e.col], [2, 16]);
});

Deno.test("an authority matching two endpoints is ambiguous", () => {
  const [e] = fails("- httpRequest: {authority: hyperfoil.io, GET: /docs}\n", { http: BOTH });
  assert.equal(
    e.message,
    "GET to hyperfoil.io/docs is ambiguous - matches 'http://hyperfoil.io:80', 'https://hyperfoil.io:443'",
  );
});

Deno.test("authorities from variables are not checked at load time", () => {
  const [a, b, c] = ok(
    "- httpRequest: {authority: '${hostname}:80', GET: /foo}\n- httpRequest: {authority: '${hostname}', GET: /foo}\n- httpRequest: {authority: {fromVar: target}, GET: /}\n",
    { http: BOTH },
  ) as unknown as HttpRequestRecord[];
  assert.equal(a.authority, undefined);
  assert.equal(
    (a.dynamicAuthority as { pattern: { pattern: string } }).pattern.pattern,
    "${hostname}:80",
  );
  assert.ok(b.dynamicAuthority);
  assert.deepEqual(c.dynamicAuthority, { fromVar: "target" });
});

Deno.test("a request without authority needs a default target; without 'http' it is an error", () => {
  const [e] = fails("- httpRequest: {GET: /path}\n", { http: BOTH });
  assert.equal(
    e.message,
    "GET to /path is invalid: there is no default HTTP target; set 'authority' or 'endpoint'",
  );
  const [n] = fails("- httpRequest: {GET: /path}\n", { http: [] });
  assert.equal(n.message, "GET to /path is invalid: the benchmark has no 'http' section");
  assert.equal(
    req("- httpRequest: {GET: /}\n", { http: [BOTH[0], { ...BOTH[1], isDefault: true }] })
      .authority,
    "hyperfoil.io:443",
  );
});

Deno.test("endpoint selects a target by name; an unknown name is an error with a suggestion", () => {
  const r = req("- httpRequest: {endpoint: myhost-2, GET: /}\n", { http: MANY });
  assert.deepEqual([r.endpoint, r.authority], ["myhost-2", "myhost:80"]);
  assert.equal(
    fails("- httpRequest: {endpoint: myhost-3, GET: /}\n", { http: MANY })[0].message,
    "There is no HTTP endpoint 'myhost-3' (did you mean 'myhost-1'?)",
  );
  assert.match(
    fails("- httpRequest: {endpoint: a, authority: b, GET: /}\n", { http: MANY })[0].message,
    /cannot be combined/,
  );
  assert.deepEqual(
    req("- httpRequest: {endpoint: {fromVar: e}, GET: /}\n", { http: MANY }).dynamicEndpoint,
    { fromVar: "e" },
  );
});

// ---------------------------------------------------------------- randomCsvRow

const CSV = [
  "# a comment line",
  "   # an indented comment",
  'alpha,"with, comma","say ""hi""",last',
  "  lead,trail ,,end",
  'multi,"",x,"first line',
  'second line"',
  "short",
].join("\n");

Deno.test("randomCsvRow parses the file at load time: quotes, doubled quotes, spaces, empty and multi-line fields", () => {
  const r = one(
    "- randomCsvRow: {file: t.csv, skipComments: true, removeQuotes: true, columns: {0: a, 1: b, 2: c, 3: d}}\n",
    {
      files: { "t.csv": CSV },
    },
  );
  assert.deepEqual(r, {
    type: "randomCsvRow",
    file: "t.csv",
    columns: [0, 1, 2, 3],
    vars: ["a", "b", "c", "d"],
    rows: [
      ["alpha", "with, comma", 'say "hi"', "last"],
      ["  lead", "trail ", "", "end"],
      ["multi", "", "x", "first line\nsecond line"],
      ["short", null, null, null],
    ],
  });
});

Deno.test("randomCsvRow maps only the listed columns, in column order; a separator can be set", () => {
  const r = one("- randomCsvRow: {file: t.csv, skipComments: true, columns: {2: c, 0: a}}\n", {
    files: { "t.csv": CSV },
  });
  assert.deepEqual(r.vars, ["a", "c"]);
  assert.deepEqual((r.rows as string[][])[0], ["alpha", 'say "hi"']);
  const s = one("- randomCsvRow: {file: s.csv, separator: ';', columns: {1: b}}\n", {
    files: { "s.csv": "a;b,c\n" },
  });
  assert.deepEqual(s.rows, [["b,c"]]);
});

Deno.test("without skipComments comment lines are rows", () => {
  const r = one("- randomCsvRow: {file: t.csv, columns: {0: a}}\n", {
    files: { "t.csv": "# x\ny\n" },
  });
  assert.deepEqual(r.rows, [["# x"], ["y"]]);
});

Deno.test("invalid CSV is an error naming the file and the line", () => {
  const bad = (text: string) =>
    fails("- randomCsvRow:\n    file: bad.csv\n    columns: {0: a}\n", {
      files: { "bad.csv": text },
    })[0];
  const e = bad('ok,row\nx, "quoted"\n');
  assert.deepEqual([e.line, e.col], [2, 11]);
  assert.match(
    e.message,
    /^The CSV file 'bad\.csv' is invalid: line 2: a quote starts after other characters/,
  );
  assert.match(bad('"a"b,c\n').message, /line 1: a closing quote is followed by 'b'/);
  assert.match(bad('a\n"never closed\nb\n').message, /line 2: a quoted field is never closed/);
  assert.match(
    fails("- randomCsvRow: {file: missing.csv, columns: {0: a}}\n")[0].message,
    /Data file 'missing\.csv' does not exist/,
  );
});

Deno.test("parseCsv handles CRLF line ends and a missing final newline", () => {
  assert.deepEqual(parseCsv("a,b\r\nc,d"), { rows: [["a", "b"], ["c", "d"]] });
});

Deno.test("randomFile embeds its files", () => {
  const r = load("- randomFile: {files: {a.bin: 2, b.bin: 1}, toVar: f, filenameVar: n}\n", {
    files: { "a.bin": "A", "b.bin": "B" },
  });
  assert.deepEqual(errors(r.diags), []);
  assert.deepEqual(r.steps![0], {
    type: "randomFile",
    files: ["a.bin", "b.bin"],
    weights: [2, 1],
    toVar: "f",
    filenameVar: "n",
  });
  assert.deepEqual(Object.keys(r.ctx.files).sort(), ["a.bin", "b.bin"]);
});

// ---------------------------------------------------------------- other steps

Deno.test("collections, getSize filters, timestamp, template and hotrodRequest records", () => {
  const steps = ok(`
- addItem: {toVar: arr, fromVar: x}
- getIndex: {collection: arr, item: {fromVar: x}, toVar: i}
- getSize: {fromVar: arr, toVar: n, stringFilter: foo, undefinedValue: -1}
- timestamp: {toVar: ts, pattern: yyyy, localeCountry: CZ}
- template: {pattern: '\${a}:8099', toVar: t}
- hotrodRequest: {get: 'c-\${n}', key: k}
`);
  assert.deepEqual(steps[0], { type: "addItem", toVar: "arr", item: { fromVar: "x" } });
  assert.deepEqual(steps[1], {
    type: "getIndex",
    collection: "arr",
    item: { fromVar: "x" },
    toVar: "i",
  });
  assert.deepEqual(steps[2], {
    type: "getSize",
    fromVar: "arr",
    toVar: "n",
    stringFilter: { value: "foo" },
    undefinedValue: -1,
  });
  assert.deepEqual(steps[3], {
    type: "timestamp",
    toVar: "ts",
    pattern: "yyyy",
    localeCountry: "CZ",
  });
  assert.equal(steps[5].operation, "GET");
  assert.match(
    fails("- timestamp: {toVar: ts, localeCountry: CZ}\n")[0].message,
    /'localeCountry' is used only with 'pattern'/,
  );
});

// ---------------------------------------------------------------- round trip

Deno.test("records are plain JSON data and survive a JSON round trip", () => {
  const yaml = `
- randomCsvRow: {file: t.csv, skipComments: true, columns: {0: a, 3: d}}
- randomItem: {file: items.txt, toVar: z}
- loop:
    counterVar: i
    repeats: 2
    steps:
    - thinkTime: {random: NEGATIVE_EXPONENTIAL, duration: 10ms, max: 1s}
- httpRequest:
    POST: '/items/\${urlencode:a}'
    headers: {x: '\${d}'}
    body: {form: [{name: a, pattern: '\${a}'}]}
    metric: [.* -> all]
    sla: {meanResponseTime: 1s, limits: {0.9: 100ms}}
    handler:
      status: {range: 2xx, action: {4xx: [{fail: bad}]}}
      header: {conditional: {intCondition: 'i > 1', handler: {countHeaders: }}}
      body:
        json:
          query: .a
          replace: {pattern: '\${a}'}
          processor: {parseHtml: {onTagAttribute: {tag: a, attribute: href, toVar: h}}}
      onCompletion: [{setInt: i <- 1}, {newSequence: other}]
- foreach: {fromVar: z, sequence: other}
- breakSequence: {allConditions: [{intCondition: 'i > 1'}, {stringCondition: {fromVar: a, length: {lessThan: 3}}}]}
`;
  const steps = ok(yaml, { files: { "t.csv": CSV, "items.txt": "a\nb\n" } });
  const copy = JSON.parse(JSON.stringify(steps));
  assert.deepEqual(copy, steps);
  // No functions, Maps, Sets or class instances anywhere.
  const plain = (v: unknown): boolean =>
    v === null || ["string", "number", "boolean"].includes(typeof v) ||
    (Array.isArray(v) && v.every(plain)) ||
    (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype &&
      Object.values(v!).every(plain));
  assert.ok(plain(steps));
});
