/** The exchange calendar engine: holiday names, closures of a range, and UTC-safe day numbers. */
import { describe, expect, it } from "vitest";
import {
  CALENDAR_START,
  dayNumber,
  isNyseTradingDay,
  isoFromDayNumber,
  noTradingReason,
  nyseHolidayName,
  tradingCalendar,
} from "../../engines/calendar.ts";

describe("the NYSE calendar", () => {
  const calendar = tradingCalendar();

  it("names every closure of a year", () => {
    expect(calendar.closures("2026-01-01", "2026-12-31")).toEqual([
      { date: "2026-01-01", name: "New Year's Day" },
      { date: "2026-01-19", name: "Martin Luther King Jr. Day" },
      { date: "2026-02-16", name: "Washington's Birthday" },
      { date: "2026-04-03", name: "Good Friday" },
      { date: "2026-05-25", name: "Memorial Day" },
      { date: "2026-06-19", name: "Juneteenth" },
      { date: "2026-07-03", name: "Independence Day" },
      { date: "2026-09-07", name: "Labor Day" },
      { date: "2026-11-26", name: "Thanksgiving Day" },
      { date: "2026-12-25", name: "Christmas Day" },
    ]);
    expect(calendar.tradingDays("2026-01-01", "2026-12-31")).toHaveLength(251);
  });

  it("says why a day has no trading", () => {
    expect(noTradingReason("2026-11-28")).toBe("a Saturday");
    expect(noTradingReason("2026-11-26")).toBe("Thanksgiving Day");
    expect(noTradingReason("2012-10-29")).toBe("an unscheduled closure (Hurricane Sandy)");
    expect(noTradingReason("2026-11-27")).toBeNull();
    expect(nyseHolidayName("2021-12-24")).toBe("Christmas Day"); // the 25th was a Saturday
    expect(nyseHolidayName("2021-06-18")).toBeNull(); // Juneteenth is observed from 2022
  });

  it("counts days in UTC whatever the local time zone", () => {
    expect(dayNumber("1970-01-01")).toBe(0);
    expect(isoFromDayNumber(dayNumber("2026-03-08") as number)).toBe("2026-03-08");
    expect(dayNumber("2026-02-29")).toBeNull();
    expect(dayNumber("0099-01-01")).not.toBe(dayNumber("1999-01-01"));
    expect(isNyseTradingDay(CALENDAR_START)).toBe(true);
    expect(() => calendar.latestTradingDay("1999-12-31")).toThrow(/starts at 2000-01-03/);
  });
});
