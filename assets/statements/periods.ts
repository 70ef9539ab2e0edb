/**
 * The maths of datos_financieros: a fiscal period's figures from the statements FMP has
 * for it, the TTM of four consecutive quarters, the ratios and the CAGRs, and one
 * ticker's rows from its periods. Pure: the asset reads the files and the table, this
 * decides what a row holds.
 *
 * - Missing is never 0: a statement FMP lacks leaves its figures null, a flow summed over
 *   a TTM is null when any quarter lacks it, free cash flow and invested capital are null
 *   when a part is, and a ratio over a 0 or missing denominator is null. A negative
 *   denominator is kept: negative equity must reach the engines.
 * - Quarters are consecutive by FMP's fiscal period (Q4 → next year's Q1), never by dates.
 * - roic is net income over equity + debt: the statement bulks carry no NOPAT. wacc stays
 *   null for the same reason.
 * - CAGRs use the engines' rule (engines/fundamentals-growth.ts) on FY rows ending by the
 *   row's period end; data_freshness counts days to D, so a rerun of D writes the same.
 */
import { daysBetween } from "../../engines/dates.ts";
import type { FinancialRow } from "../../engines/financial-rows.ts";
import { growthInputs } from "../../engines/fundamentals-growth.ts";
import { isNum } from "../../engines/math.ts";
import type { FinancialsRow, PeriodType } from "./datos_financieros.ts";
import {
  type BalanceFacts,
  type CashFlowFacts,
  type IncomeFacts,
  laterDate,
  latestPerPeriod,
  periodKey,
  periodLabel,
  periodOrdinal,
  type TickerStatements,
} from "./statements.ts";

/** What every row names as its source, the per-symbol statements included (same rows). */
const SOURCE = "fmp_bulk";

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

/** Every figure a period carries as the statements give it: flows, then balances. */
export const FIGURES = [...FLOW_FIGURES, ...POINT_FIGURES] as const;

type Figure = (typeof FIGURES)[number];

/** A statement as the `statements` column names it. */
export type StatementName = "income" | "balance" | "cash_flow";

const STATEMENT_NAMES: readonly StatementName[] = ["income", "balance", "cash_flow"];

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

/** Whether a period lacks one or two of the three statements. */
export function isIncomplete(facts: Pick<PeriodFacts, "statements">): boolean {
  return facts.statements.length < STATEMENT_NAMES.length;
}

// ---------------------------------------------------------------------------------------
// A period from its statements

/** One period's statements; any of them may be missing, but not all three. */
interface PeriodStatements {
  income?: IncomeFacts | undefined;
  balance?: BalanceFacts | undefined;
  cashFlow?: CashFlowFacts | undefined;
}

/**
 * One period's figures from the statements it has: a missing statement's figures are null.
 * Weighted shares are the diluted count, else basic; shares outstanding the reverse (the
 * statements carry no period-end count).
 */
function periodFacts({ income, balance, cashFlow }: PeriodStatements): PeriodFacts {
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
 * Every period with at least one statement filed on or before `asOf` (matched by fiscal
 * year and period), and how many of them lack one or two (kept all the same).
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
  return { periods, incomplete: periods.filter(isIncomplete).length };
}

/**
 * A period this run fetched, completed from the row an earlier run wrote (filed by D): the
 * statements the files lacked this time keep the figures the row had from them, so a file
 * listing fewer companies never erases data. A statement present in the files replaces its
 * figures, nulls included: that is how FMP corrects data.
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

// ---------------------------------------------------------------------------------------
// Trailing twelve months

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
function ttmFacts(quarters: readonly PeriodFacts[]): PeriodFacts {
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

/** Why the latest quarter of a ticker has no TTM row. */
export type TtmGap = "no_quarters" | "fewer_than_4_quarters" | "not_consecutive";

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

// ---------------------------------------------------------------------------------------
// Ratios and growth

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
function freeCashFlow(f: Pick<PeriodFacts, "operating_cash_flow" | "capex">) {
  return isNum(f.operating_cash_flow) && isNum(f.capex)
    ? f.operating_cash_flow - Math.abs(f.capex)
    : null;
}

