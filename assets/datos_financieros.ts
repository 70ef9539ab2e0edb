/**
 * datos_financieros: one row per ticker and fiscal period (FY, Q and TTM) with the
 * statement figures Fintra scores from and the ratios derived from them (spec/pipeline.md
 * J04, spec/engines.md §0.2, spec/schema.md §3.2). Read by the benchmarks, the TTM
 * valuation and the snapshot's engines.
 *
 * - Partitioned by trading date D; deps: fintra_universe. A full run covers the active
 *   equities; a `tickers` scope exactly those tickers (listed or not), a `limit` scope the
 *   first N active equities (`universeTickers`). Source: FMP's income, balance-sheet and
 *   cash-flow bulks, 3 statements × FY,Q1..Q4 per fiscal year; a `tickers` scope reads
 *   FMP's per-symbol statements instead (annual and quarterly, 6 requests a ticker, kept to
 *   the window's fiscal years) and writes the rows the bulk files would give.
 * - Key (ticker, period_type, period_label); indexed on (ticker, period_type, period_end_date
 *   DESC) for "the latest row on or before a date". The original's period_status and
 *   finalized_at (never written) and ttm_status/ttm_reason (placeholder rows) are gone.
 * - Labels follow FMP's `fiscalYear`, not the calendar year of the period end: FY "2025",
 *   Q "2026Q1" (MSFT's quarter ended 2025-09-30), TTM = the label of its latest quarter, so
 *   TTM rows accumulate one per quarter. `fiscal_year`/`fiscal_period` carry the same.
 * - Point in time: partition D sees only statements filed on or before D; `filing_date` is
 *   the latest filing date among the statements a row was built from. Two limits: one row
 *   per period, so a period re-filed after D replaces the row D's readers saw (a later
 *   backfill of D lacks it); and the tickers are today's active universe, so a company
 *   delisted before the universe first listed it is missing from a backfill.
 * - A period is written from the statements FMP has for it (income, balance sheet, cash
 *   flow, matched by (fiscalYear, period)): FMP's bulk files of one quarter list different
 *   companies (the real 2026 Q1 files: 7,978 income, 7,835 balance, 7,479 cash flow), and
 *   requiring all three dropped thousands of companies' revenue. A missing statement's
 *   figures are null (so are the ratios that need them), `statements` (text[], migration
 *   0030) names the ones the row has, and such periods are counted (`incompletePeriods`).
 * - Filling in: when a later run's files have the missing statement, its figures complete
 *   the row. When a run's files lack a statement that the row (filed by D) already has, the
 *   row keeps that statement's figures (`fillMissingStatements`): a file that lists fewer
 *   companies today never erases data. A statement present in the files replaces its
 *   figures, nulls included: that is how FMP corrects data.
 * - TTM: the 4 quarters ending at a quarter, only when their (fiscalYear, period) are
 *   consecutive (Q1→Q2→Q3→Q4→next year's Q1; dates never decide) and each has a row.
 *   Flows are summed per figure (null when any quarter lacks the figure, whichever
 *   statement is missing: a per-figure rule also covers a statement that lacks one line);
 *   balances and share counts are the latest quarter's; the ratios are recomputed on those
 *   values. Its `statements`: income and cash flow when all 4 quarters have them, the
 *   balance sheet when the latest has it. No placeholder rows: a quarter without 4
 *   consecutive quarters has no TTM row, and tickers whose latest quarter has none are
 *   counted (`ttmMissing`).
 * - Ratios (§0.2): margins over revenue; roic = net income / (equity + debt) (net income,
 *   as the original: the statement bulks carry no NOPAT or FMP roicTTM); roe; debt/equity;
 *   interest coverage = operating income / interest expense; current ratio; book value per
 *   share = equity / weighted_shares_out. A zero or missing denominator gives null; a true 0
 *   numerator gives 0 (the original's `div` turned it into null). A negative denominator is
 *   kept (negative equity must stay visible to the engines).
 * - free_cash_flow = operating cash flow − |capex|, null when either is missing (no silent
 *   0); invested_capital = equity + debt, null when either is missing.
 * - weighted_shares_out = diluted weighted shares, else basic; shares_outstanding = basic,
 *   else diluted (the statements carry no period-end share count).
 * - data_completeness: 20 points each for revenue, net income, equity and operating cash
 *   flow present and non-zero, and total debt present. data_freshness: days from the period
 *   end to D (not to the wall clock, so a rerun is reproducible); a row keeps the value of
 *   the run that last wrote it, so it describes that run, not the company: a rerun of an
 *   older D restates it (the point-in-time test leaves it out of its rerun comparison).
 * - CAGRs (revenue, earnings = net income, fcf, equity) through the engines' decision
 *   (engines/fundamentals-growth.ts): true CAGRs over the last 3 fiscal years of FY rows
 *   ending on or before the row's period end, falling back to 2 years; null when a year is
 *   missing or the start is not positive; never a null read as 0 %. `fcf_cagr` gets a column
 *   (the engines read it; the original computed it and dropped it).
 * - wacc stays null: the statement bulks have none (kept for readers of the schema).
 * - Score inputs (financial_scores computes Altman Z and Piotroski F from them; migration
 *   0027): `ebit` (income statement, a flow: summed in a TTM), `total_assets`,
 *   `total_liabilities`, `retained_earnings` and `long_term_debt` (balance sheet: the latest
 *   quarter's in a TTM). Rows written before 0027 hold them null; a ticker whose history rows
 *   all lack total_assets counts as without history (`tickersWithHistory`), so the first run
 *   after the migration fetches the full window and rewrites those rows with them.
 * - Fiscal years fetched (statements.ts `fiscalYearWindow`): the mutable window Y−1..Y+1 of
 *   D's year once the history Y−6..Y−2 is known to be loaded, else Y−6..Y+1. "Known" comes
 *   from completed work, not from rows that happen to exist: each successful run records
 *   in its ledger metadata (`historyCovered`) the fiscal years the table holds (what it
 *   found plus its window up to Y−1; `coveredYears` reads the newest successful run of the
 *   full scope and of the run's own scope). A failed or interrupted run records nothing, so
 *   the next run fetches the full window again (before this, a run killed after its first
 *   periods left enough rows to narrow every later run's window, losing fiscal years for
 *   good). The window also goes full when fewer than half of the run's tickers have rows of
 *   Y−6..Y−2 filed by D: a universe that grew, or a `tickers` scope never loaded. A backfill
 *   of a year before the coverage fetches the full window once, then that year is covered.
 * - Steps (chunks.ts): a plan (tickers, window, the run's `updated_at` stamp, ticker
 *   ranges); one `load-<period>` step per fiscal period of the window (its three files,
 *   e.g. `load-2026Q1`; 15 steps, 40 on a full window) writing every ticker's FY or Q row
 *   with its figures and own ratios (a `tickers` scope: one `load-by-symbol` step for the
 *   whole window); then one `derive-i-of-n` step per range of
 *   perStep(2,000) tickers (23 at 45,000 tickers) that gives the rows the run loaded their
 *   CAGRs and writes a TTM per loaded quarter, reading the range's rows of fiscal years
 *   Y−6..Y+1 filed on or before D as history (why the table keeps the raw figures:
 *   operating income, interest expense, current assets, ...). Steps return counts only
 *   (Inngest replays code outside steps). A load leaves an existing row's CAGRs alone, so
 *   between a load and its derive readers see the old growth figures, never nulls.
 * - Writes: upserts that update (FMP corrects data); every row a run writes gets
 *   `updated_at` = the run's stamp, which is also how a derive step tells the rows its run
 *   loaded from history. Rows are written for the fetched periods and the TTMs ending at a
 *   fetched quarter; other rows are only read. `buildTickerFinancials` /
 *   `buildFromPeriods` are the pure per-ticker build.
 * - Checks: at least one row; no row written by the run has a filing date after D (error);
 *   skipped malformed statement rows under the configured share of those read (error,
 *   checks.ts `skippedRowsWithin`, naming a sample).
 */
