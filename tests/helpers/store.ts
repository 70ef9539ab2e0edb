/**
 * Real databases for tests: an in-memory PGlite always, and the Postgres at
 * DATABASE_URL when it is set (each store in its own schema, dropped after).
 */
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { openStore, type Store } from "../../db/index.ts";

export const TEST_MIGRATIONS = fileURLToPath(new URL("../fixtures/migrations/", import.meta.url));

export type Backend = "pglite" | "postgres";

/** The backends to run contract tests against. */
export const backends: Backend[] = process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];

/** A migrated store with the test tables, in a place no other test shares; close() cleans up. */
export async function openTestStore(backend: Backend = "pglite"): Promise<Store> {
  if (backend === "pglite") {
    const store = await openStore({ pgliteDir: "memory", migrationDirs: [TEST_MIGRATIONS] });
    await store.migrate();
    return store;
  }
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
