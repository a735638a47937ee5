/**
 * A run's `all.json` (run-schema v3.0, ALL-JSON.md) as the report and the
 * comparison read it: parsed JSON from disk or from a caller is checked here
 * once, so everything after works on typed data. Optional parts of the file
 * default to empty; a field of the wrong type is an error naming its path.
 * @module
 */
import type { StatisticsSummary } from "../stats/summary.ts";

export interface RunDocumentInfo {
  id: string;
  benchmark: string;
  /** Epoch ms; 0 when unknown. */
  startTime: number;
  /** Epoch ms; 0 when unknown. */
  terminateTime: number;
  cancelled: boolean;
  description: string | null;
  errors: { agent?: string; msg: string | null }[];
}

/** One histogram bucket; values in ns, `percentile` a fraction. */
export interface Bucket {
  from: number;
  to: number;
  percentile: number;
  count: number;
  totalCount: number;
}

/** One `stats[]` (or `agents[].stats[]`) entry. */
export interface StatEntry {
  /** Full phase instance name. */
  name: string;
  phase: string;
  fork: string;
  metric: string;
  isWarmup: boolean;
  total: {
    start: number;
    end: number;
    summary: StatisticsSummary;
    failures: number;
    minSessions: number;
    maxSessions: number;
  };
  histogram: { percentiles: Bucket[]; linear: Bucket[] };
  series: StatisticsSummary[];
}

export interface SessionRecord {
  timestamp: number;
  agent: string;
  minSessions: number;
  maxSessions: number;
}

export interface GaugeRecord {
  timestamp: number;
  agent: string;
  min: number;
  max: number;
}

export interface Failure {
  phase: string;
  metric: string | null;
  message: string;
  start: number;
  end: number;
}

/** The checked document. */
export interface RunDocument {
  info: RunDocumentInfo;
  version: string;
  failures: Failure[];
  stats: StatEntry[];
  /** Phase instance name → records (the file repeats a phase once per metric; kept once here). */
  sessions: Record<string, SessionRecord[]>;
  agents: { name: string; stats: StatEntry[] }[];
  /** Authority → gauge type → records. */
  connections: Record<string, Record<string, GaugeRecord[]>>;
  /** Phase → agent → usage text. */
  agentCpu: Record<string, Record<string, string>>;
}

