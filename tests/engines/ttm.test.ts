import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  areConsecutiveQuarters,
  computeTtmV2,
  type QuarterRow,
  quarterOrdinal,
  quarterWindows,
  ttmValuationMultiples,
  ttmValuationRow,
} from "../../engines/index.ts";
import { maybeNumber, noBrokenNumbers } from "./helpers.ts";

const ENDS = ["2023-03-31", "2023-06-30", "2023-09-30", "2023-12-31"];

function quarters(over: Partial<QuarterRow>[] = []): QuarterRow[] {
  const rev = [100, 110, 120, 130];
  const ni = [10, 12, 13, 15];
  const fcf = [8, 9, 10, 13];
  return ENDS.map((end, i) => ({
    period_end_date: end,
    period_label: `2023Q${i + 1}`,
    revenue: rev[i]!,
    ebitda: 25,
    net_income: ni[i]!,
    free_cash_flow: fcf[i]!,
    weighted_shares_out: i === 3 ? 10 : 9,
    total_debt: i === 3 ? 300 : 1,
    cash_and_equivalents: i === 3 ? 100 : 1,
    ...over[i],
  }));
}

describe("computeTtmV2 (spec §5.3 vectors)", () => {
  it("vector 1: sums, EPS 5, net debt 200; at price 40: PE 8, EV/EBITDA 6, P/S .8696, P/FCF 10", () => {
    const ttm = computeTtmV2(quarters());
    expect(ttm).toEqual({
      revenue_ttm: 460,
      ebitda_ttm: 100,
      net_income_ttm: 50,
      eps_ttm: 5,
      free_cash_flow_ttm: 40,
      net_debt: 200,
    });
    const mult = ttmValuationMultiples(ttm, 40, 10);
    expect(mult.market_cap).toBe(400);
    expect(mult.enterprise_value).toBe(600);
    expect(mult.pe_ratio).toBe(8);
    expect(mult.ev_ebitda).toBe(6);
    expect(mult.price_to_sales).toBeCloseTo(0.8696, 4);
    expect(mult.price_to_fcf).toBe(10);
  });

  it("vector 2: a null quarter nulls that sum only; null Q4 cash nulls net debt", () => {
    const ttm = computeTtmV2(quarters([{}, { revenue: null }, {}, { cash_and_equivalents: null }]));
    expect(ttm.revenue_ttm).toBeNull();
    expect(ttm.net_debt).toBeNull();
    expect(ttm.ebitda_ttm).toBe(100);
    expect(ttm.net_income_ttm).toBe(50);
    expect(ttm.free_cash_flow_ttm).toBe(40);
  });

  it("vector 3: losses and negative shares → EPS, PE, EV/EBITDA, P/FCF and market cap null", () => {
    const neg = quarters(
      [-10, -12, -13, -15].map((ni, i) => ({
        net_income: ni,
        ebitda: -5,
        free_cash_flow: -3,
        weighted_shares_out: i === 3 ? -3 : 1,
      })),
    );
    const ttm = computeTtmV2(neg);
    expect(ttm.eps_ttm).toBeNull();
    const mult = ttmValuationMultiples(ttm, 40, neg[3]!.weighted_shares_out);
    expect(mult.market_cap).toBeNull();
    expect(mult.pe_ratio).toBeNull();
    expect(mult.ev_ebitda).toBeNull();
    expect(mult.price_to_fcf).toBeNull();
  });

  it("vector 4: one quarter throws", () => {
    expect(() => computeTtmV2(quarters().slice(0, 1))).toThrow(
      "requires exactly 4 quarters, got 1",
    );
  });

  it("non-positive denominators give null multiples", () => {
    const ttm = computeTtmV2(quarters([{ net_income: -100 }, { ebitda: -100 }]));
    const mult = ttmValuationMultiples(ttm, 40, 10);
    expect(mult.pe_ratio).toBeNull();
    expect(mult.ev_ebitda).toBeNull();
    expect(mult.price_to_sales).not.toBeNull();
  });

  it("property: never NaN with any nulls in 4 quarters; throws only on a wrong count", () => {
    const q = fc.record({
      revenue: maybeNumber(),
      ebitda: maybeNumber(),
      net_income: maybeNumber(),
      free_cash_flow: maybeNumber(),
      weighted_shares_out: maybeNumber(-10, 1e6),
      total_debt: maybeNumber(),
      cash_and_equivalents: maybeNumber(),
    });
    fc.assert(
      fc.property(fc.array(q, { minLength: 4, maxLength: 4 }), maybeNumber(0, 1e3), (qs, price) => {
        const rows = qs.map((x, i) => ({
          ...x,
          period_end_date: ENDS[i]!,
          period_label: `2023Q${i + 1}`,
        }));
        const ttm = computeTtmV2(rows);
        expect(noBrokenNumbers(ttm)).toBe(true);
        expect(
          noBrokenNumbers(ttmValuationMultiples(ttm, price, rows[3]!.weighted_shares_out)),
        ).toBe(true);
      }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 8 }).filter((n) => n !== 4),
        (n) => {
          const rows = Array.from({ length: n }, () => quarters()[0]!);
          expect(() => computeTtmV2(rows)).toThrow();
        },
      ),
    );
  });
});

