/** What the ssh deployer copies when hf runs from source: Deno plus esbuild bundles. */
import assert from "node:assert/strict";
import { agentBundle, hfArtifact, isCompiled } from "../../src/deploy/artifact.ts";
import { HF_V8_FLAGS } from "../../src/v8_flags.ts";

async function run(cmd: string, args: string[], cwd?: string) {
  const out = await new Deno.Command(cmd, {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("artifact: from source it is the Deno executable plus bundles of cli.ts and the executor Worker", async () => {
  assert.equal(isCompiled(), false);
  const a = await hfArtifact();
  assert.deepEqual(a.files.map((f) => f.name), ["deno", "hf.js", "executor_worker.js"]);
  assert.deepEqual(a.command, [
    "./deno",
    "run",
    "-A",
    `--v8-flags=${HF_V8_FLAGS}`,
    "--no-config",
    "./hf.js",
  ]);
  assert.equal(a.arch, Deno.build.arch);
  assert.equal(a.files[0].path, Deno.execPath());
  assert.equal(a.files[0].mode, 0o755);
  for (const f of a.files) {
    const sum = (await run("sha256sum", [f.path])).stdout.split(" ")[0];
    assert.equal(f.sha256, sum, f.name);
    assert.equal(f.size, (await Deno.stat(f.path)).size);
  }
});

Deno.test("artifact: the bundle runs without the sources ('hf agent --help' from a bare directory)", async () => {
  const a = await hfArtifact();
  const dir = await Deno.makeTempDir({ prefix: "hf-bundle-" });
  try {
    for (const f of a.files.filter((f) => f.name.endsWith(".js"))) {
      await Deno.copyFile(f.path, `${dir}/${f.name}`);
    }
    const r = await run(
      Deno.execPath(),
      ["run", "-A", "--no-config", "./hf.js", "agent", "--help"],
      dir,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Usage: hf agent \[options\]/);
    assert.match(r.stdout, /HF_TOKEN/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("artifact: bundles are built once per content hash, even by concurrent callers", async () => {
  const cacheRoot = await Deno.makeTempDir({ prefix: "hf-agentlib-cache-" });
  try {
    const root = new URL("../../", import.meta.url);
    const [one, two] = await Promise.all([
      agentBundle(root, cacheRoot),
      agentBundle(root, cacheRoot),
    ]);
    assert.equal(one, two);
    assert.deepEqual([...Deno.readDirSync(cacheRoot)].map((e) => e.name), [one.split("/").pop()]);
    const built = (await Deno.stat(`${one}/hf.js`)).mtime?.getTime();
    assert.equal(await agentBundle(root, cacheRoot), one);
    assert.equal((await Deno.stat(`${one}/hf.js`)).mtime?.getTime(), built, "not rebuilt");
    assert.match(await Deno.readTextFile(`${one}/hf.js`), /executor_worker\.js/);
  } finally {
    await Deno.remove(cacheRoot, { recursive: true });
  }
});
