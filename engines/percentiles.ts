/**
 * The three percentile primitives (spec §2). They are not interchangeable:
 *
 * - P1 `bucketPercentile` / `metricScore`: coarse buckets 10/25/50/75/90 against a sector
 *   benchmark, with low-confidence blending toward 50. Used by FGOS and market position.
 * - P2 `interpolatedPercentile`: piecewise-linear through (10,p10)..(90,p90), extrapolated
 *   outside and clamped to 0..100. Used by valuation.
 * - P3 `rankPercentile`: share of peers ≤ the value. Used by IQS.
 *
 * Decision (direction): P1 takes a direction. For lower-is-better metrics (debt/equity) the
 * buckets are mirrored, so a value at or below p10 earns 90 and one above p75 earns 10. The
 * original scored every metric higher-is-better, which rewarded the most indebted companies.
 */
import type { SectorBenchmark } from "./benchmarks.ts";
import { clamp, isNum } from "./math.ts";
import type { Count, Percentile, Weight } from "./units.ts";

/** Whether a larger metric value is better or worse for the company. */
type MetricDirection = "higher_is_better" | "lower_is_better";

/** One P1 result: the bucket, the blended value and the weight of the benchmark. */
export interface MetricScore {
  /** Bucket percentile 10/25/50/75/90 (0..100). */
  raw: Percentile;
  /** Percentile after confidence blending (0..100). */
  effective: Percentile;
  /** Weight of the raw bucket against the neutral 50 (1 unless the benchmark is low). */
  weight: Weight;
  /** True when the benchmark's confidence is low. */
  is_low_conf: boolean;
  sample_size: Count;
}

/** P1 bucket percentile (10/25/50/75/90) of a value in the benchmark's unit; null if missing. */
export function bucketPercentile(
  value: number | null | undefined,
  benchmark: SectorBenchmark | null | undefined,
  direction: MetricDirection = "higher_is_better",
): Percentile | null {
  if (!isNum(value) || !benchmark) return null;
  let raw: Percentile;
  if (value <= benchmark.p10) raw = 10;
  else if (value <= benchmark.p25) raw = 25;
  else if (value <= benchmark.p50) raw = 50;
  else if (value <= benchmark.p75) raw = 75;
  else raw = 90;
  return direction === "higher_is_better" ? raw : 100 - raw;
}

/** Blend a raw bucket percentile (0..100) by the benchmark's confidence (P1 effective value). */
export function blendByConfidence(raw: Percentile, benchmark: SectorBenchmark): MetricScore {
  if (benchmark.confidence === "low") {
    const weight = clamp(benchmark.sample_size / 20, 0, 1);
    return {
      raw,
      effective: raw * weight + 50 * (1 - weight),
      weight,
      is_low_conf: true,
      sample_size: benchmark.sample_size,
    };
  }
  const effective = benchmark.confidence === "medium" ? raw * 0.95 : raw;
  return { raw, effective, weight: 1, is_low_conf: false, sample_size: benchmark.sample_size };
}

/** P1 with blending: bucket percentile and its confidence-weighted value (0..100); null if missing. */
export function metricScore(
  value: number | null | undefined,
  benchmark: SectorBenchmark | null | undefined,
  direction: MetricDirection = "higher_is_better",
): MetricScore | null {
  const raw = bucketPercentile(value, benchmark, direction);
  if (raw === null || !benchmark) return null;
  return blendByConfidence(raw, benchmark);
}

/** P2 interpolated percentile (0..100) of a value in the benchmark's unit; null if unusable. */
export function interpolatedPercentile(
  value: number | null | undefined,
  benchmark: SectorBenchmark | null | undefined,
): Percentile | null {
  if (!isNum(value) || !benchmark) return null;
  const raw: [number, number][] = [
    [10, benchmark.p10],
    [25, benchmark.p25],
    [50, benchmark.p50],
    [75, benchmark.p75],
    [90, benchmark.p90],
  ];
  // Stable sort keeps the lower p first among equal values.
  const points = raw.filter(([, v]) => isNum(v)).sort((a, b) => a[1] - b[1]);
  if (points.length < 2) return null;
  const first = points[0]!;
  const last = points[points.length - 1]!;
  let a: [number, number];
  let b: [number, number];
  if (value <= first[1]) {
    a = first;
    b = points[1]!;
  } else if (value >= last[1]) {
    a = points[points.length - 2]!;
    b = last;
  } else {
    let i = 0;
    while (i < points.length - 2 && !(value >= points[i]![1] && value <= points[i + 1]![1])) i++;
    a = points[i]!;
    b = points[i + 1]!;
  }
  const [pa, va] = a;
  const [pb, vb] = b;
  if (vb === va) return clamp(Math.min(pa, pb));
  return clamp(pa + ((value - va) * (pb - pa)) / (vb - va));
}

/** P3 rank percentile (0..100): share of finite peers ≤ value; null if value or peers missing. */
export function rankPercentile(
  value: number | null | undefined,
  peers: readonly (number | null | undefined)[],
): Percentile | null {
  if (!isNum(value)) return null;
  const xs = peers.filter(isNum);
  if (xs.length === 0) return null;
  return (xs.filter((p) => p <= value).length / xs.length) * 100;
}
