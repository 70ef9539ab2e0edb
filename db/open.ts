/**
 * Choosing the database, in one place: DATABASE_URL selects Postgres;
 * otherwise SUPABASE_URL with SUPABASE_SERVICE_ROLE_KEY selects Supabase's
 * REST API; otherwise the embedded PGlite in FINTRA_PGLITE_DIR (default
 * .fintra/pglite). `memory` as the PGlite dir gives a throwaway in-memory database.
 * FINTRA_STATEMENT_TIMEOUT_MS and FINTRA_LOCK_TIMEOUT_MS bound every statement.
 */
import { resolve } from "node:path";
import { openPglite } from "./adapters/pglite.ts";
import { openPostgres } from "./adapters/postgres.ts";
import { type DatabaseTimeouts, DEFAULT_TIMEOUTS } from "./adapters/sql.ts";
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
  /** Supabase project URL; used with the service-role key when there is no databaseUrl. */
  supabaseUrl?: string;
  /** Never logged or described; only sent to the Supabase API. */
  supabaseServiceRoleKey?: string;
  /** The project's max-rows when lowered below Supabase's default 1,000 (SUPABASE_MAX_ROWS). */
  supabaseMaxRows?: number;
  /** Statement and lock timeouts of the SQL backends (defaults: 15 min, 60 s). */
  timeouts?: DatabaseTimeouts;
}

const DEFAULT_PGLITE_DIR = ".fintra/pglite";

export function storeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): StoreConfig {
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    pgliteDir: env.FINTRA_PGLITE_DIR || DEFAULT_PGLITE_DIR,
    supabaseUrl: env.SUPABASE_URL || undefined,
    supabaseServiceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY || undefined,
    supabaseMaxRows: env.SUPABASE_MAX_ROWS ? Number(env.SUPABASE_MAX_ROWS) : undefined,
    timeouts: {
      statementTimeoutMs: milliseconds(
        env,
        "FINTRA_STATEMENT_TIMEOUT_MS",
        DEFAULT_TIMEOUTS.statementTimeoutMs,
      ),
      lockTimeoutMs: milliseconds(env, "FINTRA_LOCK_TIMEOUT_MS", DEFAULT_TIMEOUTS.lockTimeoutMs),
    },
  };
}

/** A duration variable: whole milliseconds, 0 for none; anything else is refused by name. */
function milliseconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!/^\d{1,10}$/.test(raw) || Number(raw) > 2_147_483_647) {
    throw new Error(
      `${name} must be a whole number of milliseconds (0 for no limit), not "${raw}"`,
    );
  }
  return Number(raw);
}

/** Supabase is chosen only without DATABASE_URL; half a Supabase configuration is an error. */
function wantsSupabase(config: StoreConfig): boolean {
  if (config.databaseUrl) return false;
  const url = Boolean(config.supabaseUrl);
  const key = Boolean(config.supabaseServiceRoleKey);
  if (url !== key) {
    throw new Error(
      `${url ? "SUPABASE_URL" : "SUPABASE_SERVICE_ROLE_KEY"} is set without ${url ? "SUPABASE_SERVICE_ROLE_KEY" : "SUPABASE_URL"}: set both to use Supabase, or neither`,
    );
  }
  return url;
}

/** A short, secret-free description of where the data lives. */
export function describeStore(config: StoreConfig): string {
  if (config.databaseUrl) {
    try {
      const url = new URL(config.databaseUrl);
      return `postgres ${url.hostname}:${url.port || 5432}${url.pathname}`;
    } catch {
      // the parser's error carries the whole URL, password included
      return "postgres <invalid DATABASE_URL>";
    }
  }
  if (config.supabaseUrl && config.supabaseServiceRoleKey) {
    try {
      return `supabase ${new URL(config.supabaseUrl).host}`;
    } catch {
      return "supabase <invalid SUPABASE_URL>";
    }
  }
  return config.pgliteDir === "memory"
    ? "pglite (in memory)"
    : `pglite ${resolve(config.pgliteDir ?? DEFAULT_PGLITE_DIR)}`;
}

export async function openStore(config: StoreConfig = storeConfigFromEnv()): Promise<Store> {
  const dirs = config.migrationDirs ? [MIGRATIONS_DIR, ...config.migrationDirs] : undefined;
  if (config.databaseUrl) {
    const options = {
      ...(config.schema ? { schema: config.schema } : {}),
      ...(config.timeouts ? { timeouts: config.timeouts } : {}),
    };
    return new SqlStore(await openPostgres(config.databaseUrl, options), dirs);
  }
  if (wantsSupabase(config)) {
    // Loaded on demand: supabase-js and ws are dead weight for the SQL adapters.
    const { SupabaseStore } = await import("./adapters/supabase-store.ts");
    return new SupabaseStore({
      url: config.supabaseUrl as string,
      serviceRoleKey: config.supabaseServiceRoleKey as string,
      ...(config.supabaseMaxRows !== undefined ? { maxRows: config.supabaseMaxRows } : {}),
      ...(dirs ? { migrationDirs: dirs } : {}),
    });
  }
  const dir = config.pgliteDir ?? DEFAULT_PGLITE_DIR;
  return new SqlStore(await openPglite(dir === "memory" ? undefined : dir, config.timeouts), dirs);
}
