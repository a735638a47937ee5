/**
 * A small line editor for a raw-mode terminal: cursor movement, home/end,
 * backspace/delete, word and line kills, history with Up/Down, Ctrl-C
 * clears the line, Ctrl-D on an empty line ends input, Tab completes
 * (listing the candidates when several fit). The line is redrawn in place
 * after every key; wide or wrapped lines are not handled specially.
 * @module
 */
import { commonPrefix, type Completion } from "./completion.ts";
import type { Key, KeyReader } from "./keys.ts";

export interface LineEditorOptions {
  prompt: string;
  /** Earlier lines, oldest first; Up walks back through them. */
  history?: readonly string[];
  /** Writes to the terminal. */
  write(text: string): void;
  complete?(line: string, cursor: number): Promise<Completion>;
  /** Echo nothing (passwords); no history, no completion. */
  secret?: boolean;
  /** Terminal width for listing candidates; default 80. */
  width?: number;
}

/** The line entered, or `null` at end of input (Ctrl-D on an empty line, or the input closed). */
export type LineResult = string | null;

interface EditState {
  chars: string[];
  cursor: number;
}

function insert(s: EditState, text: string): void {
  const add = [...text];
  s.chars.splice(s.cursor, 0, ...add);
  s.cursor += add.length;
}

function wordStart(chars: readonly string[], from: number): number {
  let i = from;
  while (i > 0 && chars[i - 1] === " ") i--;
  while (i > 0 && chars[i - 1] !== " ") i--;
  return i;
}

function wordEnd(chars: readonly string[], from: number): number {
  let i = from;
  while (i < chars.length && chars[i] === " ") i++;
  while (i < chars.length && chars[i] !== " ") i++;
  return i;
}

/** Candidates in columns, as shells list them. */
export function formatCandidates(candidates: readonly string[], width = 80): string {
  const cell = Math.max(...candidates.map((c) => c.length)) + 2;
  const perLine = Math.max(1, Math.floor(width / cell));
  let out = "";
  candidates.forEach((c, i) => {
    const endOfLine = (i + 1) % perLine === 0 || i === candidates.length - 1;
    out += endOfLine ? `${c}\r\n` : c.padEnd(cell);
  });
  return out;
}

/** Quotes a completed word that needs it. */
function quoteWord(word: string): string {
  return /[\s'"\\;]/.test(word) ? word.replace(/([\s'"\\;])/g, "\\$1") : word;
}

/** Reads one line from `keys`, echoing and editing it through `options.write`. */
export async function readLine(keys: KeyReader, options: LineEditorOptions): Promise<LineResult> {
  const { prompt, write } = options;
  const history = options.secret ? [] : options.history ?? [];
  const s: EditState = { chars: [], cursor: 0 };
  let index = history.length;
  let draft: string[] = [];
  const render = () => {
    if (options.secret) {
      write(`\r${prompt}\x1b[K`);
      return;
    }
    const back = s.chars.length - s.cursor;
    write(`\r${prompt}${s.chars.join("")}\x1b[K${back > 0 ? `\x1b[${back}D` : ""}`);
  };
  const recall = (i: number) => {
    if (index === history.length) draft = [...s.chars];
    index = i;
    s.chars = index === history.length ? [...draft] : [...history[index]];
    s.cursor = s.chars.length;
  };
  render();
  for (;;) {
    const key: Key | null = await keys.next();
    if (key === null) {
      write("\r\n");
      return s.chars.length > 0 ? s.chars.join("") : null;
    }
    switch (key.type) {
      case "text":
        // Pasted newlines arrive as Enter keys; other control characters are dropped.
        insert(s, key.text);
        break;
      case "enter":
        s.cursor = s.chars.length;
        render();
        write("\r\n");
        return s.chars.join("");
      case "interrupt":
        write(options.secret ? "\r\n" : "^C\r\n");
        s.chars = [];
        s.cursor = 0;
        index = history.length;
        break;
      case "eof":
        if (s.chars.length === 0) {
          write("\r\n");
          return null;
        }
        s.chars.splice(s.cursor, 1);
        break;
      case "backspace":
        if (s.cursor > 0) s.chars.splice(--s.cursor, 1);
        break;
      case "delete":
        s.chars.splice(s.cursor, 1);
        break;
      case "left":
        s.cursor = Math.max(0, s.cursor - 1);
        break;
      case "right":
        s.cursor = Math.min(s.chars.length, s.cursor + 1);
        break;
      case "home":
        s.cursor = 0;
        break;
      case "end":
        s.cursor = s.chars.length;
        break;
      case "wordLeft":
        s.cursor = wordStart(s.chars, s.cursor);
        break;
      case "wordRight":
        s.cursor = wordEnd(s.chars, s.cursor);
        break;
      case "killEnd":
        s.chars.splice(s.cursor);
        break;
      case "killStart":
        s.chars.splice(0, s.cursor);
        s.cursor = 0;
        break;
      case "deleteWord": {
        const from = wordStart(s.chars, s.cursor);
        s.chars.splice(from, s.cursor - from);
        s.cursor = from;
        break;
      }
      case "up":
        if (index > 0) recall(index - 1);
        break;
      case "down":
        if (index < history.length) recall(index + 1);
        break;
      case "tab":
        if (!options.secret && options.complete) await completeAt(s, options);
        break;
      case "escape":
        break;
    }
    render();
  }
}

async function completeAt(s: EditState, options: LineEditorOptions): Promise<void> {
  const line = s.chars.join("");
  // Completion works on UTF-16 offsets; the editor on code points.
  const offset = s.chars.slice(0, s.cursor).join("").length;
  const c = await options.complete!(line, offset);
  if (c.candidates.length === 0) return;
  const typed = line.slice(c.start, c.end);
  const replace = (word: string, done: boolean) => {
    const before = [...line.slice(0, c.start)];
    const after = [...line.slice(c.end)];
    const text = [...(quoteWord(word) + (done && !word.endsWith("/") ? " " : ""))];
    s.chars = [...before, ...text, ...after];
    s.cursor = before.length + text.length;
  };
  if (c.candidates.length === 1) {
    replace(c.candidates[0], true);
    return;
  }
  const prefix = commonPrefix(c.candidates);
  if (prefix.length > typed.length) {
    replace(prefix, false);
    return;
  }
  options.write(`\r\n${formatCandidates(c.candidates, options.width)}`);
}
