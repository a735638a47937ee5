/**
 * Test helpers: a raw TCP server scripted byte by byte, an endpoint factory,
 * a recording `ResponseHandlers`, and throwaway TLS certificates.
 */
import type { HttpEndpoint } from "../../src/benchmark/model.ts";
import {
  type ConnectionWaiter,
  endpointFromUrl,
  type HttpClient,
  type HttpErrorKind,
  type HttpRequest,
  type ResponseHandlers,
} from "../../src/http/mod.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One accepted connection of a `RawServer`, with request reading and paced writing. */
export class ScriptedConn {
  readonly conn: Deno.TcpConn;
  private buffered = new Uint8Array(0);

  constructor(conn: Deno.TcpConn) {
    this.conn = conn;
    conn.setNoDelay(true);
  }

  /** Reads one request (head and content-length body); null when the client closed. */
  async readRequest(): Promise<string | null> {
    for (;;) {
      const text = decoder.decode(this.buffered);
      const end = text.indexOf("\r\n\r\n");
      if (end >= 0) {
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
        const total = encoder.encode(text.slice(0, end + 4)).length + length;
        if (this.buffered.length >= total) {
          const request = decoder.decode(this.buffered.subarray(0, total));
          this.buffered = this.buffered.slice(total);
          return request;
        }
      }
      const chunk = new Uint8Array(65536);
      const n = await this.conn.read(chunk).catch(() => null);
      if (n === null) return null;
      const merged = new Uint8Array(this.buffered.length + n);
      merged.set(this.buffered);
      merged.set(chunk.subarray(0, n), this.buffered.length);
      this.buffered = merged;
    }
  }

  async write(data: string | Uint8Array): Promise<void> {
    let bytes = typeof data === "string" ? encoder.encode(data) : data;
    while (bytes.length > 0) bytes = bytes.subarray(await this.conn.write(bytes));
  }

  /** Writes `data` in pieces of `size` bytes with a pause between them, so reads split. */
  async writeSplit(data: string | Uint8Array, size: number, pauseMs = 2): Promise<void> {
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    for (let i = 0; i < bytes.length; i += size) {
      await this.write(bytes.subarray(i, i + size));
      await delay(pauseMs);
    }
  }

  close(): void {
    try {
      this.conn.close();
    } catch { /* closed */ }
  }
}

/** A TCP server on 127.0.0.1 that runs `script` for each connection. */
export class RawServer {
  readonly port: number;
  /** Connections accepted so far. */
  accepted = 0;
  private readonly listener: Deno.TcpListener;
  private readonly conns = new Set<ScriptedConn>();
  private readonly tasks = new Set<Promise<void>>();
  private readonly loop: Promise<void>;

