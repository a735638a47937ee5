/**
 * Two agent "hosts" for SSH deployer tests: real sshds on 127.0.0.2 and
 * 127.0.0.3, a real TCP bus for the agents to call back, and the ssh deployer
 * between them. Keys and the agent artifact are made once per test file.
 */
import type { Agent } from "../../src/benchmark/model.ts";
import { type BusServer, listenBus } from "../../src/bus/tcp_transport.ts";
import { VERSION } from "../../src/cli/version.ts";
import { type AgentArtifact, hfArtifact } from "../../src/deploy/artifact.ts";
import type { Deployer } from "../../src/deploy/deployer.ts";
import { sshDeployer, type SshDeployerOptions } from "../../src/deploy/ssh.ts";
import { currentUser, generateKeys, type Sshd, type SshKeys, startSshd } from "./_sshd.ts";

/** Files shared by a test file's rigs: keys, the artifact, an agent dir copied to once. */
export interface RigShared {
  dir: string;
  keys: SshKeys;
  artifact: AgentArtifact;
  /** `dir` of agents that don't test copying: hf is uploaded there once per file. */
  agentDir: string;
}

/** Makes the shared files; they are removed when the test process ends. */
export async function rigShared(): Promise<RigShared> {
  const dir = await Deno.makeTempDir({ prefix: "hf-ssh-test-" });
  globalThis.addEventListener("unload", () => {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch {
      // best effort
    }
  });
  const [keys, artifact] = await Promise.all([generateKeys(dir), hfArtifact()]);
  return { dir, keys, artifact, agentDir: `${dir}/agent-dir` };
}

export interface Rig extends AsyncDisposable {
  hosts: Sshd[];
  bus: BusServer;
  knownHosts: string;
  /** An agent definition on host `i` (0: 127.0.0.2, 1: 127.0.0.3). */
  agent(name: string, i: number, properties?: Record<string, string>): Agent;
  /** A deployer over this rig (closed with the rig); `options` override the defaults. */
  deployer(options?: Partial<SshDeployerOptions>): Deployer;
  close(): Promise<void>;
}

/** Starts the two sshds and the bus. */
export async function startRig(shared: RigShared): Promise<Rig> {
  const hosts = await Promise.all(
    ["127.0.0.2", "127.0.0.3"].map((hostname) => startSshd({ hostname, keys: shared.keys })),
  );
  const bus = listenBus({ hostname: "127.0.0.1", port: 0, version: VERSION });
  const knownHosts = `${await Deno.makeTempDir({ dir: shared.dir })}/known_hosts`;
  const deployers: Deployer[] = [];
  const close = async () => {
    await Promise.all(deployers.map((d) => d.close?.()));
    await bus.close();
    await Promise.all(hosts.map((h) => h.close()));
  };
  return {
    hosts,
    bus,
    knownHosts,
    agent: (name, i, properties = {}) => ({
      name,
      inline: `${currentUser()}@${hosts[i].hostname}:${hosts[i].port}`,
      host: hosts[i].hostname,
      port: hosts[i].port,
      user: currentUser(),
      properties: { sshKey: shared.keys.userKey, dir: shared.agentDir, ...properties },
    }),
    deployer(options = {}) {
      const d = sshDeployer({
        bus,
        controllerAddress: `127.0.0.1:${bus.port}`,
        version: VERSION,
        acceptNewHostKeys: true,
        knownHostsFile: knownHosts,
        deployTimeoutMs: 10_000,
        artifact: () => Promise.resolve(shared.artifact),
        ...options,
      });
      deployers.push(d);
      return d;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A deployer for the contract suite: it starts a rig on first use and maps agent names to hosts. */
export function contractDeployer(shared: RigShared): Deployer {
  let rig: Promise<Rig> | undefined;
  let inner: Deployer | undefined;
  let count = 0;
  return {
    name: "ssh",
    async deploy(name, options) {
      rig ??= startRig(shared);
      const r = await rig;
      inner ??= r.deployer();
      return await inner.deploy(name, {
        ...options,
        agent: options.agent ?? r.agent(name, count++ % 2),
      });
    },
    async close() {
      if (rig !== undefined) await (await rig).close();
    },
  };
}
