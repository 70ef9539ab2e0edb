/**
 * Runs the sandbox as a standalone server (what `fintra sandbox` calls) and tells the user
 * how to reach it.
 */

import type { FaultOptions } from "./faults.ts";
import { createSandboxMarket } from "./market.ts";
import { type SandboxServer, startSandboxServer } from "./server.ts";

interface StandaloneOptions {
  tickers?: number;
  /** 0 (default) picks a free port. */
  port?: number;
  seed?: number;
  asOf?: string;
  faults?: FaultOptions;
  /** Where the banner goes (default console.log). */
  print?: (line: string) => void;
}

/** Any non-empty key works against the sandbox; this is the one the banner suggests. */
export const SANDBOX_API_KEY = "sandbox";

export async function serveSandboxStandalone(
  options: StandaloneOptions = {},
): Promise<SandboxServer> {
  const print = options.print ?? ((line: string) => console.log(line));
  const market = createSandboxMarket({
    tickers: options.tickers,
    seed: options.seed,
    asOf: options.asOf,
  });
  const server = await startSandboxServer({
    market,
    port: options.port ?? 0,
    faults: options.faults,
  });
  const day = market.latestTradingDay(market.asOf);
  print(
    `Sandbox FMP market: ${market.tickers.length} tickers, seed ${market.seed}, as of ${market.asOf} (prices from ${market.historyStart})`,
  );
  print(`Base URL: ${server.url}`);
  print(`Try: curl "${server.url}/eod-bulk?date=${day}&apikey=${SANDBOX_API_KEY}"`);
  print(`Use it: FMP_BASE_URL=${server.url} FMP_API_KEY=${SANDBOX_API_KEY}`);
  return server;
}
