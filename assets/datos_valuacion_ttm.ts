/**
 * datos_valuacion_ttm: a company's valuation at each quarter end, from the trailing twelve
 * months of exactly 4 consecutive quarters (datos_financieros' Q rows) and the last close on
 * or before that quarter's end (spec/engines.md §5). The sector and industry aggregates read it.
 *
 * - Consecutive by fiscal period (Q4 → the next year's Q1): the engine's one rule
 *   (`areConsecutiveQuarters`), the one datos_financieros builds its TTM rows by.
 * - A fresh close or none: a quarter without a close in the PRICE_LOOKBACK_DAYS before its end
 *   is skipped (`no_price`), not valued at a stale price, and tried again each day.
 * - Point in time: partition D sees only quarters ended and filed by D. datos_financieros keeps
 *   a period's latest filing only, so a quarter re-filed after D is invisible to D.
 * - Incremental: a run writes only windows that are new or whose quarters, filings or TTM
 *   figures changed (a rerun writes 0 rows), staged and published in one transaction; older
 *   quarter ends stay. A corrected close of a valued quarter is not picked up: delete its rows
 *   to revalue them.
 */
import { defineTable, type Store } from "../db/index.ts";
import { daysBefore } from "../engines/dates.ts";
import {
  areConsecutiveQuarters,
  computeTtmV2,
  type PricePoint,
  type QuarterRow,
  quarterWindows,
  type TtmFundamentals,
  type TtmSkipReason,
  type TtmValuationRow,
  ttmValuationRow,
} from "../engines/ttm.ts";
import { perStep } from "../runtime/chunks.ts";
import { type AssetCheck, type AssetContext, defineAsset } from "../runtime/define.ts";
import { publishStaged, stageRows } from "../runtime/staged.ts";
import type { Period } from "../sources/fmp/index.ts";
import { datosEodTable } from "./datos_eod.ts";
import { universeTable, universeTickers } from "./fintra_universe.ts";
import {
  type FinancialsRow,
  financialsTable,
  nothingFiledAfterRunDay,
} from "./statements/datos_financieros.ts";
import { laterDate, periodOrdinal } from "./statements/statements.ts";

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
const TICKER_CHUNK = 1_000;

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
interface FiledQuarter extends QuarterRow {
  filing_date: string;
  /** fiscal_year × 4 + quarter − 1: consecutive quarters differ by 1. */
  ordinal: number;
}

/** Our Q row as the engine's quarter, labelled by fiscal year ("2026Q1"); null for FY rows. */
export function engineQuarter(q: QuarterInput): FiledQuarter | null {
  const ordinal = periodOrdinal(q.fiscal_year, q.fiscal_period as Period);
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

/** One window of 4 consecutive quarters, with what identifies its inputs. */
interface TtmWindow {
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
    if (!areConsecutiveQuarters(quarters)) {
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
type StoredWindow = Pick<
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

/** The dates a close for these windows may carry: each quarter end and the 10 days before. */
export function priceDates(windows: readonly TtmWindow[]): string[] {
  const dates = new Set<string>();
  for (const w of windows) {
    for (let k = 0; k <= PRICE_LOOKBACK_DAYS; k++) dates.add(daysBefore(w.valuation_date, k));
  }
  return [...dates].sort();
}

/** The row of a window at the latest close within the lookback, or why there is none. */
export function valueWindow(
  window: TtmWindow,
  prices: readonly PricePoint[],
  updatedAt: string,
): { row: TtmValuationRecord } | { skipped: TtmSkipReason } {
  const oldest = daysBefore(window.valuation_date, PRICE_LOOKBACK_DAYS);
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

async function materializeTtm(ctx: AssetContext<string>) {
  const day = ctx.partition;
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
const recentValuations: AssetCheck<string> = {
  name: "recent_valuations_for_most_equities",
  severity: "warn",
  description:
    "on a full run, at least half of the active equities have a TTM valuation within 200 days",
  async run({ db, partition, scope }) {
    if (scope) return { passed: true, message: "scoped run: coverage not measured" };
    const day = partition;
    const [equities, recent] = await Promise.all([
      db.readAll(universeTable, {
        where: { is_active: true, instrument_type: "EQUITY" },
        columns: ["ticker"],
      }),
      db.readAll(ttmValuationTable, {
        where: {
          valuation_date: { gte: daysBefore(day, 200), lte: day },
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
