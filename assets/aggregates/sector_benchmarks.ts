/**
 * sector_benchmarks: the distribution (p10..p90) of every metric the scoring engines compare a
 * company with, per sector and per industry, on trading date D (spec/engines.md §1). FGOS, the
 * valuation state and market position read it through `benchmarksAsOf` (engines/benchmarks.ts).
 *
 * - Industry rows share the table, as the engines expect; `group_type` in the key keeps the two
 *   namespaces apart, which the old table could not.
 * - Metrics (`BENCHMARK_METRICS`): FGOS's nine inputs, gross margin (the moat's sector median),
 *   the valuation engine's three multiples and market position's size, which the old job never
 *   built. Samples are cleaned by the engines' `benchmarkSample`.
 * - Inputs (inputs.ts) are financials and TTM valuations known on D, never the same day's
 *   snapshots: that was the old cycle, and it is why fintra_snapshots can read today's
 *   benchmarks.
 * - A full run makes D's rows exactly what it computed; a scoped run leaves the table alone (a
 *   distribution is not rebuilt from a slice).
 * - Beyond the row rules, a full run must benchmark the core margins in most sectors, with
 *   financials for at least half of the constituents.
 */
import { defineTable } from "../../db/index.ts";
import type { SectorBenchmark } from "../../engines/benchmarks.ts";
import { atLeast } from "../../runtime/checks.ts";
import { type AssetCheck, defineAsset } from "../../runtime/define.ts";
import { guideChecks } from "../monitoring.ts";
import { materializeGroupAggregate } from "./aggregate.ts";
import { type GroupMetric, MIN_GROUP_SAMPLE } from "./group-stats.ts";
import { benchmarkFigures, benchmarksPer, type GroupType, groupsWithFinancials } from "./groups.ts";
import type { CompanyInputs } from "./inputs.ts";
import { benchmarkRowsValid } from "./row-checks.ts";

/** A `sector_benchmarks` row: p-values in the metric's unit. */
export interface SectorBenchmarkRecord {
  group_type: GroupType;
  /** The sector name, or the industry name on industry rows. */
  sector: string;
  metric: string;
  snapshot_date: string;
  p10: number;
  p25: number;
  p50: number;
  p75: number;
  p90: number;
  sample_size: number;
  confidence: string;
  median: number | null;
  trimmed_mean: number | null;
  uncertainty_range: { p5: number; p95: number } | null;
}

export const sectorBenchmarksTable = defineTable<SectorBenchmarkRecord>({
  name: "sector_benchmarks",
  key: ["group_type", "sector", "metric", "snapshot_date"],
  columns: {
    group_type: "text",
    sector: "text",
    metric: "text",
    snapshot_date: "date",
    p10: "numeric",
    p25: "numeric",
    p50: "numeric",
    p75: "numeric",
    p90: "numeric",
    sample_size: "integer",
    confidence: "text",
    median: "double precision",
    trimmed_mean: "double precision",
    uncertainty_range: "jsonb",
  },
});

/** Metrics every sector should have a benchmark of on a full day. */
export const CORE_METRICS = ["roic", "operating_margin", "net_margin"] as const;

/** Sectors a full day must cover for each core metric. */
const MIN_CORE_SECTORS = 8;

function record(
  groupType: GroupType,
  day: string,
  { group, metric, value }: GroupMetric<SectorBenchmark>,
): SectorBenchmarkRecord {
  return {
    group_type: groupType,
    sector: group,
    metric,
    snapshot_date: day,
    ...benchmarkFigures(value),
    median: value.median,
    trimmed_mean: value.trimmed_mean,
    uncertainty_range: value.uncertainty_range,
  };
}

/** Sector rows then industry rows of day D, every metric with 3+ values. */
export function sectorBenchmarkRows(
  companies: readonly CompanyInputs[],
  day: string,
): SectorBenchmarkRecord[] {
  const types: GroupType[] = ["sector", "industry"];
  return types.flatMap((type) => benchmarksPer(type, companies).map((b) => record(type, day, b)));
}

/**
 * Error on a full run when a core metric is benchmarked in fewer than min(8, the sectors
 * that could have it) sectors, or when fewer than half of the constituents have financials
 * (the inputs, not the market, are missing). The min() keeps a small universe (the demo's
 * 40 tickers fill 5-6 sectors) from failing for being small.
 */
const coreSectorCoverage: AssetCheck = {
  name: "core_metrics_sector_coverage",
  severity: "error",
  description: `on a full run, min(${MIN_CORE_SECTORS}, sectors with 3+ constituents with financials) sectors have a benchmark of ${CORE_METRICS.join(", ")}, and most constituents have financials`,
  async run({ db, partition, scope, result }) {
    if (scope)
      return { passed: true, message: "scoped run: the day's benchmarks were not rebuilt" };
    const meta = result.metadata ?? {};
    const possible =
      typeof meta.sectorsWithFinancials === "number" ? meta.sectorsWithFinancials : 11;
    const constituents = typeof meta.constituents === "number" ? meta.constituents : 0;
    const withFinancials = typeof meta.withFinancials === "number" ? meta.withFinancials : 0;
    const expected = Math.min(MIN_CORE_SECTORS, possible);
    const rows = await db.readAll(sectorBenchmarksTable, {
      where: {
        group_type: "sector",
        snapshot_date: partition,
        metric: { in: [...CORE_METRICS] },
        sample_size: { gte: MIN_GROUP_SAMPLE },
      },
      columns: ["sector", "metric"],
    });
    const covered = CORE_METRICS.map(
      (m) => [m, rows.filter((r) => r.metric === m).length] as const,
    );
    const fewest = Math.min(...covered.map(([, n]) => n));
    const inputsPresent = constituents > 0 && withFinancials >= constituents / 2;
    return {
      passed: fewest >= expected && inputsPresent,
      value: fewest,
      message: `${covered.map(([m, n]) => `${m}: ${n} sectors`).join(", ")} (expected ${expected}); ${withFinancials} of ${constituents} constituents with financials`,
    };
  },
};

export default defineAsset({
  key: "sector_benchmarks",
  description:
    "p10..p90 of the engines' metrics per sector and industry and date, from financials and TTM valuation",
  deps: [
    "datos_financieros",
    "datos_valuacion_ttm",
    "asset_industry_map",
    "industry_classification",
  ],
  partitioned: true,
  tables: [sectorBenchmarksTable],
  checks: [
    benchmarkRowsValid(sectorBenchmarksTable, ["group_type", "sector", "metric"]),
    coreSectorCoverage,
    atLeast("rows", 10, "warn"),
    ...guideChecks("sector_benchmarks"),
  ],
  materialize: materializeGroupAggregate({
    step: "build-benchmarks",
    table: sectorBenchmarksTable,
    partition: (day) => ({ snapshot_date: day }),
    financials: true,
    build: sectorBenchmarkRows,
    facts: (rows, companies) => {
      const sectorRows = rows.filter((r) => r.group_type === "sector");
      return {
        sectorsWithFinancials: groupsWithFinancials(companies),
        sectorRows: sectorRows.length,
        industryRows: rows.length - sectorRows.length,
        sectors: new Set(sectorRows.map((r) => r.sector)).size,
      };
    },
  }),
});
