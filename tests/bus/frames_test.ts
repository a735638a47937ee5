/** The frame codec: length-prefixed UTF-8 JSON, whatever the chunking of the reads. */
import assert from "node:assert/strict";
import { encodeFrame, frameDecoder, MAX_FRAME_BYTES, ProtocolError } from "../../src/bus/frames.ts";

const concat = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

Deno.test("a frame is a 4-byte big-endian length and the UTF-8 JSON", () => {
  const value = { type: "log", message: "é" };
  const frame = encodeFrame(value);
  const json = new TextEncoder().encode(JSON.stringify(value));
  assert.equal(new DataView(frame.buffer, frame.byteOffset).getUint32(0), json.length);
  assert.deepEqual(frame.subarray(4), json);
  assert.equal(MAX_FRAME_BYTES, 16 * 1024 * 1024);
});

Deno.test("several frames in one read decode in order", () => {
  const values = [{ type: "a" }, { type: "b", n: 1 }, [1, 2], "text", 42, null];
  const dec = frameDecoder();
  assert.deepEqual(dec.push(concat(values.map((v) => encodeFrame(v)))), values);
  assert.equal(dec.buffered, 0);
});

Deno.test("frames split byte by byte (multi-byte characters too) decode once complete", () => {
  const values = [{ type: "x", text: "żółw 🐢 — ok" }, { type: "y", list: [1, 2, 3] }];
  const frames = values.map((v) => encodeFrame(v));
  const bytes = concat(frames);
  const dec = frameDecoder();
  const got: unknown[] = [];
  const completedAt: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const out = dec.push(bytes.subarray(i, i + 1));
    if (out.length > 0) completedAt.push(i);
    got.push(...out);
  }
  assert.deepEqual(got, values);
  // Each value appears exactly with the last byte of its frame.
  assert.deepEqual(completedAt, [frames[0].length - 1, bytes.length - 1]);
  assert.equal(dec.buffered, 0);
});

Deno.test("a frame of several MiB arrives in uneven chunks and the decoder goes on afterwards", () => {
  const big = { type: "requestStats", data: "x".repeat(5 * 1024 * 1024) };
  const bytes = concat([encodeFrame(big), encodeFrame({ type: "after" })]);
  const dec = frameDecoder();
  const got: unknown[] = [];
  for (let at = 0, step = 1; at < bytes.length; at += step, step = step * 3 % 100_003 + 1) {
    got.push(...dec.push(bytes.subarray(at, at + step)));
  }
  assert.deepEqual(got, [big, { type: "after" }]);
});

Deno.test("a length over the limit is a ProtocolError as soon as the header is in", () => {
  const dec = frameDecoder({ maxFrameBytes: 1000 });
  const header = new Uint8Array(4);
  new DataView(header.buffer).setUint32(0, 1001);
  assert.throws(() => dec.push(header), (e: unknown) => {
    assert.ok(e instanceof ProtocolError);
    assert.match(e.message, /Frame of 1001 bytes exceeds the limit of 1000 bytes/);
    return true;
  });
  // Broken for good: the stream can no longer be trusted.
  assert.throws(() => dec.push(encodeFrame({ type: "ok" })), ProtocolError);
});

Deno.test("encoding a value over the limit is a ProtocolError", () => {
  assert.throws(
    () => encodeFrame({ text: "y".repeat(2000) }, 1000),
    (e: unknown) => e instanceof ProtocolError && /exceeds the limit of 1000/.test(e.message),
  );
  assert.throws(() => encodeFrame(undefined), ProtocolError);
});

Deno.test("a frame that is not JSON or not UTF-8 is a ProtocolError", () => {
  const frame = (body: Uint8Array) => {
    const out = new Uint8Array(4 + body.length);
    new DataView(out.buffer).setUint32(0, body.length);
    out.set(body, 4);
    return out;
  };
  assert.throws(
    () => frameDecoder().push(frame(new TextEncoder().encode("{not json"))),
    (e: unknown) => e instanceof ProtocolError && /not JSON: '\{not json'/.test(e.message),
  );
  assert.throws(
    () => frameDecoder().push(frame(new Uint8Array([0x22, 0xff, 0xfe, 0x22]))),
    (e: unknown) => e instanceof ProtocolError && /not valid UTF-8/.test(e.message),
  );
  assert.throws(() => frameDecoder().push(frame(new Uint8Array(0))), ProtocolError);
});

Deno.test("the limit can be raised for frames not yet started", () => {
  const dec = frameDecoder({ maxFrameBytes: 64 });
  const big = encodeFrame({ type: "z", text: "a".repeat(100) });
  assert.throws(() => frameDecoder({ maxFrameBytes: 64 }).push(big), ProtocolError);
  dec.setMaxFrameBytes(1024);
  assert.deepEqual(dec.push(big), [{ type: "z", text: "a".repeat(100) }]);
});

Deno.test("next() decodes one frame at a time, so a raised limit applies to the frames after", () => {
  const dec = frameDecoder({ maxFrameBytes: 64 });
  const small = { type: "welcome" };
  const big = { type: "initialize", text: "b".repeat(500) };
  dec.write(new Uint8Array([...encodeFrame(small), ...encodeFrame(big)]));
  assert.deepEqual(dec.next(), small);
  dec.setMaxFrameBytes(1024);
  assert.deepEqual(dec.next(), big);
  assert.equal(dec.next(), undefined);
  assert.equal(dec.buffered, 0);
});
