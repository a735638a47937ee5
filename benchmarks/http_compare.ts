/**
 * Side-by-side: wrk vs the HTTP client bench against a local nginx (one
 * worker, `return 200 "hello world\n"`, unlimited keep-alive), alternating
 * runs and printing medians. Starts nginx from a temp config and stops it.
 *
 *   deno run -A benchmarks/http_compare.ts [--runs 3] [-d 5] [-c 50] [--engines http1,fetch]
 *
 * Needs `nginx` (Debian nginx-light) and `wrk` on PATH or in /usr/sbin.
 */
import { join } from "node:path";

interface Result {
  reqPerSec: number;
  cpuUsPerReq: number;
}

const args = Deno.args;
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const runs = Number(flag("--runs", "3"));
const seconds = Number(flag("-d", "5"));
const connections = Number(flag("-c", "50"));
const engines = flag("--engines", "http1").split(",");
const port = Number(flag("--port", "18080"));

async function startNginx(): Promise<{ dir: string; stop(): Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "hf-nginx-" });
  await Deno.mkdir(join(dir, "logs"));
  const conf = join(dir, "nginx.conf");
  await Deno.writeTextFile(
    conf,
    `worker_processes 1;
daemon on;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  keepalive_requests 1000000000;
  keepalive_timeout 600s;
  server {
    listen 127.0.0.1:${port} backlog=4096;
    location / { return 200 "hello world\\n"; }
  }
}
`,
  );
  const nginx = await which("nginx");
  const out = await new Deno.Command(nginx, { args: ["-c", conf, "-p", dir + "/"] }).output();
  if (!out.success) {
    throw new Error(`nginx failed to start: ${new TextDecoder().decode(out.stderr)}`);
  }
  return {
    dir,
    async stop() {
      await new Deno.Command(nginx, { args: ["-c", conf, "-p", dir + "/", "-s", "stop"] }).output();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

async function which(name: string): Promise<string> {
  for (const dir of [...(Deno.env.get("PATH") ?? "").split(":"), "/usr/sbin", "/usr/local/sbin"]) {
    try {
      await Deno.stat(join(dir, name));
      return join(dir, name);
    } catch { /* next */ }
  }
  throw new Error(
    `'${name}' not found: install it (apt-get install -y ${
      name === "nginx" ? "nginx-light" : name
    })`,
  );
}

async function runWrk(url: string): Promise<Result> {
  const time = await which("time").catch(() => "");
  const wrk = await which("wrk");
  const wrkArgs = ["-t1", `-c${connections}`, `-d${seconds}s`, url];
  const cmd = time
    ? new Deno.Command(time, { args: ["-f", "TIME %U %S", wrk, ...wrkArgs], stderr: "piped" })
    : new Deno.Command(wrk, { args: wrkArgs, stderr: "piped" });
  const out = await cmd.output();
  const text = new TextDecoder().decode(out.stdout);
  const requests = Number(/(\d+) requests in/.exec(text)?.[1] ?? NaN);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? NaN);
  const t = /TIME ([\d.]+) ([\d.]+)/.exec(new TextDecoder().decode(out.stderr));
  const cpu = t ? (Number(t[1]) + Number(t[2])) * 1e6 / requests : NaN;
  return { reqPerSec: rps, cpuUsPerReq: cpu };
}

async function runBench(url: string, engine: string): Promise<Result> {
  const bench = new URL("./http_client_bench.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      bench,
      "-c",
      String(connections),
      "-d",
      String(seconds),
      "--engine",
      engine,
      url,
    ],
    stderr: "null",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const rps = Number(/(\d+) req\/s/.exec(text)?.[1] ?? NaN);
  const cpu = Number(/([\d.]+) µs CPU\/req/.exec(text)?.[1] ?? NaN);
  return { reqPerSec: rps, cpuUsPerReq: cpu };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const nginx = await startNginx();
try {
  const url = `http://127.0.0.1:${port}/`;
  const results: Record<string, Result[]> = { wrk: [] };
  for (const engine of engines) results[engine] = [];
  for (let i = 0; i < runs; i++) {
    const wrk = await runWrk(url);
    results.wrk.push(wrk);
    console.log(
      `run ${i + 1} wrk: ${Math.round(wrk.reqPerSec)} req/s, ${
        wrk.cpuUsPerReq.toFixed(2)
      } µs CPU/req`,
    );
    for (const engine of engines) {
      const r = await runBench(url, engine);
      results[engine].push(r);
      console.log(
        `run ${i + 1} ${engine}: ${r.reqPerSec} req/s, ${r.cpuUsPerReq.toFixed(2)} µs CPU/req`,
      );
    }
  }
  const wrkMedian = median(results.wrk.map((r) => r.reqPerSec));
  for (const [name, list] of Object.entries(results)) {
    const rps = median(list.map((r) => r.reqPerSec));
    const cpu = median(list.map((r) => r.cpuUsPerReq));
    console.log(
      `median ${name.padEnd(5)} ${Math.round(rps)} req/s  ${cpu.toFixed(2)} µs CPU/req  ${
        (rps / wrkMedian).toFixed(2)
      }× wrk`,
    );
  }
} finally {
  await nginx.stop();
}
