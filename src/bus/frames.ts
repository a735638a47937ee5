/**
 * The bus's frame codec (DESIGN "The event bus"): a frame is a 4-byte
 * big-endian length followed by that many bytes of UTF-8 JSON. A frame longer
 * than the limit, or one that is not JSON, is a {@link ProtocolError}: the
 * connection it came on cannot be trusted any more and is closed.
 * @module
 */

/** Frames larger than this close the connection (16 MiB). */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** The peer broke the framing or the message protocol. */
export class ProtocolError extends Error {
  override name = "ProtocolError";
}

const encoder = new TextEncoder();

/** `value` as one frame; a ProtocolError when its JSON is longer than `maxFrameBytes`. */
export function encodeFrame(value: unknown, maxFrameBytes = MAX_FRAME_BYTES): Uint8Array {
  const json = JSON.stringify(value);
  if (json === undefined) throw new ProtocolError("Cannot encode a frame of 'undefined'");
  // Worst case 3 bytes per UTF-16 unit; encodeInto avoids a second copy.
  const frame = new Uint8Array(4 + json.length * 3);
  const { written } = encoder.encodeInto(json, frame.subarray(4));
  if (written > maxFrameBytes) {
    throw new ProtocolError(
      `Frame of ${written} bytes exceeds the limit of ${maxFrameBytes} bytes`,
    );
  }
  new DataView(frame.buffer).setUint32(0, written);
  return frame.subarray(0, 4 + written);
}

/** Turns a byte stream back into values, whatever the chunking of the reads. */
export interface FrameDecoder {
  /**
   * Adds bytes read from the connection and returns the values of the frames
   * they complete (none, one or several). Throws a ProtocolError on an
   * oversized frame or one that is not JSON; the decoder is unusable after that.
   */
  push(chunk: Uint8Array): unknown[];
  /** Adds bytes without decoding; take the values with {@link next}. */
  write(chunk: Uint8Array): void;
  /**
   * The next complete frame's value, or `undefined` (never a JSON value) when
   * none is complete. One at a time, so a limit changed in between applies to
   * the frames after. Throws as {@link push} does.
   */
  next(): unknown;
  /** Bytes received but not yet part of a complete frame. */
  readonly buffered: number;
  /** Changes the size limit for frames not yet started (e.g. after authentication). */
  setMaxFrameBytes(maxFrameBytes: number): void;
}

export interface FrameDecoderOptions {
  /** Default {@link MAX_FRAME_BYTES}. */
  maxFrameBytes?: number;
}

/** A decoder for one connection. */
export function frameDecoder(options: FrameDecoderOptions = {}): FrameDecoder {
  let limit = options.maxFrameBytes ?? MAX_FRAME_BYTES;
  // One growable buffer; [start, end) holds the unconsumed bytes.
  let buf = new Uint8Array(64 * 1024);
  let start = 0;
  let end = 0;
  let broken: ProtocolError | undefined;
  const decoder = new TextDecoder("utf-8", { fatal: true });

  function append(chunk: Uint8Array): void {
    if (end + chunk.length > buf.length) {
      const live = end - start;
      if (live + chunk.length <= buf.length && start > 0) {
        buf.copyWithin(0, start, end);
      } else {
        let size = buf.length;
        while (size < live + chunk.length) size *= 2;
        const grown = new Uint8Array(size);
        grown.set(buf.subarray(start, end));
        buf = grown;
      }
      start = 0;
      end = live;
    }
    buf.set(chunk, end);
    end += chunk.length;
  }

  function fail(message: string): never {
    broken = new ProtocolError(message);
    throw broken;
  }

  function parse(bytes: Uint8Array): unknown {
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      fail(`Frame of ${bytes.length} bytes is not valid UTF-8`);
    }
    try {
      return JSON.parse(text);
    } catch {
      fail(`Frame of ${bytes.length} bytes is not JSON: '${text.slice(0, 40)}'`);
    }
  }

  function write(chunk: Uint8Array): void {
    if (broken) throw broken;
    append(chunk);
  }

  function next(): unknown {
    if (broken) throw broken;
    if (end - start < 4) return undefined;
    const length = new DataView(buf.buffer, buf.byteOffset + start, 4).getUint32(0);
    if (length > limit) fail(`Frame of ${length} bytes exceeds the limit of ${limit} bytes`);
    if (end - start < 4 + length) return undefined;
    const value = parse(buf.subarray(start + 4, start + 4 + length));
    start += 4 + length;
    if (start === end) {
      start = end = 0;
      // A buffer grown for one big frame goes back to its usual size.
      if (buf.length > 1024 * 1024) buf = new Uint8Array(64 * 1024);
    }
    return value;
  }

  return {
    push(chunk) {
      write(chunk);
      const values: unknown[] = [];
      for (let v = next(); v !== undefined; v = next()) values.push(v);
      return values;
    },
    write,
    next,
    get buffered() {
      return end - start;
    },
    setMaxFrameBytes(maxFrameBytes) {
      limit = maxFrameBytes;
    },
  };
}
