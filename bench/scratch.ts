/**
 * What every bench script sets up the same way: a throwaway store (a temp PGlite folder or
 * a fresh Postgres schema) that is removed when the run ends, and the sandbox market served
 * to an FMP client that is never rate limited. Kept in one place so a bench's figures differ
 * from another's by what it measures, not by how it opened the store or the feed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { openPglite } from "../db/adapters/pglite.ts";
import { openPostgres } from "../db/adapters/postgres.ts";
import type { SqlExecutor, Store } from "../db/index.ts";
import { SqlStore } from "../db/sql-store.ts";
import { lazySec, type Resources } from "../runtime/resources.ts";
import { createFmpClient, type FmpClient } from "../sources/fmp/index.ts";
import {
  createSandboxMarket,
  SANDBOX_API_KEY,
  type SandboxMarket,
  startSandboxServer,
} from "../sources/sandbox/index.ts";

/** The Postgres the benches use: DATABASE_URL, else the local test server. */
export const BENCH_DATABASE_URL = process.env.DATABASE_URL ?? "postgres://127.0.0.1:5432/test";

/** Why the server at `url` does not answer `select 1`, or null when it does. */
export async function postgresError(url: string): Promise<string | null> {
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
    return null;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** Drops each schema with everything in it, on a connection of its own. */
export async function dropSchemas(url: string, ...schemas: string[]): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    for (const schema of schemas) await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export interface ScratchStore {
  store: Store;
  /** The store's own connection, for SQL a bench runs beside the store's calls. */
  db: SqlExecutor;
  /** The PGlite folder (PGlite only). */
  dir?: string;
  /** The schema on BENCH_DATABASE_URL (Postgres only). */
  schema?: string;
  /** Closes the store; later calls get the first call's promise. */
  close(): Promise<void>;
  /** Closes the store, then removes its folder or drops its schema. */
  dispose(): Promise<void>;
}

/** A new, empty store for one run, named after the bench (`label`) that opens it. */
export async function openScratchStore(
  backend: "pglite" | "postgres",
  label: string,
): Promise<ScratchStore> {
  const place: { dir?: string; schema?: string } =
    backend === "pglite"
      ? { dir: mkdtempSync(join(tmpdir(), `fintra-bench-${label}-`)) }
      : { schema: `fintra_bench_${label}_${Date.now()}` };
  const db = place.dir
    ? await openPglite(place.dir)
    : await openPostgres(BENCH_DATABASE_URL, { schema: place.schema });
  const store = new SqlStore(db);
  let closed: Promise<void> | null = null;
  const close = () => {
    closed ??= store.close();
    return closed;
  };
  return {
    store,
    db,
    ...place,
    close,
    async dispose() {
      try {
        await close();
      } finally {
        if (place.dir) rmSync(place.dir, { recursive: true, force: true });
        else await dropSchemas(BENCH_DATABASE_URL, place.schema as string);
      }
    },
  };
}

/** An FMP client on a sandbox-shaped server at `baseUrl`, its rate limit out of the way. */
export function benchFmp(baseUrl: string): FmpClient {
  return createFmpClient({ apiKey: SANDBOX_API_KEY, baseUrl, ratePerMinute: 1_000_000 });
}

/** What the assets get in a bench: the store, that client, SEC from the environment, the clock. */
export function benchResources(store: Store, fmp: FmpClient, now: () => Date): Resources {
  return { db: store, fmp: () => fmp, sec: lazySec(process.env), now };
}

/**
 * The sandbox market of a bench that backfills `years` of prices: seed 42, as of `asOf`,
 * with a year of history to spare before the backfill's first day.
 */
export function benchMarket(tickers: number, years: number, asOf: string): SandboxMarket {
  return createSandboxMarket({ tickers, seed: 42, asOf, historyYears: years + 1 });
}

/** The sandbox server on `market` (in this process) and a client on it. */
export async function startBenchSandbox(
  market: SandboxMarket,
): Promise<{ url: string; fmp: FmpClient; close(): Promise<void> }> {
  const server = await startSandboxServer({ market });
  return { url: server.url, fmp: benchFmp(server.url), close: () => server.close() };
}
