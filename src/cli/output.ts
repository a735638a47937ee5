/**
 * Where commands write. Commands take an `Output` rather than using the
 * console, so they can be driven from tests and a closed pipe never throws.
 */

export interface Output {
  /** Writes text (newlines included) to standard output. */
  out(text: string): void;
  /** Writes text (newlines included) to standard error. */
  err(text: string): void;
}

/** Writes to the process's stdout and stderr; output to a closed pipe is dropped. */
export function stdio(): Output {
  const encoder = new TextEncoder();
  const sink = (stream: { writeSync(p: Uint8Array): number }) => {
    let closed = false;
    return (text: string) => {
      if (closed) return;
      let bytes = encoder.encode(text);
      try {
        while (bytes.length > 0) bytes = bytes.subarray(stream.writeSync(bytes));
      } catch (e) {
        // `hf inspect x | head`: the reader is gone; the exit code still matters.
        if (!(e instanceof Deno.errors.BrokenPipe)) throw e;
        closed = true;
      }
    };
  };
  return { out: sink(Deno.stdout), err: sink(Deno.stderr) };
}
