/**
 * datos_financieros: the per-ticker build on hand-made statements (labels, TTM, ratios,
 * CAGRs, point in time), the asset end to end against the sandbox market, and MSFT's
 * fiscal 2026 Q1 from the real FMP files when they are present.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fintraUniverse, { universeTable } from "../../../assets/fintra_universe.ts";
import datosFinancieros, {
  type FinancialsRow,
  financialsTable,
  tickersWithHistory,
} from "../../../assets/statements/datos_financieros.ts";
import { fetchStatements, statementFiles } from "../../../assets/statements/fetch.ts";
import {
  buildTickerFinancials,
  fillMissingStatements,
  matchPeriods,
  type PeriodFacts,
  ratio,
} from "../../../assets/statements/periods.ts";
import {
  type BalanceFacts,
  type CashFlowFacts,
  coveredAfter,
  fiscalYearWindow,
  historyYears,
  type IncomeFacts,
  mergeYearRanges,
  StatementBook,
  type TickerStatements,
  type YearRange,
} from "../../../assets/statements/statements.ts";
import type { Store } from "../../../db/index.ts";
import type { Resources } from "../../../runtime/resources.ts";
import {
  createFmpClient,
  type IncomeStatementRow,
  type Period,
} from "../../../sources/fmp/index.ts";
import {
  marketResources,
  runAssets,
  startTestMarket,
  type TestMarket,
} from "../../helpers/sandbox.ts";
import { openTestStore } from "../../helpers/store.ts";
import { type FaultServer, startFaultServer } from "../../sources/fmp/helpers/fault-server.ts";
import { fixturePath, fixturesDir, haveFixtures } from "../../sources/fmp/helpers/fixtures.ts";

// ---------------------------------------------------------------------------------------
// Hand-made statements: a company whose fiscal year ends in June (like MSFT).

interface Figures {
  revenue?: number | null;
  grossProfit?: number | null;
  operatingIncome?: number | null;
  interestExpense?: number | null;
  ebitda?: number | null;
  netIncome?: number | null;
  shares?: number | null;
  dilutedShares?: number | null;
  equity?: number | null;
  debt?: number | null;
  cash?: number | null;
  currentAssets?: number | null;
  currentLiabilities?: number | null;
  operatingCashFlow?: number | null;
  capex?: number | null;
  ebit?: number | null;
  totalAssets?: number | null;
  totalLiabilities?: number | null;
  retainedEarnings?: number | null;
  longTermDebt?: number | null;
}

const BASE: Required<Figures> = {
  revenue: 1000,
  grossProfit: 600,
  operatingIncome: 300,
  interestExpense: 20,
  ebitda: 400,
  netIncome: 200,
  shares: 100,
  dilutedShares: 110,
  equity: 2000,
  debt: 500,
  cash: 300,
  currentAssets: 900,
  currentLiabilities: 600,
  operatingCashFlow: 350,
  capex: -50,
  ebit: 310,
  totalAssets: 4000,
  totalLiabilities: 2000,
  retainedEarnings: 1200,
  longTermDebt: 400,
};

interface Filed {
  fiscalYear: number;
  period: Period;
  date: string;
  filingDate: string;
}

function statementsFor(p: Filed, over: Figures = {}) {
  const f = { ...BASE, ...over };
  const stamp = { symbol: "ACME", ...p };
  const income: IncomeFacts = {
    ...stamp,
    revenue: f.revenue,
    grossProfit: f.grossProfit,
    operatingIncome: f.operatingIncome,
    interestExpense: f.interestExpense,
    ebitda: f.ebitda,
    netIncome: f.netIncome,
    weightedAverageShsOut: f.shares,
    weightedAverageShsOutDil: f.dilutedShares,
    ebit: f.ebit,
  };
  const balance: BalanceFacts = {
    ...stamp,
    cashAndCashEquivalents: f.cash,
    totalCurrentAssets: f.currentAssets,
    totalCurrentLiabilities: f.currentLiabilities,
    totalStockholdersEquity: f.equity,
    totalDebt: f.debt,
    totalAssets: f.totalAssets,
    totalLiabilities: f.totalLiabilities,
    retainedEarnings: f.retainedEarnings,
    longTermDebt: f.longTermDebt,
  };
  const cashFlow: CashFlowFacts = {
    ...stamp,
    operatingCashFlow: f.operatingCashFlow,
    capitalExpenditure: f.capex,
    freeCashFlow: f.operatingCashFlow === null ? null : f.operatingCashFlow + f.capex!,
    commonDividendsPaid: null,
    netDividendsPaid: null,
  };
  return { income, balance, cashFlow };
}

function collect(...periods: ReturnType<typeof statementsFor>[]): TickerStatements {
  return {
    income: periods.map((p) => p.income),
    balance: periods.map((p) => p.balance),
    cashFlow: periods.map((p) => p.cashFlow),
  };
}

/** Quarter ends of a June fiscal year: fiscal 2026 Q1 ends 2025-09-30. */
const QUARTER_END: Record<string, [number, string]> = {
  Q1: [-1, "09-30"],
  Q2: [-1, "12-31"],
  Q3: [0, "03-31"],
  Q4: [0, "06-30"],
  FY: [0, "06-30"],
};

function june(fiscalYear: number, period: Period, over: Figures = {}, filedDays = 30) {
  const [shift, monthDay] = QUARTER_END[period]!;
  const date = `${fiscalYear + shift}-${monthDay}`;
  const filed = new Date(Date.parse(`${date}T00:00:00Z`) + filedDays * 86_400_000);
  return statementsFor(
    { fiscalYear, period, date, filingDate: filed.toISOString().slice(0, 10) },
    over,
  );
}

