/** The `http` section: one mapping (the default target) or a list of endpoints. */
import type { ConnectionStrategy, HttpEndpoint, SharedConnections, TlsMaterial } from "./model.ts";
import type { YMap, YNode } from "./node.ts";
import { readDataFile, readDataText } from "./data_files.ts";
import { encodeBase64 } from "./base64.ts";
import {
  bool,
  custom,
  duration,
  int,
  list,
  type LoadCtx,
  mismatch,
  obj,
  oneOf,
  type Shape,
  str,
} from "./shape.ts";

const CONNECTION_STRATEGIES = [
  "SHARED_POOL",
  "SESSION_POOLS",
  "OPEN_ON_REQUEST",
  "ALWAYS_NEW",
] as const;

function sharedConnections(): Shape<SharedConnections> {
  const scalar = int({ min: 1 });
  const full = obj(
    {
      core: int({ min: 0 }),
      max: int({ min: 1 }),
      buffer: int({ min: 0 }),
      keepAliveTime: duration("ms"),
    },
    { name: "sharedConnections" },
  );
  return custom(
    "an integer ≥ 1 or a mapping {core, max, buffer, keepAliveTime}",
    (node, ctx, path) => {
      if (node.kind === "scalar") {
        const n = scalar.load(node, ctx, path);
        return n === undefined ? undefined : { core: n, max: n, buffer: 0, keepAliveTime: 0 };
      }
      const v = full.load(node, ctx, path);
      if (v === undefined) return undefined;
      const core = v.core ?? v.max ?? 1, max = v.max ?? Math.max(core, 1);
      if (core > max) {
        ctx.diags.error(node, path, `'core' (${core}) must not exceed 'max' (${max})`);
        return undefined;
      }
      return { core, max, buffer: v.buffer ?? 0, keepAliveTime: v.keepAliveTime ?? 0 };
    },
  );
}

function tlsMaterial(kind: "keyManager" | "trustManager"): Shape<TlsMaterial> {
  const props = {
    storeType: str(),
    storeFile: str("a file name"),
    password: str(),
    alias: str(),
    certFile: str("a file name"),
    ...(kind === "keyManager" ? { keyFile: str("a file name") } : {}),
  };
  const shape = obj(props, { name: kind });
  return custom(shape.expected, (node, ctx, path) => {
    const v = shape.load(node, ctx, path) as TlsMaterial | undefined;
    if (v === undefined || node.kind !== "map") return v;
    // Files are read now, on the machine that loads the benchmark, and travel inside it.
    const at = (k: string) => (node as YMap).entries.find((e) => e.key.value === k)?.value ?? node;
    const out: TlsMaterial = { ...v };
    if (v.certFile) out.cert = readDataText(ctx, v.certFile, at("certFile"), `${path}.certFile`);
    if (v.keyFile) out.key = readDataText(ctx, v.keyFile, at("keyFile"), `${path}.keyFile`);
    if (v.storeFile) {
      const bytes = readDataFile(ctx, v.storeFile, at("storeFile"), `${path}.storeFile`);
      if (bytes) out.store = encodeBase64(bytes);
    }
    if ((v.certFile && !out.cert) || (v.keyFile && !out.key) || (v.storeFile && !out.store)) {
      return undefined;
    }
    return out;
  });
}

const endpointShape = obj(
  {
    name: str(),
    protocol: oneOf(["http", "https"] as const),
    host: str("a host name, optionally with scheme and port ('https://example.com:8443')"),
    port: int({ min: 1, max: 65535 }),
    sharedConnections: sharedConnections(),
    connectionStrategy: oneOf(CONNECTION_STRATEGIES),
    addresses: list(str("an address ('10.0.0.1' or '10.0.0.1:8080')"), { single: true }),
    requestTimeout: duration("ms"),
    sslHandshakeTimeout: duration("ms"),
    allowHttp1x: bool(),
    allowHttp2: bool(),
    maxHttp2Streams: int({ min: 1 }),
    pipeliningLimit: int({ min: 1 }),
    directHttp2: bool(),
    rawBytesHandlers: bool(),
    useHttpCache: bool(),
    keyManager: tlsMaterial("keyManager"),
    trustManager: tlsMaterial("trustManager"),
  },
  { name: "http", required: ["host"] },
);

