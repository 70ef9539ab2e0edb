/**
 * industry_benchmarks: the distribution (p10..p90) of every benchmark metric per industry on
 * trading date D, as a table of its own because the operations guide counts it by day (~500-1,000
 * rows, alert under 100). The old table of that name held industry alpha against the sector,
 * which no code read and the docs mistook for these percentiles; alpha is derivable from the
 * performance tables, so the name now means what the guide says.
 *
 * The figures are sector_benchmarks' industry rows: the same `groupBenchmarks` over the same
 * inputs (inputs.ts), each asset writing only its own table. A full run makes D's rows exactly
 * what it computed; a scoped run leaves the table alone.
 */
import { defineTable } from "../../db/index.ts";
import { atLeast } from "../../runtime/checks.ts";
import { defineAsset } from "../../runtime/define.ts";
import { guideChecks } from "../monitoring.ts";
import { materializeGroupAggregate } from "./aggregate.ts";
import { benchmarkFigures, benchmarksPer, groupsWithFinancials } from "./groups.ts";
import type { CompanyInputs } from "./inputs.ts";
import { benchmarkRowsValid } from "./row-checks.ts";

interface IndustryBenchmarkRow {
  industry: string;
  metric: string;
  snapshot_date: string;
  sector: string;
  p10: number;
  p25: number;
  p50: number;
  p75: number;
  p90: number;
  sample_size: number;
  confidence: string;
}

export const industryBenchmarksTable = defineTable<IndustryBenchmarkRow>({
  name: "industry_benchmarks",
  key: ["industry", "metric", "snapshot_date"],
  columns: {
    industry: "text",
    metric: "text",
    snapshot_date: "date",
    sector: "text",
    p10: "numeric",
    p25: "numeric",
    p50: "numeric",
    p75: "numeric",
    p90: "numeric",
    sample_size: "integer",
    confidence: "text",
  },
});

/** One row per (industry, metric) with 3+ values, industries in name order. */
export function industryBenchmarkRows(
  companies: readonly CompanyInputs[],
  day: string,
): IndustryBenchmarkRow[] {
  return benchmarksPer("industry", companies).map(({ group, sector, metric, value }) => ({
    industry: group,
    metric,
    snapshot_date: day,
    sector,
    ...benchmarkFigures(value),
  }));
}

export default defineAsset({
  key: "industry_benchmarks",
  description:
    "p10..p90 of the engines' metrics per industry and date, from financials and TTM valuation",
  deps: [
    "datos_financieros",
    "datos_valuacion_ttm",
    "asset_industry_map",
    "industry_classification",
  ],
  partitioned: true,
  tables: [industryBenchmarksTable],
  checks: [
    benchmarkRowsValid(industryBenchmarksTable, ["industry", "metric"]),
    atLeast("rows", 1, "warn"),
    ...guideChecks("industry_benchmarks"),
  ],
  materialize: materializeGroupAggregate({
    step: "build-industry-benchmarks",
    table: industryBenchmarksTable,
    partition: (day) => ({ snapshot_date: day }),
    financials: true,
    build: industryBenchmarkRows,
    facts: (rows, companies) => ({
      industries: new Set(rows.map((r) => r.industry)).size,
      industriesWithFinancials: groupsWithFinancials(companies, "industry"),
    }),
  }),
});
