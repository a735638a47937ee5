/**
 * The controller's REST server (Hyperfoil's `ControllerServer`, paths and
 * shapes of openapi.yaml): routing, basic/bearer authentication, errors as
 * plain text with the right status (never a stack trace), and the small
 * endpoints (`/version`, `/openapi`, `/agents`, `/log`, `/token`, `/shutdown`).
 * Benchmarks and runs are persisted under `root`, so a restarted server on
 * the same root finds them all again.
 * @module
 */
import type { CreateExecutor } from "../../agent/agent.ts";
import type { Deployer } from "../../deploy/deployer.ts";
import { encodeBase64 } from "../../benchmark/base64.ts";
import {
  booleanParam,
  bytesBody,
  describeError,
  HttpError,
  intParam,
  jsonResponse,
  type RequestContext,
  TEXT_TYPE,
  textResponse,
  YAML_TYPE,
} from "./_http.ts";
import { benchmarkRoutes } from "./benchmarks.ts";
import { benchmarkStore } from "./benchmark_store.ts";
import { logFile, type LogLevel, readLogRange } from "./log_file.ts";
import { OPENAPI_YAML } from "./openapi_spec.ts";
import { type Route, router } from "./router.ts";
import { formatRunDate } from "./run_json.ts";
import { type RunRegistry, runRegistry } from "./run_registry.ts";
import { runRoutes } from "./runs.ts";

export interface ControllerServerOptions {
  /** Default 127.0.0.1 (loopback unless told otherwise). */
  hostname?: string;
  /** Default 8090; 0 picks a free port. */
  port?: number;
  /**
   * Benchmarks go to `root/benchmark/NAME.yaml` (data files in
   * `root/benchmark/NAME.data/`), runs to `root/run/ID/`, the log to `root/controller.log`.
   */
  root: string;
  /** Basic authentication with any user name (as Hyperfoil); also accepts the `/token` as a bearer token. */
  password?: string;
  /** PEM files; the server speaks HTTPS with them. */
  tls?: { certFile: string; keyFile: string };
  version: string;
  /**
   * Chooses the deployer for a benchmark with an `agents:` section; called once
   * per run, closed when the run ends. Without it such a benchmark fails to
   * start with 409 and the reason.
   */
  remoteDeployer?: () => Deployer;
  /** The in-process engine for benchmarks without agents. */
  createExecutor?: CreateExecutor;
  /** Every line of the controller log, as it is written. */
  onLog?: (entry: { agent?: string; level: string; message: string }) => void;
}

export interface ControllerServer {
  readonly url: string;
  readonly port: number;
  /** Kills a run under way (it is still written), stops listening; idempotent. */
  shutdown(): Promise<void>;
  /** Resolves when `/shutdown` was called or `shutdown()` finished. */
  readonly finished: Promise<void>;
}