import pLimit from "p-limit";
import { z } from "zod";
import { defineTable, type Store, scopeKey, type TableSpec, type Where } from "../db/index.ts";
import { daysBetween } from "../engines/dates.ts";
import type { FinancialRow } from "../engines/financial-rows.ts";
import { growthInputs } from "../engines/fundamentals-growth.ts";
import { isNum } from "../engines/math.ts";
import {
  balanceSheetStatementBulk,
  cashFlowStatementBulk,
  type FetchReport,
  type FmpClient,
  incomeStatementBulk,
  PERIODS,
  type Period,
  type RowSample,
  STATEMENTS_BY_SYMBOL,
  type StatementSpan,
  statementLimit,
} from "../sources/fmp/index.ts";
import { atLeast, skippedRowsWithin } from "./checks.ts";
import { ALL_TICKERS, perStep, type TickerRange, tickerCondition, tickerRanges } from "./chunks.ts";
import { type AssetCheck, type AssetContext, defineAsset, type Progress } from "./define.ts";
import { bySymbol, symbolScope, universeTickers } from "./fintra_universe.ts";
import { utcDate } from "./partitions.ts";
import {
  type BalanceFacts,
  type CashFlowFacts,
  coveredAfter,
  type FiscalYearWindow,
  fiscalYearWindow,
  HISTORY_YEARS,
  historyYears,
  type IncomeFacts,
  laterDate,
  latestPerPeriod,
  mergeYearRanges,
  periodKey,
  periodLabel,
  quarterOrdinal,
  StatementBook,
  type StatementKind,
  type TickerStatements,
  type YearRange,
  yearsOf,
} from "./statements.ts";

export type PeriodType = "FY" | "Q" | "TTM";

export interface FinancialsRow {
  ticker: string;
  period_type: PeriodType;
  period_label: string;
  period_end_date: string;
  fiscal_year: number;
  fiscal_period: Period;
  filing_date: string;
  source: string;
  revenue: number | null;
  gross_profit: number | null;
  operating_income: number | null;
  interest_expense: number | null;
  ebitda: number | null;
  net_income: number | null;
  operating_cash_flow: number | null;
  /** As FMP reports it (negative). */
  capex: number | null;
  free_cash_flow: number | null;
  total_equity: number | null;
  total_debt: number | null;
  cash_and_equivalents: number | null;
  total_current_assets: number | null;
  total_current_liabilities: number | null;
  invested_capital: number | null;
  weighted_shares_out: number | null;
  shares_outstanding: number | null;
  /** Earnings before interest and taxes (a flow). */
  ebit: number | null;
  total_assets: number | null;
  total_liabilities: number | null;
  retained_earnings: number | null;
  long_term_debt: number | null;
  operating_margin: number | null;
  net_margin: number | null;
  gross_margin: number | null;
  ebitda_margin: number | null;
  fcf_margin: number | null;
  roic: number | null;
  roe: number | null;
  debt_to_equity: number | null;
  interest_coverage: number | null;
  current_ratio: number | null;
  book_value_per_share: number | null;
  wacc: number | null;
  revenue_cagr: number | null;
  earnings_cagr: number | null;
  fcf_cagr: number | null;
  equity_cagr: number | null;
  data_completeness: number;
  /** The statements the row's figures come from (the others' figures are null). */
  statements: StatementName[];
  data_freshness: number | null;
  updated_at: string;
}

export const financialsTable = defineTable<FinancialsRow>({
  name: "datos_financieros",
  key: ["ticker", "period_type", "period_label"],
  columns: {
    ticker: "text",
    period_type: "text",
    period_label: "text",
    period_end_date: "date",
    fiscal_year: "integer",
    fiscal_period: "text",
    filing_date: "date",
    source: "text",
    revenue: "numeric",
    gross_profit: "numeric",
    operating_income: "numeric",
    interest_expense: "numeric",
    ebitda: "numeric",
    net_income: "numeric",
    operating_cash_flow: "numeric",
    capex: "numeric",
    free_cash_flow: "numeric",
    total_equity: "numeric",
    total_debt: "numeric",
    cash_and_equivalents: "numeric",
    total_current_assets: "numeric",
    total_current_liabilities: "numeric",
    invested_capital: "numeric",
    weighted_shares_out: "numeric",
    shares_outstanding: "numeric",
    ebit: "numeric",
    total_assets: "numeric",
    total_liabilities: "numeric",
    retained_earnings: "numeric",
    long_term_debt: "numeric",
    operating_margin: "numeric",
    net_margin: "numeric",
    gross_margin: "numeric",
    ebitda_margin: "numeric",
    fcf_margin: "numeric",
    roic: "numeric",
    roe: "numeric",
    debt_to_equity: "numeric",
    interest_coverage: "numeric",
    current_ratio: "numeric",
    book_value_per_share: "numeric",
    wacc: "numeric",
    revenue_cagr: "numeric",
    earnings_cagr: "numeric",
    fcf_cagr: "numeric",
    equity_cagr: "numeric",
    data_completeness: "numeric",
    statements: "text[]",
    data_freshness: "numeric",
    updated_at: "timestamptz",
  },
});

export const SOURCE = "fmp_bulk";

/** Figures summed over a TTM's 4 quarters. */
const FLOW_FIGURES = [
  "revenue",
  "gross_profit",
  "operating_income",
  "interest_expense",
  "ebitda",
  "net_income",
  "operating_cash_flow",
  "capex",
  "ebit",
] as const;

