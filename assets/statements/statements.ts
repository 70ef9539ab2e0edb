/**
 * FMP's statements as the two statement assets read them: narrow records (only the figures
 * they compute from) kept per ticker as seen from one day, and which fiscal years a run
 * fetches. Pure: the assets stream the files in.
 *
 * - A period is FMP's (fiscalYear, period), never the calendar year of its end date; two
 *   quarters are consecutive when their ordinals are (engines/ttm.ts).
 * - Point in time: a statement counts on day D only when filed on or before D. One without
 *   a filing date cannot be placed in time and is dropped (counted); a period filed twice
 *   keeps the later filing.
 * - The fiscal-year window narrows only on years that successful runs recorded as loaded
 *   (`coveredAfter`), never on rows that happen to exist: an interrupted run leaves some.
 */

import { quarterOrdinal } from "../../engines/ttm.ts";
import type {
  BalanceSheetRow,
  CashFlowRow,
  IncomeStatementRow,
  Period,
} from "../../sources/fmp/index.ts";

/** Which statement a record came from. */
export type StatementKind = "income" | "balance" | "cashFlow";

/** The key and dates every statement record carries (FMP's names). */
interface StatementStamp {
  symbol: string;
  /** Period end, YYYY-MM-DD. */
  date: string;
  filingDate: string;
  /** FMP's fiscal year: the calendar year the fiscal year ends in. */
  fiscalYear: number;
  period: Period;
}

export interface IncomeFacts extends StatementStamp {
  revenue: number | null;
  grossProfit: number | null;
  operatingIncome: number | null;
  interestExpense: number | null;
  ebitda: number | null;
  netIncome: number | null;
  weightedAverageShsOut: number | null;
  weightedAverageShsOutDil: number | null;
  /**
   * Earnings before interest and taxes (Altman Z's X3). Optional: a record narrowed before
   * the scores needed it reads as missing, like a column absent from FMP's header.
   */
  ebit?: number | null;
}

export interface BalanceFacts extends StatementStamp {
  cashAndCashEquivalents: number | null;
  totalCurrentAssets: number | null;
  totalCurrentLiabilities: number | null;
  totalStockholdersEquity: number | null;
  totalDebt: number | null;
  /** Altman Z and Piotroski F inputs (financial_scores). */
  totalAssets: number | null;
  totalLiabilities: number | null;
  retainedEarnings: number | null;
  longTermDebt: number | null;
}

export interface CashFlowFacts extends StatementStamp {
  operatingCashFlow: number | null;
  capitalExpenditure: number | null;
  freeCashFlow: number | null;
  commonDividendsPaid: number | null;
  netDividendsPaid: number | null;
}

/** One ticker's statements as the builders take them (any order). */
export interface TickerStatements {
  income: readonly IncomeFacts[];
  balance: readonly BalanceFacts[];
  cashFlow: readonly CashFlowFacts[];
}

/** Fiscal years of history a build needs before the mutable window (3-year CAGRs, TTM). */
export const HISTORY_YEARS = 6;

/** "2025" for FY, "2026Q1" for a quarter. */
export function periodLabel(fiscalYear: number, period: Period): string {
  return period === "FY" ? String(fiscalYear) : `${fiscalYear}${period}`;
}

/**
 * A period's place in fiscal time by the engine's one rule (engines/ttm.ts
 * `quarterOrdinal`): consecutive quarters differ by 1; null for FY.
 */
export function periodOrdinal(fiscalYear: number, period: Period): number | null {
  return quarterOrdinal(periodLabel(fiscalYear, period));
}

/** The key of a (fiscal year, period) inside one ticker's statements. */
export function periodKey(fiscalYear: number, period: Period): string {
  return `${fiscalYear}:${period}`;
}

/** The later of two ISO dates (either may be missing). */
export function laterDate(a: string | null | undefined, b: string | null | undefined): string {
  if (!a) return b ?? "";
  if (!b) return a;
  return a >= b ? a : b;
}

/** Whether `next` should replace `kept` for the same period: the later filing, then period end. */
function supersedes(kept: StatementStamp, next: StatementStamp): boolean {
  if (next.filingDate !== kept.filingDate) return next.filingDate > kept.filingDate;
  return next.date > kept.date;
}

