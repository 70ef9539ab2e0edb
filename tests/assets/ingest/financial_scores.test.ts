/**
 * financial_scores: Altman Z and Piotroski F computed from our statements and closes, on
 * hand-made rows (the definitions, which rows are read) and on the sandbox (any day can be
 * built, from data filed and dated by then, and a rerun changes no row).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import datosEod from "../../../assets/datos_eod.ts";
import financialScores, {
  altmanZ,
  closeOnDay,
  type FinancialScoresRow,
  financialScoresTable,
  piotroskiScore,
  piotroskiTests,
  type ScoreFinancials,
  scoreInputs,
  scoreRow,
} from "../../../assets/financial_scores.ts";
import fintraUniverse from "../../../assets/fintra_universe.ts";
import datosFinancieros from "../../../assets/statements/datos_financieros.ts";
import type { Store } from "../../../db/index.ts";
import type { Resources } from "../../../runtime/resources.ts";
import { scoresBulk } from "../../../sources/fmp/index.ts";
import {
  marketResources,
  runAssets,
  startTestMarket,
  type TestMarket,
} from "../../helpers/sandbox.ts";
import { openTestStore } from "../../helpers/store.ts";

const DAY = "2026-11-27";

/** A TTM row ending at a fiscal Q3, with every figure the scores read. */
function ttm(fiscalYear: number, over: Partial<ScoreFinancials> = {}): ScoreFinancials {
  return {
    ticker: "ACME",
    period_type: "TTM",
    period_label: `${fiscalYear}Q3`,
    period_end_date: `${fiscalYear}-09-30`,
    fiscal_year: fiscalYear,
    fiscal_period: "Q3",
    filing_date: `${fiscalYear}-11-05`,
    revenue: 1000,
    gross_profit: 400,
    ebit: 150,
    net_income: 100,
    operating_cash_flow: 130,
    total_assets: 2000,
    total_liabilities: 800,
    retained_earnings: 500,
    long_term_debt: 300,
    total_current_assets: 600,
    total_current_liabilities: 400,
    weighted_shares_out: 110,
    shares_outstanding: 100,
    ...over,
  };
}

/** A year better than the last on every test (t−1 = 2025, t−2 = 2024). */
function improving() {
  return {
    current: ttm(2026, { revenue: 1200, gross_profit: 540, net_income: 150, total_assets: 2200 }),
    prior: ttm(2025, { long_term_debt: 400, total_current_assets: 500, shares_outstanding: 101 }),
    priorPrior: ttm(2024, { total_assets: 1800 }),
  };
}

describe("Altman Z", () => {
  it("weighs the five ratios of a public manufacturer", () => {
    const z = altmanZ({
      working_capital: 200,
      total_assets: 2000,
      retained_earnings: 500,
      ebit: 150,
      market_value_of_equity: 4000,
      total_liabilities: 800,
      revenue: 1000,
    });
    expect(z).toBeCloseTo(1.2 * 0.1 + 1.4 * 0.25 + 3.3 * 0.075 + 0.6 * 5 + 1.0 * 0.5, 12);
  });

  it("is null without an input or over non-positive assets or liabilities", () => {
    const x = {
      working_capital: 200,
      total_assets: 2000,
      retained_earnings: 500,
      ebit: 150,
      market_value_of_equity: 4000,
      total_liabilities: 800,
      revenue: 1000,
    };
    expect(altmanZ({ ...x, market_value_of_equity: null })).toBeNull();
    expect(altmanZ({ ...x, total_assets: 0 })).toBeNull();
    expect(altmanZ({ ...x, total_liabilities: -5 })).toBeNull();
    // A negative working capital or retained earnings is a real (bad) reading, not missing.
    expect(altmanZ({ ...x, retained_earnings: -500 })).toBeCloseTo(
      1.2 * 0.1 - 1.4 * 0.25 + 3.3 * 0.075 + 3 + 0.5,
      12,
    );
  });
});