describe("TTM valuation rows (spec §5.2, decision: consecutive quarters)", () => {
  const prices = [
    { price_date: "2023-12-29", close: 40 },
    { price_date: "2024-01-02", close: 45 },
  ];

  it("builds the datos_valuacion_ttm row at the latest close on or before the quarter end", () => {
    const out = ttmValuationRow(quarters(), prices);
    expect("row" in out).toBe(true);
    if (!("row" in out)) return;
    expect(out.row).toMatchObject({
      valuation_date: "2023-12-31",
      price: 40,
      price_date: "2023-12-29",
      pe_ratio: 8,
      ev_ebitda: 6,
      price_to_fcf: 10,
      quarters_used: "2023Q1,2023Q2,2023Q3,2023Q4",
    });
  });

  it("skips non-consecutive quarters, missing prices and short windows", () => {
    const gap = quarters([{}, {}, {}, { period_label: "2024Q1", period_end_date: "2024-03-31" }]);
    expect(ttmValuationRow(gap, prices)).toEqual({ skipped: "quarters_not_consecutive" });
    expect(ttmValuationRow(quarters(), [])).toEqual({ skipped: "no_price" });
    expect(ttmValuationRow(quarters().slice(1), prices)).toEqual({
      skipped: "fewer_than_4_quarters",
    });
  });

  it("consecutive by fiscal label only, across a year end; dates never decide", () => {
    const labels = (...l: string[]) => l.map((period_label) => ({ period_label }));
    expect(areConsecutiveQuarters(labels("2022Q3", "2022Q4", "2023Q1", "2023Q2"))).toBe(true);
    expect(areConsecutiveQuarters(labels("2022Q4", "2023Q2"))).toBe(false);
    expect(areConsecutiveQuarters(labels("2023Q1", "2022Q4"))).toBe(false);
    // Quarter ends 91 days apart do not make unlabelled quarters consecutive.
    expect(areConsecutiveQuarters(labels("x", "y"))).toBe(false);
    expect(quarterOrdinal("2026Q1")! - quarterOrdinal("2025Q4")!).toBe(1);
    expect(quarterOrdinal("2025")).toBeNull();
  });

  it("windows of 4 in date order", () => {
    const qs = [
      ...quarters(),
      { ...quarters()[0]!, period_end_date: "2024-03-31", period_label: "2024Q1" },
    ];
    const w = quarterWindows([...qs].reverse());
    expect(w).toHaveLength(2);
    expect(w[1]!.map((q) => q.period_label)).toEqual(["2023Q2", "2023Q3", "2023Q4", "2024Q1"]);
  });
});
