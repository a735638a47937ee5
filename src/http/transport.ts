/**
 * Opening a byte stream to an endpoint: TCP, or TLS through `tls.ts`. The
 * read loop only needs `read`, `write` and `close`, which `Deno.Conn` has.
 */
import type { HttpEndpoint } from "../benchmark/model.ts";
import { HttpError, type HttpErrorKind } from "./http_client.ts";
import { openTls } from "./tls.ts";

/** A connected byte stream (`Deno.Conn` or an adapter). */
export interface Transport {
  read(buf: Uint8Array): Promise<number | null>;
  write(data: Uint8Array): Promise<number>;
  close(): void;
  /** Half-closes (sends FIN); the peer's close then ends the reads. */
  closeWrite?(): Promise<void>;
}

/** Where a connection goes: an `addresses` entry, or the endpoint's host. */
export interface Target {
  hostname: string;
  port: number;
  /** `ip:port` or `host:port`, the name used in messages. */
  label: string;
}

export interface OpenOptions {
  /** ms allowed for TCP connect (default 10 s). */
  connectTimeout?: number;
  /** ALPN protocols to offer over TLS (default `["http/1.1"]`). */
  alpnProtocols?: string[];
}

/** The targets of an endpoint: its `addresses` (DNS overrides) or its host. */
export function endpointTargets(endpoint: HttpEndpoint): Target[] {
  if (endpoint.addresses.length === 0) {
    return [{
      hostname: endpoint.host,
      port: endpoint.port,
      label: label(endpoint.host, endpoint.port),
    }];
  }
  return endpoint.addresses.map((address) => parseAddress(address, endpoint.port));
}

/** Parses `ip`, `ip:port`, `[v6]`, `[v6]:port` or a bare IPv6 address. */
export function parseAddress(address: string, defaultPort: number): Target {
  let hostname = address;
  let port = defaultPort;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(address);
  if (bracket) {
    hostname = bracket[1];
    if (bracket[2] !== undefined) port = Number(bracket[2]);
  } else if (address.indexOf(":") === address.lastIndexOf(":") && address.includes(":")) {
    const colon = address.indexOf(":");
    hostname = address.slice(0, colon);
    port = Number(address.slice(colon + 1));
  }
  if (hostname === "" || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TypeError(`Invalid address '${address}': expected 'ip' or 'ip:port'`);
  }
  return { hostname, port, label: label(hostname, port) };
}

function label(hostname: string, port: number): string {
  return hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`;
}

/** Opens a transport to `target`; rejects with an `HttpError` naming it. */
export async function openTransport(
  endpoint: HttpEndpoint,
  target: Target,
  options: OpenOptions = {},
): Promise<Transport> {
  if (endpoint.protocol === "https") {
    return await openTls(endpoint, target, options.alpnProtocols ?? ["http/1.1"], options);
  }
  const conn = await connectTcp(target, options.connectTimeout ?? 10_000);
  return conn;
}

/** TCP connect with a timeout, `setNoDelay(true)`. */
export async function connectTcp(target: Target, timeoutMs: number): Promise<Deno.TcpConn> {
  // No AbortSignal: it would stay attached to every connection. A connect
  // that completes after its timeout is closed instead.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new HttpError("connect", `Connection timed out after ${timeoutMs} ms: ${target.label}`),
      );
    }, timeoutMs);
  });
  const connecting = Deno.connect({ hostname: target.hostname, port: target.port });
  try {
    const conn = await Promise.race([connecting, timeout]);
    conn.setNoDelay(true);
    return conn;
  } catch (error) {
    connecting.then((conn) => conn.close(), () => {});
    throw connectError("connect", target, error);
  } finally {
    clearTimeout(timer);
  }
}

/** Wraps a failure to connect into an `HttpError` naming the target. */
export function connectError(kind: HttpErrorKind, target: Target, error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const text = error instanceof Error ? error.message : String(error);
  let message: string;
  if (error instanceof Deno.errors.ConnectionRefused) {
    message = `Connection refused: ${target.label}`;
  } else if (error instanceof Deno.errors.TimedOut) {
    message = `Connection timed out: ${target.label}`;
  } else if (/lookup|resolve|name or service|no address/i.test(text)) {
    message = `Cannot resolve host '${target.hostname}': ${target.label}`;
  } else if (kind === "tls") {
    message = `TLS handshake failed with ${target.label}: ${stripOs(text)}`;
  } else message = `Cannot connect to ${target.label}: ${stripOs(text)}`;
  return new HttpError(kind, message, { cause: error });
}

function stripOs(text: string): string {
  return text.replace(/\s*\(os error \d+\)$/, "");
}
