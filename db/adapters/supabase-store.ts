/**
 * The Store over Supabase's REST API (supabase-js), for deployments that
 * expose only SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY.
 *
 * - upsert: chunked POSTs (1,000 rows by default) with on_conflict = the
 *   table's key and merge-duplicates; `columns` sends only those columns.
 *   `keepOnConflict` first reads which keys exist and sends those rows
 *   without the kept columns (two requests, not one statement: a row
 *   inserted by someone else in between gets its kept columns overwritten).
 * - read: keyset pages in key order (see supabase-rest.ts).
 * - update / delete: PATCH / DELETE with the same filters; empty `where` refused.
 * - stage / publish: staged rows are upserted into fintra_staged_rows like any table;
 *   the publish is one RPC of fintra_publish_staged (migration 0031), so it is one
 *   transaction on the server even though REST has no multi-request transactions.
 * - migrate: reports status only; pending files are an error that says how
 *   to apply them. readOnlyQuery: not available (no SQL over REST).
 */
import type { Ledger } from "../ledger.ts";
import {
  PUBLISH_FUNCTION,
  publishArguments,
  publishResult,
  STAGED_ROWS,
  stagedRows,
} from "../staging.ts";
import type {
  MigrationStatus,
  PublishOptions,
  PublishResult,
  ReadQuery,
  Store,
  UpsertOptions,
  Where,
} from "../store.ts";
import type { TableSpec } from "../table.ts";
import { columnTypes, encodeRow, rowKey, toJson } from "./supabase-codec.ts";
import { keyBatches, whereFilters } from "./supabase-filters.ts";
import { SupabaseLedger } from "./supabase-ledger.ts";
import {
  isMissingTable,
  MIGRATIONS_TABLE,
  pendingMigrationsError,
  supabaseMigrationStatus,
} from "./supabase-migrations.ts";
import { applyFilters, Rest, type SupabaseConnection } from "./supabase-rest.ts";

interface SupabaseStoreOptions extends SupabaseConnection {
  /** Migration folders to compare fintra_migrations with (db/migrations by default). */
  migrationDirs?: readonly string[];
}

const DEFAULT_CHUNK = 1_000;
/** JSON per staging request, so a chunk of wide rows stays a few MB. */
const STAGE_REQUEST_CHARS = 2_000_000;
// Filter text per existence check; with the base URL this stays well under 8 KB.
const KEY_CHECK_CHARS = 6_000;

export const NO_SQL_OVER_REST =
  "raw SQL is not available over Supabase's REST API; use DATABASE_URL with the project's connection string";

export class SupabaseStore implements Store {
  readonly dialect = "supabase" as const;
  readonly ledger: Ledger;
  readonly #rest: Rest;
  readonly #migrationDirs: readonly string[] | undefined;

