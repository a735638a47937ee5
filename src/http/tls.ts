/**
 * TLS connections: CA certificates from `trustManager.cert`, a client
 * certificate from `keyManager.cert`/`key` (mutual TLS), SNI = the endpoint's
 * host even when `addresses` points at an IP. Deno's `startTls` cannot present
 * a client certificate, so that one combination goes through `node:tls`.
 */
import * as nodeTls from "node:tls";
import type { HttpEndpoint } from "../benchmark/model.ts";
import { HttpError } from "./http_client.ts";
import { connectError, connectTcp, type Target, type Transport } from "./transport.ts";

/** PEM material of an endpoint. */
export interface TlsPem {
  caCerts?: string[];
  cert?: string;
  key?: string;
}

/** The endpoint's PEM trust and key material; throws for key stores (not supported). */
export function tlsPem(endpoint: HttpEndpoint): TlsPem {
  const pem: TlsPem = {};
  const trust = endpoint.trustManager;
  if (trust?.cert) pem.caCerts = [trust.cert];
  else if (trust?.store) {
    throw new HttpError(
      "tls",
      `Trust stores are not supported for ${endpoint.authority}: use trustManager.certFile (PEM)`,
    );
  }
  const keys = endpoint.keyManager;
  if (keys?.cert || keys?.key) {
    if (!keys.cert || !keys.key) {
      throw new HttpError(
        "tls",
        `Mutual TLS for ${endpoint.authority} needs both keyManager.certFile and keyFile`,
      );
    }
    pem.cert = keys.cert;
    pem.key = keys.key;
  } else if (keys?.store) {
    throw new HttpError(
      "tls",
      `Key stores are not supported for ${endpoint.authority}: use keyManager.certFile and keyFile (PEM)`,
    );
  }
  return pem;
}

/** Opens a TLS connection to `target`, verifying the server as `endpoint.host`. */
export async function openTls(
  endpoint: HttpEndpoint,
  target: Target,
  alpnProtocols: string[],
  options: { connectTimeout?: number } = {},
): Promise<Transport> {
  const pem = tlsPem(endpoint);
  const timeoutMs = endpoint.sslHandshakeTimeout > 0 ? endpoint.sslHandshakeTimeout : 10_000;
  const direct = target.hostname === endpoint.host;
  if (!direct && pem.cert !== undefined) {
    return await nodeTlsTransport(endpoint, target, pem, alpnProtocols, timeoutMs);
  }
  const tcp = direct ? undefined : await connectTcp(target, options.connectTimeout ?? 10_000);
  let conn: Deno.TlsConn | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut = false;
  try {
    const handshake = (async () => {
      conn = tcp
        ? await Deno.startTls(tcp, { hostname: endpoint.host, caCerts: pem.caCerts, alpnProtocols })
        : await Deno.connectTls({
          hostname: endpoint.host,
          port: target.port,
          caCerts: pem.caCerts,
          alpnProtocols,
          ...(pem.cert !== undefined ? { cert: pem.cert, key: pem.key! } : {}),
        });
      await conn.handshake();
      if (timedOut) conn.close();
      return conn;
    })();
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(
          new HttpError("tls", `TLS handshake timed out after ${timeoutMs} ms: ${target.label}`),
        );
      }, timeoutMs);
    });
    handshake.catch(() => {});
    return await Promise.race([handshake, timeout]);
  } catch (error) {
    try {
      (conn ?? tcp)?.close();
    } catch { /* already closed */ }
    const refused = error instanceof Deno.errors.ConnectionRefused;
    throw connectError(refused ? "connect" : "tls", target, error);
  } finally {
    clearTimeout(timer);
  }
}

/** `node:tls` for a client certificate with an address override (SNI ≠ connect address). */
function nodeTlsTransport(
  endpoint: HttpEndpoint,
  target: Target,
  pem: TlsPem,
  alpnProtocols: string[],
  timeoutMs: number,
): Promise<Transport> {
  return new Promise((resolve, reject) => {
    const socket = nodeTls.connect({
      host: target.hostname,
      port: target.port,
      servername: endpoint.host,
      ca: pem.caCerts,
      cert: pem.cert,
      key: pem.key,
      ALPNProtocols: alpnProtocols,
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new HttpError("tls", `TLS handshake timed out after ${timeoutMs} ms: ${target.label}`),
      );
    }, timeoutMs);
    const onError = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      const refused = /ECONNREFUSED|refused/i.test(error.message);
      reject(
        connectError(
          refused ? "connect" : "tls",
          target,
          refused ? new Deno.errors.ConnectionRefused(error.message) : error,
        ),
      );
    };
    socket.once("error", onError);
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      socket.off("error", onError);
      socket.setNoDelay(true);
      resolve(new NodeSocketTransport(socket));
    });
  });
}

/** Adapts a node socket's events to `read`/`write` promises. */
class NodeSocketTransport implements Transport {
  private readonly socket: nodeTls.TLSSocket;
  private readonly chunks: Uint8Array[] = [];
  private offset = 0;
  private buffered = 0;
  private ended = false;
  private failure: Error | undefined;
  private waiting:
    | { buf: Uint8Array; resolve(n: number | null): void; reject(e: Error): void }
    | undefined;

  constructor(socket: nodeTls.TLSSocket) {
    this.socket = socket;
    socket.on("data", (chunk: Uint8Array) => {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      if (this.buffered > 1 << 20) socket.pause();
      this.wake();
    });
    socket.on("end", () => {
      this.ended = true;
      this.wake();
    });
    socket.on("error", (error: Error) => {
      this.failure = error;
      this.wake();
    });
    socket.on("close", () => {
      this.ended = true;
      this.wake();
    });
  }

  /** The protocol negotiated by ALPN, if any. */
  get alpnProtocol(): string | false {
    return this.socket.alpnProtocol ?? false;
  }

  read(buf: Uint8Array): Promise<number | null> {
    if (this.chunks.length > 0) return Promise.resolve(this.take(buf));
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve, reject) => this.waiting = { buf, resolve, reject });
  }

  write(data: Uint8Array): Promise<number> {
    return new Promise((resolve, reject) => {
      this.socket.write(data, (error) => error ? reject(error) : resolve(data.length));
    });
  }

  close(): void {
    this.ended = true;
    this.socket.destroy();
    this.wake();
  }

  private wake(): void {
    const waiting = this.waiting;
    if (waiting === undefined) return;
    if (this.chunks.length > 0) {
      this.waiting = undefined;
      waiting.resolve(this.take(waiting.buf));
    } else if (this.failure) {
      this.waiting = undefined;
      waiting.reject(this.failure);
    } else if (this.ended) {
      this.waiting = undefined;
      waiting.resolve(null);
    }
  }

  private take(buf: Uint8Array): number {
    let n = 0;
    while (n < buf.length && this.chunks.length > 0) {
      const chunk = this.chunks[0];
      const count = Math.min(buf.length - n, chunk.length - this.offset);
      buf.set(chunk.subarray(this.offset, this.offset + count), n);
      n += count;
      this.offset += count;
      if (this.offset === chunk.length) {
        this.chunks.shift();
        this.offset = 0;
      }
    }
    this.buffered -= n;
    if (this.buffered < 1 << 18 && this.socket.isPaused()) this.socket.resume();
    return n;
  }
}
