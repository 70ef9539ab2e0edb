/**
 * datos_performance: how each symbol's price moved over standard windows ending on a
 * trading date D. One row per (ticker, D, window), windows 1D, 1W, 1M, 3M, 6M, YTD, 1Y,
 * 2Y, 3Y, 5Y. Partitioned by trading date. Deps: datos_eod.
 *
 * Key: (performance_date, ticker, window_code). Columns: ticker, performance_date (= D,
 * the partition), window_code, return_percent, absolute_return, volatility, max_drawdown,
 * start_date (the start price's date), observations (daily returns in the window),
 * source = 'prices_daily_window'.
 *
 * How a row is computed (pure helpers in performance-math.ts):
 * - Prices: datos_eod `adj_close` dated on or before D (point in time), from the earliest
 *   date any window can use (D − 5 years − 5 days). A row without an adj_close, or with
 *   one <= 0, is dropped and counted.
 * - Window start: calendar windows. The start price is the last close on or before the
 *   nominal start (1D: D − 1 day, i.e. the previous close; 1W: D − 7 days; 1M/3M/6M:
 *   calendar months; YTD: 31 Dec of the previous year, i.e. last year's final close;
 *   1Y..5Y: calendar years), dated at most START_PRICE_TOLERANCE_DAYS (5) before it.
 * - return_percent = (P_D / P_start − 1) × 100; absolute_return = P_D − P_start.
 * - volatility: sample standard deviation of the daily log returns from the start price
 *   to D, × √252 × 100 (annualized percent). A window with a single return (1D) uses the
 *   realized value about a zero mean, |r| × √252 × 100, so no row has a NULL volatility.
 * - max_drawdown: the largest fall from a running peak (the start price included) to a
 *   later close in the window, as a POSITIVE percent (35 = fell 35 %; engines §0); 0 when
 *   the price never fell below an earlier close. engines/relative-performance.ts
 *   (`latestReturnsByWindow`) takes |max_drawdown|, so it reads these as they are.
 * - Gaps (a day rejected by datos_eod's quality gate) are not filled: the log return spans
 *   the gap.
 *
 * Decisions:
 * - Anchor: performance_date is always the partition D, never a ticker's own last price
 *   date (pipeline §8 "one trading-date key"). A symbol with no price ON D gets no rows for
 *   D (counted as notPricedOnDay against the active universe).
 * - No window longer than the ticker's history: with no close on or before the nominal
 *   start the window is skipped (history_too_short), as it is when the last close before
 *   the start is older than the tolerance (stale_start_price). Both are counted. A
 *   backfill must load prices from `priceHistoryStart(D)` (D − 5Y − 5 days) for a 5Y row
 *   to be possible: starting exactly at D − 5Y loses the window when that day is a weekend.
 * - Universe: every symbol priced on D in datos_eod (all instrument types: equities, ETFs,
 *   ADRs, funds; SPY, the market benchmark, always, since datos_eod requires it). "Priced
 *   on D" is "active on D" (datos_eod loads active symbols only), which keeps backfills
 *   point in time. A scope narrows it (`universeTickers`: its tickers, or the first N
 *   active symbols plus SPY).
 * - 2Y is written (the old job never produced it). The old columns benchmark_ticker,
 *   relative_return and data_freshness were never written and are gone; NOT NULL on the
 *   three metrics means a half-written row cannot exist.
 * - Work: a planning step ("plan-chunks") splits the tickers priced on D into ranges of
 *   perStep(PERFORMANCE_CHUNK_TICKERS) (1,000 at full scale; in the database's ticker
 *   order), one step each ("chunk-3-of-45"). A step reads its
 *   tickers' prices PRICE_BATCH_TICKERS at a time (`ticker in [...]`, `price_date` from
 *   D − 5Y − 5 days to D; a short list keeps Postgres on a primary-key scan), computes and
 *   stages its rows under the run's id (staged.ts). A last step ("publish") makes them
 *   visible in one transaction and deletes the rows of D (a scoped run: of its tickers)
 *   that this run did not produce (a window that no longer qualifies after a price
 *   correction), so a rerun leaves exactly the same rows and a run killed midway leaves D
 *   as it was. A scoped run is one step over its tickers. Steps return counts only. The key
 *   puts performance_date first so one day's rows are a contiguous range of the primary
 *   key (the aggregates page through them). Measured on the local Postgres: 1,000 tickers
 *   × 5 years (1.3M closes) in ~4.6 s.
 *
 * Checks: the market benchmark has a 1Y row on a full run (warn: a short history lacks
 * one); a sample of the day's rows has start dates within their window's tolerance and
 * sane metrics (error); most priced symbols got rows (warn).
 */
