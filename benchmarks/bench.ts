/**
 * `make bench`: hf against wrk on this machine, printed as figures and ratios
 * (a benchmark, not a test: it asserts nothing).
 *
 * 1. nginx (Debian nginx-light: one worker, `return 200 "hello world\n"`,
 *    unlimited keep-alive, no access log) on a free loopback port from a
 *    temporary prefix; nginx, wrk and GNU time are installed with apt if missing.
 * 2. `wrk -t1 -c50 -d10s` and `hf wrk -t1 -c50 -d10s`, alternated, three runs
 *    each: medians of req/s, the ratio hf/wrk and CPU µs per request. hf's
 *    figures are those of its `test` phase (the calibration phase before it is
 *    left out, its CPU included): CPU from /proc samples over the test window.
 * 3. `hf wrk2 -R 20000 -d 10s`: the achieved rate against the target (± 1 %).
 * 4. `hf wrk2 -c 10000` at a low rate: 10,000 open connections, hf's peak RSS.
 * 5. `benchmarks/load_thousand_phases.ts`.
 * nginx is stopped at the end, on failure and on Ctrl-C.
 *
 *   deno run -A benchmarks/bench.ts [--runs 3] [-d 10] [--rate 20000] [--conns 10000]
 *     [--deno-flags '--v8-flags=…']
 */
import { join } from "node:path";
import { HF_V8_FLAGS } from "../src/v8_flags.ts";

const REPO = new URL("../", import.meta.url).pathname;

const args = Deno.args;
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const RUNS = Number(flag("--runs", "3"));
const SECONDS = Number(flag("-d", "10"));
const RATE = Number(flag("--rate", "20000"));
const MANY_CONNECTIONS = Number(flag("--conns", "10000"));
/** `deno run` flags for hf, whitespace-separated; default: the V8 flags the hf binary embeds. */
const HF_DENO_FLAGS = flag("--deno-flags", `--v8-flags=${HF_V8_FLAGS}`).split(/\s+/)
  .filter((f) => f !== "");

const decoder = new TextDecoder();

// ---- tools ----

async function which(name: string): Promise<string | undefined> {
  const path = Deno.env.get("PATH") ?? "";
  for (const dir of [...path.split(":"), "/usr/sbin", "/usr/bin", "/sbin"]) {
    if (!dir) continue;
    try {
      const info = await Deno.stat(join(dir, name));
      if (info.isFile) return join(dir, name);
    } catch { /* next */ }
  }
  return undefined;
}

async function run(cmd: string, cmdArgs: string[]): Promise<{ ok: boolean; out: string }> {
  const out = await new Deno.Command(cmd, { args: cmdArgs, stdout: "piped", stderr: "piped" })
    .output();
  return { ok: out.success, out: decoder.decode(out.stdout) + decoder.decode(out.stderr) };
}

