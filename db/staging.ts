/**
 * Staged partition writes, the parts every adapter shares (migration 0031): a run's rows
 * wait in `fintra_staged_rows` as JSON, keyed by the run and the row's key, until one call
 * of `fintra_publish_staged` makes them visible in a single transaction. The SQL adapters
 * call the function with SQL, the Supabase adapter as an RPC, so all three publish with the
 * same code in the database.
 */
import { encodeRow, rowKey } from "./adapters/supabase-codec.ts";
import { encodeValue } from "./encode.ts";
import type { Condition, PublishOptions, PublishResult, Where } from "./store.ts";
import type { ColumnType, TableSpec } from "./table.ts";

export const STAGED_ROWS = "fintra_staged_rows";
export const PUBLISH_FUNCTION = "fintra_publish_staged";

/** One staging row: the row as natural JSON (what jsonb_populate_record reads) and its key. */
export interface StagedRow {
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
export function replaceFilter<Row extends object>(
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
