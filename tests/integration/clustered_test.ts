/**
 * Clustered mode end to end with real parts: two agent hosts are real sshds on
 * 127.0.0.2 and 127.0.0.3, hf copies itself there over SSH, the agents dial
 * back over the TCP bus, the load goes to the example server. First `hf run`
 * of a benchmark with `agents:` (one command), then the seed's quickstart
 * through `hf controller`'s REST API with `curl` as the client.
 */
import assert from "node:assert/strict";
import { REPO, tempDir } from "./_helpers.ts";
import { startExampleServer } from "../../src/example_server/mod.ts";
import { spawnController } from "../controller/_rest_helpers.ts";
import { generateKeys, type Sshd, startSshd } from "../deploy/_sshd.ts";

const CLI = `${REPO}cli.ts`;
const dec = new TextDecoder();

interface AgentStats {
  name: string;
  stats: { metric: string; total: { summary: { requestCount: number } } }[];
}
interface AllJson {
  info: { errors: { agent?: string; msg: string }[] };
  stats: { phase: string; metric: string; total: { summary: { requestCount: number } } }[];
  agents: AgentStats[];
}

/** Two agent hosts, a HOME whose ~/.ssh holds the user key, an agent dir; all removed at the end. */
async function cluster(dir: string): Promise<{ hosts: Sshd[]; home: string } & AsyncDisposable> {
  const keys = await generateKeys(dir);
  const home = `${dir}/home`;
  await Deno.mkdir(`${home}/.ssh`, { recursive: true });
  // The default key (~/.ssh/id_ed25519) is the one the sshds accept; known_hosts starts empty.
  await Deno.copyFile(keys.userKey, `${home}/.ssh/id_ed25519`);
  await Deno.chmod(`${home}/.ssh/id_ed25519`, 0o600);
  const hosts = await Promise.all(
    ["127.0.0.2", "127.0.0.3"].map((hostname) => startSshd({ hostname, keys })),
  );
  return {
    hosts,
    home,
    [Symbol.asyncDispose]: async () => {
      await Promise.all(hosts.map((h) => h.close()));
    },
  };
}

/**
 * The quickstart on two agents, `<prefix>-one` and `<prefix>-two`: each test uses its own
 * prefix, so looking for leftover agent processes never sees another test's.
 */
function clusteredYaml(
  prefix: string,
  target: string,
  hosts: Sshd[],
  agentDir: string,
  seconds: number,
): string {
  return `name: clustered
agents:
  ${prefix}-one: 127.0.0.2:${hosts[0].port}
  ${prefix}-two:
    host: 127.0.0.3
    port: ${hosts[1].port}
    dir: ${agentDir}
http:
  host: ${target}
  sharedConnections: 10
phases:
  - main:
      constantRate:
        usersPerSec: 10
        variance: false
        duration: ${seconds}s
        maxSessions: 20
        scenario:
          - browse:
              - httpRequest:
                  GET: /
                  metric: home
`;
}

function requests(stats: { total: { summary: { requestCount: number } } }[]): number {
  return stats.reduce((n, s) => n + s.total.summary.requestCount, 0);
}

/** Checks the run's all.json: the expected requests (±1) in all, both agents present with half each. */
function assertSplit(all: AllJson, prefix: string, expected: number): void {
  assert.deepEqual(all.info.errors, []);
  const total = requests(all.stats);
  assert.ok(Math.abs(total - expected) <= 1, `${total} requests, expected ≈ ${expected}`);
  assert.deepEqual(all.agents.map((a) => a.name), [`${prefix}-one`, `${prefix}-two`]);
  const shares = all.agents.map((a) => requests(a.stats));
  assert.equal(shares[0] + shares[1], total);
  for (const s of shares) assert.ok(Math.abs(s - expected / 2) <= 1, `agent shares ${shares}`);
}

