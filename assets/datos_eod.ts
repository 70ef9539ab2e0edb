/**
 * datos_eod: end-of-day prices, one row per active symbol and trading date
 * (SPY, the market benchmark, included). Partitioned by trading date.
 *
 * - Source: `eod-bulk?date=D`. D is a trading day (partitions.ts refuses
 *   weekends and holidays by name), so an empty file means FMP has not
 *   published the day yet: NotPublishedError, a wait rather than a fault (in
 *   process the row is closed with that reason, backfills report the day as
 *   waiting and a rerun loads it; under Inngest the run sleeps and retries),
 *   never an empty day or a holiday.
 * - Kept: symbols active in fintra_universe (or the run's tickers), rows
 *   dated D, and rows passing the quality gate: volume > 0, open, high, low,
 *   close and adjClose present, high >= max(open, close), low <= min(open,
 *   close). Rejected rows are counted by reason, a few kept as samples.
 * - Writes: the day's rows are staged and published in one transaction (staged.ts), so
 *   readers see the day whole or not at all; the publish upserts and updates (FMP corrects
 *   prices). History comes from backfills.
 * - A `prices_daily` view keeps the old name readable.
 */
import { defineTable } from "../db/index.ts";
import { type EodRow, eodBulk, isFmpError } from "../sources/fmp/index.ts";
import { skippedRowsWithin } from "./checks.ts";
import { type AssetContext, defineAsset } from "./define.ts";
import { MARKET_BENCHMARK, universeTickers } from "./fintra_universe.ts";
import { NotPublishedError } from "./partitions.ts";
import { publishRows, stageRows } from "./staged.ts";

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
  let staged = 0;
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
    // Staged, not upserted: the day becomes visible in one publish, never half-loaded.
    staged += await stageRows(ctx, datosEodTable, keep);
  }
  const { written } = await publishRows(ctx, datosEodTable, staged, null);
  const { rows, skipped, samples: badRows, requests, retries, missingColumns } = stream.report;
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

export default defineAsset({
  key: "datos_eod",
  description: "End-of-day OHLCV per active symbol and trading date",
  deps: ["fintra_universe"],
  partitioned: true,
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
    const day = ctx.partition as string;
    const result = await ctx.step("load-prices", async () => {
      try {
        return await loadPrices(ctx, day);
      } catch (error) {
        if (isFmpError(error) && error.kind === "empty") {
          throw new NotPublishedError(
            `prices for ${day} are not published yet: FMP's EOD file for that trading day is empty; retry later`,
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
