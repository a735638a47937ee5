import assert from "node:assert/strict";
import { ByteBuffer } from "../../src/http/_bytes.ts";
import { encodeRequest, isStaticRequest } from "../../src/http/request_template.ts";
import {
  endpointFromUrl,
  hostHeader,
  type HttpRequest,
  RequestTemplate,
} from "../../src/http/mod.ts";

function encode(req: HttpRequest): string {
  const out = new ByteBuffer(4);
  encodeRequest(req, out);
  return new TextDecoder().decode(out.buf.subarray(0, out.len));
}

Deno.test("a static GET compiles to one pre-encoded request", () => {
  const template = new RequestTemplate({
    method: "get",
    host: "example.com:8080",
    path: "/index.html?a=1",
    headers: [["accept", "*/*"]],
  });
  const expected = "GET /index.html?a=1 HTTP/1.1\r\nhost: example.com:8080\r\naccept: */*\r\n\r\n";
  assert.equal(new TextDecoder().decode(template.complete), expected);
  assert.ok(isStaticRequest({ template }));
  assert.equal(encode({ template }), expected);
});

Deno.test("dynamic path, header values, extra headers and a UTF-8 body are filled per request", () => {
  const template = new RequestTemplate({
    method: "PUT",
    host: "h",
    dynamicHeaders: ["x-a", "x-b"],
    compression: "gzip",
  });
  assert.equal(template.complete, undefined);
  const text = encode({
    template,
    path: "/p/ü",
    headerValues: ["1", "two"],
    extraHeaders: ["cookie", "k=v"],
    body: "€uro",
  });
  assert.equal(
    text,
    "PUT /p/ü HTTP/1.1\r\nhost: h\r\naccept-encoding: gzip\r\nx-a: 1\r\nx-b: two\r\ncookie: k=v\r\n" +
      "content-length: 6\r\n\r\n€uro",
  );
});

Deno.test("POST without a body sends content-length 0; bytes bodies are copied as is", () => {
  const template = new RequestTemplate({ method: "POST", host: "h", path: "/" });
  assert.equal(encode({ template }), "POST / HTTP/1.1\r\nhost: h\r\ncontent-length: 0\r\n\r\n");
  const body = new Uint8Array(3000).fill(65);
  const text = encode({ template, body });
  assert.ok(text.endsWith("\r\ncontent-length: 3000\r\n\r\n" + "A".repeat(3000)));
  assert.ok(!isStaticRequest({ template, body }));
});

Deno.test("TE compression asks with a TE header", () => {
  const template = new RequestTemplate({
    method: "GET",
    host: "h",
    path: "/",
    compression: "gzip",
    compressionType: "TRANSFER_ENCODING",
  });
  assert.equal(
    encode({ template }),
    "GET / HTTP/1.1\r\nhost: h\r\nte: gzip\r\nconnection: TE\r\n\r\n",
  );
  assert.ok(template.gzip);
});

Deno.test("invalid methods, header names, values and paths are rejected when compiling", () => {
  assert.throws(
    () => new RequestTemplate({ method: "GE T", host: "h", path: "/" }),
    /Invalid HTTP method 'GE T'/,
  );
  assert.throws(
    () => new RequestTemplate({ method: "GET", host: "h", path: "/a b" }),
    /Invalid request path/,
  );
  assert.throws(
    () =>
      new RequestTemplate({ method: "GET", host: "h", path: "/", headers: [["bad name", "x"]] }),
    /Invalid header name 'bad name'/,
  );
  assert.throws(
    () => new RequestTemplate({ method: "GET", host: "h", path: "/", headers: [["x", "a\r\nb"]] }),
    /line break/,
  );
  const dynamic = new RequestTemplate({ method: "GET", host: "h" });
  assert.throws(() => encode({ template: dynamic }), /needs a path/);
});

Deno.test("Host carries the port only when it is not the default", () => {
  assert.equal(hostHeader(endpointFromUrl("http://a.test/")), "a.test");
  assert.equal(hostHeader(endpointFromUrl("https://a.test:443/")), "a.test");
  assert.equal(hostHeader(endpointFromUrl("http://a.test:8080/")), "a.test:8080");
  assert.equal(hostHeader(endpointFromUrl("http://[::1]:8080/")), "[::1]:8080");
});