const OPTIONS = { asOf: "2026-11-27", updatedAt: "2026-11-27T23:00:00.000Z" };
const OPTIONS_2026Q1 = { asOf: "2026-12-04", updatedAt: "2026-12-04T23:00:00.000Z" };

const find = (rows: FinancialsRow[], type: string, label: string) => {
  const row = rows.find((r) => r.period_type === type && r.period_label === label);
  if (!row) throw new Error(`no ${type} ${label} in ${rows.map((r) => r.period_label)}`);
  return row;
};

describe("buildTickerFinancials", () => {
  it("labels periods by FMP's fiscal year, not the calendar year of the period end", () => {
    const { rows } = buildTickerFinancials(
      "ACME",
      collect(june(2025, "FY"), june(2026, "Q1")),
      OPTIONS,
    );
    expect(find(rows, "FY", "2025")).toMatchObject({
      period_end_date: "2025-06-30",
      fiscal_year: 2025,
      fiscal_period: "FY",
    });
    expect(find(rows, "Q", "2026Q1")).toMatchObject({
      period_end_date: "2025-09-30",
      fiscal_year: 2026,
      fiscal_period: "Q1",
      filing_date: "2025-10-30",
      source: "fmp_bulk",
      updated_at: OPTIONS.updatedAt,
    });
    expect(rows.map((r) => r.period_label)).not.toContain("2025Q1");
  });

  it("builds a TTM from 4 consecutive quarters: flows summed, balances and shares from the latest", () => {
    const quarters = [
      june(2025, "Q2", { revenue: 100, operatingIncome: 10, capex: -5, operatingCashFlow: 20 }),
      june(2025, "Q3", { revenue: 200, operatingIncome: 20, capex: -6, operatingCashFlow: 30 }),
      june(2025, "Q4", { revenue: 300, operatingIncome: 30, capex: -7, operatingCashFlow: 40 }, 50),
      june(2026, "Q1", {
        revenue: 400,
        operatingIncome: 40,
        capex: -8,
        operatingCashFlow: 50,
        equity: 5000,
        debt: 1000,
        shares: 90,
        dilutedShares: 95,
        cash: 777,
        ebit: 50,
        totalAssets: 9000,
        totalLiabilities: 4000,
        retainedEarnings: 2500,
        longTermDebt: 800,
      }),
    ];
    const built = buildTickerFinancials("ACME", collect(...quarters), OPTIONS);
    expect(built.latestTtmGap).toBeNull();
    const ttms = built.rows.filter((r) => r.period_type === "TTM");
    expect(ttms.map((r) => r.period_label)).toEqual(["2026Q1"]);
    const ttm = ttms[0]!;
    expect(ttm).toMatchObject({
      period_end_date: "2025-09-30",
      fiscal_year: 2026,
      fiscal_period: "Q1",
      revenue: 1000,
      operating_income: 100,
      net_income: 800,
      interest_expense: 80,
      operating_cash_flow: 140,
      capex: -26,
      free_cash_flow: 140 - 26,
      total_equity: 5000,
      total_debt: 1000,
      cash_and_equivalents: 777,
      weighted_shares_out: 95,
      shares_outstanding: 90,
      invested_capital: 6000,
      // The scores' inputs: EBIT is a flow, the rest are the latest quarter's balances.
      ebit: 310 * 3 + 50,
      total_assets: 9000,
      total_liabilities: 4000,
      retained_earnings: 2500,
      long_term_debt: 800,
    });
    // The latest filing date among the 4 quarters (Q4 came out 2025-08-19).
    expect(ttm.filing_date).toBe("2025-10-30");
    expect(ttm.operating_margin).toBeCloseTo(0.1, 12);
    expect(ttm.fcf_margin).toBeCloseTo(114 / 1000, 12);
    expect(ttm.book_value_per_share).toBeCloseTo(5000 / 95, 12);
    expect(ttm.interest_coverage).toBeCloseTo(100 / 80, 12);
  });

  it("writes no TTM when a quarter is missing, and says why", () => {
    const gap = buildTickerFinancials(
      "ACME",
      collect(june(2025, "Q1"), june(2025, "Q2"), june(2025, "Q4"), june(2026, "Q1")),
      OPTIONS,
    );
    expect(gap.rows.filter((r) => r.period_type === "TTM")).toEqual([]);
    expect(gap.latestTtmGap).toBe("not_consecutive");

    const few = buildTickerFinancials("ACME", collect(june(2025, "Q4"), june(2026, "Q1")), OPTIONS);
    expect(few.latestTtmGap).toBe("fewer_than_4_quarters");
  });

  it("writes a period from the statements it has, and sums a TTM figure only over 4 quarters that have it", () => {
    const q3 = june(2025, "Q3");
    const partial = collect(june(2025, "Q2"), q3, june(2025, "Q4"), june(2026, "Q1"));
    const built = buildTickerFinancials(
      "ACME",
      { ...partial, cashFlow: partial.cashFlow.filter((c) => c !== q3.cashFlow) },
      OPTIONS,
    );
    expect(built.incompletePeriods).toBe(1);
    expect(built.rows.filter((r) => r.period_type === "Q").map((r) => r.period_label)).toEqual([
      "2025Q2",
      "2025Q3",
      "2025Q4",
      "2026Q1",
    ]);
    expect(find(built.rows, "Q", "2025Q3")).toMatchObject({
      statements: ["income", "balance"],
      revenue: 1000,
      net_margin: 0.2,
      total_equity: 2000,
      operating_cash_flow: null,
      capex: null,
      free_cash_flow: null,
      fcf_margin: null,
      data_completeness: 80,
    });
    // The TTM has the income and balance figures; its cash flows need all 4 quarters.
    expect(built.latestTtmGap).toBeNull();
    expect(find(built.rows, "TTM", "2026Q1")).toMatchObject({
      statements: ["income", "balance"],
      revenue: 4000,
      net_income: 800,
      total_equity: 2000,
      operating_cash_flow: null,
      free_cash_flow: null,
    });

    // A quarter with only its cash-flow statement: income and balance figures null.
    const q1 = june(2026, "Q1");
    const cashOnly = buildTickerFinancials(
      "ACME",
      { income: [], balance: [], cashFlow: [q1.cashFlow] },
      OPTIONS,
    );
    expect(cashOnly.rows).toHaveLength(1);
    expect(cashOnly.rows[0]).toMatchObject({
      period_label: "2026Q1",
      period_end_date: "2025-09-30",
      statements: ["cash_flow"],
      revenue: null,
      total_equity: null,
      weighted_shares_out: null,
      operating_cash_flow: 350,
      free_cash_flow: 300,
      fcf_margin: null,
      roe: null,
    });
  });

  it("completes a partial period from the row an earlier run wrote, never nulling what it did not fetch", () => {
    const asOf = OPTIONS.asOf;
    const q1 = june(2026, "Q1");
    const [stored] = buildTickerFinancials("ACME", collect(q1), OPTIONS).rows;
    // Income refiled with a corrected revenue; this time the files lack the cash flow.
    const restated = june(2026, "Q1", { revenue: 1100, operatingCashFlow: 1 }, 45);
    const fresh = matchPeriods(
      { income: [restated.income], balance: [restated.balance], cashFlow: [] },
      asOf,
    ).periods[0]!;
    const filled = fillMissingStatements(fresh, stored);
    expect(filled).toMatchObject({
      statements: ["income", "balance", "cash_flow"],
      revenue: 1100,
      operating_cash_flow: 350,
      capex: -50,
      filing_date: "2025-11-14",
    });
    // A statement present in the files wins, nulls included (FMP corrected it).
    const corrected = matchPeriods(
      {
        income: [restated.income],
        balance: [restated.balance],
        cashFlow: [{ ...restated.cashFlow, operatingCashFlow: null }],
      },
      asOf,
    ).periods[0]!;
    expect(fillMissingStatements(corrected, stored).operating_cash_flow).toBeNull();
    // Nothing stored yet: the partial period as fetched.
    expect(fillMissingStatements(fresh, undefined)).toBe(fresh);
  });

  it("builds a TTM per quarter that closes 4 consecutive ones, across fiscal years", () => {
    const quarters = ["Q1", "Q2", "Q3", "Q4"].flatMap((q) => [
      june(2025, q as Period),
      june(2026, q as Period),
    ]);
    const { rows } = buildTickerFinancials("ACME", collect(...quarters), OPTIONS);
    expect(rows.filter((r) => r.period_type === "TTM").map((r) => r.period_label)).toEqual([
      "2025Q4",
      "2026Q1",
      "2026Q2",
      "2026Q3",
      "2026Q4",
    ]);
  });

  it("derives the ratios, with 0 for a zero numerator and null for a zero or missing denominator", () => {
    const { rows } = buildTickerFinancials(
      "ACME",
      collect(
        june(2023, "FY"),
        june(2024, "FY", { operatingIncome: 0, interestExpense: 0, netIncome: 0 }),
        june(2025, "FY", { revenue: 0, equity: 0, operatingCashFlow: null }),
      ),
      OPTIONS,
    );
    expect(find(rows, "FY", "2023")).toMatchObject({
      operating_margin: 0.3,
      net_margin: 0.2,
      gross_margin: 0.6,
      ebitda_margin: 0.4,
      free_cash_flow: 300,
      fcf_margin: 0.3,
      invested_capital: 2500,
      roic: 200 / 2500,
      roe: 0.1,
      debt_to_equity: 0.25,
      interest_coverage: 15,
      current_ratio: 1.5,
      book_value_per_share: 2000 / 110,
      weighted_shares_out: 110,
      wacc: null,
      data_completeness: 100,
      data_freshness: 1246, // 2023-06-30 to 2026-11-27
    });
    const zeros = find(rows, "FY", "2024");
    expect(zeros).toMatchObject({
      operating_margin: 0,
      net_margin: 0,
      roe: 0,
      roic: 0,
      interest_coverage: null,
      data_completeness: 80,
    });
    expect(Object.is(zeros.net_margin, 0)).toBe(true);
    expect(find(rows, "FY", "2025")).toMatchObject({
      operating_margin: null,
      net_margin: null,
      gross_margin: null,
      roe: null,
      debt_to_equity: null,
      free_cash_flow: null,
      fcf_margin: null,
      operating_cash_flow: null,
      data_completeness: 40,
    });
    expect(ratio(-0, 5)).toBe(0);
    expect(ratio(3, -2)).toBe(-1.5);
  });

  it("computes 3-year CAGRs from FY rows, falling back to 2 years, null without a positive start", () => {
    const years = (revenues: Record<number, number>, over: (fy: number) => Figures = () => ({})) =>
      Object.entries(revenues).map(([fy, revenue]) =>
        june(Number(fy), "FY", { revenue, ...over(Number(fy)) }),
      );
    const full = buildTickerFinancials(
      "ACME",
      collect(
        ...years({ 2020: 50, 2021: 100, 2022: 150, 2023: 225 }, (fy) => ({
          netIncome: fy === 2020 ? -10 : 10 * (fy - 2019),
          equity: fy === 2020 ? 1000 : 1000 * 1.1 ** (fy - 2020),
        })),
        june(2024, "Q1"),
      ),
      OPTIONS,
    );
    const fy2023 = find(full.rows, "FY", "2023");
    expect(fy2023.revenue_cagr).toBeCloseTo((225 / 50) ** (1 / 3) - 1, 12);
    // Net income starts negative in 2020: the 2-year rate from 2021 (20 -> 40).
    expect(fy2023.earnings_cagr).toBeCloseTo(Math.SQRT2 - 1, 12);
    expect(fy2023.equity_cagr).toBeCloseTo(0.1, 12);
    expect(fy2023.fcf_cagr).toBeCloseTo(0, 12);
    // A quarter takes the CAGRs of the last FY ended on or before it.
    expect(find(full.rows, "Q", "2024Q1").revenue_cagr).toBe(fy2023.revenue_cagr);
    expect(find(full.rows, "FY", "2021").revenue_cagr).toBeNull(); // one year of history

    const fallback = buildTickerFinancials(
      "ACME",
      collect(...years({ 2021: 100, 2022: 150, 2023: 225 })),
      OPTIONS,
    );
    expect(find(fallback.rows, "FY", "2023").revenue_cagr).toBeCloseTo(0.5, 12);

    const hole = buildTickerFinancials(
      "ACME",
      collect(...years({ 2020: 100, 2021: 150, 2023: 225 })),
      OPTIONS,
    );
    expect(find(hole.rows, "FY", "2023").revenue_cagr).toBeNull();

    const negative = buildTickerFinancials(
      "ACME",
      collect(...years({ 2020: -5, 2021: 100, 2022: 150, 2023: 225 })),
      OPTIONS,
    );
    // 2023: the 3-year start is negative, so the 2-year rate from 2021; 2022 has neither.
    expect(find(negative.rows, "FY", "2023").revenue_cagr).toBeCloseTo(0.5, 12);
    expect(find(negative.rows, "FY", "2022").revenue_cagr).toBeNull();
  });

  it("sees only statements filed on or before its day, the later filing of a period winning", () => {
    const q1 = june(2026, "Q1", {}, 30); // filed 2025-10-30
    const restated = june(2026, "Q1", { revenue: 999 }, 60); // filed 2025-11-29
    const before = buildTickerFinancials("ACME", collect(q1, restated), {
      ...OPTIONS,
      asOf: "2025-11-28",
    });
    expect(find(before.rows, "Q", "2026Q1").revenue).toBe(1000);
    const after = buildTickerFinancials("ACME", collect(q1, restated), OPTIONS);
    expect(find(after.rows, "Q", "2026Q1")).toMatchObject({
      revenue: 999,
      filing_date: "2025-11-29",
    });
    const early = buildTickerFinancials("ACME", collect(q1), { ...OPTIONS, asOf: "2025-10-29" });
    expect(early.rows).toEqual([]);
  });

  it("uses table history for CAGRs and TTMs, fetched periods replacing history", () => {
    // Rows as an earlier run wrote them (built as of any day: they carry their filing date).
    const fromTable = (s: ReturnType<typeof june>): PeriodFacts => {
      const { rows } = buildTickerFinancials("ACME", collect(s), {
        ...OPTIONS,
        asOf: "2099-12-31",
      });
      return rows[0]!;
    };
    const history = [
      fromTable(june(2019, "FY", { revenue: 10 }, 3000)), // filed after the day: not seen
      fromTable(june(2020, "FY", { revenue: 80 })),
      fromTable(june(2021, "FY", { revenue: 1 })), // refetched below with 100
      fromTable(june(2025, "Q2")),
      fromTable(june(2025, "Q3")),
    ];
    const built = buildTickerFinancials(
      "ACME",
      collect(
        june(2021, "FY", { revenue: 100 }),
        june(2022, "FY", { revenue: 110 }),
        june(2023, "FY", { revenue: 160 }),
        june(2025, "Q4"),
        june(2026, "Q1"),
      ),
      { ...OPTIONS, history },
    );
    expect(built.rows.map((r) => `${r.period_type} ${r.period_label}`)).toEqual([
      "FY 2021",
      "FY 2022",
      "FY 2023",
      "Q 2025Q4",
      "Q 2026Q1",
      "TTM 2026Q1",
    ]);
    expect(find(built.rows, "FY", "2023").revenue_cagr).toBeCloseTo(2 ** (1 / 3) - 1, 12);
    expect(find(built.rows, "FY", "2022").revenue_cagr).toBeCloseTo((110 / 80) ** 0.5 - 1, 12);
    expect(find(built.rows, "TTM", "2026Q1").revenue).toBe(4000);
  });
});

