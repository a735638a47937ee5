/**
 * The `ssh` deployer (Hyperfoil's SshDeployer): for each agent it connects
 * over SSH, copies hf itself to `<dir>/agentlib/` when the remote copy
 * differs, starts `hf agent` detached from the SSH channel with its log in
 * `<dir>/agent.<name>.log`, and waits for the agent to dial the controller's
 * bus. The run token travels on the agent's stdin, never on a command line.
 *
 * Agent properties: `host` (required), `port` (22), `user` (current user),
 * `sshKey` (`~/.ssh/id_ed25519`, then `~/.ssh/id_rsa`; ssh-agent too when
 * `SSH_AUTH_SOCK` is set), `dir` (`/tmp/hyperfoil`), `cpu` (`taskset -c`
 * list), `threads`, `extras`: whitespace-separated; `NAME=value` words are
 * environment variables of the agent process (e.g. `DENO_V8_FLAGS=--max-old-space-size=4096`,
 * Deno's counterpart of Hyperfoil's JVM options), other words are appended to
 * the `hf agent` arguments.
 * @module
 */
import { userInfo } from "node:os";
import type { Agent } from "../benchmark/model.ts";
import type { BusServer } from "../bus/tcp_transport.ts";
import { newRunToken } from "../bus/tcp_transport.ts";
import type { ControllerSide } from "../bus/messages.ts";
import { type AgentArtifact, hfArtifact } from "./artifact.ts";
import { type DeployedAgent, type Deployer, DeployError, type DeployOptions } from "./deployer.ts";
import { sshConnect, SshError, type SshFailure, type SshSession } from "./ssh_session.ts";

export interface SshDeployerOptions {
  bus: BusServer;
  /** host:port the agents dial back (the bus address as reachable from the agent hosts). */
  controllerAddress: string;
  /** hf version of the controller (agents of another version are refused by the bus). */
  version: string;
  /** Accept and record unknown host keys in known_hosts; default false (the controller's config), tests set true. */
  acceptNewHostKeys?: boolean;
  /** Default `~/.ssh/known_hosts`. */
  knownHostsFile?: string;
  /** Connecting, copying, starting and the agent's callback, ms; default 15000. */
  deployTimeoutMs?: number;
  /** What to copy and how to start it; default {@link hfArtifact}. */
  artifact?: () => Promise<AgentArtifact>;
  onLog?: (level: "info" | "warn" | "error", message: string) => void;
}

/** Why a deploy failed, for callers that act on the cause. */
export type SshDeployFailure =
  | SshFailure
  | "config"
  | "artifact"
  | "prepare"
  | "architecture"
  | "no-space"
  | "copy"
  | "start"
  | "no-callback";

/** A {@link DeployError} of the ssh deployer; `failure` says why. */
export class SshDeployError extends DeployError {
  override name = "SshDeployError";
  constructor(
    agent: string,
    readonly failure: SshDeployFailure,
    message: string,
    options?: ErrorOptions,
  ) {
    super(agent, message, options);
  }
}

/** Where and how one agent runs, from its definition. */
export interface SshAgentTarget {
  host: string;
  port: number;
  user: string;
  /** Private key files to try, in order (the first that exists is used). */
  keys: string[];
  /** The root dir on the host (agentlib/ and the logs live there). */
  dir: string;
  cpu?: string;
  env: Record<string, string>;
  args: string[];
}

const ENV_WORD = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

