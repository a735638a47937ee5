/**
 * Headless Chromium (Debian's `chromium`, installed by .ci/run) opening a
 * local file: a screenshot, or the DOM after load plus what the page sent to
 * the console. Each call is its own process with its own profile, killed
 * after a time limit. Only file:// pages, and background networking is off.
 */
import { inflateSync } from "node:zlib";

/** The chromium binary on PATH, or undefined. */
export function chromiumPath(): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if (Deno.statSync(`${dir}/chromium`).isFile) return `${dir}/chromium`;
    } catch { /* not here */ }
  }
  return undefined;
}

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--no-first-run",
  "--hide-scrollbars",
];

async function chromium(binary: string, args: string[], timeoutMs: number) {
  const profile = await Deno.makeTempDir({ prefix: "hf-chromium-" });
  try {
    const out = await new Deno.Command(binary, {
      args: [...FLAGS, `--user-data-dir=${profile}`, ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      // Kills chromium (SIGTERM) if it hangs.
      signal: AbortSignal.timeout(timeoutMs),
    }).output();
    const dec = new TextDecoder();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  } finally {
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}

/** Screenshot of `file` at `width`×`height` as PNG bytes. */
export async function screenshot(
  binary: string,
  file: string,
  width: number,
  height: number,
  timeoutMs = 20_000,
): Promise<Uint8Array> {
  const png = `${file}.png`;
  const r = await chromium(
    binary,
    [`--screenshot=${png}`, `--window-size=${width},${height}`, `file://${file}`],
    timeoutMs,
  );
  if (r.code !== 0) throw new Error(`chromium exited ${r.code}:\n${r.stderr}`);
  return await Deno.readFile(png);
}

export interface LoadedPage {
  /** The DOM after the load event, serialised. */
  dom: string;
  /**
   * Every console message and uncaught exception. With `--enable-logging=stderr
   * --v=0` Chromium logs each as a `:CONSOLE` line (its level is not shown);
   * the report itself writes nothing to the console, so any line is a problem.
   */
  console: string[];
}

/** Loads `file` and returns its DOM after load and its console lines. */
export async function loadPage(binary: string, file: string, timeoutMs = 20_000) {
  const r = await chromium(
    binary,
    ["--enable-logging=stderr", "--v=0", "--dump-dom", `file://${file}`],
    timeoutMs,
  );
  if (r.code !== 0) throw new Error(`chromium exited ${r.code}:\n${r.stderr}`);
  const console = r.stderr.split("\n").filter((l) => /:CONSOLE[:(\]]/.test(l));
  return { dom: r.stdout, console } satisfies LoadedPage;
}

export interface DecodedPng {
  width: number;
  height: number;
  /** RGBA or RGB bytes per pixel. */
  channels: number;
  /** Unfiltered pixel rows, `width * channels` bytes each. */
  pixels: Uint8Array;
}

/** Decodes an 8-bit RGB/RGBA, non-interlaced PNG (what Chromium writes). */
export function decodePng(bytes: Uint8Array): DecodedPng {
  const sig = [137, 80, 78, 71, 13, 10, 26, 10];
  if (!sig.every((b, i) => bytes[i] === b)) throw new Error("Not a PNG: bad signature");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0, height = 0, channels = 0;
  const idat: Uint8Array[] = [];
  for (let at = 8; at < bytes.length;) {
    const len = view.getUint32(at);
    const type = new TextDecoder().decode(bytes.subarray(at + 4, at + 8));
    const data = bytes.subarray(at + 8, at + 8 + len);
    if (type === "IHDR") {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      const depth = data[8], color = data[9], interlace = data[12];
      if (depth !== 8 || (color !== 2 && color !== 6) || interlace !== 0) {
        throw new Error(
          `Unsupported PNG: depth ${depth}, color type ${color}, interlace ${interlace}`,
        );
      }
      channels = color === 6 ? 4 : 3;
    } else if (type === "IDAT") idat.push(data);
    at += 12 + len;
  }
  const raw = inflateSync(concat(idat));
  const stride = width * channels;
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = pixels.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? row[i - channels] : 0;
      const b = up[i];
      const c = i >= channels ? up[i - channels] : 0;
      row[i] = (src[i] + predict(filter, a, b, c)) & 0xff;
    }
  }
  return { width, height, channels, pixels };
}

function predict(filter: number, a: number, b: number, c: number): number {
  switch (filter) {
    case 0:
      return 0;
    case 1:
      return a;
    case 2:
      return b;
    case 3:
      return (a + b) >> 1;
    case 4: {
      const p = a + b - c;
      const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
    default:
      throw new Error(`Bad PNG filter type ${filter}`);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
