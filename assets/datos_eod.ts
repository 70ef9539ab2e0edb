/**
 * datos_eod: end-of-day prices of every active symbol (SPY, the market benchmark, included),
 * one partition per trading date, from FMP's `eod-bulk?date=D`.
 *
 * - D is a trading day (partitions.ts refuses weekends and holidays), so an empty file means
 *   FMP has not published it yet: NotPublishedError, a wait, never an empty day.
 * - Rows failing the quality gate (`rejectPrice`) are counted by reason, with samples.
 * - A small `tickers` scope reads FMP's per-symbol prices for D through the same gate; when
 *   none of its tickers has a bar, the benchmark's bar tells an unpublished day (a wait) from
 *   a scope that did not trade (0 rows).
 * - The day is staged and published in one transaction (a small scope: one upsert), so readers
 *   see it whole or not at all; the publish updates rows, since FMP corrects prices. History
 *   comes from backfills.
 */
import { defineTable } from "../db/index.ts";
import { skippedRowsWithin } from "../runtime/checks.ts";
import { type AssetContext, defineAsset } from "../runtime/define.ts";
import { NotPublishedError } from "../runtime/partitions.ts";
import { publishRows, stageRows } from "../runtime/staged.ts";
import {
  adjustedPricesBySymbol,
  type EodRow,
  eodBulk,
  eodRowsOf,
  type FetchReport,
  isFmpError,
  pricesBySymbol,
} from "../sources/fmp/index.ts";
import {
  addSymbolReport,
  bySymbol,
  MARKET_BENCHMARK,
  noSymbolFetches,
  symbolScope,
  universeTickers,
} from "./fintra_universe.ts";

export interface PriceRow {
  ticker: string;
  price_date: string;
  open: number | null;
  high: number | null;
  low: number | null;
  close: number;
  adj_close: number | null;
  volume: number | null;
  source: string;
}

export const datosEodTable = defineTable<PriceRow>({
  name: "datos_eod",
  key: ["ticker", "price_date"],
  columns: {
    ticker: "text",
    price_date: "date",
    open: "numeric",
    high: "numeric",
    low: "numeric",
    close: "numeric",
    adj_close: "numeric",
    volume: "bigint",
    source: "text",
  },
});

type Rejection =
  | "no_volume"
  | "missing_price"
  | "high_below_body"
  | "low_above_body"
  | "wrong_date";

/** Why a price row fails the quality gate, or null when it passes. */
export function rejectPrice(row: EodRow, day: string): Rejection | null {
  if (row.date !== day) return "wrong_date";
  const { open, high, low, close, adjClose } = row;
  if (open === null || high === null || low === null || close === null || adjClose === null)
    return "missing_price";
  if (row.volume === null || Math.round(row.volume) <= 0) return "no_volume";
  if (high < Math.max(open, close)) return "high_below_body";
  if (low > Math.min(open, close)) return "low_above_body";
  return null;
}

function priceRow(row: EodRow): PriceRow {
  return {
    ticker: row.symbol.toUpperCase(),
    price_date: row.date,
    open: row.open,
    high: row.high,
    low: row.low,
    close: row.close as number,
    adj_close: row.adjClose,
    volume: row.volume === null ? null : Math.round(row.volume),
    source: "fmp_eod_bulk",
  };
}

const SAMPLES = 5;

/**
 * Filters the rows read (universe, quality gate) and hands the kept ones to `keep`, which
 * returns how many it took.
 */
function priceFilter(
  day: string,
  wanted: ReadonlySet<string>,
  keep: (rows: PriceRow[]) => Promise<number>,
) {
  const counts = {
    kept: 0,
    outsideUniverse: 0,
    rejected: {} as Record<string, number>,
    samples: [] as { ticker: string; reason: Rejection }[],
  };
  const take = async (batch: readonly EodRow[]) => {
    const kept: PriceRow[] = [];
    for (const row of batch) {
      if (!wanted.has(row.symbol.toUpperCase())) {
        counts.outsideUniverse += 1;
        continue;
      }
      const reason = rejectPrice(row, day);
      if (reason) {
        counts.rejected[reason] = (counts.rejected[reason] ?? 0) + 1;
        if (counts.samples.length < SAMPLES) counts.samples.push({ ticker: row.symbol, reason });
      } else kept.push(priceRow(row));
    }
    counts.kept += await keep(kept);
  };
  return { counts, take };
}

/** What a load reports, whichever way it read. */
type FetchCounts = Pick<
  FetchReport,
  "rows" | "skipped" | "samples" | "requests" | "retries" | "missingColumns"
>;

