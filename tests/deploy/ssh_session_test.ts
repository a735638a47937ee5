/** SSH sessions (ssh2 under Deno) against a real sshd: host keys, exec, SFTP. */
import assert from "node:assert/strict";
import { fingerprint } from "../../src/deploy/known_hosts.ts";
import { sshConnect, type SshConnectOptions, SshError } from "../../src/deploy/ssh_session.ts";
import { currentUser, generateKeys, type SshKeys, startSshd } from "./_sshd.ts";

async function withSshd(fn: (keys: SshKeys, port: number) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "hf-ssh-session-" });
  try {
    const keys = await generateKeys(dir);
    await using sshd = await startSshd({ hostname: "127.0.0.2", keys });
    await fn(keys, sshd.port);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function options(keys: SshKeys, port: number, more: Partial<SshConnectOptions>): SshConnectOptions {
  return {
    host: "127.0.0.2",
    port,
    user: currentUser(),
    privateKey: Deno.readTextFileSync(keys.userKey),
    keyPath: keys.userKey,
    knownHostsFile: `${keys.dir}/known_hosts`,
    acceptNewHostKeys: false,
    timeoutMs: 5000,
    ...more,
  };
}

async function sshKeygen(...args: string[]): Promise<string> {
  const out = await new Deno.Command("ssh-keygen", { args, stdout: "piped", stderr: "piped" })
    .output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout);
}

Deno.test("ssh session: a new host key is recorded when accepted, then known without accepting", async () => {
  await withSshd(async (keys, port) => {
    const knownHostsFile = `${keys.dir}/fresh/.ssh/known_hosts`; // its directories don't exist yet
    const logs: string[] = [];
    const first = await sshConnect(
      options(keys, port, {
        knownHostsFile,
        acceptNewHostKeys: true,
        onLog: (_, m) => logs.push(m),
      }),
    );
    await first.close();
    const found = await sshKeygen("-F", `[127.0.0.2]:${port}`, "-f", knownHostsFile);
    assert.ok(found.includes(keys.hostPublicKey.split(" ").slice(0, 2).join(" ")), found);
    const hostFingerprint = (await sshKeygen("-lf", `${keys.hostKey}.pub`)).split(" ")[1];
    assert.ok(logs.some((m) => m.includes(hostFingerprint)), logs.join("\n"));
    const again = await sshConnect(options(keys, port, { knownHostsFile }));
    assert.equal(again.closed, false);
    await again.close();
    assert.equal(again.closed, true);
    assert.equal(
      (await Deno.readTextFile(knownHostsFile)).trim().split("\n").length,
      1,
      "recorded once",
    );
  });
});

Deno.test("ssh session: a hashed known_hosts entry is accepted; exec and SFTP work", async () => {
  await withSshd(async (keys, port) => {
    const knownHostsFile = `${keys.dir}/known_hosts`;
    const pub = keys.hostPublicKey.split(" ").slice(0, 2).join(" ");
    await Deno.writeTextFile(knownHostsFile, `[127.0.0.2]:${port} ${pub}\n`);
    await sshKeygen("-H", "-f", knownHostsFile);
    const s = await sshConnect(options(keys, port, { knownHostsFile }));
    try {
      const r = await s.exec('read -r line; echo "got $line"; echo oops >&2; exit 3', "hello\n");
      assert.deepEqual(r, { code: 3, stdout: "got hello\n", stderr: "oops\n" });
      const local = `${keys.dir}/payload.bin`;
      const bytes = new Uint8Array(200_000).map((_, i) => (i * 7919) % 251);
      await Deno.writeFile(local, bytes);
      await s.upload(local, `${keys.dir}/uploaded.bin`, 0o640);
      assert.deepEqual(await Deno.readFile(`${keys.dir}/uploaded.bin`), bytes);
      assert.equal((await Deno.stat(`${keys.dir}/uploaded.bin`)).mode! & 0o777, 0o640);
      await Deno.writeTextFile(`${keys.dir}/remote.txt`, "remote text ✓\n");
      assert.equal(await s.readFile(`${keys.dir}/remote.txt`), "remote text ✓\n");
      assert.equal(await s.readFile(`${keys.dir}/missing.txt`), undefined);
    } finally {
      await s.close();
    }
  });
});

Deno.test("ssh session: an unknown host key is refused naming its fingerprint", async () => {
  await withSshd(async (keys, port) => {
    const e = await sshConnect(options(keys, port, {})).then(
      () => assert.fail("connected"),
      (e) => e,
    );
    assert.ok(e instanceof SshError);
    assert.equal(e.failure, "host-key-unknown");
    const pub = keys.hostPublicKey.split(" ")[1];
    const blob = Uint8Array.from(atob(pub), (c) => c.charCodeAt(0));
    assert.ok(e.message.includes(fingerprint(blob)), e.message);
    assert.ok(e.message.includes(`127.0.0.2:${port}`), e.message);
  });
});

Deno.test("ssh session: connecting to a port with nothing is 'refused', an aborted connect 'aborted'", async () => {
  await withSshd(async (keys, port) => {
    const l = Deno.listen({ hostname: "127.0.0.2", port: 0 });
    const closedPort = l.addr.port;
    l.close();
    const refused = await sshConnect(options(keys, closedPort, {})).then(
      () => assert.fail("connected"),
      (e) => e,
    );
    assert.ok(refused instanceof SshError);
    assert.equal(refused.failure, "refused");
    const abort = new AbortController();
    abort.abort();
    const aborted = await sshConnect(options(keys, port, { signal: abort.signal })).then(
      () => assert.fail("connected"),
      (e) => e,
    );
    assert.ok(aborted instanceof SshError);
    assert.equal(aborted.failure, "aborted");
  });
});
