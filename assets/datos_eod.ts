/**
 * datos_eod: end-of-day prices, one row per active symbol and trading date
 * (SPY, the market benchmark, included). Partitioned by trading date.
 *
 * - Source: `eod-bulk?date=D`. An empty file means no trading that day (a
 *   holiday) or prices not yet published: the run fails with that message
 *   rather than materialize an empty day.
 * - Kept: symbols active in fintra_universe (or the run's tickers), rows
 *   dated D, and rows passing the quality gate: volume > 0, open, high, low,
 *   close and adjClose present, high >= max(open, close), low <= min(open,
 *   close). Rejected rows are counted by reason, a few kept as samples.
 * - Upserts update: FMP corrects prices. History comes from backfills.
 * - A `prices_daily` view keeps the old name readable.
 */
import { defineTable } from "../db/index.ts";
import { type EodRow, eodBulk, isFmpError } from "../sources/fmp/index.ts";
import { type AssetContext, defineAsset } from "./define.ts";
import { MARKET_BENCHMARK, universeTickers } from "./fintra_universe.ts";
import { NoTradingError } from "./partitions.ts";

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

export type Rejection =
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

export function priceRow(row: EodRow): PriceRow {
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

/** Streams the day's EOD file into the table; returns counts only. */
async function loadPrices(ctx: AssetContext, day: string) {
  const wanted = new Set(await universeTickers(ctx, { equitiesOnly: false, withBenchmark: true }));
  const stream = ctx.fmp().csv(eodBulk, { date: day }, { batchSize: 10_000 });
  const rejected: Record<string, number> = {};
  const samples: { ticker: string; reason: Rejection }[] = [];
  let written = 0;
  let outsideUniverse = 0;
  for await (const batch of stream) {
    const keep: PriceRow[] = [];
    for (const row of batch) {
      if (!wanted.has(row.symbol.toUpperCase())) {
        outsideUniverse += 1;
        continue;
      }
      const reason = rejectPrice(row, day);
      if (reason) {
        rejected[reason] = (rejected[reason] ?? 0) + 1;
        if (samples.length < SAMPLES) samples.push({ ticker: row.symbol, reason });
      } else keep.push(priceRow(row));
    }
    written += await ctx.db.upsert(datosEodTable, keep);
  }
  const { rows, skipped, samples: badRows, requests, retries } = stream.report;
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
  };
}

export default defineAsset({
  key: "datos_eod",
  description: "End-of-day OHLCV per active symbol and trading date",
  deps: ["fintra_universe"],
  partitioned: true,
  sources: ["fmp"],
  tables: [datosEodTable],
  checks: [
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
    const day = ctx.partition as string;
    const result = await ctx.step("load-prices", async () => {
      try {
        return await loadPrices(ctx, day);
      } catch (error) {
        if (isFmpError(error) && error.kind === "empty") {
          throw new NoTradingError(
            `no trading on ${day}: FMP's EOD file is empty (exchange holiday, or not published yet)`,
          );
        }
        throw error;
      }
    });
    return {
      rows: result.written,
      metadata: {
        fileRows: result.fileRows,
        outsideUniverse: result.outsideUniverse,
        rejected: result.rejected,
        rejectedSamples: result.samples,
        skipped: result.skipped,
        skippedSamples: result.badRows,
        requests: result.requests,
        retries: result.retries,
      },
    };
  },
});