describe("statements as a run sees them", () => {
  it("fetches the history window until the ledger says it was loaded and half of the tickers have it", () => {
    const covered: YearRange[] = [[2020, 2025]];
    const state = (tickersWithHistory: number, ranges = covered) => ({
      covered: ranges,
      tickers: 10,
      tickersWithHistory,
    });
    expect(fiscalYearWindow("2026-01-15", state(4))).toEqual({
      kind: "full",
      from: 2020,
      to: 2027,
    });
    expect(fiscalYearWindow("2026-01-15", state(5))).toEqual({
      kind: "mutable",
      from: 2025,
      to: 2027,
    });
    // Rows alone never narrow the window: no completed run, or one that loaded too little.
    expect(fiscalYearWindow("2026-01-15", state(10, [])).kind).toBe("full");
    expect(fiscalYearWindow("2026-01-15", state(10, [[2021, 2025]])).kind).toBe("full");
    expect(fiscalYearWindow("2026-01-15", state(10, [[2020, 2023]])).kind).toBe("full");
    expect(historyYears("2026-01-15")).toEqual({ from: 2020, to: 2024 });
  });

  it("records as covered the years a run loaded up to the year before its day's, merged", () => {
    const full = { kind: "full" as const, from: 2020, to: 2027 };
    const mutable = { kind: "mutable" as const, from: 2025, to: 2027 };
    expect(coveredAfter([], full, "2026-11-25")).toEqual([[2020, 2025]]);
    // A daily run of the next year extends the coverage by the year that ended.
    expect(
      coveredAfter([[2020, 2025]], { ...mutable, from: 2026, to: 2028 }, "2027-03-01"),
    ).toEqual([[2020, 2026]]);
    expect(coveredAfter([[2020, 2025]], mutable, "2026-11-26")).toEqual([[2020, 2025]]);
    // A backfill far back keeps both stretches, so neither side refetches.
    expect(
      coveredAfter([[2020, 2025]], { kind: "full", from: 2004, to: 2011 }, "2010-05-03"),
    ).toEqual([
      [2004, 2009],
      [2020, 2025],
    ]);
    expect(
      mergeYearRanges([
        [2019, 2024],
        [2020, 2025],
        [2026, 2026],
      ]),
    ).toEqual([[2019, 2026]]);
  });

  it("counts history written before the score inputs existed as no history", () => {
    const row = (ticker: string, totalAssets: number | null) => ({
      ticker,
      total_assets: totalAssets,
    });
    const rows = [row("OLD", null), row("OLD", null), row("NEW", null), row("NEW", 4000)];
    expect(tickersWithHistory(rows, new Set(["OLD", "NEW"]))).toBe(1);
    // Only the run's tickers count.
    expect(tickersWithHistory(rows, new Set(["OLD"]))).toBe(0);
    // A store migrated under old rows refetches the full window once, filling them.
    const migrated = tickersWithHistory([row("OLD", null)], new Set(["OLD"]));
    const state = {
      covered: [[2020, 2025]] as YearRange[],
      tickers: 1,
      tickersWithHistory: migrated,
    };
    expect(fiscalYearWindow("2026-01-15", state).kind).toBe("full");
  });

  it("keeps the run's tickers' statements filed by its day, and counts the rest", () => {
    const book = new StatementBook(new Set(["ACME"]), "2025-11-28");
    const row = (symbol: string, filingDate: string | null) =>
      ({ ...june(2026, "Q1").income, symbol, filingDate }) as unknown as IncomeStatementRow;
    book.addIncome([
      row("ACME", "2025-10-30"),
      row("acme", "2025-11-28"),
      row("ACME", "2025-11-29"),
      row("ACME", null),
      row("OTHER", "2025-10-30"),
    ]);
    expect(book.counts).toEqual({ kept: 2, filedAfter: 1, undated: 1 });
    expect(book.tickersSeen()).toEqual(["ACME"]);
    expect(book.statementsOf("ACME").income.map((i) => i.filingDate)).toEqual([
      "2025-10-30",
      "2025-11-28",
    ]);
  });
});

