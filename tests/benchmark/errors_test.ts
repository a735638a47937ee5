/**
 * Broken benchmarks: each names the line, column, YAML path and what was
 * expected. Sources are arrays of lines so the expected positions can be
 * read off the array index (line = index + 1).
 */
import assert from "node:assert/strict";
import { type Diagnostic, formatDiagnostic, MAX_ERRORS } from "../../src/benchmark/diagnostics.ts";
import { parseBenchmark } from "../../src/benchmark/load.ts";

const enc = new TextEncoder();
/** Data files the test benchmarks may name; anything else does not exist. */
const FILES: Record<string, Uint8Array> = {
  "names.txt": enc.encode("alice\nbob\n"),
  "rows.csv": enc.encode("a,b\nc,d\n"),
};

function load(lines: string[], params: Record<string, string> = {}) {
  return parseBenchmark(lines.join("\n") + "\n", {
    file: "bench.hf.yaml",
    params,
    readFile: (p) => FILES[p],
  });
}

function errorsOf(lines: string[], params: Record<string, string> = {}): Diagnostic[] {
  const r = load(lines, params);
  assert.equal(r.benchmark, undefined, "the benchmark must be rejected");
  return r.diagnostics.filter((d) => d.severity === "error");
}

interface Expect {
  line: number;
  col: number;
  /** Fragments the message must contain, in order. */
  says: string[];
  path?: string;
}

/** Exactly one error, at the given place, saying the given things. */
function expectOne(lines: string[], e: Expect, params: Record<string, string> = {}): Diagnostic {
  const errors = errorsOf(lines, params);
  assert.equal(
    errors.length,
    1,
    `expected one error, got:\n${errors.map(formatDiagnostic).join("\n")}`,
  );
  expectAt(errors[0], e);
  return errors[0];
}

