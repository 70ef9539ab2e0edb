/**
 * Real databases for tests: an in-memory PGlite always, the Postgres at
 * DATABASE_URL when it is set (each store in its own schema, dropped after),
 * and Supabase: the REST adapter talking through supabase-js to the
 * PostgREST emulator over an in-memory PGlite migrated the SQL way.
 */
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { openPglite } from "../../db/adapters/pglite.ts";
import type { SqlExecutor } from "../../db/adapters/sql.ts";
import type { RetryPolicy } from "../../db/adapters/supabase-fetch.ts";
import { SupabaseStore } from "../../db/adapters/supabase-store.ts";
import { openStore, type Store } from "../../db/index.ts";
import { DECISIONS, MATERIALIZATIONS } from "../../db/ledger-rows.ts";
import { MIGRATIONS_DIR } from "../../db/migrate.ts";
import { SqlStore } from "../../db/sql-store.ts";
import { type PostgrestEmulator, postgrestEmulator } from "./postgrest.ts";
import { testRows } from "./test-table.ts";

export const TEST_MIGRATIONS = fileURLToPath(new URL("../fixtures/migrations/", import.meta.url));

export type Backend = "pglite" | "postgres" | "supabase";

/** The backends to run contract tests against. */
export const backends: Backend[] = process.env.DATABASE_URL
  ? ["pglite", "postgres", "supabase"]
  : ["pglite", "supabase"];

/** A key-shaped secret the tests look for in every error and request URL. */
export const TEST_SERVICE_ROLE_KEY = "test-service-role-key-5f3a9c1e7b2d4068";

/** Retries as in production, with waits short enough for tests (Retry-After still honoured). */
export const FAST_RETRY: RetryPolicy = {
  retries: 3,
  minDelayMs: 5,
  maxDelayMs: 20,
  maxRetryAfterMs: 5_000,
};

export interface SupabaseTestStore {
  store: SupabaseStore;
  emulator: PostgrestEmulator;
  /** The database under the emulator, to check rows without going through REST. */
  db: SqlExecutor;
}

/**
 * A SupabaseStore over the emulator, on an in-memory PGlite migrated (core
 * and test migrations) through SqlStore, as `fintra db migrate` with the
 * project's connection string would. close() drops the database.
 */
export async function openSupabaseTestStore(
  options: { retry?: RetryPolicy } = {},
): Promise<SupabaseTestStore> {
  const dirs = [MIGRATIONS_DIR, TEST_MIGRATIONS];
  const db = await openPglite();
  await new SqlStore(db, dirs).migrate();
  const emulator = postgrestEmulator(db, { apiKey: TEST_SERVICE_ROLE_KEY });
  const store = new SupabaseStore({
    url: "http://supabase.test",
    serviceRoleKey: TEST_SERVICE_ROLE_KEY,
    fetch: emulator.fetch,
    retry: options.retry ?? FAST_RETRY,
    migrationDirs: dirs,
  });
  store.close = () => db.close();
  return { store, emulator, db };
}

/** A migrated store with the test tables, in a place no other test shares; close() cleans up. */
export async function openTestStore(backend: Backend = "pglite"): Promise<Store> {
  if (backend === "pglite") {
    const store = await openStore({ pgliteDir: "memory", migrationDirs: [TEST_MIGRATIONS] });
    await store.migrate();
    return store;
  }
  if (backend === "supabase") return (await openSupabaseTestStore()).store;
  const url = process.env.DATABASE_URL as string;
  const schema = `fintra_test_${randomBytes(6).toString("hex")}`;
  const store = await openStore({ databaseUrl: url, schema, migrationDirs: [TEST_MIGRATIONS] });
  await store.migrate();
  const close = store.close.bind(store);
  store.close = async () => {
    await close();
    const sql = postgres(url, { onnotice: () => {} });
    await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await sql.end();
  };
  return store;
}

/**
 * Forgets every run of `assets` (their ledger rows, checks and gate decisions) and the
 * test_rows they wrote: the next test starts from a store that never ran them, without
 * the cost of opening and migrating a new one.
 */
export async function forgetRuns(store: Store, assets: string[]): Promise<void> {
  await store.delete(MATERIALIZATIONS, { asset: { in: assets } });
  await store.delete(DECISIONS, { asset: { in: assets } });
  await store.delete(testRows, { asset: { in: assets } });
}
