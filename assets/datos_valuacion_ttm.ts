/**
 * datos_valuacion_ttm: a company's valuation at each quarter end, from the trailing twelve
 * months of exactly 4 consecutive quarters and the last close on or before that quarter's
 * end (spec/engines.md §5, spec/pipeline.md J04b, spec/schema.md §3.4).
 *
 * - A row is (ticker, valuation_date = the period end of the latest of the 4 quarters); that
 *   is the natural key (no surrogate id). Columns: price and price_date (the close used),
 *   revenue/EBITDA/net income/FCF TTM, EPS TTM, market cap, EV, net debt, P/E, EV/EBITDA,
 *   P/S, P/FCF, `quarters_used` (the 4 fiscal labels, "2025Q2,2025Q3,2025Q4,2026Q1"),
 *   `filing_date` (the latest filing date of the 4 quarters) and `updated_at` (the run that
 *   last changed the row).
 * - Partitioned by trading date D; deps: datos_financieros (the Q rows), datos_eod (closes).
 *   Covers the active equities (`universeTickers`), or the run's scope.
 * - Figures by the engines (`quarterWindows`, `ttmValuationRow`): flows summed over the 4
 *   quarters (null when any quarter lacks one), EPS = TTM net income / the latest quarter's
 *   weighted shares, net debt and shares from the latest quarter, a multiple only over a
 *   positive denominator.
 * - Quarters are our datos_financieros Q rows, labelled by fiscal year: the engine gets
 *   `period_label` = `${fiscal_year}${fiscal_period}`. Decision (consecutive by fiscal
 *   period): a window counts only when its 4 (fiscal_year, fiscal_period) follow each other
 *   (Q4 → next year's Q1), as datos_financieros builds its TTM rows; the engine's fallback
 *   on 75-105 days between period ends never decides here.
 * - Decision (a fresh close): the price is the latest close dated on or before the quarter
 *   end and at most `PRICE_LOOKBACK_DAYS` (10) before it. A ticker that had not traded for
 *   longer than that has no price for the quarter, and the window is skipped (`no_price`)
 *   rather than valued at a stale price.
 * - Point in time: partition D reads only Q rows filed on or before D and closes dated on or
 *   before the quarter end (so before D), and values only quarters ended by D; `filing_date`
 *   on each row lets a check (and any reader of day D) prove it. datos_financieros keeps only
 *   a period's latest filing, so a quarter re-filed after D is invisible to D: its windows
 *   are neither written nor rewritten by D's run.
 * - Incremental: every run builds each covered ticker's windows from its visible Q rows and
 *   writes only those that are missing or whose inputs changed: other quarters
 *   (`quarters_used`), a later filing (`filing_date`) or different TTM figures (a corrected
 *   statement). Unchanged windows are not touched, so a rerun writes 0 rows and the daily run
 *   writes the quarters filed that day. The first run (or a backfill) values every window
 *   with a price; windows skipped for want of a price are tried again each day (a price
 *   backfill fills them). A corrected close of an already valued quarter is not picked up:
 *   delete the rows to revalue them.
 * - Work goes in chunks of `perStep(TICKER_CHUNK)` (1,000 at full scale) tickers, one step
 *   each ("value-chunk-0", ...), after a planning step that fixes the chunk boundaries and
 *   the run's `updated_at` stamp (both must be the same on every Inngest replay). A scoped
 *   run's tickers are cut the same way. A chunk stages its new and changed rows under the
 *   run's id (staged.ts); a last step ("publish") upserts them all in one transaction (the
 *   table is not replaced: older quarter ends stay), so a run killed midway writes nothing.
 *   A `tickers` scope that fits one chunk upserts its rows in that step instead (one
 *   statement: as atomic, without the stage). Steps return counts only.
 * - Types: unconstrained `numeric` (the old numeric(10,2) overflows on an extreme multiple
 *   and would round what a rerun compares).
 * - Checks: no row written by the run comes from a quarter filed after D (error); on a full
 *   run, at least half of the active equities have a valuation within 200 days of D (warn).
 */
