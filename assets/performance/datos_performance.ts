/**
 * datos_performance: how each symbol's adjusted close moved over the standard windows (1D to
 * 5Y, math.ts) ending on trading date D: return, annualized volatility, max drawdown.
 *
 * - Anchored on D, never on a ticker's own last price date (pipeline §8, one trading-date key):
 *   a symbol not priced on D gets no rows for D. Priced on D is active on D (datos_eod loads
 *   active symbols only), which keeps backfills point in time.
 * - Every instrument type priced on D counts, SPY always; a scope narrows them.
 * - No window longer than the ticker's history and none from a stale start price: both are
 *   skipped and counted. A 5Y row needs prices from `priceHistoryStart(D)`, D − 5Y − 5 days.
 *   Gaps (days datos_eod's quality gate rejected) are not filled: a log return spans them.
 * - 2Y is new; the old columns benchmark_ticker, relative_return and data_freshness were never
 *   written and are gone.
 * - Rows are staged per range of tickers and published in one transaction that deletes the
 *   rows of D (a scoped run: of its tickers) this run did not produce, such as a window that no
 *   longer qualifies after a price correction.
 * - Reading five years of closes every day is the cost: on the SQL stores one query per range
 *   packs a ticker's closes into two texts (`closesQuery`); Supabase pages through the Store.
 *   Both parse to the same doubles.
 * - The maths stays in JS, not SQL window functions: Postgres's ln() and V8's Math.log differ
 *   in the last bit for ~0.6 % of daily returns, and stddev_samp sums differently.
 */
import { defineTable, type Store } from "../../db/index.ts";
import {
  ALL_TICKERS,
  perStep,
  type TickerRange,
  tickerCondition,
  tickerRanges,
} from "../../runtime/chunks.ts";
import { type AssetContext, defineAsset } from "../../runtime/define.ts";
import { stageRows } from "../../runtime/staged.ts";
import { datosEodTable } from "../datos_eod.ts";
import { MARKET_BENCHMARK, universeTickers } from "../fintra_universe.ts";
import { guideChecks } from "../monitoring.ts";
import {
  earliestStartPrice,
  type PriceSeries,
  priceHistoryStart,
  priceSeries,
  tickerPerformance,
  WINDOW_CODES,
  type WindowCode,
  type WindowMetrics,
  type WindowSkip,
  windowStart,
} from "./math.ts";
import { stageChunks } from "./staged-chunks.ts";

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
const PERFORMANCE_CHUNK_TICKERS = 1_000;

const PERFORMANCE_SOURCE = "prices_daily_window";

/**
 * Tickers per price query inside a step on the Store's paged read (the Supabase path). A
 * short `ticker = ANY(...)` list keeps Postgres on a plain primary-key scan and fits in one
 * page (30 × ~1,265 closes < PRICE_PAGE): a 1,000-element list paged by keyset made
 * Postgres 15 rescan the list for every page, about 12 s a page (measured), where 34
 * queries of 30 take ~1.5 s.
 */
const PRICE_BATCH_TICKERS = 30;

/** Rows per page when reading prices (a batch's whole history). */
const PRICE_PAGE = 50_000;

/**
 * Tickers per price query on the SQL stores (`closesBySql`): each answers one row per
 * ticker, its closes packed in two texts, ~15 KB per ticker over five years (~4 MB a
 * query). The next query is in flight while a batch is computed.
 */
const SQL_PRICE_BATCH_TICKERS = 250;

/** A ticker's closes from `priceHistoryStart(day)` to `day`, as `priceSeries` keeps them. */
interface TickerCloses {
  ticker: string;
  series: PriceSeries;
  /** Closes dropped for a missing or non-positive adj_close. */
  dropped: number;
}

/** A SQL string literal (tickers come from the database; quotes are doubled all the same). */
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** The tickers one price query reads: a range of the key space, or a list. */
type ClosesBatch = TickerRange | { tickers: readonly string[] };

/**
 * One price query's text: per ticker, two texts of comma-separated values in the same
 * order, `offsets` (days since `from`: no dependence on the server's DateStyle) and
 * `prices` (adj_close's own numeric text, '' for NULL: the text a paged read would have
 * parsed). One row per ticker instead of one per close: the row protocol and a JS object per
 * close were most of the read's cost.
 *
 * A range batch is one ordered walk of the primary key (ticker, price_date) over a range of
 * tickers, the plan Postgres takes with or without statistics, and about a third less
 * database time than a lookup per ticker (measured); it also reads the range's symbols not
 * priced on D (delisted ones), which the caller drops. A list batch (a scoped run) looks each
 * ticker up. The aggregates take their rows in no promised order, so `unpackCloses` orders
 * them itself.
 */
