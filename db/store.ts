/**
 * The Store: the one door to the database. Typed idempotent upserts on each
 * table's key, paged reads in key order, deletes, migrations and the ledger.
 * Adapters: PGlite (embedded, default) and Postgres (DATABASE_URL).
 */
import type { Ledger } from "./ledger.ts";
import type { TableSpec } from "./table.ts";

type Scalar = string | number | boolean | null;

/** A filter on one column: equality, membership, a range or null-ness. */
export type Condition =
  | Scalar
  | { in: readonly Scalar[] }
  | { gte?: Scalar; gt?: Scalar; lte?: Scalar; lt?: Scalar }
  | { isNull: boolean };

export type Where<Row> = { [K in keyof Row]?: Condition };

export interface ReadQuery<Row> {
  where?: Where<Row>;
  /** Columns to return; all declared columns by default. */
  columns?: (keyof Row & string)[];
  /** Rows per page (PostgREST caps a response at 1,000; SQL adapters go larger). */
  pageSize?: number;
}

export interface UpsertOptions<Row> {
  /** Rows per statement (default 5,000). */
  chunkSize?: number;
  /**
   * Write only these columns (plus the key); others keep their stored values.
   * Rows that may be new must still carry every NOT NULL column.
   */
  columns?: (keyof Row & string)[];
  /** Columns set when a row is inserted and left alone when it exists (e.g. first_seen). */
  keepOnConflict?: (keyof Row & string)[];
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

export interface Store {
  readonly dialect: "pglite" | "postgres" | "supabase";
  readonly ledger: Ledger;
  /** Applies pending migrations in order; returns the names applied now. */
  migrate(): Promise<string[]>;
  migrationStatus(): Promise<MigrationStatus>;
  /** Inserts or updates rows on the table's key; returns the number of distinct rows sent. */
  upsert<Row extends object>(
    table: TableSpec<Row>,
    rows: readonly Row[],
    options?: UpsertOptions<Row>,
  ): Promise<number>;
  /** Pages through every matching row in key order. */
  read<Row extends object>(table: TableSpec<Row>, query?: ReadQuery<Row>): AsyncIterable<Row[]>;
  /** All matching rows (paged underneath). */
  readAll<Row extends object>(table: TableSpec<Row>, query?: ReadQuery<Row>): Promise<Row[]>;
  /** Sets `values` on matching rows; returns how many. An empty `where` is refused. */
  update<Row extends object>(
    table: TableSpec<Row>,
    where: Where<Row>,
    values: Partial<Row>,
  ): Promise<number>;
  /** Deletes matching rows; returns how many. An empty `where` is refused. */
  delete<Row extends object>(table: TableSpec<Row>, where: Where<Row>): Promise<number>;
  /**
   * Runs one SQL statement in a read-only transaction (the CLI's `sql`
   * command, verification queries). SQL adapters only.
   */
  readOnlyQuery(text: string): Promise<Record<string, unknown>[]>;
  /** Throws when the database does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
