/**
 * `httpRequest.handler` compiled once into plain functions: status handlers
 * (range, counter, store, action, multiplex, stats), header handlers
 * (filter, conditional, countHeaders, recordHeaderTime, logInvalid), body
 * processors (from the registry), raw-bytes recorders and completion
 * actions. They run against the request context the HTTP layer calls back.
 */
import type {
  HeaderHandlerRecord,
  HttpHandlers,
  StatusHandlerRecord,
  StatusRange,
} from "../../benchmark/steps/http_handlers.ts";
import { latin1 } from "../../http/mod.ts";
import type { CompileCtx, Processor } from "../compile.ts";
import type { ActionFn } from "../session.ts";
import { getVar, setVar, UNSET, varInt, varRef } from "../vars.ts";
import { compileCondition, compileStringPredicate } from "./conditions.ts";
import type { RequestContext } from "./http_context.ts";

/** Called with the final status, before any header. */
export type StatusHandler = (rc: RequestContext, status: number) => void;

export interface HeaderHandler {
  before?(rc: RequestContext): void;
  /** `name` is lower-case; the value is `buf[vs, ve)`, valid during the call. */
  header(rc: RequestContext, name: string, buf: Uint8Array, vs: number, ve: number): void;
  after?(rc: RequestContext): void;
}

export interface CompiledHandlers {
  readonly status: readonly StatusHandler[];
  readonly header: readonly HeaderHandler[];
  readonly body: readonly Processor[];
  /** Keys of `transferSizeRecorder`s. */
  readonly transferSize: readonly string[];
  readonly onCompletion: readonly ActionFn[];
  /**
   * When every status handler is a range check (`range`, autoRangeCheck): the
   * ranges of each, and a status outside one handler's ranges marks the
   * response invalid. Undefined when other status handlers exist.
   */
  readonly statusRanges: readonly (readonly StatusRange[])[] | undefined;
}

export interface HandlerOptions {
  /** Append Hyperfoil's 200–399 validator (autoRangeCheck, unless a `range` handler decides). */
  autoRangeCheck: boolean;
  /** Raw-bytes handlers are enabled on the endpoint (`http.rawBytesHandlers`). */
  rawBytes: boolean;
}

export function compileHandlers(
  h: HttpHandlers,
  ctx: CompileCtx,
  options: HandlerOptions,
): CompiledHandlers {
  const status = h.status.map((r) => statusHandler(r, ctx));
  const ranges: (readonly StatusRange[])[] = h.status.flatMap((r) =>
    r.type === "range" ? [r.ranges] : []
  );
  if (options.autoRangeCheck && !h.status.some((r) => r.type === "range")) {
    status.push(rangeHandler(AUTO_RANGE));
    ranges.push(AUTO_RANGE);
  }
  return {
    statusRanges: ranges.length === status.length ? ranges : undefined,
    status,
    header: h.header.map((r) => headerHandler(r, ctx)),
    body: ctx.compileProcessors(h.body),
    transferSize: options.rawBytes ? h.rawBytes.map((r) => r.key) : [],
    onCompletion: ctx.compileActions(h.onCompletion),
  };
}

/** Hyperfoil's autoRangeCheck: anything but 2xx and 3xx is invalid. */
const AUTO_RANGE: readonly StatusRange[] = [{ min: 200, max: 399 }];

/** Whether `status` lies in one of `ranges`. */
export function inRanges(ranges: readonly StatusRange[], status: number): boolean {
  for (let i = 0; i < ranges.length; i++) {
    if (status >= ranges[i].min && status <= ranges[i].max) return true;
  }
  return false;
}

function rangeHandler(ranges: readonly StatusRange[]): StatusHandler {
  return (rc, status) => {
    if (!inRanges(ranges, status)) rc.markInvalid();
  };
}

/** `status_NNN` names of the `stats` handler, made once. */
const STATUS_NAMES: string[] = Array.from({ length: 600 }, (_, i) => `status_${i}`);