/** The latest-filed record per period, among those filed on or before `asOf`. */
export function latestPerPeriod<T extends StatementStamp>(
  records: readonly T[],
  asOf: string,
): T[] {
  const byPeriod = new Map<string, T>();
  for (const r of records) {
    if (!r.filingDate || r.filingDate > asOf) continue;
    const key = periodKey(r.fiscalYear, r.period);
    const kept = byPeriod.get(key);
    if (!kept || supersedes(kept, r)) byPeriod.set(key, r);
  }
  return [...byPeriod.values()];
}

function stamp(row: {
  symbol: string;
  date: string;
  filingDate: string | null;
  fiscalYear: number;
  period: Period;
}): StatementStamp {
  return {
    symbol: row.symbol.toUpperCase(),
    date: row.date,
    filingDate: row.filingDate ?? "",
    fiscalYear: row.fiscalYear,
    period: row.period,
  };
}

function incomeFacts(row: IncomeStatementRow): IncomeFacts {
  return {
    ...stamp(row),
    revenue: row.revenue,
    grossProfit: row.grossProfit,
    operatingIncome: row.operatingIncome,
    interestExpense: row.interestExpense,
    ebitda: row.ebitda,
    netIncome: row.netIncome,
    weightedAverageShsOut: row.weightedAverageShsOut,
    weightedAverageShsOutDil: row.weightedAverageShsOutDil,
    ebit: row.ebit,
  };
}

function balanceFacts(row: BalanceSheetRow): BalanceFacts {
  return {
    ...stamp(row),
    cashAndCashEquivalents: row.cashAndCashEquivalents,
    totalCurrentAssets: row.totalCurrentAssets,
    totalCurrentLiabilities: row.totalCurrentLiabilities,
    totalStockholdersEquity: row.totalStockholdersEquity,
    totalDebt: row.totalDebt,
    totalAssets: row.totalAssets,
    totalLiabilities: row.totalLiabilities,
    retainedEarnings: row.retainedEarnings,
    longTermDebt: row.longTermDebt,
  };
}

function cashFlowFacts(row: CashFlowRow): CashFlowFacts {
  return {
    ...stamp(row),
    operatingCashFlow: row.operatingCashFlow,
    capitalExpenditure: row.capitalExpenditure,
    freeCashFlow: row.freeCashFlow,
    commonDividendsPaid: row.commonDividendsPaid,
    netDividendsPaid: row.netDividendsPaid,
  };
}

/** What a StatementBook left out, for a run's metadata. */
interface BookCounts {
  /** Records kept (before per-period dedupe). */
  kept: number;
  /** Filed after the day the book sees from. */
  filedAfter: number;
  /** No filing date: cannot be placed in time. */
  undated: number;
}

interface TickerShelf {
  income: IncomeFacts[];
  balance: BalanceFacts[];
  cashFlow: CashFlowFacts[];
}

/**
 * Statements of the covered tickers as seen on `asOf`, narrowed as they stream in so a
 * run holds a few numbers per period instead of FMP's 40-column rows.
 */
export class StatementBook {
  readonly counts: BookCounts = { kept: 0, filedAfter: 0, undated: 0 };
  private readonly shelves = new Map<string, TickerShelf>();

  /** `tickers`: the run's tickers (null: every symbol in the files). */
  private readonly tickers: ReadonlySet<string> | null;
  readonly asOf: string;

  constructor(tickers: ReadonlySet<string> | null, asOf: string) {
    this.tickers = tickers;
    this.asOf = asOf;
  }

  addIncome(rows: readonly IncomeStatementRow[]): void {
    for (const row of rows) this.keep("income", row, incomeFacts);
  }

  addBalance(rows: readonly BalanceSheetRow[]): void {
    for (const row of rows) this.keep("balance", row, balanceFacts);
  }

  addCashFlow(rows: readonly CashFlowRow[]): void {
    for (const row of rows) this.keep("cashFlow", row, cashFlowFacts);
  }

  /** Tickers with at least one statement, sorted. */
  tickersSeen(): string[] {
    return [...this.shelves.keys()].sort();
  }

