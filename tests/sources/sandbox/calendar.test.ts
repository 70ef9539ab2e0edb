import { describe, expect, it } from "vitest";
import * as engine from "../../../engines/calendar.ts";
import { isNyseTradingDay, nyseHolidays, tradingCalendar } from "../../../sources/sandbox/index.ts";

describe("sandbox trading calendar", () => {
  const calendar = tradingCalendar();

  it("is the pipeline's calendar, not a copy", () => {
    expect(calendar).toBe(engine.tradingCalendar());
    expect(nyseHolidays).toBe(engine.nyseHolidays);
  });

  it("knows the NYSE holidays of 2025, including the unscheduled closure", () => {
    expect([...nyseHolidays(2025)].sort()).toEqual([
      "2025-01-01",
      "2025-01-09",
      "2025-01-20",
      "2025-02-17",
      "2025-04-18",
      "2025-05-26",
      "2025-06-19",
      "2025-07-04",
      "2025-09-01",
      "2025-11-27",
      "2025-12-25",
    ]);
  });

  it("moves fixed holidays off weekends the NYSE way", () => {
    // 2021-12-25 is a Saturday: observed Friday 24th. 2022-01-01 is a Saturday: not observed.
    expect(nyseHolidays(2021).has("2021-12-24")).toBe(true);
    expect(nyseHolidays(2022).has("2021-12-31")).toBe(false);
    expect(calendar.isTradingDay("2021-12-31")).toBe(true);
    // 2027-07-04 is a Sunday: observed Monday 5th.
    expect(nyseHolidays(2027).has("2027-07-05")).toBe(true);
  });

  it("skips weekends and holidays", () => {
    expect(calendar.isTradingDay("2026-11-28")).toBe(false); // Saturday
    expect(calendar.isTradingDay("2026-11-29")).toBe(false); // Sunday
    expect(calendar.isTradingDay("2026-11-26")).toBe(false); // Thanksgiving
    expect(calendar.isTradingDay("2026-11-27")).toBe(true);
    expect(isNyseTradingDay("2080-01-02")).toBe(true); // beyond the indexed range, by rule
  });

  it("counts trading days and finds the latest one", () => {
    expect(calendar.tradingDays("2025-01-01", "2025-12-31")).toHaveLength(250);
    expect(calendar.tradingDays("2026-11-23", "2026-11-29")).toEqual([
      "2026-11-23",
      "2026-11-24",
      "2026-11-25",
      "2026-11-27",
    ]);
    expect(calendar.latestTradingDay("2026-11-29")).toBe("2026-11-27");
    expect(calendar.latestTradingDay("2026-11-27")).toBe("2026-11-27");
    expect(() => calendar.latestTradingDay("2026-02-30")).toThrow(/calendar date/);
  });
});
