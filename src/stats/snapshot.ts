/**
 * Delta snapshots: what an executor sends over the bus every collection period,
 * as plain JSON data. The histogram travels as HdrHistogram's compressed base64
 * encoding; decoding and merging are exact.
 * @module
 */
import { Histogram } from "./histogram.ts";
import { StatsData } from "./stats_data.ts";

/** Counters of one extension, e.g. `{type: "transfersize", values: {sent: 10, received: 20}}`. */
export interface SnapshotExtension {
  type: string;
  values: Record<string, number>;
}

export interface StatsSnapshot {
  /** Phase id (index in `Benchmark.phases`). */
  phase: number;
  stepId: number;
  metric: string;
  /** Index of the collection period since the phase started on this executor. */
  sequenceId: number;
  /** Epoch ms. */
  start: number;
  /** Epoch ms (the period end, or the phase end when that is earlier). */
  end: number;
  requestCount: number;
  responseCount: number;
  invalid: number;
  connectionErrors: number;
  requestTimeouts: number;
  internalErrors: number;
  /** ns. */
  blockedTime: number;
  status2xx: number;
  status3xx: number;
  status4xx: number;
  status5xx: number;
  statusOther: number;
  cacheHits: number;
  /** Only extensions with a non-zero counter. */
  extensions: Record<string, SnapshotExtension>;
  /** HdrHistogram V2 compressed, base64; response times in ns. */
  histogram: string;
}

/** Which statistics a snapshot belongs to. */
export interface SnapshotKey {
  phase: number;
  stepId: number;
  metric: string;
  sequenceId: number;
}

const COUNTER_FIELDS = [
  "requestCount",
  "responseCount",
  "invalid",
  "connectionErrors",
  "requestTimeouts",
  "internalErrors",
  "blockedTime",
  "status2xx",
  "status3xx",
  "status4xx",
  "status5xx",
  "statusOther",
  "cacheHits",
] as const;

/** Encodes `data` as a snapshot; its time span must be set (`data.widen`). */
export function encodeSnapshot(data: StatsData, key: SnapshotKey): StatsSnapshot {
  const extensions: Record<string, SnapshotExtension> = {};
  for (const [name, ext] of data.extensions) {
    if (ext.isNull()) continue;
    const values: Record<string, number> = {};
    for (const [counter, v] of ext.values) if (v !== 0) values[counter] = v;
    extensions[name] = { type: ext.type, values };
  }
  return {
    phase: key.phase,
    stepId: key.stepId,
    metric: key.metric,
    sequenceId: key.sequenceId,
    start: Number.isFinite(data.startTime) ? data.startTime : 0,
    end: data.endTime,
    requestCount: data.requestCount,
    responseCount: data.responseCount,
    invalid: data.invalid,
    connectionErrors: data.connectionErrors,
    requestTimeouts: data.requestTimeouts,
    internalErrors: data.internalErrors,
    blockedTime: data.blockedTime,
    status2xx: data.status2xx,
    status3xx: data.status3xx,
    status4xx: data.status4xx,
    status5xx: data.status5xx,
    statusOther: data.statusOther,
    cacheHits: data.cacheHits,
    extensions,
    histogram: data.histogram.encode(),
  };
}

/** Decodes a snapshot into mutable statistics (exact). */
export function decodeSnapshot(snapshot: StatsSnapshot): StatsData {
  const data = new StatsData();
  data.histogram.add(Histogram.decode(snapshot.histogram));
  for (const f of COUNTER_FIELDS) data[f] = snapshot[f];
  for (const [key, ext] of Object.entries(snapshot.extensions)) {
    for (const [name, v] of Object.entries(ext.values)) {
      data.incrementExtension(key, name, v, ext.type);
    }
  }
  data.widen(snapshot.start, snapshot.end);
  return data;
}

/**
 * Merges snapshots of the same statistics exactly (histograms added, counters
 * summed, time span the union). Key fields come from the first snapshot.
 */
export function mergeSnapshots(snapshots: readonly StatsSnapshot[]): StatsSnapshot {
  if (snapshots.length === 0) throw new RangeError("Cannot merge an empty list of snapshots");
  const sum = new StatsData();
  for (const s of snapshots) sum.add(decodeSnapshot(s));
  return encodeSnapshot(sum, snapshots[0]);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function expectNumber(o: Record<string, unknown>, field: string): number {
  const v = o[field];
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new TypeError(
      `Snapshot field '${field}' must be a finite number, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

/** Checks a snapshot received from outside (the bus) and returns it typed. */
export function parseSnapshot(value: unknown): StatsSnapshot {
  if (!isRecord(value)) throw new TypeError("Snapshot must be an object");
  for (const f of ["metric", "histogram"]) {
    if (typeof value[f] !== "string") throw new TypeError(`Snapshot field '${f}' must be a string`);
  }
  for (const f of ["phase", "stepId", "sequenceId", "start", "end", ...COUNTER_FIELDS]) {
    expectNumber(value, f);
  }
  const extensions = value.extensions;
  if (!isRecord(extensions)) throw new TypeError("Snapshot field 'extensions' must be an object");
  for (const [key, ext] of Object.entries(extensions)) {
    if (!isRecord(ext) || typeof ext.type !== "string" || !isRecord(ext.values)) {
      throw new TypeError(`Snapshot extension '${key}' must be {type: string, values: object}`);
    }
    for (const name of Object.keys(ext.values)) expectNumber(ext.values, name);
  }
  return value as unknown as StatsSnapshot;
}
