import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  calculateCompetitiveAdvantage,
  capitalDiscipline,
  type FinancialRow,
  operatingStability,
  returnPersistence,
} from "../../engines/index.ts";
import { maybeNumber, noBrokenNumbers, shuffle } from "./helpers.ts";

const years = (n: number, f: (i: number) => Partial<FinancialRow>): FinancialRow[] =>
  Array.from({ length: n }, (_, i) => ({
    period_type: "FY",
    period_label: String(2019 + i),
    period_end_date: `${2019 + i}-12-31`,
    ...f(i),
  }));

describe("calculateCompetitiveAdvantage (spec §10 vectors)", () => {
  it("5 FY at ROIC .20 → axis 1 ≈ 63 [orig-test]", () => {
    expect(
      calculateCompetitiveAdvantage(years(5, () => ({ roic: 0.2 }))).axes.return_persistence,
    ).toBeCloseTo(63, 9);
  });

  it("5 FY ROIC .2, margin .2, revenue and IC 100→140 → 63/80/52.5 → 66 defendable, 70 [computed]", () => {
    const r = calculateCompetitiveAdvantage(
      years(5, (i) => ({
        roic: 0.2,
        operating_margin: 0.2,
        revenue: 100 + 10 * i,
        invested_capital: 100 + 10 * i,
        weighted_shares_out: 1000,
      })),
    );
    expect(r.axes.return_persistence).toBeCloseTo(63, 9);
    expect(r.axes.operating_stability).toBeCloseTo(80, 9);
    expect(r.axes.capital_discipline).toBeCloseTo(52.5, 9);
    expect(r.score).toBeCloseTo(66, 9);
    expect(r.band).toBe("defendable");
    expect(r.confidence).toBe(70);
    expect(r.years_analyzed).toBe(5);
  });

  it("ROIC .05/.25 alternating → axis 1 49.98 (orig: <60) [computed]", () => {
    expect(returnPersistence([0.05, 0.25, 0.05, 0.25, 0.05])).toBeCloseTo(49.98, 2);
  });

  it("margins .2,.2,.05,.1,.15 → axis 2 64.67 (orig: <70) [computed]", () => {
    const margins = [0.2, 0.2, 0.05, 0.1, 0.15];
    const rows = years(5, (i) => ({ operating_margin: margins[i]! }));
    expect(operatingStability(rows, margins)).toBeCloseTo(64.67, 2);
  });

  it("shares +10 %/yr → axis 3 18.50 (orig: <50) [computed]", () => {
    const rows = years(5, (i) => ({ roic: 0.2, weighted_shares_out: 1000 * 1.1 ** i }));
    expect(
      capitalDiscipline(
        rows,
        rows.map((r) => r.roic ?? null),
      ),
    ).toBeCloseTo(18.5, 6);
  });

  it("2 FY at ROIC .2 → 62, defendable, 30 [computed]", () => {
    // Flat revenue and capital: no reinvestment pair (50), efficiency 50, no dilution.
    const r = calculateCompetitiveAdvantage(
      years(2, () => ({ roic: 0.2, operating_margin: 0.2, revenue: 100, invested_capital: 100 })),
    );
    expect(r.score).toBeCloseTo(62, 9);
    expect(r.band).toBe("defendable");
    expect(r.confidence).toBe(30);
  });

  it("1 FY at ROIC .08, margin .05 → 9.6, weak, 30 [computed]", () => {
    const r = calculateCompetitiveAdvantage(
      years(1, () => ({ roic: 0.08, operating_margin: 0.05 })),
    );
    expect(r.score).toBeCloseTo(9.6, 9);
    expect(r.band).toBe("weak");
    expect(r.confidence).toBe(30);
  });

  it("empty → score null, band null, confidence 0", () => {
    expect(calculateCompetitiveAdvantage([])).toEqual({
      score: null,
      band: null,
      confidence: 0,
      axes: { return_persistence: null, operating_stability: null, capital_discipline: null },
      years_analyzed: 0,
    });
  });

  it("falls back to ROE and net margin; ignores Q and TTM rows", () => {
    const rows = [
      ...years(3, () => ({ roe: 0.2, net_margin: 0.2 })),
      { period_type: "Q", period_end_date: "2022-03-31", roic: -5 },
    ];
    const r = calculateCompetitiveAdvantage(rows);
    expect(r.years_analyzed).toBe(3);
    expect(r.axes.return_persistence).toBeCloseTo(63, 9);
  });

  it("caps the score at axis 1 + 20", () => {
    const r = calculateCompetitiveAdvantage(
      years(5, () => ({ roic: 0.01, operating_margin: 0.2, revenue: 100, invested_capital: 100 })),
    );
    expect(r.score).toBeLessThanOrEqual(r.axes.return_persistence! + 20);
  });

  it("property: score within 0..100 or null, never NaN, independent of row order", () => {
    const row = fc.record({
      roic: maybeNumber(-1, 1),
      operating_margin: maybeNumber(-1, 1),
      revenue: maybeNumber(-1e3, 1e3),
      invested_capital: maybeNumber(-1e3, 1e3),
      weighted_shares_out: maybeNumber(0, 1e3),
    });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 12 }), fc.integer(), (rs, seed) => {
        const rows = years(rs.length, (i) => rs[i]!);
        const r = calculateCompetitiveAdvantage(rows);
        expect(noBrokenNumbers(r)).toBe(true);
        if (r.score !== null) {
          expect(r.score).toBeGreaterThanOrEqual(0);
          expect(r.score).toBeLessThanOrEqual(100);
        }
        expect(calculateCompetitiveAdvantage(shuffle(rows, seed))).toEqual(r);
      }),
    );
  });
});
