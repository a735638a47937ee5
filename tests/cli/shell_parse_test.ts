/** Shell command lines: words, `-c` scripts, options against a command's spec, and Tab completion. */
import assert from "node:assert/strict";
import {
  keyValues,
  parseArgs,
  splitCommands,
  splitWords,
  UsageError,
} from "../../src/cli/shell/command_line.ts";
import { findCommand, shellCommands } from "../../src/cli/shell/commands/mod.ts";
import { complete, type CompletionSources } from "../../src/cli/shell/completion.ts";
import { tempFiles } from "./_hf.ts";

const commands = shellCommands();
const words = (line: string) => splitWords(line).map((w) => w.text);

Deno.test("words split on blanks, keep quoted text and escaped characters", () => {
  assert.deepEqual(words(`run  b -d "two words" -P 'k=v w'`), [
    "run",
    "b",
    "-d",
    "two words",
    "-P",
    "k=v w",
  ]);
  assert.deepEqual(words(String.raw`upload my\ file.yaml`), ["upload", "my file.yaml"]);
  assert.throws(() => splitWords(`run -d "open`), UsageError);
});

Deno.test("a -c script splits on ';' and newlines outside quotes", () => {
  assert.deepEqual(
    splitCommands("connect localhost:8090; upload b.hf.yaml;run b -d 'a;b'\nstats;;"),
    ["connect localhost:8090", "upload b.hf.yaml", "run b -d 'a;b'", "stats"],
  );
});

Deno.test("options parse by the command's spec: flags, values, repeats and glued -P", () => {
  const run = findCommand(commands, "run");
  const parsed = parseArgs(
    "run",
    words("b -P a=1 -Pb=2 --description=hello"),
    run.options,
    run.args,
  );
  assert.deepEqual(parsed.positionals, ["b"]);
  assert.deepEqual(parsed.options.param, ["a=1", "b=2"]);
  assert.equal(parsed.options.description, "hello");
  assert.deepEqual(keyValues(parsed.options.param as string[], "param"), { a: "1", b: "2" });
  const stats = findCommand(commands, "stats");
  assert.deepEqual(parseArgs("stats", ["-t", "-w"], stats.options, stats.args).options, {
    total: true,
    warmup: true,
  });
});

Deno.test("bad command lines give one-line usage errors naming what is wrong", () => {
  const exp = findCommand(commands, "export");
  assert.throws(
    () => parseArgs("export", ["-f", "xml"], exp.options, exp.args),
    /export: invalid --format 'xml': expected json or csv/,
  );
  assert.throws(() => parseArgs("export", ["-x"], exp.options, exp.args), /unknown option '-x'/);
  assert.throws(() => parseArgs("export", ["-d"], exp.options, exp.args), /--dir needs a value/);
  const cmp = findCommand(commands, "compare");
  assert.throws(
    () => parseArgs("compare", ["0001"], cmp.options, cmp.args),
    /missing argument RUN2/,
  );
  assert.throws(() => findCommand(commands, "stast"), /Unknown command 'stast'.*'stats'/);
  assert.equal(findCommand(commands, "quit").name, "exit");
  assert.equal(findCommand(commands, "conns").name, "connections");
});

const sources: CompletionSources = {
  commands,
  benchmarks: () => Promise.resolve(["quickstart", "quick-json", "other"]),
  runs: () => Promise.resolve(["0000", "0001", "0010"]),
  agents: () => Promise.reject(new Error("not connected")),
};

async function candidates(line: string) {
  return (await complete(line, line.length, sources)).candidates;
}

Deno.test("Tab completes commands, options, choices, benchmark names and run ids", async () => {
  assert.deepEqual(await candidates("sta"), ["start-local", "stats", "status"]);
  assert.deepEqual(await candidates("stats -"), ["--total", "--warmup", "-t", "-w"]);
  assert.deepEqual(await candidates("export -f "), ["CSV", "JSON", "csv", "json"]);
  assert.deepEqual(await candidates("run quick"), ["quick-json", "quickstart"]);
  assert.deepEqual(await candidates("run -d 'x y' q"), ["quick-json", "quickstart"]);
  assert.deepEqual(await candidates("stats 00"), ["0000", "0001", "0010"]);
  assert.deepEqual(await candidates("compare 0000 001"), ["0010"]);
  assert.deepEqual(await candidates("help up"), ["upload"]);
  // A source that fails offers nothing rather than an error.
  assert.deepEqual(await candidates("log "), []);
  const c = await complete("stats 00 -t", 8, sources);
  assert.deepEqual([c.start, c.end], [6, 8]);
});

Deno.test("Tab completes local files and directories for upload", async () => {
  await using dir = await tempFiles({ "bench.hf.yaml": "name: b\n", "beta.csv": "x\n" });
  await Deno.mkdir(`${dir.dir}/bdata`);
  const found = await candidates(`upload ${dir.dir}/b`);
  assert.deepEqual(found, [`${dir.dir}/bdata/`, `${dir.dir}/bench.hf.yaml`, `${dir.dir}/beta.csv`]);
  assert.deepEqual(await candidates(`export -d ${dir.dir}/b`), [`${dir.dir}/bdata/`]);
});
