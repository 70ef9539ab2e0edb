/**
 * sector_stats: descriptive statistics of every benchmark metric per sector on trading
 * date D: mean, standard deviation, median, trimmed mean and count (spec/schema.md §4.7;
 * the old table was written only by a backfill, and the docs' claim that the benchmark job
 * filled it was never true). A table here, not the view spec/schema.md §10.1 suggests.
 *
 * - A row is (sector, metric, stats_date = D): `mean`, `std_dev` (sample, n − 1), `median`
 *   (mean of the middle two for an even count), `trimmed_mean` (floor(10 %) of the sorted
 *   values dropped at each end, so no trim under 10 values) and `sample_size` (the count).
 *   Figures are in the metric's unit (group-stats.ts `groupStats`).
 * - Metrics: the 14 of `BENCHMARK_METRICS` (see sector_benchmarks.ts), over the same cleaned
 *   samples as the benchmarks (`benchmarkSample`: multiples > 0, debt/equity >= 0), so the
 *   statistics describe the distribution the percentiles do; fewer than 3 values, no row.
 * - Partitioned by D; deps: datos_financieros, datos_valuacion_ttm, asset_industry_map,
 *   industry_classification. Constituents and values as sector_benchmarks
 *   (benchmark-inputs.ts): financials and TTM valuation known on D, never snapshots.
 * - A full run makes D's rows exactly what it computed, so a rerun changes nothing. A
 *   scoped run leaves the table as it is (rows 0).
 * - Checks: every row of D has n >= 3, all figures present and std_dev >= 0 (error); at
 *   least 8 sectors' worth of rows on a full run (warn).
 */
import { defineTable } from "../db/index.ts";
import {
  BENCHMARK_METRICS,
  type CompanyInputs,
  loadCompanyInputs,
  partitionRowsCheck,
  replacePartition,
  SCOPED_AGGREGATE,
} from "./benchmark-inputs.ts";
import { atLeast } from "./checks.ts";
import { defineAsset } from "./define.ts";
import { type GroupStats, groupStatistics, statsRowProblem } from "./group-stats.ts";

export interface SectorStatsRow extends GroupStats {
  sector: string;
  metric: string;
  stats_date: string;
}

export const sectorStatsTable = defineTable<SectorStatsRow>({
  name: "sector_stats",
  key: ["sector", "metric", "stats_date"],
  columns: {
    sector: "text",
    metric: "text",
    stats_date: "date",
    mean: "numeric",
    std_dev: "numeric",
    median: "numeric",
    trimmed_mean: "numeric",
    sample_size: "integer",
  },
});

/** One row per (sector, metric) with 3+ values, sectors in name order. */
export function sectorStatsRows(
  companies: readonly CompanyInputs[],
  day: string,
): SectorStatsRow[] {
  return groupStatistics(companies, (c) => c.sector, BENCHMARK_METRICS).map(
    ({ group, metric, value }) => ({ sector: group, metric, stats_date: day, ...value }),
  );
}

export default defineAsset({
  key: "sector_stats",
  description:
    "Mean, std dev, median, trimmed mean and count of the engines' metrics per sector and date",
  deps: [
    "datos_financieros",
    "datos_valuacion_ttm",
    "asset_industry_map",
    "industry_classification",
  ],
  partitioned: true,
  tables: [sectorStatsTable],
  checks: [
    partitionRowsCheck({
      name: "stats_valid",
      description: "every row of the day: n >= 3, every figure present, std_dev >= 0",
      table: sectorStatsTable,
      partition: (day) => ({ stats_date: day }),
      columns: ["sector", "metric", "mean", "std_dev", "median", "trimmed_mean", "sample_size"],
      invalid: (row) => {
        const problem = statsRowProblem(row);
        return problem ? `${row.sector} ${row.metric}: ${problem}` : null;
      },
    }),
    atLeast("rows", 8 * BENCHMARK_METRICS.length, "warn"),
  ],
  async materialize(ctx) {
    if (ctx.scope) return { rows: 0, metadata: { scoped: SCOPED_AGGREGATE } };
    const day = ctx.partition as string;
    const result = await ctx.step("build-sector-stats", async () => {
      const { companies, counts } = await loadCompanyInputs(ctx.db, day, { financials: true });
      const rows = sectorStatsRows(companies, day);
      const { written, removed } = await replacePartition(
        ctx,
        sectorStatsTable,
        { stats_date: day },
        rows,
      );
      return { written, removed, sectors: new Set(rows.map((r) => r.sector)).size, ...counts };
    });
    return { rows: result.written, metadata: result };
  },
});