/** No `hf agent` named `<prefix>-…` is left on the hosts (they are this machine). */
async function assertNoAgentLeft(prefix: string): Promise<void> {
  const out = await new Deno.Command("pgrep", {
    args: ["-f", `agent .*--name ${prefix}-`],
    stdout: "piped",
  }).output();
  assert.equal(dec.decode(out.stdout).trim(), "", `agents '${prefix}-…' still running`);
}

/** This environment with another HOME; Deno's cache stays where it is (it defaults to HOME's). */
function hfEnv(home: string): Record<string, string> {
  const env = Deno.env.toObject();
  const cache = env.XDG_CACHE_HOME ?? `${env.HOME}/.cache`;
  return { ...env, NO_COLOR: "1", HOME: home, DENO_DIR: env.DENO_DIR ?? `${cache}/deno` };
}

Deno.test("hf run with agents: hf deploys itself to two hosts over SSH and splits the load", async () => {
  await using tmp = await tempDir("hf-cluster-run-");
  await using c = await cluster(tmp.dir);
  await using server = startExampleServer({ port: 0 });
  const file = `${tmp.dir}/clustered.hf.yaml`;
  await Deno.writeTextFile(
    file,
    clusteredYaml("split", server.url, c.hosts, `${tmp.dir}/agents`, 10),
  );
  const root = `${tmp.dir}/root`;
  const out = await hfRun(file, root, c.home, ["--accept-new-host-keys"]).output();
  const stdout = dec.decode(out.stdout), stderr = dec.decode(out.stderr);
  assert.equal(out.code, 0, `exit ${out.code}\n${stdout}\n${stderr}`);
  assert.match(stdout, /main\s+home\s/);
  const [runId] = [...Deno.readDirSync(`${root}/run`)].map((e) => e.name);
  const runDir = `${root}/run/${runId}`;
  assertSplit(JSON.parse(await Deno.readTextFile(`${runDir}/all.json`)), "split", 100);
  // The agents' logs come home; the agent with `dir:` ran from there.
  for (const name of ["split-one", "split-two"]) {
    assert.ok(Deno.statSync(`${runDir}/agent.${name}.log`).isFile, `agent.${name}.log`);
  }
  assert.ok(Deno.statSync(`${tmp.dir}/agents/agentlib`).isDirectory);
  // Unknown host keys were recorded because we asked for it.
  assert.match(await Deno.readTextFile(`${c.home}/.ssh/known_hosts`), /\[127\.0\.0\.2\]:\d+ /);
  await assertNoAgentLeft("split");
});

Deno.test("hf run with agents: an unknown host key is refused unless accepted, before any phase", async () => {
  await using tmp = await tempDir("hf-cluster-hostkey-");
  await using c = await cluster(tmp.dir);
  await using server = startExampleServer({ port: 0 });
  const file = `${tmp.dir}/clustered.hf.yaml`;
  await Deno.writeTextFile(
    file,
    clusteredYaml("hostkey", server.url, c.hosts, `${tmp.dir}/agents`, 1),
  );
  const out = await hfRun(file, `${tmp.dir}/root`, c.home).output();
  const stderr = dec.decode(out.stderr);
  assert.equal(out.code, 3, stderr);
  assert.match(stderr, /hostkey-(one|two)/);
  assert.match(stderr, /host key/i);
  assert.equal(server.stats().requests, 0);
});

/** `hf run FILE --quiet --root ROOT ARGS…` with HOME = `home`, killed after 60 s. */
function hfRun(file: string, root: string, home: string, args: string[] = []): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, "run", file, "--quiet", "--root", root, ...args],
    cwd: REPO,
    env: hfEnv(home),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  });
}

