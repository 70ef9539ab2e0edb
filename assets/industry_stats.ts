/**
 * industry_stats: descriptive statistics of every benchmark metric per industry on trading
 * date D: mean, standard deviation, median, trimmed mean and count (spec/schema.md §4.7: the
 * old docs named this table, no code ever wrote it). The same computation as sector_stats,
 * grouped by industry.
 *
 * - A row is (industry, metric, stats_date = D), industry =
 *   industry_classification.industry_name, with `sector` (the industry's sector), `mean`,
 *   `std_dev` (sample, n − 1), `median` (mean of the middle two for an even count),
 *   `trimmed_mean` (floor(10 %) of the sorted values dropped at each end, so no trim under
 *   10 values) and `sample_size` (the count), in the metric's unit.
 * - Metrics: the 14 of `BENCHMARK_METRICS` (see sector_benchmarks.ts), over the benchmarks'
 *   cleaned samples; fewer than 3 values, no row.
 * - Partitioned by D; deps: datos_financieros, datos_valuacion_ttm, asset_industry_map,
 *   industry_classification. Constituents and values as sector_benchmarks
 *   (benchmark-inputs.ts): financials and TTM valuation known on D, never snapshots.
 * - A full run makes D's rows exactly what it computed, so a rerun changes nothing. A
 *   scoped run leaves the table as it is (rows 0).
 * - Checks: every row of D has n >= 3, all figures present and std_dev >= 0 (error); at
 *   least one row on a full run (warn).
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

export interface IndustryStatsRow extends GroupStats {
  industry: string;
  metric: string;
  stats_date: string;
  sector: string;
}

export const industryStatsTable = defineTable<IndustryStatsRow>({
  name: "industry_stats",
  key: ["industry", "metric", "stats_date"],
  columns: {
    industry: "text",
    metric: "text",
    stats_date: "date",
    sector: "text",
    mean: "numeric",
    std_dev: "numeric",
    median: "numeric",
    trimmed_mean: "numeric",
    sample_size: "integer",
  },
});

/** One row per (industry, metric) with 3+ values, industries in name order. */
export function industryStatsRows(
  companies: readonly CompanyInputs[],
  day: string,
): IndustryStatsRow[] {
  const sectorOf = new Map(companies.map((c) => [c.industry, c.sector]));
  return groupStatistics(companies, (c) => c.industry, BENCHMARK_METRICS).map(
    ({ group, metric, value }) => ({
      industry: group,
      metric,
      stats_date: day,
      sector: sectorOf.get(group) as string,
      ...value,
    }),
  );
}

export default defineAsset({
  key: "industry_stats",
  description:
    "Mean, std dev, median, trimmed mean and count of the engines' metrics per industry and date",
  deps: [
    "datos_financieros",
    "datos_valuacion_ttm",
    "asset_industry_map",
    "industry_classification",
  ],
  partitioned: true,
  tables: [industryStatsTable],
  checks: [
    partitionRowsCheck({
      name: "stats_valid",
      description: "every row of the day: n >= 3, every figure present, std_dev >= 0",
      table: industryStatsTable,
      partition: (day) => ({ stats_date: day }),
      columns: ["industry", "metric", "mean", "std_dev", "median", "trimmed_mean", "sample_size"],
      invalid: (row) => {
        const problem = statsRowProblem(row);
        return problem ? `${row.industry} ${row.metric}: ${problem}` : null;
      },
    }),
    atLeast("rows", 1, "warn"),
  ],
  async materialize(ctx) {
    if (ctx.scope) return { rows: 0, metadata: { scoped: SCOPED_AGGREGATE } };
    const day = ctx.partition as string;
    const result = await ctx.step("build-industry-stats", async () => {
      const { companies, counts } = await loadCompanyInputs(ctx.db, day, { financials: true });
      const rows = industryStatsRows(companies, day);
      const { written, removed } = await replacePartition(
        ctx,
        industryStatsTable,
        { stats_date: day },
        rows,
      );
      return {
        written,
        removed,
        industries: new Set(rows.map((r) => r.industry)).size,
        ...counts,
      };
    });
    return { rows: result.written, metadata: result };
  },
});