function expectAt(d: Diagnostic, e: Expect): void {
  const where = formatDiagnostic(d);
  assert.deepEqual([d.line, d.col], [e.line, e.col], where);
  let from = 0;
  for (const s of e.says) {
    const i = d.message.indexOf(s, from);
    assert.ok(i >= 0, `'${s}' missing (or out of order) in: ${where}`);
    from = i + s.length;
  }
  if (e.path !== undefined) assert.equal(d.path, e.path, where);
  assert.match(d.message, /^[A-Z']/, "sentence case");
  assert.doesNotMatch(d.message, /\.$/, "no trailing period");
}

const HEAD = ["name: t", "http:", "  host: http://localhost:8080"];

/** A valid benchmark; lines 4-11 are one constantRate phase 'main'. */
function bench(): string[] {
  return [
    ...HEAD, //                 1-3
    "phases:", //               4
    "- main:", //               5
    "    constantRate:", //     6
    "      usersPerSec: 10", // 7
    "      duration: 5s", //    8
    "      scenario:", //       9
    "      - test:", //         10
    "        - noop", //        11
  ];
}

/** `bench()` with line n, or lines [from, to] (1-based), replaced by `lines` (none to delete). */
function edit(n: number | [number, number], ...lines: string[]): string[] {
  const [from, to] = typeof n === "number" ? [n, n] : n;
  const b = bench();
  b.splice(from - 1, to - from + 1, ...lines);
  return b;
}

/** Two phases, a and b, for references between phases. */
function twoPhases(aExtra: string[], bExtra: string[]): string[] {
  const phase = (name: string, extra: string[]) => [
    `- ${name}:`,
    "    constantRate:",
    "      usersPerSec: 10",
    "      duration: 5s",
    ...extra,
    "      scenario:",
    "      - test:",
    "        - noop",
  ];
  return [...HEAD, "phases:", ...phase("a", aExtra), ...phase("b", bExtra)];
}

Deno.test("the template benchmark is valid", () => {
  const r = load(bench());
  assert.deepEqual(r.diagnostics.map(formatDiagnostic), []);
  assert.ok(r.benchmark);
});

Deno.test("unknown top-level key suggests the nearest one", () => {
  expectOne(edit(4, "phasess:"), {
    line: 4,
    col: 1,
    path: "",
    says: ["Unknown top-level property 'phasess'", "(did you mean 'phases'?)"],
  });
});

Deno.test("'usrsPerSec' suggests 'usersPerSec' with the path of the phase model", () => {
  const d = expectOne(edit(7, "      usrsPerSec: 10"), {
    line: 7,
    col: 7,
    path: "phases[0].main.constantRate",
    says: [
      "Unknown property 'usrsPerSec'",
      "constantRate phase 'main'",
      "did you mean 'usersPerSec'?",
    ],
  });
  assert.equal(
    formatDiagnostic(d),
    "bench.hf.yaml:7:7: phases[0].main.constantRate: Unknown property 'usrsPerSec' in constantRate phase 'main' (did you mean 'usersPerSec'?)",
  );
});

Deno.test("unknown phase model lists the models and suggests one", () => {
  expectOne(edit(6, "    constRate:"), {
    line: 6,
    col: 5,
    path: "phases[0].main",
    says: ["Unknown phase model 'constRate'", "'atOnce'", "'noop'", "did you mean 'constantRate'?"],
  });
});

Deno.test("unknown step suggests the nearest step", () => {
  expectOne(edit(11, "        - thinkTme: 1s"), {
    line: 11,
    col: 11,
    path: "phases[0].main.constantRate.scenario[0].test[0]",
    says: ["Unknown step 'thinkTme'", "did you mean 'thinkTime'?"],
  });
});

Deno.test("unknown step property suggests the nearest property", () => {
  expectOne(edit(11, "        - thinkTime:", "            duraton: 1s"), {
    line: 12,
    col: 13,
    says: ["Unknown property 'duraton'", "did you mean 'duration'?"],
  });
});

Deno.test("a benchmark without a name is rejected", () => {
  expectOne(edit(1), {
    line: 1,
    col: 1,
    path: "",
    says: ["Missing 'name'", "every benchmark needs a name"],
  });
});

Deno.test("an open-model phase without duration is rejected at its model", () => {
  expectOne(edit(8), {
    line: 6,
    col: 5,
    path: "phases[0].main.constantRate",
    says: ["Phase 'main' (constantRate) needs a 'duration'"],
  });
});

Deno.test("increasingRate with initial ≥ target points at initialUsersPerSec", () => {
  expectOne(
    edit(
      [6, 7],
      "    increasingRate:",
      "      initialUsersPerSec: 100",
      "      targetUsersPerSec: 10",
    ),
    {
      line: 7,
      col: 7,
      path: "phases[0].main.increasingRate",
      says: [
        "Phase 'main' is increasingRate",
        "'initialUsersPerSec' (100) must be lower than 'targetUsersPerSec' (10)",
        "use 'decreasingRate'",
      ],
    },
  );
});

Deno.test("decreasingRate with initial ≤ target is rejected too", () => {
  expectOne(
    edit(
      [6, 7],
      "    decreasingRate:",
      "      initialUsersPerSec: 5",
      "      targetUsersPerSec: 5",
    ),
    {
      line: 7,
      col: 7,
      says: [
        "decreasingRate",
        "'initialUsersPerSec' (5) must be higher than 'targetUsersPerSec' (5)",
        "use 'increasingRate'",
      ],
    },
  );
});

Deno.test("a single named fork is an error: define the scenario directly", () => {
  const lines = [
    ...bench().slice(0, 8),
    "      forks:", //          9
    "        only:", //         10
    "          weight: 1",
    "          scenario:",
    "          - test:",
    "            - noop",
  ];
  expectOne(lines, {
    line: 9,
    col: 7,
    says: ["Phase 'main' has a single fork", "define 'scenario' directly"],
  });
});

Deno.test("a phase with both scenario and forks is rejected at 'forks'", () => {
  const lines = [
    ...bench(),
    "      forks:", //          12
    "        a:",
    "          scenario: [{s: [noop]}]",
    "        b:",
    "          scenario: [{s: [noop]}]",
  ];
  expectOne(lines, { line: 12, col: 7, says: ["Phase 'main' has both 'scenario' and 'forks'"] });
});

Deno.test("startAfter naming an undefined phase suggests the nearest", () => {
  const lines = twoPhases([], ["      startAfter: A"]);
  // Phase b starts on line 12; its startAfter is line 16, value at column 19.
  expectOne(lines, {
    line: 16,
    col: 19,
    path: "phases[1].b.constantRate",
    says: ["Phase 'A' referenced from 'b' is not defined", "did you mean 'a'?"],
  });
});

Deno.test("a start dependency cycle is rejected naming the cycle", () => {
  const lines = twoPhases(["      startAfter: b"], ["      startAfterStrict: a"]);
  const d = expectOne(lines, {
    line: 5,
    col: 3,
    says: ["Phases wait for each other in a cycle", "none of them would ever start"],
  });
  assert.match(d.message, /'a' → 'b' → 'a'/);
});

Deno.test("a phase waiting for itself is a cycle too", () => {
  const d = expectOne(edit(8, "      duration: 5s", "      startAfter: main"), {
    line: 5,
    col: 3,
    says: ["cycle"],
  });
  assert.match(d.message, /'main' → 'main'/);
});

Deno.test("startWith combined with startAfter is rejected at 'startWith'", () => {
  const lines = twoPhases([], ["      startAfter: a", "      startWith: a"]);
  expectOne(lines, {
    line: 17,
    col: 7,
    says: ["Phase 'b' combines 'startWith' with 'startAfter'", "use only 'startWith'"],
  });
});

Deno.test("a relative iteration reference from a phase without iterations is rejected", () => {
  const lines = twoPhases([], ["      startAfter:", "        phase: a", "        iteration: same"]);
  expectOne(lines, {
    line: 17,
    col: 9,
    says: [
      "Phase 'b' references 'a' with iteration 'same'",
      "has no iterations itself",
      "'maxIterations'",
    ],
  });
});

const atOnce = (users: string) => [
  ...HEAD,
  "phases:",
  "- once:",
  "    atOnce:",
  `      users: ${users}`, // 7
  "      scenario:",
  "      - test:",
  "        - noop",
];

Deno.test("negative users are rejected", () => {
  expectOne(atOnce("-5"), {
    line: 7,
    col: 14,
    path: "phases[0].once.atOnce.users",
    says: ["Found '-5'", "expected an integer ≥ 0"],
  });
});

Deno.test("non-integer users are rejected", () => {
  expectOne(atOnce("2.5"), { line: 7, col: 14, says: ["Found '2.5'", "expected an integer"] });
});

Deno.test("zero users leave the phase without users", () => {
  expectOne(atOnce("0"), { line: 7, col: 7, says: ["Phase 'once' has no users", "'users'"] });
});

Deno.test("'10 seconds' is not a duration", () => {
  expectOne(edit(8, "      duration: 10 seconds"), {
    line: 8,
    col: 17,
    path: "phases[0].main.constantRate.duration",
    says: ["Found '10 seconds'", "expected a duration such as '500ms', '10s'"],
  });
});

Deno.test("percentile key 99 suggests 0.99", () => {
  const lines = edit(
    8,
    "      duration: 5s",
    "      customSla:",
    "        test:",
    "          limits:",
    "            99: 100ms", // 12
  );
  expectOne(lines, {
    line: 12,
    col: 13,
    says: ["Percentile '99' must be a fraction between 0 and 1", "did you mean '0.99'?"],
  });
});

Deno.test("maxDuration shorter than duration is rejected at maxDuration", () => {
  expectOne(edit(8, "      duration: 5s", "      maxDuration: 2s"), {
    line: 9,
    col: 7,
    says: ["'maxDuration' (2000 ms) shorter than 'duration' (5000 ms)"],
  });
});

Deno.test("usersPerSec 0 is rejected", () => {
  expectOne(edit(7, "      usersPerSec: 0"), {
    line: 7,
    col: 7,
    says: ["Phase 'main' needs 'usersPerSec' > 0, found 0"],
  });
});

const request = (...lines: string[]) => edit(11, "        - httpRequest:", ...lines);

Deno.test("a request authority not declared in http is rejected", () => {
  expectOne(request("            authority: example.com:80", "            GET: /docs"), {
    line: 12,
    col: 24,
    path: "phases[0].main.constantRate.scenario[0].test[0].httpRequest",
    says: ["GET to example.com:80/docs is invalid", "no HTTP configuration defined"],
  });
});

Deno.test("an ambiguous request authority is rejected", () => {
  const lines = [
    "name: t",
    "http:",
    "- host: http://hyperfoil.io",
    "- host: https://hyperfoil.io",
    ...bench().slice(3, 10), // 5-11
    "        - httpRequest:", // 12
    "            authority: hyperfoil.io", // 13
    "            GET: /docs",
  ];
  expectOne(lines, {
    line: 13,
    col: 24,
    path: "phases[0].main.constantRate.scenario[0].test[0].httpRequest",
    says: [
      "GET to hyperfoil.io/docs is ambiguous",
      "'http://hyperfoil.io:80', 'https://hyperfoil.io:443'",
    ],
  });
});

Deno.test("a request without authority needs a default target", () => {
  const lines = [
    "name: t",
    "http:",
    "- host: http://a.example",
    "- host: http://b.example",
    ...bench().slice(3, 10), // 5-11
    "        - httpRequest:", // 12
    "            GET: /path", // 13
  ];
  expectOne(lines, {
    line: 13,
    col: 13,
    says: ["GET to /path is invalid", "no default HTTP target", "'authority'"],
  });
});

Deno.test("newSequence naming an undefined sequence is rejected", () => {
  expectOne(edit(11, "        - newSequence: tset"), {
    line: 11,
    col: 24,
    path: "phases[0].main.constantRate.scenario[0].test[0].newSequence",
    says: ["Sequence 'tset' is not defined in this scenario", "did you mean 'test'?"],
  });
});

Deno.test("foreach naming an undefined sequence is rejected", () => {
  const lines = edit(
    11,
    "        - set: items <- a",
    "        - foreach:",
    "            fromVar: items",
    "            sequence: missing", // 14
  );
  expectOne(lines, { line: 14, col: 23, says: ["Sequence 'missing' is not defined"] });
});

Deno.test("a data file that does not exist is rejected naming where it was looked for", () => {
  const lines = edit(
    11,
    "        - randomItem:",
    "            file: nope.txt",
    "            toVar: x",
  );
  expectOne(lines, {
    line: 12,
    col: 19,
    path: "phases[0].main.constantRate.scenario[0].test[0].randomItem.file",
    says: ["Data file 'nope.txt' does not exist", "(looked for ./nope.txt)"],
  });
});

Deno.test("a TLS certificate file that does not exist is rejected", () => {
  const lines = [...HEAD, "  keyManager:", "    certFile: client.pem", ...bench().slice(3)];
  expectOne(lines, {
    line: 5,
    col: 15,
    path: "http.keyManager.certFile",
    says: ["Data file 'client.pem' does not exist"],
  });
});

Deno.test("a YAML syntax error is reported with its position", () => {
  expectOne(["name: [unclosed", "http:", "  host: localhost"], {
    line: 2,
    col: 1,
    says: ["YAML syntax error"],
  });
});

Deno.test("tab indentation is a YAML error", () => {
  expectOne(["name: t", "http:", "\thost: localhost"], {
    line: 3,
    col: 1,
    says: ["YAML syntax error", "Tabs"],
  });
});

Deno.test("inconsistent indentation is a YAML error", () => {
  expectOne(["name: t", "http:", "  host: localhost", " port: 80"], {
    line: 4,
    col: 1,
    says: ["YAML syntax error", "same column"],
  });
});

Deno.test("a !param without value or default names the parameter", () => {
  expectOne(edit(3, "  host: !param HOST"), {
    line: 3,
    col: 16,
    says: ["Parameter 'HOST' is not defined and has no default value", "-P HOST=VALUE"],
  });
});

Deno.test("a duplicate phase name is rejected at the second definition", () => {
  const lines = [...bench(), ...bench().slice(4)];
  expectOne(lines, {
    line: 12,
    col: 3,
    path: "phases[1]",
    says: ["Phase 'main' is defined twice"],
  });
});

Deno.test("a duplicate agent is rejected", () => {
  const lines = [...bench(), "agents:", "- one: user@host1", "- two: host2", "- one: host3"];
  expectOne(lines, { line: 15, col: 3, says: ["Duplicate agent 'one'"] });
});

Deno.test("a step mapping with two keys hints at the indentation", () => {
  expectOne(edit(11, "        - httpRequest:", "          GET: /foo"), {
    line: 12,
    col: 11,
    says: ["single key", "found 2 keys", "'httpRequest', 'GET'", "is the indentation right?"],
  });
});

Deno.test("an unknown enum value lists the valid ones", () => {
  const d = expectOne([...bench(), "ergonomics:", "  followRedirect: SOMETIMES"], {
    line: 13,
    col: 19,
    path: "ergonomics.followRedirect",
    says: ["Found 'SOMETIMES'", "expected one of 'NEVER', 'LOCATION_ONLY', 'HTML_ONLY', 'ALWAYS'"],
  });
  assert.doesNotMatch(d.message, /did you mean/);
});

Deno.test("a near-miss enum value suggests the nearest", () => {
  expectOne([...bench(), "ergonomics:", "  followRedirect: ALWAY"], {
    line: 13,
    col: 19,
    says: ["Found 'ALWAY'", "did you mean 'ALWAYS'?"],
  });
});

Deno.test("a host with a path is rejected", () => {
  expectOne(edit(3, "  host: http://host/path"), {
    line: 3,
    col: 9,
    path: "http.host",
    says: ["Host 'http://host/path' must not contain a path ('/path')"],
  });
});

Deno.test("sharedConnections with core above max is rejected", () => {
  expectOne([...HEAD, "  sharedConnections: {core: 5, max: 2}", ...bench().slice(3)], {
    line: 4,
    col: 22,
    path: "http.sharedConnections",
    says: ["'core' (5) must not exceed 'max' (2)"],
  });
});

Deno.test("an unknown ergonomics key suggests the nearest", () => {
  expectOne([...bench(), "ergonomics:", "  autoRangeCheque: false"], {
    line: 13,
    col: 3,
    path: "ergonomics",
    says: ["Unknown property 'autoRangeCheque' in ergonomics", "did you mean 'autoRangeCheck'?"],
  });
});

Deno.test("a variable read but never written is a warning; the benchmark still loads", () => {
  const r = load(edit(11, "        - awaitVar: neverSet"));
  assert.ok(r.benchmark, r.diagnostics.map(formatDiagnostic).join("\n"));
  const warnings = r.diagnostics.filter((d) => d.severity === "warning");
  assert.equal(warnings.length, 1);
  assert.deepEqual([warnings[0].line, warnings[0].col], [11, 21]);
  assert.match(warnings[0].message, /Variable 'neverSet' is read but never written/);
});

Deno.test("a variable written by any step of the scenario is not warned about", () => {
  const r = load(edit(11, "        - awaitVar: later", "        - set: later <- 1"));
  assert.ok(r.benchmark);
  assert.deepEqual(r.diagnostics, []);
});

Deno.test("errors beyond 20 are counted as suppressed", () => {
  const keys = Array.from({ length: 25 }, (_, i) => `unknownKey${i}: 1`);
  const r = load([...bench(), ...keys]);
  assert.equal(r.benchmark, undefined);
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  assert.equal(errors.length, MAX_ERRORS);
  assert.equal(MAX_ERRORS, 20);
  assert.equal(r.suppressed, 5);
  assert.deepEqual(errors.map((e) => e.line), Array.from({ length: 20 }, (_, i) => 12 + i));
});

Deno.test("all errors of a file come at once", () => {
  const lines = [
    "name: t",
    "http:",
    "  host: http://localhost:8080",
    "  sharedConection: 4", // 4: unknown http property
    "ergonomics:",
    "  stopOnInvalid: maybe", // 6: not a boolean
    "phases:",
    "- main:",
    "    increasingRate:",
    "      initialUsersPerSec: 10", // 10: ramp going down
    "      targetUsersPerSec: 1",
    "      duration: 5s",
    "      scenario:",
    "      - test:",
    "        - noop",
  ];
  const errors = errorsOf(lines);
  assert.equal(errors.length, 3, errors.map(formatDiagnostic).join("\n"));
  expectAt(errors[0], {
    line: 4,
    col: 3,
    says: ["Unknown property 'sharedConection'", "did you mean 'sharedConnections'?"],
  });
  expectAt(errors[1], { line: 6, col: 18, says: ["Found 'maybe'", "expected 'true' or 'false'"] });
  expectAt(errors[2], { line: 10, col: 7, says: ["'initialUsersPerSec' (10) must be lower"] });
});

Deno.test("an empty file is one error", () => {
  expectOne([""], { line: 1, col: 1, says: ["The file is empty"] });
});

Deno.test("binary data is rejected without parsing", () => {
  const r = parseBenchmark("name: t\u0000\u0001\u0002", { file: "bench.hf.yaml" });
  assert.equal(r.benchmark, undefined);
  assert.equal(r.diagnostics.length, 1);
  assert.match(r.diagnostics[0].message, /NUL bytes/);
});

Deno.test("a top-level list is not a benchmark", () => {
  expectOne(["- name: t"], { line: 1, col: 1, says: ["Found a list", "expected a benchmark"] });
});

Deno.test("a duplicate top-level key is rejected", () => {
  expectOne([...bench(), "name: again"], {
    line: 12,
    col: 1,
    says: ["Duplicate top-level property 'name'"],
  });
});

Deno.test("staircase without its required keys names each", () => {
  const errors = errorsOf([
    ...HEAD,
    "staircase:",
    "  steadyStateDuration: 10s",
    "  scenario: [{s: [noop]}]",
  ]);
  assert.equal(errors.length, 2, errors.map(formatDiagnostic).join("\n"));
  for (const [i, key] of ["incrementUsersPerSec", "maxIterations"].entries()) {
    expectAt(errors[i], {
      line: 5,
      col: 3,
      path: "staircase",
      says: [`Missing required property '${key}'`],
    });
  }
});

Deno.test("staircase cannot be combined with phases", () => {
  expectOne([...bench(), "staircase:", "  steadyStateDuration: 10s"], {
    line: 4,
    col: 1,
    says: ["'staircase' generates the phases", "'phases'"],
  });
});

Deno.test("a top-level shorthand key cannot be combined with phases", () => {
  expectOne([...bench(), "usersPerSec: 5"], {
    line: 12,
    col: 1,
    says: ["'usersPerSec' at the top level", "'phases'"],
  });
});

Deno.test("the shorthand reports a missing duration at the top level", () => {
  const d = expectOne([...HEAD, "usersPerSec: 5", "scenario:", "- test:", "  - noop"], {
    line: 4,
    col: 1,
    path: "",
    says: ["Phase 'main' (constantRate) needs a 'duration'"],
  });
  assert.equal(
    formatDiagnostic(d),
    "bench.hf.yaml:4:1: Phase 'main' (constantRate) needs a 'duration' such as '60s'",
  );
});

Deno.test("maxIterations must be at least 1", () => {
  expectOne(edit(8, "      duration: 5s", "      maxIterations: 0"), {
    line: 9,
    col: 22,
    says: ["Found '0'", "expected an integer ≥ 1"],
  });
});

Deno.test("a phase name containing '/' is rejected", () => {
  expectOne(edit(5, "- ma/in:"), {
    line: 5,
    col: 3,
    says: ["Phase name 'ma/in' must not contain '/'"],
  });
});

Deno.test("a phase mapping with two keys hints at the indentation", () => {
  expectOne(edit(6, "  constantRate:"), {
    line: 6,
    col: 3,
    says: [
      "A phase is a mapping with a single key",
      "'main', 'constantRate'",
      "is the indentation right?",
    ],
  });
});

Deno.test("a scenario without an initial sequence is rejected", () => {
  const lines = edit(
    [9, 11],
    "      scenario:",
    "        sequences:",
    "        - test:",
    "          - noop",
  );
  expectOne(lines, { line: 10, col: 9, says: ["The scenario has no initial sequence"] });
});

Deno.test("an invalid sequence name is rejected", () => {
  expectOne(edit(10, "      - test[x]:"), {
    line: 10,
    col: 9,
    says: ["Invalid sequence name 'test[x]'", "expected 'name' or 'name[N]'"],
  });
});

Deno.test("a port out of range is rejected", () => {
  expectOne([...HEAD, "  port: 70000", ...bench().slice(3)], {
    line: 4,
    col: 9,
    path: "http.port",
    says: ["Found '70000'", "expected an integer ≥ 1 and ≤ 65535"],
  });
});

Deno.test("a port contradicting the host is rejected", () => {
  expectOne([...HEAD, "  port: 8081", ...bench().slice(3)], {
    line: 3,
    col: 9,
    says: ["Port 8081 contradicts the port in host 'http://localhost:8080'"],
  });
});

Deno.test("two unnamed http targets with the same authority are rejected", () => {
  const lines = [
    "name: t",
    "http:",
    "- host: http://a.example",
    "- host: a.example:80",
    ...bench().slice(3),
  ];
  expectOne(lines, {
    line: 4,
    col: 3,
    says: ["Duplicate HTTP target 'http://a.example:80'", "distinct 'name'"],
  });
});

Deno.test("an unknown template tag is rejected", () => {
  expectOne(edit(1, "name: !parm X"), { line: 1, col: 13, says: ["Unknown tag '!parm'"] });
});

Deno.test("an invalid agent port is rejected", () => {
  expectOne([...bench(), "agents:", "  one:", "    host: h", "    port: twenty"], {
    line: 13,
    col: 3,
    says: ["Agent property 'port' must be a port number, found 'twenty'"],
  });
});

Deno.test("a fork weight that rounds users to zero says so", () => {
  const lines = [
    ...HEAD,
    "phases:",
    "- once:",
    "    atOnce:",
    "      users: 1", // 7
    "      forks:",
    "        big: {weight: 9, scenario: [{s: [noop]}]}",
    "        small: {weight: 1, scenario: [{s: [noop]}]}",
  ];
  expectOne(lines, {
    line: 7,
    col: 7,
    says: ["Phase 'once/small' has no users", "rounds to 0 after the fork weight 0.1"],
  });
});

Deno.test("an iteration increment that turns the rate non-positive names the iteration", () => {
  const lines = edit(
    7,
    "      maxIterations: 3", // 7
    "      usersPerSec:",
    "        base: 10",
    "        increment: -5",
  );
  expectOne(lines, {
    line: 8,
    col: 7,
    says: ["Phase 'main/002' needs 'usersPerSec' > 0, found 0"],
  });
});

Deno.test("a phase model with nothing under it names what is missing", () => {
  expectOne(edit([6, 11], "    atOnce:"), {
    line: 6,
    col: 5,
    path: "phases[0].main.atOnce",
    says: ["Phase 'main' has no 'scenario' (or 'forks')"],
  });
});

Deno.test("a sequence defined twice is rejected at the second definition", () => {
  const lines = edit(
    [9, 11],
    "      scenario:",
    "        initialSequences:",
    "        - test: [noop]",
    "        sequences:",
    "        - test: [noop]", // 13
  );
  expectOne(lines, {
    line: 13,
    col: 11,
    says: ["Sequence 'test' is defined twice in this scenario"],
  });
});

Deno.test("a response time without a unit is rejected", () => {
  const lines = edit(
    8,
    "      duration: 5s",
    "      customSla:",
    "        test:",
    "          meanResponseTime: 10",
  );
  expectOne(lines, {
    line: 11,
    col: 29,
    path: "phases[0].main.constantRate.customSla.test.meanResponseTime",
    says: ["Found '10'", "(with a unit)"],
  });
});

Deno.test("absurdly deep nesting is one error, not a crash", () => {
  const r = parseBenchmark("name: " + "[".repeat(5000) + "]".repeat(5000), {
    file: "bench.hf.yaml",
  });
  assert.equal(r.benchmark, undefined);
  assert.equal(r.diagnostics.length, 1);
  assert.match(r.diagnostics[0].message, /nesting too deep|Nesting deeper than/);
});

Deno.test("aliases that multiply past the node budget are one error ('billion laughs')", () => {
  const lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
  for (let i = 1; i < 9; i++) {
    lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(", ")}]`);
  }
  const errors = errorsOf(lines);
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /The document has more than \d+ nodes/);
});
