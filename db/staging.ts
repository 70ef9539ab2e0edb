/**
 * Staged partition writes, the parts every adapter shares. A run's rows wait, invisible to
 * readers, until one call of a publish function in the database makes them visible in a
 * single transaction:
 * - the SQL adapters (migration 0032) stage each table's rows in a typed stage table of the
 *   run's own, loaded with COPY (`fintra_stage_open`), and publish with `fintra_publish_typed`;
 * - the Supabase adapter (migration 0031), which has no COPY over REST, stages rows as JSON
 *   in `fintra_staged_rows`, keyed by the run and the row's key, and publishes with
 *   `fintra_publish_staged` as an RPC.
 * Both take the same arguments (`publishArguments`), keep the same contract and store the
 * same rows.
 */
import { encodeRow, keyText, rowKey } from "./adapters/supabase-codec.ts";
import { encodeValue } from "./encode.ts";
import type { Condition, PublishOptions, PublishResult, Where } from "./store.ts";
import type { ColumnType, TableSpec } from "./table.ts";

export const STAGED_ROWS = "fintra_staged_rows";
export const PUBLISH_FUNCTION = "fintra_publish_staged";
export const STAGE_OPEN_FUNCTION = "fintra_stage_open";
export const PUBLISH_TYPED_FUNCTION = "fintra_publish_typed";

/**
 * A function giving each row a text equal for two rows exactly when their `rowKey`s are
 * equal (the same canonical key values), without building JSON: the values' `keyText`s
 * joined by NUL when none is empty or holds a NUL (the common case, never starting with
 * NUL), else each length-prefixed after a leading NUL, so the parts cannot run into each
 * other and the two forms never meet.
 */
export function rowKeyOf<Row extends object>(table: TableSpec<Row>): (row: Row) => string {
  const types = table.columns as Record<string, ColumnType>;
  const columns = table.key as readonly string[];
  const texts = columns.map((column) => {
    const type = types[column];
    const plain = type === "text" || type === "date";
    return (value: unknown) =>
      plain && typeof value === "string" ? value : keyText(value, type, column);
  });
  const prefixed = (parts: string[]) => `\u0000${parts.map((p) => `${p.length}:${p}`).join("")}`;
  return (row) => {
    const record = row as Record<string, unknown>;
    const parts: string[] = [];
    let plain = true;
    for (let i = 0; i < columns.length; i++) {
      const text = (texts[i] as (value: unknown) => string)(record[columns[i] as string]);
      if (text === "" || text.includes("\u0000")) plain = false;
      parts.push(text);
    }
    return plain ? parts.join("\u0000") : prefixed(parts);
  };
}

/** The rows a stage writes: the last row per key (`rowKey`), as `stagedRows` keeps them. */
export function uniqueByRowKey<Row extends object>(
  table: TableSpec<Row>,
  runId: string,
  rows: readonly Row[],
): Row[] {
  if (!runId) throw new Error(`stage into ${table.name}: a run id is required`);
  const keyOf = rowKeyOf(table);
  const byKey = new Map<string, Row>();
  for (const row of rows) byKey.set(keyOf(row), row);
  return byKey.size === rows.length ? [...rows] : [...byKey.values()];
}

/** One staging row: the row as natural JSON (what jsonb_populate_record reads) and its key. */
interface StagedRow {
  run_id: string;
  table_name: string;
  row_key: string;
  row: Record<string, unknown>;
}

/** The staging rows for `rows`, last row winning per key (one statement cannot touch a key twice). */
export function stagedRows<Row extends object>(
  table: TableSpec<Row>,
  runId: string,
  rows: readonly Row[],
): StagedRow[] {
  if (!runId) throw new Error(`stage into ${table.name}: a run id is required`);
  const columns = Object.keys(table.columns);
  const byKey = new Map<string, StagedRow>();
  for (const row of rows) {
    const key = rowKey(table, row);
    byKey.set(key, {
      run_id: runId,
      table_name: table.name,
      row_key: key,
      row: encodeRow(table, row, columns),
    });
  }
  return [...byKey.values()];
}

type FilterOp = "eq" | "gt" | "gte" | "lt" | "lte" | "in" | "null";

/** A Store filter as the publish function's `p_replace`: values as text, cast in SQL. */
function replaceFilter<Row extends object>(
  table: TableSpec<Row>,
  where: Where<Row>,
): Record<string, Partial<Record<FilterOp, unknown>>> {
  const types = table.columns as Record<string, ColumnType>;
  const out: Record<string, Partial<Record<FilterOp, unknown>>> = {};
  for (const [column, condition] of Object.entries(where) as [string, Condition | undefined][]) {
    if (condition === undefined) continue;
    const type = types[column];
    if (!type) throw new Error(`table ${table.name} has no column "${column}"`);
    const text = (value: unknown) => encodeValue(value, type, column);
    if (condition === null) out[column] = { null: true };
    else if (typeof condition !== "object") out[column] = { eq: text(condition) };
    else if ("in" in condition) out[column] = { in: condition.in.map(text) };
    else if ("isNull" in condition) out[column] = { null: condition.isNull };
    else {
      const ops: Partial<Record<FilterOp, unknown>> = {};
      for (const op of ["gt", "gte", "lt", "lte"] as const) {
        if (condition[op] !== undefined) ops[op] = text(condition[op]);
      }
      out[column] = ops;
    }
  }
  if (Object.keys(out).length === 0) {
    throw new Error(`refusing to replace every row of ${table.name}: give the partition's filter`);
  }
  return out;
}

/** The publish function's named arguments. */
export function publishArguments<Row extends object>(
  table: TableSpec<Row>,
  options: PublishOptions<Row>,
) {
  if (!Number.isInteger(options.staged) || options.staged < 0) {
    throw new Error(`publish into ${table.name}: invalid staged count ${options.staged}`);
  }
  const key = table.key as readonly string[];
  const columns = options.columns
    ? [...new Set([...key, ...(options.columns as string[])])]
    : Object.keys(table.columns);
  return {
    p_run_id: options.runId,
    p_table: table.name,
    p_columns: columns,
    p_staged: options.staged,
    p_replace: options.replace ? replaceFilter(table, options.replace) : null,
  };
}

/** The function's answer as the Store returns it. */
export function publishResult(value: unknown): PublishResult {
  const result = (typeof value === "string" ? JSON.parse(value) : value) as Record<string, unknown>;
  return { written: Number(result?.written ?? 0), removed: Number(result?.removed ?? 0) };
}