  statementsOf(ticker: string): TickerStatements {
    return this.shelves.get(ticker) ?? { income: [], balance: [], cashFlow: [] };
  }

  private keep<Row extends { symbol: string; filingDate: string | null }, F>(
    kind: StatementKind,
    row: Row,
    narrow: (row: Row) => F,
  ): void {
    const ticker = row.symbol.toUpperCase();
    if (this.tickers && !this.tickers.has(ticker)) return;
    if (!row.filingDate) {
      this.counts.undated++;
      return;
    }
    if (row.filingDate > this.asOf) {
      this.counts.filedAfter++;
      return;
    }
    let shelf = this.shelves.get(ticker);
    if (!shelf) {
      shelf = { income: [], balance: [], cashFlow: [] };
      this.shelves.set(ticker, shelf);
    }
    (shelf[kind] as F[]).push(narrow(row));
    this.counts.kept++;
  }
}

/** Which fiscal years a run fetches. */
export interface FiscalYearWindow {
  /** "mutable": the years FMP still changes; "full": also the history a build needs. */
  kind: "mutable" | "full";
  from: number;
  to: number;
}

/** Fiscal years `[from, to]`, both included. */
export type YearRange = [from: number, to: number];

/** What a run knows about the history the table holds for its tickers. */
interface HistoryState {
  /** Fiscal years successful runs recorded as loaded (the ledger; see coveredAfter). */
  covered: readonly YearRange[];
  /** The run's tickers, and how many of them have rows of fiscal years Y−6..Y−2 filed by D. */
  tickers: number;
  tickersWithHistory: number;
}

/**
 * The fiscal years to fetch on day D (year Y): the mutable window Y−1..Y+1 (a fiscal year
 * is named after the year it ends in, so Y+1 already has quarters), or Y−6..Y+1 unless
 * both hold:
 * - completed work: successful runs recorded Y−6..Y−2 as loaded. Rows alone never narrow
 *   the window, so a run interrupted after its first periods leaves the next on the full
 *   window instead of freezing a half-loaded history;
 * - at least half of the run's tickers have rows of those years filed on or before D, so a
 *   universe that grew (or a scope of tickers never loaded) fetches the history again.
 */
export function fiscalYearWindow(day: string, history: HistoryState): FiscalYearWindow {
  const year = Number(day.slice(0, 4));
  const needed = historyYears(day);
  const full =
    !coversYears(history.covered, [needed.from, needed.to]) ||
    history.tickersWithHistory * 2 < history.tickers;
  return { kind: full ? "full" : "mutable", from: year - (full ? HISTORY_YEARS : 1), to: year + 1 };
}

/** Whether one of `ranges` holds every year of `years`. */
function coversYears(ranges: readonly YearRange[], years: YearRange): boolean {
  return ranges.some(([from, to]) => from <= years[0] && to >= years[1]);
}

/** Ranges sorted and merged where they overlap or touch. */
export function mergeYearRanges(ranges: readonly YearRange[]): YearRange[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: YearRange[] = [];
  for (const [from, to] of sorted) {
    const last = merged[merged.length - 1];
    if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
}

/**
 * The fiscal years the table holds after a successful run on day D (year Y) that fetched
 * `window`: what was covered before plus the window's years up to Y−1. Years Y and Y+1
 * are still being filed, so they count only once a later year's run has fetched them.
 */
export function coveredAfter(
  covered: readonly YearRange[],
  window: FiscalYearWindow,
  day: string,
): YearRange[] {
  const settled = Math.min(window.to, Number(day.slice(0, 4)) - 1);
  const own: YearRange[] = window.from <= settled ? [[window.from, settled]] : [];
  return mergeYearRanges([...covered.map(([a, b]): YearRange => [a, b]), ...own]);
}

/** Fiscal years Y−6..Y−2 of day D: the history read back from the table. */
export function historyYears(day: string): { from: number; to: number } {
  const year = Number(day.slice(0, 4));
  return { from: year - HISTORY_YEARS, to: year - 2 };
}

/** Every year of a window, oldest first. */
export function yearsOf(window: { from: number; to: number }): number[] {
  const years: number[] = [];
  for (let y = window.from; y <= window.to; y++) years.push(y);
  return years;
}