/** The tool's path, installed with apt when missing. */
async function ensureTools(): Promise<Record<string, string>> {
  const wanted: [string, string][] = [["nginx", "nginx-light"], ["wrk", "wrk"], ["time", "time"]];
  const missing = [];
  for (const [bin, pkg] of wanted) if (await which(bin) === undefined) missing.push(pkg);
  if (missing.length > 0) {
    console.log(`installing ${missing.join(", ")} with apt-get`);
    const env = { DEBIAN_FRONTEND: "noninteractive" };
    let r = await new Deno.Command("apt-get", { args: ["install", "-y", ...missing], env })
      .output();
    if (!r.success) {
      await new Deno.Command("apt-get", { args: ["update"], env, stdout: "null" }).output();
      r = await new Deno.Command("apt-get", { args: ["install", "-y", ...missing], env })
        .output();
    }
    if (!r.success) throw new Error(`apt-get install ${missing.join(" ")} failed`);
  }
  const paths: Record<string, string> = {};
  for (const [bin] of wanted) {
    const p = await which(bin);
    if (p === undefined) throw new Error(`'${bin}' is still missing after apt-get install`);
    paths[bin] = p;
  }
  return paths;
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

// ---- nginx ----

interface Nginx {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** The hard limit of open files: what `ulimit -n` can be raised to without privileges. */
async function hardNofile(): Promise<number> {
  const r = await run("bash", ["-c", "ulimit -Hn"]);
  const n = Number(r.out.trim());
  return Number.isFinite(n) ? n : 1_048_576; // "unlimited"
}

/** Raises the soft limit of open files as far as `n` (or the hard limit), then runs "$0" "$@". */
const RAISE_NOFILE = (n: number) =>
  `ulimit -n ${n} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"`;

async function startNginx(nginx: string, port: number): Promise<Nginx> {
  const nofile = Math.min(await hardNofile(), 70_000);
  const dir = await Deno.makeTempDir({ prefix: "hf-bench-nginx-" });
  await Deno.mkdir(join(dir, "logs"));
  const conf = join(dir, "nginx.conf");
  await Deno.writeTextFile(
    conf,
    `worker_processes 1;
worker_rlimit_nofile ${nofile};
daemon on;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections ${Math.max(1024, nofile - 100)}; }
http {
  access_log off;
  keepalive_requests 1000000000;
  keepalive_timeout 600s;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port} backlog=16384;
    location / { return 200 "hello world\\n"; }
  }
}
`,
  );
  const base = ["-c", conf, "-p", dir + "/"];
  const started = await run(nginx, base);
  if (!started.ok) throw new Error(`nginx did not start: ${started.out.trim()}`);
  let stopped = false;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await run(nginx, [...base, "-s", "stop"]);
      // Wait for the master to go, then remove its prefix.
      for (let i = 0; i < 50; i++) {
        try {
          await Deno.stat(join(dir, "nginx.pid"));
        } catch {
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

// ---- measurements ----

interface Figures {
  reqPerSec: number;
  requests: number;
  cpuUsPerReq: number;
}

function wrkFigures(text: string): { reqPerSec: number; requests: number } {
  const requests = Number(/(\d+) requests in/.exec(text)?.[1] ?? NaN);
  const reqPerSec = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? NaN);
  return { reqPerSec, requests };
}

async function runWrk(tools: Record<string, string>, url: string): Promise<Figures> {
  const r = await run(tools.time, [
    "-f",
    "TIME %U %S",
    tools.wrk,
    "-t1",
    "-c50",
    `-d${SECONDS}s`,
    url,
  ]);
  const f = wrkFigures(r.out);
  const t = /TIME ([\d.]+) ([\d.]+)/.exec(r.out);
  const cpu = t ? ((Number(t[1]) + Number(t[2])) * 1e6) / f.requests : NaN;
  return { ...f, cpuUsPerReq: cpu };
}

/** user + system CPU seconds of a process so far (all its threads). */
async function cpuSeconds(pid: number): Promise<number | undefined> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14 and 15 of proc(5), counted from after the command name.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** CPU seconds at `t` (epoch ms), interpolated between samples. */
function cpuAt(samples: { t: number; cpu: number }[], t: number): number {
  let prev = samples[0];
  for (const s of samples) {
    if (s.t >= t) {
      if (s.t === prev.t) return s.cpu;
      return prev.cpu + ((s.cpu - prev.cpu) * (t - prev.t)) / (s.t - prev.t);
    }
    prev = s;
  }
  return prev.cpu;
}

interface HfRun {
  stdout: string;
  stderr: string;
  code: number;
  /** /proc samples of the hf process. */
  samples: { t: number; cpu: number }[];
  root: string;
}

/** `hf ARGS… --root TMP`, its CPU sampled every 50 ms. */
async function runHf(hfArgs: string[]): Promise<HfRun> {
  const root = await Deno.makeTempDir({ prefix: "hf-bench-run-" });
  const command = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...HF_DENO_FLAGS, "cli.ts", ...hfArgs, "--root", root],
    cwd: REPO,
    stdout: "piped",
    stderr: "piped",
  });
  const child = command.spawn();
  const samples: { t: number; cpu: number }[] = [];
  let done = false;
  const sampler = (async () => {
    while (!done) {
      const cpu = await cpuSeconds(child.pid);
      if (cpu !== undefined) samples.push({ t: Date.now(), cpu });
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const out = await child.output();
  done = true;
  await sampler;
  return {
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
    code: out.code,
    samples,
    root,
  };
}

/** Start and end (epoch ms) of phase `test`, from the run's all.json. */
async function testWindow(root: string): Promise<{ start: number; end: number } | undefined> {
  for await (const e of Deno.readDir(join(root, "run"))) {
    const all = JSON.parse(await Deno.readTextFile(join(root, "run", e.name, "all.json")));
    const s = (all.stats as { phase: string; total: { start: number; end: number } }[])
      .find((s) => s.phase === "test");
    if (s !== undefined) return { start: s.total.start, end: s.total.end };
  }
  return undefined;
}

async function runHfWrk(url: string): Promise<Figures> {
  const r = await runHf(["wrk", "-t1", "-c50", `-d${SECONDS}s`, url]);
  try {
    if (r.code !== 0) throw new Error(`hf wrk exited with ${r.code}: ${r.stderr.trim()}`);
    const f = wrkFigures(r.stdout);
    const w = await testWindow(r.root);
    const cpu = w === undefined ? NaN : cpuAt(r.samples, w.end) - cpuAt(r.samples, w.start);
    return { ...f, cpuUsPerReq: (cpu * 1e6) / f.requests };
  } finally {
    await Deno.remove(r.root, { recursive: true }).catch(() => {});
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

// ---- the sections ----

async function compareWithWrk(tools: Record<string, string>, url: string): Promise<void> {
  console.log(`\n== wrk vs hf wrk: -t1 -c50 -d${SECONDS}s, ${RUNS} runs each, alternated ==`);
  const wrk: Figures[] = [];
  const hf: Figures[] = [];
  for (let i = 1; i <= RUNS; i++) {
    const w = await runWrk(tools, url);
    wrk.push(w);
    console.log(
      `run ${i} wrk:    ${fmt(w.reqPerSec)} req/s, ${w.cpuUsPerReq.toFixed(2)} µs CPU/req`,
    );
    const h = await runHfWrk(url);
    hf.push(h);
    console.log(
      `run ${i} hf wrk: ${fmt(h.reqPerSec)} req/s, ${
        h.cpuUsPerReq.toFixed(2)
      } µs CPU/req (test phase)`,
    );
  }
  const wrkRps = median(wrk.map((f) => f.reqPerSec));
  const hfRps = median(hf.map((f) => f.reqPerSec));
  const wrkCpu = median(wrk.map((f) => f.cpuUsPerReq));
  const hfCpu = median(hf.map((f) => f.cpuUsPerReq));
  console.log(`median wrk:    ${fmt(wrkRps)} req/s, ${wrkCpu.toFixed(2)} µs CPU/req`);
  console.log(`median hf wrk: ${fmt(hfRps)} req/s, ${hfCpu.toFixed(2)} µs CPU/req`);
  console.log(
    `hf/wrk: ${(hfRps / wrkRps).toFixed(2)}× req/s (target ≥ 0.90×), ${
      (hfCpu / wrkCpu).toFixed(2)
    }× CPU per request`,
  );
}

async function constantRate(url: string): Promise<void> {
  console.log(`\n== hf wrk2 -R ${RATE} -d ${SECONDS}s ==`);
  const r = await runHf(["wrk2", "-R", String(RATE), "-d", `${SECONDS}s`, url]);
  await Deno.remove(r.root, { recursive: true }).catch(() => {});
  const { reqPerSec } = wrkFigures(r.stdout);
  const latency = /Latency\s+(\S+)\s+(\S+)\s+(\S+)/.exec(r.stdout);
  const off = (reqPerSec - RATE) / RATE;
  console.log(
    `achieved ${reqPerSec.toFixed(2)} req/s vs ${fmt(RATE)} target: ${off >= 0 ? "+" : ""}${
      (off * 100).toFixed(2)
    } % (target ± 1 %: ${Math.abs(off) <= 0.01 ? "met" : "missed"})`,
  );
  if (latency) console.log(`latency avg ${latency[1]}, stdev ${latency[2]}, max ${latency[3]}`);
  const warnings = r.stderr.trim();
  if (r.code !== 0 || warnings) console.log(`exit ${r.code}${warnings ? `: ${warnings}` : ""}`);
}

/** Established connections to `port` right now. */
async function established(port: number): Promise<number> {
  const r = await run("ss", ["-Htn", "state", "established", `( dport = :${port} )`]);
  return r.ok ? r.out.split("\n").filter((l) => l.trim() !== "").length : NaN;
}

async function manyConnections(tools: Record<string, string>, nginx: Nginx): Promise<void> {
  const n = MANY_CONNECTIONS;
  const rate = Math.max(1, Math.round(n / 10));
  console.log(`\n== hf wrk2 -t1 -c${n} -R${rate} -d${SECONDS}s: ${fmt(n)} open connections ==`);
  const deno = Deno.execPath();
  const child = new Deno.Command("bash", {
    args: [
      "-c",
      RAISE_NOFILE(n + 1000),
      tools.time,
      "-f",
      "MAXRSS %M",
      deno,
      "run",
      "-A",
      ...HF_DENO_FLAGS,
      "cli.ts",
      "wrk2",
      "-t1",
      `-c${n}`,
      `-R${rate}`,
      `-d${SECONDS}s`,
      "--warmup-duration",
      "0s",
      nginx.url,
    ],
    cwd: REPO,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let peakOpen = 0;
  let done = false;
  const watcher = (async () => {
    while (!done) {
      peakOpen = Math.max(peakOpen, await established(nginx.port));
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  const out = await child.output();
  done = true;
  await watcher;
  const stdout = decoder.decode(out.stdout);
  const stderr = decoder.decode(out.stderr);
  const rss = Number(/MAXRSS (\d+)/.exec(stderr)?.[1] ?? NaN) / 1024;
  const { requests, reqPerSec } = wrkFigures(stdout);
  console.log(
    `connections established (peak, seen by ss): ${fmt(peakOpen)}; ${fmt(requests)} requests, ${
      reqPerSec.toFixed(2)
    } req/s`,
  );
  console.log(`hf peak RSS: ${rss.toFixed(1)} MB (target ≤ 150 MB)`);
  const rest = stderr.replace(/MAXRSS \d+\s*/, "").trim();
  if (out.code !== 0 || rest) console.log(`exit ${out.code}${rest ? `: ${rest}` : ""}`);
}

async function loadThousandPhases(): Promise<void> {
  console.log("\n== benchmarks/load_thousand_phases.ts ==");
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "benchmarks/load_thousand_phases.ts"],
    cwd: REPO,
    stdout: "piped",
    stderr: "piped",
  }).output();
  console.log((decoder.decode(r.stdout) + decoder.decode(r.stderr)).trimEnd());
}

// ---- main ----

const tools = await ensureTools();
const nginx = await startNginx(tools.nginx, freePort());
const onSignal = () => {
  console.log("\ninterrupted: stopping nginx");
  nginx.stop().finally(() => Deno.exit(130));
};
Deno.addSignalListener("SIGINT", onSignal);
Deno.addSignalListener("SIGTERM", onSignal);
try {
  console.log(`nginx (1 worker) on ${nginx.url}; ${navigator.hardwareConcurrency} CPUs`);
  await compareWithWrk(tools, nginx.url);
  await constantRate(nginx.url);
  await manyConnections(tools, nginx);
  await loadThousandPhases();
} finally {
  await nginx.stop();
  Deno.removeSignalListener("SIGINT", onSignal);
  Deno.removeSignalListener("SIGTERM", onSignal);
}
