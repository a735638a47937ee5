/** The ssh deployer against real sshds on 127.0.0.2 and 127.0.0.3, with real `hf agent`s. */
import assert from "node:assert/strict";
import type { AgentMessage } from "../../src/bus/messages.ts";
import type { DeployedAgent, Deployer } from "../../src/deploy/deployer.ts";
import { DeployError } from "../../src/deploy/deployer.ts";
import { SshDeployError, type SshDeployFailure } from "../../src/deploy/ssh.ts";
import { bench, SCENARIO } from "../controller/_bench.ts";
import { deployerContract } from "../controller/_deployer_contract.ts";
import { contractDeployer, type Rig, rigShared, startRig } from "./_ssh_rig.ts";
import { freePort } from "./_sshd.ts";

const shared = await rigShared();

deployerContract("ssh", () => contractDeployer(shared));

const BENCHMARK = bench(`phases:\n  - main:\n      atOnce:\n        users: 1\n${SCENARIO}\n`);
const uniqueRun = () => `ssh-${crypto.randomUUID().slice(0, 8)}`;

function deploy(d: Deployer, rig: Rig, name: string, runId: string, host = 0, props = {}) {
  return d.deploy(name, {
    runId,
    benchmark: BENCHMARK,
    threads: 1,
    agent: rig.agent(name, host, props),
  });
}

function firstMessage(agent: DeployedAgent, type: AgentMessage["type"]): Promise<AgentMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${type}' from ${agent.name}`)), 5000);
    agent.bus.onMessage((m) => {
      if (m.type !== type) return;
      clearTimeout(timer);
      resolve(m);
    });
  });
}

