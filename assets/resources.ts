/**
 * Resources: what assets may touch beyond their inputs, chosen per
 * environment in one place. An asset gets them on its context.
 */
import { openStore, type Store, storeConfigFromEnv } from "../db/index.ts";

export interface Resources {
  /** The one door to the database. */
  db: Store;
  /** The clock, injectable so tests and backfills are reproducible. */
  now: () => Date;
}

/** Opens the resources the environment selects (DATABASE_URL or the embedded PGlite). */
export async function openResources(env: NodeJS.ProcessEnv = process.env): Promise<Resources> {
  const db = await openStore(storeConfigFromEnv(env));
  return { db, now: () => new Date() };
}
