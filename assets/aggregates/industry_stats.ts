/**
 * industry_stats: descriptive statistics of every benchmark metric per industry on trading date
 * D (spec/schema.md §4.7: the old docs named this table, no code ever wrote it). The same
 * computation as sector_stats, grouped by industry.
 */
import { defineTable } from "../../db/index.ts";
import { atLeast } from "../../runtime/checks.ts";
import { defineAsset } from "../../runtime/define.ts";
import { materializeGroupAggregate } from "./aggregate.ts";
import type { GroupStats } from "./group-stats.ts";
import { statisticsPer } from "./groups.ts";
import type { CompanyInputs } from "./inputs.ts";
import { statsRowsValid } from "./row-checks.ts";

interface IndustryStatsRow extends GroupStats {
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
function industryStatsRows(companies: readonly CompanyInputs[], day: string): IndustryStatsRow[] {
  return statisticsPer("industry", companies).map(({ group, sector, metric, value }) => ({
    industry: group,
    metric,
    stats_date: day,
    sector,
    ...value,
  }));
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
  checks: [statsRowsValid(industryStatsTable, ["industry", "metric"]), atLeast("rows", 1, "warn")],
  materialize: materializeGroupAggregate({
    step: "build-industry-stats",
    table: industryStatsTable,
    partition: (day) => ({ stats_date: day }),
    financials: true,
    build: industryStatsRows,
    facts: (rows) => ({ industries: new Set(rows.map((r) => r.industry)).size }),
  }),
});
