/**
 * datos_valuacion_ttm end to end on the sandbox market: the real universe, price and
 * financials assets, half a year of prices backfilled, then the TTM valuation for the day.
 * Rows agree with the quarters and closes they came from, a rerun writes nothing, a scoped
 * run values only its ticker, and an earlier partition sees only what was filed by then,
 * after which the later day adds exactly the rest.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import datosEod, { datosEodTable } from "../../../assets/datos_eod.ts";
import datosValuacionTtm, {
  PRICE_LOOKBACK_DAYS,
  type TtmValuationRecord,
  ttmValuationTable,
} from "../../../assets/datos_valuacion_ttm.ts";
import fintraUniverse, { universeTable } from "../../../assets/fintra_universe.ts";
import datosFinancieros, { financialsTable } from "../../../assets/statements/datos_financieros.ts";
import type { Store } from "../../../db/index.ts";
import type { Resources } from "../../../runtime/resources.ts";
import { runAssets, startTestMarket, type TestMarket } from "../../helpers/sandbox.ts";
import { openTestStore } from "../../helpers/store.ts";
import { backfillMonthEnds, lastRun as lastRunOf, tickingResources } from "./helpers.ts";

const DAY = "2026-11-27";
const PRICES_FROM = "2026-05";
const EARLIER = "2026-08-31";
const ASSETS = [fintraUniverse, datosEod, datosFinancieros, datosValuacionTtm];

let store: Store;
let market: TestMarket;
let resources: Resources;
let equities: string[];
let built: TtmValuationRecord[];
/** The day's run that built them. */
let dayRun: Awaited<ReturnType<typeof lastRun>>;

const byKey = (rows: TtmValuationRecord[]) =>
  [...rows].sort((a, b) =>
    `${a.ticker} ${a.valuation_date}` < `${b.ticker} ${b.valuation_date}` ? -1 : 1,
  );
const withoutStamp = (rows: TtmValuationRecord[]) =>
  byKey(rows).map(({ updated_at: _, ...rest }) => rest);

const lastRun = () => lastRunOf(store, "datos_valuacion_ttm");

beforeAll(async () => {
  [store, market] = await Promise.all([
    openTestStore(),
    startTestMarket({ tickers: 40, asOf: DAY, historyYears: 2 }),
  ]);
  resources = tickingResources(store, market);
  await backfillMonthEnds(ASSETS, resources, PRICES_FROM, DAY);
  const summary = await runAssets(ASSETS, "*", resources, { partition: DAY });
  expect(summary.outcomes.map((o) => [o.asset, o.status])).toEqual(
    expect.arrayContaining([
      ["datos_financieros", "succeeded"],
      ["datos_valuacion_ttm", "succeeded"],
    ]),
  );
  const universe = await store.readAll(universeTable, {
    where: { is_active: true, instrument_type: "EQUITY" },
  });
  equities = universe.map((u) => u.ticker);
  built = await store.readAll(ttmValuationTable);
  dayRun = await lastRun();
});
afterAll(async () => {
  await market?.close();
  await store?.close();
});

