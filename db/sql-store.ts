/**
 * The Store written once over a SqlExecutor, shared by the PGlite and
 * Postgres adapters: upserts (COPY into a temporary table and one INSERT per
 * batch from COPY_MIN_ROWS rows, unnest arrays in chunks below), typed stages
 * loaded with COPY (staging.ts), keyset-paged reads, deletes, migrations and
 * the ledger.
 */
import { createHash } from "node:crypto";
import { ident, type SqlExecutor } from "./adapters/sql.ts";
import { copyLines, encodeValue } from "./encode.ts";
import { migrate, migrationStatus } from "./migrate.ts";
import { SqlLedger } from "./sql-ledger.ts";
import {
  PUBLISH_TYPED_FUNCTION,
  publishArguments,
  publishResult,
  STAGE_OPEN_FUNCTION,
  STAGED_ROWS,
  uniqueByRowKey,
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
/**
 * Upserts of at least this many rows go through COPY: below it, the transaction, the
 * temporary table and the COPY cost more than the unnest arrays save.
 */
export const COPY_MIN_ROWS = 1_000;
/** Rows per COPY upsert transaction: bounds the encoded text held in memory. */
const COPY_BATCH = 50_000;
/** Rows per stage COPY: bounds the encoded text held in memory. */
const STAGE_BATCH = 100_000;
/** PGlite publishes between two VACUUMs of the catalogs a stage table touches (`reclaim`). */
const RECLAIM_EVERY = 200;
/** Stage tables remembered per store (run and table); forgotten at publish. */
const STAGE_CACHE = 1_000;

/** Builds `WHERE` text for a filter, appending its parameters to `params`. */
function whereClause<Row extends object>(
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

  private readonly db: SqlExecutor;
  private readonly migrationDirs?: readonly string[];

  constructor(db: SqlExecutor, migrationDirs?: readonly string[]) {
    this.db = db;
    this.migrationDirs = migrationDirs;
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
    for (const column of columns) {
      if (!columnTypes[column]) throw new Error(`table ${table.name} has no column "${column}"`);
    }
    if (unique.length >= COPY_MIN_ROWS) {
      await this.upsertByCopy(table, columns, unique, conflict);
      return unique.length;
    }
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
   * A large upsert: the rows are COPYed into a temporary table of the spec's column types
   * (the casts the unnest path makes) and written with one INSERT ... SELECT in key order
   * (`freshFirst`), in one transaction per batch of COPY_BATCH rows. The same rows stored,
   * in about half the time on Postgres and a third on PGlite. The temporary table lives
   * with the connection, emptied at each commit.
   */
  private async upsertByCopy<Row extends object>(
    table: TableSpec<Row>,
    columns: readonly string[],
    rows: readonly Row[],
    conflict: string,
  ): Promise<void> {
    const types = table.columns as Record<string, ColumnType>;
    const all = Object.keys(types);
    const digest = createHash("sha1")
      .update(JSON.stringify([table.name, all.map((c) => [c, types[c]])]))
      .digest("hex")
      .slice(0, 20);
    const temp = `pg_temp.${ident(`fintra_upsert_${digest}`)}`;
    const ddl = `CREATE TEMP TABLE IF NOT EXISTS ${ident(`fintra_upsert_${digest}`)}
      (${all.map((c) => `${ident(c)} ${types[c]}`).join(", ")}) ON COMMIT DELETE ROWS`;
    const key = (table.key as readonly string[]).map(ident).join(", ");
    const list = columns.map(ident).join(", ");
    const insert = `INSERT INTO ${ident(table.name)} AS t (${list})
      SELECT ${list} FROM ${temp} ORDER BY ${key}`;
    for (let start = 0; start < rows.length; start += COPY_BATCH) {
      const data = copyLines(table, columns, rows.slice(start, start + COPY_BATCH));
      try {
        await this.db.transaction(async (tx) => {
          await tx.exec(ddl);
          await tx.copyFrom(temp, columns, data);
          await tx.exec(freshFirst(insert, `${insert} ON CONFLICT (${key}) ${conflict}`));
        });
      } catch (error) {
        throw new Error(`upsert into ${table.name} failed: ${(error as Error).message}`);
      }
    }
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
    const lead = (query.where as Record<string, Condition> | undefined)?.[key[0] as string];
    if (lead && typeof lead === "object" && "in" in lead) {
      // A list on the key's lead (at most IN_SLICE values: `read` slices longer ones) is read
      // in one statement without LIMIT or a keyset, and handed out in pages. Either of those
      // lets Postgres 15 plan an ordered walk of the whole primary key: on 54M price rows a
      // LIMIT page took 2.4 s and a keyset page 25 s, where the plain read takes 20 ms.
      const params: unknown[] = [];
      const clauses = whereClause(table, query.where, params);
      const rows = await this.db.query<Record<string, unknown>>(
        `SELECT ${selected.map(ident).join(", ")} FROM ${ident(table.name)}
          WHERE ${clauses.join(" AND ")} ORDER BY ${key.map(ident).join(", ")}`,
        params,
      );
      for (let i = 0; i < rows.length; i += pageSize) yield rows.slice(i, i + pageSize) as Row[];
      return;
    }
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

  /**
   * Stages rows into the run's own stage table of `table` (typed as the table, created by
   * the first stage: migration 0032) with one COPY per batch: no JSON, no index, no WAL.
   */
  async stage<Row extends object>(
    table: TableSpec<Row>,
    runId: string,
    rows: readonly Row[],
  ): Promise<number> {
    const unique = uniqueByRowKey(table, runId, rows);
    if (unique.length === 0) return 0;
    const columns = Object.keys(table.columns);
    for (let start = 0; start < unique.length; start += STAGE_BATCH) {
      const data = copyLines(table, columns, unique.slice(start, start + STAGE_BATCH));
      try {
        try {
          await this.db.copyFrom(await this.stageTable(table.name, runId, columns), columns, data);
        } catch (error) {
          // The stage was dropped under us (a publish elsewhere): open it again, once.
          if ((error as { code?: unknown }).code !== "42P01") throw error;
          this.stages.delete(stageKey(runId, table.name));
          await this.db.copyFrom(await this.stageTable(table.name, runId, columns), columns, data);
        }
      } catch (error) {
        throw new Error(`stage into ${table.name} failed: ${(error as Error).message}`);
      }
    }
    return unique.length;
  }

  /** The stage tables this store opened, by run and table. */
  private readonly stages = new Map<string, string>();

  private async stageTable(table: string, runId: string, columns: string[]): Promise<string> {
    const cacheKey = stageKey(runId, table);
    const known = this.stages.get(cacheKey);
    if (known) return known;
    const rows = await this.db.query<{ stage: string }>(
      `SELECT ${ident(STAGE_OPEN_FUNCTION)}($1, $2, $3::text[]) AS stage`,
      [runId, table, columns],
    );
    const stage = rows[0]?.stage as string;
    if (this.stages.size >= STAGE_CACHE) this.stages.clear();
    this.stages.set(cacheKey, stage);
    return stage;
  }

  async publish<Row extends object>(
    table: TableSpec<Row>,
    options: PublishOptions<Row>,
  ): Promise<PublishResult> {
    const args = publishArguments(table, options);
    this.stages.delete(stageKey(options.runId, table.name));
    let rows: { result: unknown }[];
    try {
      rows = await this.db.query<{ result: unknown }>(
        `SELECT ${ident(PUBLISH_TYPED_FUNCTION)}($1, $2, $3::text[], $4::bigint, $5::text::jsonb)::text AS result`,
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
    this.unreclaimed += 1;
    await this.reclaim();
    return publishResult(rows[0]?.result);
  }

  /** PGlite publishes since its last `reclaim`. */
  private unreclaimed = 0;

  /**
   * PGlite runs no autovacuum: each run's stage table, created and dropped, leaves dead rows
   * in the catalogs (about 8 KB a run), and the stage bookkeeping tables leave theirs. Every
   * RECLAIM_EVERY publishes, and when the store closes, VACUUM makes that space reusable so
   * the folder stops growing.
   */
  private async reclaim(force = false): Promise<void> {
    if (this.dialect !== "pglite" || this.unreclaimed === 0) return;
    if (!force && this.unreclaimed < RECLAIM_EVERY) return;
    this.unreclaimed = 0;
    await this.db.exec(
      `VACUUM pg_catalog.pg_class, pg_catalog.pg_attribute, pg_catalog.pg_type,
         pg_catalog.pg_depend, pg_catalog.pg_attrdef, pg_catalog.pg_index,
         ${ident(STAGED_ROWS)}, fintra_stage_tables, fintra_staged_publishes`,
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

  async analyze<Row extends object>(table: TableSpec<Row>): Promise<void> {
    await this.db.exec(`ANALYZE ${ident(table.name)}`);
  }

  async ping(): Promise<void> {
    await this.db.query("SELECT 1");
  }

  async close() {
    try {
      await this.reclaim(true);
    } catch {
      // Space left for the next store to reclaim; closing matters more.
    }
    await this.db.close();
  }
}

/**
 * A plain INSERT, and `upsert` only when a key already exists: fresh keys (a new partition)
 * need no conflict handling, which makes a plain INSERT about a third cheaper. Rows come in
 * key order, so an existing key ends the attempt early. One statement (a DO block): its
 * exception handler is the savepoint.
 */
function freshFirst(insert: string, upsert: string): string {
  return `DO $fintra$ BEGIN ${insert}; EXCEPTION WHEN unique_violation THEN ${upsert}; END $fintra$`;
}

const stageKey = (runId: string, table: string) => `${runId}\u0000${table}`;

/** Keeps the last row per key: a batch may carry the same key twice and Postgres refuses that. */
function dedupeByKey<Row extends object>(rows: readonly Row[], key: readonly string[]): Row[] {
  const byKey = new Map<string, Row>();
  for (const row of rows) {
    const record = row as Record<string, unknown>;
    let text = "";
    for (const k of key) text += keyPart(record[k]);
    byKey.set(text, row);
  }
  return byKey.size === rows.length ? [...rows] : [...byKey.values()];
}

/**
 * One key value as text, equal for two values exactly when their JSON is (what this dedupe
 * compared before): strings length-prefixed, anything else as JSON ended by a NUL, which
 * JSON text never holds; a value whose JSON is a string (a Date) as that string.
 */
function keyPart(value: unknown): string {
  if (typeof value === "string") return `s${value.length}:${value}`;
  const json = JSON.stringify(value ?? null) as string | undefined;
  if (json?.startsWith('"')) return keyPart(JSON.parse(json) as string);
  return `j${json}\u0000`;
}
