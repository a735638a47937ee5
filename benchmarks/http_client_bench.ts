/**
 * Closed-loop throughput of the HTTP engines: C connections, one request in
 * flight on each, for D seconds; prints req/s, CPU µs per request and latency.
 *
 *   deno run -A benchmarks/http_client_bench.ts [-c 50] [-d 5] [--engine http1|fetch]
 *     [--pipeline N] URL
 */
import process from "node:process";
import {
  type ConnectionWaiter,
  createClient,
  endpointFromUrl,
  hostHeader,
  type HttpClient,
  type HttpErrorKind,
  type HttpRequest,
  nowNs,
  RequestTemplate,
  type ResponseHandlers,
} from "../src/http/mod.ts";

interface BenchOptions {
  url: string;
  connections: number;
  seconds: number;
  engine: "http1" | "fetch";
  pipeline: number;
}

function parseArgs(args: string[]): BenchOptions {
  const options: BenchOptions = {
    url: "",
    connections: 50,
    seconds: 5,
    engine: "http1",
    pipeline: 1,
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "-c") options.connections = Number(args[++i]);
    else if (arg === "-d") options.seconds = Number(String(args[++i]).replace(/s$/, ""));
    else if (arg === "--engine") options.engine = args[++i] as "http1" | "fetch";
    else if (arg === "--pipeline") options.pipeline = Number(args[++i]);
    else options.url = arg;
  }
  if (!options.url) throw new TypeError("Missing URL: expected e.g. http://127.0.0.1:8080/");
  return options;
}

/** Log-linear latency buckets: cheap enough to record every request. */
class Latencies {
  readonly counts = new Float64Array(64 * 16);
  total = 0;
  sum = 0;

  record(ns: number): void {
    const v = Math.max(1, Math.floor(ns / 1000)); // µs
    const exp = 31 - Math.clz32(v);
    const sub = exp < 4 ? 0 : (v >>> (exp - 4)) & 15;
    this.counts[exp * 16 + sub]++;
    this.total++;
    this.sum += ns;
  }

  percentile(p: number): number {
    let seen = 0;
    const want = this.total * p;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= want && this.counts[i] > 0) {
        const exp = i >> 4, sub = i & 15;
        return exp < 4 ? 2 ** exp : (16 + sub) * 2 ** (exp - 4);
      }
    }
    return 0;
  }
}

class User implements ResponseHandlers, ConnectionWaiter {
  constructor(
    private readonly client: HttpClient,
    private readonly req: HttpRequest,
    private readonly state: { running: boolean; ok: number; errors: number; latencies: Latencies },
  ) {}

  send(): void {
    if (!this.state.running) return;
    const conn = this.client.acquire();
    if (conn === undefined) this.client.wait(this);
    else conn.request(this.req, this);
  }

  connectionAvailable(): void {
    this.send();
  }

  status(_code: number): void {}

  complete(sentNs: number, doneNs: number): void {
    this.state.ok++;
    this.state.latencies.record(doneNs - sentNs);
    this.send();
  }

  error(_kind: HttpErrorKind, message: string): void {
    if (!this.state.running) return; // closing the client at the end fails what is in flight
    this.state.errors++;
    if (this.state.errors === 1) console.error(message);
    this.send();
  }
}

async function main(): Promise<void> {
  const options = parseArgs(Deno.args);
  const url = new URL(options.url);
  const c = options.connections;
  const endpoint = endpointFromUrl(url, {
    sharedConnections: { core: c, max: c, buffer: 0, keepAliveTime: 0 },
    pipeliningLimit: options.pipeline,
  });
  const client = createClient(endpoint, { engine: options.engine });
  await client.connect();
  const template = new RequestTemplate({
    method: "GET",
    host: hostHeader(endpoint),
    path: url.pathname + url.search,
  });
  const req: HttpRequest = { template };
  const state = { running: true, ok: 0, errors: 0, latencies: new Latencies() };
  const users = Array.from({ length: c * options.pipeline }, () => new User(client, req, state));
  // warm-up, so the JIT has settled before measuring
  for (const user of users) user.send();
  await new Promise((r) => setTimeout(r, 1000));
  state.ok = 0;
  state.latencies = new Latencies();
  const cpu0 = process.cpuUsage();
  const t0 = nowNs();
  await new Promise((r) => setTimeout(r, options.seconds * 1000));
  const elapsedS = (nowNs() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const done = state.ok;
  state.running = false;
  const rssMb = Deno.memoryUsage().rss / 2 ** 20;
  const lat = state.latencies;
  await client.close();
  const perReqUs = (cpu.user + cpu.system) / done;
  console.log(
    `${options.engine} ${url.href} c=${c} pipeline=${options.pipeline} ${options.seconds}s: ` +
      `${Math.round(done / elapsedS)} req/s, ${perReqUs.toFixed(2)} µs CPU/req ` +
      `(user ${(cpu.user / done).toFixed(2)}, sys ${(cpu.system / done).toFixed(2)}), ` +
      `latency mean ${(lat.sum / lat.total / 1000).toFixed(0)} µs p50 ${lat.percentile(0.5)} µs ` +
      `p99 ${lat.percentile(0.99)} µs, errors ${state.errors}, rss ${rssMb.toFixed(0)} MB`,
  );
}

if (import.meta.main) await main();
