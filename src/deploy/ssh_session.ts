/**
 * One SSH connection for the SSH deployer, over the pure-JavaScript `ssh2`
 * client (its optional native crypto is never built under Deno): host keys
 * checked against known_hosts, failures classified so the deployer can say
 * *why* it could not reach a host, and promise-shaped exec and SFTP.
 * @module
 */
import ssh2 from "ssh2";
import { checkHostKey, fingerprint, knownHostsLine, knownKeyTypes } from "./known_hosts.ts";

/** Why a connection could not be made. */
export type SshFailure =
  | "refused"
  | "unreachable"
  | "timeout"
  | "auth"
  | "host-key-unknown"
  | "host-key-mismatch"
  | "aborted"
  | "protocol";

/** A connection could not be made; `failure` says why. */
export class SshError extends Error {
  override name = "SshError";
  constructor(readonly failure: SshFailure, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

export interface SshConnectOptions {
  host: string;
  port: number;
  user: string;
  /** Private key in OpenSSH or PEM format (unencrypted); absent to use ssh-agent only. */
  privateKey?: string;
  /** Where the key came from, for messages. */
  keyPath?: string;
  /** `SSH_AUTH_SOCK` of an ssh-agent to try as well. */
  agentSocket?: string;
  knownHostsFile: string;
  /** Record unknown host keys in known_hosts instead of refusing them. */
  acceptNewHostKeys: boolean;
  /** Until the connection is authenticated, ms. */
  timeoutMs: number;
  signal?: AbortSignal;
  onLog?: (level: "info" | "warn" | "error", message: string) => void;
}

export interface ExecResult {
  /** Exit status; null when the command was killed by a signal or the channel closed early. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** An authenticated connection. */
export interface SshSession {
  /** `user@host:port`, for messages. */
  readonly address: string;
  /** Whether the connection has ended (by `close()` or the network). */
  readonly closed: boolean;
  /** Runs `command` through the remote user's shell, with `stdin` as its input. */
  exec(command: string, stdin?: string): Promise<ExecResult>;
  /** Copies a local file to `remotePath` over SFTP with permissions `mode`. */
  upload(localPath: string, remotePath: string, mode: number): Promise<void>;
  /** A remote file's content; undefined when it does not exist. */
  readFile(remotePath: string): Promise<string | undefined>;
  /** Ends the connection; resolves once its socket is closed. */
  close(): Promise<void>;
}

/** Minimal shapes of the ssh2 objects used here (the package ships no types). */
interface Ssh2Channel {
  on(event: "data", h: (d: Uint8Array) => void): Ssh2Channel;
  on(event: "exit", h: (code: number | null) => void): Ssh2Channel;
  on(event: "close", h: () => void): Ssh2Channel;
  on(event: "error", h: (e: Error) => void): Ssh2Channel;
  stderr: { on(event: "data", h: (d: Uint8Array) => void): void };
  end(data?: string): void;
}
interface Ssh2Sftp {
  on(event: "error", h: (e: Error) => void): void;
  fastPut(
    local: string,
    remote: string,
    opts: { mode: number },
    cb: (e: Error | undefined) => void,
  ): void;
  readFile(
    path: string,
    cb: (e: (Error & { code?: number }) | undefined, d: Uint8Array) => void,
  ): void;
  end(): void;
}
interface Ssh2Client {
  on(event: "ready" | "close", h: () => void): Ssh2Client;
  on(event: "error", h: (e: Error & { code?: string; level?: string }) => void): Ssh2Client;
  connect(config: Record<string, unknown>): void;
  exec(command: string, cb: (e: Error | undefined, ch: Ssh2Channel) => void): boolean;
  sftp(cb: (e: Error | undefined, sftp: Ssh2Sftp) => void): boolean;
  end(): void;
}

/** ssh2's host key algorithms for each key type, so known types can be asked for first. */
const HOST_KEY_ALGORITHMS: Record<string, string[]> = {
  "ssh-ed25519": ["ssh-ed25519"],
  "ecdsa-sha2-nistp256": ["ecdsa-sha2-nistp256"],
  "ecdsa-sha2-nistp384": ["ecdsa-sha2-nistp384"],
  "ecdsa-sha2-nistp521": ["ecdsa-sha2-nistp521"],
  "ssh-rsa": ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
};

/** Connects and authenticates; rejects with an {@link SshError}. */
export function sshConnect(options: SshConnectOptions): Promise<SshSession> {
  const { host, port, user } = options;
  const address = `${user}@${host}:${port}`;
  let hostKeyProblem: SshError | undefined;
  const client = new (ssh2 as unknown as { Client: new () => Ssh2Client }).Client();
  return new Promise<SshSession>((resolve, reject) => {
    const knownHosts = readKnownHosts(options.knownHostsFile);
    let settled = false;
    const fail = (e: SshError) => {
      if (settled) return;
      settled = true;
      cleanup();
      client.end();
      reject(e);
    };
    const onAbort = () => fail(new SshError("aborted", `Connecting to ${address} was aborted`));
    const timer = setTimeout(
      () =>
        fail(
          new SshError("timeout", `No SSH session with ${address} within ${options.timeoutMs} ms`),
        ),
      options.timeoutMs,
    );
    const cleanup = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
    };
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    client.on("ready", () => {
      if (settled) return client.end();
      settled = true;
      cleanup();
      resolve(session(client, address));
    });
    client.on("error", (e) => fail(hostKeyProblem ?? classify(e, address, options)));
    client.on(
      "close",
      () => fail(hostKeyProblem ?? new SshError("protocol", `${address} closed the connection`)),
    );
    const known = knownKeyTypes(knownHosts, host, port).flatMap((t) =>
      HOST_KEY_ALGORITHMS[t] ?? []
    );
    try {
      client.connect({
        host,
        port,
        username: user,
        privateKey: options.privateKey,
        agent: options.agentSocket,
        readyTimeout: options.timeoutMs,
        algorithms: known.length > 0 ? { serverHostKey: { prepend: known } } : undefined,
        hostVerifier: (key: Uint8Array, verify: (ok: boolean) => void) => {
          hostKeyProblem = verifyHostKey(knownHosts, key, options);
          if (hostKeyProblem !== undefined || !options.acceptNewHostKeys) {
            return verify(hostKeyProblem === undefined);
          }
          void recordIfNew(key, options).then(() => verify(true), (e) => {
            hostKeyProblem = new SshError(
              "host-key-unknown",
              `Cannot record the host key of ${host}:${port} in '${options.knownHostsFile}': ${e}`,
            );
            verify(false);
          });
        },
      });
    } catch (e) {
      // ssh2 throws synchronously on an unreadable key or bad options.
      fail(new SshError("auth", `Cannot use the SSH key ${options.keyPath ?? ""}: ${message(e)}`));
    }
  });
}

function readKnownHosts(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return "";
    throw new SshError("host-key-unknown", `Cannot read known_hosts '${path}': ${message(e)}`);
  }
}

/** undefined when the key may be used (known, or unknown and new keys are accepted). */
function verifyHostKey(
  knownHosts: string,
  key: Uint8Array,
  options: SshConnectOptions,
): SshError | undefined {
  const { host, port, knownHostsFile } = options;
  const verdict = checkHostKey(knownHosts, host, port, key);
  const presented = fingerprint(key);
  switch (verdict.status) {
    case "known":
      return undefined;
    case "mismatch":
      return new SshError(
        "host-key-mismatch",
        `Host key of ${host}:${port} has changed: it presented ${presented}, but ` +
          `'${knownHostsFile}' line ${verdict.line} records ${verdict.knownFingerprint}`,
      );
    case "revoked":
      return new SshError(
        "host-key-mismatch",
        `Host key ${presented} of ${host}:${port} is revoked in '${knownHostsFile}' line ${verdict.line}`,
      );
    case "unknown":
      if (options.acceptNewHostKeys) return undefined;
      return new SshError(
        "host-key-unknown",
        `Host key ${presented} of ${host}:${port} is not in '${knownHostsFile}'` +
          (verdict.otherTypes.length > 0
            ? ` (it records ${verdict.otherTypes.join(", ")} keys)`
            : "") +
          `: add it (ssh-keyscan) or pass --accept-new-host-keys`,
      );
  }
}

async function recordIfNew(key: Uint8Array, options: SshConnectOptions): Promise<void> {
  const { host, port, knownHostsFile } = options;
  // Another deploy to the same host may have recorded it meanwhile.
  const now = readKnownHosts(knownHostsFile);
  if (checkHostKey(now, host, port, key).status === "known") return;
  const dir = knownHostsFile.slice(0, knownHostsFile.lastIndexOf("/"));
  if (dir !== "") await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const sep = now === "" || now.endsWith("\n") ? "" : "\n";
  await Deno.writeTextFile(knownHostsFile, `${sep}${knownHostsLine(host, port, key)}\n`, {
    append: true,
  });
  options.onLog?.(
    "info",
    `Recorded host key ${fingerprint(key)} of ${host}:${port} in '${knownHostsFile}'`,
  );
}

function classify(
  e: Error & { code?: string; level?: string },
  address: string,
  options: SshConnectOptions,
): SshError {
  const code = e.code ?? "";
  if (code === "ECONNREFUSED") {
    return new SshError(
      "refused",
      `Connection to ${address} refused (is sshd running on port ${options.port}?)`,
      {
        cause: e,
      },
    );
  }
  if (
    ["EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT"].includes(code) ||
    e.level === "client-dns"
  ) {
    return new SshError("unreachable", `Cannot reach ${address}: ${e.message}`, { cause: e });
  }
  if (e.level === "client-timeout") {
    return new SshError(
      "timeout",
      `No SSH handshake with ${address} within ${options.timeoutMs} ms`,
      {
        cause: e,
      },
    );
  }
  if (e.level === "client-authentication") {
    const how = [options.keyPath && `key '${options.keyPath}'`, options.agentSocket && "ssh-agent"]
      .filter(Boolean).join(" and ");
    return new SshError("auth", `Authentication to ${address} failed with ${how || "no key"}`, {
      cause: e,
    });
  }
  return new SshError("protocol", `SSH with ${address} failed: ${e.message}`, { cause: e });
}

function session(client: Ssh2Client, address: string): SshSession {
  let closed = false;
  let socketClosed = false;
  const onSocketClosed: (() => void)[] = [];
  let sftp: Promise<Ssh2Sftp> | undefined;
  client.on("close", () => {
    closed = socketClosed = true;
    for (const f of onSocketClosed.splice(0)) f();
  });
  // Errors after the handshake end the session; callers see them as failed operations.
  client.on("error", () => (closed = true));
  const getSftp = () =>
    sftp ??= new Promise<Ssh2Sftp>((resolve, reject) => {
      client.sftp((e, s) => {
        if (e) return reject(new Error(`No SFTP on ${address}: ${e.message}`));
        s.on("error", () => {}); // surfaces as the failed operation; unheard it would throw
        resolve(s);
      });
    });
  return {
    address,
    get closed() {
      return closed;
    },
    exec(command, stdin) {
      return new Promise<ExecResult>((resolve, reject) => {
        if (closed) return reject(new Error(`The SSH session with ${address} has ended`));
        client.exec(command, (e, ch) => {
          if (e) return reject(new Error(`Cannot run a command on ${address}: ${e.message}`));
          const out: Uint8Array[] = [];
          const err: Uint8Array[] = [];
          let code: number | null = null;
          ch.on("data", (d) => out.push(d));
          ch.stderr.on("data", (d) => err.push(d));
          ch.on("exit", (c) => (code = typeof c === "number" ? c : null));
          ch.on("error", () => {}); // reported through 'close' with no exit code
          ch.on("close", () => resolve({ code, stdout: text(out), stderr: text(err) }));
          ch.end(stdin);
        });
      });
    },
    async upload(localPath, remotePath, mode) {
      const s = await getSftp();
      await new Promise<void>((resolve, reject) =>
        s.fastPut(localPath, remotePath, { mode }, (e) => (e ? reject(e) : resolve()))
      );
    },
    async readFile(remotePath) {
      const s = await getSftp();
      return await new Promise<string | undefined>((resolve, reject) =>
        s.readFile(remotePath, (e, d) => {
          if (e?.code === 2) resolve(undefined); // SSH_FX_NO_SUCH_FILE
          else if (e) reject(e);
          else resolve(new TextDecoder().decode(d));
        })
      );
    },
    close() {
      closed = true;
      if (socketClosed) return Promise.resolve();
      return new Promise<void>((resolve) => {
        // ssh2 closes the socket after the server answers; don't wait forever for a dead peer.
        const timer = setTimeout(resolve, 2000);
        onSocketClosed.push(() => {
          clearTimeout(timer);
          resolve();
        });
        client.end();
      });
    },
  };
}

function text(chunks: Uint8Array[]): string {
  const decoder = new TextDecoder();
  return chunks.map((c) => decoder.decode(c, { stream: true })).join("") + decoder.decode();
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
