/**
 * datos_dividendos: one row per ticker and fiscal year with what the company paid its
 * common shareholders and how affordable it was (spec/pipeline.md J15, spec/schema.md §3.5).
 * Read by the dividends timeline and the dividend-quality engine (engines/dividend-quality.ts).
 *
 * - Latest state (unpartitioned; the run's day is `runDate`), deps: fintra_universe. A full
 *   run covers the active equities; a scope narrows it as everywhere (`universeTickers`).
 *   Source: FMP's FY income and cash-flow statement bulks; a year needs both statements,
 *   matched by fiscal year (years with one are counted in `incompleteYears`).
 * - Key (ticker, year); `year` is FMP's `fiscalYear` (the year the fiscal year ends in), and
 *   `fiscal_year_end_date` the cash-flow statement's `date`.
 * - Point in time: a run for day D sees only statements filed on or before D; `filing_date`
 *   is the later of the two statements' filing dates.
 * - dividend_cash_paid = |commonDividendsPaid|, or |netDividendsPaid| when the common figure
 *   is missing (a reported 0 stays 0: preferred dividends are not paid to common holders).
 * - dividend_per_share = cash / weightedAverageShsOut (shares > 0); payout_eps = cash / net
 *   income × 100 (net income > 0); payout_fcf = cash / free cash flow × 100 (FCF > 0), with
 *   FMP's freeCashFlow, else operating cash flow − |capex|. Payouts are percent numbers.
 * - has_dividend = DPS > 0. is_growing = DPS > the previous fiscal year's DPS when both are
 *   known (the previous year from this run's statements, else read back from the table as
 *   of D); null otherwise.
 * - Dropped from the original's table: is_stable, payments_count, dividend_yield and
 *   data_freshness (never written). Added: filing_date, updated_at (the run's time on
 *   every row it writes).
 * - Fiscal years fetched: as datos_financieros (statements.ts `fiscalYearWindow`): Y−1..Y+1
 *   of D's year, or Y−6..Y+1 while fewer than half of the run's tickers have rows of fiscal
 *   years Y−6..Y−2 filed on or before D. Requests: 2 statements × FY per year.
 * - Writes: upserts that update (FMP corrects data), from one step that fetches, builds and
 *   writes and returns counts only; `buildTickerDividends` is the pure per-ticker build.
 * - Checks: at least one row; no row written by the run was filed after its day (error).
 */
import { defineTable, type Store, type Where } from "../db/index.ts";
import { isNum } from "../engines/math.ts";
import { atLeast } from "./checks.ts";
import {
  fetchStatements,
  nothingFiledAfterRunDay,
  ratio,
  statementFiles,
} from "./datos_financieros.ts";
import { type AssetContext, defineAsset } from "./define.ts";
import { universeTickers } from "./fintra_universe.ts";
import {
  type CashFlowFacts,
  fiscalYearWindow,
  historyYears,
  type IncomeFacts,
  laterDate,
  latestPerPeriod,
  StatementBook,
  type TickerStatements,
  yearsOf,
} from "./statements.ts";

export interface DividendsRow {
  ticker: string;
  year: number;
  fiscal_year_end_date: string;
  dividend_cash_paid: number | null;
  dividend_per_share: number | null;
  /** Percent of net income. */
  payout_eps: number | null;
  /** Percent of free cash flow. */
  payout_fcf: number | null;
  has_dividend: boolean;
  is_growing: boolean | null;
  source: string;
  filing_date: string;
  updated_at: string;
}

export const dividendsTable = defineTable<DividendsRow>({
  name: "datos_dividendos",
  key: ["ticker", "year"],
  columns: {
    ticker: "text",
    year: "integer",
    fiscal_year_end_date: "date",
    dividend_cash_paid: "numeric",
    dividend_per_share: "numeric",
    payout_eps: "numeric",
    payout_fcf: "numeric",
    has_dividend: "boolean",
    is_growing: "boolean",
    source: "text",
    filing_date: "date",
    updated_at: "timestamptz",
  },
});

export const SOURCE = "fmp-bulk";

// ---------------------------------------------------------------------------------------
// Building rows (pure)

/** Cash paid to common shareholders in a year (positive), or null when FMP has neither figure. */
export function dividendCashPaid(
  c: Pick<CashFlowFacts, "commonDividendsPaid" | "netDividendsPaid">,
) {
  if (isNum(c.commonDividendsPaid)) return Math.abs(c.commonDividendsPaid);
  return isNum(c.netDividendsPaid) ? Math.abs(c.netDividendsPaid) : null;
}

function freeCashFlowOf(c: CashFlowFacts): number | null {
  if (isNum(c.freeCashFlow)) return c.freeCashFlow;
  return isNum(c.operatingCashFlow) && isNum(c.capitalExpenditure)
    ? c.operatingCashFlow - Math.abs(c.capitalExpenditure)
    : null;
}

/** cash / base × 100 when the base is positive (a payout out of a loss has no ratio). */
function payout(cash: number | null, base: number | null): number | null {
  if (!isNum(base) || base <= 0) return null;
  const share = ratio(cash, base);
  return share === null ? null : share * 100;
}

