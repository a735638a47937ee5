/**
 * One TCP connection of the bus, below the handshake: frames in (decoded
 * whatever the chunking), frames out (queued so writes never interleave),
 * and one way to end it. Both the controller's and the agent's side use it.
 * @module
 */
import { encodeFrame, frameDecoder, ProtocolError } from "./frames.ts";

export type BusLogger = (level: "info" | "warn" | "error", message: string) => void;

export interface FramedLinkOptions {
  /** Frames above this close the connection. */
  maxFrameBytes: number;
  /** Who is at the other end, for reasons: "agent 'a1'", "controller at 127.0.0.1:9000". */
  peer: string;
  onLog: BusLogger;
}

/** A framed connection; see the module doc. */
export interface FramedLink {
  /** Queues `value` as one frame; a no-op once the link is closing. */
  send(value: unknown): void;
  /** Where decoded frames go from now on (the handshake, then the endpoint). */
  setReceiver(receiver: (value: unknown) => void): void;
  /**
   * Who hears about the end, exactly once, with the reason. Replaces the earlier
   * closer (the handshake's, then the endpoint's); called at once
   * (asynchronously) when the link already ended.
   */
  setCloser(closer: ((reason: string) => void) | undefined): void;
  /** Stops accepting frames either way, flushes what is queued, then closes. */
  close(reason: string): void;
  /** Changes the limit for frames not yet started (larger after authentication). */
  setMaxFrameBytes(maxFrameBytes: number): void;
  readonly closing: boolean;
  /** Resolves once the socket is closed and its reads and writes settled. */
  readonly done: Promise<void>;
}

/** How long a closing link waits for its queue to drain and for the peer's end. */
const LINGER_MS = 2000;
/** Reads and writes are batched up to this size. */
const CHUNK_BYTES = 256 * 1024;