/** Pids of processes whose command line holds `--name NAME --run RUN`. */
async function agentPids(name: string, runId: string): Promise<number[]> {
  const out = await new Deno.Command("pgrep", {
    args: ["-f", "--", `--name ${name} --run ${runId}`],
    stdout: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l !== "").map(Number);
}

Deno.test("ssh deployer: agents on two hosts run as detached processes, pinned by 'cpu', and stop() leaves none", async () => {
  await using rig = await startRig(shared);
  const d = rig.deployer();
  const runId = uniqueRun();
  const [a, b] = await Promise.all([
    deploy(d, rig, "one", runId, 0, { cpu: "0" }),
    deploy(d, rig, "two", runId, 1),
  ]);
  const [helloA, helloB] = await Promise.all([firstMessage(a, "hello"), firstMessage(b, "hello")]);
  const pidA = helloA.type === "hello" ? helloA.pid : 0;
  const pidB = helloB.type === "hello" ? helloB.pid : 0;
  assert.deepEqual(await agentPids("one", runId), [pidA]);
  assert.deepEqual(await agentPids("two", runId), [pidB]);
  const status = await Deno.readTextFile(`/proc/${pidA}/status`);
  assert.match(status, /^Cpus_allowed_list:\s+0$/m, "taskset -c 0 pinned agent 'one'");
  // Detached: each agent leads its own session, so the SSH channel's end does not reach it.
  const sid = (pid: number) =>
    Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ")[3];
  assert.equal(sid(pidA), String(pidA));
  const cmdline = (await Deno.readTextFile(`/proc/${pidB}/cmdline`)).replaceAll("\0", " ");
  assert.match(cmdline, /agent --controller 127\.0\.0\.1:\d+ --name two --run ssh-/);
  assert.doesNotMatch(cmdline, /[0-9a-f]{64}/, "the run token is on no command line");
  await Promise.all([a.stop(), b.stop()]);
  assert.deepEqual(await agentPids("one", runId), []);
  assert.deepEqual(await agentPids("two", runId), []);
  await a.stop(); // idempotent
});

Deno.test("ssh deployer: log() returns the agent's log from its host", async () => {
  await using rig = await startRig(shared);
  const d = rig.deployer();
  const agent = await deploy(d, rig, "logger", uniqueRun(), 1);
  const closed = new Promise<void>((r) => agent.bus.onClose(() => r()));
  agent.bus.send({ type: "stop" });
  await closed;
  await agent.stop();
  const log = await agent.log!();
  assert.ok(log !== undefined);
  assert.match(log, /agent 'logger': hf \S+ \(pid \d+\) connecting to the controller/);
  assert.match(log, /Stopped by the controller/);
  assert.equal(log, await Deno.readTextFile(`${shared.agentDir}/agent.logger.log`));
});

Deno.test("ssh deployer: hf is copied only when the remote copy differs", async () => {
  await using rig = await startRig(shared);
  const dir = await Deno.makeTempDir({ dir: shared.dir, prefix: "copy-" });
  const copied: string[] = [];
  const d = rig.deployer({
    onLog: (_, m) => m.startsWith("Copied") && copied.push(m),
  });
  const once = async () => {
    const a = await deploy(d, rig, "copier", uniqueRun(), 0, { dir });
    await a.stop();
  };
  await once();
  assert.equal(copied.length, 1);
  assert.match(copied[0], /^Copied deno, hf\.js, executor_worker\.js /);
  const inode = (await Deno.stat(`${dir}/agentlib/deno`)).ino;
  await once();
  assert.equal(copied.length, 1, "the second deploy copied nothing");
  assert.equal((await Deno.stat(`${dir}/agentlib/deno`)).ino, inode);
  await Deno.writeTextFile(`${dir}/agentlib/hf.js`, "// changed\n", { append: true });
  await Deno.writeTextFile(`${dir}/agentlib/stale.jar`, "old");
  await once();
  assert.equal(copied.length, 2);
  assert.match(copied[1], /^Copied hf\.js /, "only the changed file");
  const names = [...Deno.readDirSync(`${dir}/agentlib`)].map((e) => e.name).sort();
  assert.deepEqual(
    names.filter((n) => !n.startsWith(".")),
    ["deno", "executor_worker.js", "hf.js"],
    "stale files are removed",
  );
  assert.ok(!names.some((n) => n.endsWith(".part")), "no upload is left half-way");
});

/** Deploys `agent` expecting failure `failure` within `timeoutMs`; returns the error. */
async function failsWith(
  d: Deployer,
  rig: Rig,
  failure: SshDeployFailure,
  timeoutMs: number,
  props: Record<string, string> = {},
  host = 0,
): Promise<SshDeployError> {
  const start = Date.now();
  const runId = uniqueRun();
  const e = await deploy(d, rig, "doomed", runId, host, props).then(
    () => assert.fail("the deploy succeeded"),
    (e) => e,
  );
  assert.ok(e instanceof DeployError, String(e));
  assert.ok(e instanceof SshDeployError);
  assert.equal(e.agent, "doomed");
  assert.equal(e.failure, failure, e.message);
  assert.match(e.message, /^Agent 'doomed'/);
  assert.ok(Date.now() - start < timeoutMs + 1000, `failed after ${Date.now() - start} ms`);
  assert.deepEqual(await agentPids("doomed", runId), [], "no agent process is left");
  return e;
}

Deno.test("ssh deployer: connection refused is named within the timeout", async () => {
  await using rig = await startRig(shared);
  const d = rig.deployer({ deployTimeoutMs: 3000 });
  const port = freePort("127.0.0.2");
  const agent = { ...rig.agent("doomed", 0), port };
  const e = await d.deploy("doomed", {
    runId: uniqueRun(),
    benchmark: BENCHMARK,
    threads: 1,
    agent,
  })
    .then(() => assert.fail("the deploy succeeded"), (e) => e);
  assert.ok(e instanceof SshDeployError);
  assert.equal(e.failure, "refused");
  assert.match(e.message, new RegExp(`127\\.0\\.0\\.2:${port} refused`));
});

Deno.test("ssh deployer: a key the host does not authorise fails authentication", async () => {
  await using rig = await startRig(shared);
  const key = `${shared.dir}/stranger_key`;
  await new Deno.Command("ssh-keygen", {
    args: ["-q", "-t", "ed25519", "-N", "", "-f", key],
  }).output();
  const e = await failsWith(rig.deployer({ deployTimeoutMs: 3000 }), rig, "auth", 3000, {
    sshKey: key,
  });
  assert.match(
    e.message,
    /Authentication to \S+@127\.0\.0\.2:\d+ failed with key '.*stranger_key'/,
  );
});

async function publicKeyFingerprint(pub: string): Promise<string> {
  const out = await new Deno.Command("ssh-keygen", { args: ["-lf", pub], stdout: "piped" })
    .output();
  return new TextDecoder().decode(out.stdout).split(" ")[1];
}

Deno.test("ssh deployer: a host key that differs from known_hosts is refused even when new keys are accepted", async () => {
  await using rig = await startRig(shared);
  const other = `${shared.dir}/other_host_key`;
  await Deno.remove(other).catch(() => {});
  await Deno.remove(`${other}.pub`).catch(() => {});
  await new Deno.Command("ssh-keygen", { args: ["-q", "-t", "ed25519", "-N", "", "-f", other] })
    .output();
  const otherPub = (await Deno.readTextFile(`${other}.pub`)).split(" ").slice(0, 2).join(" ");
  await Deno.writeTextFile(rig.knownHosts, `[127.0.0.2]:${rig.hosts[0].port} ${otherPub}\n`);
  const e = await failsWith(
    rig.deployer({ deployTimeoutMs: 3000, acceptNewHostKeys: true }),
    rig,
    "host-key-mismatch",
    3000,
  );
  const presented = await publicKeyFingerprint(`${shared.keys.hostKey}.pub`);
  const known = await publicKeyFingerprint(`${other}.pub`);
  assert.ok(e.message.includes(`127.0.0.2:${rig.hosts[0].port}`), e.message);
  assert.ok(e.message.includes(presented), e.message);
  assert.ok(e.message.includes(known), e.message);
  assert.match(e.message, /line 1/);
});

Deno.test("ssh deployer: an unknown host key is refused unless new keys are accepted", async () => {
  await using rig = await startRig(shared);
  const e = await failsWith(
    rig.deployer({ deployTimeoutMs: 3000, acceptNewHostKeys: false }),
    rig,
    "host-key-unknown",
    3000,
    {},
    1,
  );
  assert.ok(e.message.includes(await publicKeyFingerprint(`${shared.keys.hostKey}.pub`)));
  assert.ok(e.message.includes(`127.0.0.3:${rig.hosts[1].port}`), e.message);
});

Deno.test("ssh deployer: a host of another architecture is refused before copying", async () => {
  await using rig = await startRig(shared);
  const dir = await Deno.makeTempDir({ dir: shared.dir, prefix: "arch-" });
  const foreign = { ...shared.artifact, arch: "aarch64" };
  const d = rig.deployer({ deployTimeoutMs: 3000, artifact: () => Promise.resolve(foreign) });
  const e = await failsWith(d, rig, "architecture", 3000, { dir });
  assert.match(e.message, /127\.0\.0\.2 is x86_64 but this hf runs on aarch64/);
  assert.deepEqual([...Deno.readDirSync(`${dir}/agentlib`)], [], "nothing was copied");
});

Deno.test("ssh deployer: not enough free space on the host is named before copying", async () => {
  await using rig = await startRig(shared);
  const dir = await Deno.makeTempDir({ dir: shared.dir, prefix: "space-" });
  // A sparse file larger than any test disk: real size, no real blocks.
  const huge = `${shared.dir}/huge.bin`;
  await Deno.writeFile(huge, new Uint8Array());
  await Deno.truncate(huge, 2 ** 42);
  const big = {
    ...shared.artifact,
    files: [
      ...shared.artifact.files,
      { name: "huge.bin", path: huge, sha256: "0".repeat(64), mode: 0o644, size: 2 ** 42 },
    ],
  };
  const d = rig.deployer({ deployTimeoutMs: 3000, artifact: () => Promise.resolve(big) });
  const e = await failsWith(d, rig, "no-space", 3000, { dir });
  assert.match(
    e.message,
    /no space left for hf on 127\.0\.0\.2: '.*\/agentlib' needs \d+\.\d MiB, \d+\.\d MiB free/,
  );
  await Deno.remove(huge);
});

Deno.test("ssh deployer: an agent that cannot reach the controller fails the deploy with its log", async () => {
  await using rig = await startRig(shared);
  const port = freePort("127.0.0.1");
  const d = rig.deployer({ deployTimeoutMs: 8000, controllerAddress: `127.0.0.1:${port}` });
  const e = await failsWith(d, rig, "no-callback", 8000);
  assert.match(
    e.message,
    /exited before calling back to 127\.0\.0\.1:\d+; .*agent\.doomed\.log ends with:\n/,
  );
  assert.match(e.message, /Cannot connect to the controller at 127\.0\.0\.1:\d+/);
});

Deno.test("ssh deployer: an agent that never calls back is stopped at the deploy timeout", async () => {
  await using rig = await startRig(shared);
  // Accepts the agent's connection and says nothing: the agent waits for a challenge.
  using silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const c of silent) held.push(c);
  })().catch(() => {});
  const d = rig.deployer({
    deployTimeoutMs: 2500,
    controllerAddress: `127.0.0.1:${silent.addr.port}`,
  });
  const e = await failsWith(d, rig, "no-callback", 2500);
  assert.match(e.message, /did not call back to 127\.0\.0\.1:\d+ within 2500 ms/);
  assert.match(e.message, /connecting to the controller at 127\.0\.0\.1:\d+/);
  silent.close();
  await accepting;
  held.forEach((c) => c.close());
});