/** Figures a TTM takes from its latest quarter. */
const POINT_FIGURES = [
  "total_equity",
  "total_debt",
  "cash_and_equivalents",
  "total_current_assets",
  "total_current_liabilities",
  "weighted_shares_out",
  "shares_outstanding",
  "total_assets",
  "total_liabilities",
  "retained_earnings",
  "long_term_debt",
] as const;

type Figure = (typeof FLOW_FIGURES)[number] | (typeof POINT_FIGURES)[number];

/** A statement as the `statements` column names it. */
export type StatementName = "income" | "balance" | "cash_flow";

export const STATEMENT_NAMES: readonly StatementName[] = ["income", "balance", "cash_flow"];

/** The figures each statement carries. */
const FIGURES_OF: Record<StatementName, readonly Figure[]> = {
  income: [
    "revenue",
    "gross_profit",
    "operating_income",
    "interest_expense",
    "ebitda",
    "net_income",
    "weighted_shares_out",
    "shares_outstanding",
    "ebit",
  ],
  balance: [
    "total_equity",
    "total_debt",
    "cash_and_equivalents",
    "total_current_assets",
    "total_current_liabilities",
    "total_assets",
    "total_liabilities",
    "retained_earnings",
    "long_term_debt",
  ],
  cash_flow: ["operating_cash_flow", "capex"],
};

/** One fiscal period's figures, from the statements it has (or read back from the table). */
export type PeriodFacts = Pick<
  FinancialsRow,
  "fiscal_year" | "fiscal_period" | "period_end_date" | "filing_date" | "statements" | Figure
>;

/** The columns a history read needs. */
const FACT_COLUMNS: (keyof FinancialsRow & string)[] = [
  "ticker",
  "fiscal_year",
  "fiscal_period",
  "period_end_date",
  "filing_date",
  "statements",
  ...FLOW_FIGURES,
  ...POINT_FIGURES,
];

// ---------------------------------------------------------------------------------------
// Building rows (pure)

/** One period's statements; any of them may be missing, but not all three. */
export interface PeriodStatements {
  income?: IncomeFacts | undefined;
  balance?: BalanceFacts | undefined;
  cashFlow?: CashFlowFacts | undefined;
}

/** One period's figures from the statements it has: a missing statement's figures are null. */
export function periodFacts({ income, balance, cashFlow }: PeriodStatements): PeriodFacts {
  const first = income ?? balance ?? cashFlow;
  if (!first) throw new Error("a period needs at least one statement");
  const statements: StatementName[] = [];
  if (income) statements.push("income");
  if (balance) statements.push("balance");
  if (cashFlow) statements.push("cash_flow");
  return {
    fiscal_year: first.fiscalYear,
    fiscal_period: first.period,
    period_end_date: first.date,
    filing_date: laterDate(
      laterDate(income?.filingDate, balance?.filingDate),
      cashFlow?.filingDate,
    ),
    statements,
    revenue: income?.revenue ?? null,
    gross_profit: income?.grossProfit ?? null,
    operating_income: income?.operatingIncome ?? null,
    interest_expense: income?.interestExpense ?? null,
    ebitda: income?.ebitda ?? null,
    net_income: income?.netIncome ?? null,
    operating_cash_flow: cashFlow?.operatingCashFlow ?? null,
    capex: cashFlow?.capitalExpenditure ?? null,
    total_equity: balance?.totalStockholdersEquity ?? null,
    total_debt: balance?.totalDebt ?? null,
    cash_and_equivalents: balance?.cashAndCashEquivalents ?? null,
    total_current_assets: balance?.totalCurrentAssets ?? null,
    total_current_liabilities: balance?.totalCurrentLiabilities ?? null,
    weighted_shares_out: income
      ? (income.weightedAverageShsOutDil ?? income.weightedAverageShsOut)
      : null,
    shares_outstanding: income
      ? (income.weightedAverageShsOut ?? income.weightedAverageShsOutDil)
      : null,
    ebit: income?.ebit ?? null,
    total_assets: balance?.totalAssets ?? null,
    total_liabilities: balance?.totalLiabilities ?? null,
    retained_earnings: balance?.retainedEarnings ?? null,
    long_term_debt: balance?.longTermDebt ?? null,
  };
}

/**
 * Every period with at least one statement filed on or before `asOf`, and how many of them
 * lack one or two (written all the same, the missing figures null).
 */
export function matchPeriods(
  statements: TickerStatements,
  asOf: string,
): { periods: PeriodFacts[]; incomplete: number } {
  const byPeriod = new Map<string, PeriodStatements>();
  const shelve = <K extends keyof PeriodStatements>(
    kind: K,
    records: readonly NonNullable<PeriodStatements[K]>[],
  ) => {
    for (const r of latestPerPeriod(records, asOf)) {
      const key = periodKey(r.fiscalYear, r.period);
      byPeriod.set(key, { ...byPeriod.get(key), [kind]: r });
    }
  };
  shelve("income", statements.income);
  shelve("balance", statements.balance);
  shelve("cashFlow", statements.cashFlow);
  const periods = [...byPeriod.values()].map(periodFacts);
  const incomplete = periods.filter((p) => p.statements.length < STATEMENT_NAMES.length).length;
  return { periods, incomplete };
}

/**
 * A period this run fetched, completed from the row an earlier run wrote (filed by D): the
 * statements the files lacked this time keep the figures the row had from them. A statement
 * present in the files replaces its figures, nulls included: that is how FMP corrects data.
 */
export function fillMissingStatements(
  fresh: PeriodFacts,
  stored: PeriodFacts | undefined,
): PeriodFacts {
  if (!stored) return fresh;
  const borrowed = STATEMENT_NAMES.filter(
    (s) => !fresh.statements.includes(s) && stored.statements.includes(s),
  );
  if (borrowed.length === 0) return fresh;
  const filled: PeriodFacts = { ...fresh };
  for (const statement of borrowed) {
    for (const figure of FIGURES_OF[statement]) filled[figure] = stored[figure] ?? null;
  }
  filled.statements = STATEMENT_NAMES.filter(
    (s) => fresh.statements.includes(s) || borrowed.includes(s),
  );
  filled.filing_date = laterDate(fresh.filing_date, stored.filing_date);
  return filled;
}

/** Sum of a flow over quarters; null when any quarter lacks it (a gap is never a 0). */
function sumFlow(quarters: readonly PeriodFacts[], figure: Figure): number | null {
  let total = 0;
  for (const q of quarters) {
    const value = q[figure];
    if (!isNum(value)) return null;
    total += value;
  }
  return total;
}

