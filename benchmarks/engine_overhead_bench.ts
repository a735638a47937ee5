/**
 * The engine's own CPU per request, without the kernel's share: `Deno.connect`
 * answers with in-memory connections that reply to every request with
 * nginx's `hello world` response, reads resolving in batches once per task
 * (as an event-loop turn resolves the ready ops). `--mode hf` runs the
 * `hf wrk` benchmark on the executor, `--mode raw` the bare HTTP client
 * (one request in flight per connection); the difference is what sessions,
 * steps and statistics cost. Prints the median of 1 s windows after a 1 s warm-up.
 *
 *   deno run -A benchmarks/engine_overhead_bench.ts [--mode hf|raw] [-c 50] [-d 5]
 */
import process from "node:process";
import { parseWrkOptions } from "../src/cli/wrk/options.ts";
import { buildWrkBenchmark } from "../src/cli/wrk/benchmark.ts";
import { createExecutorCore } from "../src/engine/executor.ts";
import type { ExecutorEvent } from "../src/engine/executor_api.ts";
import {
  createClient,
  endpointFromUrl,
  type HttpClient,
  type HttpRequest,
  RequestTemplate,
} from "../src/http/mod.ts";
import { defaultCompilers } from "../src/scenario/default_compilers.ts";

const flag = (name: string, fallback: string) => {
  const i = Deno.args.indexOf(name);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : fallback;
};
const MODE = flag("--mode", "hf");
const CONNECTIONS = Number(flag("-c", "50"));
const SECONDS = Number(flag("-d", "5"));
const URL_TEXT = "http://127.0.0.1:8080/";

const RESPONSE = new TextEncoder().encode(
  "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sat, 22 Nov 2025 08:00:00 GMT\r\n" +
    "Content-Type: text/plain\r\nContent-Length: 12\r\nConnection: keep-alive\r\n\r\nhello world\n",
);

/** Responses served so far, over all connections. */
let served = 0;
const ready = new Set<MemoryConn>();
const tick = new MessageChannel();
let tickQueued = false;
tick.port1.onmessage = () => {
  tickQueued = false;
  const conns = [...ready];
  ready.clear();
  for (const c of conns) c.deliver();
};

/** A connection whose peer answers each request (a head ending in an empty line) at once. */
class MemoryConn {
  private pending = 0;
  private closed = false;
  private readBuf: Uint8Array | undefined;
  private resolveRead: ((n: number | null) => void) | undefined;
  private readonly written: (() => void)[] = [];

  read(buf: Uint8Array): Promise<number | null> {
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.readBuf = buf;
      this.resolveRead = resolve;
      if (this.pending > 0) this.schedule();
    });
  }

  write(data: Uint8Array): Promise<number> {
    for (let i = 3; i < data.length; i++) {
      if (data[i] === 10 && data[i - 1] === 13 && data[i - 2] === 10 && data[i - 3] === 13) {
        this.pending++;
      }
    }
    return new Promise((resolve) => {
      this.written.push(() => resolve(data.length));
      this.schedule();
    });
  }

  deliver(): void {
    for (const done of this.written.splice(0)) done();
    const resolve = this.resolveRead;
    const buf = this.readBuf;
    if (resolve === undefined || buf === undefined || this.pending === 0) return;
    let n = 0;
    while (this.pending > 0 && n + RESPONSE.length <= buf.length) {
      buf.set(RESPONSE, n);
      n += RESPONSE.length;
      this.pending--;
      served++;
    }
    this.resolveRead = this.readBuf = undefined;
    resolve(n);
  }

  setNoDelay(): void {}
  close(): void {
    this.closed = true;
    const resolve = this.resolveRead;
    this.resolveRead = undefined;
    resolve?.(null);
  }

  private schedule(): void {
    ready.add(this);
    if (tickQueued) return;
    tickQueued = true;
    tick.port2.postMessage(0);
  }
}

Object.defineProperty(Deno, "connect", {
  value: () => Promise.resolve(new MemoryConn()),
  configurable: true,
});

async function measure(): Promise<void> {
  await new Promise((r) => setTimeout(r, 1000));
  const perRequest: number[] = [];
  for (let w = 0; w < SECONDS; w++) {
    const before = served;
    const cpu0 = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 1000));
    const cpu = process.cpuUsage(cpu0);
    perRequest.push((cpu.user + cpu.system) / (served - before));
  }
  perRequest.sort((a, b) => a - b);
  const median = perRequest[perRequest.length >> 1];
  console.log(`${MODE}: ${median.toFixed(3)} µs CPU per request (median of ${SECONDS} s)`);
}

async function raw(): Promise<void> {
  const endpoint = endpointFromUrl(new URL(URL_TEXT), {
    sharedConnections: { core: CONNECTIONS, max: CONNECTIONS, buffer: 0, keepAliveTime: 0 },
  });
  const client: HttpClient = createClient(endpoint);
  await client.connect();
  const req: HttpRequest = {
    template: new RequestTemplate({ method: "GET", host: "127.0.0.1", path: "/" }),
  };
  let running = true;
  const user = {
    send(): void {
      if (!running) return;
      const conn = client.acquire();
      if (conn === undefined) client.wait(user);
      else conn.request(req, user);
    },
    connectionAvailable: () => user.send(),
    status() {},
    complete: () => user.send(),
    error: () => user.send(),
  };
  for (let i = 0; i < CONNECTIONS; i++) user.send();
  await measure();
  running = false;
  await client.close();
}

async function hf(): Promise<void> {
  const parsed = parseWrkOptions("wrk", URL_TEXT, {
    connections: String(CONNECTIONS),
    duration: "1h",
    threads: "1",
    header: [],
    timeout: "60s",
    warmupDuration: "0s",
  });
  if (!parsed.ok) throw new Error(parsed.error);
  const benchmark = buildWrkBenchmark(parsed.value).loaded.benchmark!;
  const waiting = new Map<string, () => void>();
  const send = createExecutorCore({
    compilers: defaultCompilers(),
    emit(e: ExecutorEvent) {
      if (e.type === "log" || e.type === "initFailed") console.error(e);
      waiting.get(e.type)?.();
    },
  });
  const event = (type: string) => new Promise<void>((r) => waiting.set(type, r));
  const ready = event("ready");
  send({
    type: "init",
    runId: "0000",
    agentName: "bench",
    benchmark,
    slot: { agentIndex: 0, agentThreads: [1], threadIndex: 0 },
  });
  await ready;
  send({ type: "phase", command: "RUN", phase: "test" });
  const collecting = setInterval(() => send({ type: "collect" }), 1000);
  await measure();
  clearInterval(collecting);
  const stopped = event("stopped");
  send({ type: "stop" });
  await stopped;
}

if (import.meta.main) {
  await (MODE === "raw" ? raw() : hf());
  tick.port1.close();
}