import { format, subDays } from "date-fns";
import { defineTable, type Store } from "../db/index.ts";
import {
  computeTtmV2,
  type PricePoint,
  type QuarterRow,
  quarterWindows,
  type TtmFundamentals,
  type TtmSkipReason,
  type TtmValuationRow,
  ttmValuationRow,
} from "../engines/ttm.ts";
import type { Period } from "../sources/fmp/index.ts";
import { perStep } from "./chunks.ts";
import { datosEodTable } from "./datos_eod.ts";
import {
  type FinancialsRow,
  financialsTable,
  nothingFiledAfterRunDay,
} from "./datos_financieros.ts";
import { type AssetCheck, type AssetContext, defineAsset } from "./define.ts";
import { universeTable, universeTickers } from "./fintra_universe.ts";
import { parseDate } from "./partitions.ts";
import { publishStaged, stageRows } from "./staged.ts";
import { laterDate, quarterOrdinal } from "./statements.ts";

/** A `datos_valuacion_ttm` row. */
export interface TtmValuationRecord extends TtmValuationRow {
  ticker: string;
  /** Latest filing date of the 4 quarters. */
  filing_date: string;
  /** When the run that last changed the row started (its metadata's `updatedAt`). */
  updated_at: string;
}

export const ttmValuationTable = defineTable<TtmValuationRecord>({
  name: "datos_valuacion_ttm",
  key: ["ticker", "valuation_date"],
  columns: {
    ticker: "text",
    valuation_date: "date",
    price: "numeric",
    price_date: "date",
    revenue_ttm: "numeric",
    ebitda_ttm: "numeric",
    net_income_ttm: "numeric",
    eps_ttm: "numeric",
    free_cash_flow_ttm: "numeric",
    market_cap: "numeric",
    enterprise_value: "numeric",
    net_debt: "numeric",
    pe_ratio: "numeric",
    ev_ebitda: "numeric",
    price_to_sales: "numeric",
    price_to_fcf: "numeric",
    quarters_used: "text",
    filing_date: "date",
    updated_at: "timestamptz",
  },
});

/**
 * Tickers per step at the full market's scale (45,000 tickers: 45 steps); a run uses
 * `perStep(ctx, TICKER_CHUNK)`, which `Resources.stepScale` shrinks.
 */
export const TICKER_CHUNK = 1_000;

/** A close older than this many days before the quarter end is too stale to value it. */
export const PRICE_LOOKBACK_DAYS = 10;

const FUNDAMENTALS = [
  "revenue_ttm",
  "ebitda_ttm",
  "net_income_ttm",
  "eps_ttm",
  "free_cash_flow_ttm",
  "net_debt",
] as const satisfies readonly (keyof TtmFundamentals)[];

// ---------------------------------------------------------------------------------------
// Windows (pure)

/** The datos_financieros columns a quarter contributes. */
export type QuarterInput = Pick<
  FinancialsRow,
  | "ticker"
  | "fiscal_year"
  | "fiscal_period"
  | "period_end_date"
  | "filing_date"
  | "revenue"
  | "ebitda"
  | "net_income"
  | "free_cash_flow"
  | "weighted_shares_out"
  | "total_debt"
  | "cash_and_equivalents"
>;

const QUARTER_COLUMNS: (keyof FinancialsRow & string)[] = [
  "ticker",
  "fiscal_year",
  "fiscal_period",
  "period_end_date",
  "filing_date",
  "revenue",
  "ebitda",
  "net_income",
  "free_cash_flow",
  "weighted_shares_out",
  "total_debt",
  "cash_and_equivalents",
];

/** An engine quarter with its filing date and its position in fiscal time. */
export interface FiledQuarter extends QuarterRow {
  filing_date: string;
  /** fiscal_year × 4 + quarter − 1: consecutive quarters differ by 1. */
  ordinal: number;
}

