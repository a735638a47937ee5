/**
 * What a remote deployer copies to an agent host: hf itself. A compiled `hf`
 * binary copies itself; hf running from source copies the Deno executable
 * plus a single-file esbuild bundle of `cli.ts` (and one of the executor
 * Worker, which `create_executor.ts` loads beside it). Bundles are built once
 * per content hash and cached under `${HF_ROOT:-/tmp/hyperfoil}/agentlib-cache/<hash>/`.
 * @module
 */
import { createHash } from "node:crypto";
import { builtinModules } from "node:module";
import type * as Esbuild from "esbuild";
import { HF_V8_FLAGS } from "../v8_flags.ts";

/** One file of the agent library, copied to `<dir>/agentlib/<name>`. */
export interface ArtifactFile {
  name: string;
  /** Where it is on this machine. */
  path: string;
  /** Hex SHA-256 of its content. */
  sha256: string;
  /** Unix permissions on the agent host. */
  mode: number;
  /** Bytes. */
  size: number;
}

/** The agent library and how to start `hf` from it. */
export interface AgentArtifact {
  files: ArtifactFile[];
  /** The `hf` command, relative to the agentlib dir: `["./hf"]` or `["./deno", "run", …]`. */
  command: string[];
  /** The architecture the files run on, as `uname -m` prints it (`x86_64`, `aarch64`). */
  arch: string;
}

export interface HfArtifactOptions {
  /** Where bundles are cached; default `${HF_ROOT:-/tmp/hyperfoil}/agentlib-cache`. */
  cacheRoot?: string;
}

/** Bumped when the bundle's layout changes, so old cache entries are not reused. */
const FORMAT = "hf-agentlib-2";
const BUNDLE = "hf.js";
const WORKER_BUNDLE = "executor_worker.js";
/** The literal in create_executor.ts that names the Worker module beside it. */
const WORKER_SOURCE_REF = `"./executor_worker.ts"`;

/** Whether this process is a `deno compile`d hf rather than `deno run cli.ts`. */
export function isCompiled(): boolean {
  if ((Deno.build as { standalone?: boolean }).standalone !== undefined) {
    return (Deno.build as { standalone?: boolean }).standalone === true;
  }
  return !import.meta.url.startsWith("file:") ||
    !/^deno(\.exe)?$/.test(basename(Deno.execPath()));
}

/** The agent library of the running hf. */
export async function hfArtifact(options: HfArtifactOptions = {}): Promise<AgentArtifact> {
  const arch = Deno.build.arch;
  if (isCompiled()) {
    return { files: [await artifactFile("hf", Deno.execPath())], command: ["./hf"], arch };
  }
  const root = new URL("../../", import.meta.url);
  const cacheRoot = options.cacheRoot ??
    `${Deno.env.get("HF_ROOT") ?? "/tmp/hyperfoil"}/agentlib-cache`;
  const dir = await agentBundle(root, cacheRoot);
  const files = await Promise.all([
    artifactFile("deno", Deno.execPath()),
    artifactFile(BUNDLE, `${dir}/${BUNDLE}`),
    artifactFile(WORKER_BUNDLE, `${dir}/${WORKER_BUNDLE}`),
  ]);
  // --no-config: a deno.json above the agent's dir must not change how the bundle runs.
  return {
    files,
    command: ["./deno", "run", "-A", `--v8-flags=${HF_V8_FLAGS}`, "--no-config", `./${BUNDLE}`],
    arch,
  };
}

async function artifactFile(name: string, path: string): Promise<ArtifactFile> {
  const [sha256, info] = await Promise.all([sha256File(path), Deno.stat(path)]);
  return { name, path, sha256, mode: name.endsWith(".js") ? 0o644 : 0o755, size: info.size };
}

/** Hex SHA-256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  using file = await Deno.open(path);
  const reader = file.readable.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    hash.update(value);
  }
  return hash.digest("hex");
}

/**
 * The cache dir holding the bundles of the sources under `root`, built when
 * missing. Concurrent builders race harmlessly: each builds aside and renames.
 */
export async function agentBundle(root: URL, cacheRoot: string): Promise<string> {
  const hash = await sourceHash(root);
  const dir = `${cacheRoot}/${hash}`;
  if (await isBuilt(dir)) return dir;
  const turn = buildTurn.then(() => buildInto(root, cacheRoot, hash, dir));
  buildTurn = turn.catch(() => {});
  return await turn;
}

/**
 * esbuild runs one service per process and its stop() ends it for every
 * caller, so the builds of this process take turns: the one piece of module state.
 */
let buildTurn: Promise<unknown> = Promise.resolve();

const isBuilt = async (dir: string) =>
  await exists(`${dir}/${BUNDLE}`) && await exists(`${dir}/${WORKER_BUNDLE}`);

