/** Byte helpers shared by the request writer and the response parser. */

const encoder = new TextEncoder();
/** Shared by empty buffers until their first write (never written to). */
const EMPTY = new Uint8Array(0);
let decoder: TextDecoder | undefined;

/** Encodes a string as UTF-8 once (compile time, not per request). */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes UTF-8 bytes; the decoder is created on first use only. */
export function decodeUtf8(buf: Uint8Array, start = 0, end = buf.length): string {
  decoder ??= new TextDecoder();
  return decoder.decode(buf.subarray(start, end));
}

/** Decodes ISO-8859-1 (header bytes) into a string, lower-casing ASCII letters when asked. */
export function latin1(buf: Uint8Array, start: number, end: number, lower = false): string {
  let s = "";
  for (let i = start; i < end; i++) {
    let c = buf[i];
    if (lower && c >= 0x41 && c <= 0x5a) c |= 0x20;
    s += String.fromCharCode(c);
  }
  return s;
}

/** Whether `buf[start, end)` equals `lowerName` (lower-case ASCII) ignoring ASCII case. */
export function equalsIgnoreCase(
  buf: Uint8Array,
  start: number,
  end: number,
  lowerName: Uint8Array,
): boolean {
  const n = lowerName.length;
  if (end - start !== n) return false;
  for (let i = 0; i < n; i++) {
    const c = buf[start + i];
    if (c !== lowerName[i] && (c | 0x20) !== lowerName[i]) return false;
  }
  return true;
}

/** The number of bytes `text` takes in UTF-8. */
export function utf8Length(text: string): number {
  const n = text.length;
  let len = n;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) len += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        len += 2; // 4 bytes for the pair, which counts 2 UTF-16 units
        i++;
      } else len += 2;
    } else len += 2;
  }
  return len;
}

/**
 * A growable byte buffer written front to back and reset, never shrunk: the
 * per-connection request buffer.
 */
export class ByteBuffer {
  buf: Uint8Array;
  len = 0;

  constructor(initialSize = 1024) {
    this.buf = initialSize > 0 ? new Uint8Array(initialSize) : EMPTY;
  }

  /** Makes room for `extra` more bytes. */
  reserve(extra: number): void {
    const need = this.len + extra;
    if (need <= this.buf.length) return;
    let size = Math.max(256, this.buf.length * 2);
    while (size < need) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.len));
    this.buf = grown;
  }

  bytes(src: Uint8Array): void {
    this.reserve(src.length);
    this.buf.set(src, this.len);
    this.len += src.length;
  }

  /** Writes `text` as UTF-8; ASCII (the common case) without the encoder. */
  string(text: string): void {
    const n = text.length;
    this.reserve(n * 3);
    const buf = this.buf;
    let pos = this.len;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) {
        pos += encoder.encodeInto(text.slice(i), buf.subarray(pos)).written;
        break;
      }
      buf[pos++] = c;
    }
    this.len = pos;
  }

  /** Writes a non-negative integer in decimal. */
  decimal(value: number): void {
    this.reserve(16);
    const buf = this.buf;
    if (value === 0) {
      buf[this.len++] = 0x30;
      return;
    }
    let digits = 0;
    for (let v = value; v > 0; v = Math.floor(v / 10)) digits++;
    let pos = this.len + digits;
    this.len = pos;
    for (let v = value; v > 0; v = Math.floor(v / 10)) buf[--pos] = 0x30 + (v % 10);
  }
}