/** Reads an agent definition; throws {@link SshDeployError} `config` naming the bad property. */
export function sshAgentTarget(agent: Agent, home = homeDir()): SshAgentTarget {
  const p = agent.properties;
  const bad = (what: string) =>
    new SshDeployError(agent.name, "config", `Agent '${agent.name}': ${what}`);
  const host = agent.host ?? p.host;
  if (host === undefined || host === "") {
    throw bad("no host: set 'host' or write the agent as 'user@host:port'");
  }
  const port = agent.port ?? (p.port === undefined ? 22 : Number(p.port));
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw bad(`'port' must be a port number, found '${p.port}'`);
  }
  const cpu = p.cpu?.trim();
  if (cpu !== undefined && !/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(cpu)) {
    throw bad(`'cpu' must be a CPU list for taskset -c (e.g. '0-3,6'), found '${p.cpu}'`);
  }
  // `~/x` is the remote user's home: SSH commands and SFTP paths start there, so it becomes `x`.
  const dir = (p.dir ?? "/tmp/hyperfoil").replace(/^~(\/+|$)/, "").replace(/\/+$/, "") ||
    (p.dir?.startsWith("/") ? "/" : ".");
  const expand = (path: string) => path.replace(/^~(?=\/|$)/, home);
  const keys = p.sshKey !== undefined
    ? [expand(p.sshKey.includes("/") ? p.sshKey : `~/.ssh/${p.sshKey}`)]
    : [`${home}/.ssh/id_ed25519`, `${home}/.ssh/id_rsa`];
  const env: Record<string, string> = {};
  const args: string[] = [];
  for (const word of (p.extras ?? "").split(/\s+/).filter((w) => w !== "")) {
    const m = ENV_WORD.exec(word);
    if (m) env[m[1]] = m[2];
    else args.push(word);
  }
  return {
    host: host.replace(/^\[(.*)\]$/, "$1"),
    port,
    user: agent.user ?? p.user ?? userInfo().username,
    keys,
    dir,
    cpu,
    env,
    args,
  };
}

/** Starts agents over SSH; see the module doc for the agent properties. */
export function sshDeployer(options: SshDeployerOptions): Deployer {
  const timeoutMs = options.deployTimeoutMs ?? 15_000;
  const knownHostsFile = options.knownHostsFile ?? `${homeDir()}/.ssh/known_hosts`;
  const log = options.onLog ?? (() => {});
  const sessions = new Set<SshSession>();
  // One artifact per deployer: hashing and bundling hf is done once, not per agent.
  let artifact: Promise<AgentArtifact> | undefined;
  const getArtifact = () => {
    if (artifact === undefined) {
      const made = (options.artifact ?? (() => hfArtifact()))();
      artifact = made;
      made.catch(() => artifact === made && (artifact = undefined)); // the next deploy tries again
    }
    return artifact;
  };

  const connect = async (name: string, t: SshAgentTarget, ms: number, signal?: AbortSignal) => {
    const key = await readKey(name, t.keys);
    try {
      const s = await sshConnect({
        host: t.host,
        port: t.port,
        user: t.user,
        privateKey: key?.text,
        keyPath: key?.path,
        agentSocket: Deno.env.get("SSH_AUTH_SOCK") || undefined,
        knownHostsFile,
        acceptNewHostKeys: options.acceptNewHostKeys ?? false,
        timeoutMs: Math.max(1, ms),
        signal,
        onLog: options.onLog,
      });
      sessions.add(s);
      return s;
    } catch (e) {
      if (e instanceof SshError) {
        throw new SshDeployError(name, e.failure, `Agent '${name}': ${e.message}`, { cause: e });
      }
      throw e;
    }
  };

  return {
    name: "ssh",
    async deploy(agentName: string, deploy: DeployOptions): Promise<DeployedAgent> {
      if (deploy.agent === undefined) {
        throw new SshDeployError(
          agentName,
          "config",
          `Agent '${agentName}': the ssh deployer needs its definition in 'agents'`,
        );
      }
      const target = sshAgentTarget(deploy.agent);
      const where = `${target.user}@${target.host}:${target.port}`;
      const deadline = Date.now() + timeoutMs;
      const abort = new AbortController();
      const onAbort = () => abort.abort(deploy.signal?.reason);
      deploy.signal?.addEventListener("abort", onAbort, { once: true });
      if (deploy.signal?.aborted) onAbort();
      const timer = setTimeout(() => abort.abort(new Error("The deploy timed out")), timeoutMs);
      const mark = processMark(agentName, deploy.runId);
      let stage = "connecting";
      let session: SshSession | undefined;
      let pid: number | undefined;
      try {
        const made = getArtifact();
        made.catch(() => {}); // awaited below, unless connecting fails first
        session = await connect(agentName, target, deadline - Date.now(), abort.signal);
        const s = session;
        stage = "preparing hf";
        const lib = await within(agentName, "artifact", abort.signal, () => made);
        stage = "checking the host";
        await within(agentName, "prepare", abort.signal, async () => {
          const remote = await prepare(s, agentName, target, lib);
          stage = "copying hf";
          await copy(s, agentName, target, lib, remote, log);
        });
        stage = "starting the agent";
        const token = newRunToken();
        const connected = options.bus.expect(deploy.runId, agentName, token, abort.signal);
        connected.catch(() => {}); // observed in callback(); an earlier failure must not go unhandled
        pid = await within(
          agentName,
          "start",
          abort.signal,
          () => start(s, agentName, target, lib, deploy, options.controllerAddress, token),
        );
        log("info", `Agent '${agentName}' started on ${where} (pid ${pid})`);
        stage = "waiting for the agent to call back";
        const bus = await callback(s, agentName, target, pid, mark, connected, {
          timeoutMs,
          options,
          gaveUp: () => deploy.signal?.aborted ?? false,
        });
        return deployedAgent(
          agentName,
          target,
          pid,
          mark,
          s,
          bus,
          (ms) => connect(agentName, target, ms),
          sessions,
        );
      } catch (e) {
        if (session !== undefined && pid !== undefined) {
          await kill(session, pid, mark).catch(() => {});
        }
        if (session !== undefined) {
          sessions.delete(session);
          await session.close();
        }
        const gaveUp = e instanceof SshDeployError && e.failure === "aborted";
        if (e instanceof DeployError && !gaveUp) throw e;
        if (abort.signal.aborted && !(deploy.signal?.aborted ?? false)) {
          throw new SshDeployError(
            agentName,
            "timeout",
            `Agent '${agentName}': not deployed on ${where} within ${timeoutMs} ms (${stage})`,
            { cause: e },
          );
        }
        throw new SshDeployError(
          agentName,
          "aborted",
          `Agent '${agentName}': deploying on ${where} was aborted (${stage})`,
          { cause: e },
        );
      } finally {
        clearTimeout(timer);
        deploy.signal?.removeEventListener("abort", onAbort);
        abort.abort(); // withdraws the bus expectation if the agent never came
      }
    },
    async close() {
      const open = [...sessions];
      sessions.clear();
      await Promise.all(open.map((s) => s.close()));
    },
  };
}

