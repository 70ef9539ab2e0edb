/**
 * Values between the Store's rows and PostgREST's JSON. Writes are checked
 * with the same rules as the SQL adapters (encodeValue) and sent as natural
 * JSON (numbers, booleans, arrays, objects) for PostgREST to cast; reads come
 * back as Postgres renders JSON and are normalised to what SqlStore returns
 * (timestamptz as ISO-8601 UTC, numerics as numbers).
 */
import { encodeValue } from "../encode.ts";
import type { ColumnType, TableSpec } from "../table.ts";

type Columns = Record<string, ColumnType>;

export function columnTypes<Row extends object>(table: TableSpec<Row>): Columns {
  return table.columns as Columns;
}

/** One value as JSON for a column of `type`; throws like the SQL adapters on a bad value. */
export function toJson(value: unknown, type: ColumnType, column: string): unknown {
  const text = encodeValue(value, type, column);
  if (text === null) return null;
  switch (type) {
    case "numeric":
    case "double precision":
    case "integer":
    case "bigint":
      return Number(text);
    case "boolean":
      return value;
    case "jsonb":
      return value;
    case "text[]":
      return (value as unknown[]).map((v) => (v === null || v === undefined ? null : String(v)));
    default:
      return text;
  }
}

/** The JSON object for `row`, with exactly `columns` (missing values as null). */
export function encodeRow<Row extends object>(
  table: TableSpec<Row>,
  row: object,
  columns: readonly string[],
): Record<string, unknown> {
  const types = columnTypes(table);
  const record = row as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const column of columns) {
    const type = types[column];
    if (!type) throw new Error(`table ${table.name} has no column "${column}"`);
    out[column] = toJson(record[column], type, column);
  }
  return out;
}

/** A value read back, in the form SqlStore's parsers give. */
function fromJson(value: unknown, type: ColumnType | undefined): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case "timestamptz":
      return new Date(value as string).toISOString();
    case "numeric":
    case "double precision":
    case "integer":
    case "bigint":
      // Postgres renders numerics as JSON numbers; NaN/Infinity arrive as strings.
      return typeof value === "number" ? value : Number(value);
    default:
      return value;
  }
}

export function decodeRow<Row extends object>(
  table: TableSpec<Row>,
  row: Record<string, unknown>,
): Row {
  const types = columnTypes(table);
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) out[column] = fromJson(value, types[column]);
  return out as Row;
}

/** A canonical text for a key value, equal for equal values whichever side they came from. */
export function keyText(value: unknown, type: ColumnType | undefined, column: string): string {
  if (value === null || value === undefined) return "\u0000null";
  if (type === "timestamptz") return new Date(value as string).toISOString();
  return encodeValue(value, type ?? "text", column) ?? "\u0000null";
}

/** The canonical identity of a row's key. */
export function rowKey<Row extends object>(table: TableSpec<Row>, row: object): string {
  const types = columnTypes(table);
  const record = row as Record<string, unknown>;
  return JSON.stringify(
    (table.key as readonly string[]).map((k) => keyText(record[k], types[k], k)),
  );
}