/**
 * TTM figures from 4 consecutive quarters, oldest first: flows summed (per figure: null
 * unless all 4 quarters have it), the rest the latest's. Its statements: income and cash
 * flow when all 4 quarters have them, the balance sheet when the latest has it.
 */
export function ttmFacts(quarters: readonly PeriodFacts[]): PeriodFacts {
  const latest = quarters[quarters.length - 1];
  if (quarters.length !== 4 || !latest) throw new Error("a TTM needs exactly 4 quarters");
  const ttm: PeriodFacts = { ...latest };
  for (const figure of FLOW_FIGURES) ttm[figure] = sumFlow(quarters, figure);
  ttm.filing_date = quarters.reduce((d, q) => laterDate(d, q.filing_date), "");
  ttm.statements = STATEMENT_NAMES.filter((s) =>
    s === "balance"
      ? latest.statements.includes(s)
      : quarters.every((q) => q.statements.includes(s)),
  );
  return ttm;
}

/** n / d; null when either is missing or d is 0 (a 0 numerator gives 0). */
export function ratio(n: number | null | undefined, d: number | null | undefined): number | null {
  if (!isNum(n) || !isNum(d) || d === 0) return null;
  const q = n / d;
  return q === 0 ? 0 : q; // no -0 in the table
}

function sumOrNull(a: number | null, b: number | null): number | null {
  return isNum(a) && isNum(b) ? a + b : null;
}

/** Operating cash flow − |capex|; null when either is missing. */
export function freeCashFlow(f: Pick<PeriodFacts, "operating_cash_flow" | "capex">) {
  return isNum(f.operating_cash_flow) && isNum(f.capex)
    ? f.operating_cash_flow - Math.abs(f.capex)
    : null;
}

/** 20 points each: revenue, net income, equity, operating cash flow (non-zero), debt (present). */
export function dataCompleteness(f: PeriodFacts): number {
  const present = [
    isNum(f.revenue) && f.revenue !== 0,
    isNum(f.net_income) && f.net_income !== 0,
    isNum(f.total_equity) && f.total_equity !== 0,
    isNum(f.operating_cash_flow) && f.operating_cash_flow !== 0,
    isNum(f.total_debt),
  ];
  return present.filter(Boolean).length * 20;
}

/** FY history in the engines' row shape (labels by fiscal year). */
function engineHistory(fiscalYears: readonly PeriodFacts[]): FinancialRow[] {
  return fiscalYears.map((f) => ({
    period_type: "FY",
    period_label: String(f.fiscal_year),
    period_end_date: f.period_end_date,
    revenue: f.revenue,
    net_income: f.net_income,
    free_cash_flow: freeCashFlow(f),
    total_equity: f.total_equity,
  }));
}

type Growth = Pick<FinancialsRow, "revenue_cagr" | "earnings_cagr" | "fcf_cagr" | "equity_cagr">;

/** The four CAGRs from FY rows ending on or before `periodEnd` (engines' 3y/2y rule). */
export function growthAt(history: readonly FinancialRow[], periodEnd: string): Growth {
  const g = growthInputs(history, periodEnd);
  // The engine grows revenue, net income and FCF; equity goes through its revenue slot.
  const equity = growthInputs(
    history.map((r) => ({ ...r, revenue: r.total_equity ?? null })),
    periodEnd,
  );
  return {
    revenue_cagr: g.revenue_cagr,
    earnings_cagr: g.earnings_cagr,
    fcf_cagr: g.fcf_cagr,
    equity_cagr: equity.revenue_cagr,
  };
}

/** A table row from a period's figures, its FY history and the day D it is built on. */
export function financialsRow(
  ticker: string,
  periodType: PeriodType,
  facts: PeriodFacts,
  history: readonly FinancialRow[],
  context: { asOf: string; updatedAt: string },
): FinancialsRow {
  const fcf = freeCashFlow(facts);
  const investedCapital = sumOrNull(facts.total_equity, facts.total_debt);
  const revenue = facts.revenue;
  return {
    ticker,
    period_type: periodType,
    period_label:
      periodType === "FY"
        ? String(facts.fiscal_year)
        : periodLabel(facts.fiscal_year, facts.fiscal_period),
    period_end_date: facts.period_end_date,
    fiscal_year: facts.fiscal_year,
    fiscal_period: facts.fiscal_period,
    filing_date: facts.filing_date,
    source: SOURCE,
    ...pickFigures(facts),
    free_cash_flow: fcf,
    invested_capital: investedCapital,
    operating_margin: ratio(facts.operating_income, revenue),
    net_margin: ratio(facts.net_income, revenue),
    gross_margin: ratio(facts.gross_profit, revenue),
    ebitda_margin: ratio(facts.ebitda, revenue),
    fcf_margin: ratio(fcf, revenue),
    roic: ratio(facts.net_income, investedCapital),
    roe: ratio(facts.net_income, facts.total_equity),
    debt_to_equity: ratio(facts.total_debt, facts.total_equity),
    interest_coverage: ratio(facts.operating_income, facts.interest_expense),
    current_ratio: ratio(facts.total_current_assets, facts.total_current_liabilities),
    book_value_per_share: ratio(facts.total_equity, facts.weighted_shares_out),
    wacc: null,
    ...growthAt(history, facts.period_end_date),
    data_completeness: dataCompleteness(facts),
    statements: [...facts.statements],
    data_freshness: daysBetween(facts.period_end_date, context.asOf),
    updated_at: context.updatedAt,
  };
}

function pickFigures(f: PeriodFacts): Pick<FinancialsRow, Figure> {
  const out = {} as Pick<FinancialsRow, Figure>;
  for (const figure of [...FLOW_FIGURES, ...POINT_FIGURES]) out[figure] = f[figure] ?? null;
  return out;
}

/** Why the latest quarter of a ticker has no TTM row. */
export type TtmGap = "no_quarters" | "fewer_than_4_quarters" | "not_consecutive";

export interface TickerFinancials {
  rows: FinancialsRow[];
  /** Periods written with one or two of the three statements only. */
  incompletePeriods: number;
  /** null when the latest quarter has a TTM row. */
  latestTtmGap: TtmGap | null;
}

export interface BuildOptions {
  /** The partition D: statements and history filed after it are ignored. */
  asOf: string;
  /** `updated_at` of every row. */
  updatedAt: string;
  /** FY and Q periods already in the table (earlier runs), for CAGRs and TTMs. */
  history?: readonly PeriodFacts[];
}

/**
 * One ticker's FY, Q and TTM rows from its statements: a row per fetched period that has
 * any of the three statements, and a TTM per fetched quarter that ends 4 consecutive quarters
 * (fetched or from history). Fetched periods replace history periods with the same key.
 */