/** Loads the day's prices into the table; returns counts only. */
async function loadPrices(ctx: AssetContext, day: string) {
  const wanted = new Set(await universeTickers(ctx, { equitiesOnly: false, withBenchmark: true }));
  const symbols = symbolScope(ctx);
  let report: FetchCounts;
  let written: number;
  let counts: ReturnType<typeof priceFilter>["counts"];
  if (symbols) {
    // A few rows read at once: one upsert, as atomic as a publish, without the stage.
    const rows: PriceRow[] = [];
    const filter = priceFilter(day, wanted, async (kept) => {
      rows.push(...kept);
      return kept.length;
    });
    report = await pricesOfSymbols(ctx, day, symbols, filter.take);
    written = await ctx.db.upsert(datosEodTable, rows);
    counts = filter.counts;
  } else {
    // Staged, not upserted: the day becomes visible in one publish, never half-loaded.
    const filter = priceFilter(day, wanted, (kept) => stageRows(ctx, datosEodTable, kept));
    const stream = ctx.fmp().csv(eodBulk, { date: day }, { batchSize: 10_000 });
    for await (const batch of stream) await filter.take(batch);
    report = stream.report;
    ({ written } = await publishRows(ctx, datosEodTable, filter.counts.kept, null));
    counts = filter.counts;
  }
  const { outsideUniverse, rejected, samples } = counts;
  const { rows, skipped, samples: badRows, requests, retries, missingColumns } = report;
  return {
    written,
    fileRows: rows,
    outsideUniverse,
    rejected,
    samples,
    skipped,
    badRows,
    requests,
    retries,
    missingColumns,
  };
}

/**
 * A `tickers` scope: each ticker's bar for the day from FMP's per-symbol prices, staged as
 * the day's file would be. No bar at all is the empty file's twin when the benchmark has
 * none either: the day is not published yet.
 */
async function pricesOfSymbols(
  ctx: AssetContext,
  day: string,
  symbols: readonly string[],
  stage: (batch: readonly EodRow[]) => Promise<void>,
): Promise<FetchCounts> {
  const fetched = noSymbolFetches();
  const range = { from: day, to: day };
  const bars = await bySymbol(symbols, async (symbol) => {
    const [full, adjusted] = await Promise.all([
      ctx.fmp().json(pricesBySymbol, { symbol, ...range }),
      ctx.fmp().json(adjustedPricesBySymbol, { symbol, ...range }),
    ]);
    addSymbolReport(fetched, full.report);
    addSymbolReport(fetched, adjusted.report);
    return eodRowsOf(full.rows, adjusted.rows);
  });
  const rows = bars.flat();
  if (rows.length === 0) {
    const benchmark = await ctx.fmp().json(pricesBySymbol, { symbol: MARKET_BENCHMARK, ...range });
    addSymbolReport(fetched, benchmark.report);
    if (benchmark.rows.length === 0) throw notPublished(day);
  }
  await stage(rows);
  return { ...fetched, rows: rows.length };
}

function notPublished(day: string): NotPublishedError {
  return new NotPublishedError(
    `prices for ${day} are not published yet: FMP's EOD file for that trading day is empty; retry later`,
  );
}

export default defineAsset({
  key: "datos_eod",
  description: "End-of-day OHLCV per active symbol and trading date",
  deps: ["fintra_universe"],
  partitioned: true,
  // A day reads its own EOD file and the universe, nothing from other days.
  independentPartitions: true,
  sources: ["fmp"],
  tables: [datosEodTable],
  checks: [
    skippedRowsWithin(),
    // A row with no price parses but says nothing: past the same cap it is a column FMP
    // renamed or dropped (e.g. adjClose), not a quiet market, and the day must not publish.
    skippedRowsWithin({
      name: "unpriced_rows_within_cap",
      description: "rows without a price (a renamed or dropped column) stay under the cap",
      figures: { skipped: "unpriced", read: "otherRows", samples: "rejectedSamples" },
    }),
    {
      name: "benchmark_priced",
      severity: "error",
      description: `the market benchmark ${MARKET_BENCHMARK} has a price for the day`,
      async run({ db, partition, scope }) {
        if (scope) return { passed: true, message: "scoped run: benchmark not required" };
        const rows = await db.readAll(datosEodTable, {
          where: { ticker: MARKET_BENCHMARK, price_date: partition },
        });
        return {
          passed: rows.length === 1,
          value: rows.length,
          message:
            rows.length === 1
              ? `${MARKET_BENCHMARK} priced`
              : `${MARKET_BENCHMARK} has no price on ${partition}`,
        };
      },
    },
  ],
  async materialize(ctx) {
    const day = ctx.partition;
    const result = await ctx.step("load-prices", async () => {
      try {
        return await loadPrices(ctx, day);
      } catch (error) {
        if (isFmpError(error) && error.kind === "empty") throw notPublished(day);
        throw error;
      }
    });
    return {
      rows: result.written,
      metadata: {
        fileRows: result.fileRows,
        outsideUniverse: result.outsideUniverse,
        rejected: result.rejected,
        unpriced: result.rejected.missing_price ?? 0,
        ...(result.missingColumns.length ? { missingColumns: result.missingColumns } : {}),
        otherRows: result.fileRows - (result.rejected.missing_price ?? 0),
        rejectedSamples: result.samples,
        skipped: result.skipped,
        skippedSamples: result.badRows,
        requests: result.requests,
        retries: result.retries,
      },
    };
  },
});