describe("datos_valuacion_ttm for the day", () => {
  it("values the quarters that have a close, for most active equities", async () => {
    const run = dayRun;
    expect(run).toMatchObject({ status: "succeeded", checksPassed: true, rows: built.length });
    const tickers = new Set(built.map((r) => r.ticker));
    expect(tickers.size).toBeGreaterThanOrEqual(equities.length * 0.8);
    for (const t of tickers) expect(equities).toContain(t);
    // Prices start in May: quarters ended in June and September are valued, older ones not.
    expect(Math.min(...built.map((r) => Date.parse(r.valuation_date)))).toBeGreaterThanOrEqual(
      Date.parse("2026-05-20"),
    );
    expect(run.metadata).toMatchObject({ chunks: 1, tickers: equities.length });
    expect(run.metadata.noPrice as number).toBeGreaterThan(built.length); // 2020-2026 quarters
    const checks = await store.ledger.checks(run.id);
    expect(checks.map((c) => [c.name, c.passed])).toEqual([
      ["no_statement_filed_after_run_day", true],
      ["recent_valuations_for_most_equities", true],
    ]);
  });

  it("agrees with the quarters it names and the close on or before the quarter end", async () => {
    const quarters = await store.readAll(financialsTable, { where: { period_type: "Q" } });
    const closes = await store.readAll(datosEodTable, {
      columns: ["ticker", "price_date", "close"],
    });
    for (const row of built) {
      const labels = row.quarters_used.split(",");
      expect(labels).toHaveLength(4);
      const used = labels.map(
        (l) => quarters.find((q) => q.ticker === row.ticker && q.period_label === l)!,
      );
      expect(used.map((q) => `${q.fiscal_year}${q.fiscal_period}`)).toEqual(labels);
      expect(used[3]!.period_end_date).toBe(row.valuation_date);
      expect(row.filing_date).toBe(
        used
          .map((q) => q.filing_date)
          .sort()
          .at(-1),
      );
      expect(row.filing_date <= DAY).toBe(true);
      expect(row.revenue_ttm).toBeCloseTo(
        used.reduce((s, q) => s + q.revenue!, 0),
        2,
      );
      const close = closes
        .filter((c) => c.ticker === row.ticker && c.price_date <= row.valuation_date)
        .sort((a, b) => (a.price_date < b.price_date ? 1 : -1))[0]!;
      expect([row.price_date, row.price]).toEqual([close.price_date, close.close]);
      const lag = (Date.parse(row.valuation_date) - Date.parse(row.price_date)) / 86_400_000;
      expect(lag).toBeLessThanOrEqual(PRICE_LOOKBACK_DAYS);
      const shares = used[3]!.weighted_shares_out!;
      expect(row.market_cap).toBeCloseTo(row.price * shares, 0);
      if (row.pe_ratio !== null) {
        expect(row.net_income_ttm!).toBeGreaterThan(0);
        expect(row.pe_ratio).toBeCloseTo(row.market_cap! / row.net_income_ttm!, 8);
      } else expect(row.net_income_ttm === null || row.net_income_ttm <= 0).toBe(true);
    }
  });

  it("writes nothing and changes no row when the partition is run again", async () => {
    const before = byKey(await store.readAll(ttmValuationTable));
    expect(withoutStamp(before)).toEqual(withoutStamp(built));
    const summary = await runAssets(ASSETS, "datos_valuacion_ttm", resources, {
      partition: DAY,
      force: true,
    });
    expect(summary.outcomes[0]).toMatchObject({ status: "succeeded", rows: 0 });
    expect((await lastRun()).metadata).toMatchObject({ written: 0, unchanged: built.length });
    expect(byKey(await store.readAll(ttmValuationTable))).toEqual(before);
  });

  it("values only its ticker on a scoped run", async () => {
    const ticker = built[0]!.ticker;
    const own = built.filter((r) => r.ticker === ticker);
    await store.delete(ttmValuationTable, { ticker });
    const summary = await runAssets(ASSETS, "datos_valuacion_ttm", resources, {
      partition: DAY,
      scope: { tickers: [ticker] },
    });
    expect(summary.outcomes[0]).toMatchObject({ status: "succeeded", rows: own.length });
    expect((await lastRun()).metadata).toMatchObject({ tickers: 1, written: own.length });
    expect(withoutStamp(await store.readAll(ttmValuationTable))).toEqual(withoutStamp(built));
  });
});

describe("point in time", () => {
  it("an earlier partition values only quarters filed by then; the later day adds the rest", async () => {
    await store.delete(ttmValuationTable, { valuation_date: { gte: "1900-01-01" } });
    const earlier = await runAssets(ASSETS, "datos_financieros,datos_valuacion_ttm", resources, {
      partition: EARLIER,
    });
    expect(earlier.outcomes.map((o) => o.status)).toEqual(["succeeded", "succeeded"]);
    const run = await lastRun();
    expect(run.checksPassed).toBe(true);
    const first = await store.readAll(ttmValuationTable);
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBe(run.rows);
    for (const row of first) {
      expect(row.filing_date <= EARLIER).toBe(true);
      expect(row.valuation_date <= EARLIER).toBe(true);
    }
    // Every row the earlier day wrote is the row the later day had built.
    const later = new Map(withoutStamp(built).map((r) => [`${r.ticker} ${r.valuation_date}`, r]));
    for (const row of withoutStamp(first))
      expect(row).toEqual(later.get(`${row.ticker} ${row.valuation_date}`));
    // Quarters filed after the earlier day (September quarters, most June ones) are missing.
    expect(first.length).toBeLessThan(built.length);

    const summary = await runAssets(ASSETS, "datos_valuacion_ttm", resources, {
      partition: DAY,
      force: true,
    });
    expect(summary.outcomes[0]).toMatchObject({
      status: "succeeded",
      rows: built.length - first.length,
    });
    expect(withoutStamp(await store.readAll(ttmValuationTable))).toEqual(withoutStamp(built));
  });
});
