/**
 * The bus over TCP: the controller listens, agents dial it (DESIGN "The event
 * bus"). Every frame is a 4-byte big-endian length and UTF-8 JSON
 * (`frames.ts`).
 *
 * Handshake, before any bus message:
 * 1. controller → agent `{ type: "challenge", protocol: 1, version, nonce }`,
 *    `nonce` 32 random bytes in hex, `version` the controller's hf version;
 * 2. agent → controller `{ type: "auth", runId, agent, version, hmac }`,
 *    `hmac` the hex HMAC-SHA256 of the nonce's text keyed with the run token's text;
 * 3. the controller checks, in order, that it expects `agent` for `runId`,
 *    that the versions are equal and the HMAC (constant-time), then answers
 *    `{ type: "welcome" }`, or `{ type: "refused", reason }` and closes.
 *
 * Until then frames are limited to 64 KiB and the agent has
 * `handshakeTimeoutMs` to authenticate, so a stranger costs little. After the
 * welcome, frames carry `ControllerMessage` / `AgentMessage` JSON; a frame that
 * is not an object with a `type` closes that connection only.
 * @module
 */
import { describe, type FramedLink, framedLink } from "./_framed_link.ts";
import { MAX_FRAME_BYTES } from "./frames.ts";
import type {
  AgentMessage,
  AgentSide,
  BusEndpoint,
  ControllerMessage,
  ControllerSide,
} from "./messages.ts";

/** Version of the handshake itself, in the challenge. */
const PROTOCOL = 1;
/** Frames before authentication are small: a challenge, an answer, a verdict. */
const HANDSHAKE_MAX_FRAME_BYTES = 64 * 1024;

export interface BusServer {
  readonly hostname: string;
  readonly port: number;
  /**
   * Registers an agent the controller expects for run `runId`; resolves with the
   * controller's end of its connection once that agent connected and proved it
   * holds `token` (HMAC). Rejects when `signal` aborts. A connection for an
   * agent nobody expects, with a wrong HMAC, or of another hf version is
   * refused (the agent is told why) and closed.
   */
  expect(
    runId: string,
    agent: string,
    token: string,
    signal?: AbortSignal,
  ): Promise<ControllerSide>;
  /** Stops listening, rejects pending expectations and closes every connection. */
  close(): Promise<void>;
}

export interface BusServerOptions {
  /** Default 127.0.0.1. */
  hostname?: string;
  /** Default 0: any free port. */
  port?: number;
  /** The controller's hf version; agents of another version are refused. */
  version: string;
  /** Default {@link MAX_FRAME_BYTES}. */
  maxFrameBytes?: number;
  /** How long a new connection has to authenticate, ms; default 5000. */
  handshakeTimeoutMs?: number;
  onLog?: (level: "info" | "warn" | "error", message: string) => void;
}

export interface DialOptions {
  hostname: string;
  port: number;
  runId: string;
  agent: string;
  token: string;
  /** The agent's hf version. */
  version: string;
  /** Default {@link MAX_FRAME_BYTES}. */
  maxFrameBytes?: number;
  signal?: AbortSignal;
  /** Connecting and the handshake, ms; default 10000. */
  timeoutMs?: number;
  /** Warnings about the connection (a controller that reads slowly). */
  onLog?: (level: "info" | "warn" | "error", message: string) => void;
}

interface Expectation {
  token: string;
  resolve(side: ControllerSide): void;
}

/** A fresh random per-run token: 32 random bytes in hex. */
export function newRunToken(): string {
  return hex(crypto.getRandomValues(new Uint8Array(32)));
}

