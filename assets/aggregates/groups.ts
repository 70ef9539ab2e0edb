/**
 * Each aggregate family's figures per sector or per industry: the one builder behind the
 * sector and the industry table of a family, parameterised by the group type. Each table's
 * file maps these figures to its own columns.
 *
 * An industry sits in one sector (industry_classification files each industry name under one
 * sector), so every figure carries the sector its group is, or sits in; any member names it.
 */
import type { SectorBenchmark } from "../../engines/benchmarks.ts";
import {
  type GroupMetric,
  type GroupStats,
  groupBenchmarks,
  groupBy,
  groupStatistics,
  MIN_GROUP_SAMPLE,
  type PeAggregate,
  peAggregate,
  peInput,
} from "./group-stats.ts";
import { BENCHMARK_METRICS, type CompanyInputs } from "./inputs.ts";

/** How an aggregate groups constituents. */
export type GroupType = "sector" | "industry";

/** One group's figure, with the sector the group is, or sits in. */
type InSector<F> = F & { sector: string };

function withSector<F extends { group: string }>(
  type: GroupType,
  companies: readonly CompanyInputs[],
  figures: readonly F[],
): InSector<F>[] {
  const sectorOf = new Map(companies.map((c) => [c[type], c.sector]));
  return figures.map((f) => ({ ...f, sector: sectorOf.get(f.group) as string }));
}

/** The P/E aggregate of every group with 3+ usable P/E, groups in name order. */
export function pePer(
  type: GroupType,
  companies: readonly CompanyInputs[],
): InSector<{ group: string; value: PeAggregate }>[] {
  const figures: { group: string; value: PeAggregate }[] = [];
  for (const [group, members] of groupBy(companies, (c) => c[type])) {
    const value = peAggregate(members.map(peInput));
    if (value) figures.push({ group, value });
  }
  return withSector(type, companies, figures);
}

/** The benchmark of every (group, benchmark metric) with 3+ values (`groupBenchmarks`). */
export function benchmarksPer(
  type: GroupType,
  companies: readonly CompanyInputs[],
): InSector<GroupMetric<SectorBenchmark>>[] {
  return withSector(
    type,
    companies,
    groupBenchmarks(companies, (c) => c[type], BENCHMARK_METRICS),
  );
}

/** The statistics of every (group, benchmark metric) with 3+ values (`groupStatistics`). */
export function statisticsPer(
  type: GroupType,
  companies: readonly CompanyInputs[],
): InSector<GroupMetric<GroupStats>>[] {
  return withSector(
    type,
    companies,
    groupStatistics(companies, (c) => c[type], BENCHMARK_METRICS),
  );
}

/** The columns both benchmark tables store of a benchmark: p10..p90, n and its confidence. */
export function benchmarkFigures(value: SectorBenchmark) {
  return {
    p10: value.p10,
    p25: value.p25,
    p50: value.p50,
    p75: value.p75,
    p90: value.p90,
    sample_size: value.sample_size,
    confidence: value.confidence,
  };
}

/**
 * Groups (sectors, or industries) with at least 3 constituents that have financials: the
 * most groups a core metric can have a benchmark in. The coverage check expects min(8,
 * this) sectors; the guide's benchmark counts (assets/monitoring.ts) are judged against it.
 */
export function groupsWithFinancials(
  companies: readonly CompanyInputs[],
  group: GroupType = "sector",
): number {
  const counts = new Map<string, number>();
  for (const c of companies) {
    if (c.hasFinancials) counts.set(c[group], (counts.get(c[group]) ?? 0) + 1);
  }
  return [...counts.values()].filter((n) => n >= MIN_GROUP_SAMPLE).length;
}