export function buildTickerFinancials(
  ticker: string,
  statements: TickerStatements,
  options: BuildOptions,
): TickerFinancials {
  const { periods, incomplete } = matchPeriods(statements, options.asOf);
  return { ...buildFromPeriods(ticker, periods, options), incompletePeriods: incomplete };
}

/**
 * One ticker's rows for `periods` (its FY and Q rows, and a TTM per quarter ending 4
 * consecutive quarters), with `options.history` as the periods already known. Periods
 * replace history periods with the same key.
 */
export function buildFromPeriods(
  ticker: string,
  periods: readonly PeriodFacts[],
  options: BuildOptions,
): Omit<TickerFinancials, "incompletePeriods"> {
  const { asOf } = options;
  const known = new Map<string, PeriodFacts>();
  for (const h of options.history ?? []) {
    if (h.filing_date <= asOf) known.set(periodKey(h.fiscal_year, h.fiscal_period), h);
  }
  for (const p of periods) known.set(periodKey(p.fiscal_year, p.fiscal_period), p);

  const fiscalYears = engineHistory([...known.values()].filter((p) => p.fiscal_period === "FY"));
  const quarters = new Map<number, PeriodFacts>();
  for (const p of known.values()) {
    const k = quarterOrdinal(p.fiscal_year, p.fiscal_period);
    if (k !== null) quarters.set(k, p);
  }
  const context = { asOf, updatedAt: options.updatedAt };
  const rows: FinancialsRow[] = [];
  const ordered = [...periods].sort(byPeriod);
  for (const p of ordered) {
    rows.push(
      financialsRow(ticker, p.fiscal_period === "FY" ? "FY" : "Q", p, fiscalYears, context),
    );
  }
  for (const p of ordered) {
    const k = quarterOrdinal(p.fiscal_year, p.fiscal_period);
    const window = k === null ? null : trailingQuarters(quarters, k);
    if (window) rows.push(financialsRow(ticker, "TTM", ttmFacts(window), fiscalYears, context));
  }
  return { rows, latestTtmGap: latestTtmGap(quarters) };
}

/** The quarters k−3..k, oldest first, when all four are known. */
function trailingQuarters(quarters: ReadonlyMap<number, PeriodFacts>, k: number) {
  const window: PeriodFacts[] = [];
  for (let j = k - 3; j <= k; j++) {
    const q = quarters.get(j);
    if (!q) return null;
    window.push(q);
  }
  return window;
}

function latestTtmGap(quarters: ReadonlyMap<number, PeriodFacts>): TtmGap | null {
  if (quarters.size === 0) return "no_quarters";
  const latest = Math.max(...quarters.keys());
  if (trailingQuarters(quarters, latest)) return null;
  return quarters.size < 4 ? "fewer_than_4_quarters" : "not_consecutive";
}

const PERIOD_ORDER: readonly Period[] = ["Q1", "Q2", "Q3", "Q4", "FY"];

function byPeriod(a: PeriodFacts, b: PeriodFacts): number {
  if (a.fiscal_year !== b.fiscal_year) return a.fiscal_year - b.fiscal_year;
  return PERIOD_ORDER.indexOf(a.fiscal_period) - PERIOD_ORDER.indexOf(b.fiscal_period);
}

// ---------------------------------------------------------------------------------------
// Reading FMP and the table (I/O; shared with datos_dividendos)

export interface StatementFile {
  kind: StatementKind;
  year: number;
  period: Period;
}

/** Every (statement, fiscal year, period) file of a window. */
export function statementFiles(
  kinds: readonly StatementKind[],
  years: readonly number[],
  periods: readonly Period[],
): StatementFile[] {
  return years.flatMap((year) =>
    periods.flatMap((period) => kinds.map((kind) => ({ kind, year, period }))),
  );
}

export interface FetchTotals {
  files: number;
  rows: number;
  skipped: number;
  samples: (RowSample & { file: string })[];
  requests: number;
  retries: number;
  /** Optional columns a file's header lacked (renamed or dropped by FMP), "endpoint: column". */
  missingColumns: string[];
}

const FETCH_BATCH = 5_000;
const FILES_AT_ONCE = 3;
const MAX_SAMPLES = 5;

/** Fetch totals before any file is read. */
export function noFetches(): FetchTotals {
  return {
    files: 0,
    rows: 0,
    skipped: 0,
    samples: [],
    requests: 0,
    retries: 0,
    missingColumns: [],
  };
}

/** A run's fetch totals as its metadata reports them. */
export function fetchMetadata(fetched: FetchTotals) {
  return {
    statements: fetched.rows,
    skipped: fetched.skipped,
    skippedSamples: fetched.samples,
    files: fetched.files,
    requests: fetched.requests,
    retries: fetched.retries,
    ...(fetched.missingColumns.length ? { missingColumns: fetched.missingColumns } : {}),
  };
}

/** Adds one step's fetch totals to the run's (samples capped). */
export function addFetchTotals(into: FetchTotals, add: FetchTotals): void {
  into.files += add.files;
  into.rows += add.rows;
  into.skipped += add.skipped;
  into.requests += add.requests;
  into.retries += add.retries;
  for (const s of add.samples) if (into.samples.length < MAX_SAMPLES) into.samples.push(s);
  for (const c of add.missingColumns ?? []) {
    if (!into.missingColumns.includes(c)) into.missingColumns.push(c);
  }
}

/** Streams the files into the book (a few at a time); bad rows are counted, never fatal. */
export async function fetchStatements(
  fmp: FmpClient,
  book: StatementBook,
  files: readonly StatementFile[],
  progress?: Progress,
): Promise<FetchTotals> {
  const totals = noFetches();
  progress?.total(files.length);
  const limit = pLimit(FILES_AT_ONCE);
  await Promise.all(
    files.map((file) =>
      limit(async () => {
        const report = await readFile(fmp, book, file);
        addFileReport(totals, report, `${report.endpoint} ${file.year} ${file.period}`);
        progress?.advance(1);
      }),
    ),
  );
  return totals;
}

/** Adds one file's (or one per-symbol answer's) report to the run's totals, its samples named `name`. */
function addFileReport(totals: FetchTotals, report: FetchReport, name: string): void {
  totals.files++;
  totals.rows += report.rows;
  totals.skipped += report.skipped;
  totals.requests += report.requests;
  totals.retries += report.retries;
  for (const column of report.missingColumns) {
    const named = `${report.endpoint}: ${column}`;
    if (!totals.missingColumns.includes(named)) totals.missingColumns.push(named);
  }
  for (const s of report.samples) {
    if (totals.samples.length < MAX_SAMPLES) totals.samples.push({ file: name, ...s });
  }
}

