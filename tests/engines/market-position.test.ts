import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { calculateMarketPosition } from "../../engines/index.ts";
import { arbBenchmark, bm, maybeNumber, noBrokenNumbers } from "./helpers.ts";

const benchmarks = {
  roic: bm([0.02, 0.05, 0.1, 0.15, 0.2], "high"),
  operating_margin: bm([0, 0.05, 0.1, 0.15, 0.2], "low", 5),
  revenue_cagr: bm([-0.05, 0, 0.04, 0.08, 0.12], "high"),
};
const input = {
  sector: "Technology",
  market_cap: 1e9,
  roic: 0.18,
  operating_margin: 0.12,
  revenue_growth: 0.03,
};

describe("calculateMarketPosition (spec §15)", () => {
  it("roic 90, margin 75, growth 50 → mean 71.7 → strong, medium, computed [computed by hand]", () => {
    const r = calculateMarketPosition(input, benchmarks);
    expect(r).toEqual({
      status: "computed",
      sector: "Technology",
      components: {
        profitability: { roic_percentile: 90, margin_percentile: 75 },
        growth: { revenue_growth_percentile: 50 },
      },
      summary: "strong",
      confidence: "medium",
      reasons: [],
    });
  });

  it("pending without a sector, benchmarks, or any matching metric", () => {
    expect(calculateMarketPosition({ ...input, sector: null }, benchmarks)).toMatchObject({
      status: "pending",
      sector: "Unknown",
      reasons: ["Sector not defined"],
      summary: "average",
      confidence: "low",
    });
    expect(calculateMarketPosition(input, null).reasons).toEqual([
      "Benchmarks not available for sector",
    ]);
    expect(
      calculateMarketPosition(
        { ...input, roic: null, operating_margin: null, revenue_growth: null },
        benchmarks,
      ).reasons,
    ).toEqual(["No matching benchmarks found for available data"]);
  });

  it("scores size when a market_cap benchmark exists; one reading caps confidence at medium", () => {
    const r = calculateMarketPosition(
      { ...input, roic: null, operating_margin: null, revenue_growth: null },
      { market_cap: bm([1e8, 5e8, 1e9, 5e9, 1e10]) },
    );
    expect(r.components.size).toEqual({ market_cap_percentile: 50 });
    expect(r.confidence).toBe("medium");
  });

  it("mostly low benchmarks → low confidence", () => {
    const low = bm([0, 0.05, 0.1, 0.15, 0.2], "low", 5);
    const r = calculateMarketPosition(input, {
      roic: low,
      operating_margin: low,
      revenue_cagr: benchmarks.revenue_cagr,
    });
    expect(r.confidence).toBe("low");
  });

  it("property: never NaN; percentiles within 0..100", () => {
    fc.assert(
      fc.property(arbBenchmark, maybeNumber(-10, 10), maybeNumber(-10, 10), (b, roic, g) => {
        const r = calculateMarketPosition(
          { sector: "X", market_cap: null, roic, operating_margin: roic, revenue_growth: g },
          { roic: b, operating_margin: b, revenue_cagr: b },
        );
        expect(noBrokenNumbers(r)).toBe(true);
      }),
    );
  });
});
