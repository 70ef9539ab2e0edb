import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  cagr,
  type FinancialRow,
  fundamentalsGrowth,
  growthInputs,
  horizonYears,
} from "../../engines/index.ts";
import { maybeNumber, noBrokenNumbers, shuffle } from "./helpers.ts";

const fy = (
  year: number,
  revenue: number | null,
  net_income: number | null,
  fcf: number | null,
): FinancialRow => ({
  period_type: "FY",
  period_label: String(year),
  period_end_date: `${year}-12-31`,
  revenue,
  net_income,
  free_cash_flow: fcf,
});

// The spec's §3.10 vector gives YoY growth rates per fiscal year (rev, ni, fcf):
// 2023 (.10,.20,.05), 2022 (.08,.10,−.05), 2021 (.12,.30,.10), 2020 (.05,−.10,.02),
// 2019 (.04,.05,.01). Our engine reads levels from FY rows, so the levels are rebuilt
// from a 2018 base of 100 for each series.
function specHistory(): FinancialRow[] {
  const growth: Record<number, [number, number, number]> = {
    2019: [0.04, 0.05, 0.01],
    2020: [0.05, -0.1, 0.02],
    2021: [0.12, 0.3, 0.1],
    2022: [0.08, 0.1, -0.05],
    2023: [0.1, 0.2, 0.05],
  };
  const rows = [fy(2018, 100, 100, 100)];
  let level: [number, number, number] = [100, 100, 100];
  for (let y = 2019; y <= 2023; y++) {
    const g = growth[y]!;
    level = [level[0] * (1 + g[0]), level[1] * (1 + g[1]), level[2] * (1 + g[2])];
    rows.push(fy(y, ...level));
  }
  return rows;
}

describe("cagr", () => {
  it("is the compound annual rate", () => {
    expect(cagr(100, 121, 2)).toBeCloseTo(0.1, 12);
    expect(cagr(100, 0, 3)).toBe(-1);
  });
  it("is null for a non-positive start, a negative end or a missing value", () => {
    expect(cagr(0, 100, 3)).toBeNull();
    expect(cagr(-50, 100, 3)).toBeNull();
    expect(cagr(100, -10, 3)).toBeNull();
    expect(cagr(null, 100, 3)).toBeNull();
  });
});

describe("growthInputs (spec §3.10, decision: true CAGRs from FY rows)", () => {
  it("spec vector: revenue .10, earnings .20, fcf .0333 become true 3-year CAGRs", () => {
    // Decision: the original averaged the last three YoY rates (arithmetic mean). A true
    // CAGR over 2020→2023 compounds them instead: (1.12·1.08·1.10)^(1/3) − 1 and so on.
    const g = growthInputs(specHistory());
    expect(g.revenue_cagr).toBeCloseTo((1.12 * 1.08 * 1.1) ** (1 / 3) - 1, 12);
    expect(g.revenue_cagr).toBeCloseTo(0.09988, 5);
    expect(g.earnings_cagr).toBeCloseTo((1.3 * 1.1 * 1.2) ** (1 / 3) - 1, 12);
    expect(g.earnings_cagr).toBeCloseTo(0.1972, 4);
    expect(g.fcf_cagr).toBeCloseTo((1.1 * 0.95 * 1.05) ** (1 / 3) - 1, 12);
    expect(g.fcf_cagr).toBeCloseTo(0.0314, 4);
  });

  it("falls back to 2 years when the 3-year start is missing or not positive", () => {
    const rows = [
      fy(2020, -5, null, 100),
      fy(2021, 100, 100, 100),
      fy(2022, 110, 100, 100),
      fy(2023, 121, 100, 100),
    ];
    const g = growthInputs(rows);
    expect(g.revenue_cagr).toBeCloseTo(0.1, 12);
    expect(g.earnings_cagr).toBeCloseTo(0, 12);
    expect(g.fcf_cagr).toBeCloseTo(0, 12);
  });

  it("is null when a year of the span is missing: a null never counts as 0 %", () => {
    const rows = [fy(2020, 100, 100, 100), fy(2021, 100, null, 100), fy(2023, 121, 100, 100)];
    expect(growthInputs(rows)).toEqual({ revenue_cagr: null, earnings_cagr: null, fcf_cagr: null });
  });

  it("uses FY rows only and respects the as-of date", () => {
    const rows = [
      fy(2020, 100, 100, 100),
      fy(2021, 110, 100, 100),
      fy(2022, 121, 100, 100),
      { ...fy(2023, 1000, 100, 100), period_type: "TTM" },
      { ...fy(2023, 1000, 100, 100), period_type: "Q", period_label: "2023Q1" },
      fy(2024, 5000, 100, 100),
    ];
    expect(growthInputs(rows, "2023-12-31").revenue_cagr).toBeCloseTo(0.1, 12);
  });

  it("is all null with no FY rows", () => {
    expect(growthInputs([])).toEqual({ revenue_cagr: null, earnings_cagr: null, fcf_cagr: null });
  });
});

