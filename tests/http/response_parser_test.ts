import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import {
  type ParserOwner,
  type ParserTarget,
  ResponseParser,
} from "../../src/http/response_parser.ts";
import type { HttpErrorKind, ResponseHandlers } from "../../src/http/mod.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Parsed {
  status: number;
  headers: string[];
  rawHeaders: string[];
  body: string;
  bodyBytes: number[];
  keepAlive: boolean;
  rawBytes: number;
  headersEnded: boolean;
}

class Collect implements ResponseHandlers {
  readonly parsed: Parsed = {
    status: 0,
    headers: [],
    rawHeaders: [],
    body: "",
    bodyBytes: [],
    keepAlive: true,
    rawBytes: 0,
    headersEnded: false,
  };
  status(code: number): void {
    this.parsed.status = code;
  }
  headerBytes(buf: Uint8Array, ns: number, ne: number, vs: number, ve: number): void {
    this.parsed.rawHeaders.push(
      `${decoder.decode(buf.subarray(ns, ne))}=${decoder.decode(buf.subarray(vs, ve))}`,
    );
  }
  header(name: string, value: string): void {
    this.parsed.headers.push(`${name}=${value}`);
  }
  headersEnd(): void {
    this.parsed.headersEnded = true;
  }
  body(buf: Uint8Array, start: number, end: number): void {
    this.parsed.bodyBytes.push(...buf.subarray(start, end));
  }
  complete(): void {}
  error(_kind: HttpErrorKind, _message: string): void {}
}

/** Feeds `chunks` to a parser answering `targets` in order. */
function parse(
  chunks: Uint8Array[],
  targets: Partial<ParserTarget>[] = [{}],
  eof = false,
): { done: Parsed[]; ok: boolean; error: string; noKeepAlive: boolean; busy: boolean } {
  const queue = targets.map((t) => ({ handlers: new Collect(), isHead: false, gzip: false, ...t }));
  const done: Parsed[] = [];
  let noKeepAlive = false;
  const owner: ParserOwner = {
    nextTarget: () => queue[0],
    noKeepAlive: () => noKeepAlive = true,
    responseComplete(keepAlive, rawBytes) {
      const target = queue.shift()!;
      const parsed = (target.handlers as Collect).parsed;
      parsed.keepAlive = keepAlive;
      parsed.rawBytes = rawBytes;
      parsed.body = decoder.decode(new Uint8Array(parsed.bodyBytes));
      done.push(parsed);
      return true;
    },
  };
  const parser = new ResponseParser(owner);
  let ok = true;
  for (const chunk of chunks) {
    // parse from the middle of a larger buffer, as the read loop may
    const buf = new Uint8Array(chunk.length + 8).fill(10);
    buf.set(chunk, 4);
    if (!parser.execute(buf, 4, 4 + chunk.length)) {
      ok = false;
      break;
    }
  }
  if (ok && eof) ok = parser.eof();
  return { done, ok, error: parser.errorMessage, noKeepAlive, busy: parser.busy };
}

function bytes(data: string | Uint8Array): Uint8Array {
  return typeof data === "string" ? encoder.encode(data) : data;
}

/** Every way of cutting `data` in two, three pieces at a stride, and byte by byte. */
function splits(data: string | Uint8Array): Uint8Array[][] {
  const all = bytes(data);
  const out: Uint8Array[][] = [[all], [...all].map((b) => Uint8Array.of(b))];
  for (let i = 1; i < all.length; i++) out.push([all.subarray(0, i), all.subarray(i)]);
  for (let i = 1; i < all.length; i += 3) {
    const j = Math.min(all.length, i + 5);
    out.push([all.subarray(0, i), all.subarray(i, j), all.subarray(j)]);
  }
  return out;
}

