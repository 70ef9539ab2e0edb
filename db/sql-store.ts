/**
 * The Store written once over a SqlExecutor, shared by the PGlite and
 * Postgres adapters: unnest upserts in chunks, keyset-paged reads, deletes,
 * migrations and the ledger.
 */
import { ident, type SqlExecutor } from "./adapters/sql.ts";
import { encodeValue } from "./encode.ts";
import { migrate, migrationStatus } from "./migrate.ts";
import { SqlLedger } from "./sql-ledger.ts";
import {
  PUBLISH_FUNCTION,
  publishArguments,
  publishResult,
  STAGED_ROWS,
  stagedRows,
} from "./staging.ts";
import type {
  Condition,
  PublishOptions,
  PublishResult,
  ReadQuery,
  Store,
  UpsertOptions,
  Where,
} from "./store.ts";
import type { ColumnType, TableSpec } from "./table.ts";

const DEFAULT_CHUNK = 5_000;
const DEFAULT_PAGE = 10_000;
/** Values of a leading-key `in` list read per slice (see `read`). */
const IN_SLICE = 50;
/** JSON text per staging statement: big enough to amortise a round trip, small enough for PGlite's memory. */
const STAGE_CHUNK_CHARS = 4_000_000;

/** Builds `WHERE` text for a filter, appending its parameters to `params`. */
export function whereClause<Row extends object>(
  table: TableSpec<Row>,
  where: Where<Row> | undefined,
  params: unknown[],
): string[] {
  const clauses: string[] = [];
  for (const [column, condition] of Object.entries(where ?? {}) as [string, Condition][]) {
    const type = (table.columns as Record<string, string>)[column];
    if (!type) throw new Error(`table ${table.name} has no column "${column}"`);
    const col = ident(column);
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (condition === undefined) continue;
    if (condition === null) {
      clauses.push(`${col} IS NULL`);
    } else if (typeof condition !== "object") {
      clauses.push(`${col} = ${param(condition)}::${type}`);
    } else if ("in" in condition) {
      clauses.push(
        `${col} = ANY(${param(condition.in.map((v) => (v === null ? null : String(v))))}::text[]::${type}[])`,
      );
    } else if ("isNull" in condition) {
      clauses.push(`${col} IS ${condition.isNull ? "" : "NOT "}NULL`);
    } else {
      const ops = { gte: ">=", gt: ">", lte: "<=", lt: "<" } as const;
      for (const [op, sqlOp] of Object.entries(ops) as [keyof typeof ops, string][]) {
        const value = condition[op];
        if (value !== undefined) clauses.push(`${col} ${sqlOp} ${param(value)}::${type}`);
      }
    }
  }
  return clauses;
}

export class SqlStore implements Store {
  readonly dialect: "pglite" | "postgres";
  readonly ledger: SqlLedger;

  constructor(
    private readonly db: SqlExecutor,
    private readonly migrationDirs?: readonly string[],
  ) {
    this.dialect = db.dialect;
    this.ledger = new SqlLedger(db);
  }

  migrate() {
    return migrate(this.db, this.migrationDirs);
  }

  migrationStatus() {
    return migrationStatus(this.db, this.migrationDirs);
  }

  async upsert<Row extends object>(
    table: TableSpec<Row>,
    rows: readonly Row[],
    options: UpsertOptions<Row> = {},
  ): Promise<number> {
    if (rows.length === 0) return 0;
    const columnTypes = table.columns as Record<string, TableSpec["columns"][string]>;
    const key = table.key as readonly string[];
    const columns = options.columns
      ? [...new Set([...key, ...(options.columns as string[])])]
      : Object.keys(columnTypes);
    const unique = dedupeByKey(rows, key);
    const chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
    const kept = new Set<string>(options.keepOnConflict ?? []);
    const updatable = columns.filter((c) => !key.includes(c) && !kept.has(c));
    const conflict = updatable.length
      ? `DO UPDATE SET ${updatable.map((c) => `${ident(c)} = EXCLUDED.${ident(c)}`).join(", ")}
         WHERE (${updatable.map((c) => `t.${ident(c)}`).join(", ")}, NULL) IS DISTINCT FROM
               (${updatable.map((c) => `EXCLUDED.${ident(c)}`).join(", ")}, NULL)`
      : "DO NOTHING";
    const text = `INSERT INTO ${ident(table.name)} AS t (${columns.map(ident).join(", ")})
      SELECT ${columns.map((c, i) => `u.c${i}::${columnTypes[c]}`).join(", ")}
      FROM unnest(${columns.map((_, i) => `$${i + 1}::text[]`).join(", ")})
        AS u(${columns.map((_, i) => `c${i}`).join(", ")})
      ON CONFLICT (${key.map(ident).join(", ")}) ${conflict}`;
    for (let start = 0; start < unique.length; start += chunkSize) {
      const chunk = unique.slice(start, start + chunkSize);
      const arrays = columns.map((column) => {
        const type = columnTypes[column];
        if (!type) throw new Error(`table ${table.name} has no column "${column}"`);
        return chunk.map((row) =>
          encodeValue((row as Record<string, unknown>)[column], type, column),
        );
      });
      try {
        await this.db.query(text, arrays);
      } catch (error) {
        throw new Error(`upsert into ${table.name} failed: ${(error as Error).message}`);
      }
    }
    return unique.length;
  }

