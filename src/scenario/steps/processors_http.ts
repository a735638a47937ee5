/**
 * HTTP-only processors and actions: `parseHtml` (embedded resources and tag
 * attributes, over the incremental scanner), `closeConnection`, `logInvalid`,
 * `clearHttpCache` and `markRequestInvalid`. They act on the request whose
 * handlers are running (the session's current HTTP request).
 */
import type {
  EmbeddedResourceHandler,
  ParseHtmlRecord,
  TagAttributeHandler,
} from "../../benchmark/steps/processors.ts";
import { emptyHandlers } from "../../benchmark/steps/http_handlers.ts";
import type { HttpRequestRecord } from "../../benchmark/steps/http_request.ts";
import type { StepRecord } from "../../benchmark/registry.ts";
import type { CompileCtx, CompilerRegistry, Processor } from "../compile.ts";
import type { Resource, SequenceInstance, Session } from "../session.ts";
import { FetchQueue } from "./http_fetch.ts";
import { type HtmlRule, HtmlScanner, type HtmlSink } from "./http_html.ts";
import { compileMetric } from "./http_metric.ts";
import { type HttpSessionState, httpStateSlot } from "./http_session.ts";
import { compileSpec } from "./http_spec.ts";

/** Tags and attributes of embedded resources, as Hyperfoil's `EmbeddedResourceHandlerBuilder`. */
const EMBEDDED: readonly HtmlRule[] = [
  { tag: "img", attr: "src" },
  { tag: "link", attr: "href" },
  { tag: "embed", attr: "src" },
  { tag: "frame", attr: "src" },
  { tag: "iframe", attr: "src" },
  { tag: "object", attr: "data" },
  { tag: "script", attr: "src" },
];

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function registerHttpProcessors(reg: CompilerRegistry): void {
  reg.processors.set(
    "parseHtml",
    (rec, ctx) => compileParseHtml(rec as unknown as ParseHtmlRecord, ctx),
  );
  reg.processors.set("closeConnection", (_rec, ctx) => {
    const slot = httpStateSlot(ctx);
    return {
      process() {},
      // After the response: closing earlier would fail the request itself.
      after: (s) => slot.get(s).current?.conn?.close(),
    };
  });
  reg.processors.set("logInvalid", (_rec, ctx) => {
    const slot = httpStateSlot(ctx);
    return {
      process(s, _q, data, start, end) {
        const rc = slot.get(s).current;
        if (rc !== undefined && rc.invalid && end > start) {
          rc.log(`${end - start} bytes: ${decoder.decode(data.subarray(start, end))}`);
        }
      },
    };
  });
  reg.actions.set("clearHttpCache", (_rec, ctx) => {
    const slot = httpStateSlot(ctx);
    return (s) => slot.get(s).cache.clear();
  });
  reg.actions.set("markRequestInvalid", (_rec, ctx) => {
    const slot = httpStateSlot(ctx);
    return (s) => slot.get(s).current?.markInvalid();
  });
}

interface Endpoint {
  readonly protocol: string;
  readonly host: string;
  readonly port: number;
  readonly authority: string;
}

/** Per-session state of one `parseHtml`: the scanner and where its findings go. */
class ParseHtmlState implements Resource, HtmlSink {
  readonly scanner: HtmlScanner;
  s: Session | undefined = undefined;
  q: SequenceInstance | undefined = undefined;
  http: HttpSessionState | undefined = undefined;
  fetch: FetchQueue | undefined = undefined;

  constructor(private readonly html: CompiledParseHtml, rules: readonly HtmlRule[]) {
    this.scanner = new HtmlScanner(rules);
  }

  reset(): void {
    this.scanner.reset();
    this.s =
      this.q =
      this.http =
      this.fetch =
        undefined;
  }

  attribute(rule: number, buf: Uint8Array, len: number): void {
    const html = this.html;
    const s = this.s!;
    if (rule < html.embeddedRules) return this.embedded(decoder.decode(buf.subarray(0, len)));
    for (const p of html.tagProcessors[rule - html.embeddedRules]) {
      p.process(s, this.q, buf, 0, len, true);
    }
  }

