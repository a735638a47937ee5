/** Building an `HttpEndpoint` from a URL, for tools and tests that have no benchmark file. */
import type { HttpEndpoint } from "../benchmark/model.ts";

/** An endpoint with Hyperfoil's defaults for `url`'s origin; `overrides` win. */
export function endpointFromUrl(
  url: string | URL,
  overrides: Partial<HttpEndpoint> = {},
): HttpEndpoint {
  const u = typeof url === "string" ? new URL(url) : url;
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw new TypeError(
      `Unsupported protocol '${u.protocol}' in '${u.href}': expected http or https`,
    );
  }
  const protocol = u.protocol === "https:" ? "https" : "http";
  const host = u.hostname.startsWith("[") ? u.hostname.slice(1, -1) : u.hostname;
  const port = u.port === "" ? (protocol === "https" ? 443 : 80) : Number(u.port);
  return {
    protocol,
    host,
    port,
    authority: `${u.hostname}:${port}`,
    isDefault: true,
    sharedConnections: { core: 1, max: 1, buffer: 0, keepAliveTime: 0 },
    connectionStrategy: "SHARED_POOL",
    addresses: [],
    requestTimeout: 30_000,
    sslHandshakeTimeout: 10_000,
    allowHttp1x: true,
    allowHttp2: true,
    maxHttp2Streams: 100,
    pipeliningLimit: 1,
    directHttp2: false,
    rawBytesHandlers: true,
    useHttpCache: true,
    ...overrides,
  };
}