function endpoint(node: YNode, ctx: LoadCtx, path: string): HttpEndpoint | undefined {
  const v = endpointShape.load(node, ctx, path);
  if (v === undefined || v.host === undefined) return undefined;
  const hostNode = node.kind === "map"
    ? node.entries.find((e) => e.key.value === "host")?.value ?? node
    : node;
  const m = /^(?:([a-zA-Z][a-zA-Z0-9+.-]*):\/\/)?(\[[^\]]+\]|[^/:?#]+)(?::(\d+))?(\/.*)?$/.exec(
    v.host.trim(),
  );
  if (!m) {
    ctx.diags.error(
      hostNode,
      `${path}.host`,
      `Invalid host '${v.host}': expected 'host', 'host:port' or 'http[s]://host[:port]'`,
    );
    return undefined;
  }
  const [, scheme, host, portText, rest] = m;
  if (rest !== undefined && rest !== "/") {
    ctx.diags.error(
      hostNode,
      `${path}.host`,
      `Host '${v.host}' must not contain a path ('${rest}'): paths go in requests`,
    );
    return undefined;
  }
  if (scheme !== undefined && scheme !== "http" && scheme !== "https") {
    ctx.diags.error(
      hostNode,
      `${path}.host`,
      `Unsupported scheme '${scheme}' in host '${v.host}': expected 'http' or 'https'`,
    );
    return undefined;
  }
  if (scheme !== undefined && v.protocol !== undefined && scheme !== v.protocol) {
    ctx.diags.error(
      hostNode,
      `${path}.protocol`,
      `Protocol '${v.protocol}' contradicts the scheme of host '${v.host}'`,
    );
    return undefined;
  }
  if (portText !== undefined && v.port !== undefined && Number(portText) !== v.port) {
    ctx.diags.error(
      hostNode,
      `${path}.port`,
      `Port ${v.port} contradicts the port in host '${v.host}'`,
    );
    return undefined;
  }
  const protocol = (scheme ?? v.protocol ?? (v.port === 443 ? "https" : "http")) as
    | "http"
    | "https";
  const port = portText !== undefined
    ? Number(portText)
    : v.port ?? (protocol === "https" ? 443 : 80);
  return {
    name: v.name,
    protocol,
    host,
    port,
    authority: `${host}:${port}`,
    isDefault: false,
    sharedConnections: v.sharedConnections ?? { core: 1, max: 1, buffer: 0, keepAliveTime: 0 },
    connectionStrategy: v.connectionStrategy ?? "SHARED_POOL",
    addresses: v.addresses ?? [],
    requestTimeout: v.requestTimeout ?? 30_000,
    sslHandshakeTimeout: v.sslHandshakeTimeout ?? 10_000,
    allowHttp1x: v.allowHttp1x ?? true,
    allowHttp2: v.allowHttp2 ?? true,
    maxHttp2Streams: v.maxHttp2Streams ?? 100,
    pipeliningLimit: v.pipeliningLimit ?? 1,
    directHttp2: v.directHttp2 ?? false,
    rawBytesHandlers: v.rawBytesHandlers ?? true,
    useHttpCache: v.useHttpCache ?? true,
    keyManager: v.keyManager,
    trustManager: v.trustManager,
  };
}

/** Loads the section; a mapping or a single-entry list is the default target. */
export function loadHttp(node: YNode, ctx: LoadCtx, path = "http"): HttpEndpoint[] | undefined {
  if (node.kind === "map") {
    const e = endpoint(node, ctx, path);
    return e && [{ ...e, isDefault: true }];
  }
  if (node.kind !== "seq") {
    return mismatch(ctx, node, path, "a mapping (one target) or a list of targets");
  }
  const out: HttpEndpoint[] = [];
  let ok = true;
  node.items.forEach((item, i) => {
    const e = endpoint(item, ctx, `${path}[${i}]`);
    if (e === undefined) {
      ok = false;
      return;
    }
    const dup = out.find((o) => o.authority === e.authority && o.protocol === e.protocol);
    if (dup && (dup.name === undefined || e.name === undefined || dup.name === e.name)) {
      ctx.diags.error(
        item,
        `${path}[${i}]`,
        `Duplicate HTTP target '${e.protocol}://${e.authority}': give each a distinct 'name'`,
      );
      ok = false;
      return;
    }
    const sameName = e.name !== undefined && out.find((o) => o.name === e.name);
    if (sameName) {
      ctx.diags.error(item, `${path}[${i}].name`, `Duplicate HTTP target name '${e.name}'`);
      ok = false;
      return;
    }
    out.push(e);
  });
  if (!ok) return undefined;
  if (out.length === 1) out[0] = { ...out[0], isDefault: true };
  return out;
}

export type { ConnectionStrategy };
