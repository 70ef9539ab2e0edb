/**
 * Migrations on Supabase: PostgREST cannot run DDL, so the REST adapter only
 * reads fintra_migrations to report status, and when files are pending it
 * says how to apply them (README "Supabase"). Checksums are compared the
 * same way migrate.ts does, so an edited applied file is still an error.
 */
import { loadMigrations, MIGRATIONS_DIR } from "../migrate.ts";
import type { MigrationStatus } from "../store.ts";
import { defineTable } from "../table.ts";
import { SupabaseRestError } from "./supabase-errors.ts";
import type { Rest } from "./supabase-rest.ts";

export const MIGRATIONS_TABLE = defineTable<{ name: string; checksum: string }>({
  name: "fintra_migrations",
  key: ["name"],
  columns: { name: "text", checksum: "text" },
});

/** PostgREST's "no such table" (schema cache) or Postgres's undefined_table. */
export function isMissingTable(error: unknown): boolean {
  return (
    error instanceof SupabaseRestError && (error.code === "PGRST205" || error.code === "42P01")
  );
}

async function appliedChecksums(rest: Rest): Promise<Map<string, string>> {
  const applied = new Map<string, string>();
  try {
    for await (const page of rest.pages(MIGRATIONS_TABLE)) {
      for (const row of page) applied.set(row.name, row.checksum);
    }
  } catch (error) {
    // No fintra_migrations yet: nothing has been applied through fintra.
    if (!isMissingTable(error)) throw error;
  }
  return applied;
}

export async function supabaseMigrationStatus(
  rest: Rest,
  dirs: readonly string[] = [MIGRATIONS_DIR],
): Promise<MigrationStatus> {
  const files = loadMigrations(dirs);
  const applied = await appliedChecksums(rest);
  for (const file of files) {
    const checksum = applied.get(file.name);
    if (checksum !== undefined && checksum !== file.checksum) {
      throw new Error(
        `migration ${file.name} was edited after it was applied; add a new migration instead`,
      );
    }
  }
  return {
    applied: files.filter((f) => applied.has(f.name)).map((f) => f.name),
    pending: files.filter((f) => !applied.has(f.name)).map((f) => f.name),
  };
}

/** The error `migrate()` throws when files are pending: what is pending and the ways to apply it. */
export function pendingMigrationsError(pending: readonly string[]): Error {
  const shown = pending.length > 6 ? [...pending.slice(0, 6), "…"] : pending;
  return new Error(
    `${pending.length} migration(s) pending on Supabase (${shown.join(", ")}); ` +
      "the REST API cannot run SQL, so apply them with " +
      "`DATABASE_URL=<the project's connection string> npm run fintra -- db migrate` " +
      "(applies them in order and records them in fintra_migrations), " +
      "or run each file in order in the Supabase SQL editor or with " +
      '`psql "$SUPABASE_DB_URL" -v ON_ERROR_STOP=1 -1 -f db/migrations/NNNN_name.sql` ' +
      "and record it in fintra_migrations (README: Supabase)",
  );
}
