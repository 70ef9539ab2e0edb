/**
 * financial_scores: FMP's Altman Z and Piotroski F (and the figures behind
 * them) per active equity and day. FGOS's quality brakes read them; the old
 * snapshot builder fetched the scores bulk itself, which broke the rule that
 * only ingest assets talk to FMP.
 *
 * - Source: `scores-bulk`, kept to active equities (or the run's tickers).
 * - Partitioned by trading date. Like datos_valuacion, FMP's bulk describes
 *   today: a partition before the latest trading day writes nothing and says
 *   so, and snapshots of such a day get no brakes rather than later scores.
 * - A Piotroski score outside 0-9 is dropped (the column's CHECK), counted.
 */
import { defineTable } from "../db/index.ts";
import { type ScoresRow, scoresBulk } from "../sources/fmp/index.ts";
import { atLeast } from "./checks.ts";
import { defineAsset } from "./define.ts";
import { universeTickers } from "./fintra_universe.ts";
import { latestWeekday, utcDate } from "./partitions.ts";

export interface FinancialScoresRow {
  ticker: string;
  score_date: string;
  altman_z: number | null;
  piotroski_score: number | null;
  working_capital: number | null;
  total_assets: number | null;
  total_liabilities: number | null;
  retained_earnings: number | null;
  ebit: number | null;
  market_cap: number | null;
  revenue: number | null;
  source: string;
}

export const financialScoresTable = defineTable<FinancialScoresRow>({
  name: "financial_scores",
  key: ["ticker", "score_date"],
  columns: {
    ticker: "text",
    score_date: "date",
    altman_z: "numeric",
    piotroski_score: "integer",
    working_capital: "numeric",
    total_assets: "numeric",
    total_liabilities: "numeric",
    retained_earnings: "numeric",
    ebit: "numeric",
    market_cap: "numeric",
    revenue: "numeric",
    source: "text",
  },
});

export function scoresRow(row: ScoresRow, day: string): FinancialScoresRow {
  const piotroski = row.piotroskiScore;
  return {
    ticker: row.symbol.toUpperCase(),
    score_date: day,
    altman_z: row.altmanZScore,
    piotroski_score: piotroski !== null && piotroski >= 0 && piotroski <= 9 ? piotroski : null,
    working_capital: row.workingCapital,
    total_assets: row.totalAssets,
    total_liabilities: row.totalLiabilities,
    retained_earnings: row.retainedEarnings,
    ebit: row.ebit,
    market_cap: row.marketCap,
    revenue: row.revenue,
    source: "fmp_scores_bulk",
  };
}

export default defineAsset({
  key: "financial_scores",
  description: "Altman Z and Piotroski F per active equity and day (FMP scores bulk)",
  deps: ["fintra_universe"],
  partitioned: true,
  sources: ["fmp"],
  tables: [financialScoresTable],
  checks: [atLeast("rows", 1, "warn")],
  async materialize(ctx) {
    const day = ctx.partition as string;
    const latest = latestWeekday(utcDate(ctx.now()));
    if (day < latest) {
      return {
        rows: 0,
        metadata: {
          notRebuilt: `FMP's scores bulk describes ${latest}; ${day} cannot be rebuilt from it`,
        },
      };
    }
    const result = await ctx.step("load-scores", async () => {
      const wanted = new Set(await universeTickers(ctx, { equitiesOnly: true }));
      const stream = ctx.fmp().csv(scoresBulk, {}, { batchSize: 10_000 });
      let written = 0;
      let outOfRange = 0;
      for await (const batch of stream) {
        const rows = batch
          .filter((r) => wanted.has(r.symbol.toUpperCase()))
          .map((r) => scoresRow(r, day));
        outOfRange += batch.filter(
          (r) => r.piotroskiScore !== null && (r.piotroskiScore < 0 || r.piotroskiScore > 9),
        ).length;
        written += await ctx.db.upsert(financialScoresTable, rows);
      }
      const { skipped, samples, requests } = stream.report;
      return {
        written,
        equities: wanted.size,
        outOfRange,
        skipped,
        skippedSamples: samples,
        requests,
      };
    });
    return { rows: result.written, metadata: result };
  },
});