import { defineTable, type Store } from "../db/index.ts";
import { ALL_TICKERS, perStep, type TickerRange, tickerCondition, tickerRanges } from "./chunks.ts";
import { datosEodTable } from "./datos_eod.ts";
import { type AssetContext, defineAsset } from "./define.ts";
import { MARKET_BENCHMARK, universeTickers } from "./fintra_universe.ts";
import {
  earliestStartPrice,
  priceHistoryStart,
  priceSeries,
  tickerPerformance,
  WINDOW_CODES,
  type WindowCode,
  type WindowMetrics,
  type WindowSkip,
  windowStart,
} from "./performance-math.ts";
import { publishStaged, stageRows } from "./staged.ts";

export interface PerformanceRow {
  ticker: string;
  performance_date: string;
  /** One of WINDOW_CODES (the table's CHECK); typed as text, as readers get it. */
  window_code: string;
  return_percent: number;
  absolute_return: number;
  volatility: number;
  max_drawdown: number;
  start_date: string;
  observations: number;
  source: string;
}

export const datosPerformanceTable = defineTable<PerformanceRow>({
  name: "datos_performance",
  key: ["performance_date", "ticker", "window_code"],
  columns: {
    ticker: "text",
    performance_date: "date",
    window_code: "text",
    return_percent: "numeric",
    absolute_return: "numeric",
    volatility: "numeric",
    max_drawdown: "numeric",
    start_date: "date",
    observations: "integer",
    source: "text",
  },
});

/**
 * Tickers per step at the full market's scale (45,000 tickers: 45 steps): ~1,000 × 1,260
 * closes is about 1.3M price rows read per step. A run uses
 * `perStep(ctx, PERFORMANCE_CHUNK_TICKERS)`, which `Resources.stepScale` shrinks.
 */
export const PERFORMANCE_CHUNK_TICKERS = 1_000;

export const PERFORMANCE_SOURCE = "prices_daily_window";

/**
 * Tickers per price query inside a step. A short `ticker = ANY(...)` list keeps Postgres on
 * a plain primary-key scan and fits in one page (30 × ~1,265 closes < PRICE_PAGE): a
 * 1,000-element list paged by keyset made Postgres 15 rescan the list for every page,
 * about 12 s a page (measured), where 34 queries of 30 take ~1.5 s.
 */
export const PRICE_BATCH_TICKERS = 30;

/** Rows per page when reading prices (a batch's whole history). */
const PRICE_PAGE = 50_000;

/** The row of one window's metrics. */
export function performanceRow(ticker: string, day: string, m: WindowMetrics): PerformanceRow {
  return { ticker, performance_date: day, ...m, source: PERFORMANCE_SOURCE };
}

/**
 * The run's tickers when scoped (its list, or the first N active symbols plus SPY); null
 * for a full run. A scoped run is one step over that list; a full run steps through ranges.
 */
async function scopedTickers(ctx: AssetContext): Promise<string[] | null> {
  if (!ctx.scope) return null;
  return universeTickers(ctx, { equitiesOnly: false, withBenchmark: true });
}

/** Tickers priced on `day` in a range (or the scope's list), in the database's order. */
async function pricedOn(
  db: Store,
  day: string,
  range: TickerRange,
  scoped: string[] | null,
): Promise<string[]> {
  const rows = await db.readAll(datosEodTable, {
    where: { price_date: day, ticker: tickerCondition(range, scoped) },
    columns: ["ticker"],
  });
  return rows.map((r) => r.ticker);
}

interface ChunkCounts {
  tickers: number;
  written: number;
  tickersWithRows: number;
  noPriceOnDay: number;
  droppedPrices: number;
  skipped: Record<WindowSkip, number>;
  rowsByWindow: Record<string, number>;
}

