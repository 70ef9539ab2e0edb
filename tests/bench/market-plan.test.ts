import { describe, expect, it } from "vitest";
import {
  benchDays,
  bulkRequests,
  cacheName,
  perTickerRequests,
  requestKey,
  secListingRequests,
  statementYears,
  weekdays,
} from "../../bench/market/plan.ts";
import { daySelection, SEC_ASSETS } from "../../bench/market/stages.ts";
import { tradingDaysBetween } from "../../runtime/partitions.ts";

const trading = (from: string, to: string) => tradingDaysBetween(from, to).days;

describe("bench:market days", () => {
  it("takes the last two trading days before the fixed date, and the years before them", () => {
    const days = benchDays(trading, "2026-12-01", 1);
    expect(days).toEqual({
      day: "2026-11-27",
      next: "2026-11-30",
      historyFrom: "2025-11-28",
      historyTo: "2026-11-25",
    });
  });

  it("skips weekends and holidays for D and D+1", () => {
    // 2026-07-03 (observed Independence Day) is closed: D+1 is Thursday the 2nd.
    const days = benchDays(trading, "2026-07-06", 1);
    expect([days.day, days.next]).toEqual(["2026-07-01", "2026-07-02"]);
  });

  it("lists every weekday of a range, holidays included", () => {
    expect(weekdays("2026-11-26", "2026-12-01")).toEqual([
      "2026-11-26",
      "2026-11-27",
      "2026-11-30",
      "2026-12-01",
    ]);
  });
});

describe("bench:market requests", () => {
  const days = benchDays(trading, "2026-12-01", 1);

  it("keys a request by path and sorted query, without apikey", () => {
    expect(requestKey("/stable/income-statement-bulk", { year: 2026, period: "Q1" })).toBe(
      "/stable/income-statement-bulk?period=Q1&year=2026",
    );
    expect(requestKey("/stable/peers-bulk", { apikey: "x" })).toBe("/stable/peers-bulk");
  });

  it("plans the eod files of the history and both days, and the statements' full windows", () => {
    const keys = bulkRequests(days).map((r) => requestKey(r.path, r.query));
    expect(keys).toContain("/stable/eod-bulk?date=2025-11-28");
    expect(keys).toContain("/stable/eod-bulk?date=2026-11-30");
    expect(keys).toContain("/stable/profile-bulk?part=0");
    expect(statementYears([days.day, days.next])).toEqual([
      2020, 2021, 2022, 2023, 2024, 2025, 2026, 2027,
    ]);
    expect(keys.filter((k) => k.includes("statement-bulk"))).toHaveLength(8 * 5 * 3);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("lists the SEC jobs' week for the steady day, one listing per form type", () => {
    const listings = secListingRequests(days.next);
    expect(listings.map((l) => l.query.formType)).toEqual(["8-K", "10-K"]);
    expect(listings[0]?.query).toMatchObject({ from: "2026-11-23", to: "2026-11-30", page: 0 });
  });

  it("renders the per-ticker stage's per-symbol requests for the steady day", () => {
    const keys = perTickerRequests("AAPL", days).map((r) => requestKey(r.path, r.query));
    expect(keys).toContain("/stable/profile?symbol=AAPL");
    expect(keys.some((k) => k.startsWith("/stable/income-statement?"))).toBe(true);
    expect(keys.some((k) => k.includes("symbol=SPY"))).toBe(true);
  });

  it("names the cache after everything its files depend on", () => {
    expect(
      cacheName({
        seed: 42,
        tickers: 45000,
        years: 5,
        day: "2026-11-30",
        sandboxFingerprint: "ab",
      }),
    ).toBe("seed42-t45000-y5-2026-11-30-ab");
  });

  it("runs the day without the weekly SEC jobs", () => {
    const selection = daySelection(["fintra_universe", ...SEC_ASSETS, "market_state"]);
    expect(selection).toBe("fintra_universe,market_state");
  });
});
