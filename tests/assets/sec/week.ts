/**
 * The filing week the SEC jobs' tests run on: a Monday in filing season, when December year
 * ends file, on a 200-ticker sandbox market; and what the tests read of it.
 */
import { universeTable } from "../../../assets/fintra_universe.ts";
import type { Store } from "../../../db/index.ts";
import { documentPaths, type SecFiling } from "../../../sources/sandbox/filings.ts";
import type { FilingWindow } from "../../../sources/sec/index.ts";
import { startTestMarket, type TestMarket } from "../../helpers/sandbox.ts";
import { openTestStore } from "../../helpers/store.ts";

export const MONDAY = "2026-03-02";
/** The eight days a run for MONDAY lists filings of. */
export const WINDOW = { from: "2026-02-23", to: MONDAY };

export function startWeekMarket(): Promise<TestMarket> {
  return startTestMarket({ tickers: 200, asOf: MONDAY });
}

/** A fresh store and the week's market, for a file's `beforeAll`. */
export async function openWeek(): Promise<{ store: Store; market: TestMarket }> {
  return { store: await openTestStore(), market: await startWeekMarket() };
}

export async function closeWeek(store: Store, market: TestMarket): Promise<void> {
  await market.close();
  await store.close();
}

/** The link a job stores for a sandbox filing: its document on the market's server. */
export function documentLink(market: TestMarket, filing: SecFiling): string {
  return `${market.server.url.replace(/\/stable$/, "")}${documentPaths(filing).document}`;
}

/** SEC documents the market has served so far. */
export function documentRequests(market: TestMarket): number {
  return Object.entries(market.server.stats.requests)
    .filter(([path]) => path.startsWith("/sandbox/sec/"))
    .reduce((sum, [, n]) => sum + n, 0);
}

/** The window's filings of `form` by the equities the store's universe holds active. */
export async function activeFilings(
  store: Store,
  market: TestMarket,
  form: "8-K" | "10-K",
  window: FilingWindow = WINDOW,
): Promise<SecFiling[]> {
  const rows = await store.readAll(universeTable, {
    where: { is_active: true, instrument_type: "EQUITY" },
    columns: ["ticker"],
  });
  const equities = new Set(rows.map((r) => r.ticker));
  return market.market.filings(window.from, window.to, form).filter((f) => equities.has(f.symbol));
}
