/**
 * Structural coverage, layer status and `data_confidence` (spec §16): how much of the
 * structural picture a snapshot could build, and why each layer is or is not computed.
 *
 * Coverage is low for an early-stage company; otherwise it is limited first by missing
 * valuation metrics, then by missing growth windows, and a developing company is capped at
 * medium.
 *
 * Decision (which valuation metrics count): the original counted any number among the raw
 * P/E, EV/EBITDA and P/FCF, negatives included, although the valuation engine discards
 * non-positive multiples. Here a metric counts when it is finite and > 0, the same rule the
 * valuation uses.
 */

import type { IfsResult, RelativeVsSector } from "./ifs.ts";
import { isNum } from "./math.ts";
import type { MaturityClass } from "./maturity.ts";
import type { Count, Multiple, Year } from "./units.ts";

/** Limiting factor of the structural coverage. */
type LimitingFactor =
  | "early_stage_maturity"
  | "critical_metrics_missing"
  | "partial_metrics_coverage"
  | "critical_history_missing"
  | "partial_history_coverage"
  | "developing_maturity_cap"
  | "none";

/** Structural coverage part of `data_confidence`. */
interface StructuralCoverage {
  confidence_level: "low" | "medium" | "high";
  coverage: {
    valid_windows: Count;
    required_windows: Count;
    valid_metrics: Count;
    required_metrics: Count;
  };
  maturity: MaturityClass | null;
  industry_cadence: string | null;
  limiting_factor: LimitingFactor;
}

/** Structural coverage (counts of windows and metrics) from maturity, growth and raw multiples. */
export function buildStructuralCoverage(input: {
  maturity: MaturityClass | null;
  industry_cadence: string | null;
  growth_coverage: { valid_windows: Count; required_windows: Count } | null;
  valuation_metrics: {
    pe_ratio: Multiple | null;
    ev_ebitda: Multiple | null;
    price_to_fcf: Multiple | null;
  } | null;
}): StructuralCoverage {
  const m = input.valuation_metrics;
  const validMetrics = [m?.pe_ratio, m?.ev_ebitda, m?.price_to_fcf].filter(
    (x) => isNum(x) && x > 0,
  ).length;
  const coverage = {
    valid_windows: input.growth_coverage?.valid_windows ?? 0,
    required_windows: input.growth_coverage?.required_windows ?? 0,
    valid_metrics: validMetrics,
    required_metrics: 3,
  };
  const result = (
    confidence_level: StructuralCoverage["confidence_level"],
    limiting_factor: LimitingFactor,
  ): StructuralCoverage => ({
    confidence_level,
    coverage,
    maturity: input.maturity,
    industry_cadence: input.industry_cadence,
    limiting_factor,
  });
  if (input.maturity === "early") return result("low", "early_stage_maturity");
  const metricsRatio = coverage.valid_metrics / coverage.required_metrics;
  const windowsRatio =
    coverage.required_windows === 0 ? 1 : coverage.valid_windows / coverage.required_windows;
  if (metricsRatio < 0.5) return result("low", "critical_metrics_missing");
  if (metricsRatio < 1) return result("medium", "partial_metrics_coverage");
  if (windowsRatio < 0.5) return result("low", "critical_history_missing");
  if (windowsRatio < 1) return result("medium", "partial_history_coverage");
  if (input.maturity === "developing") return result("medium", "developing_maturity_cap");
  return result("high", "none");
}

/** State of one layer. */
type LayerState = "computed" | "structurally_unavailable" | "pending_recalculation";

/** One layer's status. */
interface LayerStatusEntry {
  state: LayerState;
  version?: string;
  blocking_reason: string | null;
}

/** The `data_confidence.layer_status` map. */
interface LayerStatusMap {
  ifs: LayerStatusEntry;
  fundamentals_growth: LayerStatusEntry;
  valuation: LayerStatusEntry;
  industry_performance: LayerStatusEntry;
}

const HORIZON_KEYS: Record<string, keyof RelativeVsSector> = {
  "1M": "relative_vs_sector_1m",
  "3M": "relative_vs_sector_3m",
  "6M": "relative_vs_sector_6m",
  "1Y": "relative_vs_sector_1y",
  "2Y": "relative_vs_sector_2y",
  "3Y": "relative_vs_sector_3y",
  "5Y": "relative_vs_sector_5y",
};

