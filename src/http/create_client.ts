/**
 * Engine selection. The own HTTP/1.1 engine serves every endpoint it can;
 * the `fetch` engine serves HTTP/2 (`allowHttp2` over https when the server
 * negotiates h2, or when HTTP/1.x is not allowed).
 */
import type { HttpEndpoint } from "../benchmark/model.ts";
import { ConnectionPool, type ConnectionPoolOptions } from "./connection_pool.ts";
import { FetchClient } from "./fetch_engine.ts";
import type { HttpClient } from "./http_client.ts";
import { endpointTargets, openTransport, type Transport } from "./transport.ts";

export type HttpEngine = "http1" | "fetch";

export interface CreateClientOptions extends ConnectionPoolOptions {
  /** The engine (default: `selectEngine()` without probing, i.e. "http1" unless HTTP/1.x is disallowed). */
  engine?: HttpEngine;
}

/** Creates a client for `endpoint` (not connected yet: call `connect()`). */
export function createClient(
  endpoint: HttpEndpoint,
  options: CreateClientOptions = {},
): HttpClient {
  const engine = options.engine ?? (needsHttp2(endpoint) ? "fetch" : "http1");
  return engine === "fetch"
    ? new FetchClient(endpoint, options)
    : new ConnectionPool(endpoint, options);
}

/**
 * The engine an endpoint needs. Over https with both HTTP/1.1 and HTTP/2
 * allowed it asks the server by ALPN (one TLS handshake): h2 → "fetch".
 */
export async function selectEngine(endpoint: HttpEndpoint): Promise<HttpEngine> {
  if (needsHttp2(endpoint)) return "fetch";
  if (endpoint.protocol !== "https" || !endpoint.allowHttp2) return "http1";
  const conn = await openTransport(endpoint, endpointTargets(endpoint)[0], {
    alpnProtocols: ["h2", "http/1.1"],
  }) as Transport & {
    handshake?(): Promise<{ alpnProtocol: string | null }>;
    alpnProtocol?: string | false;
  };
  try {
    const alpn = conn.handshake ? (await conn.handshake()).alpnProtocol : conn.alpnProtocol;
    return alpn === "h2" ? "fetch" : "http1";
  } finally {
    conn.close();
  }
}

function needsHttp2(endpoint: HttpEndpoint): boolean {
  return endpoint.protocol === "https" && endpoint.allowHttp2 && !endpoint.allowHttp1x;
}
