/**
 * FGOS pillars (spec §3.3): each pillar is the mean of the P1 effective percentiles of its
 * metrics that have both a value and a benchmark.
 *
 * | pillar        | metrics                                  | weight |
 * | growth        | revenue_cagr, earnings_cagr, fcf_cagr    | 0.25   |
 * | profitability | roic, operating_margin, net_margin       | 0.30   |
 * | efficiency    | roic, fcf_margin (ROIC counts twice)     | 0.20   |
 * | solvency      | debt_to_equity, interest_coverage        | 0.25   |
 *
 * Decision (debt/equity is lower-is-better): D/E is scored on mirrored buckets, so the least
 * indebted companies of the sector earn 90 and the most indebted 10. Negative D/E means
 * negative equity, which is worse than any level of debt: it scores as the worst bucket (10)
 * whatever the benchmark says, before confidence blending. A company with negative equity
 * and no debt has a D/E of 0 (our table keeps a true 0 numerator), so the row's
 * `total_equity` is read too: `negative_equity` marks it and D/E scores as the worst bucket
 * then as well. The original scored D/E higher-is-better, so the most leveraged companies
 * got the best solvency.
 *
 * Decision (low-confidence flag): `benchmark_low_confidence` is true when a benchmark that
 * actually fed a pillar has low confidence. The original raised it for any loaded benchmark,
 * valuation ones included, which said nothing about this score.
 */
import type { BenchmarkMap, BenchmarkMetric, SectorBenchmark } from "./benchmarks.ts";
import { isNum, mean } from "./math.ts";
import { blendByConfidence, type MetricScore, metricScore } from "./percentiles.ts";
import type { Count, Multiple, Percentile, Ratio, Score, Weight } from "./units.ts";

/** The nine core FGOS inputs. */
export interface FgosMetrics {
  revenue_cagr: Ratio | null;
  earnings_cagr: Ratio | null;
  fcf_cagr: Ratio | null;
  roic: Ratio | null;
  operating_margin: Ratio | null;
  net_margin: Ratio | null;
  fcf_margin: Ratio | null;
  debt_to_equity: Multiple | null;
  interest_coverage: Multiple | null;
  /** True when total equity is negative; D/E then scores as the worst bucket. */
  negative_equity?: boolean;
}

/** The four pillar names. */
type PillarName = "growth" | "profitability" | "efficiency" | "solvency";

/** Present on a pillar that used a low-confidence benchmark. */
export interface PillarImpact {
  /** Mean raw bucket percentile of the pillar's metrics (0..100). */
  raw_percentile: Percentile;
  /** The pillar score after blending (0..100). */
  effective_percentile: Percentile;
  /** Smallest sample among the low-confidence benchmarks used. */
  sample_size: Count;
  /** Smallest blending weight among them (0..1). */
  weight: Weight;
  benchmark_low_confidence: true;
}

/** Pillar scores (0..100, unrounded) with their low-confidence impacts. */
export interface PillarScores {
  growth: Score | null;
  profitability: Score | null;
  efficiency: Score | null;
  solvency: Score | null;
  impacts: Partial<Record<PillarName, PillarImpact>>;
  benchmark_low_confidence: boolean;
}

/** Names of the nine core inputs, in the order used for counting missing ones. */
export const FGOS_METRICS: (keyof FgosMetrics & BenchmarkMetric)[] = [
  "revenue_cagr",
  "earnings_cagr",
  "fcf_cagr",
  "roic",
  "operating_margin",
  "net_margin",
  "fcf_margin",
  "debt_to_equity",
  "interest_coverage",
];

/** Pillar weights; they are renormalised over the pillars that have a score. */
export const PILLAR_WEIGHTS: Record<PillarName, Weight> = {
  growth: 0.25,
  profitability: 0.3,
  efficiency: 0.2,
  solvency: 0.25,
};

const PILLAR_METRICS: Record<PillarName, (keyof FgosMetrics & BenchmarkMetric)[]> = {
  growth: ["revenue_cagr", "earnings_cagr", "fcf_cagr"],
  profitability: ["roic", "operating_margin", "net_margin"],
  efficiency: ["roic", "fcf_margin"],
  solvency: ["debt_to_equity", "interest_coverage"],
};

/** P1 score (0..100) of one FGOS metric (decimal or multiple) against its benchmark, D/E rules. */
export function scoreFgosMetric(
  metric: keyof FgosMetrics,
  value: number | null | undefined,
  benchmark: SectorBenchmark | null | undefined,
  negativeEquity = false,
): MetricScore | null {
  if (metric !== "debt_to_equity") return metricScore(value, benchmark);
  if (!isNum(value) || !benchmark) return null;
  if (value < 0 || negativeEquity) return blendByConfidence(10, benchmark);
  return metricScore(value, benchmark, "lower_is_better");
}

/** Score the four pillars (0..100) from the nine inputs and the sector benchmarks. */
export function scorePillars(metrics: FgosMetrics, benchmarks: BenchmarkMap): PillarScores {
  const result: PillarScores = {
    growth: null,
    profitability: null,
    efficiency: null,
    solvency: null,
    impacts: {},
    benchmark_low_confidence: false,
  };
  for (const pillar of Object.keys(PILLAR_METRICS) as PillarName[]) {
    const scores = PILLAR_METRICS[pillar]
      .map((m) => scoreFgosMetric(m, metrics[m], benchmarks[m], metrics.negative_equity === true))
      .filter((s): s is MetricScore => s !== null);
    if (scores.length === 0) continue;
    const score = mean(scores.map((s) => s.effective)) as number;
    result[pillar] = score;
    const low = scores.filter((s) => s.is_low_conf);
    if (low.length > 0) {
      result.benchmark_low_confidence = true;
      result.impacts[pillar] = {
        raw_percentile: mean(scores.map((s) => s.raw)) as number,
        effective_percentile: score,
        sample_size: Math.min(...low.map((s) => s.sample_size)),
        weight: Math.min(...low.map((s) => s.weight)),
        benchmark_low_confidence: true,
      };
    }
  }
  return result;
}