/** Runs `step`, failing with `failure`, or with the abort when `signal` comes first. */
async function within<T>(
  agent: string,
  failure: SshDeployFailure,
  signal: AbortSignal,
  step: () => Promise<T>,
): Promise<T> {
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason ?? new Error("aborted"));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([step(), aborted]);
  } catch (e) {
    if (e instanceof DeployError || signal.aborted) throw e;
    throw new SshDeployError(agent, failure, `Agent '${agent}': ${message(e)}`, { cause: e });
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

interface RemoteState {
  os: string;
  arch: string;
  /** Free bytes in agentlib/. */
  free: number;
  /** sha256 of the files present, by name. */
  sums: Map<string, string>;
  /** Files whose sum was computed now, not read from their `.NAME.sha256` record. */
  unrecorded: Set<string>;
  /** Every file name in agentlib/. */
  names: string[];
}

/** Creates agentlib/ and reads the host's OS, architecture, free space and current files. */
async function prepare(
  s: SshSession,
  agent: string,
  t: SshAgentTarget,
  lib: AgentArtifact,
): Promise<RemoteState> {
  const names = lib.files.map((f) => shq(f.name)).join(" ");
  const script = [
    FILE_FUNCS,
    `d=${shq(`${t.dir}/agentlib`)}`,
    `mkdir -p "$d" || exit 3`,
    `cd "$d" || exit 3`,
    `echo "os $(uname -s)"`,
    `echo "arch $(uname -m)"`,
    `df -Pk . | awk 'NR==2 { print "free", $4 }'`,
    // A file unchanged since its sum was recorded is not hashed again (the Deno executable is big).
    `for f in ${names}; do [ -f "$f" ] || continue`,
    `  if [ -f ".$f.sha256" ] && read -r rs rmeta <".$f.sha256" && [ "$rmeta" = "$(meta "$f")" ]`,
    `  then echo "sum $rs $f"; else echo "computed $(sum "$f") $f"; fi`,
    `done`,
    `for f in *; do [ -f "$f" ] && echo "file $f"; done`,
    `exit 0`,
  ].join("\n");
  const r = await s.exec(`sh -c ${shq(script)}`);
  if (r.code !== 0) {
    throw new SshDeployError(
      agent,
      "prepare",
      `Agent '${agent}': cannot create '${t.dir}/agentlib' on ${t.host}: ${
        r.stderr.trim() || `exit status ${r.code}`
      }`,
    );
  }
  const state: RemoteState = {
    os: "",
    arch: "",
    free: Infinity,
    sums: new Map(),
    unrecorded: new Set(),
    names: [],
  };
  for (const line of r.stdout.split("\n")) {
    const [kind, ...rest] = line.split(" ");
    const value = rest.join(" ");
    if (kind === "os") state.os = value.trim();
    else if (kind === "arch") state.arch = value.trim();
    else if (kind === "free" && /^\d+$/.test(value.trim())) state.free = Number(value) * 1024;
    else if (kind === "sum" || kind === "computed") {
      const m = /^([0-9a-f]{64}) (.+)$/.exec(value);
      if (m) state.sums.set(m[2], m[1]);
      if (m && kind === "computed") state.unrecorded.add(m[2]);
    } else if (kind === "file") state.names.push(value);
  }
  const want = archName(lib.arch);
  if (state.arch !== "" && archName(state.arch) !== want) {
    throw new SshDeployError(
      agent,
      "architecture",
      `Agent '${agent}': ${t.host} is ${state.arch} but this hf runs on ${lib.arch}; ` +
        `run the controller from an hf built for ${state.arch}`,
    );
  }
  if (state.os !== "" && state.os.toLowerCase() !== Deno.build.os) {
    throw new SshDeployError(
      agent,
      "architecture",
      `Agent '${agent}': ${t.host} runs ${state.os} but this hf is built for ${Deno.build.os}`,
    );
  }
  return state;
}

/**
 * Shell helpers on the agent host: `sum FILE` prints its sha256, `meta FILE`
 * its size, mtime and inode (what tells whether a recorded sum still holds).
 */
const FILE_FUNCS = `sum() { { sha256sum "$1" 2>/dev/null || shasum -a 256 "$1"; } | cut -d' ' -f1; }
meta() { stat -c '%s.%Y.%i' "$1" 2>/dev/null || stat -f '%z.%m.%i' "$1"; }`;

const archName = (a: string): string => a === "arm64" ? "aarch64" : a === "amd64" ? "x86_64" : a;

/** Uploads the files whose remote sha256 differs, then drops stale ones. */
async function copy(
  s: SshSession,
  agent: string,
  t: SshAgentTarget,
  lib: AgentArtifact,
  remote: RemoteState,
  log: NonNullable<SshDeployerOptions["onLog"]>,
): Promise<void> {
  const changed = lib.files.filter((f) => remote.sums.get(f.name) !== f.sha256);
  const stale = remote.names.filter((n) => !lib.files.some((f) => f.name === n));
  const lib_ = `${t.dir}/agentlib`;
  // Equal files hashed now get their record, so the next deploy need not hash them.
  const record = lib.files.filter((f) => !changed.includes(f) && remote.unrecorded.has(f.name))
    .map((f) =>
      `printf '%s %s\\n' ${f.sha256} "$(meta ${shq(f.name)})" >${shq(`.${f.name}.sha256`)}`
    );
  if (stale.length > 0 || record.length > 0) {
    const rm = stale.length > 0 ? [`rm -f -- ${stale.map(shq).join(" ")}`] : [];
    await s.exec(
      `sh -c ${shq([FILE_FUNCS, `cd ${shq(lib_)} || exit 3`, ...rm, ...record].join("\n"))}`,
    );
  }
  if (changed.length === 0) return;
  const need = changed.reduce((n, f) => n + f.size, 0);
  const margin = 1 << 20; // the log and the shell need a little room too
  if (need + margin > remote.free) {
    throw new SshDeployError(
      agent,
      "no-space",
      `Agent '${agent}': no space left for hf on ${t.host}: '${lib_}' needs ${
        mib(need + margin)
      }, ${mib(remote.free)} free`,
    );
  }
  const tag = crypto.randomUUID().slice(0, 8);
  const install: string[] = [FILE_FUNCS, `cd ${shq(lib_)} || exit 3`];
  for (const f of changed) {
    // A temporary name, then a rename: a running agent's binary is never overwritten in place.
    const part = `.${f.name}.${tag}.part`;
    try {
      await s.upload(f.path, `${lib_}/${part}`, f.mode);
    } catch (e) {
      await s.exec(`rm -f ${shq(`${lib_}/${part}`)}`).catch(() => {});
      throw new SshDeployError(
        agent,
        /no space|failure/i.test(message(e)) ? "no-space" : "copy",
        `Agent '${agent}': copying ${f.name} to ${t.host}:${lib_} failed: ${message(e)}`,
        { cause: e },
      );
    }
    const [p, n] = [shq(part), shq(f.name)];
    install.push(
      `[ "$(sum ${p})" = ${f.sha256} ] || { rm -f ${p}; echo "${f.name} arrived corrupted" >&2; exit 5; }`,
      `chmod ${f.mode.toString(8)} ${p} && mv -f ${p} ${n} || exit 5`,
      `printf '%s %s\\n' ${f.sha256} "$(meta ${n})" >${shq(`.${f.name}.sha256`)}`,
    );
  }
  const r = await s.exec(`sh -c ${shq(install.join("\n"))}`);
  if (r.code !== 0) {
    throw new SshDeployError(
      agent,
      "copy",
      `Agent '${agent}': installing hf in ${t.host}:${lib_} failed: ${r.stderr.trim()}`,
    );
  }
  log(
    "info",
    `Copied ${changed.map((f) => f.name).join(", ")} (${mib(need)}) to ${t.host}:${lib_}`,
  );
}

/** The agent's log file: `<dir>/agent.<name>.log`, the name made safe for a path. */
export function agentLogPath(t: SshAgentTarget, agent: string): string {
  return `${t.dir}/${logName(agent)}`;
}

const logName = (agent: string) => `agent.${agent.replace(/[^A-Za-z0-9._-]/g, "_")}.log`;

/** Starts the agent detached (setsid, nohup) and returns its pid, which is also its process group. */
async function start(
  s: SshSession,
  agent: string,
  t: SshAgentTarget,
  lib: AgentArtifact,
  deploy: DeployOptions,
  controllerAddress: string,
  token: string,
): Promise<number> {
  const argv = [
    ...lib.command,
    "agent",
    "--controller",
    controllerAddress,
    "--name",
    agent,
    "--run",
    deploy.runId,
    "--threads",
    String(deploy.threads),
    ...t.args,
  ];
  const env = Object.entries({ NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", ...t.env })
    .map(([k, v]) => `${k}=${shq(v)}`);
  const taskset = t.cpu !== undefined ? ["taskset", "-c", t.cpu] : [];
  // The token is read by this shell and piped to the agent: it is on no command line.
  const script = [
    `IFS= read -r token || exit 4`,
    `cd ${shq(`${t.dir}/agentlib`)} || exit 3`,
    `if command -v setsid >/dev/null 2>&1; then detach=setsid; else detach=; fi`,
    `printf '%s\\n' "$token" | ${env.join(" ")} $detach nohup ${
      [...taskset, ...argv].map(shq).join(" ")
    } >../${shq(logName(agent))} 2>&1 &`,
    `echo "pid $!"`,
  ].join("\n");
  const r = await s.exec(`sh -c ${shq(script)}`, `${token}\n`);
  const pid = Number(/^pid (\d+)$/m.exec(r.stdout)?.[1]);
  if (r.code !== 0 || !Number.isInteger(pid) || pid <= 0) {
    throw new SshDeployError(
      agent,
      "start",
      `Agent '${agent}': cannot start hf on ${t.host}: ${
        r.stderr.trim() || `exit status ${r.code}`
      }`,
    );
  }
  return pid;
}

/** Waits for the agent's bus connection, failing early when its process ends. */
async function callback(
  s: SshSession,
  agent: string,
  t: SshAgentTarget,
  pid: number,
  mark: string,
  connected: Promise<ControllerSide>,
  how: {
    timeoutMs: number;
    options: SshDeployerOptions;
    /** Whether the caller gave up (then the deploy was aborted, not failed). */
    gaveUp: () => boolean;
  },
): Promise<ControllerSide> {
  const { timeoutMs, options } = how;
  let waiting = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let wake = () => {};
  const exited = (async () => {
    while (waiting) {
      await new Promise<void>((r) => {
        wake = r;
        timer = setTimeout(r, 250);
      });
      if (!waiting || s.closed) return false;
      const r = await s.exec(`sh -c ${shq(`${ALIVE}\nalive ${pid} ${shq(mark)} && echo alive`)}`)
        .catch(() => undefined);
      if (waiting && r !== undefined && !r.stdout.includes("alive")) return true;
    }
    return false;
  })();
  try {
    const first = await Promise.race([
      connected.then((bus) => ({ bus }), () => ({ gone: false })),
      exited.then((gone) => ({ gone })),
    ]);
    if ("bus" in first) return first.bus;
    if (!first.gone && how.gaveUp()) throw new Error("The caller gave up waiting");
    const log = agentLogPath(t, agent);
    const tail = await logTail(s, log);
    const why = first.gone
      ? `exited before calling back to ${options.controllerAddress}`
      : `did not call back to ${options.controllerAddress} within ${timeoutMs} ms (controller hf ${options.version})`;
    throw new SshDeployError(
      agent,
      "no-callback",
      `Agent '${agent}' on ${t.host} ${why}; ${log} ends with:\n${tail}`,
    );
  } finally {
    waiting = false;
    clearTimeout(timer);
    wake();
  }
}

async function logTail(s: SshSession, path: string): Promise<string> {
  const r = await s.exec(`tail -n 20 ${shq(path)} 2>&1`).catch((e) => ({
    stdout: `(cannot read it: ${message(e)})`,
  }));
  return r.stdout.trimEnd() || "(nothing)";
}

/** What identifies this agent's process on its command line (the pid alone may be reused). */
function processMark(agent: string, runId: string): string {
  return `--name ${agent} --run ${runId}`;
}

/**
 * `alive PID MARK`: the process runs (not a zombie) with MARK in its command
 * line. A zombie's /proc cmdline is empty, so it counts as gone.
 */
const ALIVE = `alive() {
  if [ -d /proc/self ]; then tr '\\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$2"
  else ps -p "$1" -o args= 2>/dev/null | grep -qF -- "$2"; fi
}`;

/** Ends the agent's process group (TERM, then KILL after 3 s) if it is still this run's agent. */
async function kill(s: SshSession, pid: number, mark: string): Promise<void> {
  const script = [
    ALIVE,
    `p=${pid}; mark=${shq(mark)}`,
    `alive "$p" "$mark" || exit 0`,
    `kill -TERM -- -"$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null`,
    // A stopped (frozen) agent acts on TERM only once continued.
    `kill -CONT -- -"$p" 2>/dev/null || kill -CONT "$p" 2>/dev/null`,
    `i=0; while [ $i -lt 30 ]; do alive "$p" "$mark" || exit 0; sleep 0.1; i=$((i+1)); done`,
    `kill -KILL -- -"$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null; exit 0`,
  ].join("\n");
  await s.exec(`sh -c ${shq(script)}`);
}

function deployedAgent(
  name: string,
  t: SshAgentTarget,
  pid: number,
  mark: string,
  first: SshSession,
  bus: ControllerSide,
  reconnect: (ms: number) => Promise<SshSession>,
  sessions: Set<SshSession>,
): DeployedAgent {
  let session: SshSession | undefined = first;
  let stopping: Promise<void> | undefined;
  // The connection may have dropped during the run: stop() and log() then open a new one.
  const open = async () =>
    session !== undefined && !session.closed ? session : (session = await reconnect(10_000));
  const release = async (s: SshSession) => {
    sessions.delete(s);
    if (session === s) session = undefined;
    await s.close();
  };
  return {
    name,
    bus,
    stop() {
      return stopping ??= (async () => {
        try {
          const s = await open();
          try {
            await kill(s, pid, mark);
          } finally {
            await release(s);
          }
        } finally {
          bus.close(`Agent '${name}' was stopped`);
        }
      })();
    },
    async log() {
      const s = await open();
      try {
        return await s.readFile(agentLogPath(t, name));
      } finally {
        await release(s);
      }
    },
  };
}

function homeDir(): string {
  return Deno.env.get("HOME") ?? userInfo().homedir;
}

async function readKey(
  agent: string,
  paths: string[],
): Promise<{ path: string; text: string } | undefined> {
  for (const path of paths) {
    try {
      return { path, text: await Deno.readTextFile(path) };
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) {
        throw new SshDeployError(
          agent,
          "auth",
          `Agent '${agent}': cannot read SSH key '${path}': ${message(e)}`,
        );
      }
    }
  }
  if (Deno.env.get("SSH_AUTH_SOCK")) return undefined;
  throw new SshDeployError(
    agent,
    "auth",
    `Agent '${agent}': no SSH key: tried ${paths.map((p) => `'${p}'`).join(", ")}; set 'sshKey'`,
  );
}

/** A word quoted for POSIX sh. */
export function shq(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

function mib(bytes: number): string {
  return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
