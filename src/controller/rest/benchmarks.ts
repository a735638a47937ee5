/**
 * `/benchmark…` and `/template` endpoints: upload (YAML, JSON, multipart
 * with data files), list, get, delete, data files, structure, and start a run.
 * @module
 */
import { decodeBase64 } from "../../benchmark/base64.ts";
import type { Benchmark } from "../../benchmark/model.ts";
import {
  bytesBody,
  contentType,
  decodeUtf8,
  emptyResponse,
  HttpError,
  intParam,
  JSON_TYPE,
  jsonResponse,
  negotiate,
  readBody,
  type RequestContext,
  templateParams,
  YAML_TYPE,
} from "./_http.ts";
import type { BenchmarkStore, BenchmarkUpload } from "./benchmark_store.ts";
import type { Route } from "./router.ts";
import type { RunRegistry } from "./run_registry.ts";

/** Larger uploads are refused: benchmarks and their data files are small. */
export const MAX_UPLOAD_BYTES = 64 * 1024 * 1024;

const YAML_TYPES = [
  YAML_TYPE,
  "application/x-yaml",
  "application/yaml",
  "text/yaml",
  "text/x-yaml",
];

async function readUpload(ctx: RequestContext): Promise<BenchmarkUpload> {
  const type = contentType(ctx.request);
  const ifMatch = ctx.request.headers.get("if-match") ?? undefined;
  const storedFilesBenchmark = ctx.url.searchParams.get("storedFilesBenchmark") ?? undefined;
  const common = { ifMatch: ifMatch?.replace(/^"|"$/g, ""), storedFilesBenchmark };
  // JSON is YAML: Hyperfoil reads both with the same parser.
  if (YAML_TYPES.includes(type) || type === JSON_TYPE) {
    const bytes = await readBody(ctx.request, MAX_UPLOAD_BYTES);
    return { ...common, source: decodeUtf8(bytes, "The benchmark"), files: new Map() };
  }
  if (type === "multipart/form-data") return { ...common, ...await readMultipart(ctx.request) };
  if (type === "text/uri-list" || type === "application/java-serialized-object") {
    throw new HttpError(501, `Uploads as '${type}' are not supported: send the YAML source`);
  }
  throw new HttpError(
    406,
    `Unsupported content type '${
      type || "(none)"
    }': expected '${YAML_TYPE}', '${JSON_TYPE}' or 'multipart/form-data'`,
  );
}

/** `benchmark` is the source; every other file part is a data file named by its file name. */
async function readMultipart(
  request: Request,
): Promise<Pick<BenchmarkUpload, "source" | "files" | "file">> {
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > MAX_UPLOAD_BYTES) {
    throw new HttpError(413, `Request body larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MiB`);
  }
  let form: FormData;
  try {
    // Bounded like other bodies: a stream past the limit is cut off.
    const body = await readBody(request, MAX_UPLOAD_BYTES);
    form = await new Response(bytesBody(body), { headers: request.headers }).formData();
  } catch (e) {
    if (e instanceof HttpError) throw e;
    throw new HttpError(400, `Cannot read the multipart body: ${(e as Error).message}`);
  }
  let source: string | undefined;
  let file: string | undefined;
  const files = new Map<string, Uint8Array>();
  for (const [field, value] of form) {
    const bytes = typeof value === "string"
      ? new TextEncoder().encode(value)
      : new Uint8Array(await value.arrayBuffer());
    if (field === "benchmark") {
      source = decodeUtf8(bytes, "The 'benchmark' part");
      if (typeof value !== "string" && value.name) file = value.name;
    } else {
      const name = typeof value === "string" ? field : value.name || field;
      files.set(name, bytes);
    }
  }
  if (source === undefined) {
    throw new HttpError(400, "Multi-part definition missing benchmark=source-file.yaml");
  }
  return { source, files, file };
}

/** The model for `/structure`: long lists cut to `max` items, data files as their sizes. */
function structure(benchmark: Benchmark, max: number): unknown {
  const cut = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      const items = v.slice(0, max).map(cut);
      if (v.length > max) items.push(`… ${v.length - max} more`);
      return items;
    }
    if (typeof v === "object" && v !== null) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cut(x)]));
    }
    return v;
  };
  const files = Object.fromEntries(
    Object.entries(benchmark.files).map(([n, b64]) => [n, `${decodeBase64(b64).length} bytes`]),
  );
  return cut({ ...benchmark, files });
}

