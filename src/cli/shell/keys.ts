/**
 * Terminal input as keys: bytes from a raw-mode terminal decoded into key
 * presses (UTF-8 text, control keys, ANSI/xterm escape sequences, even when
 * split across reads), and a reader that queues them so nothing read is lost
 * when a caller stops waiting.
 * @module
 */

export type KeyName =
  | "enter"
  | "backspace"
  | "delete"
  | "left"
  | "right"
  | "home"
  | "end"
  | "up"
  | "down"
  | "tab"
  | "interrupt"
  | "eof"
  | "killEnd"
  | "killStart"
  | "deleteWord"
  | "wordLeft"
  | "wordRight"
  | "escape";

export type Key = { type: "text"; text: string } | { type: KeyName };

/** A source of byte chunks; `null` at end of input. */
export interface ByteSource {
  next(): Promise<Uint8Array | null>;
}

const CONTROL: Record<number, KeyName> = {
  0x01: "home", // Ctrl-A
  0x02: "left", // Ctrl-B
  0x03: "interrupt", // Ctrl-C
  0x04: "eof", // Ctrl-D
  0x05: "end", // Ctrl-E
  0x06: "right", // Ctrl-F
  0x08: "backspace", // Ctrl-H
  0x09: "tab",
  0x0a: "enter",
  0x0b: "killEnd", // Ctrl-K
  0x0d: "enter",
  0x0e: "down", // Ctrl-N
  0x10: "up", // Ctrl-P
  0x15: "killStart", // Ctrl-U
  0x17: "deleteWord", // Ctrl-W
  0x7f: "backspace",
};

/** CSI and SS3 finals, and `ESC [ n ~` numbers. */
const FINAL: Record<string, KeyName> = {
  A: "up",
  B: "down",
  C: "right",
  D: "left",
  H: "home",
  F: "end",
};
const TILDE: Record<string, KeyName> = {
  "1": "home",
  "7": "home",
  "3": "delete",
  "4": "end",
  "8": "end",
};

/** A length of a complete escape sequence at `i`, 0 when incomplete, -1 when not one. */
function escapeLength(b: Uint8Array, i: number): number {
  if (i + 1 >= b.length) return 0;
  const kind = b[i + 1];
  if (kind === 0x4f) return i + 2 < b.length ? 3 : 0; // ESC O x
  if (kind !== 0x5b) return 2; // ESC x: Alt-x
  for (let j = i + 2; j < b.length; j++) {
    if (b[j] >= 0x40 && b[j] <= 0x7e) return j - i + 1;
  }
  return 0;
}

function escapeKey(seq: string): Key {
  if (seq[1] === "O" || seq[1] === "[") {
    const final = seq.at(-1)!;
    const body = seq.slice(2, -1);
    if (final === "~") return { type: TILDE[body.split(";")[0]] ?? "escape" };
    // `ESC [ 1 ; 5 C` is Ctrl-Right.
    if (body.endsWith(";5") && (final === "C" || final === "D")) {
      return { type: final === "C" ? "wordRight" : "wordLeft" };
    }
    return { type: FINAL[final] ?? "escape" };
  }
  if (seq[1] === "b") return { type: "wordLeft" };
  if (seq[1] === "f") return { type: "wordRight" };
  if (seq[1] === "\x7f") return { type: "deleteWord" };
  return { type: "escape" };
}

/** How many bytes the UTF-8 sequence starting with `lead` has. */
function utf8Length(lead: number): number {
  if (lead >= 0xf0) return 4;
  if (lead >= 0xe0) return 3;
  if (lead >= 0xc0) return 2;
  return 1;
}

/**
 * A decoder that keeps incomplete sequences for the next chunk. A lone ESC
 * at the end of a chunk is the Escape key (terminals send sequences whole).
 */
export function keyDecoder(): (chunk: Uint8Array) => Key[] {
  let rest = new Uint8Array(0);
  const text = new TextDecoder();
  return (chunk) => {
    const b = new Uint8Array(rest.length + chunk.length);
    b.set(rest);
    b.set(chunk, rest.length);
    rest = new Uint8Array(0);
    const keys: Key[] = [];
    let i = 0;
    const pushText = (s: string) => {
      const last = keys.at(-1);
      if (last?.type === "text") last.text += s;
      else keys.push({ type: "text", text: s });
    };
    while (i < b.length) {
      const c = b[i];
      if (c === 0x1b) {
        const n = escapeLength(b, i);
        if (n === 0 && i + 1 >= b.length) {
          keys.push({ type: "escape" });
          i++;
        } else if (n === 0) {
          rest = b.slice(i);
          break;
        } else {
          keys.push(escapeKey(String.fromCharCode(...b.subarray(i, i + n))));
          i += n;
        }
      } else if (c === 0x0d && b[i + 1] === 0x0a) {
        keys.push({ type: "enter" }); // CRLF from a paste is one Enter
        i += 2;
      } else if (c < 0x20 || c === 0x7f) {
        const name = CONTROL[c];
        if (name) keys.push({ type: name });
        i++;
      } else {
        const n = utf8Length(c);
        if (i + n > b.length) {
          rest = b.slice(i);
          break;
        }
        pushText(text.decode(b.subarray(i, i + n)));
        i += n;
      }
    }
    return keys;
  };
}

export interface KeyReader {
  /** The next key; null at end of input. */
  next(): Promise<Key | null>;
  /**
   * True when a key arrives within `ms` (it stays queued for `next`). A read
   * under way when time runs out is kept, not lost.
   */
  hasKeyWithin(ms: number): Promise<boolean>;
}

/** Keys from `source`, decoded as they come. */
export function keyReader(source: ByteSource): KeyReader {
  const decode = keyDecoder();
  const queue: Key[] = [];
  let ended = false;
  let filling: Promise<boolean> | undefined;
  const ensure = (): Promise<boolean> => {
    if (queue.length > 0) return Promise.resolve(true);
    if (ended) return Promise.resolve(false);
    return filling ??= (async () => {
      try {
        while (queue.length === 0) {
          const chunk = await source.next();
          if (chunk === null) {
            ended = true;
            return false;
          }
          queue.push(...decode(chunk));
        }
        return true;
      } finally {
        filling = undefined;
      }
    })();
  };
  return {
    next: async () => ((await ensure()) ? queue.shift()! : null),
    async hasKeyWithin(ms) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
      try {
        // At end of input there is never a key: wait the time out rather than spin.
        return await Promise.race([ensure().then((k) => k || timeout), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Chunks from a stream reader (a terminal or a pipe). */
export function readerSource(read: (buffer: Uint8Array) => Promise<number | null>): ByteSource {
  return {
    async next() {
      const buffer = new Uint8Array(4096);
      const n = await read(buffer);
      return n === null ? null : buffer.subarray(0, n);
    },
  };
}