  /**
   * A long `in` list on the key's leading column is read in slices, in the
   * database's own order: Postgres before 17 cannot walk an index in order
   * across an array of values, so one big list sorts every matching row for
   * each page (seconds per page at a thousand tickers).
   */
  async *read<Row extends object>(
    table: TableSpec<Row>,
    query: ReadQuery<Row> = {},
  ): AsyncIterable<Row[]> {
    const lead = (table.key as readonly string[])[0] as string;
    const condition = (query.where as Record<string, Condition> | undefined)?.[lead];
    if (
      !condition ||
      typeof condition !== "object" ||
      !("in" in condition) ||
      condition.in.length <= IN_SLICE
    ) {
      yield* this.readPages(table, query);
      return;
    }
    const type = (table.columns as Record<string, string>)[lead];
    const ordered = await this.db.query<{ v: unknown }>(
      `SELECT DISTINCT v FROM unnest($1::text[]::${type}[]) AS u(v) WHERE v IS NOT NULL ORDER BY v`,
      [condition.in.map((v) => (v === null ? null : String(v)))],
    );
    const values = ordered.map((r) => r.v as string | number);
    for (let i = 0; i < values.length; i += IN_SLICE) {
      const where = { ...query.where, [lead]: { in: values.slice(i, i + IN_SLICE) } } as Where<Row>;
      yield* this.readPages(table, { ...query, where });
    }
  }

  private async *readPages<Row extends object>(
    table: TableSpec<Row>,
    query: ReadQuery<Row>,
  ): AsyncIterable<Row[]> {
    const key = table.key as readonly string[];
    const wanted = (query.columns as string[] | undefined) ?? Object.keys(table.columns);
    const selected = [...new Set([...wanted, ...key])];
    const pageSize = query.pageSize ?? DEFAULT_PAGE;
    let after: unknown[] | null = null;
    for (;;) {
      const params: unknown[] = [];
      const clauses = whereClause(table, query.where, params);
      if (after) {
        const types = key.map((k) => (table.columns as Record<string, string>)[k]);
        const placeholders = after.map((value, i) => {
          params.push(value);
          return `$${params.length}::${types[i]}`;
        });
        clauses.push(`(${key.map(ident).join(", ")}) > (${placeholders.join(", ")})`);
      }
      params.push(pageSize);
      const text = `SELECT ${selected.map(ident).join(", ")} FROM ${ident(table.name)}
        ${clauses.length ? `WHERE ${clauses.join(" AND ")}` : ""}
        ORDER BY ${key.map(ident).join(", ")} LIMIT $${params.length}`;
      const rows = await this.db.query<Record<string, unknown>>(text, params);
      if (rows.length === 0) return;
      const last = rows[rows.length - 1] as Record<string, unknown>;
      after = key.map((k) => last[k]);
      yield rows as Row[];
      if (rows.length < pageSize) return;
    }
  }

  async readAll<Row extends object>(table: TableSpec<Row>, query?: ReadQuery<Row>): Promise<Row[]> {
    const out: Row[] = [];
    for await (const page of this.read(table, query)) out.push(...page);
    return out;
  }

  async update<Row extends object>(
    table: TableSpec<Row>,
    where: Where<Row>,
    values: Partial<Row>,
  ): Promise<number> {
    const params: unknown[] = [];
    const types = table.columns as Record<string, ColumnType>;
    const sets = Object.entries(values).map(([column, value]) => {
      const type = types[column];
      if (!type) throw new Error(`table ${table.name} has no column "${column}"`);
      params.push(encodeValue(value, type, column));
      return `${ident(column)} = $${params.length}::text::${type}`;
    });
    if (sets.length === 0) return 0;
    const clauses = whereClause(table, where, params);
    if (clauses.length === 0) throw new Error(`refusing to update every row of ${table.name}`);
    const rows = await this.db.query<{ n: number }>(
      `WITH changed AS (UPDATE ${ident(table.name)} SET ${sets.join(", ")}
         WHERE ${clauses.join(" AND ")} RETURNING 1)
       SELECT count(*)::int AS n FROM changed`,
      params,
    );
    return rows[0]?.n ?? 0;
  }

