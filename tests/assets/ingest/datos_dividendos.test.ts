/**
 * datos_dividendos: the per-ticker build on hand-made FY statements (cash paid, per share,
 * payouts, growth against the year before), and the asset end to end against the sandbox.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fintraUniverse, { universeTable } from "../../../assets/fintra_universe.ts";
import datosDividendos, {
  buildTickerDividends,
  type DividendsRow,
  dividendCashPaid,
  dividendsTable,
  dividendYear,
} from "../../../assets/statements/datos_dividendos.ts";
import type { CashFlowFacts, IncomeFacts } from "../../../assets/statements/statements.ts";
import type { Store } from "../../../db/index.ts";
import type { Resources } from "../../../runtime/resources.ts";
import {
  marketResources,
  runAssets,
  startTestMarket,
  type TestMarket,
} from "../../helpers/sandbox.ts";
import { openTestStore } from "../../helpers/store.ts";

// ---------------------------------------------------------------------------------------
// Hand-made FY statements

const UPDATED = "2026-11-27T23:00:00.000Z";

function fiscalYear(
  year: number,
  over: { income?: Partial<IncomeFacts>; cashFlow?: Partial<CashFlowFacts> } = {},
) {
  const stamp = {
    symbol: "ACME",
    date: `${year}-09-30`,
    filingDate: `${year}-11-15`,
    fiscalYear: year,
    period: "FY" as const,
  };
  const income: IncomeFacts = {
    ...stamp,
    revenue: 1000,
    grossProfit: 500,
    operatingIncome: 300,
    interestExpense: 10,
    ebitda: 350,
    netIncome: 200,
    weightedAverageShsOut: 100,
    weightedAverageShsOutDil: 105,
    ...over.income,
  };
  const cashFlow: CashFlowFacts = {
    ...stamp,
    operatingCashFlow: 300,
    capitalExpenditure: -50,
    freeCashFlow: 250,
    commonDividendsPaid: -80,
    netDividendsPaid: -90,
    ...over.cashFlow,
  };
  return { income, cashFlow };
}

describe("dividendYear", () => {
  it("takes the common dividends paid, per basic share and as payouts in percent", () => {
    const { income, cashFlow } = fiscalYear(2025);
    expect(dividendYear("ACME", income, cashFlow, UPDATED)).toEqual({
      ticker: "ACME",
      year: 2025,
      fiscal_year_end_date: "2025-09-30",
      dividend_cash_paid: 80,
      dividend_per_share: 0.8,
      payout_eps: 40,
      payout_fcf: 32,
      has_dividend: true,
      is_growing: null,
      source: "fmp-bulk",
      filing_date: "2025-11-15",
      updated_at: UPDATED,
    } satisfies DividendsRow);
  });

  it("falls back to net dividends only when the common figure is missing", () => {
    expect(dividendCashPaid({ commonDividendsPaid: null, netDividendsPaid: -90 })).toBe(90);
    expect(dividendCashPaid({ commonDividendsPaid: 0, netDividendsPaid: -90 })).toBe(0);
    expect(dividendCashPaid({ commonDividendsPaid: null, netDividendsPaid: null })).toBeNull();
  });

  it("leaves ratios out when their base is not positive", () => {
    const { income, cashFlow } = fiscalYear(2025, {
      income: { netIncome: -5, weightedAverageShsOut: 0 },
      cashFlow: { freeCashFlow: null, operatingCashFlow: 40, capitalExpenditure: -60 },
    });
    expect(dividendYear("ACME", income, cashFlow, UPDATED)).toMatchObject({
      dividend_cash_paid: 80,
      dividend_per_share: null,
      payout_eps: null,
      payout_fcf: null, // FCF from 40 − |−60| = −20
      has_dividend: false,
    });
    const fcf = fiscalYear(2025, { cashFlow: { freeCashFlow: null } });
    expect(dividendYear("ACME", fcf.income, fcf.cashFlow, UPDATED).payout_fcf).toBeCloseTo(32, 12);
    const none = fiscalYear(2025, { cashFlow: { commonDividendsPaid: 0 } });
    expect(dividendYear("ACME", none.income, none.cashFlow, UPDATED)).toMatchObject({
      dividend_cash_paid: 0,
      dividend_per_share: 0,
      payout_eps: 0,
      has_dividend: false,
    });
  });

  it("dates the row with the later of the two filings", () => {
    const { income, cashFlow } = fiscalYear(2025, { cashFlow: { filingDate: "2025-12-01" } });
    expect(dividendYear("ACME", income, cashFlow, UPDATED).filing_date).toBe("2025-12-01");
  });
});

describe("buildTickerDividends", () => {
  const statements = (...years: ReturnType<typeof fiscalYear>[]) => ({
    income: years.map((y) => y.income),
    cashFlow: years.map((y) => y.cashFlow),
  });

  it("marks growth against the previous fiscal year, from this run or the table", () => {
    const built = buildTickerDividends(
      "ACME",
      statements(
        fiscalYear(2023, { cashFlow: { commonDividendsPaid: -70 } }),
        fiscalYear(2024, { cashFlow: { commonDividendsPaid: -60 } }),
        fiscalYear(2025),
      ),
      { asOf: "2026-11-27", updatedAt: UPDATED, previous: new Map([[2022, 0.65]]) },
    );
    expect(built.rows.map((r) => [r.year, r.dividend_per_share, r.is_growing])).toEqual([
      [2023, 0.7, true],
      [2024, 0.6, false],
      [2025, 0.8, true],
    ]);
    const unknown = buildTickerDividends("ACME", statements(fiscalYear(2025)), {
      asOf: "2026-11-27",
      updatedAt: UPDATED,
    });
    expect(unknown.rows[0]?.is_growing).toBeNull();
  });

  it("needs both FY statements filed by its day, and ignores quarters", () => {
    const late = fiscalYear(2026);
    const quarter = fiscalYear(2024);
    const built = buildTickerDividends(
      "ACME",
      {
        income: [fiscalYear(2024).income, fiscalYear(2025).income, late.income],
        cashFlow: [fiscalYear(2025).cashFlow, late.cashFlow, { ...quarter.cashFlow, period: "Q4" }],
      },
      { asOf: "2026-06-30", updatedAt: UPDATED },
    );
    expect(built.rows.map((r) => r.year)).toEqual([2025]);
    expect(built.incompleteYears).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------
// The asset against the sandbox market

const DAY = "2026-11-25";

function tickingResources(store: Store, market: TestMarket): Resources {
  const base = marketResources(store, market);
  let tick = 0;
  const start = base.now().getTime();
  return { ...base, now: () => new Date(start + 1000 * tick++) };
}

async function lastRun(store: Store) {
  const [m] = await store.ledger.history({ asset: "datos_dividendos", limit: 1 });
  if (!m) throw new Error("no datos_dividendos run");
  return m;
}

const withoutUpdatedAt = (rows: DividendsRow[]) => rows.map(({ updated_at: _, ...rest }) => rest);

describe("datos_dividendos against the sandbox", () => {
  let store: Store;
  let market: TestMarket;
  let resources: Resources;
  let equities: string[];
  // The fixture: the day's full run, and the rows it left.
  let fullRun: Awaited<ReturnType<typeof lastRun>>;
  let fullRows: DividendsRow[];

  beforeAll(async () => {
    [store, market] = await Promise.all([
      openTestStore(),
      startTestMarket({ tickers: 40, asOf: "2026-11-27" }),
    ]);
    resources = tickingResources(store, market);
    const summary = await runAssets([fintraUniverse, datosDividendos], "*", resources, {
      partition: DAY,
    });
    expect(summary.outcomes.map((o) => o.status)).toEqual(["succeeded", "succeeded"]);
    const universe = await store.readAll(universeTable, {
      where: { is_active: true, instrument_type: "EQUITY" },
    });
    equities = universe.map((u) => u.ticker);
    fullRun = await lastRun(store);
    fullRows = await store.readAll(dividendsTable);
  });
  afterAll(async () => {
    await market?.close();
    await store?.close();
  });

  it("writes a row per equity and fiscal year that matches the sandbox's dividends", () => {
    const rows = fullRows;
    expect(new Set(rows.map((r) => r.ticker))).toEqual(new Set(equities));
    const run = fullRun;
    expect(run).toMatchObject({
      status: "succeeded",
      partition: null,
      runDate: DAY,
      rows: rows.length,
      checksPassed: true,
    });
    expect(run.metadata).toMatchObject({
      window: "full",
      fiscalYears: [2020, 2027],
      files: 16,
      skipped: 0,
    });
    let payers = 0;
    for (const row of rows) {
      const served = market.market.statement(row.ticker, "cash-flow", row.year, "FY");
      expect(row.dividend_cash_paid).toBe(Math.abs(Number(served?.commonDividendsPaid)));
      expect(row.fiscal_year_end_date).toBe(served?.date);
      const instrument = market.market.instrument(row.ticker)!;
      const paid = market.market.dividendPerShare(instrument, row.year);
      if (paid > 0) {
        payers++;
        expect(row.has_dividend).toBe(true);
        // The sandbox pays a rounded quarterly amount on each quarter's share count.
        expect(row.dividend_per_share! / paid).toBeGreaterThan(0.9);
        expect(row.dividend_per_share! / paid).toBeLessThan(1.1);
      } else {
        expect(row).toMatchObject({ has_dividend: false, dividend_cash_paid: 0 });
      }
    }
    expect(payers).toBeGreaterThan(10);
    expect(run.metadata.payers).toBe(rows.filter((r) => r.has_dividend).length);
  });

  it("marks growth against the year before whenever that year is known", async () => {
    const rows = await store.readAll(dividendsTable);
    for (const row of rows) {
      const before = rows.find((r) => r.ticker === row.ticker && r.year === row.year - 1);
      const expected =
        before?.dividend_per_share != null && row.dividend_per_share != null
          ? row.dividend_per_share > before.dividend_per_share
          : null;
      expect(row.is_growing, `${row.ticker} ${row.year}`).toBe(expected);
    }
    expect(rows.some((r) => r.is_growing === true)).toBe(true);
  });

  it("rewrites the same rows when run again, growth from the table's earlier years", async () => {
    const before = await store.readAll(dividendsTable);
    const summary = await runAssets(
      [fintraUniverse, datosDividendos],
      "datos_dividendos",
      resources,
      {
        partition: DAY,
        force: true,
      },
    );
    expect(summary.outcomes[0]?.status).toBe("succeeded");
    const run = await lastRun(store);
    expect(run.metadata).toMatchObject({ window: "mutable", fiscalYears: [2025, 2027], files: 6 });
    const after = await store.readAll(dividendsTable);
    expect(withoutUpdatedAt(after)).toEqual(withoutUpdatedAt(before));
  });

  it("for an earlier day, writes only what was filed by then", async () => {
    const day = "2025-06-10";
    const summary = await runAssets(
      [fintraUniverse, datosDividendos],
      "datos_dividendos",
      resources,
      {
        partition: day,
        force: true,
      },
    );
    expect(summary.outcomes[0]?.status).toBe("succeeded");
    const run = await lastRun(store);
    expect(run.checksPassed).toBe(true);
    const written = await store.readAll(dividendsTable, {
      where: { updated_at: run.metadata.updatedAt as string },
    });
    expect(written.length).toBe(run.rows);
    expect(written.filter((r) => r.filing_date > day)).toEqual([]);
    // The ledger's coverage (2020..2025) lacks 2019, which this day's history needs.
    expect(run.metadata).toMatchObject({
      window: "full",
      fiscalYears: [2019, 2026],
      historyCovered: [[2019, 2025]],
    });
    const expected = equities.flatMap((t) =>
      [2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026]
        .filter((fy) => {
          const served = market.market.statement(t, "income", fy, "FY");
          return served !== undefined && String(served.filingDate) <= day;
        })
        .map((fy) => `${t} ${fy}`),
    );
    expect(written.map((r) => `${r.ticker} ${r.year}`).sort()).toEqual(expected.sort());
  });

  it("writes only its ticker on a scoped run", async () => {
    const ticker = equities[2]!;
    const summary = await runAssets([fintraUniverse, datosDividendos], "*", resources, {
      partition: DAY,
      scope: { tickers: [ticker] },
    });
    expect(summary.outcomes.map((o) => o.status)).toEqual(["succeeded", "succeeded"]);
    const run = await lastRun(store);
    const written = await store.readAll(dividendsTable, {
      where: { updated_at: run.metadata.updatedAt as string },
    });
    expect(written.length).toBeGreaterThan(0);
    expect(new Set(written.map((r) => r.ticker))).toEqual(new Set([ticker]));
  });
});