function statusHandler(r: StatusHandlerRecord, ctx: CompileCtx): StatusHandler {
  switch (r.type) {
    case "range":
      return rangeHandler(r.ranges);
    case "counter": {
      const ref = varRef(ctx.slots, r.var);
      const { expectStatus, init, add, set } = r;
      return (rc, status) => {
        if (expectStatus !== undefined && expectStatus !== status) return;
        const q = rc.instance();
        if (add !== undefined) {
          const v = getVar(rc.s, q, ref);
          setVar(rc.s, q, ref, v === UNSET ? init + add : (varInt(v) ?? init) + add);
        } else setVar(rc.s, q, ref, set);
      };
    }
    case "store": {
      const ref = varRef(ctx.slots, r.toVar);
      return (rc, status) => setVar(rc.s, rc.instance(), ref, status);
    }
    case "action": {
      const cases = r.cases.map((c) => ({
        ranges: c.ranges,
        actions: ctx.compileActions(c.actions),
      }));
      const other = ctx.compileActions(r.other ?? []);
      return (rc, status) => {
        const c = cases.find((x) => inRanges(x.ranges, status));
        const q = rc.instance();
        for (const a of c === undefined ? other : c.actions) a(rc.s, q);
      };
    }
    case "multiplex": {
      const cases = r.cases.map((c) => ({
        ranges: c.ranges,
        handlers: c.handlers.map((x) => statusHandler(x, ctx)),
      }));
      const other = (r.other ?? []).map((x) => statusHandler(x, ctx));
      return (rc, status) => {
        const c = cases.find((x) => inRanges(x.ranges, status));
        for (const handler of c === undefined ? other : c.handlers) handler(rc, status);
      };
    }
    case "stats":
      return (rc, status) => {
        const name = status >= 0 && status < 600 ? STATUS_NAMES[status] : `status_${status}`;
        rc.stats.incrementExtension(rc.bucketNs, "exact_status", name);
      };
  }
}

function headerHandler(r: HeaderHandlerRecord, ctx: CompileCtx): HeaderHandler {
  switch (r.type) {
    case "filter": {
      const test = compileStringPredicate(r.header, ctx.slots);
      const processors = ctx.compileProcessors(r.processors);
      return {
        before(rc) {
          const q = rc.instance();
          for (const p of processors) p.before?.(rc.s, q);
        },
        header(rc, name, buf, vs, ve) {
          const q = rc.instance();
          if (!test(rc.s, q, name)) return;
          for (const p of processors) p.process(rc.s, q, buf, vs, ve, true);
        },
        after(rc) {
          const q = rc.instance();
          for (const p of processors) p.after?.(rc.s, q);
        },
      };
    }
    case "conditional": {
      const condition = compileCondition(r.condition, ctx.slots);
      const handlers = r.handlers.map((x) => headerHandler(x, ctx));
      return {
        before(rc) {
          for (const x of handlers) x.before?.(rc);
        },
        header(rc, name, buf, vs, ve) {
          if (!condition(rc.s, rc.instance())) return;
          for (const x of handlers) x.header(rc, name, buf, vs, ve);
        },
        after(rc) {
          for (const x of handlers) x.after?.(rc);
        },
      };
    }
    case "countHeaders":
      return {
        header(rc, name) {
          rc.stats.incrementExtension(rc.bucketNs, "countHeaders", name);
        },
      };
    case "recordHeaderTime": {
      const header = r.header.toLowerCase();
      const scale = r.unit === "ms" ? 1e6 : 1;
      const metric = r.metric;
      return {
        header(rc, name, buf, vs, ve) {
          if (name !== header) return;
          const value = parseDecimal(buf, vs, ve);
          if (value < 0) return; // absent or negative values are not recorded, as in Hyperfoil
          const stats = rc.statsFor(metric);
          stats.recordRequest(rc.bucketNs);
          stats.recordResponse(rc.bucketNs, rc.bucketNs + value * scale, 0);
        },
      };
    }
    case "logInvalid":
      return {
        header(rc, name, buf, vs, ve) {
          if (!rc.invalid) return;
          rc.log(`${name}: ${latin1(buf, vs, ve)}`);
        },
      };
  }
}

/** A non-negative decimal in `buf[start, end)` (spaces around allowed); -1 when it is not one. */
function parseDecimal(buf: Uint8Array, start: number, end: number): number {
  while (start < end && buf[start] === 0x20) start++;
  while (end > start && buf[end - 1] === 0x20) end--;
  if (start === end) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = buf[i] - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}
