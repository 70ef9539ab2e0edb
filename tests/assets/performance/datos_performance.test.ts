/**
 * datos_performance on the sandbox: a year of backfilled prices, then the day's windows.
 * SPY's numbers are recomputed from the sandbox's own closes; reruns and scoped runs are
 * checked to change nothing they should not.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import datosEod, { datosEodTable } from "../../../assets/datos_eod.ts";
import fintraUniverse from "../../../assets/fintra_universe.ts";
import datosPerformance, {
  datosPerformanceTable,
  type PerformanceRow,
  rowProblem,
} from "../../../assets/performance/datos_performance.ts";
import { earliestStartPrice, windowStart } from "../../../assets/performance/math.ts";
import type { Store } from "../../../db/index.ts";
import { marketResources, runAssets, type TestMarket } from "../../helpers/sandbox.ts";
import { asSupabase } from "./as-supabase.ts";
import { closePricedMarket, openPricedMarket } from "./priced-market.ts";

const DAY = "2026-11-25";
const PREVIOUS = "2026-11-24";
const ASSETS = [fintraUniverse, datosEod, datosPerformance];
let store: Store;
let market: TestMarket;
/** The fixture's run of the day's windows, and its ledger row. */
let daySummary: Awaited<ReturnType<typeof runAssets>>;
let dayRun: Awaited<ReturnType<Store["ledger"]["history"]>>[number] | undefined;

const byKey = (rows: PerformanceRow[]) =>
  [...rows].sort((a, b) =>
    `${a.ticker}|${a.window_code}`.localeCompare(`${b.ticker}|${b.window_code}`),
  );

beforeAll(async () => {
  // A year of prices, from the earliest start price the 1Y window may use.
  ({ store, market } = await openPricedMarket({
    assets: ASSETS,
    day: DAY,
    tickers: 24,
    historyYears: 2,
    window: "1Y",
  }));
  daySummary = await runAssets(ASSETS, "datos_performance", marketResources(store, market), {
    partition: DAY,
  });
  [dayRun] = await store.ledger.history({ asset: "datos_performance", limit: 1 });
}, 120_000);
afterAll(() => closePricedMarket(store, market));

