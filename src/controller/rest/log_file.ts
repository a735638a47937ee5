/**
 * Log files the REST API serves: the controller's own log
 * (`${root}/controller.log`, appended line by line) and agents' logs in run
 * directories, read from an offset (`/log?offset=&maxLength=`).
 * @module
 */

export type LogLevel = "info" | "warn" | "error";

/** An append-only log file; writes are queued so lines never interleave. */
export interface LogFile {
  readonly path: string;
  /** Appends one line `ISO-time LEVEL [agent] message`; failures are reported to `onError` once. */
  write(level: LogLevel, message: string, agent?: string): void;
  /** Resolves when everything written so far is on disk. */
  flush(): Promise<void>;
}

/** Opens `path` for appending (the directory must exist when the first line is written). */
export function logFile(path: string, onError: (e: unknown) => void): LogFile {
  const encoder = new TextEncoder();
  let tail: Promise<void> = Promise.resolve();
  let failed = false;
  return {
    path,
    write(level, message, agent) {
      const line = `${new Date().toISOString()} ${level.toUpperCase()} ${
        agent === undefined ? "" : `[${agent}] `
      }${message.replace(/\n/g, "\n  ")}\n`;
      tail = tail.then(() => Deno.writeFile(path, encoder.encode(line), { append: true }))
        .catch((e) => {
          if (!failed) onError(e);
          failed = true;
        });
    },
    flush: () => tail,
  };
}

/**
 * Up to `maxLength` bytes (negative: all) of the file from `offset`;
 * undefined when the file does not exist.
 */
export async function readLogRange(
  path: string,
  offset: number,
  maxLength: number,
): Promise<Uint8Array | undefined> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  using f = file;
  const size = (await f.stat()).size;
  const start = Math.min(offset, size);
  const length = maxLength < 0 ? size - start : Math.min(maxLength, size - start);
  await f.seek(start, Deno.SeekMode.Start);
  const out = new Uint8Array(length);
  let at = 0;
  while (at < length) {
    const n = await f.read(out.subarray(at));
    if (n === null) break;
    at += n;
  }
  return out.subarray(0, at);
}