/** Listens for agents on `hostname:port`; throws when the address cannot be bound. */
export function listenBus(options: BusServerOptions): BusServer {
  const hostname = options.hostname ?? "127.0.0.1";
  const maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? 5000;
  const onLog = options.onLog ?? (() => {});
  let listener: Deno.TcpListener;
  try {
    listener = Deno.listen({ hostname, port: options.port ?? 0, transport: "tcp" });
  } catch (e) {
    const why = e instanceof Deno.errors.AddrInUse ? "address already in use" : describe(e);
    throw new Error(`Cannot listen for agents on ${hostname}:${options.port ?? 0}: ${why}`, {
      cause: e,
    });
  }
  const expected = new Map<string, Expectation>();
  const pendingRejects = new Set<(e: Error) => void>();
  const links = new Set<FramedLink>();
  let closed = false;
  const accepting = acceptLoop();

  async function acceptLoop(): Promise<void> {
    try {
      for await (const conn of listener) {
        if (closed) conn.close();
        else handshake(conn);
      }
    } catch (e) {
      if (!closed) onLog("error", `The bus stopped accepting agents: ${describe(e)}`);
    }
  }

  function handshake(conn: Deno.TcpConn): void {
    const from = `${conn.remoteAddr.hostname}:${conn.remoteAddr.port}`;
    conn.setNoDelay(true);
    const link = framedLink(conn, {
      maxFrameBytes: HANDSHAKE_MAX_FRAME_BYTES,
      peer: `agent at ${from}`,
      onLog,
    });
    links.add(link);
    void link.done.then(() => links.delete(link));
    const nonce = newRunToken();
    const refuse = (reason: string) => {
      clearTimeout(timer);
      onLog("warn", `Refused the connection from ${from}: ${reason}`);
      link.send({ type: "refused", reason });
      link.close(`Refused: ${reason}`);
    };
    const timer = setTimeout(
      () => refuse(`No authentication within ${handshakeTimeoutMs} ms`),
      handshakeTimeoutMs,
    );
    link.setCloser(() => clearTimeout(timer));
    const early: unknown[] = [];
    link.setReceiver((first) => {
      // Anything pipelined behind the answer waits for the verdict.
      link.setReceiver((v) => early.push(v));
      void authenticate(first).catch((e) => `Authentication failed: ${describe(e)}`).then(
        (problem) => {
          if (typeof problem === "string") {
            if (!link.closing) refuse(problem);
            return;
          }
          // The expectation is claimed: hand the link over even if it just closed (onClose tells).
          clearTimeout(timer);
          link.setCloser(undefined);
          link.send({ type: "welcome" });
          link.setMaxFrameBytes(maxFrameBytes);
          problem.exp.resolve(endpoint<ControllerMessage, AgentMessage>(link, early, onLog));
          onLog(
            "info",
            `Agent '${problem.agent}' of run '${problem.runId}' connected from ${from}`,
          );
        },
      );
    });
    link.send({ type: "challenge", protocol: PROTOCOL, version: options.version, nonce });

    /** The expectation the answer fulfils, or why it is refused. */
    async function authenticate(
      answer: unknown,
    ): Promise<string | { exp: Expectation; agent: string; runId: string }> {
      const a = answer as Record<string, unknown>;
      if (
        typeof a !== "object" || a === null || a.type !== "auth" || typeof a.runId !== "string" ||
        typeof a.agent !== "string" || typeof a.version !== "string" || typeof a.hmac !== "string"
      ) {
        return "Expected an 'auth' frame with runId, agent, version and hmac";
      }
      const key = expectationKey(a.runId, a.agent);
      const exp = expected.get(key);
      if (exp === undefined) return `No agent '${a.agent}' is expected for run '${a.runId}'`;
      if (a.version !== options.version) {
        return `Agent version ${a.version} does not match controller version ${options.version}`;
      }
      const good = await hmac(exp.token, nonce);
      if (!timingSafeEqual(good, fromHex(a.hmac))) {
        return `Authentication failed for agent '${a.agent}': wrong token`;
      }
      // Another connection may have claimed it, or the caller gave up, while we computed.
      if (expected.get(key) !== exp) {
        return `No agent '${a.agent}' is expected for run '${a.runId}'`;
      }
      expected.delete(key);
      return { exp, agent: a.agent, runId: a.runId };
    }
  }

  return {
    hostname: listener.addr.hostname,
    port: listener.addr.port,
    expect(runId, agent, token, signal) {
      if (closed) return Promise.reject(new Error("The bus server is closed"));
      if (token === "") return Promise.reject(new TypeError("The run token must not be empty"));
      const key = expectationKey(runId, agent);
      if (expected.has(key)) {
        return Promise.reject(new Error(`Agent '${agent}' of run '${runId}' is already expected`));
      }
      if (signal?.aborted) {
        return Promise.reject(gaveUp(agent, runId, signal));
      }
      return new Promise<ControllerSide>((resolve, reject) => {
        const settle = () => {
          signal?.removeEventListener("abort", onAbort);
          pendingRejects.delete(fail);
        };
        const fail = (e: Error) => {
          if (expected.get(key) === exp) expected.delete(key);
          settle();
          reject(e);
        };
        const onAbort = () => fail(gaveUp(agent, runId, signal!));
        const exp: Expectation = {
          token,
          resolve: (side) => {
            settle();
            resolve(side);
          },
        };
        expected.set(key, exp);
        pendingRejects.add(fail);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        listener.close();
      } catch {
        // Closed already.
      }
      for (const fail of [...pendingRejects]) fail(new Error("The bus server closed"));
      for (const link of links) link.close("The bus server closed");
      await accepting;
      await Promise.all([...links].map((l) => l.done));
    },
  };
}

/** Connects to the controller and authenticates; rejects with a clear message. */
export async function dialBus(options: DialOptions): Promise<AgentSide> {
  const where = `${options.hostname}:${options.port}`;
  if (options.token === "") throw new TypeError("The run token must not be empty");
  const timeoutMs = options.timeoutMs ?? 10_000;
  const onLog = options.onLog ?? (() => {});
  const stop = new AbortController();
  let failure: Error | undefined;
  const giveUp = (e: Error) => {
    failure ??= e;
    stop.abort(e);
  };
  const timer = setTimeout(
    () => giveUp(new Error(`No answer from the controller at ${where} within ${timeoutMs} ms`)),
    timeoutMs,
  );
  const onAbort = () => giveUp(new Error(`Connecting to the controller at ${where} was aborted`));
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  try {
    let conn: Deno.TcpConn;
    try {
      conn = await Deno.connect({
        hostname: options.hostname,
        port: options.port,
        signal: stop.signal,
      });
    } catch (e) {
      if (failure !== undefined) throw failure;
      throw new Error(`Cannot connect to the controller at ${where}: ${describe(e)}`, { cause: e });
    }
    if (failure !== undefined) {
      conn.close();
      throw failure;
    }
    conn.setNoDelay(true);
    return await agentHandshake(conn, options, where, stop.signal, onLog);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
}

function agentHandshake(
  conn: Deno.TcpConn,
  options: DialOptions,
  where: string,
  signal: AbortSignal,
  onLog: NonNullable<DialOptions["onLog"]>,
): Promise<AgentSide> {
  const link = framedLink(conn, {
    maxFrameBytes: HANDSHAKE_MAX_FRAME_BYTES,
    peer: `controller at ${where}`,
    onLog,
  });
  return new Promise<AgentSide>((resolve, reject) => {
    const fail = (e: Error) => {
      signal.removeEventListener("abort", onAbort);
      link.setCloser(undefined);
      link.close(e.message);
      reject(e);
    };
    const onAbort = () => fail(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    link.setCloser((reason) => {
      signal.removeEventListener("abort", onAbort);
      reject(new Error(`The controller at ${where} ended the handshake: ${reason}`));
    });
    let answered = false;
    link.setReceiver((v) => {
      const f = v as Record<string, unknown>;
      if (typeof f !== "object" || f === null) {
        return fail(new Error(`The controller at ${where} sent ${JSON.stringify(v)}`));
      }
      if (f.type === "challenge" && !answered && typeof f.nonce === "string") {
        if (f.protocol !== PROTOCOL) {
          return fail(
            new Error(
              `The controller at ${where} speaks bus protocol ${
                JSON.stringify(f.protocol)
              }, this agent ${PROTOCOL}`,
            ),
          );
        }
        answered = true;
        hmac(options.token, f.nonce).then(
          (code) =>
            link.send({
              type: "auth",
              runId: options.runId,
              agent: options.agent,
              version: options.version,
              hmac: hex(code),
            }),
          (e) => fail(new Error(`Cannot authenticate agent '${options.agent}': ${describe(e)}`)),
        );
        return;
      }
      if (f.type === "refused") {
        return fail(
          new Error(
            `The controller at ${where} refused agent '${options.agent}': ${
              typeof f.reason === "string" ? f.reason : "no reason given"
            }`,
          ),
        );
      }
      if (f.type === "welcome" && answered) {
        signal.removeEventListener("abort", onAbort);
        link.setCloser(undefined);
        link.setMaxFrameBytes(options.maxFrameBytes ?? MAX_FRAME_BYTES);
        resolve(endpoint<AgentMessage, ControllerMessage>(link, [], onLog));
        return;
      }
      fail(new Error(`The controller at ${where} broke the handshake with a '${f.type}' frame`));
    });
  });
}

/** The bus endpoint over an authenticated link; `early` are frames that came with the verdict. */
function endpoint<Out, In>(
  link: FramedLink,
  early: unknown[],
  onLog: NonNullable<BusServerOptions["onLog"]>,
): BusEndpoint<Out, In> {
  let receiver: ((m: In) => void) | undefined;
  const backlog: In[] = [];
  const deliver = (v: unknown) => {
    if (link.closing) return;
    if (!isMessage(v)) {
      const reason = `Garbage frame: expected an object with a 'type', got ${
        JSON.stringify(v).slice(0, 60)
      }`;
      onLog("warn", reason);
      link.close(reason);
      return;
    }
    if (receiver === undefined) {
      backlog.push(v as In);
      return;
    }
    try {
      receiver(v as In);
    } catch (e) {
      // The receiver's bug must not end the connection's read loop.
      onLog("error", `Handling '${v.type}' failed: ${describe(e)}`);
    }
  };
  link.setReceiver(deliver);
  for (const v of early) deliver(v);
  return {
    send: (message) => link.send(message),
    onMessage(handler) {
      receiver = handler;
      for (const m of backlog.splice(0)) handler(m);
    },
    onClose: (handler) => link.setCloser(handler),
    close: (reason = "Closed") => link.close(reason),
  };
}

function isMessage(v: unknown): v is { type: string } {
  return typeof v === "object" && v !== null && !Array.isArray(v) &&
    typeof (v as { type?: unknown }).type === "string";
}

function expectationKey(runId: string, agent: string): string {
  return `${runId}\u0000${agent}`;
}

function gaveUp(agent: string, runId: string, signal: AbortSignal): Error {
  return new Error(`Stopped waiting for agent '${agent}' of run '${runId}'`, {
    cause: signal.reason,
  });
}

async function hmac(token: string, nonce: string): Promise<Uint8Array> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    enc.encode(token),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(nonce)));
}

/** Equal bytes, in time that depends only on the lengths. */
function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Bytes of a hex string; empty for anything that is not hex (it then matches no HMAC). */
function fromHex(text: string): Uint8Array {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return new Uint8Array(0);
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}
