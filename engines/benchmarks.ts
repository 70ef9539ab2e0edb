/**
 * Sector benchmarks (spec §1): the p10..p90 distribution of one metric across the companies
 * of a sector (or an industry: both groups share the `sector_benchmarks` table).
 *
 * Percentiles use the lower nearest rank, `sorted[floor(q × (n − 1))]`, with no
 * interpolation; fewer than 3 values give no benchmark. Confidence is `low` under 10
 * values, `medium` under 20, `high` from 20.
 *
 * Decision (reproducible uncertainty range): the original bootstraps the low-confidence
 * `uncertainty_range` with `Math.random`, so two runs of the same day disagree. Here the
 * 500 resamples come from a small PRNG seeded by a hash of the sorted sample, so the same
 * values always give the same range, whatever order they arrive in.
 *
 * Decision (what enters a sample): `benchmarkSample` drops values a consumer can never
 * score against. Valuation multiples keep only values > 0, because the valuation engine
 * discards non-positive multiples (the original benchmarked them anyway, which shifted the
 * percentiles). Debt/equity drops negative values: negative equity is scored as the worst
 * bucket by FGOS on its own, and mixing those values in would make the most indebted
 * companies look like the least indebted.
 *
 * Decision (no `General` group): the original fell back to a `General` group that no job
 * ever wrote. `benchmarksAsOf` looks up one group only; a caller wanting a fallback group
 * calls it twice.
 */

import { isNum } from "./math.ts";
import type { Count, IsoDate } from "./units.ts";

/** Benchmark confidence from the sample size. */
export type BenchmarkConfidence = "low" | "medium" | "high";

/** Metrics a benchmark can be built for; each p-value is in that metric's own unit. */
export type BenchmarkMetric =
  | "revenue_cagr"
  | "earnings_cagr"
  | "fcf_cagr"
  | "roic"
  | "operating_margin"
  | "net_margin"
  | "fcf_margin"
  | "gross_margin"
  | "debt_to_equity"
  | "interest_coverage"
  | "pe_ratio"
  | "ev_ebitda"
  | "price_to_fcf"
  | "market_cap";

/** One benchmark. p-values carry the metric's unit (Ratio for margins, Multiple for P/E...). */
export interface SectorBenchmark {
  p10: number;
  p25: number;
  p50: number;
  p75: number;
  p90: number;
  sample_size: Count;
  confidence: BenchmarkConfidence;
  /** Low confidence only: p50. */
  median: number | null;
  /** Low confidence only: mean after trimming 10 % at each end. */
  trimmed_mean: number | null;
  /** Low confidence only: p5/p95 of 500 bootstrap means. */
  uncertainty_range: { p5: number; p95: number } | null;
}

/** The benchmarks of one group at one date, by metric. */
export type BenchmarkMap = Partial<Record<BenchmarkMetric, SectorBenchmark>>;

/** A `sector_benchmarks` row as stored (p-values may be null in old data). */
export interface SectorBenchmarkRow {
  sector: string;
  snapshot_date: IsoDate;
  metric: string;
  p10: number | null;
  p25: number | null;
  p50: number | null;
  p75: number | null;
  p90: number | null;
  sample_size: Count;
  confidence: string;
  median?: number | null;
  trimmed_mean?: number | null;
  uncertainty_range?: { p5: number; p95: number } | null;
}

const BOOTSTRAP_DRAWS = 500;
const MIN_SAMPLE = 3;

const VALUATION_METRICS = new Set<string>(["pe_ratio", "ev_ebitda", "price_to_fcf"]);

/** Value at quantile q (0..1) of an ascending array by the lower nearest rank (same unit). */
export function nearestRank(sorted: readonly number[], q: number): number {
  const i = Math.floor(q * (sorted.length - 1));
  return sorted[Math.max(0, Math.min(sorted.length - 1, i))]!;
}

/** Benchmark confidence for a sample size (a count): <10 low, <20 medium, else high. */
function benchmarkConfidence(n: Count): BenchmarkConfidence {
  if (n < 10) return "low";
  if (n < 20) return "medium";
  return "high";
}

/** The values of one metric that may enter its benchmark (same unit as the metric). */
export function benchmarkSample(
  metric: BenchmarkMetric,
  values: readonly (number | null | undefined)[],
): number[] {
  const finite = values.filter(isNum);
  if (VALUATION_METRICS.has(metric)) return finite.filter((v) => v > 0);
  if (metric === "debt_to_equity") return finite.filter((v) => v >= 0);
  return finite;
}

