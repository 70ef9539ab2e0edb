/** The performance family's pure math on hand-made price series: windows, returns, volatility, drawdown, aggregates, alpha. */
import { describe, expect, it } from "vitest";
import {
  DatesFrom,
  decimalValue,
  type PerformanceRow,
  rowProblem,
  stepRanges,
  unpackCloses,
} from "../../../assets/performance/datos_performance.ts";
import {
  annualizedVolatility,
  EqualWeightMeans,
  earliestStartPrice,
  lastIndexOnOrBefore,
  logReturns,
  maxDrawdown,
  type PriceSeries,
  priceHistoryStart,
  priceSeries,
  START_PRICE_TOLERANCE_DAYS,
  tickerPerformance,
  WINDOW_CODES,
  windowBounds,
  windowMetrics,
  windowStart,
} from "../../../assets/performance/math.ts";
import { validOn } from "../../../assets/performance/membership.ts";
import {
  type BenchmarkReturns,
  relativeRows,
} from "../../../assets/performance/performance_windows.ts";
import {
  ALL_TICKERS,
  rangeCondition,
  tickerCondition,
  tickerRanges,
} from "../../../runtime/chunks.ts";

const SQRT_252 = Math.sqrt(252);

/** A series from [date, price] pairs. */
function series(points: [string, number][]): PriceSeries {
  return { dates: points.map((p) => p[0]), prices: points.map((p) => p[1]) };
}

describe("window starts", () => {
  it("are calendar windows ending on D", () => {
    const day = "2026-03-31";
    expect(Object.fromEntries(WINDOW_CODES.map((w) => [w, windowStart(w, day)]))).toEqual({
      "1D": "2026-03-30",
      "1W": "2026-03-24",
      "1M": "2026-02-28",
      "3M": "2025-12-31",
      "6M": "2025-09-30",
      YTD: "2025-12-31",
      "1Y": "2025-03-31",
      "2Y": "2024-03-31",
      "3Y": "2023-03-31",
      "5Y": "2021-03-31",
    });
  });

  it("fall back to 28 February from a leap day, and YTD is always the last day of last year", () => {
    expect(windowStart("1Y", "2028-02-29")).toBe("2027-02-28");
    expect(windowStart("YTD", "2027-01-04")).toBe("2026-12-31");
  });

  it("allow a start price up to the tolerance before the nominal start", () => {
    expect(START_PRICE_TOLERANCE_DAYS).toBe(5);
    expect(earliestStartPrice("1M", "2026-03-31")).toBe("2026-02-23");
    expect(priceHistoryStart("2026-11-25")).toBe("2021-11-20");
  });
});

