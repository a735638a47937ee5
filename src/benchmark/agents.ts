/** The `agents` section: a mapping or list of `name: user@host:port`, `name: {props}` or bare names. */
import type { Agent } from "./model.ts";
import type { YNode, YScalar } from "./node.ts";
import { type LoadCtx, mismatch } from "./shape.ts";
import { didYouMean } from "./suggest.ts";

/** Properties the ssh and k8s deployers read; others are kept but warned about. */
const KNOWN_PROPERTIES = [
  "host",
  "port",
  "user",
  "sshKey",
  "dir",
  "cpu",
  "threads",
  "extras",
  "node",
  "stop",
  "log",
  "image",
  "imagePullPolicy",
  "fetchLogs",
  "pod-serviceaccount",
  "pod-cpu",
  "pod-memory",
  "pod-ephemeral-storage",
  "pod-limits",
];

const INLINE = /^(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s]+)(?::(\d+))?$/;

interface RawAgent {
  name: YScalar;
  inline?: YScalar;
  properties: Record<string, string>;
}

export function loadAgents(node: YNode, ctx: LoadCtx): Agent[] | undefined {
  const raw: RawAgent[] = [];
  let ok = true;
  const one = (name: YScalar, value: YNode | undefined, path: string) => {
    const r = rawAgent(name, value, ctx, path);
    if (r === undefined) ok = false;
    else raw.push(r);
  };
  if (node.kind === "scalar") {
    if (!node.isNull) one(node, undefined, "agents");
  } else if (node.kind === "map") {
    for (const e of node.entries) one(e.key, e.value, `agents.${e.key.value}`);
  } else {
    node.items.forEach((item, i) => {
      if (item.kind === "scalar" && !item.isNull) one(item, undefined, `agents[${i}]`);
      else if (item.kind === "map" && item.entries.length === 1) {
        one(
          item.entries[0].key,
          item.entries[0].value,
          `agents[${i}].${item.entries[0].key.value}`,
        );
      } else {
        mismatch(
          ctx,
          item,
          `agents[${i}]`,
          "an agent ('name', 'name: user@host:port' or 'name: {host, port, …}')",
        );
        ok = false;
      }
    });
  }
  if (!ok) return undefined;
  const defaults = raw.find((r) => r.name.value === "default")?.properties ?? {};
  const agents: Agent[] = [];
  for (const r of raw) {
    if (r.name.value === "default") continue;
    if (agents.some((a) => a.name === r.name.value)) {
      ctx.diags.error(r.name, "agents", `Duplicate agent '${r.name.value}'`);
      ok = false;
      continue;
    }
    const agent = toAgent(r, defaults, ctx);
    if (agent === undefined) ok = false;
    else agents.push(agent);
  }
  return ok ? agents : undefined;
}

function rawAgent(
  name: YScalar,
  value: YNode | undefined,
  ctx: LoadCtx,
  path: string,
): RawAgent | undefined {
  if (value === undefined || (value.kind === "scalar" && value.isNull)) {
    return { name, properties: {} };
  }
  if (value.kind === "scalar") {
    if (name.value === "default") {
      ctx.diags.error(value, path, "Agent defaults must be set as properties, not inline");
      return undefined;
    }
    return { name, inline: value, properties: {} };
  }
  if (value.kind !== "map") {
    return mismatch(ctx, value, path, "'user@host:port' or a mapping of agent properties");
  }
  const properties: Record<string, string> = {};
  for (const e of value.entries) {
    const k = e.key.value;
    if (e.value.kind !== "scalar") {
      mismatch(ctx, e.value, `${path}.${k}`, "a scalar value");
      return undefined;
    }
    if (!KNOWN_PROPERTIES.includes(k) && !k.startsWith("pod.label.")) {
      ctx.diags.warn(
        e.key,
        path,
        `Unknown agent property '${k}'${didYouMean(k, KNOWN_PROPERTIES)}`,
      );
    }
    properties[k] = e.value.value;
  }
  return { name, properties };
}

function toAgent(r: RawAgent, defaults: Record<string, string>, ctx: LoadCtx): Agent | undefined {
  const path = `agents.${r.name.value}`;
  const properties = { ...defaults, ...r.properties };
  const agent: Agent = { name: r.name.value, properties };
  if (r.inline) {
    const m = INLINE.exec(r.inline.value.trim());
    if (!m) {
      ctx.diags.error(
        r.inline,
        path,
        `Invalid agent address '${r.inline.value}': expected '[user@]host[:port]'`,
      );
      return undefined;
    }
    agent.inline = r.inline.value;
    if (m[1]) agent.user = m[1];
    agent.host = m[2];
    if (m[3]) agent.port = Number(m[3]);
  }
  // Precedence: the agent's own properties, then its inline address, then the 'default' agent.
  const fromInline: Record<string, unknown> = {
    host: agent.host,
    user: agent.user,
    port: agent.port,
  };
  const own = (k: string) =>
    r.properties[k] ?? (fromInline[k] === undefined ? defaults[k] : undefined);
  if (own("host")) agent.host = own("host");
  if (own("user")) agent.user = own("user");
  for (const key of ["port", "threads"]) {
    if (properties[key] === undefined) continue;
    const n = Number(properties[key]);
    if (!/^\d+$/.test(properties[key]) || n < 1 || (key === "port" && n > 65535)) {
      ctx.diags.error(
        r.name,
        path,
        `Agent property '${key}' must be ${
          key === "port" ? "a port number" : "an integer ≥ 1"
        }, found '${properties[key]}'`,
      );
      return undefined;
    }
    if (key === "port" && own("port") !== undefined) agent.port = n;
  }
  return agent;
}
