/** The shell's key decoder and line editor, driven by scripted terminal bytes. */
import assert from "node:assert/strict";
import { keyDecoder, keyReader } from "../../src/cli/shell/keys.ts";
import { formatCandidates, readLine } from "../../src/cli/shell/line_editor.ts";
import type { Completion } from "../../src/cli/shell/completion.ts";

const enc = new TextEncoder();

/** A byte source that yields `chunks` one read at a time, then ends. */
function scripted(...chunks: (string | number[])[]) {
  const queue = chunks.map((c) => (typeof c === "string" ? enc.encode(c) : new Uint8Array(c)));
  return keyReader({ next: () => Promise.resolve(queue.shift() ?? null) });
}

const LEFT = "\x1b[D", RIGHT = "\x1b[C", UP = "\x1b[A", DOWN = "\x1b[B";
const HOME = "\x1b[H", END = "\x1b[F", DELETE = "\x1b[3~";

async function edit(
  chunks: (string | number[])[],
  options: { history?: string[]; complete?: (l: string, c: number) => Promise<Completion> } = {},
) {
  let screen = "";
  const keys = scripted(...chunks);
  const line = await readLine(keys, { prompt: "> ", write: (t) => (screen += t), ...options });
  return { line, screen, keys };
}

Deno.test("the decoder turns bytes into text, control keys and escape sequences", () => {
  const decode = keyDecoder();
  const keys = decode(enc.encode(`ab${LEFT}\x7f\x03\x04\t${DELETE}\x1bOH\x1b[1;5C\r`));
  assert.deepEqual(keys.map((k) => (k.type === "text" ? `text:${k.text}` : k.type)), [
    "text:ab",
    "left",
    "backspace",
    "interrupt",
    "eof",
    "tab",
    "delete",
    "home",
    "wordRight",
    "enter",
  ]);
});

Deno.test("the decoder keeps an escape sequence or a UTF-8 character split across reads", () => {
  const decode = keyDecoder();
  const euro = enc.encode("€");
  assert.deepEqual(decode(new Uint8Array([0x1b, 0x5b])), []);
  assert.deepEqual(decode(enc.encode("A")), [{ type: "up" }]);
  assert.deepEqual(decode(euro.subarray(0, 1)), []);
  assert.deepEqual(decode(euro.subarray(1)), [{ type: "text", text: "€" }]);
});

Deno.test("typing with left, right, home, end, backspace and delete edits in place", async () => {
  // "stts" → insert 'a' before the last "ts"; go home, delete 's'; end, backspace 's'; then "us".
  const { line } = await edit([
    "stts",
    LEFT + LEFT,
    "a",
    HOME,
    DELETE,
    "s" + RIGHT + RIGHT + RIGHT + RIGHT,
    END,
    "\x7f",
    "s\r",
  ]);
  assert.equal(line, "stats");
});

Deno.test("Up and Down walk the history and come back to the line being typed", async () => {
  const history = ["connect localhost:8090", "upload b.hf.yaml"];
  assert.equal((await edit([UP, "\r"], { history })).line, "upload b.hf.yaml");
  assert.equal((await edit([UP + UP + UP, "\r"], { history })).line, "connect localhost:8090");
  assert.equal((await edit(["sta", UP, DOWN, "ts\r"], { history })).line, "stats");
});

Deno.test("Ctrl-C clears the line and Ctrl-D on an empty line ends the input", async () => {
  const cleared = await edit(["run quickstart", [0x03], "status\r"]);
  assert.equal(cleared.line, "status");
  assert.match(cleared.screen, /\^C\r\n/);
  assert.equal((await edit([[0x04]])).line, null);
  // Ctrl-D inside a line deletes the character under the cursor.
  assert.equal((await edit(["statsx", LEFT, [0x04], "\r"])).line, "stats");
});

Deno.test("keys after Enter in the same read stay queued for the next line", async () => {
  const { line, keys } = await edit(["status\rstats\r"]);
  assert.equal(line, "status");
  const next = await readLine(keys, { prompt: "> ", write: () => {} });
  assert.equal(next, "stats");
});

Deno.test("Tab completes a single candidate and lists several", async () => {
  const candidates = ["start-local", "stats", "status"];
  const complete = (line: string, cursor: number): Promise<Completion> => {
    const start = line.lastIndexOf(" ", cursor - 1) + 1;
    const prefix = line.slice(start, cursor);
    return Promise.resolve({
      start,
      end: cursor,
      candidates: candidates.filter((c) => c.startsWith(prefix)),
    });
  };
  const single = await edit(["stat", "u", "\t", "\r"], { complete });
  assert.equal(single.line, "status ");
  const listed = await edit(["sta\t", "\r"], { complete });
  assert.equal(listed.line, "sta");
  assert.ok(listed.screen.includes(formatCandidates(candidates)), listed.screen);
  // A longer common prefix is filled in without listing.
  const prefix = await edit(["st\t\r"], { complete });
  assert.equal(prefix.line, "sta");
});

Deno.test("a secret line is not echoed", async () => {
  let screen = "";
  const line = await readLine(scripted("hunter2\r"), {
    prompt: "Password: ",
    write: (t) => (screen += t),
    secret: true,
  });
  assert.equal(line, "hunter2");
  assert.ok(!screen.includes("hunter2"), screen);
  assert.ok(screen.includes("Password: "));
});

Deno.test("a key arriving after a wait timed out is kept for the next read", async () => {
  let release!: (b: Uint8Array | null) => void;
  const reads: Promise<Uint8Array | null>[] = [
    new Promise((r) => (release = r)),
    Promise.resolve(null),
  ];
  const keys = keyReader({ next: () => reads.shift()! });
  assert.equal(await keys.hasKeyWithin(20), false);
  release(enc.encode("\r"));
  assert.equal(await keys.hasKeyWithin(1000), true);
  assert.deepEqual(await keys.next(), { type: "enter" });
  assert.equal(await keys.next(), null);
});