/** One fiscal year's row from its FY income and cash-flow statements (no is_growing yet). */
export function dividendYear(
  ticker: string,
  income: IncomeFacts,
  cashFlow: CashFlowFacts,
  updatedAt: string,
): DividendsRow {
  const cash = dividendCashPaid(cashFlow);
  const shares = income.weightedAverageShsOut;
  const dps = isNum(shares) && shares > 0 ? ratio(cash, shares) : null;
  return {
    ticker,
    year: income.fiscalYear,
    fiscal_year_end_date: cashFlow.date,
    dividend_cash_paid: cash,
    dividend_per_share: dps,
    payout_eps: payout(cash, income.netIncome),
    payout_fcf: payout(cash, freeCashFlowOf(cashFlow)),
    has_dividend: isNum(dps) && dps > 0,
    is_growing: null,
    source: SOURCE,
    filing_date: laterDate(income.filingDate, cashFlow.filingDate),
    updated_at: updatedAt,
  };
}

export interface DividendBuildOptions {
  /** The run's day: statements filed after it are ignored. */
  asOf: string;
  updatedAt: string;
  /** Dividend per share of earlier fiscal years already in the table (as of asOf). */
  previous?: ReadonlyMap<number, number | null>;
}

/**
 * One ticker's rows: a row per fiscal year with both FY statements filed by asOf, and
 * is_growing against the year before (this run's row, else the table's).
 */
export function buildTickerDividends(
  ticker: string,
  statements: Pick<TickerStatements, "income" | "cashFlow">,
  options: DividendBuildOptions,
): { rows: DividendsRow[]; incompleteYears: number } {
  const fy = <T extends { period: string }>(list: readonly T[]) =>
    list.filter((s) => s.period === "FY");
  const income = latestPerPeriod(fy(statements.income), options.asOf);
  const cashFlow = new Map(
    latestPerPeriod(fy(statements.cashFlow), options.asOf).map((c) => [c.fiscalYear, c]),
  );
  const rows: DividendsRow[] = [];
  for (const i of income) {
    const c = cashFlow.get(i.fiscalYear);
    if (c) rows.push(dividendYear(ticker, i, c, options.updatedAt));
  }
  const years = new Set([...income.map((i) => i.fiscalYear), ...cashFlow.keys()]);
  rows.sort((a, b) => a.year - b.year);
  const dps = new Map(options.previous ?? []);
  for (const r of rows) dps.set(r.year, r.dividend_per_share);
  for (const r of rows) {
    const before = dps.get(r.year - 1);
    r.is_growing =
      isNum(before) && isNum(r.dividend_per_share) ? r.dividend_per_share > before : null;
  }
  return { rows, incompleteYears: years.size - rows.length };
}

// ---------------------------------------------------------------------------------------
// The asset

/** Dividend per share of fiscal years Y−6..Y−2 filed on or before D, per ticker. */
export async function readDividendHistory(
  db: Store,
  tickers: readonly string[],
  day: string,
): Promise<Map<string, Map<number, number | null>>> {
  const years = historyYears(day);
  const wanted = new Set(tickers);
  const where: Where<DividendsRow> = {
    year: { gte: years.from, lte: years.to },
    filing_date: { lte: day },
    ...(tickers.length <= 1_000 ? { ticker: { in: tickers } } : {}),
  };
  const history = new Map<string, Map<number, number | null>>();
  const columns: (keyof DividendsRow)[] = ["ticker", "year", "dividend_per_share"];
  for await (const page of db.read(dividendsTable, { where, columns })) {
    for (const row of page) {
      if (!wanted.has(row.ticker)) continue;
      const years = history.get(row.ticker) ?? new Map<number, number | null>();
      years.set(row.year, row.dividend_per_share);
      history.set(row.ticker, years);
    }
  }
  return history;
}

async function materializeDividends(ctx: AssetContext, day: string) {
  const updatedAt = ctx.now().toISOString();
  const tickers = await universeTickers(ctx, { equitiesOnly: true });
  const history = await readDividendHistory(ctx.db, tickers, day);
  const window = fiscalYearWindow(day, tickers.length, history.size);
  const book = new StatementBook(new Set(tickers), day);
  const files = statementFiles(["income", "cashFlow"], yearsOf(window), ["FY"]);
  const fetched = await fetchStatements(ctx.fmp(), book, files, ctx.progress);

  const rows: DividendsRow[] = [];
  let incompleteYears = 0;
  for (const ticker of [...tickers].sort()) {
    const built = buildTickerDividends(ticker, book.statementsOf(ticker), {
      asOf: day,
      updatedAt,
      previous: history.get(ticker) ?? new Map(),
    });
    incompleteYears += built.incompleteYears;
    rows.push(...built.rows);
  }
  const written = await ctx.db.upsert(dividendsTable, rows);
  return {
    rows: written,
    metadata: {
      updatedAt,
      tickers: tickers.length,
      payers: rows.filter((r) => r.has_dividend).length,
      window: window.kind,
      fiscalYears: [window.from, window.to],
      historyTickers: history.size,
      incompleteYears,
      statements: fetched.rows,
      filedAfter: book.counts.filedAfter,
      undated: book.counts.undated,
      skipped: fetched.skipped,
      skippedSamples: fetched.samples,
      files: fetched.files,
      requests: fetched.requests,
      retries: fetched.retries,
    },
  };
}

export default defineAsset({
  key: "datos_dividendos",
  description: "Dividends paid per ticker and fiscal year, per share and as payout ratios",
  deps: ["fintra_universe"],
  partitioned: false,
  sources: ["fmp"],
  tables: [dividendsTable],
  checks: [atLeast("rows", 1), nothingFiledAfterRunDay(dividendsTable)],
  async materialize(ctx) {
    return ctx.step("build-dividends", () => materializeDividends(ctx, ctx.runDate));
  },
});
