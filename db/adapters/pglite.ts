/** PGlite adapter: embedded Postgres in WASM, one folder on disk (or memory). */
import { mkdirSync } from "node:fs";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import {
  OID,
  parseDate,
  parseNumber,
  parseTimestamp,
  parseTimestamptz,
  type SqlExecutor,
} from "./sql.ts";

const parsers = {
  [OID.int8]: parseNumber,
  [OID.numeric]: parseNumber,
  [OID.date]: parseDate,
  [OID.timestamp]: parseTimestamp,
  [OID.timestamptz]: parseTimestamptz,
};

type Queryable = Pick<PGlite, "query" | "exec"> | Transaction;

function executor(db: Queryable, root: PGlite | null): SqlExecutor {
  return {
    dialect: "pglite",
    async query<T>(text: string, params: unknown[] = []) {
      const result = await db.query<T>(text, params);
      return result.rows;
    },
    async exec(text: string) {
      await db.exec(text);
    },
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>) {
      // PGlite has one connection; a nested transaction reuses the outer one.
      if (!root) return fn(executor(db, null));
      return root.transaction((tx) => fn(executor(tx, null)));
    },
    async close() {
      if (root && !root.closed) await root.close();
    },
  };
}

/** Opens (creating if needed) a PGlite database in `dataDir`, or in memory when undefined. */
export async function openPglite(dataDir?: string): Promise<SqlExecutor> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const db = new PGlite({ dataDir, parsers, relaxedDurability: false });
  await db.waitReady;
  return executor(db, db);
}