  constructor(script: (conn: ScriptedConn, index: number) => Promise<void>) {
    this.listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.port = this.listener.addr.port;
    const listener = this.listener;
    this.loop = (async () => {
      for await (const raw of listener) {
        const conn = new ScriptedConn(raw);
        const index = this.accepted++;
        this.conns.add(conn);
        const task = script(conn, index).catch(() => {}).finally(() => {
          conn.close();
          this.conns.delete(conn);
        });
        this.tasks.add(task);
        task.then(() => this.tasks.delete(task));
      }
    })().catch(() => {});
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  async close(): Promise<void> {
    this.listener.close();
    for (const conn of this.conns) conn.close();
    await this.loop;
    await Promise.allSettled([...this.tasks]);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Serves every request on a connection with `respond(request, index)` until the client closes. */
export function respondEach(
  respond: (request: string, index: number) => string | Uint8Array,
): (conn: ScriptedConn) => Promise<void> {
  let count = 0;
  return async (conn) => {
    for (;;) {
      const request = await conn.readRequest();
      if (request === null) return;
      await conn.write(respond(request, count++));
    }
  };
}

/** An endpoint for `url` with `connections` fixed connections and short timeouts. */
export function testEndpoint(url: string, overrides: Partial<HttpEndpoint> = {}): HttpEndpoint {
  return endpointFromUrl(url, { requestTimeout: 5000, sslHandshakeTimeout: 3000, ...overrides });
}

export function fixed(n: number): HttpEndpoint["sharedConnections"] {
  return { core: n, max: n, buffer: 0, keepAliveTime: 0 };
}

/** What one response produced. */
export interface Recorded {
  status: number;
  headers: [string, string][];
  body: Uint8Array;
  text: string;
  sentNs: number;
  doneNs: number;
  rawBytes: number;
  error?: { kind: HttpErrorKind; message: string };
  /** Terminal callbacks seen (complete + error); must be 1. */
  ends: number;
}

/** A `ResponseHandlers` that records everything and resolves when the response ends. */
export class Recorder implements ResponseHandlers {
  readonly result: Recorded = {
    status: 0,
    headers: [],
    body: new Uint8Array(0),
    text: "",
    sentNs: 0,
    doneNs: 0,
    rawBytes: 0,
    ends: 0,
  };
  readonly done: Promise<Recorded>;
  private resolve!: (r: Recorded) => void;
  private chunks: Uint8Array[] = [];

  constructor(private readonly onEnd?: () => void) {
    this.done = new Promise((resolve) => this.resolve = resolve);
  }

  status(code: number): void {
    this.result.status = code;
  }

  header(name: string, value: string): void {
    this.result.headers.push([name, value]);
  }

  body(buf: Uint8Array, start: number, end: number): void {
    this.chunks.push(buf.slice(start, end));
  }

  complete(sentNs: number, doneNs: number, rawBytes: number): void {
    const body = new Uint8Array(this.chunks.reduce((n, c) => n + c.length, 0));
    let offset = 0;
    for (const chunk of this.chunks) {
      body.set(chunk, offset);
      offset += chunk.length;
    }
    Object.assign(this.result, { body, text: decoder.decode(body), sentNs, doneNs, rawBytes });
    this.end();
  }

  error(kind: HttpErrorKind, message: string): void {
    this.result.error = { kind, message };
    this.end();
  }

  private end(): void {
    this.result.ends++;
    this.onEnd?.();
    this.resolve(this.result);
  }
}

/** Sends `req` once a connection is free (waiting if needed) and resolves with what was recorded. */
export function send(client: HttpClient, req: HttpRequest): Promise<Recorded> {
  const recorder = new Recorder();
  const waiter: ConnectionWaiter = {
    connectionAvailable() {
      if (!client.request(req, recorder)) client.wait(waiter);
    },
  };
  waiter.connectionAvailable();
  return recorder.done;
}

/** Throwaway certificates: a CA, a server certificate for `localhost`, a client certificate. */
export interface TestCerts {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A CA that signed nothing here, for trust failures. */
  otherCa: string;
}

let certs: Promise<TestCerts> | undefined;

/** Generates the certificates once per test process with `openssl`. */
export function testCerts(): Promise<TestCerts> {
  return certs ??= generateCerts();
}

async function generateCerts(): Promise<TestCerts> {
  const dir = await Deno.makeTempDir({ prefix: "hf-http-certs-" });
  const openssl = async (...args: string[]) => {
    const out = await new Deno.Command("openssl", {
      args,
      cwd: dir,
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!out.success) throw new Error(`openssl ${args[0]} failed: ${decoder.decode(out.stderr)}`);
  };
  try {
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    await openssl(
      "req",
      "-x509",
      ...ec,
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
      "-days",
      "2",
      "-subj",
      "/CN=hf test CA",
    );
    await openssl(
      "req",
      "-x509",
      ...ec,
      "-keyout",
      "other.key",
      "-out",
      "other.crt",
      "-days",
      "2",
      "-subj",
      "/CN=other CA",
    );
    await Deno.writeTextFile(
      `${dir}/server.ext`,
      "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    );
    await Deno.writeTextFile(
      `${dir}/client.ext`,
      "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n",
    );
    for (const who of ["server", "client"]) {
      await openssl(
        "req",
        ...ec,
        "-keyout",
        `${who}.key`,
        "-out",
        `${who}.csr`,
        "-subj",
        `/CN=hf ${who}`,
      );
      await openssl(
        "x509",
        "-req",
        "-in",
        `${who}.csr`,
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        `${who}.crt`,
        "-days",
        "2",
        "-extfile",
        `${who}.ext`,
      );
    }
    const read = (name: string) => Deno.readTextFile(`${dir}/${name}`);
    return {
      ca: await read("ca.crt"),
      serverCert: await read("server.crt"),
      serverKey: await read("server.key"),
      clientCert: await read("client.crt"),
      clientKey: await read("client.key"),
      otherCa: await read("other.crt"),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