/** Our Q row as the engine's quarter, labelled by fiscal year ("2026Q1"); null for FY rows. */
export function engineQuarter(q: QuarterInput): FiledQuarter | null {
  const ordinal = quarterOrdinal(q.fiscal_year, q.fiscal_period as Period);
  if (ordinal === null) return null;
  return {
    period_end_date: q.period_end_date,
    period_label: `${q.fiscal_year}${q.fiscal_period}`,
    revenue: q.revenue,
    ebitda: q.ebitda,
    net_income: q.net_income,
    free_cash_flow: q.free_cash_flow,
    weighted_shares_out: q.weighted_shares_out,
    total_debt: q.total_debt,
    cash_and_equivalents: q.cash_and_equivalents,
    filing_date: q.filing_date,
    ordinal,
  };
}

/** True when the quarters (in date order) follow each other by fiscal period. */
export function fiscallyConsecutive(quarters: readonly FiledQuarter[]): boolean {
  return quarters.every(
    (q, i) => i === 0 || q.ordinal === (quarters[i - 1] as FiledQuarter).ordinal + 1,
  );
}

/** One window of 4 consecutive quarters, with what identifies its inputs. */
export interface TtmWindow {
  ticker: string;
  quarters: FiledQuarter[];
  valuation_date: string;
  quarters_used: string;
  filing_date: string;
  fundamentals: TtmFundamentals;
}

/**
 * Every window a run for `day` can value: 4 consecutive quarters, all filed by `day`, the
 * latest ended by `day`. Oldest first; `notConsecutive` counts windows of 4 dated quarters
 * with a gap in fiscal periods.
 */
export function ttmWindows(
  ticker: string,
  rows: readonly QuarterInput[],
  day: string,
): { windows: TtmWindow[]; notConsecutive: number } {
  const visible = rows
    .filter((r) => r.filing_date <= day && r.period_end_date <= day)
    .map(engineQuarter)
    .filter((q): q is FiledQuarter => q !== null);
  const windows: TtmWindow[] = [];
  let notConsecutive = 0;
  for (const quarters of quarterWindows(visible)) {
    if (!fiscallyConsecutive(quarters)) {
      notConsecutive++;
      continue;
    }
    const latest = quarters[3] as FiledQuarter;
    windows.push({
      ticker,
      quarters,
      valuation_date: latest.period_end_date,
      quarters_used: quarters.map((q) => q.period_label).join(","),
      filing_date: quarters.reduce((d, q) => laterDate(d, q.filing_date), ""),
      fundamentals: computeTtmV2(quarters),
    });
  }
  return { windows, notConsecutive };
}

/** The stored columns that say whether a window's inputs changed. */
export type StoredWindow = Pick<
  TtmValuationRecord,
  "ticker" | "valuation_date" | "quarters_used" | "filing_date" | (typeof FUNDAMENTALS)[number]
>;

const STORED_COLUMNS: (keyof TtmValuationRecord & string)[] = [
  "ticker",
  "valuation_date",
  "quarters_used",
  "filing_date",
  ...FUNDAMENTALS,
];

/** True when the stored row was built from the same quarters, filings and figures. */
export function windowUnchanged(window: TtmWindow, stored: StoredWindow | undefined): boolean {
  if (!stored) return false;
  if (stored.quarters_used !== window.quarters_used) return false;
  if (stored.filing_date !== window.filing_date) return false;
  return FUNDAMENTALS.every((k) => (stored[k] ?? null) === window.fundamentals[k]);
}

function isoDaysBefore(day: string, days: number): string {
  return format(subDays(parseDate(day), days), "yyyy-MM-dd");
}

/** The dates a close for these windows may carry: each quarter end and the 10 days before. */
export function priceDates(windows: readonly TtmWindow[]): string[] {
  const dates = new Set<string>();
  for (const w of windows) {
    for (let k = 0; k <= PRICE_LOOKBACK_DAYS; k++) dates.add(isoDaysBefore(w.valuation_date, k));
  }
  return [...dates].sort();
}

