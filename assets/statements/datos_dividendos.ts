/**
 * datos_dividendos: one row per ticker and fiscal year with the cash paid to common
 * shareholders, per share and as a share of earnings and of free cash flow
 * (spec/pipeline.md J15, spec/schema.md §3.5). Read by the dividends timeline and the
 * dividend-quality engine.
 *
 * - Latest state (unpartitioned), built from statements filed by the run's day. A year
 *   needs both its FY income and cash-flow statements; years with one are counted.
 * - Cash paid is FMP's common dividends figure, else the net one; a reported 0 stays 0
 *   (preferred dividends are not paid to common holders). A payout needs a positive base:
 *   a payout out of a loss has no ratio.
 * - is_growing compares with the year before as the table holds it by then, so the
 *   `load-<year>` steps run oldest first; a `tickers` scope's single `load-by-symbol` step
 *   compares with its own rows first, which writes the same.
 * - Which fiscal years a run fetches, and the ledger record that narrows it: as
 *   datos_financieros (statements.ts `fiscalYearWindow`).
 */
import { defineTable, type Store, type Where } from "../../db/index.ts";
import { isNum } from "../../engines/math.ts";
import { atLeast, skippedRowsWithin } from "../../runtime/checks.ts";
import { type AssetContext, defineAsset } from "../../runtime/define.ts";
import { utcDate } from "../../runtime/partitions.ts";
import { symbolScope, universeTickers } from "../fintra_universe.ts";
import { COVERED_KEY, coveredYears, nothingFiledAfterRunDay } from "./datos_financieros.ts";
import {
  addFetchTotals,
  type FetchTotals,
  fetchMetadata,
  fetchStatements,
  fetchSymbolStatements,
  noFetches,
  statementFiles,
} from "./fetch.ts";
import { ratio } from "./periods.ts";
import {
  type CashFlowFacts,
  coveredAfter,
  type FiscalYearWindow,
  fiscalYearWindow,
  historyYears,
  type IncomeFacts,
  laterDate,
  latestPerPeriod,
  StatementBook,
  type TickerStatements,
  type YearRange,
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

const SOURCE = "fmp-bulk";

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

interface DividendBuildOptions {
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

/** Above this many tickers a read filters in memory rather than in SQL. */
const TICKERS_IN_SQL = 1_000;

/** How many of the run's tickers have rows of fiscal years Y−6..Y−2 filed on or before D. */
async function countTickersWithHistory(db: Store, tickers: readonly string[], day: string) {
  const years = historyYears(day);
  const wanted = new Set(tickers);
  const where: Where<DividendsRow> = {
    year: { gte: years.from, lte: years.to },
    filing_date: { lte: day },
    ...(tickers.length <= TICKERS_IN_SQL ? { ticker: { in: tickers } } : {}),
  };
  const rows = await db.readAll(dividendsTable, { where, columns: ["ticker"] });
  return new Set(rows.map((r) => r.ticker).filter((t) => wanted.has(t))).size;
}

interface DividendsPlan {
  updatedAt: string;
  tickers: number;
  window: FiscalYearWindow;
  historyTickers: number;
  /** Fiscal years the table holds once this run succeeds (its metadata's `historyCovered`). */
  coveredAfter: YearRange[];
}

/** What a year step reports. */
interface YearCounts {
  rows: number;
  payers: number;
  incompleteYears: number;
  fetch: FetchTotals;
  filedAfter: number;
  undated: number;
}

/**
 * One fiscal year (its FY income and cash-flow files): each run ticker's row, is_growing
 * against the year before as the table has it by now (this run's previous step, or an
 * earlier run's row filed by D).
 */
async function loadYear(
  ctx: AssetContext,
  day: string,
  plan: DividendsPlan,
  year: number,
): Promise<YearCounts> {
  const tickers = await universeTickers(ctx, { equitiesOnly: true });
  const book = new StatementBook(new Set(tickers), day);
  const files = statementFiles(["income", "cashFlow"], [year], ["FY"]);
  const fetch = await fetchStatements(ctx.fmp(), book, files);
  const seen = book.tickersSeen();
  const before = await readYear(ctx.db, seen, year - 1, day);
  const rows: DividendsRow[] = [];
  let incompleteYears = 0;
  for (const ticker of seen) {
    const previous = before.get(ticker);
    const built = buildTickerDividends(ticker, book.statementsOf(ticker), {
      asOf: day,
      updatedAt: plan.updatedAt,
      previous: new Map(previous === undefined ? [] : [[year - 1, previous]]),
    });
    incompleteYears += built.incompleteYears;
    rows.push(...built.rows);
  }
  return {
    rows: await ctx.db.upsert(dividendsTable, rows),
    payers: rows.filter((r) => r.has_dividend).length,
    incompleteYears,
    fetch,
    filedAfter: book.counts.filedAfter,
    undated: book.counts.undated,
  };
}

/**
 * A `tickers` scope, in one step: every fiscal year of the window from FMP's per-symbol
 * annual statements. is_growing reads the year before from this run's rows, else from the
 * table (filed by D), as the year steps do when they run oldest first.
 */
async function loadSymbols(
  ctx: AssetContext,
  day: string,
  plan: DividendsPlan,
  symbols: readonly string[],
): Promise<YearCounts> {
  const tickers = await universeTickers(ctx, { equitiesOnly: true });
  const book = new StatementBook(new Set(tickers), day);
  const years = yearsOf(plan.window);
  const fetch = await fetchSymbolStatements(
    ctx.fmp(),
    book,
    symbols,
    { kinds: ["income", "cashFlow"], spans: ["annual"], years },
    day,
    utcDate(ctx.now()),
  );
  const seen = book.tickersSeen();
  const before = await readYears(ctx.db, seen, plan.window.from - 1, plan.window.to - 1, day);
  const rows: DividendsRow[] = [];
  let incompleteYears = 0;
  for (const ticker of seen) {
    const built = buildTickerDividends(ticker, book.statementsOf(ticker), {
      asOf: day,
      updatedAt: plan.updatedAt,
      previous: before.get(ticker) ?? new Map(),
    });
    incompleteYears += built.incompleteYears;
    rows.push(...built.rows);
  }
  return {
    rows: await ctx.db.upsert(dividendsTable, rows),
    payers: rows.filter((r) => r.has_dividend).length,
    incompleteYears,
    fetch,
    filedAfter: book.counts.filedAfter,
    undated: book.counts.undated,
  };
}

/** Dividend per share of fiscal years [from, to] filed on or before D, per ticker and year. */
async function readYears(
  db: Store,
  tickers: readonly string[],
  from: number,
  to: number,
  day: string,
): Promise<Map<string, Map<number, number | null>>> {
  const wanted = new Set(tickers);
  const byTicker = new Map<string, Map<number, number | null>>();
  if (tickers.length === 0) return byTicker;
  const where: Where<DividendsRow> = {
    year: { gte: from, lte: to },
    filing_date: { lte: day },
    ...(tickers.length <= TICKERS_IN_SQL ? { ticker: { in: tickers } } : {}),
  };
  const rows = await db.readAll(dividendsTable, {
    where,
    columns: ["ticker", "year", "dividend_per_share"],
  });
  for (const r of rows) {
    if (!wanted.has(r.ticker)) continue;
    const years = byTicker.get(r.ticker) ?? new Map<number, number | null>();
    years.set(r.year, r.dividend_per_share);
    byTicker.set(r.ticker, years);
  }
  return byTicker;
}

/** Dividend per share of one fiscal year filed on or before D, per ticker. */
async function readYear(db: Store, tickers: readonly string[], year: number, day: string) {
  const wanted = new Set(tickers);
  const where: Where<DividendsRow> = {
    year,
    filing_date: { lte: day },
    ...(tickers.length <= TICKERS_IN_SQL ? { ticker: { in: tickers } } : {}),
  };
  const rows = await db.readAll(dividendsTable, {
    where,
    columns: ["ticker", "dividend_per_share"],
  });
  return new Map(
    rows.filter((r) => wanted.has(r.ticker)).map((r) => [r.ticker, r.dividend_per_share]),
  );
}

async function planDividends(ctx: AssetContext, day: string): Promise<DividendsPlan> {
  const tickers = await universeTickers(ctx, { equitiesOnly: true });
  const [covered, historyTickers] = await Promise.all([
    coveredYears(ctx),
    countTickersWithHistory(ctx.db, tickers, day),
  ]);
  const window = fiscalYearWindow(day, {
    covered,
    tickers: tickers.length,
    tickersWithHistory: historyTickers,
  });
  return {
    updatedAt: ctx.now().toISOString(),
    tickers: tickers.length,
    window,
    historyTickers,
    coveredAfter: coveredAfter(covered, window, day),
  };
}

async function materializeDividends(ctx: AssetContext, day: string) {
  const plan = await ctx.step("plan", () => planDividends(ctx, day));
  // Oldest first: each year's is_growing reads the year before from the table. A `tickers`
  // scope reads every year per symbol, in one step.
  const symbols = symbolScope(ctx);
  const loads = symbols
    ? [{ id: "load-by-symbol", run: () => loadSymbols(ctx, day, plan, symbols) }]
    : yearsOf(plan.window).map((year) => ({
        id: `load-${year}`,
        run: () => loadYear(ctx, day, plan, year),
      }));
  ctx.progress.total(loads.length);
  const totals = { rows: 0, payers: 0, incompleteYears: 0, filedAfter: 0, undated: 0 };
  const fetched = noFetches();
  for (const load of loads) {
    const counts = await ctx.step(load.id, load.run);
    totals.rows += counts.rows;
    totals.payers += counts.payers;
    totals.incompleteYears += counts.incompleteYears;
    totals.filedAfter += counts.filedAfter;
    totals.undated += counts.undated;
    addFetchTotals(fetched, counts.fetch);
    ctx.progress.advance(1);
  }
  return {
    rows: totals.rows,
    metadata: {
      updatedAt: plan.updatedAt,
      tickers: plan.tickers,
      payers: totals.payers,
      window: plan.window.kind,
      fiscalYears: [plan.window.from, plan.window.to],
      historyTickers: plan.historyTickers,
      [COVERED_KEY]: plan.coveredAfter,
      incompleteYears: totals.incompleteYears,
      filedAfter: totals.filedAfter,
      undated: totals.undated,
      ...fetchMetadata(fetched),
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
  checks: [
    atLeast("rows", 1),
    nothingFiledAfterRunDay(dividendsTable),
    skippedRowsWithin({ figures: { read: "statements" } }),
  ],
  materialize(ctx) {
    return materializeDividends(ctx, ctx.runDate);
  },
});
