import { describe, expect, it } from "vitest";
import {
  buildDataConfidence,
  buildLayerStatus,
  buildStructuralCoverage,
  calculateIfs,
} from "../../engines/index.ts";

const all3 = { pe_ratio: 20, ev_ebitda: 12, price_to_fcf: 18 };

describe("buildStructuralCoverage (spec §16 vectors)", () => {
  it("established, 2/2 windows, 3/3 metrics → high/none", () => {
    expect(
      buildStructuralCoverage({
        maturity: "established",
        industry_cadence: "medium",
        growth_coverage: { valid_windows: 2, required_windows: 2 },
        valuation_metrics: all3,
      }),
    ).toEqual({
      confidence_level: "high",
      coverage: { valid_windows: 2, required_windows: 2, valid_metrics: 3, required_metrics: 3 },
      maturity: "established",
      industry_cadence: "medium",
      limiting_factor: "none",
    });
  });

  it("developing, same → medium/developing_maturity_cap", () => {
    expect(
      buildStructuralCoverage({
        maturity: "developing",
        industry_cadence: "medium",
        growth_coverage: { valid_windows: 2, required_windows: 2 },
        valuation_metrics: all3,
      }),
    ).toMatchObject({ confidence_level: "medium", limiting_factor: "developing_maturity_cap" });
  });

  it("established, 1/2 windows, 1/3 metrics → low/critical_metrics_missing", () => {
    expect(
      buildStructuralCoverage({
        maturity: "established",
        industry_cadence: "medium",
        growth_coverage: { valid_windows: 1, required_windows: 2 },
        valuation_metrics: { pe_ratio: 20, ev_ebitda: null, price_to_fcf: null },
      }),
    ).toMatchObject({ confidence_level: "low", limiting_factor: "critical_metrics_missing" });
  });

  it("early → low/early_stage_maturity", () => {
    expect(
      buildStructuralCoverage({
        maturity: "early",
        industry_cadence: null,
        growth_coverage: null,
        valuation_metrics: null,
      }),
    ).toMatchObject({ confidence_level: "low", limiting_factor: "early_stage_maturity" });
  });

  it("partial metrics, then history, in that order; decision: non-positive multiples do not count", () => {
    const base = { maturity: "established" as const, industry_cadence: "slow" };
    expect(
      buildStructuralCoverage({
        ...base,
        growth_coverage: { valid_windows: 2, required_windows: 2 },
        valuation_metrics: { pe_ratio: -3, ev_ebitda: 12, price_to_fcf: 18 },
      }).limiting_factor,
    ).toBe("partial_metrics_coverage");
    expect(
      buildStructuralCoverage({
        ...base,
        growth_coverage: { valid_windows: 0, required_windows: 2 },
        valuation_metrics: all3,
      }).limiting_factor,
    ).toBe("critical_history_missing");
    expect(
      buildStructuralCoverage({
        ...base,
        growth_coverage: { valid_windows: 2, required_windows: 3 },
        valuation_metrics: all3,
      }).limiting_factor,
    ).toBe("partial_history_coverage");
    expect(
      buildStructuralCoverage({
        ...base,
        growth_coverage: { valid_windows: 0, required_windows: 0 },
        valuation_metrics: all3,
      }).limiting_factor,
    ).toBe("none");
  });
});

describe("buildLayerStatus (spec §16)", () => {
  const rel = {
    relative_vs_sector_6m: 3,
    relative_vs_sector_1y: null,
    relative_vs_sector_3y: 4,
  };
  const base = {
    maturity: "established" as const,
    sector: "Technology",
    ifs: null,
    dominant_horizons: ["6M", "1Y", "2Y", "3Y"],
    relative_vs_sector: rel,
    growth: { revenue_cagr: 0.1, earnings_cagr: null, fcf_cagr: null },
    valuation: { valuation_status: "fair", stage: "computed" },
    industry_performance_status: "full",
  };

  it("computed layers", () => {
    const ifs = calculateIfs(rel, base.dominant_horizons);
    const s = buildLayerStatus({ ...base, ifs });
    expect(s.ifs).toEqual({ state: "computed", version: "1.2", blocking_reason: null });
    expect(s.fundamentals_growth).toMatchObject({ state: "computed", version: "2.0" });
    expect(s.valuation.state).toBe("computed");
    expect(s.industry_performance.state).toBe("computed");
  });

  it("pending IFS names how many dominant horizons lack data", () => {
    const s = buildLayerStatus(base);
    expect(s.ifs.state).toBe("pending_recalculation");
    expect(s.ifs.blocking_reason).toMatch(/^2 of 4 dominant horizons/);
  });

  it("early or unknown maturity → structurally unavailable", () => {
    const s = buildLayerStatus({
      ...base,
      maturity: "early",
      growth: null,
      valuation: { valuation_status: "pending", stage: "computed" },
    });
    expect(s.ifs.state).toBe("structurally_unavailable");
    expect(s.fundamentals_growth.state).toBe("structurally_unavailable");
    expect(s.valuation.state).toBe("structurally_unavailable");
    expect(buildLayerStatus({ ...base, maturity: null }).ifs.state).toBe(
      "structurally_unavailable",
    );
  });

  it("pending valuation reasons depend on sector and maturity; industry partial → pending", () => {
    const pendingVal = { valuation_status: "pending", stage: "pending" };
    expect(
      buildLayerStatus({ ...base, sector: null, valuation: pendingVal }).valuation.blocking_reason,
    ).toMatch(/sector/);
    expect(
      buildLayerStatus({ ...base, maturity: "developing", valuation: pendingVal }).valuation
        .blocking_reason,
    ).toMatch(/Developing/);
    expect(
      buildLayerStatus({ ...base, industry_performance_status: "partial" }).industry_performance
        .state,
    ).toBe("pending_recalculation");
  });
});

describe("buildDataConfidence", () => {
  it("assembles coverage, layers, flags, context and the maturity span", () => {
    const coverage = buildStructuralCoverage({
      maturity: "established",
      industry_cadence: "medium",
      growth_coverage: { valid_windows: 2, required_windows: 2 },
      valuation_metrics: all3,
    });
    const layer_status = buildLayerStatus({
      maturity: "established",
      sector: "X",
      ifs: null,
      dominant_horizons: [],
      relative_vs_sector: {},
      growth: null,
      valuation: null,
      industry_performance_status: null,
    });
    const d = buildDataConfidence({
      coverage,
      layer_status,
      flags: {
        has_profile: true,
        has_financials: true,
        has_valuation: false,
        has_performance: true,
        has_fgos: true,
      },
      interpretation_context: {
        industry_cadence: "medium",
        structural_horizon_min_years: 3,
        dominant_horizons_used: ["6M", "1Y", "2Y", "3Y"],
      },
      fundamentals: {
        fundamentals_years_count: 5,
        fundamentals_first_year: 2019,
        fundamentals_last_year: 2023,
      },
    });
    expect(d).toMatchObject({
      confidence_level: "high",
      limiting_factor: "none",
      has_valuation: false,
      fundamentals_years_count: 5,
      interpretation_context: { structural_horizon_min_years: 3 },
    });
    expect(d.layer_status.valuation.state).toBe("pending_recalculation");
  });
});