// ---------------------------------------------------------------------------------------
// The asset against the sandbox market

const DAY = "2026-11-25";

/** The market's clock, a second later on every call, so each run has its own updated_at. */
function tickingResources(store: Store, market: TestMarket): Resources {
  const base = marketResources(store, market);
  let tick = 0;
  const start = base.now().getTime();
  return { ...base, now: () => new Date(start + 1000 * tick++) };
}

const withoutUpdatedAt = (rows: FinancialsRow[]) => rows.map(({ updated_at: _, ...rest }) => rest);

async function lastRun(store: Store) {
  const [m] = await store.ledger.history({ asset: "datos_financieros", limit: 1 });
  if (!m) throw new Error("no datos_financieros run");
  return m;
}

interface SandboxDay {
  store: Store;
  market: TestMarket;
  resources: Resources;
  equities: string[];
  /** The day's full run, and the rows it left. */
  fullRun: Awaited<ReturnType<typeof lastRun>>;
  fullRows: FinancialsRow[];
}

/** A store of its own on the sandbox market, with the universe and the day's full run. */
async function openSandboxDay(): Promise<SandboxDay> {
  const [store, market] = await Promise.all([
    openTestStore(),
    startTestMarket({ tickers: 40, asOf: "2026-11-27" }),
  ]);
  const resources = tickingResources(store, market);
  const summary = await runAssets([fintraUniverse, datosFinancieros], "*", resources, {
    partition: DAY,
  });
  expect(summary.outcomes.map((o) => [o.asset, o.status, o.reason])).toEqual([
    ["fintra_universe", "succeeded", expect.any(String)],
    ["datos_financieros", "succeeded", expect.any(String)],
  ]);
  const universe = await store.readAll(universeTable, {
    where: { is_active: true, instrument_type: "EQUITY" },
  });
  return {
    store,
    market,
    resources,
    equities: universe.map((u) => u.ticker),
    fullRun: await lastRun(store),
    fullRows: await store.readAll(financialsTable),
  };
}

