/**
 * sector_stats: descriptive statistics of every benchmark metric per sector on trading date D
 * (spec/schema.md §4.7). A table, not the view spec/schema.md §10.1 suggests; the old table was
 * written only by a backfill, whatever the docs said of the benchmark job.
 *
 * The samples are the benchmarks' cleaned ones (`benchmarkSample`), so these figures describe
 * the distribution sector_benchmarks' percentiles do, from the same inputs (inputs.ts). A full
 * run makes D's rows exactly what it computed; a scoped run leaves the table alone.
 */
import { defineTable } from "../../db/index.ts";
import { atLeast } from "../../runtime/checks.ts";
import { defineAsset } from "../../runtime/define.ts";
import { materializeGroupAggregate } from "./aggregate.ts";
import type { GroupStats } from "./group-stats.ts";
import { statisticsPer } from "./groups.ts";
import { BENCHMARK_METRICS, type CompanyInputs } from "./inputs.ts";
import { statsRowsValid } from "./row-checks.ts";

interface SectorStatsRow extends GroupStats {
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
  return statisticsPer("sector", companies).map(({ sector, metric, value }) => ({
    sector,
    metric,
    stats_date: day,
    ...value,
  }));
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
    statsRowsValid(sectorStatsTable, ["sector", "metric"]),
    atLeast("rows", 8 * BENCHMARK_METRICS.length, "warn"),
  ],
  materialize: materializeGroupAggregate({
    step: "build-sector-stats",
    table: sectorStatsTable,
    partition: (day) => ({ stats_date: day }),
    financials: true,
    build: sectorStatsRows,
    facts: (rows) => ({ sectors: new Set(rows.map((r) => r.sector)).size }),
  }),
});