describe("one window of a series", () => {
  // Thu 2026-11-19 .. Wed 2026-11-25 (weekend in between).
  const week = series([
    ["2026-11-18", 100],
    ["2026-11-19", 110],
    ["2026-11-20", 99],
    ["2026-11-23", 105],
    ["2026-11-24", 84],
    ["2026-11-25", 126],
  ]);

  it("1D uses the previous close, Friday's on a Monday", () => {
    const monday = series(week.dates.slice(0, 4).map((d, i) => [d, week.prices[i] as number]));
    const m = windowMetrics(monday, "2026-11-23", "1D");
    expect(m).toMatchObject({ start_date: "2026-11-20", observations: 1 });
    if (typeof m === "string") throw new Error(m);
    expect(m.return_percent).toBeCloseTo((105 / 99 - 1) * 100, 12);
    expect(m.absolute_return).toBeCloseTo(6, 12);
    // A single return: realized volatility about zero, |r| × √252 × 100.
    expect(m.volatility).toBeCloseTo(Math.abs(Math.log(105 / 99)) * SQRT_252 * 100, 10);
    expect(m.max_drawdown).toBe(0);
  });

  it("1W: return, sample volatility of log returns and drawdown over the week", () => {
    const m = windowMetrics(week, "2026-11-25", "1W");
    if (typeof m === "string") throw new Error(m);
    expect(m.start_date).toBe("2026-11-18");
    expect(m.observations).toBe(5);
    expect(m.return_percent).toBeCloseTo(26, 10);
    const r = [110 / 100, 99 / 110, 105 / 99, 84 / 105, 126 / 84].map(Math.log);
    const mean = r.reduce((a, b) => a + b, 0) / r.length;
    const sd = Math.sqrt(r.reduce((a, x) => a + (x - mean) ** 2, 0) / (r.length - 1));
    expect(m.volatility).toBeCloseTo(sd * SQRT_252 * 100, 10);
    // Peak 110 to trough 84.
    expect(m.max_drawdown).toBeCloseTo((1 - 84 / 110) * 100, 10);
  });

  it("YTD starts from last year's final close across the year boundary", () => {
    const turn = series([
      ["2025-12-29", 50],
      ["2025-12-30", 51],
      ["2025-12-31", 40],
      ["2026-01-02", 44],
      ["2026-01-05", 46],
    ]);
    const m = windowMetrics(turn, "2026-01-05", "YTD");
    expect(m).toMatchObject({ start_date: "2025-12-31", observations: 2 });
    if (typeof m === "string") throw new Error(m);
    expect(m.return_percent).toBeCloseTo(15, 10);
    // 31 Dec on a Saturday: Friday's close.
    const weekendEnd = series([
      ["2022-12-29", 10],
      ["2022-12-30", 12],
      ["2023-01-03", 15],
    ]);
    expect(windowMetrics(weekendEnd, "2023-01-03", "YTD")).toMatchObject({
      start_date: "2022-12-30",
      return_percent: 25,
    });
  });

  it("skips a window longer than the history, never shortening it", () => {
    const young = series([
      ["2026-11-02", 10],
      ["2026-11-25", 12],
    ]);
    expect(windowMetrics(young, "2026-11-25", "1M")).toBe("history_too_short");
    expect(windowMetrics(young, "2026-11-25", "1Y")).toBe("history_too_short");
    // Its first close is the 1M start (25 Oct is a Sunday: the close must be on or before it).
    const justEnough = series([
      ["2026-10-23", 10],
      ["2026-11-25", 12],
    ]);
    expect(windowMetrics(justEnough, "2026-11-25", "1M")).toMatchObject({
      start_date: "2026-10-23",
      return_percent: expect.closeTo(20, 10),
    });
  });

  it("refuses a start price older than the tolerance (a halted ticker)", () => {
    const start = windowStart("1M", "2026-11-25"); // 2026-10-25
    const within = series([
      ["2026-10-20", 10],
      ["2026-11-25", 11],
    ]);
    const stale = series([
      ["2026-10-19", 10],
      ["2026-11-25", 11],
    ]);
    expect(start).toBe("2026-10-25");
    expect(windowMetrics(within, "2026-11-25", "1M")).toMatchObject({ start_date: "2026-10-20" });
    expect(windowMetrics(stale, "2026-11-25", "1M")).toBe("stale_start_price");
  });

  it("counts every window of a ticker, computed or skipped", () => {
    const { metrics, skipped } = tickerPerformance(week, "2026-11-25");
    expect(metrics.map((m) => m.window_code)).toEqual(["1D", "1W"]);
    expect(skipped).toEqual({ history_too_short: 8, stale_start_price: 0 });
    expect(() => tickerPerformance(week, "2026-11-26")).toThrow(/end on/);
  });
});

describe("volatility and drawdown", () => {
  it("annualizes the sample deviation of log returns", () => {
    const prices = [100, 110, 99];
    const r = [Math.log(1.1), Math.log(0.9)];
    const mean = (r[0]! + r[1]!) / 2;
    const sd = Math.sqrt(((r[0]! - mean) ** 2 + (r[1]! - mean) ** 2) / 1);
    expect(annualizedVolatility(prices, 0, 2)).toBeCloseTo(sd * SQRT_252 * 100, 12);
    expect(annualizedVolatility([5, 5, 5, 5], 0, 3)).toBe(0);
    expect(() => annualizedVolatility(prices, 1, 1)).toThrow();
  });

  it("is the same double from the shared log returns as computed on its own", () => {
    const prices = Array.from({ length: 300 }, (_, i) => 50 * Math.exp(Math.sin(i / 7) / 5));
    const logs = logReturns(prices);
    expect(Number.isNaN(logs[0])).toBe(true);
    for (const [from, to] of [
      [0, 1],
      [0, 299],
      [17, 18],
      [40, 250],
    ] as const) {
      expect(
        Object.is(
          annualizedVolatility(prices, from, to, logs),
          annualizedVolatility(prices, from, to),
        ),
      ).toBe(true);
    }
  });

  it("is the largest fall from a running peak, as a positive percent", () => {
    expect(maxDrawdown([100, 120, 90, 130, 104], 0, 4)).toBeCloseTo(25, 12);
    expect(maxDrawdown([100, 101, 102], 0, 2)).toBe(0);
    // Only the window counts: from index 3 the peak is 130.
    expect(maxDrawdown([100, 120, 90, 130, 104], 3, 4)).toBeCloseTo(20, 12);
  });
});