/** The row of a window at the latest close within the lookback, or why there is none. */
export function valueWindow(
  window: TtmWindow,
  prices: readonly PricePoint[],
  updatedAt: string,
): { row: TtmValuationRecord } | { skipped: TtmSkipReason } {
  const oldest = isoDaysBefore(window.valuation_date, PRICE_LOOKBACK_DAYS);
  const fresh = prices.filter((p) => p.price_date >= oldest);
  const result = ttmValuationRow(window.quarters, fresh);
  if ("skipped" in result) return result;
  return {
    row: {
      ticker: window.ticker,
      ...result.row,
      // The engine joins its own labels; ours are the fiscal ones it was given.
      quarters_used: window.quarters_used,
      filing_date: window.filing_date,
      updated_at: updatedAt,
    },
  };
}

/** Consecutive slices of `tickers` as [first, last] bounds. */
export function chunkBounds(tickers: readonly string[], size: number): [string, string][] {
  const bounds: [string, string][] = [];
  for (let i = 0; i < tickers.length; i += size) {
    const slice = tickers.slice(i, i + size);
    bounds.push([slice[0] as string, slice[slice.length - 1] as string]);
  }
  return bounds;
}

// ---------------------------------------------------------------------------------------
// The run (I/O)

interface ChunkCounts {
  tickers: number;
  windows: number;
  unchanged: number;
  written: number;
  notConsecutive: number;
  noPrice: number;
}

/** The chunk's tickers, read again by range so a step carries bounds, not a ticker list. */
async function tickersIn(ctx: AssetContext, [first, last]: [string, string]): Promise<string[]> {
  if (ctx.scope?.tickers) return ctx.scope.tickers.filter((t) => t >= first && t <= last);
  const rows = await ctx.db.readAll(universeTable, {
    where: { is_active: true, instrument_type: "EQUITY", ticker: { gte: first, lte: last } },
    columns: ["ticker"],
  });
  return rows.map((r) => r.ticker);
}

function groupByTicker<R extends { ticker: string }>(rows: readonly R[]): Map<string, R[]> {
  const groups = new Map<string, R[]>();
  for (const row of rows) {
    const list = groups.get(row.ticker);
    if (list) list.push(row);
    else groups.set(row.ticker, [row]);
  }
  return groups;
}

async function readPrices(db: Store, windows: readonly TtmWindow[]) {
  if (windows.length === 0) return new Map<string, PricePoint[]>();
  const prices = await db.readAll(datosEodTable, {
    where: {
      ticker: { in: [...new Set(windows.map((w) => w.ticker))] },
      price_date: { in: priceDates(windows) },
    },
    columns: ["ticker", "price_date", "close"],
  });
  return groupByTicker(prices);
}

async function valueChunk(
  ctx: AssetContext,
  day: string,
  bounds: [string, string],
  updatedAt: string,
  direct: boolean,
): Promise<ChunkCounts> {
  const tickers = await tickersIn(ctx, bounds);
  const counts: ChunkCounts = {
    tickers: tickers.length,
    windows: 0,
    unchanged: 0,
    written: 0,
    notConsecutive: 0,
    noPrice: 0,
  };
  if (tickers.length === 0) return counts;
  const [quarters, stored] = await Promise.all([
    ctx.db.readAll(financialsTable, {
      where: { ticker: { in: tickers }, period_type: "Q", filing_date: { lte: day } },
      columns: QUARTER_COLUMNS,
    }),
    ctx.db.readAll(ttmValuationTable, {
      where: { ticker: { in: tickers } },
      columns: STORED_COLUMNS,
    }),
  ]);
  const storedByKey = new Map(stored.map((s) => [`${s.ticker} ${s.valuation_date}`, s]));
  const pending: TtmWindow[] = [];
  for (const [ticker, rows] of groupByTicker(quarters)) {
    const { windows, notConsecutive } = ttmWindows(ticker, rows, day);
    counts.windows += windows.length;
    counts.notConsecutive += notConsecutive;
    for (const w of windows) {
      if (windowUnchanged(w, storedByKey.get(`${ticker} ${w.valuation_date}`))) counts.unchanged++;
      else pending.push(w);
    }
  }
  const prices = await readPrices(ctx.db, pending);
  const rows: TtmValuationRecord[] = [];
  for (const w of pending) {
    const valued = valueWindow(w, prices.get(w.ticker) ?? [], updatedAt);
    if ("row" in valued) rows.push(valued.row);
    else counts.noPrice++;
  }
  counts.written = direct
    ? await ctx.db.upsert(ttmValuationTable, rows)
    : await stageRows(ctx, ttmValuationTable, rows);
  return counts;
}

