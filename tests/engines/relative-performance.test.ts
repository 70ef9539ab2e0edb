import { describe, expect, it } from "vitest";
import {
  latestReturnsByWindow,
  PERSISTED_RELATIVE_WINDOWS,
  relativePerformance,
  relativeReturnTimeline,
  windowReturns,
} from "../../engines/index.ts";

describe("relativePerformance (spec §8.2)", () => {
  it("stock − market and stock − sector per window, null when a side is missing", () => {
    const r = relativePerformance(
      { "1M": 5, "3M": 8, "1Y": 20, "2Y": 30 },
      { "1M": 2, "3M": null, "1Y": 15, "2Y": 10 },
      { "1M": 4, "3M": 3, "1Y": null, "2Y": 35 },
    );
    expect(r.relative_vs_market_1m).toBe(3);
    expect(r.relative_vs_sector_1m).toBe(1);
    expect(r.relative_vs_market_3m).toBeNull();
    expect(r.relative_vs_sector_3m).toBe(5);
    expect(r.relative_vs_sector_1y).toBeNull();
    expect(r.relative_vs_sector_2y).toBe(-5);
    expect(r.relative_vs_market_5y).toBeNull();
  });

  it("2Y is computed but not among the persisted windows", () => {
    expect(PERSISTED_RELATIVE_WINDOWS).toEqual(["1M", "3M", "6M", "1Y", "3Y", "5Y"]);
  });
});

describe("latestReturnsByWindow (decision: newest row per window)", () => {
  const rows = [
    { performance_date: "2024-01-01", window_code: "1Y", return_percent: 10, max_drawdown: -20 },
    { performance_date: "2024-01-05", window_code: "1Y", return_percent: 12, max_drawdown: -25 },
    { performance_date: "2024-01-09", window_code: "1Y", return_percent: 99 },
    { performance_date: "2023-06-01", window_code: "3M", return_percent: 4 },
    { performance_date: "2024-01-05", window_code: "6M", return_percent: 6 },
  ];

  it("keeps the newest row on or before the as-of date and makes drawdowns positive", () => {
    const latest = latestReturnsByWindow(rows, "2024-01-05");
    expect(latest["1Y"]).toEqual({
      performance_date: "2024-01-05",
      return_percent: 12,
      max_drawdown: 25,
    });
    expect(latest["3M"]!.return_percent).toBe(4);
    expect(windowReturns(latest)).toMatchObject({ "1Y": 12, "3M": 4, "6M": 6, "1M": null });
  });

  it("drops rows older than maxAgeDays when given", () => {
    expect(latestReturnsByWindow(rows, "2024-01-05", 30)["3M"]).toBeUndefined();
  });

  it("builds the relative-return timeline only where both sides exist", () => {
    const stock = latestReturnsByWindow(rows, "2024-01-05");
    const spy = latestReturnsByWindow(
      [{ performance_date: "2024-01-05", window_code: "1Y", return_percent: 8, max_drawdown: -10 }],
      "2024-01-05",
    );
    expect(relativeReturnTimeline(stock, spy)).toEqual({
      "1Y": {
        asset_return: 12,
        benchmark_return: 8,
        asset_max_drawdown: 25,
        benchmark_max_drawdown: 10,
      },
    });
  });
});
