/** Data files a benchmark names (CSV rows, item lists, bodies): read at load time and embedded. */
import { encodeBase64 } from "./base64.ts";
import { type LoadCtx, type Shape, str } from "./shape.ts";

/**
 * A file name; the file is read now (relative to the benchmark) and embedded
 * into `Benchmark.files`, so agents on other hosts never need the file.
 */
export function dataFile(): Shape<string> {
  const name = str("a file name");
  return {
    expected: name.expected,
    load(node, ctx, path) {
      const file = name.load(node, ctx, path);
      if (file === undefined) return undefined;
      return readDataFile(ctx, file, node, path) === undefined ? undefined : file;
    },
  };
}

/** Reads and embeds a data file; reports it missing at `at`. */
export function readDataFile(
  ctx: LoadCtx,
  file: string,
  at: { line: number; col: number },
  path: string,
): Uint8Array | undefined {
  const bytes = ctx.readFile(file);
  if (bytes === undefined) {
    ctx.diags.error(
      at,
      path,
      `Data file '${file}' does not exist (looked for ${ctx.describePath(file)})`,
    );
    return undefined;
  }
  ctx.files[file] ??= encodeBase64(bytes);
  return bytes;
}

/** Reads a data file as UTF-8 text. */
export function readDataText(
  ctx: LoadCtx,
  file: string,
  at: { line: number; col: number },
  path: string,
): string | undefined {
  const bytes = readDataFile(ctx, file, at, path);
  return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
}
