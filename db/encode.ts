/**
 * Encoding JS values as the text Postgres casts from. Upserts send every
 * column as a text[] and cast it in SQL, which keeps both drivers on the same
 * fast path (one unnest per chunk) with no per-driver type plumbing.
 */
import type { ColumnType } from "./table.ts";

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
