import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  confidenceLayer,
  dimensionalConfidence,
  ipoAgeYears,
  volatilityClass,
  yearOverYearGrowth,
} from "../../engines/index.ts";

const dims = (count: number) => {
  const keys = ["growth", "profitability", "efficiency", "solvency", "moat", "sentiment"] as const;
  return Object.fromEntries(keys.map((k, i) => [k, i < count ? 50 : null])) as Record<
    (typeof keys)[number],
    number | null
  >;
};

describe("dimensionalConfidence (spec §3.7a)", () => {
  it("4 → 66/Medium, 5 → 83/High, 6 → 100/High, 1 → 16/Low [computed]", () => {
    expect(dimensionalConfidence(dims(4))).toMatchObject({ percent: 66, label: "Medium" });
    expect(dimensionalConfidence(dims(5))).toMatchObject({ percent: 83, label: "High" });
    expect(dimensionalConfidence(dims(6))).toMatchObject({ percent: 100, label: "High" });
    expect(dimensionalConfidence(dims(1))).toMatchObject({ percent: 16, label: "Low" });
  });

  it("takes only the values 0,16,33,50,66,83,100", () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => dimensionalConfidence(dims(n)).percent)).toEqual([
      0, 16, 33, 50, 66, 83, 100,
    ]);
    expect(dimensionalConfidence(dims(2)).label).toBe("Low");
    expect(dimensionalConfidence(dims(3)).label).toBe("Medium");
  });
});

describe("confidenceLayer (spec §3.7b)", () => {
  it("(10y, IPO 12, LOW, 0 missing) → 100/High/Mature [computed]", () => {
    expect(
      confidenceLayer({ fy_years: 10, ipo_years: 12, volatility: "LOW", missing_core_inputs: 0 }),
    ).toMatchObject({ percent: 100, label: "High", status: "Mature" });
  });
  it("(5, 10, MEDIUM, 0) → 64/Medium/Developing [computed]", () => {
    expect(
      confidenceLayer({ fy_years: 5, ipo_years: 10, volatility: "MEDIUM", missing_core_inputs: 0 }),
    ).toMatchObject({ percent: 64, label: "Medium", status: "Developing" });
  });
  it("(3, 2, MEDIUM, 0) → 28/Low/Early-stage [computed]", () => {
    expect(
      confidenceLayer({ fy_years: 3, ipo_years: 2, volatility: "MEDIUM", missing_core_inputs: 0 }),
    ).toMatchObject({ percent: 28, label: "Low", status: "Early-stage" });
  });
  it("(8, 10, LOW, 2) → 59/Medium/Incomplete [computed]", () => {
    expect(
      confidenceLayer({ fy_years: 8, ipo_years: 10, volatility: "LOW", missing_core_inputs: 2 }),
    ).toMatchObject({ percent: 59, label: "Medium", status: "Incomplete" });
  });
  it("unknown inputs take the defaults: .75 × 1 × .85 × .65 → 41/Low [computed]", () => {
    expect(
      confidenceLayer({
        fy_years: null,
        ipo_years: null,
        volatility: null,
        missing_core_inputs: 9,
      }),
    ).toMatchObject({ percent: 41, label: "Low", status: "Incomplete" });
  });
  it("property: percent within 0..100", () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 0, max: 40 }), { nil: null }),
        fc.option(fc.double({ min: 0, max: 80, noNaN: true }), { nil: null }),
        fc.constantFrom("LOW", "MEDIUM", "HIGH", null),
        fc.integer({ min: 0, max: 9 }),
        (fy, ipo, vol, missing) => {
          const l = confidenceLayer({
            fy_years: fy,
            ipo_years: ipo,
            volatility: vol as "LOW" | null,
            missing_core_inputs: missing,
          });
          expect(l.percent).toBeGreaterThanOrEqual(0);
          expect(l.percent).toBeLessThanOrEqual(100);
        },
      ),
    );
  });
});

describe("volatility and IPO age", () => {
  it("classes the std-dev of YoY revenue growth", () => {
    expect(volatilityClass([0.1, 0.12, 0.08])).toBe("LOW");
    expect(volatilityClass([0.5, -0.3])).toBe("MEDIUM");
    expect(volatilityClass([1, -0.5])).toBe("HIGH");
    expect(volatilityClass([0.1])).toBeNull();
  });
  it("YoY growth skips gaps and null or zero bases", () => {
    expect(
      yearOverYearGrowth([
        { fiscal_year: 2019, revenue: 100 },
        { fiscal_year: 2020, revenue: 110 },
        { fiscal_year: 2022, revenue: 150 },
        { fiscal_year: 2023, revenue: null },
      ]),
    ).toEqual([expect.closeTo(0.1, 12)]);
  });
  it("IPO age in years from an input date, never the clock", () => {
    expect(ipoAgeYears("2014-01-01", "2024-01-01")).toBeCloseTo(10, 2);
    expect(ipoAgeYears(null, "2024-01-01")).toBeNull();
  });
});