async function buildInto(root: URL, cacheRoot: string, hash: string, dir: string) {
  if (await isBuilt(dir)) return dir; // the previous turn built it
  await Deno.mkdir(cacheRoot, { recursive: true });
  const work = await Deno.makeTempDir({ dir: cacheRoot, prefix: `.${hash}.` });
  try {
    await buildBundles(root, work);
    await smokeTest(work);
    try {
      await Deno.rename(work, dir);
    } catch (e) {
      // Another process finished the same bundle first: theirs is as good.
      if (!(await isBuilt(dir))) throw e;
    }
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
  await prune(cacheRoot, dir);
  return dir;
}

/** Bundles of older sources are dropped, keeping the few most recent (other checkouts may use them). */
async function prune(cacheRoot: string, keep: string): Promise<void> {
  const KEEP = 5;
  const entries: { path: string; mtime: number }[] = [];
  for await (const e of Deno.readDir(cacheRoot)) {
    if (!e.isDirectory || e.name.startsWith(".")) continue;
    const path = `${cacheRoot}/${e.name}`;
    const info = await Deno.stat(path).catch(() => undefined);
    if (info !== undefined && path !== keep) {
      entries.push({ path, mtime: info.mtime?.getTime() ?? 0 });
    }
  }
  entries.sort((a, b) => b.mtime - a.mtime);
  for (const old of entries.slice(KEEP - 1)) {
    await Deno.remove(old.path, { recursive: true }).catch(() => {});
  }
}

/** Everything the bundle depends on: the sources, deno.json, the lock file and Deno's version. */
async function sourceHash(root: URL): Promise<string> {
  const hash = createHash("sha256").update(`${FORMAT}\0${Deno.version.deno}\0`);
  const paths = ["cli.ts", "deno.json", "deno.lock", ...(await walk(new URL("src/", root), "src"))]
    .sort();
  for (const path of paths) {
    const bytes = await Deno.readFile(new URL(path, root)).catch(() => new Uint8Array());
    hash.update(`${path}\0${bytes.length}\0`).update(bytes);
  }
  return hash.digest("hex").slice(0, 32);
}

async function walk(dir: URL, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) out.push(...await walk(new URL(`${e.name}/`, dir), `${prefix}/${e.name}`));
    else if (e.isFile) out.push(`${prefix}/${e.name}`);
  }
  return out;
}

/** Deno's view of the npm packages: where each is cached and what it depends on. */
interface NpmGraph {
  /** Package id (`name@version`) → its cache dir and dependency ids. */
  packages: Map<string, { name: string; dir: string; dependencies: string[] }>;
  /** deno.json's bare imports that are npm packages: name → id. */
  rootImports: Map<string, string>;
}

async function npmGraph(root: URL): Promise<NpmGraph> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "cli.ts"],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  if (!out.success) {
    throw new Error(
      `'deno info cli.ts' failed while bundling hf: ${new TextDecoder().decode(out.stderr).trim()}`,
    );
  }
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    npmPackages?: Record<
      string,
      { name: string; version: string; dependencies: string[]; localPath?: string }
    >;
  };
  const packages: NpmGraph["packages"] = new Map();
  for (const [id, p] of Object.entries(info.npmPackages ?? {})) {
    if (p.localPath) {
      packages.set(id, { name: p.name, dir: p.localPath, dependencies: p.dependencies });
    }
  }
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", root))) as {
    imports?: Record<string, string>;
  };
  const rootImports = new Map<string, string>();
  for (const [name, target] of Object.entries(config.imports ?? {})) {
    const m = /^npm:\/?((?:@[^/@]+\/)?[^/@]+)(?:@([^/]+))?/.exec(target);
    if (!m) continue;
    const id = m[2] !== undefined && packages.has(`${m[1]}@${m[2]}`)
      ? `${m[1]}@${m[2]}`
      : [...packages.keys()].filter((k) => packages.get(k)!.name === m[1]).sort().at(-1);
    if (id !== undefined) rootImports.set(name, id);
  }
  return { packages, rootImports };
}

/**
 * Bundles `cli.ts` and the executor Worker into `outDir`. npm packages live in
 * Deno's global cache without a node_modules tree, so each package (and hf's
 * own sources) gets a scope dir whose `node_modules/` links exactly the
 * dependency versions Deno resolved; esbuild then resolves bare imports there.
 */