/** Computes, writes and prunes one range of tickers; returns counts only. */
async function computeRange(
  ctx: AssetContext,
  day: string,
  range: TickerRange,
  scoped: string[] | null,
): Promise<ChunkCounts> {
  const tickers = await pricedOn(ctx.db, day, range, scoped);
  const rows: PerformanceRow[] = [];
  const counts: ChunkCounts = {
    tickers: tickers.length,
    written: 0,
    tickersWithRows: 0,
    noPriceOnDay: 0,
    droppedPrices: 0,
    skipped: { history_too_short: 0, stale_start_price: 0 },
    rowsByWindow: {},
  };
  let current: string | null = null;
  let points: { price_date: string; adj_close: number | null }[] = [];
  const finishTicker = () => {
    if (current === null) return;
    const { series, dropped } = priceSeries(points, day);
    counts.droppedPrices += dropped;
    // Its row of D had no usable adj_close: not priced on D after all.
    if (series.dates.at(-1) !== day) {
      counts.noPriceOnDay += 1;
      return;
    }
    const { metrics, skipped } = tickerPerformance(series, day);
    counts.skipped.history_too_short += skipped.history_too_short;
    counts.skipped.stale_start_price += skipped.stale_start_price;
    if (metrics.length > 0) counts.tickersWithRows += 1;
    for (const m of metrics) {
      rows.push(performanceRow(current, day, m));
      counts.rowsByWindow[m.window_code] = (counts.rowsByWindow[m.window_code] ?? 0) + 1;
    }
  };
  for (let i = 0; i < tickers.length; i += PRICE_BATCH_TICKERS) {
    const batch = tickers.slice(i, i + PRICE_BATCH_TICKERS);
    for await (const page of ctx.db.read(datosEodTable, {
      where: { ticker: { in: batch }, price_date: { gte: priceHistoryStart(day), lte: day } },
      columns: ["ticker", "price_date", "adj_close"],
      pageSize: PRICE_PAGE,
    })) {
      // Key order (ticker, price_date): a ticker's closes are contiguous and ascending.
      for (const p of page) {
        if (p.ticker !== current) {
          finishTicker();
          current = p.ticker;
          points = [];
        }
        points.push(p);
      }
    }
  }
  finishTicker();
  counts.written = await stageRows(ctx, datosPerformanceTable, rows);
  return counts;
}

function addCounts(total: ChunkCounts, part: ChunkCounts): ChunkCounts {
  const rowsByWindow = { ...total.rowsByWindow };
  for (const [w, n] of Object.entries(part.rowsByWindow))
    rowsByWindow[w] = (rowsByWindow[w] ?? 0) + n;
  return {
    tickers: total.tickers + part.tickers,
    written: total.written + part.written,
    tickersWithRows: total.tickersWithRows + part.tickersWithRows,
    noPriceOnDay: total.noPriceOnDay + part.noPriceOnDay,
    droppedPrices: total.droppedPrices + part.droppedPrices,
    skipped: {
      history_too_short: total.skipped.history_too_short + part.skipped.history_too_short,
      stale_start_price: total.skipped.stale_start_price + part.skipped.stale_start_price,
    },
    rowsByWindow,
  };
}

/** Rows of the day the sample check reads: the first page of the day's key range. */
const CHECK_SAMPLE = 2_000;

/** What is wrong with a stored row, or null. */
export function rowProblem(row: PerformanceRow, day: string): string | null {
  if (!(WINDOW_CODES as readonly string[]).includes(row.window_code)) return "unknown window";
  const window = row.window_code as WindowCode;
  if (row.performance_date !== day) return "dated off its partition";
  if (row.start_date > windowStart(window, day)) return "start after the window start";
  if (row.start_date < earliestStartPrice(window, day)) return "start price too old";
  if (!(row.observations >= 1)) return "no daily return";
  if (!Number.isFinite(row.return_percent)) return "no return";
  if (!(row.volatility >= 0)) return "negative or missing volatility";
  if (!(row.max_drawdown >= 0 && row.max_drawdown < 100)) return "drawdown outside [0, 100)";
  return null;
}

