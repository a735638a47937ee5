/** Agent definitions as the ssh deployer reads them (Hyperfoil's keys and defaults). */
import assert from "node:assert/strict";
import { userInfo } from "node:os";
import { sshAgentTarget, SshDeployError } from "../../src/deploy/ssh.ts";
import { bench } from "../controller/_bench.ts";

const agents = (yaml: string) =>
  bench(`agents:\n${yaml}\nphases:\n  - main:\n      noop: {}\n`).agents;

Deno.test("ssh target: an inline agent gets Hyperfoil's defaults", () => {
  const [a, b] = agents("  a: 10.0.0.1\n  b: alice@10.0.0.2:2222");
  assert.deepEqual(sshAgentTarget(a, "/home/me"), {
    host: "10.0.0.1",
    port: 22,
    user: userInfo().username,
    keys: ["/home/me/.ssh/id_ed25519", "/home/me/.ssh/id_rsa"],
    dir: "/tmp/hyperfoil",
    cpu: undefined,
    env: {},
    args: [],
  });
  const t = sshAgentTarget(b, "/home/me");
  assert.deepEqual([t.user, t.host, t.port], ["alice", "10.0.0.2", 2222]);
});

Deno.test("ssh target: properties set key, dir, cpu and extras (NAME=value words are environment)", () => {
  const [a] = agents(
    "  a:\n    host: h\n    port: 2200\n    user: bob\n    sshKey: id_test\n    dir: ~/hf/\n" +
      "    cpu: 0-3,6\n    extras: DENO_V8_FLAGS=--max-old-space-size=4096 --flag x\n",
  );
  const t = sshAgentTarget(a, "/home/me");
  assert.deepEqual(t.keys, ["/home/me/.ssh/id_test"]);
  assert.equal(t.dir, "hf", "relative to the remote home");
  assert.equal(t.cpu, "0-3,6");
  assert.deepEqual(t.env, { DENO_V8_FLAGS: "--max-old-space-size=4096" });
  assert.deepEqual(t.args, ["--flag", "x"]);
  assert.deepEqual([t.host, t.port, t.user], ["h", 2200, "bob"]);
});

Deno.test("ssh target: a missing host or a bad cpu list is a config error naming the agent", () => {
  const [noHost, badCpu] = agents("  lonely:\n    dir: /x\n  pinned:\n    host: h\n    cpu: all\n");
  for (
    const [agent, re] of [[noHost, /Agent 'lonely': no host/], [
      badCpu,
      /'cpu' must be a CPU list/,
    ]] as const
  ) {
    assert.throws(() => sshAgentTarget(agent), (e: unknown) => {
      assert.ok(e instanceof SshDeployError);
      assert.equal(e.failure, "config");
      assert.equal(e.agent, agent.name);
      assert.match(e.message, re);
      return true;
    });
  }
});
