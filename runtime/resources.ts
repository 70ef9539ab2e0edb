/**
 * Resources: what assets may touch beyond their inputs, chosen per
 * environment in one place. An asset gets them on its context.
 */
import { openStore, type Store, storeConfigFromEnv } from "../db/index.ts";
import { createFmpClient, type FmpClient, fmpConfigFromEnv } from "../sources/fmp/index.ts";
import {
  createSecDocumentClient,
  type SecDocumentClient,
  secConfigFromEnv,
} from "../sources/sec/index.ts";
import type { Logger } from "./log.ts";

export interface Resources {
  /** The one door to the database. */
  db: Store;
  /**
   * The one door to FMP, created on first use: assets that never call it
   * (everything downstream of ingest) run without an API key.
   */
  fmp: () => FmpClient;
  /**
   * The one door to SEC filing documents, created on first use. One client per process
   * (openResources is called once): the SEC counts requests per requester, so every run of
   * the process shares its pace.
   */
  sec: () => SecDocumentClient;
  /** The clock, injectable so tests and backfills are reproducible. */
  now: () => Date;
  /**
   * Shrinks every per-step batch (see `perStep` in chunks.ts); default 1. A test on a
   * 450-ticker market with 0.01 takes the steps a 45,000-ticker market takes.
   */
  stepScale?: number;
}

/** A lazily created FMP client from the environment (FMP_API_KEY, FMP_BASE_URL, FMP_RATE_PER_MIN). */
export function lazyFmp(env: NodeJS.ProcessEnv, logger?: Logger): () => FmpClient {
  let client: FmpClient | null = null;
  return () => {
    client ??= createFmpClient({
      ...fmpConfigFromEnv(env),
      ...(logger
        ? { logger: { info: (m: string) => logger.info(m), warn: (m: string) => logger.warn(m) } }
        : {}),
    });
    return client;
  };
}

/** A lazily created SEC document client from the environment (SEC_USER_AGENT, SEC_RATE_PER_SEC). */
export function lazySec(env: NodeJS.ProcessEnv, logger?: Logger): () => SecDocumentClient {
  let client: SecDocumentClient | null = null;
  return () => {
    client ??= createSecDocumentClient({
      ...secConfigFromEnv(env),
      ...(logger
        ? { logger: { info: (m: string) => logger.info(m), warn: (m: string) => logger.warn(m) } }
        : {}),
    });
    return client;
  };
}

/** Opens the resources the environment selects (DATABASE_URL or the embedded PGlite; FMP_*; SEC_*). */
export async function openResources(
  env: NodeJS.ProcessEnv = process.env,
  logger?: Logger,
): Promise<Resources> {
  const db = await openStore(storeConfigFromEnv(env));
  return { db, fmp: lazyFmp(env, logger), sec: lazySec(env, logger), now: () => new Date() };
}
