/**
 * The sandbox market on loopback for asset tests, with an FMP client pointed
 * at it (short backoffs, no practical rate limit) and a graph runner.
 */

import type { Store } from "../../db/index.ts";
import type { AssetDefinition } from "../../runtime/define.ts";
import { AssetGraph } from "../../runtime/graph.ts";
import { type MaterializeOptions, materialize } from "../../runtime/materialize.ts";
import type { Resources } from "../../runtime/resources.ts";
import { createFmpClient, type FmpClient } from "../../sources/fmp/index.ts";
import {
  createSandboxMarket,
  type FaultOptions,
  SANDBOX_API_KEY,
  type SandboxMarket,
  type SandboxServer,
  startSandboxServer,
} from "../../sources/sandbox/index.ts";
import type { SecDocumentClient } from "../../sources/sec/index.ts";
import { testSecClient } from "./sec.ts";

export interface TestMarket {
  market: SandboxMarket;
  server: SandboxServer;
  fmp: () => FmpClient;
  /** An SEC document client for the filings the sandbox serves (fast pace, short backoff). */
  sec: () => SecDocumentClient;
  close(): Promise<void>;
}

export async function startTestMarket(options: {
  tickers?: number;
  asOf: string;
  seed?: number;
  historyYears?: number;
  /** Rows per profile-bulk part (the sandbox's default is 2,000). */
  profilePartSize?: number;
  faults?: FaultOptions;
}): Promise<TestMarket> {
  const market = createSandboxMarket({
    tickers: options.tickers ?? 60,
    asOf: options.asOf,
    seed: options.seed ?? 7,
    ...(options.historyYears ? { historyYears: options.historyYears } : {}),
    ...(options.profilePartSize ? { profilePartSize: options.profilePartSize } : {}),
  });
  const server = await startSandboxServer({
    market,
    ...(options.faults ? { faults: options.faults } : {}),
  });
  const client = createFmpClient({
    apiKey: SANDBOX_API_KEY,
    baseUrl: server.url,
    ratePerMinute: 100_000,
    backoff: { minMs: 5, maxMs: 20 },
    timeoutMs: 5_000,
  });
  const sec = testSecClient();
  return { market, server, fmp: () => client, sec: () => sec, close: () => server.close() };
}

/** Runs `selection` of a graph made of `assets`, with the market's clock. */
export function runAssets(
  assets: AssetDefinition[],
  selection: string,
  resources: Resources,
  options: MaterializeOptions = {},
) {
  return materialize(new AssetGraph(assets), selection, resources, options);
}

/** Resources on the market: its FMP client and its asOf evening as the clock. */
export function marketResources(db: Store, market: TestMarket): Resources {
  const evening = new Date(`${market.market.asOf}T23:00:00Z`);
  return { db, fmp: market.fmp, sec: market.sec, now: () => evening };
}