function closesQuery(batch: ClosesBatch, from: string, day: string): string {
  const values = `string_agg((e.price_date - DATE ${literal(from)})::text, ',') AS offsets,
      string_agg(coalesce(e.adj_close::text, ''), ',') AS prices`;
  const dates = `e.price_date >= DATE ${literal(from)} AND e.price_date <= DATE ${literal(day)}`;
  if (!("tickers" in batch)) {
    const bounds = [
      ...(batch.from !== null ? [`e.ticker >= ${literal(batch.from)}`] : []),
      ...(batch.before !== null ? [`e.ticker < ${literal(batch.before)}`] : []),
    ];
    return `SELECT e.ticker, ${values}
      FROM datos_eod e
      WHERE ${[...bounds, dates].join(" AND ")}
      GROUP BY e.ticker`;
  }
  // A lateral lookup per ticker keeps Postgres on the primary key: with the list as a plain
  // filter, and no statistics, it chose to scan the whole date range of the table.
  return `SELECT t.ticker, c.offsets, c.prices
    FROM unnest(ARRAY[${batch.tickers.map(literal).join(", ")}]::text[]) AS t(ticker)
    CROSS JOIN LATERAL (SELECT ${values} FROM datos_eod e WHERE e.ticker = t.ticker AND ${dates}) AS c
    WHERE c.offsets IS NOT NULL`;
}

/** ISO dates by day offset from one start date, each made once. */
export class DatesFrom {
  private readonly base: number;
  private readonly dates: string[] = [];
  constructor(from: string) {
    const [y, m, d] = from.split("-").map(Number) as [number, number, number];
    this.base = Date.UTC(y, m - 1, d);
  }
  at(offset: number): string {
    let date = this.dates[offset];
    if (date === undefined) {
      date = new Date(this.base + offset * 86_400_000).toISOString().slice(0, 10);
      this.dates[offset] = date;
    }
    return date;
  }
}

/** Powers of ten a double holds exactly (10^0 .. 10^22). */
const EXACT_POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * The number a decimal text (numeric's output: optional minus, digits, optional point)
 * stands for, exactly as `Number(text)` gives it. With at most 15 digits the digits form
 * an integer below 2^53 and the divisor a power of ten below 10^23, both exact doubles, so
 * the one division is correctly rounded: the fast path strtod itself takes. Anything else
 * (more digits, an exponent, NaN) goes to `Number`. '' is NaN (a NULL price).
 */
export function decimalValue(text: string, from = 0, to = text.length): number {
  if (to === from) return Number.NaN;
  let at = from;
  let negative = false;
  if (text.charCodeAt(at) === 45) {
    negative = true;
    at += 1;
  }
  let mantissa = 0;
  let digits = 0;
  let decimals = -1;
  for (; at < to; at++) {
    const c = text.charCodeAt(at);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits += 1;
      if (decimals >= 0) decimals += 1;
    } else if (c === 46 && decimals < 0) decimals = 0;
    else return Number(text.slice(from, to));
  }
  if (digits === 0 || digits > 15) return Number(text.slice(from, to));
  const value = mantissa / (EXACT_POWERS_OF_TEN[Math.max(decimals, 0)] as number);
  return negative ? -value : value;
}

/**
 * A ticker's closes as `closesQuery` packs them, as a series in date order, dropping what
 * `priceSeries` drops: a close without a price, or with one that is not a positive finite
 * number (each counted). `through` is the date of its last row, kept or dropped. One pass
 * over the texts when the offsets come in date order (the usual plan); otherwise sorted.
 */
export function unpackCloses(
  offsets: string,
  prices: string,
  dates: DatesFrom,
): Omit<TickerCloses, "ticker"> & { through: string } {
  const series: PriceSeries = { dates: [], prices: [] };
  let dropped = 0;
  let last = -1;
  let o = 0;
  let p = 0;
  while (o < offsets.length) {
    let offset = 0;
    for (let c = offsets.charCodeAt(o); o < offsets.length && c !== 44; c = offsets.charCodeAt(++o))
      offset = offset * 10 + (c - 48);
    o += 1;
    if (offset <= last) return unpackUnordered(offsets, prices, dates);
    last = offset;
    let end = prices.indexOf(",", p);
    if (end < 0) end = prices.length;
    const price = decimalValue(prices, p, end);
    p = end + 1;
    if (Number.isFinite(price) && price > 0) {
      series.dates.push(dates.at(offset));
      series.prices.push(price);
    } else dropped += 1;
  }
  if (p < prices.length) throw new Error("closes: more prices than offsets");
  return { series, dropped, through: dates.at(last) };
}

