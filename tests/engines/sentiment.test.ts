import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  calculateSentiment,
  sentimentTimeline,
  type ValuationMultiples,
} from "../../engines/index.ts";
import { maybeNumber, noBrokenNumbers, shuffle } from "./helpers.ts";

const v = (
  pe: number | null,
  ev: number | null,
  pfcf: number | null,
  ps: number | null,
): ValuationMultiples => ({ pe_ratio: pe, ev_ebitda: ev, price_to_fcf: pfcf, price_to_sales: ps });

describe("calculateSentiment (spec §9.3 vectors)", () => {
  it("null → pending [orig-test]", () => {
    expect(calculateSentiment(null)).toEqual({
      value: null,
      band: null,
      confidence: null,
      status: "pending",
      signals: null,
    });
  });

  it("TTM (20,12,18,4), 1A (15,10,15,3) → 56 neutral 17 partial; rel_dev .2667; consistency 70", () => {
    const r = calculateSentiment({
      TTM: v(20, 12, 18, 4),
      TTM_1A: v(15, 10, 15, 3),
      TTM_3A: null,
      TTM_5A: null,
    });
    expect(r).toMatchObject({ value: 56, band: "neutral", confidence: 17, status: "partial" });
    expect(r.signals!.relative_deviation).toBeCloseTo(0.2667, 4);
    expect(r.signals!.directional_consistency).toBe(70);
  });

  it("TTM (30,18,25,6), 1A (20,12,18,4), 3A (15,10,15,3) → 71 optimistic 33 computed; intensity 93", () => {
    const r = calculateSentiment({
      TTM: v(30, 18, 25, 6),
      TTM_1A: v(20, 12, 18, 4),
      TTM_3A: v(15, 10, 15, 3),
      TTM_5A: null,
    });
    expect(r).toMatchObject({ value: 71, band: "optimistic", confidence: 33, status: "computed" });
    expect(r.signals!.rerating_intensity_penalty).toBe(93);
  });

  it("TTM (10,6,8,2), 1A (15,10,15,3), 3A (20,12,18,4) → 35 pessimistic 33 computed", () => {
    const r = calculateSentiment({
      TTM: v(10, 6, 8, 2),
      TTM_1A: v(15, 10, 15, 3),
      TTM_3A: v(20, 12, 18, 4),
      TTM_5A: null,
    });
    expect(r).toMatchObject({ value: 35, band: "pessimistic", confidence: 33, status: "computed" });
  });

  it("TTM (80,50,70,12), 1A (20,12,18,4) → 72 optimistic 17 partial; intensity 63", () => {
    const r = calculateSentiment({
      TTM: v(80, 50, 70, 12),
      TTM_1A: v(20, 12, 18, 4),
      TTM_3A: null,
      TTM_5A: null,
    });
    expect(r).toMatchObject({ value: 72, band: "optimistic", confidence: 17, status: "partial" });
    expect(r.signals!.rerating_intensity_penalty).toBe(63);
  });

  it("TTM (−5,null,0,4), 1A (20,12,18,4) → 50 neutral 7 partial, only P/S scored", () => {
    const r = calculateSentiment({
      TTM: v(-5, null, 0, 4),
      TTM_1A: v(20, 12, 18, 4),
      TTM_3A: null,
      TTM_5A: null,
    });
    expect(r).toMatchObject({ value: 50, band: "neutral", confidence: 7, status: "partial" });
    expect(Object.keys(r.components!)).toEqual(["price_to_sales"]);
  });

  it("the same row at all 4 horizons → 50 neutral 40 computed (the engine as specified)", () => {
    const row = v(20, 12, 18, 4);
    expect(calculateSentiment({ TTM: row, TTM_1A: row, TTM_3A: row, TTM_5A: row })).toMatchObject({
      value: 50,
      band: "neutral",
      confidence: 40,
      status: "computed",
    });
  });

  it("property: value and confidence in range or null, never NaN, confidence ≤ 40", () => {
    const mult = fc.option(
      fc.record({
        pe_ratio: maybeNumber(-50, 500),
        ev_ebitda: maybeNumber(-50, 500),
        price_to_fcf: maybeNumber(-50, 500),
        price_to_sales: maybeNumber(-50, 500),
      }),
      { nil: null },
    );
    fc.assert(
      fc.property(mult, mult, mult, mult, (a, b, c, d) => {
        const r = calculateSentiment({ TTM: a, TTM_1A: b, TTM_3A: c, TTM_5A: d });
        expect(noBrokenNumbers(r)).toBe(true);
        if (r.value !== null) {
          expect(r.value).toBeGreaterThanOrEqual(0);
          expect(r.value).toBeLessThanOrEqual(100);
          expect(r.confidence!).toBeLessThanOrEqual(40);
        } else {
          expect(r.status).toBe("pending");
        }
      }),
    );
  });
});

describe("sentimentTimeline (decision: latest TTM row ≤ target, within 183 days)", () => {
  const row = (valuation_date: string, pe: number, denominator_type = "TTM") => ({
    valuation_date,
    denominator_type,
    pe_ratio: pe,
    ev_ebitda: null,
    price_to_fcf: null,
    price_to_sales: null,
  });

  it("takes the latest TTM row on or before each target", () => {
    const rows = [
      row("2024-06-28", 20),
      row("2024-07-01", 99),
      row("2024-06-30", 21, "FY"),
      row("2023-06-15", 15),
      row("2021-05-01", 12),
      row("2019-07-01", 10),
    ];
    const t = sentimentTimeline(shuffle(rows, 3), "2024-06-30");
    expect(t.TTM?.pe_ratio).toBe(20);
    expect(t.TTM_1A?.pe_ratio).toBe(15);
    expect(t.TTM_3A?.pe_ratio).toBe(12);
    // 2019-07-01 is after the 5-year target (2019-06-30): no row for 5A.
    expect(t.TTM_5A).toBeNull();
  });

  it("one valuation row fills TTM only, so sentiment is pending instead of a fake 'computed' 50", () => {
    const t = sentimentTimeline([row("2024-06-28", 20)], "2024-06-30");
    expect(t.TTM_1A).toBeNull();
    expect(calculateSentiment(t).status).toBe("pending");
  });

  it("a row older than the staleness limit does not stand in for a horizon", () => {
    const t = sentimentTimeline([row("2024-06-28", 20), row("2022-06-30", 15)], "2024-06-30");
    expect(t.TTM_1A).toBeNull();
    expect(
      sentimentTimeline([row("2024-06-28", 20), row("2022-06-30", 15)], "2024-06-30", 400).TTM_1A
        ?.pe_ratio,
    ).toBe(15);
  });
});