describe("price series", () => {
  it("drops closes after D, missing or non-positive ones", () => {
    const { series: s, dropped } = priceSeries(
      [
        { price_date: "2026-11-20", adj_close: 10 },
        { price_date: "2026-11-23", adj_close: null },
        { price_date: "2026-11-24", adj_close: 0 },
        { price_date: "2026-11-25", adj_close: 11 },
        { price_date: "2026-11-26", adj_close: 12 },
      ],
      "2026-11-25",
    );
    expect(s).toEqual({ dates: ["2026-11-20", "2026-11-25"], prices: [10, 11] });
    expect(dropped).toBe(2);
  });

  it("finds the last date on or before a day", () => {
    const dates = ["2026-01-02", "2026-01-05", "2026-01-06"];
    expect(lastIndexOnOrBefore(dates, "2026-01-01")).toBe(-1);
    expect(lastIndexOnOrBefore(dates, "2026-01-04")).toBe(0);
    expect(lastIndexOnOrBefore(dates, "2026-01-06")).toBe(2);
    expect(lastIndexOnOrBefore(dates, "2027-01-01")).toBe(2);
  });
});

describe("window bounds", () => {
  it("are each window's start and earliest start price, computed once per day", () => {
    const day = "2028-02-29";
    const bounds = windowBounds(day);
    expect(bounds.map((b) => b.window)).toEqual([...WINDOW_CODES]);
    for (const b of bounds) {
      expect(b.start).toBe(windowStart(b.window, day));
      expect(b.earliest).toBe(earliestStartPrice(b.window, day));
    }
    expect(windowBounds(day)).toBe(bounds);
  });
});

describe("closes as the SQL stores pack them", () => {
  it("parse decimal texts to the same doubles as Number", () => {
    const texts = ["0.0001", "123.4567", "-1.5", "12.", ".5", "100", "-0", "0.1", "3230.53"];
    texts.push("123456789012345678.25", "1e5", "1.2.3", "NaN", "Infinity");
    for (let i = 0; i < 20_000; i++) {
      const digits = String(Math.floor(Math.random() * 10 ** (1 + (i % 16))));
      const point = i % (digits.length + 1);
      texts.push(`${digits.slice(0, point) || "0"}.${digits.slice(point)}`);
    }
    for (const text of texts) expect(Object.is(decimalValue(text), Number(text))).toBe(true);
    expect(decimalValue("")).toBeNaN();
    expect(decimalValue("x,17.25,y", 2, 7)).toBe(17.25);
  });

  it("become a date-ordered series, dropping missing and non-positive prices", () => {
    const dates = new DatesFrom("2026-11-20");
    expect(unpackCloses("0,3,4,5", "10.5,,0,11", dates)).toEqual({
      series: { dates: ["2026-11-20", "2026-11-25"], prices: [10.5, 11] },
      dropped: 2,
      through: "2026-11-25",
    });
    // Rows in no particular order (a hash aggregate) are sorted by date.
    expect(unpackCloses("5,0,4,3", "11,10.5,0,", dates)).toEqual(
      unpackCloses("0,3,4,5", "10.5,,0,11", dates),
    );
    // A last row without a price still dates the ticker's last row.
    expect(unpackCloses("0,1", "7,", dates).through).toBe("2026-11-21");
    expect(() => unpackCloses("0,1", "7,8,9", dates)).toThrow(/more prices/);
  });

  it("are read in key ranges of at most 250 tickers, about a step's worth per step", () => {
    const tickers = Array.from({ length: 2_345 }, (_, i) => `T${String(i).padStart(5, "0")}`);
    const steps = stepRanges(tickers, 1_000);
    expect(steps.map((s) => s.length)).toEqual([4, 4, 2]);
    const ranges = steps.flat();
    expect(ranges[0]).toEqual({ from: null, before: "T00250" });
    expect(ranges.at(-1)).toEqual({ from: "T02250", before: null });
    // Small steps (a scaled-down budget test) are one range each.
    expect(stepRanges(tickers.slice(0, 12), 5).map((s) => s.length)).toEqual([1, 1, 1]);
    expect(stepRanges([], 1_000)).toEqual([]);
  });
});

describe("equal-weighted means", () => {
  it("average members per group and window, dropping groups under the minimum", () => {
    const means = new EqualWeightMeans();
    for (const [group, window, value] of [
      ["Energy", "1M", 10],
      ["Energy", "1M", 20],
      ["Energy", "1M", -3],
      ["Energy", "1Y", 5],
      ["Energy", "1Y", 7],
      ["Utilities", "1M", 1],
      ["Utilities", "1M", null],
      ["Utilities", "1M", Number.NaN],
    ] as [string, string, number | null][])
      means.add(group, window, value);
    const { rows, belowMinimum } = means.results(3);
    expect(rows).toEqual([{ group: "Energy", window_code: "1M", return_percent: 9, members: 3 }]);
    expect(belowMinimum).toBe(2);
    expect(means.results(1).rows).toHaveLength(3);
  });
});