/** `unpackCloses` for closes in no particular order: sorted by date first. */
function unpackUnordered(
  offsets: string,
  prices: string,
  dates: DatesFrom,
): Omit<TickerCloses, "ticker"> & { through: string } {
  const days = offsets.split(",").map(Number);
  const texts = prices.split(",");
  if (days.length !== texts.length) throw new Error("closes: offsets and prices differ in length");
  const order = days.map((_, i) => i).sort((a, b) => (days[a] as number) - (days[b] as number));
  const series: PriceSeries = { dates: [], prices: [] };
  let dropped = 0;
  for (const i of order) {
    const price = decimalValue(texts[i] as string);
    if (Number.isFinite(price) && price > 0) {
      series.dates.push(dates.at(days[i] as number));
      series.prices.push(price);
    } else dropped += 1;
  }
  return { series, dropped, through: dates.at(days[order.at(-1) as number] as number) };
}

/**
 * The closes of the tickers priced on `day` (a row dated D, with or without a price) in
 * `batches`, one query each through the Store's read-only SQL (see `closesQuery`). The next
 * batch's query is sent before this batch is yielded, so the database reads while the
 * caller computes.
 */
async function* closesBySql(
  db: Store,
  batches: readonly ClosesBatch[],
  day: string,
): AsyncIterable<TickerCloses[]> {
  const from = priceHistoryStart(day);
  const dates = new DatesFrom(from);
  const query = (batch: ClosesBatch) => {
    const rows = db.readOnlyQuery(closesQuery(batch, from, day));
    rows.catch(() => {}); // awaited below; a failure while the caller computes is not unhandled
    return rows;
  };
  let next = batches[0] ? query(batches[0]) : null;
  for (let i = 0; next; i++) {
    const rows = await next;
    const following = batches[i + 1];
    next = following ? query(following) : null;
    const out: TickerCloses[] = [];
    for (const row of rows) {
      const { through, ...closes } = unpackCloses(
        row.offsets as string,
        row.prices as string,
        dates,
      );
      if (through === day) out.push({ ticker: row.ticker as string, ...closes });
    }
    yield out;
  }
}

/** The closes of `tickers` through the Store's paged reads (Supabase: no SQL over REST). */
async function* closesByPages(
  db: Store,
  tickers: readonly string[],
  day: string,
): AsyncIterable<TickerCloses[]> {
  for (let i = 0; i < tickers.length; i += PRICE_BATCH_TICKERS) {
    const batch = tickers.slice(i, i + PRICE_BATCH_TICKERS);
    const out: TickerCloses[] = [];
    let current: string | null = null;
    let points: { price_date: string; adj_close: number | null }[] = [];
    const finish = () => {
      if (current !== null) out.push({ ticker: current, ...priceSeries(points, day) });
    };
    for await (const page of db.read(datosEodTable, {
      where: { ticker: { in: batch }, price_date: { gte: priceHistoryStart(day), lte: day } },
      columns: ["ticker", "price_date", "adj_close"],
      pageSize: PRICE_PAGE,
    })) {
      // Key order (ticker, price_date): a ticker's closes are contiguous and ascending.
      for (const p of page) {
        if (p.ticker !== current) {
          finish();
          current = p.ticker;
          points = [];
        }
        points.push(p);
      }
    }
    finish();
    yield out;
  }
}

/**
 * The closes, from `priceHistoryStart(day)` to `day`, of the symbols priced on `day` in a
 * step's ticker ranges (a full run) or in the scope's list, in batches. On the SQL stores a
 * query per range, or per SQL_PRICE_BATCH_TICKERS of the list; on Supabase the priced
 * tickers are listed first, then read by the Store's paged reads. Both give the same series.
 */
async function* closesOf(
  db: Store,
  day: string,
  ranges: readonly TickerRange[],
  scoped: readonly string[] | null,
): AsyncIterable<TickerCloses[]> {
  if (db.dialect !== "supabase" && !scoped) {
    yield* closesBySql(db, ranges, day);
    return;
  }
  const tickers: string[] = [];
  for (const range of scoped ? [ALL_TICKERS] : ranges)
    tickers.push(...(await pricedOn(db, day, range, scoped)));
  if (db.dialect === "supabase") {
    yield* closesByPages(db, tickers, day);
    return;
  }
  const batches: ClosesBatch[] = [];
  for (let i = 0; i < tickers.length; i += SQL_PRICE_BATCH_TICKERS)
    batches.push({ tickers: tickers.slice(i, i + SQL_PRICE_BATCH_TICKERS) });
  yield* closesBySql(db, batches, day);
}

