/**
 * datos_eod and datos_valuacion on the sandbox, including a faulty market:
 * retries complete the run, bad rows are counted, nothing is duplicated.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import datosEod, { datosEodTable, rejectPrice } from "../../../assets/datos_eod.ts";
import datosValuacion, {
  datosValuacionTable,
  positivePercentiles,
} from "../../../assets/datos_valuacion.ts";
import fintraUniverse, { universeTable } from "../../../assets/fintra_universe.ts";
import type { Store } from "../../../db/index.ts";
import type { EodRow } from "../../../sources/fmp/index.ts";
import {
  marketResources,
  runAssets,
  startTestMarket,
  type TestMarket,
} from "../../helpers/sandbox.ts";
import { openTestStore } from "../../helpers/store.ts";

const ASSETS = [fintraUniverse, datosEod, datosValuacion];

describe("datos_eod on a clean market", () => {
  let store: Store;
  let market: TestMarket;
  beforeAll(async () => {
    store = await openTestStore();
    market = await startTestMarket({ tickers: 100, asOf: "2026-11-27" });
  });
  afterAll(async () => {
    await market.close();
    await store.close();
  });

  it("loads the day's prices of every active symbol, SPY included", async () => {
    const summary = await runAssets(ASSETS, "+datos_eod", marketResources(store, market), {
      partition: "2026-11-25",
    });
    expect(summary.exitCode).toBe(0);
    const prices = await store.readAll(datosEodTable, { where: { price_date: "2026-11-25" } });
    const served = market.market.eodRows.bind(market.market);
    const expected = [...served("2026-11-25")];
    const active = new Set(
      (await store.readAll(universeTable, { where: { is_active: true } })).map((u) => u.ticker),
    );
    expect(prices.length).toBe(expected.filter((r) => active.has(r.symbol)).length);
    const spy = prices.find((p) => p.ticker === "SPY");
    const spyServed = expected.find((r) => r.symbol === "SPY");
    expect(spy).toMatchObject({
      close: spyServed?.close,
      adj_close: spyServed?.adjClose,
      source: "fmp_eod_bulk",
    });
    const [m] = await store.ledger.history({ asset: "datos_eod", limit: 1 });
    expect(m).toMatchObject({ partition: "2026-11-25", checksPassed: true });
  });

  it("rerunning a partition changes no row", async () => {
    const before = await store.readAll(datosEodTable, { where: { price_date: "2026-11-25" } });
    const rerun = await runAssets(ASSETS, "datos_eod", marketResources(store, market), {
      partition: "2026-11-25",
      force: true,
    });
    expect(rerun.exitCode).toBe(0);
    expect(await store.readAll(datosEodTable, { where: { price_date: "2026-11-25" } })).toEqual(
      before,
    );
  });

  it("refuses a holiday: FMP's empty file is a failure with the reason, not an empty day", async () => {
    const summary = await runAssets(ASSETS, "+datos_eod", marketResources(store, market), {
      partition: "2026-11-26",
    });
    expect(summary.exitCode).toBe(1);
    expect(summary.outcomes[1]).toMatchObject({
      status: "failed",
      errorName: "NoTradingError",
      reason:
        "no trading on 2026-11-26: FMP's EOD file is empty (exchange holiday, or not published yet)",
    });
    expect(await store.readAll(datosEodTable, { where: { price_date: "2026-11-26" } })).toEqual([]);
  });

  it("prices a scoped run's tickers only", async () => {
    const summary = await runAssets(ASSETS, "datos_eod", marketResources(store, market), {
      partition: "2026-11-24",
      scope: { tickers: ["SPY"] },
    });
    expect(summary.outcomes[0]).toMatchObject({ status: "succeeded", rows: 1 });
  });

  it("values today's partition with sector percentiles, and refuses to rebuild a past one", async () => {
    const today = await runAssets(ASSETS, "+datos_valuacion", marketResources(store, market), {
      partition: "2026-11-27",
    });
    expect(today.exitCode).toBe(0);
    const rows = await store.readAll(datosValuacionTable, {
      where: { valuation_date: "2026-11-27" },
    });
    expect(rows.length).toBeGreaterThan(30);
    const closes = new Map(
      (await store.readAll(datosEodTable, { where: { price_date: "2026-11-27" } })).map((p) => [
        p.ticker,
        p.close,
      ]),
    );
    expect(rows.every((r) => r.price === closes.get(r.ticker) && r.sector)).toBe(true);
    expect(rows.some((r) => r.pe_percentile !== null && r.composite_percentile !== null)).toBe(
      true,
    );

    const past = await runAssets(ASSETS, "datos_valuacion", marketResources(store, market), {
      partition: "2026-11-25",
    });
    expect(past.outcomes[0]).toMatchObject({ status: "succeeded", rows: 0 });
    expect(
      await store.readAll(datosValuacionTable, { where: { valuation_date: "2026-11-25" } }),
    ).toEqual([]);
  });
});

describe("datos_eod on a faulty market", () => {
  let store: Store;
  let market: TestMarket;
  beforeAll(async () => {
    store = await openTestStore();
    market = await startTestMarket({
      tickers: 100,
      asOf: "2026-11-27",
      faults: {
        rateLimit: { endpoints: ["eod-bulk"], first: 2, retryAfterSeconds: 0 },
        serverError: { endpoints: ["profile-bulk"], first: 1 },
        truncate: { endpoints: ["eod-bulk"], every: 3, afterBytes: 1500 },
        malformedRows: { endpoints: ["eod-bulk"], rate: 0.05, seed: 3 },
      },
    });
  });
  afterAll(async () => {
    await market.close();
    await store.close();
  });

  it("completes with retries, counts bad rows, and writes each price once", async () => {
    const summary = await runAssets(ASSETS, "+datos_eod", marketResources(store, market), {
      partition: "2026-11-25",
    });
    expect(summary.exitCode).toBe(0);
    const [m] = await store.ledger.history({ asset: "datos_eod", limit: 1 });
    const metadata = m?.metadata as { skipped: number; retries: number; skippedSamples: unknown[] };
    expect(metadata.skipped).toBeGreaterThan(0);
    expect(metadata.skippedSamples.length).toBeGreaterThan(0);
    expect(metadata.retries).toBeGreaterThanOrEqual(2);
    expect(market.server.stats.faults.rateLimited).toBe(2);
    expect(market.server.stats.faults.serverErrors).toBe(1);
    const prices = await store.readAll(datosEodTable, { where: { price_date: "2026-11-25" } });
    expect(new Set(prices.map((p) => p.ticker)).size).toBe(prices.length);
    expect(prices.length + metadata.skipped).toBeGreaterThanOrEqual(90);
  });
});

describe("the price quality gate", () => {
  const row = (over: Partial<EodRow>): EodRow =>
    ({
      symbol: "AAA",
      date: "2026-11-25",
      open: 10,
      high: 11,
      low: 9,
      close: 10.5,
      adjClose: 10.5,
      volume: 100,
      ...over,
    }) as EodRow;
  it("rejects rows that cannot be a trading day's bar", () => {
    expect(rejectPrice(row({}), "2026-11-25")).toBeNull();
    expect(rejectPrice(row({ volume: 0 }), "2026-11-25")).toBe("no_volume");
    expect(rejectPrice(row({ adjClose: null }), "2026-11-25")).toBe("missing_price");
    expect(rejectPrice(row({ high: 10.2 }), "2026-11-25")).toBe("high_below_body");
    expect(rejectPrice(row({ low: 10.2 }), "2026-11-25")).toBe("low_above_body");
    expect(rejectPrice(row({}), "2026-11-24")).toBe("wrong_date");
  });
  it("ranks positive multiples only, ties counted as at-or-below", () => {
    expect(positivePercentiles([10, 20, 20, 40, -5, null, 0])).toEqual([
      25,
      75,
      75,
      100,
      null,
      null,
      null,
    ]);
  });
});
