/**
 * Pure statistics of sector and industry groups, shared by the aggregate assets
 * (sector_pe, industry_pe, sector_benchmarks, industry_benchmarks, sector_stats,
 * industry_stats). No I/O: companies' values in, one group's figures out.
 *
 * - Percentiles are the engines' lower nearest rank (`nearestRank`, spec/engines.md §1):
 *   every p-value is a value some company actually has, and the benchmark tables and the
 *   P/E tables agree on what "p25" means.
 * - A group needs at least `MIN_GROUP_SAMPLE` (3) values for any figure (spec/pipeline.md §8:
 *   "benchmarks n >= 3 stored"); smaller groups get no row rather than a misleading one.
 * - The trimmed mean drops floor(10 %) of the sorted values at each end (the engines'
 *   `trimmedMean`, the same rule the benchmarks' low-confidence `trimmed_mean` uses), so a
 *   group of fewer than 10 values is not trimmed at all.
 * - The standard deviation is the sample one (n − 1), as the old `sector_stats` backfill
 *   computed it with SQL `stddev`: the group is a sample of the companies it describes.
 * - P/E aggregates keep only P/E in (0, 100] (the operations guide's outlier rule): a loss
 *   maker has no P/E and a P/E above 100 is noise about a near-zero profit. `pe` is the
 *   median (the mean of the middle two for an even count), `pe_cap_weighted` the mean
 *   weighted by each company's market cap.
 */
import {
  type BenchmarkMetric,
  benchmarkSample,
  buildSectorBenchmark,
  nearestRank,
  type SectorBenchmark,
  trimmedMean,
} from "../../engines/benchmarks.ts";
import { isNum, median } from "../../engines/math.ts";

/** Smallest group that gets a row in any aggregate table. */
export const MIN_GROUP_SAMPLE = 3;

/** P/E kept in the aggregates: above 0, at most this. */
const MAX_PE = 100;

/** p10..p90 of a sorted sample, in its unit. */
export interface Percentiles {
  p10: number;
  p25: number;
  p50: number;
  p75: number;
  p90: number;
}

/** p10..p90 of an ascending sample by the lower nearest rank; the sample must not be empty. */
export function percentilesOf(sorted: readonly number[]): Percentiles {
  return {
    p10: nearestRank(sorted, 0.1),
    p25: nearestRank(sorted, 0.25),
    p50: nearestRank(sorted, 0.5),
    p75: nearestRank(sorted, 0.75),
    p90: nearestRank(sorted, 0.9),
  };
}

/** True when p10 <= p25 <= p50 <= p75 <= p90, all finite. */
export function percentilesOrdered(p: {
  p10: number | null;
  p25: number | null;
  p50: number | null;
  p75: number | null;
  p90: number | null;
}): boolean {
  const ps = [p.p10, p.p25, p.p50, p.p75, p.p90];
  if (!ps.every(isNum)) return false;
  for (let i = 1; i < ps.length; i++) if ((ps[i] as number) < (ps[i - 1] as number)) return false;
  return true;
}

/** Ascending copy of the finite values (−0 read as 0, so ties do not depend on order). */
function sortedFinite(values: readonly (number | null | undefined)[]): number[] {
  return values
    .filter(isNum)
    .map((v) => v + 0)
    .sort((a, b) => a - b);
}

/** Sample standard deviation (n − 1) of at least 2 values, same unit; null otherwise. */
export function sampleStdDev(values: readonly number[]): number | null {
  const n = values.length;
  if (n < 2) return null;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const squares = values.reduce((acc, v) => acc + (v - mean) ** 2, 0);
  return Math.sqrt(squares / (n - 1));
}

/** Descriptive statistics of one group and metric (in the metric's unit). */
export interface GroupStats {
  mean: number;
  std_dev: number;
  median: number;
  /** Mean after dropping floor(10 %) of the values at each end. */
  trimmed_mean: number;
  sample_size: number;
}

/** Mean, sample std dev, median and 10 %-trimmed mean; null under `MIN_GROUP_SAMPLE` values. */
export function groupStats(values: readonly (number | null | undefined)[]): GroupStats | null {
  const sorted = sortedFinite(values);
  const n = sorted.length;
  if (n < MIN_GROUP_SAMPLE) return null;
  // Summing in sorted order makes the result independent of the order rows were read in.
  return {
    mean: sorted.reduce((a, b) => a + b, 0) / n,
    std_dev: sampleStdDev(sorted) as number,
    median: median(sorted) as number,
    trimmed_mean: trimmedMean(sorted),
    sample_size: n,
  };
}