/** The row of one window's metrics. */
function performanceRow(ticker: string, day: string, m: WindowMetrics): PerformanceRow {
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
  scoped: readonly string[] | null,
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

/** Computes and stages one step's ticker ranges (or the scope's list); returns counts only. */
async function computeRanges(
  ctx: AssetContext,
  day: string,
  ranges: readonly TickerRange[],
  scoped: string[] | null,
): Promise<ChunkCounts> {
  const rows: PerformanceRow[] = [];
  const counts: ChunkCounts = {
    tickers: 0,
    written: 0,
    tickersWithRows: 0,
    noPriceOnDay: 0,
    droppedPrices: 0,
    skipped: { history_too_short: 0, stale_start_price: 0 },
    rowsByWindow: {},
  };
  for await (const batch of closesOf(ctx.db, day, ranges, scoped)) {
    counts.tickers += batch.length;
    for (const { ticker, series, dropped } of batch) {
      counts.droppedPrices += dropped;
      // Its row of D had no usable adj_close: not priced on D after all.
      if (series.dates.at(-1) !== day) {
        counts.noPriceOnDay += 1;
        continue;
      }
      const { metrics, skipped } = tickerPerformance(series, day);
      counts.skipped.history_too_short += skipped.history_too_short;
      counts.skipped.stale_start_price += skipped.stale_start_price;
      if (metrics.length > 0) counts.tickersWithRows += 1;
      for (const m of metrics) {
        rows.push(performanceRow(ticker, day, m));
        counts.rowsByWindow[m.window_code] = (counts.rowsByWindow[m.window_code] ?? 0) + 1;
      }
    }
  }
  counts.written = await stageRows(ctx, datosPerformanceTable, rows);
  return counts;
}

/**
 * A full run's steps: the priced tickers cut into key ranges of at most
 * SQL_PRICE_BATCH_TICKERS (one price query each), grouped so a step holds about
 * `chunkSize` tickers. No priced ticker, no step.
 */
export function stepRanges(
  pricedInStoreOrder: readonly string[],
  chunkSize: number,
): TickerRange[][] {
  if (pricedInStoreOrder.length === 0) return [];
  const perStepQueries = Math.ceil(chunkSize / SQL_PRICE_BATCH_TICKERS);
  const queryTickers = Math.ceil(chunkSize / perStepQueries);
  const ranges = tickerRanges(pricedInStoreOrder, queryTickers);
  const steps: TickerRange[][] = [];
  for (let i = 0; i < ranges.length; i += perStepQueries)
    steps.push(ranges.slice(i, i + perStepQueries));
  return steps;
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
    ...guideChecks("datos_performance"),
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
      async run({ db, partition, scope }) {
        const day = partition;
        let checked = 0;
        const problems: { ticker: string; window: string; problem: string }[] = [];
        for await (const page of db.read(datosPerformanceTable, {
          // A scoped run checks its own tickers' rows.
          where: {
            performance_date: day,
            ...(scope?.tickers ? { ticker: { in: scope.tickers } } : {}),
          },
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
    const day = ctx.partition;
    const chunkSize = perStep(ctx, PERFORMANCE_CHUNK_TICKERS);
    const plan = await ctx.step("plan-chunks", async () => {
      const scoped = await scopedTickers(ctx);
      const priced = await pricedOn(ctx.db, day, ALL_TICKERS, scoped);
      const pricedSet = new Set(priced);
      const active =
        scoped ?? (await universeTickers(ctx, { equitiesOnly: false, withBenchmark: true }));
      const unpriced = active.filter((t) => !pricedSet.has(t));
      return {
        steps: scoped ? [[ALL_TICKERS]] : stepRanges(priced, chunkSize),
        priced: priced.length,
        notPricedOnDay: unpriced.length,
        notPricedSamples: unpriced.slice(0, 5),
      };
    });
    const { totals, pruned } = await stageChunks(ctx, {
      chunks: plan.steps,
      scopedTickers,
      stage: (ranges, scoped) => computeRanges(ctx, day, ranges, scoped),
      add: addCounts,
      table: datosPerformanceTable,
      dayColumn: "performance_date",
    });
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
        chunks: plan.steps.length,
        chunkSize,
        historyFrom: priceHistoryStart(day),
      },
    };
  },
});