describe("Piotroski F", () => {
  it("scores a company better than a year ago on every test but accruals", () => {
    const tests = piotroskiTests(improving());
    expect(tests).toEqual({
      roa_positive: 1,
      cfo_positive: 1,
      roa_improved: 1, // 150 / 2000 = 7.5 % against 100 / 1800 = 5.6 %
      accruals: 0, // 130 of cash flow against 150 of net income: earnings ahead of cash
      leverage_fell: 1,
      current_ratio_improved: 1,
      no_new_shares: 1,
      gross_margin_improved: 1,
      asset_turnover_improved: 1,
    });
    expect(piotroskiScore(tests)).toBe(8);
  });

  it("fails a test on a tie or a worsening, and scales by beginning-of-year assets", () => {
    const { current, prior, priorPrior } = improving();
    const tests = piotroskiTests({
      current: { ...current, operating_cash_flow: -10, shares_outstanding: 102 },
      prior: { ...prior, gross_profit: 450, revenue: 1000 },
      priorPrior,
    });
    expect(tests).toMatchObject({
      cfo_positive: 0,
      accruals: 0,
      no_new_shares: 0,
      // 540 / 1200 = 45 % is 45 % a year ago: no improvement.
      gross_margin_improved: 0,
    });
    // Turnover: 1200 over the 2000 of t−1's end, against 1000 over the 1800 of t−2's end.
    expect(piotroskiTests(improving()).asset_turnover_improved).toBe(1);
    expect(
      piotroskiTests({ current, prior, priorPrior: { ...priorPrior, total_assets: 1600 } })
        .asset_turnover_improved,
    ).toBe(0);
  });

  it("leaves the year-over-year tests unknown without the earlier rows, and the score null", () => {
    const { current, prior } = improving();
    const noPriorPrior = piotroskiTests({ current, prior, priorPrior: null });
    expect(noPriorPrior).toMatchObject({
      roa_positive: 1,
      roa_improved: null,
      leverage_fell: null,
      asset_turnover_improved: null,
      current_ratio_improved: 1,
    });
    expect(piotroskiScore(noPriorPrior)).toBeNull();
    const alone = piotroskiTests({ current, prior: null, priorPrior: null });
    expect(alone).toMatchObject({ roa_positive: null, cfo_positive: 1, accruals: 0 });
    expect(piotroskiScore(alone)).toBeNull();
  });
});

describe("which rows a day reads", () => {
  it("takes the latest TTM or FY filed by D (TTM wins a tie) and the same type a year and two back", () => {
    const fy2025 = {
      ...ttm(2025),
      period_type: "FY" as const,
      period_label: "2025",
      fiscal_period: "FY" as const,
      period_end_date: "2026-09-30",
    };
    const rows = [ttm(2023), ttm(2024), ttm(2025), ttm(2026), fy2025];
    const inputs = scoreInputs(rows, DAY);
    expect(inputs?.current.period_label).toBe("2026Q3");
    expect(inputs?.prior?.period_label).toBe("2025Q3");
    expect(inputs?.priorPrior?.period_label).toBe("2024Q3");
  });

  it("ignores rows filed after D, and has nothing when the latest ended 550+ days before", () => {
    const rows = [ttm(2024), ttm(2025), ttm(2026, { filing_date: "2026-11-30" })];
    expect(scoreInputs(rows, DAY)?.current.period_label).toBe("2025Q3");
    expect(scoreInputs(rows, DAY)?.priorPrior).toBeNull();
    expect(scoreInputs([ttm(2024)], DAY)).toBeNull();
  });

  it("prices equity at the latest close of the last 10 days, and records what it used", () => {
    const closes = [
      { price_date: "2026-11-10", close: 9 },
      { price_date: "2026-11-25", close: 20 },
      { price_date: "2026-11-30", close: 99 },
    ];
    expect(closeOnDay(closes, DAY)).toEqual({ price_date: "2026-11-25", close: 20 });
    expect(closeOnDay(closes.slice(0, 1), DAY)).toBeNull();
    const row = scoreRow("ACME", DAY, improving(), { price_date: "2026-11-25", close: 20 });
    expect(row).toMatchObject({
      market_cap: 110 * 20,
      working_capital: 200,
      inputs_period_type: "TTM",
      inputs_period_label: "2026Q3",
      prior_period_label: "2025Q3",
      filing_date: "2026-11-05",
      price_date: "2026-11-25",
      piotroski_score: 8,
    });
    expect(scoreRow("ACME", DAY, improving(), null)).toMatchObject({
      altman_z: null,
      market_cap: null,
      piotroski_score: 8,
    });
  });
});

// ---------------------------------------------------------------------------------------
// On the sandbox