describe("ticker ranges", () => {
  it("cover the whole key space in the Store's order", () => {
    expect(tickerRanges(["A", "B", "C", "D", "E"], 2)).toEqual([
      { from: null, before: "C" },
      { from: "C", before: "E" },
      { from: "E", before: null },
    ]);
    expect(tickerRanges([], 100)).toEqual([ALL_TICKERS]);
    expect(rangeCondition({ from: "C", before: "E" })).toEqual({ gte: "C", lt: "E" });
    expect(rangeCondition(ALL_TICKERS)).toBeUndefined();
    expect(tickerCondition({ from: "C", before: null }, ["X"])).toEqual({ in: ["X"] });
  });
});

describe("memberships", () => {
  it("are the type-2 row valid on the day", () => {
    const row = { effective_from: "2026-01-01", effective_to: "2026-06-30" };
    expect(validOn(row, "2025-12-31")).toBe(false);
    expect(validOn(row, "2026-01-01")).toBe(true);
    expect(validOn(row, "2026-06-30")).toBe(true);
    expect(validOn(row, "2026-07-01")).toBe(false);
    expect(validOn({ effective_from: "1900-01-01", effective_to: null }, "2026-07-01")).toBe(true);
  });
});

describe("relative rows", () => {
  const benchmarks: BenchmarkReturns = {
    sector: new Map([
      [
        "Technology",
        new Map([
          ["1M", 2],
          ["1Y", 10],
        ]),
      ],
    ]),
    industry: new Map([["Software - Application", new Map([["1Y", 30]])]]),
    market: new Map([
      ["1M", 1],
      ["1Y", 12.5],
    ]),
  };
  const own = new Map([
    ["1D", { return_percent: 1, volatility: 10, max_drawdown: 0 }],
    ["1M", { return_percent: 5, volatility: 20, max_drawdown: 3 }],
    ["1Y", { return_percent: 20, volatility: 25, max_drawdown: 15 }],
  ]);

  it("compare each window with the sector, the industry and SPY, alpha in points", () => {
    const { rows, missing } = relativeRows(
      "ACME",
      "2026-11-25",
      { sector: "Technology", industry: "Software - Application" },
      own,
      benchmarks,
    );
    expect(rows.map((r) => [r.window_code, r.benchmark_type, r.benchmark_ticker, r.alpha])).toEqual(
      [
        ["1M", "sector", "Technology", 3],
        ["1M", "market", "SPY", 4],
        ["1Y", "sector", "Technology", 10],
        ["1Y", "industry", "Software - Application", -10],
        ["1Y", "market", "SPY", 7.5],
      ],
    );
    // 1D is not a relative window; the industry has no 1M row.
    expect(missing).toEqual({ sector: 0, industry: 1, market: 0 });
    expect(rows[2]).toMatchObject({
      asset_return: 20,
      benchmark_return: 10,
      volatility: 25,
      max_drawdown: 15,
      as_of_date: "2026-11-25",
      source: "aggregated_from_datos_performance",
    });
  });

  it("write nothing for a ticker whose sector has no returns", () => {
    const { rows, missing } = relativeRows(
      "ACME",
      "2026-11-25",
      { sector: "Energy", industry: "Oil & Gas E&P" },
      own,
      { ...benchmarks, market: new Map() },
    );
    expect(rows).toEqual([]);
    expect(missing).toEqual({ sector: 2, industry: 2, market: 2 });
  });
});

describe("a stored datos_performance row", () => {
  const good: PerformanceRow = {
    ticker: "ACME",
    performance_date: "2026-11-25",
    window_code: "1M",
    return_percent: 3,
    absolute_return: 0.3,
    volatility: 22,
    max_drawdown: 4,
    start_date: "2026-10-23",
    observations: 22,
    source: "prices_daily_window",
  };

  it("is checked against its window's dates and sane metrics", () => {
    expect(rowProblem(good, "2026-11-25")).toBeNull();
    expect(rowProblem({ ...good, start_date: "2026-10-26" }, "2026-11-25")).toMatch(/after/);
    expect(rowProblem({ ...good, start_date: "2026-10-19" }, "2026-11-25")).toMatch(/too old/);
    expect(rowProblem({ ...good, max_drawdown: -4 }, "2026-11-25")).toMatch(/drawdown/);
    expect(rowProblem(good, "2026-11-24")).toMatch(/partition/);
  });
});
