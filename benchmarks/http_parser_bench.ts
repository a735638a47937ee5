/**
 * Parser cost per response, without sockets: an nginx-like keep-alive
 * response parsed in a loop (one response per execute, as at 1 in flight).
 *
 *   deno run benchmarks/http_parser_bench.ts [iterations]
 */
import type { HttpErrorKind, ResponseHandlers } from "../src/http/http_client.ts";
import {
  type ParserOwner,
  type ParserTarget,
  ResponseParser,
} from "../src/http/response_parser.ts";

const response = new TextEncoder().encode(
  "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sun, 22 Nov 2026 05:40:25 GMT\r\n" +
    "Content-Type: text/plain\r\nContent-Length: 12\r\nConnection: keep-alive\r\n\r\nhello world\n",
);
const iterations = Number(Deno.args[0] ?? 5_000_000);

class Handlers implements ResponseHandlers {
  statuses = 0;
  status(_code: number): void {
    this.statuses++;
  }
  complete(): void {}
  error(_kind: HttpErrorKind, _message: string): void {}
}

const handlers = new Handlers();
const target: ParserTarget = { handlers, isHead: false, gzip: false };
let completed = 0;
const owner: ParserOwner = {
  nextTarget: () => target,
  noKeepAlive() {},
  responseComplete() {
    completed++;
    return true;
  },
};
const parser = new ResponseParser(owner);
const buf = new Uint8Array(16384);
buf.set(response);
for (let round = 0; round < 3; round++) {
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) parser.execute(buf, 0, response.length);
  const ns = (performance.now() - t0) * 1e6 / iterations;
  console.log(`${ns.toFixed(1)} ns per response (${completed} parsed)`);
}