const ASSETS = [fintraUniverse, datosEod, datosFinancieros, financialScores];
const EARLIER = "2026-11-20";

let store: Store;
let market: TestMarket;
let resources: Resources;

beforeAll(async () => {
  [store, market] = await Promise.all([
    openTestStore(),
    startTestMarket({ tickers: 60, asOf: DAY, historyYears: 1 }),
  ]);
  resources = marketResources(store, market);
  for (const day of [EARLIER, DAY]) {
    const summary = await runAssets(ASSETS, "*", resources, { partition: day });
    expect(summary.exitCode, day).toBe(0);
  }
});
afterAll(async () => {
  await market.close();
  await store.close();
});

const scoresOf = (day: string) =>
  store.readAll(financialScoresTable, { where: { score_date: day } });

describe("financial_scores on the sandbox", () => {
  it("scores the equities with statements, from data filed and dated by D", async () => {
    const rows = await scoresOf(DAY);
    expect(rows.length).toBeGreaterThan(30);
    expect(rows.every((r) => r.source === "fintra_statements")).toBe(true);
    expect(rows.every((r) => (r.filing_date ?? "") <= DAY && r.price_date === DAY)).toBe(true);
    expect(rows.filter((r) => r.altman_z !== null).length).toBeGreaterThan(rows.length * 0.9);
    expect(rows.filter((r) => r.piotroski_score !== null).length).toBeGreaterThan(
      rows.length * 0.8,
    );
    const [run] = await store.ledger.history({ asset: "financial_scores", limit: 1 });
    expect(run).toMatchObject({ status: "succeeded", checksPassed: true });
  });

  it("builds a past day too, from what was known then", async () => {
    const rows = await scoresOf(EARLIER);
    expect(rows.length).toBeGreaterThan(30);
    expect(rows.every((r) => (r.filing_date ?? "") <= EARLIER && r.price_date === EARLIER)).toBe(
      true,
    );
  });

  it("agrees with the sandbox's own (FMP-shaped) Altman Z of the day for most companies", async () => {
    const fmp = new Map<string, number>();
    for await (const batch of market.fmp().csv(scoresBulk, {})) {
      for (const r of batch) if (r.altmanZScore !== null) fmp.set(r.symbol, r.altmanZScore);
    }
    const ours = (await scoresOf(DAY)).filter((r) => r.altman_z !== null && fmp.has(r.ticker));
    // Share counts differ (FMP prices equity at its shares outstanding, we at diluted
    // weighted shares), so only the order of magnitude is asked of every company.
    const close = ours.filter((r) => {
      const theirs = fmp.get(r.ticker) as number;
      return Math.abs((r.altman_z as number) - theirs) <= 0.15 * Math.abs(theirs) + 0.1;
    });
    expect(ours.length).toBeGreaterThan(30);
    expect(close.length).toBeGreaterThan(ours.length * 0.8);
  });

  it("a forced rerun of a day changes no row; a scoped run rewrites only its ticker", async () => {
    const key = (r: FinancialScoresRow) => r.ticker;
    const before = (await scoresOf(DAY)).sort((a, b) => key(a).localeCompare(key(b)));
    const rerun = await runAssets(ASSETS, "financial_scores", resources, {
      partition: DAY,
      force: true,
    });
    expect(rerun.outcomes[0]).toMatchObject({ status: "succeeded" });
    const after = (await scoresOf(DAY)).sort((a, b) => key(a).localeCompare(key(b)));
    expect(after).toEqual(before);
    const ticker = before[0]!.ticker;
    const scoped = await runAssets(ASSETS, "financial_scores", resources, {
      partition: DAY,
      force: true,
      scope: { tickers: [ticker] },
    });
    expect(scoped.outcomes[0]).toMatchObject({ status: "succeeded", rows: 1 });
    expect((await scoresOf(DAY)).length).toBe(before.length);
  });

  it("replaces a stray row of the day on a full run", async () => {
    const stray = { ...(await scoresOf(DAY))[0]!, ticker: "GONE", source: "fmp_scores_bulk" };
    await store.upsert(financialScoresTable, [stray]);
    await runAssets(ASSETS, "financial_scores", resources, { partition: DAY, force: true });
    expect((await scoresOf(DAY)).some((r) => r.ticker === "GONE")).toBe(false);
  });
});
