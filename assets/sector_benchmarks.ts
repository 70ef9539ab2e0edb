/**
 * sector_benchmarks: the distribution (p10..p90) of every metric the scoring engines compare
 * a company with, per sector and per industry, on trading date D (spec/engines.md §1,
 * spec/pipeline.md J12, spec/schema.md §4.6 and §10.2). FGOS, the valuation state and
 * market position read it through `benchmarksAsOf` (engines/benchmarks.ts).
 *
 * - A row is (group_type, sector, metric, snapshot_date = D). `group_type` is 'sector' or
 *   'industry'; on industry rows the `sector` column holds the industry name
 *   (industry_classification.industry_name), as the engines expect, and `group_type` in the
 *   key keeps the two namespaces from colliding (the old table had no such column).
 *   Columns: p10, p25, p50, p75, p90 (lower nearest rank), sample_size, confidence
 *   (low < 10 <= medium < 20 <= high), and for low confidence only median (= p50),
 *   trimmed_mean (10 % off each end) and uncertainty_range ({p5, p95} of 500 bootstrap
 *   means, seeded by the sample so a rerun gives the same range): `buildSectorBenchmark`.
 * - Metrics (`BENCHMARK_METRICS`, 14): from financials revenue_cagr, earnings_cagr, fcf_cagr,
 *   roic, operating_margin, net_margin, fcf_margin, gross_margin, debt_to_equity,
 *   interest_coverage; from the TTM valuation pe_ratio, ev_ebitda, price_to_fcf,
 *   market_cap. That is FGOS's nine inputs, gross margin (the moat's sector median), the
 *   valuation engine's three multiples and market position's size (which the old job never
 *   built).
 * - Partitioned by D; deps: datos_financieros, datos_valuacion_ttm, asset_industry_map,
 *   industry_classification. Constituents and their values (benchmark-inputs.ts): equities
 *   active on D with an industry valid on D; the TTM-or-FY row FGOS would score
 *   (`pickFgosFinancialRow`) among rows ended and filed by D and not older than 550 days;
 *   the latest datos_valuacion_ttm row valued and filed by D, not older than 200 days.
 *   Never the same day's snapshots: that was the old cycle, and it is why
 *   fintra_snapshots can read today's benchmarks.
 * - Samples are cleaned by the engines' `benchmarkSample` (multiples > 0, debt/equity >= 0,
 *   finite values); a (group, metric) with fewer than 3 values gets no row.
 * - Row count: up to 14 × (11 sectors + the industries with 3+ members). The operations
 *   guide's ~110 a day counted sector rows of ~10 metrics; `WHERE group_type = 'sector'`
 *   gives that figure (11 × 14 here).
 * - A full run makes D's rows exactly what it computed, so a rerun changes nothing. A
 *   scoped run leaves the table as it is (rows 0): a distribution is not rebuilt from a slice.
 * - Checks: every row of D has n >= 3, p10 <= p25 <= p50 <= p75 <= p90 and the confidence of
 *   its n (error); on a full run, roic, operating_margin and net_margin are benchmarked in
 *   at least 8 sectors, or in every sector that has 3 constituents with financials when
 *   fewer do (a small universe), and at least half of the constituents have financials
 *   (error); at least 10 rows (warn, the guide's alert).
 */
import { defineTable } from "../db/index.ts";
import type { SectorBenchmark } from "../engines/benchmarks.ts";
import {
  BENCHMARK_METRICS,
  type CompanyInputs,
  loadCompanyInputs,
  partitionRowsCheck,
  replacePartition,
  SCOPED_AGGREGATE,
} from "./benchmark-inputs.ts";
import { atLeast } from "./checks.ts";
import { type AssetCheck, defineAsset } from "./define.ts";
import {
  benchmarkRowProblem,
  type GroupMetric,
  groupBenchmarks,
  MIN_GROUP_SAMPLE,
} from "./group-stats.ts";

export type GroupType = "sector" | "industry";

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
export const MIN_CORE_SECTORS = 8;

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
    p10: value.p10,
    p25: value.p25,
    p50: value.p50,
    p75: value.p75,
    p90: value.p90,
    sample_size: value.sample_size,
    confidence: value.confidence,
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
  return [
    ...groupBenchmarks(companies, (c) => c.sector, BENCHMARK_METRICS).map((b) =>
      record("sector", day, b),
    ),
    ...groupBenchmarks(companies, (c) => c.industry, BENCHMARK_METRICS).map((b) =>
      record("industry", day, b),
    ),
  ];
}

/**
 * Sectors with at least 3 constituents that have financials: the most sectors a core metric
 * can have a benchmark in. The coverage check expects min(8, this).
 */
export function sectorsWithFinancials(companies: readonly CompanyInputs[]): number {
  const counts = new Map<string, number>();
  for (const c of companies) {
    if (c.hasFinancials) counts.set(c.sector, (counts.get(c.sector) ?? 0) + 1);
  }
  return [...counts.values()].filter((n) => n >= MIN_GROUP_SAMPLE).length;
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
    partitionRowsCheck({
      name: "percentiles_ordered",
      description:
        "every row of the day: n >= 3, p10 <= p25 <= p50 <= p75 <= p90, confidence of its n",
      table: sectorBenchmarksTable,
      partition: (day) => ({ snapshot_date: day }),
      columns: [
        "group_type",
        "sector",
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
        return problem ? `${row.group_type} ${row.sector} ${row.metric}: ${problem}` : null;
      },
    }),
    coreSectorCoverage,
    atLeast("rows", 10, "warn"),
  ],
  async materialize(ctx) {
    if (ctx.scope) return { rows: 0, metadata: { scoped: SCOPED_AGGREGATE } };
    const day = ctx.partition as string;
    const result = await ctx.step("build-benchmarks", async () => {
      const { companies, counts } = await loadCompanyInputs(ctx.db, day, { financials: true });
      const rows = sectorBenchmarkRows(companies, day);
      const { written, removed } = await replacePartition(
        ctx,
        sectorBenchmarksTable,
        { snapshot_date: day },
        rows,
      );
      const sectorRows = rows.filter((r) => r.group_type === "sector");
      return {
        sectorsWithFinancials: sectorsWithFinancials(companies),
        written,
        removed,
        sectorRows: sectorRows.length,
        industryRows: rows.length - sectorRows.length,
        sectors: new Set(sectorRows.map((r) => r.sector)).size,
        ...counts,
      };
    });
    return { rows: result.written, metadata: result };
  },
});