  private embedded(raw: string): void {
    const er = this.html.embedded!;
    const url = decodeEntities(raw.trim());
    if (url === "" || url.startsWith("#") || /^(data|javascript|mailto|about|tel):/i.test(url)) {
      return;
    }
    const rc = this.http?.current;
    let authority = rc?.authority;
    let path: string;
    let target = url;
    const abs = /^(?:(https?):)?\/\/([^/?#]+)(.*)$/i.exec(url);
    if (abs) {
      const scheme = (abs[1] ?? rc?.client.endpoint.protocol ?? "http").toLowerCase();
      const e = this.html.match(scheme, abs[2].toLowerCase());
      if (e === undefined && er.ignoreExternal) return;
      authority = e?.authority;
      path = abs[3] === "" ? "/" : abs[3].startsWith("/") ? abs[3] : `/${abs[3]}`;
    } else if (url.startsWith("/")) path = url;
    else {
      // Relative to the page's directory, as Hyperfoil resolves it (no dot-segment removal).
      const base = rc?.path ?? "/";
      path = base.slice(0, base.lastIndexOf("/") + 1) + url;
      target = path;
    }
    const fetch = this.fetch;
    if (fetch !== undefined && authority !== undefined) fetch.push(authority, path);
    const processors = this.html.embeddedProcessors;
    if (processors.length > 0) {
      const bytes = encoder.encode(target);
      for (const p of processors) p.process(this.s!, this.q, bytes, 0, bytes.length, true);
    }
  }
}

interface CompiledParseHtml {
  readonly embedded: EmbeddedResourceHandler | undefined;
  readonly embeddedRules: number;
  readonly embeddedProcessors: readonly Processor[];
  readonly tagProcessors: readonly (readonly Processor[])[];
  match(scheme: string, hostPort: string): Endpoint | undefined;
}

function compileParseHtml(rec: ParseHtmlRecord, ctx: CompileCtx): Processor {
  const er = rec.onEmbeddedResource;
  const rules: HtmlRule[] = er ? [...EMBEDDED] : [];
  const embeddedRules = rules.length;
  for (const t of rec.onTagAttribute) rules.push({ tag: t.tag, attr: t.attribute });
  const endpoints: Endpoint[] = ctx.benchmark.http.map((e) => ({
    protocol: e.protocol,
    host: e.host.toLowerCase(),
    port: e.port,
    authority: e.authority,
  }));
  const html: CompiledParseHtml = {
    embedded: er,
    embeddedRules,
    embeddedProcessors: er ? ctx.compileProcessors(er.processors) : [],
    tagProcessors: rec.onTagAttribute.map((t) => ctx.compileProcessors(tagProcessors(t))),
    match(scheme, hostPort) {
      const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostPort);
      if (!m) return undefined;
      const host = m[1].replace(/^\[(.*)\]$/, "$1");
      const port = m[2] !== undefined ? Number(m[2]) : scheme === "https" ? 443 : 80;
      return endpoints.find((e) => e.protocol === scheme && e.host === host && e.port === port);
    },
  };
  const fr = er?.fetchResource;
  const fetchSlot = fr && (() => {
    const singleDestination = new Set(ctx.benchmark.http.map((e) => e.authority)).size <= 1;
    const request: HttpRequestRecord = {
      type: "httpRequest",
      method: "GET",
      path: { value: "/" },
      headers: [],
      sync: true,
      sla: [],
      handler: emptyHandlers(),
    };
    const spec = compileSpec(request, ctx, {
      metric: compileMetric(fr.metric, (input) => input, singleDestination),
      followRedirect: "NEVER",
    });
    const config = {
      spec,
      maxResources: fr.maxResources,
      concurrency: fr.concurrency,
      onCompletion: ctx.compileActions(fr.onCompletion),
    };
    return ctx.resource(() => new FetchQueue(config));
  })();
  const stateSlot = ctx.resource(() => new ParseHtmlState(html, rules));
  const httpSlot = httpStateSlot(ctx);
  const all = [...html.embeddedProcessors, ...html.tagProcessors.flat()];
  return {
    before(s, q) {
      const st = stateSlot.get(s);
      st.scanner.reset();
      st.s = s;
      st.q = q;
      st.http = httpSlot.get(s);
      st.fetch = fetchSlot?.get(s);
      st.fetch?.begin(st.http, s, q);
      for (const p of all) p.before?.(s, q);
    },
    process(s, q, data, start, end) {
      const st = stateSlot.get(s);
      st.s = s;
      st.q = q;
      st.http ??= httpSlot.get(s);
      st.scanner.feed(data, start, end, st);
    },
    after(s, q) {
      for (const p of all) p.after?.(s, q);
      const st = stateSlot.get(s);
      st.fetch?.end();
    },
  };
}

/** The handler's processors plus its `toVar`/`toArray` shortcuts. */
function tagProcessors(t: TagAttributeHandler): StepRecord[] {
  const out: StepRecord[] = [...t.processors];
  if (t.toVar !== undefined) out.push({ type: "store", toVar: t.toVar, format: t.format });
  if (t.toArray !== undefined) {
    out.push({
      type: "array",
      toVar: t.toArray.var,
      maxSize: t.toArray.maxSize,
      format: t.format,
      silent: false,
    });
  }
  return out;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** The few character references URLs in attributes carry (`&amp;`, `&#38;`, …). */
function decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] !== "#") return ENTITIES[ref.toLowerCase()] ?? whole;
    const code = ref[1] === "x" || ref[1] === "X"
      ? parseInt(ref.slice(2), 16)
      : Number(ref.slice(1));
    return Number.isFinite(code) && code > 0 && code < 0x110000
      ? String.fromCodePoint(code)
      : whole;
  });
}