async function closeSandboxDay(day: SandboxDay | undefined): Promise<void> {
  await day?.market.close();
  await day?.store.close();
}

describe("datos_financieros against the sandbox", () => {
  let store: Store;
  let market: TestMarket;
  let resources: Resources;
  let equities: string[];
  let sandbox: SandboxDay;

  beforeAll(async () => {
    sandbox = await openSandboxDay();
    ({ store, market, resources, equities } = sandbox);
  }, 120_000);
  afterAll(() => closeSandboxDay(sandbox));

  it("writes FY, Q and TTM rows for the active equities, and nothing else", async () => {
    const rows = sandbox.fullRows;
    const byTicker = new Map<string, FinancialsRow[]>();
    for (const r of rows) byTicker.set(r.ticker, [...(byTicker.get(r.ticker) ?? []), r]);
    expect(new Set(byTicker.keys())).toEqual(new Set(equities));
    let complete = 0;
    for (const list of byTicker.values()) {
      const types = new Set(list.map((r) => r.period_type));
      if (types.has("FY") && types.has("Q") && types.has("TTM")) complete++;
    }
    expect(complete).toBeGreaterThanOrEqual(equities.length * 0.8);
    const run = sandbox.fullRun;
    expect(run).toMatchObject({ status: "succeeded", rows: rows.length, checksPassed: true });
    expect(run.metadata).toMatchObject({
      window: "full",
      fiscalYears: [2020, 2027],
      tickers: equities.length,
      skipped: 0,
      files: 120,
    });
    const checks = await store.ledger.checks(run.id);
    expect(checks.map((c) => [c.name, c.passed])).toEqual(
      expect.arrayContaining([["no_statement_filed_after_run_day", true]]),
    );
  });

  it("agrees with the sandbox's statements: labels by fiscal year, FY flows = the sum of the quarters", () => {
    const rows = sandbox.fullRows;
    const offCalendar = market.market.tickers.filter(
      (t) => t.fiscalYearEndMonth !== 12 && equities.includes(t.symbol),
    );
    expect(offCalendar.length).toBeGreaterThan(0);
    for (const t of offCalendar) {
      const q1 = rows.find((r) => r.ticker === t.symbol && r.period_label === "2026Q1");
      const served = market.market.statement(t.symbol, "income", 2026, "Q1");
      if (!served) continue; // listed after that quarter
      expect(q1).toMatchObject({
        period_end_date: served.date,
        revenue: served.revenue,
        fiscal_year: 2026,
        fiscal_period: "Q1",
      });
    }
    let checked = 0;
    for (const fy of rows.filter((r) => r.period_type === "FY")) {
      const quarters = rows.filter(
        (r) => r.ticker === fy.ticker && r.period_type === "Q" && r.fiscal_year === fy.fiscal_year,
      );
      if (quarters.length !== 4) continue;
      const sum = (k: "revenue" | "net_income" | "operating_cash_flow") =>
        quarters.reduce((s, q) => s + (q[k] ?? 0), 0);
      expect(fy.revenue!).toBeCloseTo(sum("revenue"), -1);
      expect(fy.net_income!).toBeCloseTo(sum("net_income"), -1);
      expect(fy.operating_cash_flow!).toBeCloseTo(sum("operating_cash_flow"), -1);
      expect(fy.period_end_date).toBe(
        quarters.find((q) => q.fiscal_period === "Q4")?.period_end_date,
      );
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
    // The latest TTM of a ticker sums its 4 quarters and takes the latest one's balance sheet.
    const ticker = rows.find((r) => r.period_type === "TTM")!.ticker;
    const own = rows.filter((r) => r.ticker === ticker);
    const ttm = own
      .filter((r) => r.period_type === "TTM")
      .sort((a, b) => (a.period_end_date < b.period_end_date ? 1 : -1))[0]!;
    const quarters = own
      .filter((r) => r.period_type === "Q" && r.period_end_date <= ttm.period_end_date)
      .sort((a, b) => (a.period_end_date < b.period_end_date ? 1 : -1))
      .slice(0, 4);
    expect(ttm.revenue!).toBeCloseTo(
      quarters.reduce((s, q) => s + q.revenue!, 0),
      -1,
    );
    expect(ttm.total_equity).toBe(quarters[0]!.total_equity);
    expect(ttm.period_label).toBe(quarters[0]!.period_label);
  });

  it("rewrites the same rows when the partition is run again, from table history", async () => {
    const before = await store.readAll(financialsTable);
    const summary = await runAssets(
      [fintraUniverse, datosFinancieros],
      "datos_financieros",
      resources,
      {
        partition: DAY,
        force: true,
      },
    );
    expect(summary.outcomes[0]?.status).toBe("succeeded");
    const run = await lastRun(store);
    expect(run.metadata).toMatchObject({ window: "mutable", fiscalYears: [2025, 2027] });
    const after = await store.readAll(financialsTable);
    expect(withoutUpdatedAt(after)).toEqual(withoutUpdatedAt(before));
    expect(withoutUpdatedAt(after)).toEqual(withoutUpdatedAt(sandbox.fullRows));
    // Only the mutable window was rewritten; older rows were read back, not written.
    const rewritten = after.filter((r) => r.updated_at === run.metadata.updatedAt);
    expect(rewritten.length).toBe(run.rows);
    expect(Math.min(...rewritten.map((r) => r.fiscal_year))).toBe(2025);
    expect(after.filter((r) => r.fiscal_year < 2025).length).toBeGreaterThan(0);
  });

  it("writes only its ticker on a scoped run", async () => {
    const ticker = equities[3]!;
    const summary = await runAssets([fintraUniverse, datosFinancieros], "*", resources, {
      partition: DAY,
      scope: { tickers: [ticker] },
    });
    expect(summary.outcomes.map((o) => o.status)).toEqual(["succeeded", "succeeded"]);
    const run = await lastRun(store);
    const written = await store.readAll(financialsTable, {
      where: { updated_at: run.metadata.updatedAt as string },
    });
    expect(written.length).toBe(run.rows);
    expect(written.length).toBeGreaterThan(0);
    expect(new Set(written.map((r) => r.ticker))).toEqual(new Set([ticker]));
  });
});

describe("datos_financieros against the sandbox, for earlier days and faulty files", () => {
  // Its own store: these runs rewrite rows the tests above compare.
  let store: Store;
  let market: TestMarket;
  let resources: Resources;
  let equities: string[];
  let sandbox: SandboxDay;

  beforeAll(async () => {
    sandbox = await openSandboxDay();
    ({ store, market, resources, equities } = sandbox);
  }, 120_000);
  afterAll(() => closeSandboxDay(sandbox));

  /**
   * Runs datos_financieros for an earlier day: it succeeds, and the rows it stamped (the
   * table holds the later day's rows too) count its rows and were all filed by that day.
   */
  async function runEarlierDay(day: string) {
    const summary = await runAssets(
      [fintraUniverse, datosFinancieros],
      "datos_financieros",
      resources,
      { partition: day },
    );
    expect(summary.outcomes[0]?.status).toBe("succeeded");
    const run = await lastRun(store);
    expect(run).toMatchObject({ status: "succeeded", checksPassed: true });
    const written = await store.readAll(financialsTable, {
      where: { updated_at: run.metadata.updatedAt as string },
    });
    expect(written.length).toBe(run.rows);
    expect(written.filter((r) => r.filing_date > day)).toEqual([]);
    return { run, written };
  }

  it("for an earlier day, writes only what was filed by then; the next earlier day reads its history from the table: the mutable window", async () => {
    const { run: first } = await runEarlierDay("2025-06-10");
    // The ledger's coverage (2020..2025) lacks 2019, which this day's history needs.
    expect(first.metadata).toMatchObject({
      window: "full",
      fiscalYears: [2019, 2026],
      historyCovered: [[2019, 2025]],
    });

    const day = "2025-06-11";
    const { run, written } = await runEarlierDay(day);
    expect(run.metadata).toMatchObject({ window: "mutable", fiscalYears: [2024, 2026] });
    expect(run.metadata.filedAfter as number).toBeGreaterThan(0);
    const filedBy = (ticker: string, fy: number, period: Period) => {
      const served = market.market.statement(ticker, "income", fy, period);
      return served !== undefined && String(served.filingDate) <= day;
    };
    // Exactly the quarters of the window the sandbox says were filed by then.
    const expected = equities.flatMap((t) =>
      [2024, 2025, 2026].flatMap((fy) =>
        (["Q1", "Q2", "Q3", "Q4"] as const)
          .filter((p) => filedBy(t, fy, p))
          .map((p) => `${t} ${fy}${p}`),
      ),
    );
    const quarters = written
      .filter((r) => r.period_type === "Q")
      .map((q) => `${q.ticker} ${q.period_label}`);
    expect(quarters.length).toBeGreaterThan(50);
    expect(quarters.sort()).toEqual(expected.sort());
    // Its TTMs reach back into fiscal 2023, read from the table.
    expect(
      written.filter((r) => r.period_type === "TTM" && r.period_label.startsWith("2024Q1")).length,
    ).toBeGreaterThan(0);
  });

  it("counts malformed rows in metadata without failing the run", async () => {
    const faulty = await startTestMarket({
      tickers: 40,
      asOf: "2026-11-27",
      faults: {
        malformedRows: {
          rate: 0.02,
          endpoints: ["income-statement-bulk", "cash-flow-statement-bulk"],
        },
      },
    });
    try {
      const summary = await runAssets(
        [fintraUniverse, datosFinancieros],
        "datos_financieros",
        { ...resources, fmp: faulty.fmp },
        { partition: DAY, force: true },
      );
      expect(summary.outcomes[0]?.status).toBe("succeeded");
      const run = await lastRun(store);
      expect(run.status).toBe("succeeded");
      expect(run.metadata.skipped as number).toBeGreaterThan(0);
      expect((run.metadata.skippedSamples as unknown[]).length).toBeGreaterThan(0);
      expect(run.metadata.incompletePeriods as number).toBeGreaterThan(0);
    } finally {
      await faulty.close();
    }
  });

  it("fails its skipped-rows check when too many rows are malformed, naming a sample", async () => {
    const faulty = await startTestMarket({
      tickers: 40,
      asOf: "2026-11-27",
      faults: { malformedRows: { rate: 0.3, endpoints: ["income-statement-bulk"] } },
    });
    try {
      await runAssets(
        [fintraUniverse, datosFinancieros],
        "datos_financieros",
        { ...resources, fmp: faulty.fmp },
        { partition: DAY, force: true },
      );
      const run = await lastRun(store);
      expect(run.checksPassed).toBe(false);
      const checks = await store.ledger.checks(run.id);
      const cap = checks.find((c) => c.name === "skipped_rows_within_cap");
      expect(cap).toMatchObject({ passed: false, severity: "error" });
      expect(cap?.message).toMatch(/above the cap of .*e\.g\. income-statement-bulk/);
    } finally {
      await faulty.close();
    }
  });
});

// ---------------------------------------------------------------------------------------
// MSFT from the real FMP files

describe.skipIf(!haveFixtures)(
  `MSFT fiscal 2026 Q1 from the real FMP files (${fixturesDir})`,
  () => {
    let server: FaultServer;
    const book = new StatementBook(new Set(["MSFT"]), "2025-11-28");

    beforeAll(async () => {
      server = await startFaultServer(({ path, query }) => {
        const prefix = {
          "income-statement-bulk": "income",
          "balance-sheet-statement-bulk": "balance",
          "cash-flow-statement-bulk": "cash_flow",
        }[path];
        return prefix
          ? { file: fixturePath(`${prefix}_${query.get("year")}_${query.get("period")}.csv`) }
          : { status: 404 };
      });
      const fmp = createFmpClient({ apiKey: "fixture-key", baseUrl: server.baseUrl });
      const files = statementFiles(["income", "balance", "cashFlow"], [2026], ["Q1"]);
      const totals = await fetchStatements(fmp, book, files);
      expect(totals.skipped).toBe(0);
    });
    afterAll(() => server?.close());

    it("labels it 2026Q1 and derives the ratios of spec/pipeline.md §5.2", () => {
      const built = buildTickerFinancials("MSFT", book.statementsOf("MSFT"), {
        asOf: "2025-11-28",
        updatedAt: "2025-11-28T23:00:00.000Z",
      });
      expect(built.rows).toHaveLength(1);
      const row = built.rows[0]!;
      expect(row).toMatchObject({
        period_type: "Q",
        period_label: "2026Q1",
        period_end_date: "2025-09-30",
        fiscal_year: 2026,
        filing_date: "2025-10-29",
        revenue: 77_673_000_000,
        operating_income: 37_961_000_000,
        interest_expense: 698_000_000,
        net_income: 27_747_000_000,
        cash_and_equivalents: 28_849_000_000,
        total_equity: 363_076_000_000,
        total_debt: 60_556_000_000,
        free_cash_flow: 25_663_000_000,
        weighted_shares_out: 7_466_000_000,
        data_completeness: 100,
        data_freshness: 59,
      });
      expect(row.operating_margin).toBeCloseTo(37_961 / 77_673, 12);
      expect(row.net_margin).toBeCloseTo(27_747 / 77_673, 12);
      expect(row.interest_coverage).toBeCloseTo(37_961 / 698, 12);
      expect(row.current_ratio).toBeCloseTo(189_066 / 134_996, 12);
      expect(row.debt_to_equity).toBeCloseTo(60_556 / 363_076, 12);
      expect(row.roe).toBeCloseTo(27_747 / 363_076, 12);
      expect(row.roic).toBeCloseTo(27_747 / (363_076 + 60_556), 12);
      expect(row.fcf_margin).toBeCloseTo(25_663 / 77_673, 12);
      expect(built.latestTtmGap).toBe("fewer_than_4_quarters");
    });

    it("does not see it the day before it was filed", () => {
      const built = buildTickerFinancials("MSFT", book.statementsOf("MSFT"), {
        asOf: "2025-10-28",
        updatedAt: "2025-10-28T23:00:00.000Z",
      });
      expect(built.rows).toEqual([]);
    });
  },
);

describe.skipIf(!haveFixtures)(`fiscal 2026 Q1 from the real FMP files (${fixturesDir})`, () => {
  let server: FaultServer;
  const book = new StatementBook(null, "2026-12-04");

  beforeAll(async () => {
    server = await startFaultServer(({ path, query }) => {
      const prefix = {
        "income-statement-bulk": "income",
        "balance-sheet-statement-bulk": "balance",
        "cash-flow-statement-bulk": "cash_flow",
      }[path];
      return prefix
        ? { file: fixturePath(`${prefix}_${query.get("year")}_${query.get("period")}.csv`) }
        : { status: 404 };
    });
    const fmp = createFmpClient({ apiKey: "fixture-key", baseUrl: server.baseUrl });
    const files = statementFiles(["income", "balance", "cashFlow"], [2026], ["Q1"]);
    await fetchStatements(fmp, book, files);
  });
  afterAll(() => server?.close());

  it("writes a row for every company in any of the three files, not only those in all three", () => {
    const listed = {
      income: new Set<string>(),
      balance: new Set<string>(),
      cashFlow: new Set<string>(),
    };
    const rows: FinancialsRow[] = [];
    for (const ticker of book.tickersSeen()) {
      const statements = book.statementsOf(ticker);
      for (const kind of ["income", "balance", "cashFlow"] as const) {
        if (statements[kind].length > 0) listed[kind].add(ticker);
      }
      rows.push(...buildTickerFinancials(ticker, statements, OPTIONS_2026Q1).rows);
    }
    const union = new Set([...listed.income, ...listed.balance, ...listed.cashFlow]);
    const inAll = [...listed.income].filter((t) => listed.balance.has(t) && listed.cashFlow.has(t));
    const quarters = rows.filter((r) => r.period_type === "Q" && r.period_label === "2026Q1");
    expect(quarters.length).toBe(union.size);
    expect(quarters.length).toBeGreaterThan(inAll.length);
    // A company missing from the cash-flow file keeps its revenue and says what it lacks.
    const noCashFlow = quarters.filter((r) => !listed.cashFlow.has(r.ticker));
    expect(noCashFlow.length).toBe(union.size - listed.cashFlow.size);
    for (const r of noCashFlow) {
      expect(r.statements).not.toContain("cash_flow");
      expect(r.operating_cash_flow).toBeNull();
    }
    expect(noCashFlow.filter((r) => r.revenue !== null).length).toBeGreaterThan(0);
    console.info(
      `2026Q1: ${listed.income.size} income, ${listed.balance.size} balance, ${listed.cashFlow.size} cash flow; ${union.size} rows (${inAll.length} with all three)`,
    );
  });
});
