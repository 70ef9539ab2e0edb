/**
 * Market position (spec §15): where a company stands in its sector on size, profitability
 * (ROIC, operating margin) and growth (revenue CAGR), on P1 bucket percentiles without
 * confidence blending. Summary from the mean percentile: ≥75 leader, ≥60 strong, ≤25 weak,
 * else average. Confidence starts high and drops with low-confidence benchmarks or fewer
 * than 2 readings.
 *
 * Size needs a `market_cap` benchmark, which the original never built; it is scored when the
 * benchmarks hold one. Market cap comes from our own `datos_valuacion` / TTM valuation rows.
 */
import type { BenchmarkConfidence, BenchmarkMap } from "./benchmarks.ts";
import { mean } from "./math.ts";
import { bucketPercentile } from "./percentiles.ts";
import type { Money, Percentile, Ratio } from "./units.ts";

/** Inputs of the market position. */
interface MarketPositionInput {
  sector: string | null;
  market_cap: Money | null;
  roic: Ratio | null;
  operating_margin: Ratio | null;
  /** `fundamentals_growth.revenue_cagr`. */
  revenue_growth: Ratio | null;
}

/** The `fintra_snapshots.market_position` JSON. */
interface MarketPosition {
  status: "computed" | "pending";
  sector: string;
  components: {
    size?: { market_cap_percentile: Percentile };
    profitability?: { roic_percentile?: Percentile; margin_percentile?: Percentile };
    growth?: { revenue_growth_percentile: Percentile };
  };
  summary: "leader" | "strong" | "average" | "weak";
  confidence: "high" | "medium" | "low";
  reasons: string[];
}

/** Market position (percentiles 0..100) from the inputs and the sector's benchmarks. */
export function calculateMarketPosition(
  input: MarketPositionInput,
  benchmarks: BenchmarkMap | null,
): MarketPosition {
  const pending = (sector: string, reason: string): MarketPosition => ({
    status: "pending",
    sector,
    components: {},
    summary: "average",
    confidence: "low",
    reasons: [reason],
  });
  if (!input.sector) return pending("Unknown", "Sector not defined");
  if (!benchmarks || Object.keys(benchmarks).length === 0) {
    return pending(input.sector, "Benchmarks not available for sector");
  }

  const components: MarketPosition["components"] = {};
  const percentiles: Percentile[] = [];
  const used: BenchmarkConfidence[] = [];
  const score = (value: number | null, metric: keyof BenchmarkMap): Percentile | null => {
    const bm = benchmarks[metric];
    const p = bucketPercentile(value, bm);
    if (p === null || !bm) return null;
    percentiles.push(p);
    used.push(bm.confidence);
    return p;
  };
  const size = score(input.market_cap, "market_cap");
  if (size !== null) components.size = { market_cap_percentile: size };
  const roic = score(input.roic, "roic");
  const margin = score(input.operating_margin, "operating_margin");
  if (roic !== null || margin !== null) {
    components.profitability = {};
    if (roic !== null) components.profitability.roic_percentile = roic;
    if (margin !== null) components.profitability.margin_percentile = margin;
  }
  const growth = score(input.revenue_growth, "revenue_cagr");
  if (growth !== null) components.growth = { revenue_growth_percentile: growth };

  if (percentiles.length === 0) {
    return pending(input.sector, "No matching benchmarks found for available data");
  }
  const avg = mean(percentiles) as number;
  const summary = avg >= 75 ? "leader" : avg >= 60 ? "strong" : avg <= 25 ? "weak" : "average";
  const lowShare = used.filter((c) => c === "low").length / used.length;
  let confidence: MarketPosition["confidence"] = "high";
  if (lowShare > 0) confidence = "medium";
  if (lowShare > 0.5) confidence = "low";
  if (percentiles.length < 2 && confidence === "high") confidence = "medium";
  return {
    status: "computed",
    sector: input.sector,
    components,
    summary,
    confidence,
    reasons: [],
  };
}
