/**
 * The Store: the one door to the database. Typed idempotent upserts on each
 * table's key, paged reads in key order, deletes, migrations and the ledger, and
 * staged writes (stage, then publish in one transaction) for partitions that
 * readers must never see half-written (db/staging.ts).
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
  /**
   * Rows per statement of a small upsert (default 5,000). SQL stores write a batch of 1,000
   * rows or more with COPY, 50,000 rows a transaction, whatever this says.
   */
  chunkSize?: number;
  /**
   * Write only these columns (plus the key); others keep their stored values.
   * Rows that may be new must still carry every NOT NULL column.
   */
  columns?: (keyof Row & string)[];
  /** Columns set when a row is inserted and left alone when it exists (e.g. first_seen). */
  keepOnConflict?: (keyof Row & string)[];
}

/** What a publish did: rows it wrote (the run's staged rows) and rows of the slice it removed. */
export interface PublishResult {
  written: number;
  removed: number;
}

export interface PublishOptions<Row> {
  /** The run whose staged rows are published: the id `stage` was given. */
  runId: string;
  /**
   * How many rows the run staged into this table (the sum its `stage` calls returned). A
   * different count refuses the publish: nothing of a lost or foreign stage becomes visible.
   */
  staged: number;
  /**
   * The slice of the table the run's rows replace: its stored rows that match and that the
   * run did not stage are deleted in the same transaction. null: only upsert. Equality,
   * `in`, ranges and isNull conditions; an empty filter is refused.
   */
  replace: Where<Row> | null;
  /** Columns to write (plus the key), as for `upsert`; all declared columns by default. */
  columns?: (keyof Row & string)[];
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
   * Stages rows of `table` for the run `runId` (its materialization id), invisible to every
   * reader of the table until `publish`. Staging a key again replaces it (a retried step).
   * Returns the number of distinct keys sent.
   */
  stage<Row extends object>(
    table: TableSpec<Row>,
    runId: string,
    rows: readonly Row[],
  ): Promise<number>;
  /**
   * Makes a run's staged rows visible all at once: in one transaction, deletes the
   * `replace` slice's rows the run did not stage, upserts the staged rows and clears the
   * stage (and stages of this table's runs no longer running). Retrying a publish that
   * succeeded returns its first result.
   */
  publish<Row extends object>(
    table: TableSpec<Row>,
    options: PublishOptions<Row>,
  ): Promise<PublishResult>;
  /**
   * Runs one SQL statement in a read-only transaction (the CLI's `sql`
   * command, verification queries). SQL adapters only.
   */
  readOnlyQuery(text: string): Promise<Record<string, unknown>[]>;
  /**
   * Refreshes the planner's statistics of a table after a bulk write (a backfill): without
   * them Postgres guesses, and a guessed plan can walk a 54M-row key for a 50-ticker read.
   * A no-op where the server's autovacuum is the only way (Supabase over REST).
   */
  analyze<Row extends object>(table: TableSpec<Row>): Promise<void>;
  /** Throws when the database does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