async function readFile(fmp: FmpClient, book: StatementBook, file: StatementFile) {
  const params = { year: file.year, period: file.period };
  const options = { batchSize: FETCH_BATCH };
  if (file.kind === "income") {
    const stream = fmp.csv(incomeStatementBulk, params, options);
    for await (const batch of stream) book.addIncome(batch);
    return stream.report;
  }
  if (file.kind === "balance") {
    const stream = fmp.csv(balanceSheetStatementBulk, params, options);
    for await (const batch of stream) book.addBalance(batch);
    return stream.report;
  }
  const stream = fmp.csv(cashFlowStatementBulk, params, options);
  for await (const batch of stream) book.addCashFlow(batch);
  return stream.report;
}

/** What a scoped run reads of one company per statement: FY rows, and Q1..Q4 rows. */
const SPAN_PERIODS: Record<StatementSpan, readonly Period[]> = {
  annual: ["FY"],
  quarter: ["Q1", "Q2", "Q3", "Q4"],
};

/**
 * A `tickers` scope's statements from FMP's per-symbol endpoints: for each ticker, statement
 * kind and span (annual: FY rows; quarter: Q1..Q4), the newest periods back past the widest
 * window (`statementLimit`), kept to the fiscal years `years` like the bulk files of those
 * years would hold them. One answer counts as one file in the totals.
 */
export async function fetchSymbolStatements(
  fmp: FmpClient,
  book: StatementBook,
  tickers: readonly string[],
  wanted: {
    kinds: readonly StatementKind[];
    spans: readonly StatementSpan[];
    years: readonly number[];
  },
  day: string,
  today: string,
): Promise<FetchTotals> {
  const totals = noFetches();
  const years = new Set(wanted.years);
  const inWindow = (span: StatementSpan) => (row: { fiscalYear: number; period: Period }) =>
    years.has(row.fiscalYear) && SPAN_PERIODS[span].includes(row.period);
  const requests = tickers.flatMap((symbol) =>
    wanted.kinds.flatMap((kind) => wanted.spans.map((span) => ({ symbol, kind, span }))),
  );
  const answers = await bySymbol(requests, async ({ symbol, kind, span }) => {
    const params = { symbol, period: span, limit: statementLimit(span, day, today) };
    if (kind === "income") {
      const { rows, report } = await fmp.json(STATEMENTS_BY_SYMBOL.income, params);
      book.addIncome(rows.filter(inWindow(span)));
      return report;
    }
    if (kind === "balance") {
      const { rows, report } = await fmp.json(STATEMENTS_BY_SYMBOL.balance, params);
      book.addBalance(rows.filter(inWindow(span)));
      return report;
    }
    const { rows, report } = await fmp.json(STATEMENTS_BY_SYMBOL.cashFlow, params);
    book.addCashFlow(rows.filter(inWindow(span)));
    return report;
  });
  answers.forEach((report, i) => {
    const request = requests[i] as (typeof requests)[number];
    addFileReport(totals, report, `${report.endpoint} ${request.symbol} ${request.span}`);
  });
  return totals;
}

/**
 * How many of the run's tickers have a usable history: at least one history row with
 * total_assets. Rows written before the score inputs existed (migration 0027) do not count,
 * so the window goes full once and refills them instead of leaving old TTMs without those
 * figures for good.
 */
export function tickersWithHistory(
  rows: Iterable<Pick<FinancialsRow, "ticker" | "total_assets">>,
  runTickers: ReadonlySet<string>,
): number {
  const seen = new Set<string>();
  for (const r of rows) if (runTickers.has(r.ticker) && isNum(r.total_assets)) seen.add(r.ticker);
  return seen.size;
}

/** Above this many tickers a read filters in memory rather than in SQL. */
const TICKERS_IN_SQL = 1_000;

/** tickersWithHistory over the table: FY and Q rows of fiscal years Y−6..Y−2 filed by D. */
async function countTickersWithHistory(db: Store, tickers: readonly string[], day: string) {
  const years = historyYears(day);
  const where: Where<FinancialsRow> = {
    period_type: { in: ["FY", "Q"] },
    fiscal_year: { gte: years.from, lte: years.to },
    filing_date: { lte: day },
    total_assets: { isNull: false },
    ...(tickers.length <= TICKERS_IN_SQL ? { ticker: { in: tickers } } : {}),
  };
  const rows = await db.readAll(financialsTable, { where, columns: ["ticker", "total_assets"] });
  return tickersWithHistory(rows, new Set(tickers));
}

/** The ledger metadata key a successful run records its covered fiscal years under. */
export const COVERED_KEY = "historyCovered";

const yearRanges = z.array(z.tuple([z.number().int(), z.number().int()]));

/**
 * Fiscal years the table holds for the run's tickers, from the ledger: what the newest
 * successful run of the full scope, and of this run's own scope, recorded as covered
 * (each run records what it found plus what it loaded, so the newest holds it all). A
 * failed or interrupted run records nothing; a run from before this record counts as none.
 */
export async function coveredYears(ctx: AssetContext): Promise<YearRange[]> {
  const keys = [...new Set(["", scopeKey(ctx.scope)])];
  const runs = await Promise.all(
    keys.map((key) =>
      ctx.db.ledger.latest({ asset: ctx.asset, status: "succeeded", scopeKeys: [key] }),
    ),
  );
  return mergeYearRanges(
    runs.flatMap((run) => {
      const recorded = yearRanges.safeParse(run?.metadata[COVERED_KEY]);
      return recorded.success ? recorded.data : [];
    }),
  );
}

/**
 * An error check: no row written by this run (`updated_at` = the run's stamp, from the
 * metadata) was built from a statement filed after the run's day.
 */
export function nothingFiledAfterRunDay<
  Row extends { ticker: string; filing_date: string; updated_at: string },
>(table: TableSpec<Row>): AssetCheck {
  return {
    name: "no_statement_filed_after_run_day",
    severity: "error",
    description: "no row the run wrote comes from a statement filed after its day",
    async run(ctx) {
      const stamp = ctx.result.metadata?.updatedAt;
      const day = ctx.partition ?? ctx.runDate;
      if (typeof stamp !== "string") return { passed: true, value: 0, message: "nothing written" };
      // A scoped run wrote only its tickers' rows: read those (by the ticker index), not the
      // whole table's.
      const scoped = ctx.scope?.tickers;
      const where = {
        updated_at: stamp,
        filing_date: { gt: day },
        ...(scoped ? { ticker: { in: scoped } } : {}),
      } as Where<Row>;
      const columns = ["ticker"] as (keyof Row & string)[];
      const late = await ctx.db.readAll(table, { where, columns });
      const tickers = [...new Set(late.map((r) => r.ticker))].slice(0, 5);
      return {
        passed: late.length === 0,
        value: late.length,
        message:
          late.length === 0
            ? `every row written was filed on or before ${day}`
            : `${late.length} rows filed after ${day} (e.g. ${tickers.join(", ")})`,
      };
    },
  };
}

