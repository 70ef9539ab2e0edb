/**
 * Encoding JS values as the text Postgres casts from. Small upserts send every column as
 * a text[] and cast it in SQL (one unnest per chunk); large ones and stages send the same
 * text as COPY data, so both paths hand each column's input function the same text and
 * store the same values, with no per-driver type plumbing.
 */
import type { ColumnType, TableSpec } from "./table.ts";

/** An element of a Postgres array literal, quoted so any text survives. */
function arrayElement(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  return `"${String(value).replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

/** The text form of `value` for a column of `type`; null for missing or non-finite numbers. */
export function encodeValue(value: unknown, type: ColumnType, column: string): string | null {
  if (value === null || value === undefined) return null;
  switch (type) {
    case "numeric":
    case "double precision":
    case "integer":
    case "bigint": {
      const n = typeof value === "number" ? value : Number(value);
      if (typeof value === "string" && value.trim() === "") return null;
      if (!Number.isFinite(n)) return null;
      if ((type === "integer" || type === "bigint") && !Number.isInteger(n)) {
        throw new TypeError(`column ${column} (${type}) got a non-integer: ${value}`);
      }
      return String(n);
    }
    case "boolean":
      if (typeof value !== "boolean")
        throw new TypeError(`column ${column} (boolean) got ${typeof value}`);
      return value ? "true" : "false";
    case "date":
      if (value instanceof Date) return value.toISOString().slice(0, 10);
      return String(value);
    case "timestamptz":
      return value instanceof Date ? value.toISOString() : String(value);
    case "jsonb":
      return JSON.stringify(value);
    case "text[]":
      if (!Array.isArray(value))
        throw new TypeError(`column ${column} (text[]) got ${typeof value}`);
      return `{${value.map(arrayElement).join(",")}}`;
    case "text":
      return typeof value === "string" ? value : String(value);
  }
}

/** COPY's text format escapes backslash, tab, newline and carriage return in a cell. */
const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_ESCAPES: Record<string, string> = {
  "\\": "\\\\",
  "\t": "\\t",
  "\n": "\\n",
  "\r": "\\r",
};
const COPY_NULL = "\\N";

const escapeCopy = (text: string): string =>
  COPY_SPECIAL.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c] as string) : text;

/** One cell of COPY's text format: the text `encodeValue` gives, escaped; `\N` for NULL. */
function copyCell(value: unknown, type: ColumnType, column: string): string {
  const text = encodeValue(value, type, column);
  return text === null ? COPY_NULL : escapeCopy(text);
}

/**
 * `copyCell` for one column, with the common cases (a finite number in a numeric column, a
 * string in a text or date column) answered without the general path; any other value takes
 * `copyCell`, so every value encodes exactly as `encodeValue` says.
 */
function cellEncoder(type: ColumnType, column: string): (value: unknown) => string {
  const general = (value: unknown) => copyCell(value, type, column);
  switch (type) {
    case "numeric":
    case "double precision":
      return (value) =>
        typeof value === "number" && Number.isFinite(value) ? String(value) : general(value);
    case "integer":
    case "bigint":
      return (value) =>
        typeof value === "number" && Number.isInteger(value) ? String(value) : general(value);
    case "text":
    case "date":
      return (value) => (typeof value === "string" ? escapeCopy(value) : general(value));
    default:
      return general;
  }
}

/** Bytes per chunk of COPY data: large enough to amortise a write, small enough to stream. */
const COPY_CHUNK_BYTES = 1 << 20;

/**
 * `rows` as COPY text-format data for `columns`, UTF-8 in chunks of about 1 MB. Each cell is
 * the text an unnest upsert would cast, so COPY stores the same values. Written straight into
 * buffers (ASCII by a plain loop): building the text as strings first costs twice the time,
 * most of it in garbage collection.
 */
export function copyLines<Row extends object>(
  table: TableSpec<Row>,
  columns: readonly string[],
  rows: readonly Row[],
): Uint8Array[] {
  const types = table.columns as Readonly<Record<string, ColumnType>>;
  const plan = columns.map((column) => {
    const type = types[column];
    if (!type) throw new Error(`table ${table.name} has no column "${column}"`);
    return cellEncoder(type, column);
  });
  const last = plan.length - 1;
  const chunks: Uint8Array[] = [];
  let buffer = Buffer.allocUnsafe(COPY_CHUNK_BYTES);
  let at = 0;
  const put = (text: string, end: number) => {
    const length = text.length;
    // UTF-8 takes at most 3 bytes per UTF-16 unit; 1 more for the cell's end.
    if (at + length * 3 + 1 > buffer.length) {
      chunks.push(buffer.subarray(0, at));
      buffer = Buffer.allocUnsafe(Math.max(COPY_CHUNK_BYTES, length * 3 + 1));
      at = 0;
    }
    let i = 0;
    for (; i < length; i++) {
      const code = text.charCodeAt(i);
      if (code > 0x7f) break;
      buffer[at + i] = code;
    }
    at += i < length ? buffer.write(text.slice(i), at + i, "utf8") + i : length;
    buffer[at++] = end;
  };
  for (const row of rows) {
    const record = row as Record<string, unknown>;
    for (let i = 0; i <= last; i++) {
      put(
        (plan[i] as (value: unknown) => string)(record[columns[i] as string]),
        i === last ? 10 : 9,
      );
    }
  }
  if (at > 0) chunks.push(buffer.subarray(0, at));
  return chunks;
}