/** Build one benchmark from a sample (values in the metric's unit); null under 3 values. */
export function buildSectorBenchmark(
  values: readonly (number | null | undefined)[],
): SectorBenchmark | null {
  // `+ 0` turns −0 into 0 so the p-values do not depend on which zero sorted first.
  const sorted = values
    .filter(isNum)
    .map((v) => v + 0)
    .sort((a, b) => a - b);
  const n = sorted.length;
  if (n < MIN_SAMPLE) return null;
  const confidence = benchmarkConfidence(n);
  const p50 = nearestRank(sorted, 0.5);
  const low = confidence === "low";
  return {
    p10: nearestRank(sorted, 0.1),
    p25: nearestRank(sorted, 0.25),
    p50,
    p75: nearestRank(sorted, 0.75),
    p90: nearestRank(sorted, 0.9),
    sample_size: n,
    confidence,
    median: low ? p50 : null,
    trimmed_mean: low ? trimmedMean(sorted) : null,
    uncertainty_range: low ? bootstrapMeanRange(sorted) : null,
  };
}

/** Mean after trimming floor(10 %) of an ascending sample at each end (same unit). */
export function trimmedMean(sorted: readonly number[]): number {
  const n = sorted.length;
  const k = Math.floor(0.1 * n);
  if (n - 2 * k <= 0) return sorted[Math.floor(n / 2)]!;
  const kept = sorted.slice(k, n - k);
  return kept.reduce((a, b) => a + b, 0) / kept.length;
}

/** p5/p95 of 500 seeded bootstrap resample means of an ascending sample (same unit). */
function bootstrapMeanRange(sorted: readonly number[]): { p5: number; p95: number } {
  const next = mulberry32(hashNumbers(sorted));
  const n = sorted.length;
  const means: number[] = [];
  for (let draw = 0; draw < BOOTSTRAP_DRAWS; draw++) {
    let total = 0;
    for (let i = 0; i < n; i++) total += sorted[Math.floor(next() * n)]!;
    means.push(total / n);
  }
  means.sort((a, b) => a - b);
  return { p5: nearestRank(means, 0.05), p95: nearestRank(means, 0.95) };
}

// Uses the latest snapshot_date ≤ asOf; drops samples under 3 and unusable p-values.
/** Benchmarks of one group (sector or industry) as of a date, p-values in each metric's unit. */
export function benchmarksAsOf(
  rows: readonly SectorBenchmarkRow[],
  group: string,
  asOf: IsoDate,
): BenchmarkMap | null {
  let latest: IsoDate | null = null;
  for (const r of rows) {
    if (r.sector !== group || r.snapshot_date > asOf) continue;
    if (latest === null || r.snapshot_date > latest) latest = r.snapshot_date;
  }
  if (latest === null) return null;
  const map: BenchmarkMap = {};
  let count = 0;
  for (const r of rows) {
    if (r.sector !== group || r.snapshot_date !== latest) continue;
    const bm = benchmarkFromRow(r);
    if (bm === null) continue;
    map[r.metric as BenchmarkMetric] = bm;
    count++;
  }
  return count > 0 ? map : null;
}

/** A stored row as a benchmark (p-values in the metric's unit); null if n < 3 or p's unusable. */
function benchmarkFromRow(r: SectorBenchmarkRow): SectorBenchmark | null {
  const ps = [r.p10, r.p25, r.p50, r.p75, r.p90];
  if (!isNum(r.sample_size) || r.sample_size < MIN_SAMPLE) return null;
  // Null p-values compared as 0 in the original; a distribution must be complete and ordered.
  if (!ps.every(isNum)) return null;
  for (let i = 1; i < ps.length; i++) if ((ps[i] as number) < (ps[i - 1] as number)) return null;
  const confidence: BenchmarkConfidence =
    r.confidence === "low" || r.confidence === "medium" || r.confidence === "high"
      ? r.confidence
      : benchmarkConfidence(r.sample_size);
  return {
    p10: r.p10 as number,
    p25: r.p25 as number,
    p50: r.p50 as number,
    p75: r.p75 as number,
    p90: r.p90 as number,
    sample_size: r.sample_size,
    confidence,
    median: r.median ?? null,
    trimmed_mean: r.trimmed_mean ?? null,
    uncertainty_range: r.uncertainty_range ?? null,
  };
}

// FNV-1a over the numbers' text: a stable seed for the bootstrap, no clock, no Math.random.
function hashNumbers(values: readonly number[]): number {
  let h = 0x811c9dc5;
  const text = values.join(",");
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