// ---------------------------------------------------------------------------------------
// The asset: a plan, one step per fiscal period, one step per ticker range

/** Tickers per derive step (TTMs and CAGRs), at full-market scale (see chunks.ts). */
export const DERIVE_CHUNK_TICKERS = 2_000;

const UPSERT_CHUNK = 5_000;

/** CAGRs come from other periods' rows: a period step leaves an existing row's alone. */
const GROWTH_COLUMNS = ["revenue_cagr", "earnings_cagr", "fcf_cagr", "equity_cagr"] as const;

interface FinancialsPlan {
  updatedAt: string;
  tickers: number;
  window: FiscalYearWindow;
  /** Fiscal years the table holds once this run succeeds (its metadata's `historyCovered`). */
  coveredAfter: YearRange[];
  periods: { year: number; period: Period }[];
  /** Ticker ranges of the derive steps; null on a scoped run (one step, the scope's tickers). */
  ranges: TickerRange[] | null;
}

async function planFinancials(ctx: AssetContext, day: string): Promise<FinancialsPlan> {
  const tickers = await universeTickers(ctx, { equitiesOnly: true });
  const [covered, tickersWithHistory] = await Promise.all([
    coveredYears(ctx),
    countTickersWithHistory(ctx.db, tickers, day),
  ]);
  const window = fiscalYearWindow(day, { covered, tickers: tickers.length, tickersWithHistory });
  return {
    updatedAt: ctx.now().toISOString(),
    tickers: tickers.length,
    window,
    coveredAfter: coveredAfter(covered, window, day),
    periods: yearsOf(window).flatMap((year) => PERIODS.map((period) => ({ year, period }))),
    ranges: ctx.scope ? null : tickerRanges(tickers, perStep(ctx, DERIVE_CHUNK_TICKERS)),
  };
}

/** What a period step reports. */
interface PeriodCounts {
  incompletePeriods: number;
  /** Partial periods completed from the statements their stored row already had. */
  filledFromTable: number;
  fetch: FetchTotals;
  filedAfter: number;
  undated: number;
}

/**
 * One fiscal period (its income, balance and cash-flow files): each run ticker's FY or Q
 * row with its figures and own ratios. CAGRs and TTMs need other periods: the derive steps.
 */
async function loadPeriod(
  ctx: AssetContext,
  day: string,
  plan: FinancialsPlan,
  target: { year: number; period: Period },
): Promise<PeriodCounts> {
  const tickers = await universeTickers(ctx, { equitiesOnly: true });
  const book = new StatementBook(new Set(tickers), day);
  const files = statementFiles(["income", "balance", "cashFlow"], [target.year], [target.period]);
  const fetch = await fetchStatements(ctx.fmp(), book, files);
  const written = await writePeriods(ctx, day, plan, book, {
    period_type: target.period === "FY" ? "FY" : "Q",
    fiscal_year: target.year,
    fiscal_period: target.period,
  });
  return { ...written, fetch, filedAfter: book.counts.filedAfter, undated: book.counts.undated };
}

/**
 * A `tickers` scope, in one step: every period of the window from FMP's per-symbol
 * statements (6 requests a ticker), written as the period steps write them from the bulk
 * files. Each period's row depends only on that period's statements and stored row, so
 * loading them together writes what loading them one by one does.
 */
async function loadSymbols(
  ctx: AssetContext,
  day: string,
  plan: FinancialsPlan,
  symbols: readonly string[],
): Promise<PeriodCounts> {
  const tickers = await universeTickers(ctx, { equitiesOnly: true });
  const book = new StatementBook(new Set(tickers), day);
  const fetch = await fetchSymbolStatements(
    ctx.fmp(),
    book,
    symbols,
    {
      kinds: ["income", "balance", "cashFlow"],
      spans: ["annual", "quarter"],
      years: yearsOf(plan.window),
    },
    day,
    utcDate(ctx.now()),
  );
  const written = await writePeriods(ctx, day, plan, book, {
    period_type: { in: ["FY", "Q"] },
    fiscal_year: { gte: plan.window.from, lte: plan.window.to },
  });
  return { ...written, fetch, filedAfter: book.counts.filedAfter, undated: book.counts.undated };
}

/**
 * The FY and Q rows of the statements in `book` (each with its figures and own ratios),
 * completed from the stored rows of the same periods (`periods`: which rows those are).
 */
async function writePeriods(
  ctx: AssetContext,
  day: string,
  plan: FinancialsPlan,
  book: StatementBook,
  periods: Where<FinancialsRow>,
): Promise<Pick<PeriodCounts, "incompletePeriods" | "filledFromTable">> {
  const context = { asOf: day, updatedAt: plan.updatedAt };
  const fetched: { ticker: string; facts: PeriodFacts }[] = [];
  let incompletePeriods = 0;
  for (const ticker of book.tickersSeen()) {
    const matched = matchPeriods(book.statementsOf(ticker), day);
    incompletePeriods += matched.incomplete;
    for (const facts of matched.periods) fetched.push({ ticker, facts });
  }
  const stored = await storedPeriods(ctx.db, periods, fetched, day);
  let filledFromTable = 0;
  const rows = fetched.map(({ ticker, facts }) => {
    const filled = fillMissingStatements(facts, stored.get(storedKey(ticker, facts)));
    if (filled !== facts) filledFromTable++;
    return financialsRow(ticker, filled.fiscal_period === "FY" ? "FY" : "Q", filled, [], context);
  });
  // Rows written here are counted once, by the derive step that rewrites them.
  await ctx.db.upsert(financialsTable, rows, {
    chunkSize: UPSERT_CHUNK,
    keepOnConflict: [...GROWTH_COLUMNS],
  });
  return { incompletePeriods, filledFromTable };
}

/**
 * The rows earlier runs wrote (filed by D) for the fetched periods that lack a statement,
 * by ticker and period: what fillMissingStatements completes them from. `periods` narrows
 * the read to the periods fetched. No read when none lacks one.
 */
