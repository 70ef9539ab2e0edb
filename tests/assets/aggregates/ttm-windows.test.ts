/**
 * datos_valuacion_ttm's pure parts: windows of 4 quarters consecutive by fiscal period,
 * labels by fiscal year, point in time, the price lookback, change detection and chunks.
 */
import { describe, expect, it } from "vitest";
import {
  chunkBounds,
  engineQuarter,
  PRICE_LOOKBACK_DAYS,
  priceDates,
  type QuarterInput,
  ttmWindows,
  valueWindow,
  windowUnchanged,
} from "../../../assets/datos_valuacion_ttm.ts";

/** A fiscal year ending in June: fiscal Q1 ends 30 September of the year before. */
const JUNE_QUARTER_ENDS: Record<string, [number, string]> = {
  Q1: [-1, "09-30"],
  Q2: [-1, "12-31"],
  Q3: [0, "03-31"],
  Q4: [0, "06-30"],
};

function quarter(
  fiscalYear: number,
  period: "Q1" | "Q2" | "Q3" | "Q4",
  over: Partial<QuarterInput> = {},
): QuarterInput {
  const [shift, monthDay] = JUNE_QUARTER_ENDS[period]!;
  const end = `${fiscalYear + shift}-${monthDay}`;
  return {
    ticker: "ACME",
    fiscal_year: fiscalYear,
    fiscal_period: period,
    period_end_date: end,
    filing_date: end,
    revenue: 100,
    ebitda: 25,
    net_income: 10,
    free_cash_flow: 8,
    weighted_shares_out: 10,
    total_debt: 300,
    cash_and_equivalents: 100,
    ...over,
  };
}

// Filing ~4 weeks after the quarter end; a December quarter files in January of the next year.
function filed(q: QuarterInput): QuarterInput {
  const [y, m] = q.period_end_date.split("-").map(Number) as [number, number];
  const month = m === 12 ? 1 : m + 1;
  const year = m === 12 ? y + 1 : y;
  return { ...q, filing_date: `${year}-${String(month).padStart(2, "0")}-28` };
}

const FY2026 = (["Q1", "Q2", "Q3", "Q4"] as const).map((p) => filed(quarter(2026, p)));
const FY2027 = (["Q1", "Q2"] as const).map((p) => filed(quarter(2027, p)));

describe("engineQuarter", () => {
  it("labels a quarter by its fiscal year, not the calendar year of its end", () => {
    const q = engineQuarter(FY2026[0]!)!;
    expect(q.period_end_date).toBe("2025-09-30");
    expect(q.period_label).toBe("2026Q1");
    expect(engineQuarter({ ...FY2026[0]!, fiscal_period: "FY" })).toBeNull();
  });
});

