/**
 * Migrations: plain .sql files applied in file-name order, each in its own
 * transaction, recorded with a checksum. Re-running applies nothing new; an
 * applied file that was edited afterwards is an error, not a silent skip.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { SqlExecutor } from "./adapters/sql.ts";
import type { MigrationStatus } from "./store.ts";

export const MIGRATIONS_DIR = fileURLToPath(new URL("./migrations/", import.meta.url));

interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

/** Reads every `.sql` file of the directories, ordered by name. */
export function loadMigrations(dirs: readonly string[] = [MIGRATIONS_DIR]): MigrationFile[] {
  const files = dirs.flatMap((dir) =>
    readdirSync(dir)
      .filter((name) => name.endsWith(".sql"))
      .map((name) => {
        const sql = readFileSync(join(dir, name), "utf8");
        return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
      }),
  );
  const names = new Set<string>();
  for (const file of files) {
    if (names.has(file.name)) throw new Error(`duplicate migration name: ${file.name}`);
    names.add(file.name);
  }
  return files.sort((a, b) => a.name.localeCompare(b.name));
}

const LEDGER_DDL = `CREATE TABLE IF NOT EXISTS fintra_migrations (
  name       text PRIMARY KEY,
  checksum   text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

// Any 64-bit constant works; it keeps two processes from migrating at once on Postgres.
const MIGRATION_LOCK = 7_301_946_112;

async function appliedChecksums(db: SqlExecutor): Promise<Map<string, string>> {
  const exists = await db.query<{ present: boolean }>(
    `SELECT to_regclass('fintra_migrations') IS NOT NULL AS present`,
  );
  if (!exists[0]?.present) return new Map();
  const rows = await db.query<{ name: string; checksum: string }>(
    "SELECT name, checksum FROM fintra_migrations",
  );
  return new Map(rows.map((r) => [r.name, r.checksum]));
}

function verify(files: MigrationFile[], applied: Map<string, string>): void {
  for (const file of files) {
    const checksum = applied.get(file.name);
    if (checksum !== undefined && checksum !== file.checksum) {
      throw new Error(
        `migration ${file.name} was edited after it was applied; add a new migration instead`,
      );
    }
  }
}

export async function migrationStatus(
  db: SqlExecutor,
  dirs?: readonly string[],
): Promise<MigrationStatus> {
  const files = loadMigrations(dirs);
  const applied = await appliedChecksums(db);
  return {
    applied: files.filter((f) => applied.has(f.name)).map((f) => f.name),
    pending: files.filter((f) => !applied.has(f.name)).map((f) => f.name),
  };
}

/** Applies the pending migrations; returns their names. */
export async function migrate(db: SqlExecutor, dirs?: readonly string[]): Promise<string[]> {
  const files = loadMigrations(dirs);
  return db.transaction(async (tx) => {
    if (tx.dialect === "postgres") {
      await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    }
    await tx.exec(LEDGER_DDL);
    const applied = await appliedChecksums(tx);
    verify(files, applied);
    const done: string[] = [];
    for (const file of files) {
      if (applied.has(file.name)) continue;
      try {
        await tx.exec(file.sql);
      } catch (error) {
        throw new Error(`migration ${file.name} failed: ${(error as Error).message}`);
      }
      await tx.query("INSERT INTO fintra_migrations (name, checksum) VALUES ($1, $2)", [
        file.name,
        file.checksum,
      ]);
      done.push(file.name);
    }
    return done;
  });
}