function randomToken(bytes: number): string {
  return encodeBase64(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** Compares without stopping at the first difference (the length may leak; the content does not). */
function sameText(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a), y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** The password of a `Basic` header (any user name); undefined when malformed. */
function basicPassword(header: string): string | undefined {
  try {
    const binary = atob(header.slice("basic ".length).trim());
    const text = new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    const colon = text.indexOf(":");
    return colon < 0 ? undefined : text.slice(colon + 1);
  } catch {
    return undefined;
  }
}

function authorized(request: Request, password: string, token: string): boolean {
  const header = request.headers.get("authorization") ?? "";
  if (/^basic /i.test(header)) {
    const given = basicPassword(header);
    return given !== undefined && sameText(given, password);
  }
  if (/^bearer /i.test(header)) return sameText(header.slice("bearer ".length).trim(), token);
  return false;
}

function urlHost(hostname: string): string {
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}

async function readPem(path: string, what: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    throw new Error(`Cannot read the TLS ${what} '${path}': ${describeError(e)}`);
  }
}

interface MiscOptions {
  version: string;
  deploymentId: string;
  token: string;
  logPath: string;
  registry: RunRegistry;
  shutdown: () => void;
}

/** Serves `path` from `offset` (`maxLength` bytes), with `etag`; 412 when `If-Match` names another. */
async function logResponse(ctx: RequestContext, path: string, etag: string, missing: string) {
  const ifMatch = ctx.request.headers.get("if-match");
  if (ifMatch !== null && ifMatch.replace(/^"|"$/g, "") !== etag) {
    throw new HttpError(412, `The log is '${etag}', not '${ifMatch}'`);
  }
  const offset = intParam(ctx.url, "offset", 0, 0);
  const maxLength = intParam(ctx.url, "maxLength", -1);
  const bytes = await readLogRange(path, offset, maxLength);
  if (bytes === undefined) throw new HttpError(404, missing);
  return new Response(bytesBody(bytes), {
    headers: { "content-type": TEXT_TYPE, etag },
  });
}

function miscRoutes(o: MiscOptions): Route[] {
  const noWebCli = () => {
    throw new HttpError(501, "hf has no web CLI: use the hf CLI or this REST API (GET /openapi)");
  };
  return [
    {
      path: "/openapi",
      methods: {
        GET: () => new Response(OPENAPI_YAML, { headers: { "content-type": YAML_TYPE } }),
      },
    },
    {
      path: "/version",
      methods: {
        GET: () =>
          jsonResponse({
            version: o.version,
            commitId: "unknown",
            deploymentId: o.deploymentId,
            serverTime: formatRunDate(Date.now()),
          }),
      },
    },
    {
      path: "/agents",
      methods: {
        GET: async () => {
          const names = new Set<string>();
          for (const run of await o.registry.list()) {
            for (const n of await o.registry.agentNames(run)) names.add(n);
          }
          return jsonResponse([...names]);
        },
      },
    },
    {
      path: "/log",
      methods: {
        GET: (ctx) =>
          logResponse(ctx, o.logPath, o.deploymentId, "The controller log does not exist"),
      },
    },
    {
      path: "/log/{agent}",
      methods: {
        GET: async (ctx) => {
          const agent = ctx.params.agent;
          if (agent === "controller") {
            return logResponse(ctx, o.logPath, o.deploymentId, "The controller log does not exist");
          }
          const runs = await o.registry.list();
          for (const run of runs.reverse()) {
            if (!(await o.registry.agentNames(run)).includes(agent)) continue;
            const file = `${run.dir}/agent.${agent.replace(/[/\\]/g, "_")}.log`;
            return logResponse(
              ctx,
              file,
              `${run.id}/${agent}`,
              `Run ${run.id} kept no log of agent '${agent}'`,
            );
          }
          throw new HttpError(404, `Agent '${agent}' not found`);
        },
      },
    },
    { path: "/token", methods: { GET: () => textResponse(o.token) } },
    {
      path: "/shutdown",
      methods: {
        GET: (ctx) => {
          const force = booleanParam(ctx.url, "force");
          const running = o.registry.running();
          if (running.length > 0 && !force) {
            throw new HttpError(
              403,
              `These runs are still in progress: ${running.map((r) => r.id).join(", ")}`,
            );
          }
          // After this response is on its way: stopping waits for requests under way.
          setTimeout(o.shutdown, 0);
          return textResponse("Shutting down\n");
        },
      },
    },
    { path: "/", methods: { GET: noWebCli } },
    { path: "/web/{path}", methods: { GET: noWebCli } },
  ];
}

/** Starts listening; rejects when the address is taken or the TLS files are unreadable. */
export async function startControllerServer(
  options: ControllerServerOptions,
): Promise<ControllerServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const root = options.root;
  try {
    await Deno.mkdir(root, { recursive: true });
  } catch (e) {
    throw new Error(`Cannot create the root directory '${root}': ${describeError(e)}`);
  }
  const cert = options.tls && await readPem(options.tls.certFile, "certificate");
  const key = options.tls && await readPem(options.tls.keyFile, "key");
  const deploymentId = crypto.randomUUID().slice(0, 8);
  const token = randomToken(48);

  const controllerLog = logFile(`${root}/controller.log`, (e) =>
    options.onLog?.({
      level: "warn",
      message: `Cannot write the controller log '${root}/controller.log': ${describeError(e)}`,
    }));
  const log = (level: LogLevel, message: string, agent?: string) => {
    controllerLog.write(level, message, agent);
    options.onLog?.({ agent, level, message });
  };

  const store = benchmarkStore(root);
  const registry = runRegistry({
    root,
    version: options.version,
    createExecutor: options.createExecutor,
    remoteDeployer: options.remoteDeployer,
    log,
  });

  let resolveFinished!: () => void;
  const finished = new Promise<void>((r) => (resolveFinished = r));
  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    stopping ??= (async () => {
      try {
        await registry.shutdown();
        await server.shutdown();
        log("info", "Controller stopped");
        await controllerLog.flush();
      } catch (e) {
        // Stopping must end; what failed is reported, not thrown at a caller that may not wait.
        options.onLog?.({ level: "error", message: `Stopping failed: ${describeError(e)}` });
      } finally {
        resolveFinished();
      }
    })();

  const match = router([
    ...benchmarkRoutes({ store, registry, log: (m) => log("info", m) }),
    ...runRoutes(registry),
    ...miscRoutes({
      version: options.version,
      deploymentId,
      token,
      logPath: controllerLog.path,
      registry,
      shutdown: () => void shutdown(),
    }),
  ]);

  const handle = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    try {
      if (options.password !== undefined && !authorized(request, options.password, token)) {
        throw new HttpError(401, "Authentication required", {
          "www-authenticate": 'Basic realm="hf", charset="UTF-8"',
        });
      }
      const m = match(request.method, url.pathname);
      const response = await m.handler({ request, url, params: m.params });
      return m.head
        ? new Response(null, { status: response.status, headers: response.headers })
        : response;
    } catch (e) {
      if (e instanceof HttpError) {
        return textResponse(
          e.message.endsWith("\n") ? e.message : `${e.message}\n`,
          e.status,
          e.headers,
        );
      }
      log("error", `${request.method} ${url.pathname} failed: ${e instanceof Error ? e.stack : e}`);
      return textResponse(`Internal error: ${describeError(e)}\n`, 500);
    }
  };

  const server = Deno.serve({
    hostname,
    port: options.port ?? 8090,
    ...(cert !== undefined && key !== undefined ? { cert, key } : {}),
    onListen: () => {},
    onError: (e) => textResponse(`Internal error: ${describeError(e)}\n`, 500),
  }, handle);
  const port = server.addr.port;
  const url = `${options.tls ? "https" : "http"}://${urlHost(hostname)}:${port}`;
  log("info", `hf controller ${options.version} listening on ${url} (root '${root}')`);
  const loopback = /^(127\.|::1$|localhost$)/.test(hostname);
  if (options.password !== undefined && options.tls === undefined && !loopback) {
    log("warn", "The password travels in clear text without TLS: use --tls-cert and --tls-key");
  }
  return { url, port, shutdown, finished };
}