type Derived = Pick<
  FinancialsRow,
  | "free_cash_flow"
  | "invested_capital"
  | "operating_margin"
  | "net_margin"
  | "gross_margin"
  | "ebitda_margin"
  | "fcf_margin"
  | "roic"
  | "roe"
  | "debt_to_equity"
  | "interest_coverage"
  | "current_ratio"
  | "book_value_per_share"
  | "wacc"
>;

/** What a period's own figures give: FCF, invested capital and the ratios (spec §0.2). */
function derivedFigures(facts: PeriodFacts): Derived {
  const fcf = freeCashFlow(facts);
  const investedCapital = sumOrNull(facts.total_equity, facts.total_debt);
  const revenue = facts.revenue;
  return {
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
  };
}

/** 20 points each: revenue, net income, equity, operating cash flow (non-zero), debt (present). */
function dataCompleteness(f: PeriodFacts): number {
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
function growthAt(history: readonly FinancialRow[], periodEnd: string): Growth {
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

// ---------------------------------------------------------------------------------------
// Rows

function pickFigures(f: PeriodFacts): Pick<FinancialsRow, Figure> {
  const out = {} as Pick<FinancialsRow, Figure>;
  for (const figure of FIGURES) out[figure] = f[figure] ?? null;
  return out;
}

/** A table row from a period's figures, its FY history and the day D it is built on. */
export function financialsRow(
  ticker: string,
  periodType: PeriodType,
  facts: PeriodFacts,
  history: readonly FinancialRow[],
  context: { asOf: string; updatedAt: string },
): FinancialsRow {
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
    ...derivedFigures(facts),
    ...growthAt(history, facts.period_end_date),
    data_completeness: dataCompleteness(facts),
    statements: [...facts.statements],
    data_freshness: daysBetween(facts.period_end_date, context.asOf),
    updated_at: context.updatedAt,
  };
}

interface TickerFinancials {
  rows: FinancialsRow[];
  /** Periods written with one or two of the three statements only. */
  incompletePeriods: number;
  /** null when the latest quarter has a TTM row. */
  latestTtmGap: TtmGap | null;
}

interface BuildOptions {
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

/** History filed by D, then `periods` over it, by fiscal year and period. */
function knownPeriods(
  periods: readonly PeriodFacts[],
  history: readonly PeriodFacts[],
  asOf: string,
): Map<string, PeriodFacts> {
  const known = new Map<string, PeriodFacts>();
  for (const h of history) {
    if (h.filing_date <= asOf) known.set(periodKey(h.fiscal_year, h.fiscal_period), h);
  }
  for (const p of periods) known.set(periodKey(p.fiscal_year, p.fiscal_period), p);
  return known;
}

/** The quarters among `periods`, by their place in fiscal time (engines/ttm.ts). */
function quartersByOrdinal(periods: Iterable<PeriodFacts>): Map<number, PeriodFacts> {
  const quarters = new Map<number, PeriodFacts>();
  for (const p of periods) {
    const k = periodOrdinal(p.fiscal_year, p.fiscal_period);
    if (k !== null) quarters.set(k, p);
  }
  return quarters;
}

const PERIOD_ORDER: readonly PeriodFacts["fiscal_period"][] = ["Q1", "Q2", "Q3", "Q4", "FY"];

function byPeriod(a: PeriodFacts, b: PeriodFacts): number {
  if (a.fiscal_year !== b.fiscal_year) return a.fiscal_year - b.fiscal_year;
  return PERIOD_ORDER.indexOf(a.fiscal_period) - PERIOD_ORDER.indexOf(b.fiscal_period);
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
  const known = knownPeriods(periods, options.history ?? [], options.asOf);
  const fiscalYears = engineHistory([...known.values()].filter((p) => p.fiscal_period === "FY"));
  const quarters = quartersByOrdinal(known.values());
  const context = { asOf: options.asOf, updatedAt: options.updatedAt };
  const ordered = [...periods].sort(byPeriod);
  const rows = ordered.map((p) =>
    financialsRow(ticker, p.fiscal_period === "FY" ? "FY" : "Q", p, fiscalYears, context),
  );
  for (const p of ordered) {
    const k = periodOrdinal(p.fiscal_year, p.fiscal_period);
    const window = k === null ? null : trailingQuarters(quarters, k);
    if (window) rows.push(financialsRow(ticker, "TTM", ttmFacts(window), fiscalYears, context));
  }
  return { rows, latestTtmGap: latestTtmGap(quarters) };
}
