import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  calculateDividendQuality,
  type DividendYear,
  payoutRatioScore,
} from "../../engines/index.ts";
import { maybeNumber, noBrokenNumbers, shuffle } from "./helpers.ts";

const year = (y: number, over: Partial<DividendYear> = {}): DividendYear => ({
  year: y,
  has_dividend: true,
  dividend_per_share: 1,
  payout_eps: 40,
  payout_fcf: 50,
  net_income: 100,
  free_cash_flow: 80,
  ...over,
});
const span = (n: number, f: (i: number) => Partial<DividendYear> = () => ({})) =>
  Array.from({ length: n }, (_, i) => year(2014 + i, f(i)));

describe("calculateDividendQuality (spec §12 vectors)", () => {
  it("10 steady years, payout 40/50 → 87.5 high, 80; axes 100/70/90/65 [orig-test + computed]", () => {
    const r = calculateDividendQuality(span(10));
    expect(r.score).toBeCloseTo(87.5, 9);
    expect(r.band).toBe("high");
    expect(r.confidence).toBe(80);
    expect(r.axes).toEqual({
      consistency: 100,
      growth_reliability: 70,
      payout_sustainability: 90,
      capital_discipline: 65,
    });
  });

  it("alternate years paying → consistency 20 (orig: <80), score 55 [computed]", () => {
    const r = calculateDividendQuality(
      span(10, (i) => (i % 2 === 0 ? {} : { has_dividend: false, dividend_per_share: 0 })),
    );
    expect(r.axes.consistency).toBe(20);
    expect(r.score).toBeCloseTo(55, 9);
  });

  it("6 years of losses while paying → discipline 20 (orig: <50), payout 40, score 68 [computed]", () => {
    const r = calculateDividendQuality(span(6, () => ({ net_income: -10, free_cash_flow: -5 })));
    expect(r.axes.capital_discipline).toBe(20);
    expect(r.axes.payout_sustainability).toBe(40);
    expect(r.score).toBeCloseTo(68, 9);
  });

  it("2019 paying, 2020 loss and paused, 2021 paying → discipline 66.67 (orig: >55) [computed]", () => {
    const r = calculateDividendQuality([
      year(2019),
      year(2020, { has_dividend: false, dividend_per_share: 0, net_income: -10 }),
      year(2021),
    ]);
    expect(r.axes.capital_discipline).toBeCloseTo(66.6667, 4);
  });

  it("empty → all null, 0 years", () => {
    expect(calculateDividendQuality([])).toEqual({
      score: null,
      band: null,
      confidence: null,
      axes: {
        consistency: null,
        payout_sustainability: null,
        growth_reliability: null,
        capital_discipline: null,
      },
      years_analyzed: 0,
    });
  });

  it("decision: a null payout ratio over a loss scores as a payout out of losses", () => {
    const r = calculateDividendQuality(
      span(3, () => ({ payout_eps: null, payout_fcf: null, net_income: -10, free_cash_flow: -5 })),
    );
    // 20 per ratio, minus 25 and 25 → clamped to 0.
    expect(r.axes.payout_sustainability).toBe(0);
    const unknown = calculateDividendQuality(
      span(3, () => ({
        payout_eps: null,
        payout_fcf: null,
        net_income: null,
        free_cash_flow: null,
      })),
    );
    expect(unknown.axes.payout_sustainability).toBeNull();
  });

  it("payout ratio bands (percent)", () => {
    expect(
      [-5, 0, 10, 15, 29, 30, 70, 71, 90, 95, 100, 101, 150, 151].map(payoutRatioScore),
    ).toEqual([20, 20, 60, 80, 80, 90, 90, 70, 70, 60, 60, 25, 25, 10]);
  });

  it("growth reliability: rising then falling dividends lose 15", () => {
    const dps = [1, 1.1, 1.0, 1.1];
    const r = calculateDividendQuality(span(4, (i) => ({ dividend_per_share: dps[i]! })));
    expect(r.axes.growth_reliability).toBeLessThan(70 - 15 + 1);
  });

  it("property: score in 0..100 or null, never NaN, independent of row order", () => {
    const row = fc.record({
      has_dividend: fc.option(fc.boolean(), { nil: null }),
      dividend_per_share: maybeNumber(-1, 10),
      payout_eps: maybeNumber(-200, 400),
      payout_fcf: maybeNumber(-200, 400),
      net_income: maybeNumber(-1e3, 1e3),
      free_cash_flow: maybeNumber(-1e3, 1e3),
    });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 14 }), fc.integer(), (rs, seed) => {
        const rows = rs.map((r, i) => ({ year: 2010 + i, ...r }));
        const q = calculateDividendQuality(rows);
        expect(noBrokenNumbers(q)).toBe(true);
        if (q.score !== null) {
          expect(q.score).toBeGreaterThanOrEqual(0);
          expect(q.score).toBeLessThanOrEqual(100);
        }
        expect(calculateDividendQuality(shuffle(rows, seed))).toEqual(q);
      }),
    );
  });
});