function concat(...parts: (string | Uint8Array)[]): Uint8Array {
  const list = parts.map(bytes);
  const out = new Uint8Array(list.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of list) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

Deno.test("parser: content-length response at every split point", () => {
  const response =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nCONTENT-LENGTH: 11\r\n\r\nhello world";
  for (const chunks of splits(response)) {
    const { done, ok, busy } = parse(chunks);
    assert.ok(ok);
    assert.equal(done.length, 1);
    assert.equal(done[0].status, 200);
    assert.equal(done[0].body, "hello world");
    assert.deepEqual(done[0].headers, ["content-type=text/plain", "content-length=11"]);
    assert.deepEqual(done[0].rawHeaders, ["Content-Type=text/plain", "CONTENT-LENGTH=11"]);
    assert.equal(done[0].rawBytes, response.length);
    assert.ok(done[0].headersEnded && done[0].keepAlive);
    assert.ok(!busy);
  }
});

Deno.test("parser: chunked with extensions and trailers at every split point", () => {
  const response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n" +
    "5;ext=1;other\r\nhello\r\n1\r\n \r\nA \r\n0123456789\r\n0\r\nX-Trailer: yes\r\nX-Other: 2\r\n\r\n";
  for (const chunks of splits(response)) {
    const { done, ok } = parse(chunks);
    assert.ok(ok);
    assert.equal(done[0]?.body, "hello 0123456789");
    assert.equal(done[0].rawBytes, response.length);
  }
});

Deno.test("parser: 1xx interim responses are skipped", () => {
  const response = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" +
    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  for (const chunks of splits(response)) {
    const { done, ok } = parse(chunks);
    assert.ok(ok);
    assert.equal(done[0].status, 200);
    assert.deepEqual(done[0].headers, ["content-length=2"]);
    assert.equal(done[0].body, "ok");
  }
});

Deno.test("parser: 204, 304 and HEAD have no body; pipelined responses in one buffer", () => {
  const response = "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n" +
    "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n" +
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n" +
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfifth";
  for (const chunks of splits(response)) {
    const { done, ok } = parse(chunks, [{}, {}, { isHead: true }, {}]);
    assert.ok(ok);
    assert.deepEqual(done.map((d) => [d.status, d.body]), [[204, ""], [304, ""], [200, ""], [
      200,
      "fifth",
    ]]);
  }
});

Deno.test("parser: Connection: close and HTTP/1.0 end keep-alive", () => {
  const close = parse([bytes("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")]);
  assert.ok(close.noKeepAlive);
  assert.equal(close.done[0].keepAlive, false);
  const http10 = parse([bytes("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx")]);
  assert.equal(http10.done[0].keepAlive, false);
  const http10ka = parse([
    bytes("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\nx"),
  ]);
  assert.equal(http10ka.done[0].keepAlive, true);
  assert.ok(!http10ka.noKeepAlive);
});

Deno.test("parser: a body without length runs until close", () => {
  const response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end";
  for (const chunks of splits(response)) {
    const { done, ok, noKeepAlive } = parse(chunks, [{}], true);
    assert.ok(ok && noKeepAlive);
    assert.equal(done[0].body, "until the end");
    assert.equal(done[0].keepAlive, false);
  }
});

Deno.test("parser: a response cut short is reported at eof", () => {
  const cut = parse([bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")], [{}], true);
  assert.equal(cut.ok, false);
  assert.equal(cut.done.length, 0);
  const headOnly = parse([bytes("HTTP/1.1 200 OK\r\nContent-")], [{}], true);
  assert.equal(headOnly.ok, false);
  const clean = parse([bytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")], [{}], true);
  assert.ok(clean.ok);
});

Deno.test("parser: gzip bodies are decoded only when the request asked", () => {
  const text = "gzip me ".repeat(100);
  const zipped = gzipSync(encoder.encode(text));
  const fixed = concat(
    `HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${zipped.length}\r\n\r\n`,
    zipped,
  );
  const size = zipped.length.toString(16);
  const chunked = concat(
    "HTTP/1.1 200 OK\r\ncontent-encoding: GZIP\r\ntransfer-encoding: chunked\r\n\r\n",
    `${(10).toString(16)}\r\n`,
    zipped.subarray(0, 10),
    `\r\n${(zipped.length - 10).toString(16)}\r\n`,
    zipped.subarray(10),
    "\r\n0\r\n\r\n",
  );
  assert.ok(size.length > 0);
  for (const response of [fixed, chunked]) {
    for (const chunks of [[response], splits(response)[7], splits(response)[1]]) {
      const decoded = parse(chunks, [{ gzip: true }]);
      assert.ok(decoded.ok);
      assert.equal(decoded.done[0].body, text);
      assert.equal(decoded.done[0].rawBytes, response.length);
    }
    const raw = parse([response], [{ gzip: false }]);
    assert.deepEqual(new Uint8Array(raw.done[0].bodyBytes), new Uint8Array(zipped));
  }
  const te = concat(
    "HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\n\r\n",
    `${zipped.length.toString(16)}\r\n`,
    zipped,
    "\r\n0\r\n\r\n",
  );
  assert.equal(parse([te], [{ gzip: true }]).done[0].body, text);
});

Deno.test("parser: invalid input is a protocol error with a message", () => {
  const cases: [string, RegExp][] = [
    ["HTTX/1.1 200 OK\r\n\r\n", /Invalid status line 'HTTX\/1\.1 200 OK'/],
    ["HTTP/1.1 2x0 OK\r\n\r\n", /Invalid status line/],
    ["HTTP/1.1 200 OK\r\nno colon\r\n\r\n", /Invalid header line 'no colon'/],
    ["HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", /Invalid content-length/],
    [
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
      /Conflicting content-length/,
    ],
    ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", /Invalid chunk size 'zz'/],
    [
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n",
      /Missing CRLF after chunk data/,
    ],
  ];
  for (const [response, message] of cases) {
    const result = parse([bytes(response)]);
    assert.equal(result.ok, false, response);
    assert.match(result.error, message);
  }
  const unsolicited = parse([bytes("HTTP/1.1 200 OK\r\n\r\n")], []);
  assert.equal(unsolicited.ok, false);
  assert.match(unsolicited.error, /no request in flight/);
  const long = parse([bytes("HTTP/1.1 200 OK\r\nX: " + "a".repeat(70_000))]);
  assert.match(long.error, /Line too long/);
});

Deno.test("parser: a handler that stops the connection stops parsing", () => {
  const queue = [{ handlers: new Collect(), isHead: false, gzip: false }, {
    handlers: new Collect(),
    isHead: false,
    gzip: false,
  }];
  let completed = 0;
  const parser = new ResponseParser({
    nextTarget: () => queue[completed],
    noKeepAlive() {},
    responseComplete: () => {
      completed++;
      return false;
    },
  });
  const two = bytes(
    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
  );
  assert.ok(parser.execute(two, 0, two.length));
  assert.equal(completed, 1);
});