export interface BenchmarkRoutesOptions {
  store: BenchmarkStore;
  registry: RunRegistry;
  log: (message: string) => void;
}

/** The `/benchmark` and `/template` routes. */
export function benchmarkRoutes({ store, registry, log }: BenchmarkRoutesOptions): Route[] {
  const stored = async (name: string) => {
    const b = await store.get(name);
    if (b === undefined) throw new HttpError(404, `Benchmark '${name}' is not defined`);
    return b;
  };
  return [
    {
      path: "/benchmark",
      methods: {
        GET: async () => jsonResponse(await store.list(false)),
        POST: async (ctx) => {
          const saved = await store.save(await readUpload(ctx));
          log(`Benchmark '${saved.name}' uploaded${saved.template ? " (a template)" : ""}`);
          return emptyResponse(204, {
            location: `/benchmark/${encodeURIComponent(saved.name)}`,
            etag: saved.version,
          });
        },
      },
    },
    { path: "/template", methods: { GET: async () => jsonResponse(await store.list(true)) } },
    {
      path: "/benchmark/{name}",
      methods: {
        GET: async (ctx) => {
          const b = await stored(ctx.params.name);
          const type = negotiate(ctx.request, [YAML_TYPE, JSON_TYPE, "application/x-yaml"]);
          if (type === JSON_TYPE) {
            const { benchmark } = await store.load(b.name, templateParams(ctx.url));
            return jsonResponse(benchmark, 200, { etag: b.version });
          }
          return new Response(b.source, {
            headers: { "content-type": `${type}; charset=UTF-8`, etag: b.version },
          });
        },
        DELETE: async (ctx) => {
          if (!await store.remove(ctx.params.name)) {
            throw new HttpError(404, `Benchmark '${ctx.params.name}' is not defined`);
          }
          log(`Benchmark '${ctx.params.name}' deleted`);
          return emptyResponse(204);
        },
      },
    },
    {
      path: "/benchmark/{name}/files",
      methods: {
        GET: async (ctx) => {
          const b = await stored(ctx.params.name);
          const form = new FormData();
          for (const [name, data] of b.files) {
            form.append("file", new File([bytesBody(data) as Uint8Array<ArrayBuffer>], name));
          }
          // The Response serialises the form as multipart/form-data with its boundary.
          return new Response(form);
        },
      },
    },
    {
      path: "/benchmark/{name}/structure",
      methods: {
        GET: async (ctx) => {
          const max = intParam(ctx.url, "maxCollectionSize", 20, 1);
          const { benchmark } = await store.load(ctx.params.name, templateParams(ctx.url));
          return jsonResponse(structure(benchmark, max));
        },
      },
    },
    {
      path: "/benchmark/{name}/start",
      methods: {
        GET: async (ctx) => {
          const name = ctx.params.name;
          const { benchmark, stored } = await store.load(name, templateParams(ctx.url));
          const description = ctx.url.searchParams.get("desc") ?? undefined;
          const runId = ctx.url.searchParams.get("runId") ?? undefined;
          const trigger = ctx.request.headers.get("x-trigger-job");
          if (benchmark.triggerUrl !== undefined && trigger === null && runId === undefined) {
            const id = await registry.request(benchmark.name, description);
            const sep = benchmark.triggerUrl.includes("?")
              ? (/[?&]$/.test(benchmark.triggerUrl) ? "" : "&")
              : "?";
            return new Response("This benchmark is started through a CI job (triggerUrl)\n", {
              status: 301,
              headers: {
                location: `${benchmark.triggerUrl}${sep}BENCHMARK=${
                  encodeURIComponent(name)
                }&RUN_ID=${id}`,
                "x-run-id": id,
              },
            });
          }
          const run = await registry.start({
            benchmark,
            source: stored.source,
            description,
            runId,
          });
          return jsonResponse(await registry.runJson(run, false), 202, {
            location: `/run/${run.id}`,
          });
        },
      },
    },
  ];
}
