/**
 * industry_benchmarks: the distribution (p10..p90) of every benchmark metric per industry
 * on trading date D, as a table of its own (the operations guide counts
 * `SELECT COUNT(*) FROM industry_benchmarks WHERE snapshot_date = CURRENT_DATE`, ~500-1,000
 * rows a day, alert under 100). The old table of that name held industry alpha against
 * the sector (spec/schema.md §4.8), which no code read and the docs mistook for these
 * percentiles; alpha is derivable from the performance tables, so the name now means what
 * the guide says.
 *
 * - A row is (industry, metric, snapshot_date = D), industry =
 *   industry_classification.industry_name, with `sector` (the industry's sector), p10..p90
 *   (lower nearest rank), sample_size and confidence (low < 10 <= medium < 20 <= high).
 *   The same figures as sector_benchmarks' `group_type = 'industry'` rows: both come from
 *   `groupBenchmarks` over the same inputs (benchmark-inputs.ts), and each asset writes only
 *   its own table.
 * - Metrics: the 14 of `BENCHMARK_METRICS` (see sector_benchmarks.ts); an (industry, metric)
 *   with fewer than 3 values gets no row.
 * - Partitioned by D; deps: datos_financieros, datos_valuacion_ttm, asset_industry_map,
 *   industry_classification. Constituents and values as sector_benchmarks: never the same
 *   day's snapshots.
 * - A full run makes D's rows exactly what it computed, so a rerun changes nothing. A
 *   scoped run leaves the table as it is (rows 0).
 * - Checks: every row of D has n >= 3, ordered p-values and the confidence of its n
 *   (error); at least one row on a full run (warn).
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
import { benchmarkRowProblem, groupBenchmarks } from "./group-stats.ts";

export interface IndustryBenchmarkRow {
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
  const sectorOf = new Map(companies.map((c) => [c.industry, c.sector]));
  return groupBenchmarks(companies, (c) => c.industry, BENCHMARK_METRICS).map(
    ({ group, metric, value }) => ({
      industry: group,
      metric,
      snapshot_date: day,
      sector: sectorOf.get(group) as string,
      p10: value.p10,
      p25: value.p25,
      p50: value.p50,
      p75: value.p75,
      p90: value.p90,
      sample_size: value.sample_size,
      confidence: value.confidence,
    }),
  );
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
    partitionRowsCheck({
      name: "percentiles_ordered",
      description:
        "every row of the day: n >= 3, p10 <= p25 <= p50 <= p75 <= p90, confidence of its n",
      table: industryBenchmarksTable,
      partition: (day) => ({ snapshot_date: day }),
      columns: [
        "industry",
        "metric",
        "p10",
        "p25",
        "p50",
        "p75",
        "p90",
        "sample_size",
        "confidence",
      ],
      invalid: (row) => {
        const problem = benchmarkRowProblem(row);
        return problem ? `${row.industry} ${row.metric}: ${problem}` : null;
      },
    }),
    atLeast("rows", 1, "warn"),
  ],
  async materialize(ctx) {
    if (ctx.scope) return { rows: 0, metadata: { scoped: SCOPED_AGGREGATE } };
    const day = ctx.partition as string;
    const result = await ctx.step("build-industry-benchmarks", async () => {
      const { companies, counts } = await loadCompanyInputs(ctx.db, day, { financials: true });
      const rows = industryBenchmarkRows(companies, day);
      const { written, removed } = await replacePartition(
        ctx,
        industryBenchmarksTable,
        { snapshot_date: day },
        rows,
      );
      return { written, removed, industries: new Set(rows.map((r) => r.industry)).size, ...counts };
    });
    return { rows: result.written, metadata: result };
  },
});
