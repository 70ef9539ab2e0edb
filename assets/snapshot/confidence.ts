/**
 * data_confidence (spec/engines.md §16): how much of the row the data supports. Structural
 * coverage, each layer's status, which inputs were there, and the context the layers were
 * read in, so a reader can tell a weak company from a thin record.
 */
import {
  buildDataConfidence,
  buildLayerStatus,
  buildStructuralCoverage,
} from "../../engines/coverage.ts";
import type { FgosResult } from "../../engines/fgos.ts";
import type { IndustryProfile } from "../../engines/fundamentals-growth.ts";
import type { Fundamentals } from "./fgos.ts";
import type { PerformanceBlock } from "./groups.ts";
import type { ReturnsOnDay } from "./returns.ts";
import type { ValuationOnDay } from "./valuation.ts";

export function dataConfidenceOf(readings: {
  sector: string | null;
  industryProfile: IndustryProfile;
  hasProfile: boolean;
  fundamentals: Fundamentals;
  fgos: FgosResult;
  valuation: ValuationOnDay;
  returns: ReturnsOnDay;
  industryPerformance: PerformanceBlock;
}) {
  const { industryProfile, fundamentals, valuation, returns } = readings;
  const { maturity, growth } = fundamentals;
  const coverage = buildStructuralCoverage({
    maturity: maturity.fgos_maturity,
    industry_cadence: industryProfile.cadence,
    growth_coverage: growth.coverage,
    valuation_metrics: valuation.multiples,
  });
  const layers = buildLayerStatus({
    maturity: maturity.fgos_maturity,
    sector: readings.sector,
    ifs: returns.ifs,
    dominant_horizons: industryProfile.dominant_horizons,
    relative_vs_sector: returns.relativeVsSector,
    growth,
    valuation: {
      valuation_status: valuation.column.valuation_status,
      stage: valuation.column.stage,
    },
    industry_performance_status: readings.industryPerformance.status,
  });
  return buildDataConfidence({
    coverage,
    layer_status: layers,
    flags: {
      has_profile: readings.hasProfile,
      has_financials: fundamentals.scored !== null,
      has_valuation: valuation.row !== null,
      has_performance: Object.keys(returns.own).length > 0,
      has_fgos: readings.fgos.fgos_status === "computed",
    },
    interpretation_context: {
      industry_cadence: industryProfile.cadence,
      structural_horizon_min_years: industryProfile.structural_horizon_min_years,
      dominant_horizons_used: [...industryProfile.dominant_horizons],
    },
    fundamentals: {
      fundamentals_years_count: maturity.fundamentals_years_count,
      fundamentals_first_year: maturity.fundamentals_first_year,
      fundamentals_last_year: maturity.fundamentals_last_year,
    },
  });
}