/** curl with the given arguments; fails the test on a transport error, returns the body. */
async function curl(...args: string[]): Promise<string> {
  const out = await new Deno.Command("curl", {
    args: ["-sS", "--max-time", "20", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, `curl ${args.join(" ")}: ${dec.decode(out.stderr)}`);
  return dec.decode(out.stdout);
}

Deno.test("quickstart through hf controller's REST API with curl: two agents over SSH", async () => {
  await using tmp = await tempDir("hf-cluster-rest-");
  await using c = await cluster(tmp.dir);
  await using server = startExampleServer({ port: 0 });
  await using controller = await spawnController(`${tmp.dir}/root`, {
    args: ["--accept-new-host-keys"],
    env: hfEnv(c.home),
  });
  const file = `${tmp.dir}/clustered.hf.yaml`;
  await Deno.writeTextFile(
    file,
    clusteredYaml("rest", server.url, c.hosts, `${tmp.dir}/agents`, 10),
  );

  await curl(
    "-f",
    "--data-binary",
    `@${file}`,
    "-H",
    "Content-Type: text/vnd.yaml",
    `${controller.url}/benchmark`,
  );
  assert.deepEqual(JSON.parse(await curl("-f", `${controller.url}/benchmark`)), ["clustered"]);
  const started = await curl(
    "-f",
    "-D",
    "-",
    "-o",
    "/dev/null",
    `${controller.url}/benchmark/clustered/start`,
  );
  assert.match(started, /^HTTP\/1\.1 202/);
  const location = /^location: (\/run\/(\w+))\r?$/im.exec(started);
  assert.ok(location, started);
  const runId = location[2];

  let run: { completed: boolean; errors: unknown[]; agents: { name: string }[] };
  const deadline = Date.now() + 60_000;
  do {
    await new Promise((r) => setTimeout(r, 500));
    run = JSON.parse(await curl("-f", `${controller.url}${location[1]}`));
  } while (!run.completed && Date.now() < deadline);
  assert.ok(run.completed, JSON.stringify(run));
  assert.deepEqual(run.errors, []);
  assert.deepEqual(run.agents.map((a) => a.name).sort(), ["rest-one", "rest-two"]);

  const all = await curl("-f", `${controller.url}/run/${runId}/stats/all/json`);
  assertSplit(JSON.parse(all), "rest", 100);
  const total = JSON.parse(await curl("-f", `${controller.url}/run/${runId}/stats/total`));
  assert.equal(total.status, "TERMINATED");
  assert.match(await curl("-f", `${controller.url}/log/rest-two`), /rest-two/);
  await assertNoAgentLeft("rest");
});

Deno.test("an agent killed mid-run: the run fails naming it, keeps its data, leaves nothing running", async () => {
  await using tmp = await tempDir("hf-cluster-kill-");
  await using c = await cluster(tmp.dir);
  await using server = startExampleServer({ port: 0 });
  const file = `${tmp.dir}/clustered.hf.yaml`;
  await Deno.writeTextFile(
    file,
    clusteredYaml("crash", server.url, c.hosts, `${tmp.dir}/agents`, 20),
  );
  const root = `${tmp.dir}/root`;
  const child = hfRun(file, root, c.home, ["--accept-new-host-keys"]).spawn();
  const output = child.output();
  // Once the agent runs and the phase has been going for a moment, kill it as a crash would.
  const pattern = "agent .*--name crash-two --run";
  const deadline = Date.now() + 30_000;
  while (!(await new Deno.Command("pgrep", { args: ["-f", pattern] }).output()).success) {
    assert.ok(Date.now() < deadline, "crash-two never started");
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 2500));
  const killedAt = Date.now();
  await new Deno.Command("pkill", { args: ["-KILL", "-f", pattern] }).output();
  const out = await output;
  const stderr = dec.decode(out.stderr);
  assert.ok(Date.now() - killedAt < 10_000, `the run went on for ${Date.now() - killedAt} ms`);
  assert.equal(out.code, 3, stderr);
  assert.match(stderr, /crash-two/);
  const [runId] = [...Deno.readDirSync(`${root}/run`)].map((e) => e.name);
  const all: AllJson = JSON.parse(await Deno.readTextFile(`${root}/run/${runId}/all.json`));
  assert.ok(all.info.errors.some((e) => /crash-two/.test(e.msg)), JSON.stringify(all.info));
  assert.ok(requests(all.stats) > 0, "what ran before the kill is kept");
  await assertNoAgentLeft("crash");
});