describe("datos_performance on the sandbox", () => {
  it("writes the day's windows for every symbol priced on D, anchored on D", async () => {
    expect(daySummary.outcomes.map((o) => [o.asset, o.status])).toEqual([
      ["datos_performance", "succeeded"],
    ]);
    const rows = await store.readAll(datosPerformanceTable, { where: { performance_date: DAY } });
    const priced = await store.readAll(datosEodTable, { where: { price_date: DAY } });
    const oneDay = rows.filter((r) => r.window_code === "1D").map((r) => r.ticker);
    expect(oneDay.sort()).toEqual(priced.map((p) => p.ticker).sort());
    expect(rows.every((r) => r.performance_date === DAY)).toBe(true);
    // A year of history: no 2Y, 3Y or 5Y anywhere.
    expect(new Set(rows.map((r) => r.window_code))).toEqual(
      new Set(["1D", "1W", "1M", "3M", "6M", "YTD", "1Y"]),
    );
    for (const r of rows) {
      expect(rowProblem(r, DAY)).toBeNull();
      expect(Number.isFinite(r.volatility) && r.volatility >= 0).toBe(true);
    }
    const run = dayRun;
    expect(run).toMatchObject({ partition: DAY, checksPassed: true });
    expect(run?.metadata).toMatchObject({
      priced: priced.length,
      chunks: 1,
      windowsSkipped: { history_too_short: expect.any(Number) },
    });
    const skipped = run?.metadata?.windowsSkipped as { history_too_short: number };
    expect(skipped.history_too_short).toBeGreaterThanOrEqual(priced.length * 3);
  });

  it("gives SPY the sandbox's own 1Y return, volatility and drawdown", async () => {
    const start = windowStart("1Y", DAY);
    const { dates, closes } = market.market.closes("SPY", earliestStartPrice("1Y", DAY), DAY);
    const first = dates.findLastIndex((d) => d <= start);
    const path = closes.slice(first);
    const [row] = await store.readAll(datosPerformanceTable, {
      where: { performance_date: DAY, ticker: "SPY", window_code: "1Y" },
    });
    expect(row?.start_date).toBe(dates[first]);
    expect(row?.return_percent).toBeCloseTo((path.at(-1)! / path[0]! - 1) * 100, 9);
    const logs = path.slice(1).map((p, i) => Math.log(p / path[i]!));
    const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
    const sd = Math.sqrt(logs.reduce((a, r) => a + (r - mean) ** 2, 0) / (logs.length - 1));
    expect(row?.observations).toBe(logs.length);
    expect(row?.volatility).toBeCloseTo(sd * Math.sqrt(252) * 100, 9);
    let peak = path[0]!;
    let worst = 0;
    for (const p of path) {
      peak = Math.max(peak, p);
      worst = Math.max(worst, (1 - p / peak) * 100);
    }
    expect(row?.max_drawdown).toBeCloseTo(worst, 9);
  });

  it("reads prices by SQL where it can, and gets the same rows as through the Store's pages", async () => {
    const sql = await runAssets(ASSETS, "datos_performance", marketResources(store, market), {
      partition: DAY,
      force: true,
    });
    expect(sql.exitCode).toBe(0);
    const bySql = await store.readAll(datosPerformanceTable, { where: { performance_date: DAY } });
    const [sqlRun] = await store.ledger.history({ asset: "datos_performance", limit: 1 });
    // Supabase has no SQL: the same store seen as Supabase reads prices page by page.
    await store.delete(datosPerformanceTable, { performance_date: DAY });
    const rerun = await runAssets(
      ASSETS,
      "datos_performance",
      marketResources(asSupabase(store), market),
      { partition: DAY, force: true },
    );
    expect(rerun.exitCode).toBe(0);
    const byPages = await store.readAll(datosPerformanceTable, {
      where: { performance_date: DAY },
    });
    expect(byPages).toEqual(bySql);
    const [pagesRun] = await store.ledger.history({ asset: "datos_performance", limit: 1 });
    expect(pagesRun?.metadata).toEqual({ ...sqlRun?.metadata, pruned: 0 });
  });

  it("rerunning the day leaves the same rows, and removes one it would not write", async () => {
    const before = await store.readAll(datosPerformanceTable, { where: { performance_date: DAY } });
    const stray = { ...(before[0] as PerformanceRow), window_code: "5Y" as const };
    await store.upsert(datosPerformanceTable, [stray]);
    const rerun = await runAssets(ASSETS, "datos_performance", marketResources(store, market), {
      partition: DAY,
      force: true,
    });
    expect(rerun.exitCode).toBe(0);
    const after = await store.readAll(datosPerformanceTable, { where: { performance_date: DAY } });
    expect(byKey(after)).toEqual(byKey(before));
    const [run] = await store.ledger.history({ asset: "datos_performance", limit: 1 });
    expect(run?.metadata).toMatchObject({ pruned: 1 });
  });

  it("a scoped run computes only its ticker", async () => {
    const dayRows = await store.readAll(datosPerformanceTable, {
      where: { performance_date: DAY },
    });
    const ticker = dayRows.find((r) => r.ticker !== "SPY")?.ticker as string;
    const scoped = await runAssets(ASSETS, "datos_performance", marketResources(store, market), {
      partition: PREVIOUS,
      scope: { tickers: [ticker] },
    });
    expect(scoped.outcomes[0]).toMatchObject({ status: "succeeded" });
    const previous = await store.readAll(datosPerformanceTable, {
      where: { performance_date: PREVIOUS },
    });
    expect(new Set(previous.map((r) => r.ticker))).toEqual(new Set([ticker]));
    expect(previous.map((r) => r.window_code)).toContain("1D");
    // Its 1D of the previous day is the sandbox's own close-to-close move.
    const { closes } = market.market.closes(ticker, "2026-11-23", PREVIOUS);
    expect(previous.find((r) => r.window_code === "1D")?.return_percent).toBeCloseTo(
      (closes[1]! / closes[0]! - 1) * 100,
      9,
    );
    const untouched = await store.readAll(datosPerformanceTable, {
      where: { performance_date: DAY },
    });
    expect(byKey(untouched)).toEqual(byKey(dayRows));
  });
});