/** The document is not an all.json the report understands. */
export class RunDocumentError extends Error {
  override name = "RunDocumentError";
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Reads fields of one object, naming `source: path.key` when one is wrong. */
function reader(source: string, path: string, v: unknown) {
  const where = (key: string) => `${source}: ${path === "" ? key : `${path}.${key}`}`;
  const fail = (key: string, expected: string, found: unknown): never => {
    const shown = found === undefined ? "nothing" : JSON.stringify(found)?.slice(0, 40);
    throw new RunDocumentError(`${where(key)}: expected ${expected}, found ${shown}`);
  };
  if (!isObj(v)) {
    const shown = v === undefined ? "nothing" : JSON.stringify(v)?.slice(0, 40);
    throw new RunDocumentError(
      `${source}: ${path || "document"}: expected an object, found ${shown}`,
    );
  }
  return {
    obj: v,
    sub: (key: string) => `${path === "" ? key : `${path}.${key}`}`,
    num(key: string, fallback?: number): number {
      const x = v[key];
      if (x === undefined && fallback !== undefined) return fallback;
      return typeof x === "number" && Number.isFinite(x) ? x : fail(key, "a number", x);
    },
    str(key: string, fallback?: string): string {
      const x = v[key];
      if ((x === undefined || x === null) && fallback !== undefined) return fallback;
      return typeof x === "string" ? x : fail(key, "a string", x);
    },
    bool(key: string, fallback: boolean): boolean {
      const x = v[key];
      if (x === undefined) return fallback;
      return typeof x === "boolean" ? x : fail(key, "true or false", x);
    },
    arr(key: string, required = false): unknown[] {
      const x = v[key];
      if (x === undefined && !required) return [];
      return Array.isArray(x) ? x : fail(key, "an array", x);
    },
    rec(key: string): Obj {
      const x = v[key];
      if (x === undefined) return {};
      return isObj(x) ? x : fail(key, "an object", x);
    },
  };
}

const SUMMARY_NUMBERS = [
  "startTime",
  "endTime",
  "minResponseTime",
  "meanResponseTime",
  "stdDevResponseTime",
  "maxResponseTime",
  "requestCount",
  "responseCount",
  "invalid",
  "connectionErrors",
  "requestTimeouts",
  "internalErrors",
  "blockedTime",
] as const;

const PERCENTILES = ["50.0", "90.0", "99.0", "99.9", "99.99"] as const;

function readSummary(source: string, path: string, v: unknown): StatisticsSummary {
  const r = reader(source, path, v);
  const out: Record<string, unknown> = {};
  // Counters a writer may leave out (an older or foreign file) read as 0; latencies must be there.
  for (const k of SUMMARY_NUMBERS) out[k] = r.num(k, k.endsWith("ResponseTime") ? undefined : 0);
  const p = reader(source, r.sub("percentileResponseTime"), r.obj.percentileResponseTime);
  out.percentileResponseTime = Object.fromEntries(PERCENTILES.map((k) => [k, p.num(k, 0)]));
  const ext = r.rec("extensions");
  for (const [key, e] of Object.entries(ext)) reader(source, `${r.sub("extensions")}.${key}`, e);
  out.extensions = ext;
  return out as unknown as StatisticsSummary;
}

function readBuckets(source: string, path: string, list: unknown[]): Bucket[] {
  return list.map((b, i) => {
    const r = reader(source, `${path}[${i}]`, b);
    return {
      from: r.num("from", 0),
      to: r.num("to"),
      percentile: r.num("percentile"),
      count: r.num("count", 0),
      totalCount: r.num("totalCount", 0),
    };
  });
}

function readStat(source: string, path: string, v: unknown): StatEntry {
  const r = reader(source, path, v);
  const name = r.str("name");
  const metric = r.str("metric");
  const total = reader(source, r.sub("total"), r.obj.total);
  const summary = readSummary(source, total.sub("summary"), total.obj.summary);
  const hist = reader(source, r.sub("histogram"), r.obj.histogram ?? {});
  return {
    name,
    phase: r.str("phase", name.split("/")[0]),
    fork: r.str("fork", ""),
    metric,
    isWarmup: r.bool("isWarmup", false),
    total: {
      start: total.num("start", summary.startTime),
      end: total.num("end", summary.endTime),
      summary,
      failures: total.num("failures", 0),
      minSessions: total.num("minSessions", 0),
      maxSessions: total.num("maxSessions", 0),
    },
    histogram: {
      percentiles: readBuckets(source, hist.sub("percentiles"), hist.arr("percentiles")),
      linear: readBuckets(source, hist.sub("linear"), hist.arr("linear")),
    },
    series: r.arr("series").map((s, i) => readSummary(source, `${r.sub("series")}[${i}]`, s)),
  };
}

function readInfo(source: string, v: unknown): RunDocumentInfo {
  const r = reader(source, "info", v ?? {});
  return {
    id: r.str("id", "?"),
    benchmark: r.str("benchmark", "?"),
    startTime: r.num("startTime", 0),
    terminateTime: r.num("terminateTime", 0),
    cancelled: r.bool("cancelled", false),
    description: typeof r.obj.description === "string" ? r.obj.description : null,
    errors: r.arr("errors").map((e, i) => {
      const er = reader(source, `info.errors[${i}]`, e);
      const agent = typeof er.obj.agent === "string" ? er.obj.agent : undefined;
      const msg = typeof er.obj.msg === "string" ? er.obj.msg : null;
      return agent === undefined ? { msg } : { agent, msg };
    }),
  };
}

function readSessions(source: string, list: unknown[]): Record<string, SessionRecord[]> {
  const out: Record<string, SessionRecord[]> = {};
  list.forEach((entry, i) => {
    const r = reader(source, `sessions[${i}]`, entry);
    const name = r.str("name");
    if (out[name] !== undefined) return; // the same records again, once per metric
    out[name] = r.arr("sessions").map((s, j) => {
      const sr = reader(source, `sessions[${i}].sessions[${j}]`, s);
      return {
        timestamp: sr.num("timestamp"),
        agent: sr.str("agent", "?"),
        minSessions: sr.num("minSessions"),
        maxSessions: sr.num("maxSessions"),
      };
    });
  });
  return out;
}

function readConnections(source: string, v: Obj): Record<string, Record<string, GaugeRecord[]>> {
  const out: Record<string, Record<string, GaugeRecord[]>> = {};
  for (const [authority, byType] of Object.entries(v)) {
    const t = reader(source, `connections.${authority}`, byType);
    out[authority] = {};
    for (const type of Object.keys(t.obj)) {
      out[authority][type] = t.arr(type, true).map((g, i) => {
        const gr = reader(source, `connections.${authority}.${type}[${i}]`, g);
        return {
          timestamp: gr.num("timestamp"),
          agent: gr.str("agent", "?"),
          min: gr.num("min"),
          max: gr.num("max"),
        };
      });
    }
  }
  return out;
}

/**
 * Checks parsed `all.json` and returns it typed. `source` names the document
 * in errors (a file path, `run 0001`). Throws {@link RunDocumentError}.
 */
export function readRunDocument(value: unknown, source = "all.json"): RunDocument {
  const r = reader(source, "", value);
  const failures = r.arr("failures").map((f, i) => {
    const fr = reader(source, `failures[${i}]`, f);
    return {
      phase: fr.str("phase"),
      metric: typeof fr.obj.metric === "string" ? fr.obj.metric : null,
      message: fr.str("message", ""),
      start: fr.num("start", 0),
      end: fr.num("end", 0),
    };
  });
  const agentCpu: Record<string, Record<string, string>> = {};
  for (const [phase, byAgent] of Object.entries(r.rec("agentCpu"))) {
    if (!isObj(byAgent)) continue; // informative text only; a foreign shape is skipped
    agentCpu[phase] = Object.fromEntries(
      Object.entries(byAgent).filter(([, t]) => typeof t === "string"),
    ) as Record<string, string>;
  }
  return {
    info: readInfo(source, r.obj.info),
    version: typeof r.obj.version === "string" ? r.obj.version : "unknown",
    failures,
    stats: r.arr("stats", true).map((s, i) => readStat(source, `stats[${i}]`, s)),
    sessions: readSessions(source, r.arr("sessions")),
    agents: r.arr("agents").map((a, i) => {
      const ar = reader(source, `agents[${i}]`, a);
      return {
        name: ar.str("name"),
        stats: ar.arr("stats").map((s, j) => readStat(source, `agents[${i}].stats[${j}]`, s)),
      };
    }),
    connections: readConnections(source, r.rec("connections")),
    agentCpu,
  };
}