describe("fundamentalsGrowth status (spec §3.10)", () => {
  it("established → moderate_growth / high, coverage 2/2 [computed]", () => {
    const g = fundamentalsGrowth(specHistory(), { maturity: "established" });
    expect(g.status).toBe("moderate_growth");
    expect(g.confidence).toBe("high");
    expect(g.coverage).toEqual({ valid_windows: 2, required_windows: 2 });
  });

  it("developing → stable_growth / medium, coverage 3/2 [computed]", () => {
    const g = fundamentalsGrowth(specHistory(), { maturity: "developing" });
    expect(g.status).toBe("stable_growth");
    expect(g.confidence).toBe("medium");
    expect(g.coverage).toEqual({ valid_windows: 3, required_windows: 2 });
  });

  it("early with only 2 growth rows → pending, 0/1 [computed]", () => {
    const g = fundamentalsGrowth(specHistory().slice(-3), { maturity: "early" });
    expect(g.status).toBe("pending");
    expect(g.confidence).toBe("low");
    expect(g.coverage).toEqual({ valid_windows: 0, required_windows: 1 });
    expect(g.reasons).toEqual(["Insufficient history for structural horizon"]);
  });

  it("early with a structural window → emerging or inconsistent growth", () => {
    const up = [fy(2020, 100, 1, 1), fy(2021, 110, 1, 1), fy(2022, 120, 1, 1), fy(2023, 130, 1, 1)];
    expect(fundamentalsGrowth(up, { maturity: "early" }).status).toBe("emerging_growth");
    const down = [
      fy(2020, 130, 1, 1),
      fy(2021, 120, 1, 1),
      fy(2022, 110, 1, 1),
      fy(2023, 100, 1, 1),
    ];
    expect(fundamentalsGrowth(down, { maturity: "early" }).status).toBe("inconsistent_growth");
  });

  it("developing with accelerating growth → improving_growth", () => {
    const rows = [
      fy(2020, 100, 1, 1),
      fy(2021, 101, 1, 1),
      fy(2022, 102, 1, 1),
      fy(2023, 140, 1, 1),
    ];
    expect(fundamentalsGrowth(rows, { maturity: "developing" }).status).toBe("improving_growth");
  });

  it("established without a 5-year window → pending / medium", () => {
    const g = fundamentalsGrowth(specHistory().slice(-4), { maturity: "established" });
    expect(g.status).toBe("pending");
    expect(g.confidence).toBe("medium");
    expect(g.coverage).toEqual({ valid_windows: 1, required_windows: 2 });
  });

  it("reads horizons in years and ignores months", () => {
    expect(horizonYears(["3M", "6M", "1Y", "2Y", "3A", "junk"])).toEqual([1, 2, 3]);
  });

  it("property: never NaN, independent of row order", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 2010, max: 2024 }),
            maybeNumber(-1e4, 1e4),
            maybeNumber(-1e4, 1e4),
            maybeNumber(-1e4, 1e4),
          ),
        ),
        fc.constantFrom("early", "developing", "established" as const),
        fc.integer(),
        (spec, maturity, seed) => {
          const byYear = new Map(spec.map(([y, r, n, f]) => [y, fy(y, r, n, f)]));
          const rows = [...byYear.values()];
          const g = fundamentalsGrowth(rows, { maturity });
          expect(noBrokenNumbers(g)).toBe(true);
          expect(fundamentalsGrowth(shuffle(rows, seed), { maturity })).toEqual(g);
        },
      ),
    );
  });
});
