/** known_hosts checks against files and keys made by the real ssh-keygen. */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  checkHostKey,
  fingerprint,
  knownHostName,
  knownHostsLine,
  knownKeyTypes,
} from "../../src/deploy/known_hosts.ts";

async function sshKeygen(...args: string[]): Promise<string> {
  const out = await new Deno.Command("ssh-keygen", { args, stdout: "piped", stderr: "piped" })
    .output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout);
}

interface Key {
  /** `type base64` */
  pub: string;
  blob: Uint8Array;
  path: string;
}

async function withKeys(fn: (dir: string, keys: Key[]) => void | Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "hf-known-hosts-" });
  try {
    const keys: Key[] = [];
    for (const [i, type] of ["ed25519", "ed25519", "ecdsa"].entries()) {
      const path = `${dir}/key${i}`;
      await sshKeygen("-q", "-t", type, "-N", "", "-f", path);
      const pub = (await Deno.readTextFile(`${path}.pub`)).split(" ").slice(0, 2).join(" ");
      keys.push({ pub, blob: new Uint8Array(Buffer.from(pub.split(" ")[1], "base64")), path });
    }
    await fn(dir, keys);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("known_hosts: fingerprints are those ssh-keygen -l prints", async () => {
  await withKeys(async (_, keys) => {
    for (const k of keys) {
      const printed = (await sshKeygen("-lf", `${k.path}.pub`)).split(" ")[1];
      assert.equal(fingerprint(k.blob), printed);
    }
  });
});

Deno.test("known_hosts: a host is recorded by name on port 22 and as [host]:port otherwise", async () => {
  await withKeys((_, [a]) => {
    assert.equal(knownHostName("Example.COM", 22), "example.com");
    assert.equal(knownHostName("10.0.0.1", 2222), "[10.0.0.1]:2222");
    const text = `10.0.0.1 ${a.pub}\n[10.0.0.2]:2222 ${a.pub}\n`;
    assert.equal(checkHostKey(text, "10.0.0.1", 22, a.blob).status, "known");
    assert.equal(checkHostKey(text, "10.0.0.1", 2222, a.blob).status, "unknown");
    assert.equal(checkHostKey(text, "10.0.0.2", 2222, a.blob).status, "known");
    assert.equal(checkHostKey(text, "10.0.0.2", 22, a.blob).status, "unknown");
  });
});

Deno.test("known_hosts: entries hashed by ssh-keygen -H match their host and port", async () => {
  await withKeys(async (dir, [a, b]) => {
    const file = `${dir}/known_hosts`;
    await Deno.writeTextFile(file, `[127.0.0.2]:2200 ${a.pub}\nhost.example ${b.pub}\n`);
    await sshKeygen("-H", "-f", file);
    const text = await Deno.readTextFile(file);
    assert.match(text, /^\|1\|[^|]+\|[^ ]+ ssh-ed25519 /m, "the file is hashed");
    assert.doesNotMatch(text, /127\.0\.0\.2|host\.example/);
    assert.equal(checkHostKey(text, "127.0.0.2", 2200, a.blob).status, "known");
    assert.equal(checkHostKey(text, "HOST.example", 22, b.blob).status, "known");
    assert.equal(checkHostKey(text, "127.0.0.2", 2201, a.blob).status, "unknown");
    const mismatch = checkHostKey(text, "127.0.0.2", 2200, b.blob);
    assert.equal(mismatch.status, "mismatch");
    assert.deepEqual(mismatch, {
      status: "mismatch",
      line: 1,
      knownFingerprint: fingerprint(a.blob),
    });
  });
});

Deno.test("known_hosts: another key of the same type is a mismatch, other types leave the key unknown", async () => {
  await withKeys((_, [a, b, ecdsa]) => {
    const text = `# comment\n\nh1,h2 ${a.pub} comment words\nh3 ${ecdsa.pub}\n`;
    assert.deepEqual(checkHostKey(text, "h2", 22, b.blob), {
      status: "mismatch",
      line: 3,
      knownFingerprint: fingerprint(a.blob),
    });
    assert.deepEqual(checkHostKey(text, "h3", 22, a.blob), {
      status: "unknown",
      otherTypes: [ecdsa.pub.split(" ")[0]],
    });
    assert.deepEqual(knownKeyTypes(text, "h3", 22), [ecdsa.pub.split(" ")[0]]);
    assert.deepEqual(knownKeyTypes(text, "h1", 22), ["ssh-ed25519"]);
  });
});

Deno.test("known_hosts: wildcards, negations, @revoked and @cert-authority", async () => {
  await withKeys((_, [a, b]) => {
    const text = [
      `*.lab.example,!bad.lab.example ${a.pub}`,
      `@cert-authority *.lab.example ${b.pub}`,
      `@revoked old?.lab.example ${a.pub}`,
    ].join("\n");
    assert.equal(checkHostKey(text, "agent1.lab.example", 22, a.blob).status, "known");
    assert.equal(checkHostKey(text, "bad.lab.example", 22, a.blob).status, "unknown");
    // A CA key is not a host key: b is not known for the lab.
    assert.equal(checkHostKey(text, "agent1.lab.example", 22, b.blob).status, "mismatch");
    assert.deepEqual(checkHostKey(text, "old1.lab.example", 22, a.blob), {
      status: "revoked",
      line: 3,
    });
  });
});

Deno.test("known_hosts: a recorded line is found by ssh-keygen -F", async () => {
  await withKeys(async (dir, [a]) => {
    const file = `${dir}/known_hosts`;
    await Deno.writeTextFile(file, `${knownHostsLine("127.0.0.3", 2022, a.blob)}\n`);
    const found = await sshKeygen("-F", "[127.0.0.3]:2022", "-f", file);
    assert.match(
      found,
      new RegExp(`^\\[127\\.0\\.0\\.3\\]:2022 ${a.pub.replaceAll("+", "\\+")}$`, "m"),
    );
    assert.equal(
      checkHostKey(await Deno.readTextFile(file), "127.0.0.3", 2022, a.blob).status,
      "known",
    );
  });
});