describe("ttmWindows", () => {
  it("gives one window per quarter closing 4 consecutive ones, across fiscal years", () => {
    const { windows, notConsecutive } = ttmWindows("ACME", [...FY2027, ...FY2026], "2027-06-01");
    expect(windows.map((w) => w.quarters_used)).toEqual([
      "2026Q1,2026Q2,2026Q3,2026Q4",
      "2026Q2,2026Q3,2026Q4,2027Q1",
      "2026Q3,2026Q4,2027Q1,2027Q2",
    ]);
    expect(windows.map((w) => w.valuation_date)).toEqual([
      "2026-06-30",
      "2026-09-30",
      "2026-12-31",
    ]);
    expect(windows[2]!.filing_date).toBe("2027-01-28");
    expect(notConsecutive).toBe(0);
  });

  it("skips windows with a fiscal gap, even when the dates look quarterly", () => {
    // Fiscal 2026 Q3 is missing, and Q4 is relabelled as if it followed Q2.
    const gap = [
      FY2026[0]!,
      FY2026[1]!,
      { ...FY2026[3]!, period_end_date: "2026-03-31" },
      FY2027[0]!,
    ];
    const { windows, notConsecutive } = ttmWindows("ACME", gap, "2027-06-01");
    expect(windows).toEqual([]);
    expect(notConsecutive).toBe(1);
  });

  it("sees only quarters filed and ended by the day (point in time)", () => {
    const all = [...FY2026, ...FY2027];
    // Fiscal 2027 Q1 (ends 2026-09-30) is filed 2026-10-28.
    expect(ttmWindows("ACME", all, "2026-10-27").windows.map((w) => w.valuation_date)).toEqual([
      "2026-06-30",
    ]);
    expect(ttmWindows("ACME", all, "2026-10-28").windows).toHaveLength(2);
    // A bogus filing date before the quarter ended does not let D see the quarter.
    const early = [...FY2026, { ...FY2027[0]!, filing_date: "2026-08-01" }];
    expect(ttmWindows("ACME", early, "2026-09-15").windows).toHaveLength(1);
  });

  it("sums flows and takes the latest quarter's balance sheet (engines §5.3 vector 1)", () => {
    const figures = [
      { revenue: 100, net_income: 10, free_cash_flow: 8 },
      { revenue: 110, net_income: 12, free_cash_flow: 9 },
      { revenue: 120, net_income: 13, free_cash_flow: 10 },
      { revenue: 130, net_income: 15, free_cash_flow: 13 },
    ];
    const quarters = FY2026.map((q, i) => ({ ...q, ...figures[i] }));
    const [w] = ttmWindows("ACME", quarters, "2026-12-01").windows;
    expect(w!.fundamentals).toEqual({
      revenue_ttm: 460,
      ebitda_ttm: 100,
      net_income_ttm: 50,
      eps_ttm: 5,
      free_cash_flow_ttm: 40,
      net_debt: 200,
    });
    const valued = valueWindow(w!, [{ price_date: "2026-06-30", close: 40 }], "stamp");
    expect(valued).toEqual({
      row: expect.objectContaining({
        ticker: "ACME",
        valuation_date: "2026-06-30",
        price: 40,
        price_date: "2026-06-30",
        market_cap: 400,
        enterprise_value: 600,
        pe_ratio: 8,
        ev_ebitda: 6,
        price_to_fcf: 10,
        quarters_used: "2026Q1,2026Q2,2026Q3,2026Q4",
        filing_date: "2026-07-28",
        updated_at: "stamp",
      }),
    });
    expect((valued as { row: { price_to_sales: number } }).row.price_to_sales).toBeCloseTo(
      0.8696,
      4,
    );
  });
});

describe("valueWindow prices", () => {
  const [w] = ttmWindows("ACME", FY2026, "2026-12-01").windows;

  it("takes the latest close on or before the quarter end, never after", () => {
    const prices = [
      { price_date: "2026-06-26", close: 30 },
      { price_date: "2026-06-29", close: 31 },
      { price_date: "2026-07-01", close: 99 },
    ];
    expect(valueWindow(w!, prices, "s")).toMatchObject({
      row: { price: 31, price_date: "2026-06-29" },
    });
  });

  it(`skips a quarter whose last close is more than ${PRICE_LOOKBACK_DAYS} days old`, () => {
    expect(valueWindow(w!, [{ price_date: "2026-06-19", close: 30 }], "s")).toEqual({
      skipped: "no_price",
    });
    expect(valueWindow(w!, [{ price_date: "2026-06-20", close: 30 }], "s")).toMatchObject({
      row: { price_date: "2026-06-20" },
    });
  });

  it("asks the price table for each quarter end and the days before it", () => {
    const dates = priceDates([w!]);
    expect(dates).toHaveLength(PRICE_LOOKBACK_DAYS + 1);
    expect(dates[0]).toBe("2026-06-20");
    expect(dates.at(-1)).toBe("2026-06-30");
  });
});

describe("windowUnchanged", () => {
  const [w] = ttmWindows("ACME", FY2026, "2026-12-01").windows;
  const stored = {
    ticker: "ACME",
    valuation_date: w!.valuation_date,
    quarters_used: w!.quarters_used,
    filing_date: w!.filing_date,
    ...w!.fundamentals,
  };

  it("is true only for a stored row built from the same quarters, filings and figures", () => {
    expect(windowUnchanged(w!, stored)).toBe(true);
    expect(windowUnchanged(w!, undefined)).toBe(false);
    expect(windowUnchanged(w!, { ...stored, filing_date: "2026-07-01" })).toBe(false);
    expect(windowUnchanged(w!, { ...stored, revenue_ttm: 401 })).toBe(false);
    expect(windowUnchanged(w!, { ...stored, quarters_used: "x" })).toBe(false);
  });
});

describe("chunkBounds", () => {
  it("cuts an ordered list into [first, last] slices", () => {
    expect(chunkBounds(["A", "B", "C", "D", "E"], 2)).toEqual([
      ["A", "B"],
      ["C", "D"],
      ["E", "E"],
    ]);
    expect(chunkBounds([], 2)).toEqual([]);
  });
});