/** One company's contribution to the P/E aggregates. */
interface PeInput {
  pe_ratio: number | null;
  market_cap: number | null;
}

/** A group's P/E aggregate (multiples). */
export interface PeAggregate extends Percentiles {
  /** Median P/E of the constituents kept. */
  pe: number;
  /** Σ market cap × P/E / Σ market cap over the constituents kept. */
  pe_cap_weighted: number;
  /** Companies kept: P/E in (0, 100] and a positive market cap. */
  constituents: number;
}

/** True for a P/E the aggregates keep: finite, above 0, at most 100. */
function keepsPe(pe: number | null | undefined): pe is number {
  return isNum(pe) && pe > 0 && pe <= MAX_PE;
}

/** The P/E aggregate of a group, or null when fewer than 3 companies have a usable P/E. */
export function peAggregate(inputs: readonly PeInput[]): PeAggregate | null {
  const kept = inputs
    .filter((i) => keepsPe(i.pe_ratio) && isNum(i.market_cap) && i.market_cap > 0)
    .map((i) => ({ pe: (i.pe_ratio as number) + 0, cap: i.market_cap as number }))
    // Sorted by P/E then cap so the weighted sum is added in one order whatever the input's.
    .sort((a, b) => a.pe - b.pe || a.cap - b.cap);
  if (kept.length < MIN_GROUP_SAMPLE) return null;
  const sorted = kept.map((k) => k.pe);
  let weighted = 0;
  let caps = 0;
  for (const k of kept) {
    weighted += k.pe * k.cap;
    caps += k.cap;
  }
  // A weighted mean lies between the smallest and largest P/E; the clamp only absorbs rounding.
  const lowest = sorted[0] as number;
  const highest = sorted[sorted.length - 1] as number;
  return {
    pe: median(sorted) as number,
    pe_cap_weighted: Math.min(highest, Math.max(lowest, weighted / caps)),
    ...percentilesOf(sorted),
    constituents: kept.length,
  };
}

/** A company's values of the benchmark metrics (null where it has none). */
export type MetricValues = Partial<Record<BenchmarkMetric, number | null>>;

/**
 * The benchmark sample of every (group, metric): each company's value of each metric
 * under its group, cleaned by the engines' `benchmarkSample` (positive multiples only,
 * debt/equity without negative equity, finite numbers). Groups are keyed by name;
 * companies without a group (`groupOf` null) are left out.
 */
function groupSamples<C extends { values: MetricValues }>(
  companies: readonly C[],
  groupOf: (company: C) => string | null,
  metrics: readonly BenchmarkMetric[],
): Map<string, Map<BenchmarkMetric, number[]>> {
  const raw = new Map<string, Map<BenchmarkMetric, (number | null | undefined)[]>>();
  for (const company of companies) {
    const group = groupOf(company);
    if (!group) continue;
    let byMetric = raw.get(group);
    if (!byMetric) {
      byMetric = new Map();
      raw.set(group, byMetric);
    }
    for (const metric of metrics) {
      const list = byMetric.get(metric) ?? [];
      list.push(company.values[metric]);
      byMetric.set(metric, list);
    }
  }
  const samples = new Map<string, Map<BenchmarkMetric, number[]>>();
  for (const [group, byMetric] of raw) {
    const cleaned = new Map<BenchmarkMetric, number[]>();
    for (const [metric, values] of byMetric) cleaned.set(metric, benchmarkSample(metric, values));
    samples.set(group, cleaned);
  }
  return samples;
}