export default defineAsset({
  key: "datos_performance",
  description:
    "Per symbol and trading date: return, annualized volatility and max drawdown over 1D..5Y windows",
  deps: ["datos_eod"],
  partitioned: true,
  tables: [datosPerformanceTable],
  checks: [
    {
      name: "benchmark_has_1y",
      severity: "warn",
      description: `${MARKET_BENCHMARK} has a 1Y row on the day (relative returns need it)`,
      async run({ db, partition, scope }) {
        if (scope) return { passed: true, message: "scoped run: benchmark not required" };
        const rows = await db.readAll(datosPerformanceTable, {
          where: { performance_date: partition, ticker: MARKET_BENCHMARK, window_code: "1Y" },
        });
        return {
          passed: rows.length === 1,
          value: rows.length,
          message:
            rows.length === 1
              ? `${MARKET_BENCHMARK} 1Y return ${rows[0]?.return_percent.toFixed(2)} %`
              : `${MARKET_BENCHMARK} has no 1Y row on ${partition} (price history shorter than a year?)`,
        };
      },
    },
    {
      name: "rows_within_their_windows",
      severity: "error",
      description:
        "a sample of the day's rows: start price inside the window's tolerance, metrics present and sane",
      async run({ db, partition }) {
        const day = partition as string;
        let checked = 0;
        const problems: { ticker: string; window: string; problem: string }[] = [];
        for await (const page of db.read(datosPerformanceTable, {
          where: { performance_date: day },
          pageSize: CHECK_SAMPLE,
        })) {
          for (const row of page) {
            checked += 1;
            const problem = rowProblem(row, day);
            if (problem) problems.push({ ticker: row.ticker, window: row.window_code, problem });
          }
          break;
        }
        return {
          passed: problems.length === 0,
          value: problems.length,
          message:
            problems.length === 0
              ? `${checked} rows checked`
              : `${problems.length} of ${checked} rows are wrong, e.g. ${JSON.stringify(problems[0])}`,
          metadata: { samples: problems.slice(0, 5) },
        };
      },
    },
    {
      name: "priced_symbols_covered",
      severity: "warn",
      description: "at least 90% of the symbols priced on the day have a row",
      async run({ result, scope }) {
        const priced = Number(result.metadata?.priced ?? 0);
        const covered = Number(result.metadata?.tickersWithRows ?? 0);
        if (scope) return { passed: true, value: covered, message: "scoped run: not applied" };
        const share = priced > 0 ? covered / priced : 0;
        return {
          passed: share >= 0.9,
          value: share,
          message: `${covered} of ${priced} priced symbols have rows (${(share * 100).toFixed(1)} %)`,
        };
      },
    },
  ],
  async materialize(ctx) {
    const day = ctx.partition as string;
    const chunkSize = perStep(ctx, PERFORMANCE_CHUNK_TICKERS);
    const plan = await ctx.step("plan-chunks", async () => {
      const scoped = await scopedTickers(ctx);
      const priced = await pricedOn(ctx.db, day, ALL_TICKERS, scoped);
      const pricedSet = new Set(priced);
      const active =
        scoped ?? (await universeTickers(ctx, { equitiesOnly: false, withBenchmark: true }));
      const unpriced = active.filter((t) => !pricedSet.has(t));
      return {
        ranges: scoped ? [ALL_TICKERS] : tickerRanges(priced, chunkSize),
        priced: priced.length,
        notPricedOnDay: unpriced.length,
        notPricedSamples: unpriced.slice(0, 5),
      };
    });
    ctx.progress.total(plan.ranges.length);
    let totals: ChunkCounts | null = null;
    for (const [i, range] of plan.ranges.entries()) {
      const counts = await ctx.step(`chunk-${i + 1}-of-${plan.ranges.length}`, async () =>
        computeRange(ctx, day, range, await scopedTickers(ctx)),
      );
      totals = totals ? addCounts(totals, counts) : counts;
      ctx.progress.advance();
    }
    const { removed: pruned } = await publishStaged(
      ctx,
      datosPerformanceTable,
      totals?.written ?? 0,
      async () => {
        const scoped = await scopedTickers(ctx);
        return { performance_date: day, ...(scoped ? { ticker: { in: scoped } } : {}) };
      },
    );
    return {
      rows: totals?.written ?? 0,
      metadata: {
        priced: plan.priced,
        notPricedOnDay: plan.notPricedOnDay + (totals?.noPriceOnDay ?? 0),
        notPricedSamples: plan.notPricedSamples,
        tickersWithRows: totals?.tickersWithRows ?? 0,
        rowsByWindow: totals?.rowsByWindow ?? {},
        windowsSkipped: totals?.skipped ?? {},
        droppedPrices: totals?.droppedPrices ?? 0,
        pruned,
        chunks: plan.ranges.length,
        chunkSize,
        historyFrom: priceHistoryStart(day),
      },
    };
  },
});