async function storedPeriods(
  db: Store,
  periods: Where<FinancialsRow>,
  fetched: readonly { ticker: string; facts: PeriodFacts }[],
  day: string,
): Promise<Map<string, PeriodFacts>> {
  const partial = [
    ...new Set(
      fetched
        .filter((f) => f.facts.statements.length < STATEMENT_NAMES.length)
        .map((f) => f.ticker),
    ),
  ];
  if (partial.length === 0) return new Map();
  const wanted = new Set(partial);
  const where: Where<FinancialsRow> = {
    ...periods,
    filing_date: { lte: day },
    ...(partial.length <= TICKERS_IN_SQL ? { ticker: { in: partial } } : {}),
  };
  const rows = await db.readAll(financialsTable, { where, columns: FACT_COLUMNS });
  return new Map(rows.filter((r) => wanted.has(r.ticker)).map((r) => [storedKey(r.ticker, r), r]));
}

function storedKey(ticker: string, p: Pick<PeriodFacts, "fiscal_year" | "fiscal_period">) {
  return `${ticker} ${periodKey(p.fiscal_year, p.fiscal_period)}`;
}

/** What a derive step reports. */
interface DeriveCounts {
  rows: number;
  tickers: number;
  byType: Record<PeriodType, number>;
  ttmMissing: Record<TtmGap, number>;
}

function noDerived(): DeriveCounts {
  return {
    rows: 0,
    tickers: 0,
    byType: { FY: 0, Q: 0, TTM: 0 },
    ttmMissing: { no_quarters: 0, fewer_than_4_quarters: 0, not_consecutive: 0 },
  };
}

/**
 * One ticker range: the FY and Q rows this run loaded get their CAGRs, and each quarter it
 * loaded that ends 4 consecutive quarters gets its TTM row. Other periods (fiscal years
 * Y−6..Y+1 filed by D) are the history those read.
 */
async function deriveRange(
  ctx: AssetContext,
  day: string,
  plan: FinancialsPlan,
  range: TickerRange,
): Promise<DeriveCounts> {
  const year = Number(day.slice(0, 4));
  const scoped = plan.ranges ? null : await universeTickers(ctx, { equitiesOnly: true });
  const ticker = tickerCondition(range, scoped);
  const where: Where<FinancialsRow> = {
    period_type: { in: ["FY", "Q"] },
    fiscal_year: { gte: year - HISTORY_YEARS, lte: year + 1 },
    filing_date: { lte: day },
    ...(ticker ? { ticker } : {}),
  };
  const byTicker = new Map<string, { loaded: PeriodFacts[]; history: PeriodFacts[] }>();
  const columns = [...FACT_COLUMNS, "updated_at"] as (keyof FinancialsRow & string)[];
  for await (const page of ctx.db.read(financialsTable, { where, columns })) {
    for (const row of page) {
      const entry = byTicker.get(row.ticker) ?? { loaded: [], history: [] };
      (row.updated_at === plan.updatedAt ? entry.loaded : entry.history).push(row);
      byTicker.set(row.ticker, entry);
    }
  }
  const counts = noDerived();
  let pending: FinancialsRow[] = [];
  const flush = async () => {
    counts.rows += await ctx.db.upsert(financialsTable, pending, { chunkSize: UPSERT_CHUNK });
    pending = [];
  };
  for (const [name, { loaded, history }] of byTicker) {
    if (loaded.length === 0) continue;
    const built = buildFromPeriods(name, loaded, {
      asOf: day,
      updatedAt: plan.updatedAt,
      history,
    });
    counts.tickers++;
    if (built.latestTtmGap) counts.ttmMissing[built.latestTtmGap]++;
    for (const row of built.rows) counts.byType[row.period_type]++;
    pending.push(...built.rows);
    if (pending.length >= UPSERT_CHUNK) await flush();
  }
  await flush();
  return counts;
}

async function materializeFinancials(ctx: AssetContext, day: string) {
  const plan = await ctx.step("plan", () => planFinancials(ctx, day));
  const ranges = plan.ranges ?? [ALL_TICKERS];

  const loaded = { incompletePeriods: 0, filledFromTable: 0, filedAfter: 0, undated: 0 };
  const fetched = noFetches();
  const add = (counts: PeriodCounts) => {
    loaded.incompletePeriods += counts.incompletePeriods;
    loaded.filledFromTable += counts.filledFromTable;
    loaded.filedAfter += counts.filedAfter;
    loaded.undated += counts.undated;
    addFetchTotals(fetched, counts.fetch);
    ctx.progress.advance(1);
  };
  // A `tickers` scope reads every period of the window per symbol, in one step.
  const symbols = symbolScope(ctx);
  const loads = symbols
    ? [{ id: "load-by-symbol", run: () => loadSymbols(ctx, day, plan, symbols) }]
    : plan.periods.map((target) => ({
        id: `load-${periodLabel(target.year, target.period)}`,
        run: () => loadPeriod(ctx, day, plan, target),
      }));
  ctx.progress.total(loads.length + ranges.length);
  for (const load of loads) add(await ctx.step(load.id, load.run));

  const derived = noDerived();
  for (const [i, range] of ranges.entries()) {
    const counts = await ctx.step(`derive-${i + 1}-of-${ranges.length}`, () =>
      deriveRange(ctx, day, plan, range),
    );
    derived.rows += counts.rows;
    derived.tickers += counts.tickers;
    for (const type of ["FY", "Q", "TTM"] as const) derived.byType[type] += counts.byType[type];
    for (const gap of Object.keys(derived.ttmMissing) as TtmGap[]) {
      derived.ttmMissing[gap] += counts.ttmMissing[gap];
    }
    ctx.progress.advance(1);
  }

  return {
    // Every FY/Q row a period step loaded is rewritten by its derive step, with the TTMs.
    rows: derived.rows,
    metadata: {
      updatedAt: plan.updatedAt,
      tickers: plan.tickers,
      tickersWithRows: derived.tickers,
      window: plan.window.kind,
      fiscalYears: [plan.window.from, plan.window.to],
      [COVERED_KEY]: plan.coveredAfter,
      periodSteps: loads.length,
      deriveSteps: ranges.length,
      rowsByType: derived.byType,
      incompletePeriods: loaded.incompletePeriods,
      filledFromTable: loaded.filledFromTable,
      ttmMissing: derived.ttmMissing,
      filedAfter: loaded.filedAfter,
      undated: loaded.undated,
      ...fetchMetadata(fetched),
    },
  };
}

export default defineAsset({
  key: "datos_financieros",
  description: "FY, Q and TTM statement figures and derived ratios per ticker, point in time",
  deps: ["fintra_universe"],
  partitioned: true,
  sources: ["fmp"],
  tables: [financialsTable],
  checks: [
    atLeast("rows", 1),
    nothingFiledAfterRunDay(financialsTable),
    skippedRowsWithin({ figures: { read: "statements" } }),
  ],
  materialize(ctx) {
    return materializeFinancials(ctx, ctx.partition ?? ctx.runDate);
  },
});
