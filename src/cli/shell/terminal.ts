/**
 * The shell's input: on a terminal, keys in raw mode through the line editor
 * (raw only while reading, so a running command's Ctrl-C and an editor
 * behave as usual); elsewhere plain lines.
 * @module
 */
import type { UserInput } from "./context.ts";
import { type ByteSource, type KeyReader, keyReader } from "./keys.ts";
import { type LineEditorOptions, readLine } from "./line_editor.ts";

/** Where the shell reads its command lines and answers. */
export interface ShellInput extends UserInput {
  /** The next command line; null at end of input. */
  readCommand(
    prompt: string,
    options: Pick<LineEditorOptions, "history" | "complete" | "width">,
  ): Promise<string | null>;
}

/** A terminal: anything with `setRaw` (Deno.stdin). */
export interface RawTerminal {
  setRaw(mode: boolean): void;
}

function setRaw(terminal: RawTerminal, mode: boolean): void {
  try {
    terminal.setRaw(mode);
  } catch {
    // Not a terminal after all (closed, redirected): the editor still works on what arrives.
  }
}

/** Input from a terminal in raw mode, echoed and edited through `write`. */
export function terminalInput(
  source: ByteSource,
  terminal: RawTerminal,
  write: (text: string) => void,
): ShellInput {
  const keys: KeyReader = keyReader(source);
  const raw = async <T>(f: () => Promise<T>) => {
    setRaw(terminal, true);
    try {
      return await f();
    } finally {
      setRaw(terminal, false);
    }
  };
  return {
    interactive: true,
    readCommand: (prompt, options) => raw(() => readLine(keys, { prompt, write, ...options })),
    ask: (question, options) =>
      raw(() => readLine(keys, { prompt: question, write, secret: options?.secret })).then((l) =>
        l ?? undefined
      ),
    keyWithin: (ms) =>
      raw(async () => {
        const until = Date.now() + ms;
        // Only Enter (or Ctrl-C, Ctrl-D) stops; other keys are read and dropped.
        while (Date.now() < until) {
          if (!await keys.hasKeyWithin(until - Date.now())) return false;
          const key = await keys.next();
          if (key === null || ["enter", "interrupt", "eof"].includes(key.type)) return true;
        }
        return false;
      }),
    suspend: (f) => f(),
  };
}

/** Lines from a pipe or file; nothing is echoed and nothing waits for keys. */
export function plainInput(source: ByteSource, write: (text: string) => void): ShellInput {
  const decoder = new TextDecoder();
  let buffered = "";
  let ended = false;
  const nextLine = async (): Promise<string | null> => {
    for (;;) {
      const nl = buffered.indexOf("\n");
      if (nl >= 0) {
        const line = buffered.slice(0, nl).replace(/\r$/, "");
        buffered = buffered.slice(nl + 1);
        return line;
      }
      if (ended) {
        if (buffered === "") return null;
        const line = buffered;
        buffered = "";
        return line;
      }
      const chunk = await source.next();
      if (chunk === null) {
        ended = true;
        buffered += decoder.decode();
      } else buffered += decoder.decode(chunk, { stream: true });
    }
  };
  return {
    interactive: false,
    readCommand: () => nextLine(),
    async ask(question) {
      write(question);
      const line = await nextLine();
      write("\n");
      return line ?? undefined;
    },
    keyWithin: (ms) => new Promise((r) => setTimeout(() => r(false), ms)),
    suspend: (f) => f(),
  };
}