async function buildBundles(root: URL, outDir: string): Promise<void> {
  const graph = await npmGraph(root);
  const scopes = `${outDir}/.scopes`;
  const rootScope = await makeScope(scopes, "(root)", graph.rootImports, graph);
  const byDir = [...graph.packages].map(([id, p]) => ({ id, dir: p.dir }))
    .sort((a, b) => b.dir.length - a.dir.length);
  const packageScopes = new Map<string, Promise<string>>();
  const scopeOf = (importer: string): Promise<string> => {
    const owner = byDir.find((p) => importer.startsWith(`${p.dir}/`));
    if (owner === undefined) return Promise.resolve(rootScope);
    let scope = packageScopes.get(owner.id);
    if (scope === undefined) {
      const deps = new Map(
        graph.packages.get(owner.id)!.dependencies.filter((d) => graph.packages.has(d))
          .map((d) => [graph.packages.get(d)!.name, d]),
      );
      scope = makeScope(scopes, owner.id, deps, graph);
      packageScopes.set(owner.id, scope);
    }
    return scope;
  };
  const plugin: Esbuild.Plugin = {
    name: "hf-deno-resolve",
    setup(build) {
      const builtins = new Set(builtinModules);
      // Native addons are optional in the packages we use (ssh2's crypto, cpu-features).
      build.onResolve({ filter: /\.node$/ }, (args) => ({ path: args.path, external: true }));
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData?.hfScoped) return undefined;
        const bare = args.path.replace(/^npm:\/?/, "").replace(
          /^((?:@[^/]+\/)?[^/@]+)@[^/]+/,
          "$1",
        );
        const name = bare.startsWith("@")
          ? bare.split("/").slice(0, 2).join("/")
          : bare.split("/")[0];
        if (args.path.startsWith("node:") || builtins.has(name)) {
          return { path: args.path, external: true };
        }
        if (name === "esbuild") return { path: args.path, external: true }; // agents never bundle
        const resolveDir = await scopeOf(args.importer);
        const result = await build.resolve(bare, {
          kind: args.kind,
          resolveDir,
          importer: args.importer,
          pluginData: { hfScoped: true },
        });
        // Unresolved here, esbuild's own resolver reports it (and tolerates it inside try/catch).
        return result.errors.length > 0 ? undefined : result;
      });
      // The Worker is loaded by URL beside create_executor.ts; in the bundle it is the .js beside hf.js.
      build.onLoad({ filter: /[\\/]src[\\/]engine[\\/]create_executor\.ts$/ }, async (args) => {
        const text = await Deno.readTextFile(args.path);
        if (!text.includes(WORKER_SOURCE_REF)) {
          return {
            errors: [{
              text: `create_executor.ts no longer names ${WORKER_SOURCE_REF}: update artifact.ts`,
            }],
          };
        }
        return {
          contents: text.replaceAll(WORKER_SOURCE_REF, `"./${WORKER_BUNDLE}"`),
          loader: "ts",
        };
      });
    },
  };
  const esbuild = await loadEsbuild();
  try {
    await esbuild.build({
      absWorkingDir: new URL(".", root).pathname,
      entryPoints: {
        [BUNDLE.replace(/\.js$/, "")]: new URL("cli.ts", root).pathname,
        [WORKER_BUNDLE.replace(/\.js$/, "")]:
          new URL("src/engine/executor_worker.ts", root).pathname,
      },
      outdir: outDir,
      bundle: true,
      format: "esm",
      platform: "node",
      target: "esnext",
      logLevel: "silent",
      plugins: [plugin],
      // CommonJS packages use require() and __dirname; Deno runs the bundle as an ES module.
      define: { __dirname: "import.meta.dirname", __filename: "import.meta.filename" },
      banner: {
        js: `import { createRequire as __hfCreateRequire } from "node:module";\n` +
          `const require = __hfCreateRequire(import.meta.url);`,
      },
    });
  } catch (e) {
    throw new Error(`Bundling hf for agents failed: ${describeBuildError(e)}`, { cause: e });
  } finally {
    await esbuild.stop();
    await Deno.remove(scopes, { recursive: true }).catch(() => {});
  }
}

/** esbuild is only needed from source; a non-literal specifier keeps it out of `deno compile`. */
async function loadEsbuild(): Promise<typeof Esbuild> {
  const specifier = "esbuild";
  return await import(specifier);
}

async function makeScope(
  scopes: string,
  id: string,
  deps: Map<string, string>,
  graph: NpmGraph,
): Promise<string> {
  const dir = `${scopes}/${id.replaceAll("/", "+")}`;
  for (const [name, depId] of deps) {
    const link = `${dir}/node_modules/${name}`;
    await Deno.mkdir(link.slice(0, link.lastIndexOf("/")), { recursive: true });
    await Deno.symlink(graph.packages.get(depId)!.dir, link);
  }
  await Deno.mkdir(dir, { recursive: true });
  return dir;
}

function describeBuildError(e: unknown): string {
  const errors = (e as { errors?: Esbuild.Message[] }).errors;
  if (!Array.isArray(errors) || errors.length === 0) return String(e);
  return errors.slice(0, 5).map((m) =>
    m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ${m.text}` : m.text
  ).join("; ");
}

/** The bundle must at least start and print its version before it is cached. */
async function smokeTest(dir: string): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-config", `${dir}/${BUNDLE}`, "--version"],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success || !text.startsWith("hf ")) {
    throw new Error(
      `The agent bundle does not run ('hf.js --version' printed '${text.trim()}'): ${
        new TextDecoder().decode(out.stderr).trim()
      }`,
    );
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
