/** The shell's command history, kept in `~/.hf_history` (or `$HF_HISTORY`) across sessions. */

/** Lines kept in memory and offered with Up. */
export const HISTORY_SIZE = 1000;

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined;
  }
}

/** `$HF_HISTORY`, else `~/.hf_history`; undefined when there is no home directory. */
export function defaultHistoryPath(): string | undefined {
  const explicit = env("HF_HISTORY");
  if (explicit !== undefined) return explicit;
  const home = env("HOME") ?? env("USERPROFILE");
  return home === undefined ? undefined : `${home}/.hf_history`;
}

export interface History {
  /** Oldest first. */
  readonly lines: readonly string[];
  /** Remembers `line` (not blank lines, nor a repeat of the last one) and appends it to the file. */
  add(line: string): Promise<void>;
}

/** The history in `path` (missing or unreadable: empty); without a path it lives in memory only. */
export async function loadHistory(path: string | undefined): Promise<History> {
  const lines: string[] = [];
  if (path !== undefined) {
    try {
      const text = await Deno.readTextFile(path);
      lines.push(...text.split("\n").filter((l) => l.trim() !== "").slice(-HISTORY_SIZE));
    } catch {
      // No history yet, or not readable: start empty.
    }
  }
  let writable = path !== undefined;
  return {
    lines,
    async add(line) {
      if (line.trim() === "" || lines.at(-1) === line) return;
      lines.push(line);
      if (lines.length > HISTORY_SIZE) lines.splice(0, lines.length - HISTORY_SIZE);
      if (!writable) return;
      try {
        await Deno.writeTextFile(path!, `${line}\n`, { append: true, mode: 0o600 });
      } catch {
        writable = false; // a read-only home: keep the history in memory
      }
    },
  };
}