/** What is wrong with a stored P/E aggregate row, or null: the invariants both P/E tables keep. */
export function peRowProblem(
  row: Percentiles & Pick<PeAggregate, "pe" | "pe_cap_weighted" | "constituents">,
): string | null {
  if (!(row.constituents >= MIN_GROUP_SAMPLE)) return `${row.constituents} constituents`;
  if (!percentilesOrdered(row)) return "p10..p90 not ordered";
  if (!(row.p10 > 0 && row.p90 <= MAX_PE)) return `percentiles outside (0, ${MAX_PE}]`;
  if (!(row.pe >= row.p10 && row.pe <= row.p90)) return `median ${row.pe} outside p10..p90`;
  if (!(row.pe_cap_weighted > 0 && row.pe_cap_weighted <= MAX_PE))
    return `cap-weighted P/E ${row.pe_cap_weighted} outside (0, ${MAX_PE}]`;
  return null;
}

/** Items grouped by a key, groups in ascending key order (deterministic rows). */
export function groupBy<T>(
  items: readonly T[],
  keyOf: (item: T) => string | null,
): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === null) continue;
    const list = groups.get(key);
    if (list) list.push(item);
    else groups.set(key, [item]);
  }
  return [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A company's P/E input from its benchmark values. */
export function peInput(company: { values: MetricValues }): PeInput {
  return {
    pe_ratio: company.values.pe_ratio ?? null,
    market_cap: company.values.market_cap ?? null,
  };
}

/** One group's figure for one metric. */
export interface GroupMetric<T> {
  group: string;
  metric: BenchmarkMetric;
  value: T;
}

/**
 * The engines' benchmark (`buildSectorBenchmark`: p10..p90, sample size, confidence, and the
 * low-confidence median, trimmed mean and seeded bootstrap range) of every (group, metric)
 * with at least 3 values, groups in name order, metrics in the given order.
 */
export function groupBenchmarks<C extends { values: MetricValues }>(
  companies: readonly C[],
  groupOf: (company: C) => string | null,
  metrics: readonly BenchmarkMetric[],
): GroupMetric<SectorBenchmark>[] {
  const out: GroupMetric<SectorBenchmark>[] = [];
  for (const [group, samples] of sortedSamples(companies, groupOf, metrics)) {
    for (const metric of metrics) {
      const benchmark = buildSectorBenchmark(samples.get(metric) ?? []);
      if (benchmark) out.push({ group, metric, value: benchmark });
    }
  }
  return out;
}

/** `groupStats` of every (group, metric) with at least 3 values, in the same order. */
export function groupStatistics<C extends { values: MetricValues }>(
  companies: readonly C[],
  groupOf: (company: C) => string | null,
  metrics: readonly BenchmarkMetric[],
): GroupMetric<GroupStats>[] {
  const out: GroupMetric<GroupStats>[] = [];
  for (const [group, samples] of sortedSamples(companies, groupOf, metrics)) {
    for (const metric of metrics) {
      const stats = groupStats(samples.get(metric) ?? []);
      if (stats) out.push({ group, metric, value: stats });
    }
  }
  return out;
}

function sortedSamples<C extends { values: MetricValues }>(
  companies: readonly C[],
  groupOf: (company: C) => string | null,
  metrics: readonly BenchmarkMetric[],
): [string, Map<BenchmarkMetric, number[]>][] {
  return [...groupSamples(companies, groupOf, metrics)].sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
}

/** What is wrong with a stored benchmark row, or null: ordered p-values, n >= 3, the right band. */
export function benchmarkRowProblem(row: {
  p10: number | null;
  p25: number | null;
  p50: number | null;
  p75: number | null;
  p90: number | null;
  sample_size: number;
  confidence: string;
}): string | null {
  if (!(row.sample_size >= MIN_GROUP_SAMPLE)) return `sample of ${row.sample_size}`;
  if (!percentilesOrdered(row)) return "p10..p90 not ordered";
  const band = row.sample_size < 10 ? "low" : row.sample_size < 20 ? "medium" : "high";
  if (row.confidence !== band)
    return `confidence ${row.confidence} for a sample of ${row.sample_size}`;
  return null;
}

/** What is wrong with a stored statistics row, or null. */
export function statsRowProblem(row: {
  mean: number | null;
  std_dev: number | null;
  median: number | null;
  trimmed_mean: number | null;
  sample_size: number;
}): string | null {
  if (!(row.sample_size >= MIN_GROUP_SAMPLE)) return `sample of ${row.sample_size}`;
  if (![row.mean, row.median, row.trimmed_mean, row.std_dev].every(isNum))
    return "a figure is missing";
  if ((row.std_dev as number) < 0) return "negative std dev";
  return null;
}