/** Layer status (categorical) of IFS, growth, valuation and industry performance. */
export function buildLayerStatus(input: {
  maturity: MaturityClass | null;
  sector: string | null;
  ifs: IfsResult | null;
  dominant_horizons: readonly string[];
  relative_vs_sector: Partial<RelativeVsSector>;
  growth: {
    revenue_cagr: number | null;
    earnings_cagr: number | null;
    fcf_cagr: number | null;
  } | null;
  valuation: { valuation_status: string; stage: string } | null;
  industry_performance_status: "full" | "partial" | "missing" | string | null;
}): LayerStatusMap {
  const early = input.maturity === "early";

  let ifs: LayerStatusEntry;
  if (input.ifs) ifs = { state: "computed", version: "1.2", blocking_reason: null };
  else if (input.maturity === null || early) {
    ifs = {
      state: "structurally_unavailable",
      version: "1.2",
      blocking_reason: "Maturity too early for sector momentum",
    };
  } else {
    const missing = input.dominant_horizons.filter((h) => {
      const key = HORIZON_KEYS[h.trim().toUpperCase()];
      return key === undefined || !isNum(input.relative_vs_sector[key]);
    }).length;
    ifs = {
      state: "pending_recalculation",
      version: "1.2",
      blocking_reason: `${missing} of ${input.dominant_horizons.length} dominant horizons lack a relative-vs-sector return`,
    };
  }

  const g = input.growth;
  const hasGrowth = !!g && [g.revenue_cagr, g.earnings_cagr, g.fcf_cagr].some(isNum);
  const fundamentals_growth: LayerStatusEntry = hasGrowth
    ? { state: "computed", version: "2.0", blocking_reason: null }
    : early
      ? {
          state: "structurally_unavailable",
          version: "2.0",
          blocking_reason: "Too few fiscal years for growth rates",
        }
      : {
          state: "pending_recalculation",
          version: "2.0",
          blocking_reason: "Growth rates could not be computed from FY history",
        };

  const v = input.valuation;
  let valuation: LayerStatusEntry;
  if (v && v.valuation_status !== "pending" && v.stage !== "pending") {
    valuation = { state: "computed", blocking_reason: null };
  } else if (early) {
    valuation = {
      state: "structurally_unavailable",
      blocking_reason: "Early-stage company: valuation is descriptive only",
    };
  } else if (!input.sector) {
    valuation = {
      state: "pending_recalculation",
      blocking_reason: "No sector to benchmark against",
    };
  } else if (input.maturity === "developing") {
    valuation = {
      state: "pending_recalculation",
      blocking_reason:
        "Developing company: needs 2+ agreeing multiples and a dominant horizon of a year or more",
    };
  } else {
    valuation = {
      state: "pending_recalculation",
      blocking_reason: "Fewer than 2 valid multiples with sector benchmarks",
    };
  }

  const industry_performance: LayerStatusEntry =
    input.industry_performance_status === "full"
      ? { state: "computed", blocking_reason: null }
      : {
          state: "pending_recalculation",
          blocking_reason: "Industry performance windows incomplete or stale",
        };

  return { ifs, fundamentals_growth, valuation, industry_performance };
}

/** The `data_confidence` JSON. */
interface DataConfidence extends StructuralCoverage {
  layer_status: LayerStatusMap;
  has_profile: boolean;
  has_financials: boolean;
  has_valuation: boolean;
  has_performance: boolean;
  has_fgos: boolean;
  interpretation_context: {
    industry_cadence: string | null;
    structural_horizon_min_years: Count | null;
    dominant_horizons_used: string[];
  };
  fundamentals_years_count: Count;
  fundamentals_first_year: Year | null;
  fundamentals_last_year: Year | null;
}

/** `data_confidence` from coverage, layer status, flags and the maturity span (year numbers). */
export function buildDataConfidence(input: {
  coverage: StructuralCoverage;
  layer_status: LayerStatusMap;
  flags: Pick<
    DataConfidence,
    "has_profile" | "has_financials" | "has_valuation" | "has_performance" | "has_fgos"
  >;
  interpretation_context: DataConfidence["interpretation_context"];
  fundamentals: Pick<
    DataConfidence,
    "fundamentals_years_count" | "fundamentals_first_year" | "fundamentals_last_year"
  >;
}): DataConfidence {
  return {
    ...input.coverage,
    layer_status: input.layer_status,
    ...input.flags,
    interpretation_context: input.interpretation_context,
    ...input.fundamentals,
  };
}