async function materializeTtm(ctx: AssetContext) {
  const day = ctx.partition as string;
  const plan = await ctx.step("plan-chunks", async () => {
    const tickers = await universeTickers(ctx, { equitiesOnly: true });
    // Full and limit runs keep the database's ticker order, so a range read returns the slice.
    const ordered = ctx.scope?.tickers ? [...tickers].sort() : tickers;
    return {
      updatedAt: ctx.now().toISOString(),
      tickers: ordered.length,
      chunks: chunkBounds(ordered, perStep(ctx, TICKER_CHUNK)),
    };
  });
  ctx.progress.total(plan.chunks.length);
  const totals: ChunkCounts = {
    tickers: 0,
    windows: 0,
    unchanged: 0,
    written: 0,
    notConsecutive: 0,
    noPrice: 0,
  };
  // A `tickers` scope in one chunk writes its few rows in one upsert, as atomic as a
  // publish, without the stage; anything longer stages every chunk and publishes once.
  const direct = Boolean(ctx.scope?.tickers) && plan.chunks.length <= 1;
  for (const [i, bounds] of plan.chunks.entries()) {
    const counts = await ctx.step(`value-chunk-${i}`, () =>
      valueChunk(ctx, day, bounds, plan.updatedAt, direct),
    );
    for (const k of Object.keys(totals) as (keyof ChunkCounts)[]) totals[k] += counts[k];
    ctx.progress.advance(1);
  }
  if (!direct) await publishStaged(ctx, ttmValuationTable, totals.written, null);
  return {
    rows: totals.written,
    metadata: { updatedAt: plan.updatedAt, chunks: plan.chunks.length, ...totals },
  };
}

/** Warn when fewer than half of the active equities have a valuation within 200 days of D. */
const recentValuations: AssetCheck = {
  name: "recent_valuations_for_most_equities",
  severity: "warn",
  description:
    "on a full run, at least half of the active equities have a TTM valuation within 200 days",
  async run({ db, partition, scope }) {
    if (scope) return { passed: true, message: "scoped run: coverage not measured" };
    const day = partition as string;
    const [equities, recent] = await Promise.all([
      db.readAll(universeTable, {
        where: { is_active: true, instrument_type: "EQUITY" },
        columns: ["ticker"],
      }),
      db.readAll(ttmValuationTable, {
        where: {
          valuation_date: { gte: isoDaysBefore(day, 200), lte: day },
          filing_date: { lte: day },
        },
        columns: ["ticker"],
      }),
    ]);
    const active = new Set(equities.map((e) => e.ticker));
    const valued = new Set(recent.map((r) => r.ticker).filter((t) => active.has(t))).size;
    const share = active.size === 0 ? 0 : valued / active.size;
    return {
      passed: share >= 0.5,
      value: Math.round(share * 1000) / 10,
      message: `${valued} of ${active.size} active equities valued within 200 days of ${day}`,
    };
  },
};

export default defineAsset({
  key: "datos_valuacion_ttm",
  description:
    "TTM valuation per ticker and quarter end: 4 consecutive quarters, the close at the quarter end",
  deps: ["datos_financieros", "datos_eod"],
  partitioned: true,
  tables: [ttmValuationTable],
  checks: [nothingFiledAfterRunDay(ttmValuationTable), recentValuations],
  materialize: materializeTtm,
});