  constructor(options: SupabaseStoreOptions) {
    this.#rest = new Rest(options);
    this.#migrationDirs = options.migrationDirs;
    this.ledger = new SupabaseLedger(this.#rest);
  }

  migrationStatus(): Promise<MigrationStatus> {
    return supabaseMigrationStatus(this.#rest, this.#migrationDirs);
  }

  async migrate(): Promise<string[]> {
    const { pending } = await this.migrationStatus();
    if (pending.length) throw pendingMigrationsError(pending);
    return [];
  }

  async upsert<Row extends object>(
    table: TableSpec<Row>,
    rows: readonly Row[],
    options: UpsertOptions<Row> = {},
  ): Promise<number> {
    if (rows.length === 0) return 0;
    const key = table.key as readonly string[];
    const columns = options.columns
      ? [...new Set([...key, ...(options.columns as string[])])]
      : Object.keys(table.columns);
    const kept = new Set<string>(
      ((options.keepOnConflict ?? []) as string[]).filter((c) => columns.includes(c)),
    );
    const unique = dedupeByKey(table, rows);
    const chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
    for (let start = 0; start < unique.length; start += chunkSize) {
      const chunk = unique.slice(start, start + chunkSize);
      // Encoding first: a bad value fails before anything of this chunk is sent.
      const payload = chunk.map((row) => encodeRow(table, row, columns));
      if (kept.size === 0) {
        await this.post(table, payload, columns);
        continue;
      }
      const existing = await this.existingKeys(table, payload);
      const fresh = payload.filter((row) => !existing.has(rowKey(table, row)));
      const present = payload
        .filter((row) => existing.has(rowKey(table, row)))
        .map((row) => Object.fromEntries(Object.entries(row).filter(([c]) => !kept.has(c))));
      await this.post(table, fresh, columns);
      await this.post(
        table,
        present,
        columns.filter((c) => !kept.has(c)),
      );
    }
    return unique.length;
  }

  /** One upsert request; a payload of key columns only inserts missing rows and leaves the rest. */
  private async post<Row extends object>(
    table: TableSpec<Row>,
    payload: Record<string, unknown>[],
    columns: readonly string[],
  ): Promise<void> {
    if (payload.length === 0) return;
    const key = table.key as readonly string[];
    const updatable = columns.filter((c) => !key.includes(c));
    await this.#rest.run(
      `upsert into ${table.name}`,
      this.#rest
        .from(table.name)
        .upsert(payload, { onConflict: key.join(","), ignoreDuplicates: updatable.length === 0 }),
    );
  }

  /** The keys of `payload` that already have a row, by rowKey. */
  private async existingKeys<Row extends object>(
    table: TableSpec<Row>,
    payload: Record<string, unknown>[],
  ): Promise<Set<string>> {
    const key = table.key as readonly string[];
    const found = new Set<string>();
    const limits = { maxChars: KEY_CHECK_CHARS, maxKeys: this.#rest.maxRows };
    for (const filter of keyBatches(key, payload, limits)) {
      const request = applyFilters(this.#rest.from(table.name).select(key.join(",")), [filter]);
      const { data } = await this.#rest.run(
        `upsert into ${table.name} (reading existing keys)`,
        request.limit(this.#rest.maxRows),
      );
      for (const row of (data ?? []) as unknown as Record<string, unknown>[]) {
        found.add(rowKey(table, row));
      }
    }
    return found;
  }

  read<Row extends object>(
    table: TableSpec<Row>,
    query: ReadQuery<Row> = {},
  ): AsyncIterable<Row[]> {
    return this.#rest.pages(table, query);
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
    const types = columnTypes(table);
    const body: Record<string, unknown> = {};
    for (const [column, value] of Object.entries(values)) {
      const type = types[column];
      if (!type) throw new Error(`table ${table.name} has no column "${column}"`);
      body[column] = toJson(value, type, column);
    }
    if (Object.keys(body).length === 0) return 0;
    const filters = whereFilters(table, where);
    if (filters?.length === 0) throw new Error(`refusing to update every row of ${table.name}`);
    if (!filters) return 0;
    const { count } = await this.#rest.run(
      `update ${table.name}`,
      applyFilters(this.#rest.from(table.name).update(body, { count: "exact" }), filters),
    );
    return count ?? 0;
  }

  async delete<Row extends object>(table: TableSpec<Row>, where: Where<Row>): Promise<number> {
    const filters = whereFilters(table, where);
    if (filters?.length === 0) throw new Error(`refusing to delete every row of ${table.name}`);
    if (!filters) return 0;
    const { count } = await this.#rest.run(
      `delete from ${table.name}`,
      applyFilters(this.#rest.from(table.name).delete({ count: "exact" }), filters),
    );
    return count ?? 0;
  }

  async stage<Row extends object>(
    table: TableSpec<Row>,
    runId: string,
    rows: readonly Row[],
  ): Promise<number> {
    const staged = stagedRows(table, runId, rows);
    let batch: typeof staged = [];
    let chars = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      await this.#rest.run(
        `stage into ${table.name}`,
        this.#rest
          .from(STAGED_ROWS)
          .upsert(batch, { onConflict: "run_id,table_name,row_key", ignoreDuplicates: false }),
      );
      batch = [];
      chars = 0;
    };
    for (const row of staged) {
      batch.push(row);
      // Wide rows (a snapshot is a few KB) go in smaller requests than a table's 1,000.
      chars += JSON.stringify(row.row).length;
      if (batch.length >= DEFAULT_CHUNK || chars >= STAGE_REQUEST_CHARS) await flush();
    }
    await flush();
    return staged.length;
  }

  async publish<Row extends object>(
    table: TableSpec<Row>,
    options: PublishOptions<Row>,
  ): Promise<PublishResult> {
    const { data } = await this.#rest.run(
      `publish into ${table.name}`,
      this.#rest.rpc(PUBLISH_FUNCTION, publishArguments(table, options)),
    );
    return publishResult(data);
  }

  async readOnlyQuery(_text: string): Promise<Record<string, unknown>[]> {
    throw new Error(NO_SQL_OVER_REST);
  }

  async analyze<Row extends object>(_table: TableSpec<Row>): Promise<void> {
    // PostgREST runs no ANALYZE; Supabase's autovacuum keeps the statistics.
  }

  async ping(): Promise<void> {
    try {
      await this.#rest.run(
        "ping Supabase",
        this.#rest.from(MIGRATIONS_TABLE.name).select("name").limit(1),
      );
    } catch (error) {
      // The API answered, only without fintra's tables yet: that is reachable.
      if (!isMissingTable(error)) throw error;
    }
  }

  async close(): Promise<void> {
    // supabase-js holds no connection for REST calls; realtime is never used.
  }
}

/** Keeps the last row per key, as SqlStore does: one statement cannot touch a row twice. */
function dedupeByKey<Row extends object>(table: TableSpec<Row>, rows: readonly Row[]): Row[] {
  const byKey = new Map<string, Row>();
  for (const row of rows) byKey.set(rowKey(table, row), row);
  return byKey.size === rows.length ? [...rows] : [...byKey.values()];
}
