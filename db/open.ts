/**
 * Choosing the database, in one place: DATABASE_URL selects Postgres;
 * otherwise the embedded PGlite in FINTRA_PGLITE_DIR (default .fintra/pglite).
 * `memory` as the PGlite dir gives a throwaway in-memory database.
 */
import { resolve } from "node:path";
import { openPglite } from "./adapters/pglite.ts";
import { openPostgres } from "./adapters/postgres.ts";
import { MIGRATIONS_DIR } from "./migrate.ts";
import { SqlStore } from "./sql-store.ts";
import type { Store } from "./store.ts";

export interface StoreConfig {
  databaseUrl?: string;
  pgliteDir?: string;
  /** Postgres schema to work in (created if missing); tests isolate themselves with it. */
  schema?: string;
  /** Extra migration folders (tests add their own tables). */
  migrationDirs?: string[];
}

export const DEFAULT_PGLITE_DIR = ".fintra/pglite";

export function storeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): StoreConfig {
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    pgliteDir: env.FINTRA_PGLITE_DIR || DEFAULT_PGLITE_DIR,
  };
}

/** A short, secret-free description of where the data lives. */
export function describeStore(config: StoreConfig): string {
  if (config.databaseUrl) {
    const url = new URL(config.databaseUrl);
    return `postgres ${url.hostname}:${url.port || 5432}${url.pathname}`;
  }
  return config.pgliteDir === "memory"
    ? "pglite (in memory)"
    : `pglite ${resolve(config.pgliteDir ?? DEFAULT_PGLITE_DIR)}`;
}

export async function openStore(config: StoreConfig = storeConfigFromEnv()): Promise<Store> {
  const dirs = config.migrationDirs ? [MIGRATIONS_DIR, ...config.migrationDirs] : undefined;
  if (config.databaseUrl) {
    const options = config.schema ? { schema: config.schema } : {};
    return new SqlStore(await openPostgres(config.databaseUrl, options), dirs);
  }
  const dir = config.pgliteDir ?? DEFAULT_PGLITE_DIR;
  return new SqlStore(await openPglite(dir === "memory" ? undefined : dir), dirs);
}
