/**
 * The statistics of one (phase, step, metric) over some time span: Hyperfoil's
 * `StatisticsSnapshot`. The same mutable class is the per-interval bucket an
 * executor records into, a decoded bus snapshot, and a merged total on the
 * controller.
 * @module
 */
import { Histogram } from "./histogram.ts";

/**
 * A named group of counters: Hyperfoil's `counters` extension (`exact_status`,
 * `countHeaders`) or `transfersize` (`sent`, `received`), or any other type.
 */
export class ExtensionCounters {
  readonly values: Map<string, number> = new Map();
  constructor(readonly type: string) {}

  add(name: string, delta: number): void {
    this.values.set(name, (this.values.get(name) ?? 0) + delta);
  }

  /** True when every counter is zero (Hyperfoil's `isNull`). */
  isNull(): boolean {
    for (const v of this.values.values()) if (v !== 0) return false;
    return true;
  }

  addAll(other: ExtensionCounters, sign = 1): void {
    for (const [name, v] of other.values) this.add(name, sign * v);
  }

  reset(): void {
    for (const name of this.values.keys()) this.values.set(name, 0);
  }
}

/** Extension type of the transfer-size recorder. */
export const TRANSFER_SIZE_TYPE = "transfersize";
/** Extension type of the status and header counting handlers. */
export const COUNTERS_TYPE = "counters";

export class StatsData {
  /** Response times in ns; its total count equals `responseCount` when recorded here. */
  readonly histogram: Histogram = new Histogram();
  /** Epoch ms where the data starts; +Infinity until known. Merging keeps the minimum. */
  startTime = Number.POSITIVE_INFINITY;
  /** Epoch ms where the data ends; 0 until known. Merging keeps the maximum. */
  endTime = 0;
  requestCount = 0;
  responseCount = 0;
  invalid = 0;
  connectionErrors = 0;
  requestTimeouts = 0;
  internalErrors = 0;
  /** ns spent waiting for a free connection, summed. */
  blockedTime = 0;
  status2xx = 0;
  status3xx = 0;
  status4xx = 0;
  status5xx = 0;
  statusOther = 0;
  cacheHits = 0;
  /** Custom extensions by key (not `http`, whose counters are the fields above). */
  readonly extensions: Map<string, ExtensionCounters> = new Map();

  recordRequest(): void {
    this.requestCount++;
  }

  /** A response after `responseTimeNs`; `status` ≤ 0 means "not an HTTP response". */
  recordResponse(responseTimeNs: number, status: number): void {
    this.histogram.record(responseTimeNs);
    this.responseCount++;
    if (status > 0) this.recordStatus(status);
  }

  /** Counts a status by class; anything outside 200–599 is "other". */
  recordStatus(status: number): void {
    switch ((status / 100) | 0) {
      case 2:
        this.status2xx++;
        break;
      case 3:
        this.status3xx++;
        break;
      case 4:
        this.status4xx++;
        break;
      case 5:
        this.status5xx++;
        break;
      default:
        this.statusOther++;
    }
  }

  recordInvalid(): void {
    this.invalid++;
  }

  recordConnectionError(): void {
    this.connectionErrors++;
  }

  recordTimeout(): void {
    this.requestTimeouts++;
  }

  recordInternalError(): void {
    this.internalErrors++;
  }

  /** Whole ns, as Hyperfoil's long counter. */
  recordBlocked(blockedNs: number): void {
    if (blockedNs > 0) this.blockedTime += Math.floor(blockedNs);
  }

  recordCacheHit(): void {
    this.cacheHits++;
  }

  /** Adds `delta` to counter `name` of extension `key` (created with `type` on first use). */
  incrementExtension(key: string, name: string, delta = 1, type: string = COUNTERS_TYPE): void {
    let ext = this.extensions.get(key);
    if (ext === undefined) {
      ext = new ExtensionCounters(type);
      this.extensions.set(key, ext);
    }
    ext.add(name, delta);
  }

  /** Both counters of a `transfersize` extension: `incrementExtension` for each, one lookup. */
  addTransferSize(key: string, sent: number, received: number): void {
    let ext = this.extensions.get(key);
    if (ext === undefined) {
      ext = new ExtensionCounters(TRANSFER_SIZE_TYPE);
      this.extensions.set(key, ext);
    }
    ext.add("sent", sent);
    ext.add("received", received);
  }

  /** Connection errors + request timeouts + internal errors. */
  errors(): number {
    return this.connectionErrors + this.requestTimeouts + this.internalErrors;
  }

  /** Whether any HTTP status or cache hit was counted (the `http` extension exists). */
  hasHttp(): boolean {
    return this.status2xx + this.status3xx + this.status4xx + this.status5xx + this.statusOther +
        this.cacheHits !== 0;
  }

  /** Hyperfoil's `isEmpty`: no counts at all (blocked time alone does not count). */
  isEmpty(): boolean {
    if (
      this.requestCount + this.responseCount + this.invalid + this.connectionErrors +
            this.requestTimeouts + this.internalErrors !== 0 || this.hasHttp()
    ) return false;
    for (const ext of this.extensions.values()) if (!ext.isNull()) return false;
    return true;
  }

  /** Extends the time span to cover [start, end]. */
  widen(start: number, end: number): void {
    if (start < this.startTime) this.startTime = start;
    if (end > this.endTime) this.endTime = end;
  }

  /** Adds `other` exactly; the time span becomes the union. */
  add(other: StatsData): void {
    this.histogram.add(other.histogram);
    this.addCounters(other, 1);
    this.widen(other.startTime, other.endTime);
  }

  /** Removes `other` (a previously added part); the time span is kept, as Hyperfoil does. */
  subtract(other: StatsData): void {
    this.histogram.subtract(other.histogram);
    this.addCounters(other, -1);
  }

  private addCounters(o: StatsData, sign: number): void {
    this.requestCount += sign * o.requestCount;
    this.responseCount += sign * o.responseCount;
    this.invalid += sign * o.invalid;
    this.connectionErrors += sign * o.connectionErrors;
    this.requestTimeouts += sign * o.requestTimeouts;
    this.internalErrors += sign * o.internalErrors;
    this.blockedTime += sign * o.blockedTime;
    this.status2xx += sign * o.status2xx;
    this.status3xx += sign * o.status3xx;
    this.status4xx += sign * o.status4xx;
    this.status5xx += sign * o.status5xx;
    this.statusOther += sign * o.statusOther;
    this.cacheHits += sign * o.cacheHits;
    for (const [key, theirs] of o.extensions) {
      let mine = this.extensions.get(key);
      if (mine === undefined) {
        mine = new ExtensionCounters(theirs.type);
        this.extensions.set(key, mine);
      }
      mine.addAll(theirs, sign);
    }
  }

  /** Zeroes everything; extension keys are kept (zeroed) so reuse does not allocate. */
  reset(): void {
    this.histogram.reset();
    this.startTime = Number.POSITIVE_INFINITY;
    this.endTime = 0;
    this.requestCount = this.responseCount = this.invalid = 0;
    this.connectionErrors = this.requestTimeouts = this.internalErrors = 0;
    this.blockedTime = 0;
    this.status2xx =
      this.status3xx =
      this.status4xx =
      this.status5xx =
      this.statusOther =
        0;
    this.cacheHits = 0;
    for (const ext of this.extensions.values()) ext.reset();
  }

  copy(): StatsData {
    const c = new StatsData();
    c.add(this);
    return c;
  }
}