export function framedLink(conn: Deno.Conn, options: FramedLinkOptions): FramedLink {
  const { peer, onLog } = options;
  let maxFrameBytes = options.maxFrameBytes;
  const decoder = frameDecoder({ maxFrameBytes });
  let receiver: (value: unknown) => void = () => {};
  let closer: ((reason: string) => void) | undefined;
  let endReason: string | undefined;
  let notified = false;
  let closing = false;
  let socketClosed = false;

  // The queue is bounded: a peer that stops reading is warned about, then dropped.
  const queue: Uint8Array[] = [];
  let queued = 0;
  let warned = false;
  const warnBytes = () => Math.max(maxFrameBytes, 1024 * 1024);
  const limitBytes = () => 16 * warnBytes();
  let writing: Promise<void> | undefined;

  const readEnded = readLoop();
  let resolveClosed!: () => void;
  const socketGone = new Promise<void>((r) => (resolveClosed = r));
  const done = Promise.all([readEnded, socketGone]).then(async () => {
    await writing;
  });

  async function readLoop(): Promise<void> {
    const chunk = new Uint8Array(CHUNK_BYTES);
    try {
      for (;;) {
        const n = await conn.read(chunk);
        if (n === null) {
          close(`The ${peer} closed the connection`);
          return;
        }
        if (closing) continue; // draining until the peer's end of stream
        try {
          decoder.write(chunk.subarray(0, n));
          // One frame at a time: the receiver may raise the limit for the next (after the welcome).
          for (let v = decoder.next(); v !== undefined && !closing; v = decoder.next()) receiver(v);
        } catch (e) {
          if (!(e instanceof ProtocolError)) throw e;
          onLog("warn", `Closing the connection to the ${peer}: ${e.message}`);
          close(`Protocol error from the ${peer}: ${e.message}`);
        }
      }
    } catch (e) {
      if (!socketClosed) destroy(`Connection to the ${peer} failed: ${describe(e)}`);
    }
  }

  function send(value: unknown): void {
    if (closing) return;
    let frame: Uint8Array;
    try {
      frame = encodeFrame(value, maxFrameBytes);
    } catch (e) {
      const what = (value as { type?: unknown })?.type;
      const reason = `Cannot send '${String(what)}' to the ${peer}: ${describe(e)}`;
      onLog("error", reason);
      close(reason);
      return;
    }
    queue.push(frame);
    queued += frame.length;
    if (queued > limitBytes()) {
      const reason = `The ${peer} does not read: ${mib(queued)} queued`;
      onLog("error", reason);
      destroy(reason);
      return;
    }
    if (queued > warnBytes() && !warned) {
      warned = true;
      onLog("warn", `The ${peer} reads slowly: ${mib(queued)} queued`);
    }
    writing ??= flush();
  }

  async function flush(): Promise<void> {
    try {
      while (queue.length > 0 && !socketClosed) {
        const batch = takeBatch();
        for (let at = 0; at < batch.length;) at += await conn.write(batch.subarray(at));
        queued -= batch.length;
        if (queued < warnBytes() / 2) warned = false;
      }
    } catch (e) {
      if (!socketClosed) destroy(`Cannot write to the ${peer}: ${describe(e)}`);
    } finally {
      writing = undefined;
    }
  }

  /** Small frames written together: one syscall for a burst of messages. */
  function takeBatch(): Uint8Array {
    if (queue.length === 1 || queue[0].length >= CHUNK_BYTES) return queue.shift()!;
    let size = 0;
    let count = 0;
    while (count < queue.length && size + queue[count].length <= CHUNK_BYTES) {
      size += queue[count++].length;
    }
    const batch = new Uint8Array(size);
    let at = 0;
    for (const f of queue.splice(0, count)) {
      batch.set(f, at);
      at += f.length;
    }
    return batch;
  }

  function notify(reason: string): void {
    endReason = reason;
    if (closer !== undefined && !notified) {
      notified = true;
      const c = closer;
      queueMicrotask(() => c(reason));
    }
  }

  /** Graceful: what was queued still goes out, then our end of stream, then the socket. */
  function close(reason: string): void {
    if (closing) return;
    closing = true;
    notify(reason);
    void (async () => {
      await bounded(async () => {
        while (writing !== undefined) await writing;
      });
      if (socketClosed) return;
      try {
        await conn.closeWrite();
      } catch {
        // Already reset by the peer: nothing to say goodbye to.
      }
      // Closing with unread input would reset the connection; wait for the peer's end.
      await bounded(() => readEnded);
      closeSocket();
    })();
  }

  /** At once: the queue is dropped. */
  function destroy(reason: string): void {
    if (!closing) {
      closing = true;
      notify(reason);
    }
    queue.length = 0;
    queued = 0;
    closeSocket();
  }

  function closeSocket(): void {
    if (socketClosed) return;
    socketClosed = true;
    try {
      conn.close();
    } catch {
      // Closed already.
    }
    resolveClosed();
  }

  return {
    send,
    setReceiver(r) {
      receiver = r;
    },
    setCloser(c) {
      closer = c;
      notified = false;
      if (c !== undefined && endReason !== undefined) notify(endReason);
    },
    close,
    setMaxFrameBytes(n) {
      maxFrameBytes = n;
      decoder.setMaxFrameBytes(n);
    },
    get closing() {
      return closing;
    },
    done,
  };
}

/** Runs `f` for at most {@link LINGER_MS}. */
async function bounded(f: () => Promise<unknown>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      f().catch(() => {}),
      new Promise<void>((r) => (timer = setTimeout(r, LINGER_MS))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

export function describe(e: unknown): string {
  if (e instanceof Deno.errors.ConnectionReset) return "connection reset";
  if (e instanceof Deno.errors.BrokenPipe) return "broken pipe";
  if (e instanceof Deno.errors.ConnectionRefused) return "connection refused";
  return e instanceof Error ? e.message : String(e);
}