  async delete<Row extends object>(table: TableSpec<Row>, where: Where<Row>): Promise<number> {
    const params: unknown[] = [];
    const clauses = whereClause(table, where, params);
    if (clauses.length === 0) throw new Error(`refusing to delete every row of ${table.name}`);
    const rows = await this.db.query<{ n: number }>(
      `WITH gone AS (DELETE FROM ${ident(table.name)} WHERE ${clauses.join(" AND ")} RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      params,
    );
    return rows[0]?.n ?? 0;
  }

  async stage<Row extends object>(
    table: TableSpec<Row>,
    runId: string,
    rows: readonly Row[],
  ): Promise<number> {
    const staged = stagedRows(table, runId, rows);
    const text = `INSERT INTO ${ident(STAGED_ROWS)} (run_id, table_name, row_key, row)
      SELECT $1, $2, u.k, u.r::jsonb FROM unnest($3::text[], $4::text[]) AS u(k, r)
      ON CONFLICT (run_id, table_name, row_key) DO UPDATE SET row = EXCLUDED.row, staged_at = now()`;
    let keys: string[] = [];
    let values: string[] = [];
    let chars = 0;
    const flush = async () => {
      if (keys.length === 0) return;
      try {
        await this.db.query(text, [runId, table.name, keys, values]);
      } catch (error) {
        throw new Error(`stage into ${table.name} failed: ${(error as Error).message}`);
      }
      keys = [];
      values = [];
      chars = 0;
    };
    for (const row of staged) {
      const json = JSON.stringify(row.row);
      keys.push(row.row_key);
      values.push(json);
      chars += json.length + row.row_key.length;
      if (chars >= STAGE_CHUNK_CHARS) await flush();
    }
    await flush();
    return staged.length;
  }

  async publish<Row extends object>(
    table: TableSpec<Row>,
    options: PublishOptions<Row>,
  ): Promise<PublishResult> {
    const args = publishArguments(table, options);
    let rows: { result: unknown }[];
    try {
      rows = await this.db.query<{ result: unknown }>(
        `SELECT ${ident(PUBLISH_FUNCTION)}($1, $2, $3::text[], $4::bigint, $5::text::jsonb)::text AS result`,
        [
          args.p_run_id,
          args.p_table,
          args.p_columns,
          args.p_staged,
          args.p_replace ? JSON.stringify(args.p_replace) : null,
        ],
      );
    } catch (error) {
      throw new Error(`publish into ${table.name} failed: ${(error as Error).message}`);
    }
    if (this.dialect === "pglite") await this.reclaimStage();
    return publishResult(rows[0]?.result);
  }

  /**
   * PGlite runs no autovacuum, so deleted stages would grow its folder run after run; an
   * empty stage is truncated instead. Check and truncate are one statement: another run on
   * the same connection may stage between two statements.
   */
  private async reclaimStage(): Promise<void> {
    const table = ident(STAGED_ROWS);
    await this.db.exec(
      `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM ${table}) THEN TRUNCATE ${table}; END IF; END $$`,
    );
  }

  /**
   * One statement in a READ ONLY transaction. `query` uses the extended protocol on
   * both backends, so the server itself refuses a text holding a second statement
   * (a COMMIT hidden behind a comment cannot end the read-only transaction).
   */
  async readOnlyQuery(text: string): Promise<Record<string, unknown>[]> {
    try {
      return await this.db.transaction(async (tx) => {
        await tx.query("SET TRANSACTION READ ONLY");
        return tx.query<Record<string, unknown>>(text);
      });
    } catch (error) {
      if (/cannot insert multiple commands into a prepared statement/.test(String(error))) {
        throw new Error("refused: the query holds more than one SQL statement; run one at a time");
      }
      throw error;
    }
  }

  async ping(): Promise<void> {
    await this.db.query("SELECT 1");
  }

  close() {
    return this.db.close();
  }
}

/** Keeps the last row per key: a batch may carry the same key twice and Postgres refuses that. */
function dedupeByKey<Row extends object>(rows: readonly Row[], key: readonly string[]): Row[] {
  const byKey = new Map<string, Row>();
  for (const row of rows) {
    const record = row as Record<string, unknown>;
    byKey.set(JSON.stringify(key.map((k) => record[k] ?? null)), row);
  }
  return byKey.size === rows.length ? [...rows] : [...byKey.values()];
}
