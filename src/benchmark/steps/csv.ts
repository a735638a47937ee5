/**
 * The CSV dialect of `randomCsvRow`, parsed when the benchmark is loaded:
 * fields split by a separator, `"quoted"` fields may hold the separator,
 * doubled quotes and line breaks; optional `#` comment lines.
 */

export interface CsvOptions {
  /** Field separator (default `,`). */
  separator?: string;
  /** Skip lines whose first non-blank character is `#` (default false). */
  skipComments?: boolean;
}

export type CsvResult =
  | { rows: string[][] }
  /** `line` is 1-based in the file. */
  | { error: string; line: number };

/** Parses CSV text into rows of fields (quotes removed). */
export function parseCsv(text: string, options: CsvOptions = {}): CsvResult {
  const sep = options.separator ?? ",";
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const rows: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  let quoteLine = 0;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    if (!quoted && options.skipComments && line.trimStart().startsWith("#")) continue;
    // A quoted field spanning lines keeps the line break.
    if (quoted) field += "\n";
    let maybeClosing = false;
    for (const c of line) {
      if (!quoted) {
        if (c === sep) {
          record.push(field);
          field = "";
        } else if (c === '"') {
          if (field.length !== 0) {
            return {
              error:
                "a quote starts after other characters in a field (check for spaces before the quote)",
              line: n + 1,
            };
          }
          quoted = true;
          quoteLine = n + 1;
        } else {
          field += c;
        }
      } else if (c === '"') {
        // `""` inside quotes is one quote; a single one may close the field.
        if (maybeClosing) field += c;
        maybeClosing = !maybeClosing;
      } else if (maybeClosing) {
        if (c !== sep) {
          return {
            error: `a closing quote is followed by '${c}' instead of the separator '${sep}'`,
            line: n + 1,
          };
        }
        quoted = false;
        maybeClosing = false;
        record.push(field);
        field = "";
      } else {
        field += c;
      }
    }
    if (maybeClosing) quoted = false;
    if (!quoted) {
      record.push(field);
      rows.push(record);
      record = [];
      field = "";
    }
  }
  if (quoted) return { error: "a quoted field is never closed", line: quoteLine };
  return { rows };
}
