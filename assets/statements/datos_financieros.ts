/**
 * datos_financieros: one row per ticker and fiscal period (FY, Q, and a TTM for each
 * quarter that closes four consecutive ones) with FMP's statement figures and the ratios
 * and CAGRs Fintra scores from (spec/pipeline.md J04, spec/engines.md §0.2, spec/schema.md
 * §3.2). Read by financial_scores, the TTM valuation, the benchmarks and the snapshot. The
 * maths of a row is periods.ts; reading FMP is fetch.ts.
 *
 * - Partitioned by D and point in time: a row is built only from statements filed on or
 *   before D. One row per period, so a refiling after D replaces what D's readers saw, and
 *   a backfill runs over today's universe.
 * - Labels follow FMP's fiscal year, never the calendar: MSFT's quarter ended 2025-09-30
 *   is "2026Q1"; a TTM takes its latest quarter's label.
 * - FMP's bulk files of one quarter list different companies per statement, so a period is
 *   written from whichever statements exist (`statements` names them) rather than dropped,
 *   and a later run's files that lack a statement the stored row has never erase it.
 * - The fiscal-year window narrows to Y−1..Y+1 only on completed work: the years each
 *   successful run records in its ledger metadata (`historyCovered`), and enough tickers
 *   with history rows holding the score inputs (migration 0027).
 * - Steps: `plan`; a `load-<period>` per fiscal period (a `tickers` scope: one
 *   `load-by-symbol`) writing FY and Q rows with their own ratios; then a `derive-i-of-n`
 *   per ticker range that reads the table's history to set CAGRs and write TTMs. A load
 *   keeps a stored row's CAGRs, so readers see the old growth until the derive, never nulls.
 *   A derive step tells the rows its run loaded by their `updated_at` stamp.
 */
import { z } from "zod";
import { defineTable, type Store, scopeKey, type TableSpec, type Where } from "../../db/index.ts";
import { isNum } from "../../engines/math.ts";
import { atLeast, skippedRowsWithin } from "../../runtime/checks.ts";
import {
  ALL_TICKERS,
  perStep,
  type TickerRange,
  tickerCondition,
  tickerRanges,
} from "../../runtime/chunks.ts";
import { type AssetCheck, type AssetContext, defineAsset } from "../../runtime/define.ts";
import { utcDate } from "../../runtime/partitions.ts";
import { PERIODS, type Period } from "../../sources/fmp/index.ts";
import { symbolScope, universeTickers } from "../fintra_universe.ts";
import {
  addFetchTotals,
  type FetchTotals,
  fetchMetadata,
  fetchStatements,
  fetchSymbolStatements,
  noFetches,
  statementFiles,
} from "./fetch.ts";
import {
  buildFromPeriods,
  FIGURES,
  fillMissingStatements,
  financialsRow,
  isIncomplete,
  matchPeriods,
  type PeriodFacts,
  type StatementName,
  type TtmGap,
} from "./periods.ts";
import {
  coveredAfter,
  type FiscalYearWindow,
  fiscalYearWindow,
  HISTORY_YEARS,
  historyYears,
  mergeYearRanges,
  periodKey,
  periodLabel,
  StatementBook,
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

/** The columns a period is read back from (PeriodFacts, keyed by ticker). */
const FACT_COLUMNS: (keyof FinancialsRow & string)[] = [
  "ticker",
  "fiscal_year",
  "fiscal_period",
  "period_end_date",
  "filing_date",
  "statements",
  ...FIGURES,
];

// ---------------------------------------------------------------------------------------
// What a run knows: the history in the table and the fiscal years earlier runs covered

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

// ---------------------------------------------------------------------------------------
// The plan: a plan step, then one step per fiscal period and one per ticker range

/** Tickers per derive step (TTMs and CAGRs), at full-market scale (see chunks.ts). */
const DERIVE_CHUNK_TICKERS = 2_000;

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

// ---------------------------------------------------------------------------------------
// Load steps: a period's statements to its FY or Q rows

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
  const partial = [...new Set(fetched.filter((f) => isIncomplete(f.facts)).map((f) => f.ticker))];
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

// ---------------------------------------------------------------------------------------
// Derive steps: CAGRs and TTMs from the table's history

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
 * One ticker range's FY and Q rows of fiscal years Y−6..Y+1 filed by D, per ticker: those
 * this run loaded (its `updated_at` stamp) and the rest, their history.
 */
async function readRange(
  ctx: AssetContext,
  day: string,
  plan: FinancialsPlan,
  range: TickerRange,
): Promise<Map<string, { loaded: PeriodFacts[]; history: PeriodFacts[] }>> {
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
  return byTicker;
}

/**
 * One ticker range: the FY and Q rows this run loaded get their CAGRs, and each quarter it
 * loaded that ends 4 consecutive quarters gets its TTM row.
 */
async function deriveRange(
  ctx: AssetContext,
  day: string,
  plan: FinancialsPlan,
  range: TickerRange,
): Promise<DeriveCounts> {
  const byTicker = await readRange(ctx, day, plan, range);
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

// ---------------------------------------------------------------------------------------
// The run

/** The run's totals over its load steps. */
function noLoads(): PeriodCounts {
  return {
    incompletePeriods: 0,
    filledFromTable: 0,
    fetch: noFetches(),
    filedAfter: 0,
    undated: 0,
  };
}

function addLoaded(into: PeriodCounts, counts: PeriodCounts): void {
  into.incompletePeriods += counts.incompletePeriods;
  into.filledFromTable += counts.filledFromTable;
  into.filedAfter += counts.filedAfter;
  into.undated += counts.undated;
  addFetchTotals(into.fetch, counts.fetch);
}

function addDerived(into: DeriveCounts, counts: DeriveCounts): void {
  into.rows += counts.rows;
  into.tickers += counts.tickers;
  for (const type of ["FY", "Q", "TTM"] as const) into.byType[type] += counts.byType[type];
  for (const gap of Object.keys(into.ttmMissing) as TtmGap[]) {
    into.ttmMissing[gap] += counts.ttmMissing[gap];
  }
}

/** The load steps: one per fiscal period, or, for a `tickers` scope, one per-symbol read. */
function loadSteps(ctx: AssetContext, day: string, plan: FinancialsPlan) {
  const symbols = symbolScope(ctx);
  if (symbols) return [{ id: "load-by-symbol", run: () => loadSymbols(ctx, day, plan, symbols) }];
  return plan.periods.map((target) => ({
    id: `load-${periodLabel(target.year, target.period)}`,
    run: () => loadPeriod(ctx, day, plan, target),
  }));
}

async function materializeFinancials(ctx: AssetContext, day: string) {
  const plan = await ctx.step("plan", () => planFinancials(ctx, day));
  const ranges = plan.ranges ?? [ALL_TICKERS];
  const loads = loadSteps(ctx, day, plan);
  ctx.progress.total(loads.length + ranges.length);

  const loaded = noLoads();
  for (const load of loads) {
    addLoaded(loaded, await ctx.step(load.id, load.run));
    ctx.progress.advance(1);
  }
  const derived = noDerived();
  for (const [i, range] of ranges.entries()) {
    const counts = await ctx.step(`derive-${i + 1}-of-${ranges.length}`, () =>
      deriveRange(ctx, day, plan, range),
    );
    addDerived(derived, counts);
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
      ...fetchMetadata(loaded.fetch),
    },
  };
}

// ---------------------------------------------------------------------------------------
// Checks

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
