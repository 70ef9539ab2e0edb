/**
 * What the performance tests start from: a fresh store and a sandbox market whose prices
 * are backfilled (fintra_universe, datos_eod) through `day`, from the earliest start price
 * `window` may use on that day.
 */
import { expect } from "vitest";
import { earliestStartPrice, type WindowCode } from "../../../assets/performance/math.ts";
import type { Store } from "../../../db/index.ts";
import { backfill } from "../../../runtime/backfill.ts";
import type { AssetDefinition } from "../../../runtime/define.ts";
import { AssetGraph } from "../../../runtime/graph.ts";
import { marketResources, startTestMarket, type TestMarket } from "../../helpers/sandbox.ts";
import { openTestStore } from "../../helpers/store.ts";

export async function openPricedMarket(options: {
  assets: readonly AssetDefinition[];
  day: string;
  tickers: number;
  historyYears: number;
  window: WindowCode;
}): Promise<{ store: Store; market: TestMarket }> {
  const { day } = options;
  const store = await openTestStore();
  const market = await startTestMarket({
    tickers: options.tickers,
    asOf: day,
    historyYears: options.historyYears,
  });
  const history = await backfill(
    new AssetGraph(options.assets),
    "fintra_universe,datos_eod",
    marketResources(store, market),
    { from: earliestStartPrice(options.window, day), to: day },
  );
  expect(history.exitCode).toBe(0);
  return { store, market };
}

export async function closePricedMarket(store: Store, market: TestMarket): Promise<void> {
  await market.close();
  await store.close();
}
