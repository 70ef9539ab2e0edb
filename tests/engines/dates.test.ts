import { format, parseISO, subDays, subYears } from "date-fns";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { daysBefore, daysBetween, minusYears, yearsBefore } from "../../engines/dates.ts";

const isoDay = fc
  .date({
    min: new Date("1990-01-01T00:00:00Z"),
    max: new Date("2040-12-31T00:00:00Z"),
    noInvalidDate: true,
  })
  .map((d) => d.toISOString().slice(0, 10));

describe("ISO date arithmetic", () => {
  it("daysBefore crosses months, years and leap days", () => {
    expect(daysBefore("2026-03-01", 1)).toBe("2026-02-28");
    expect(daysBefore("2024-03-01", 1)).toBe("2024-02-29");
    expect(daysBefore("2026-01-05", 10)).toBe("2025-12-26");
    expect(daysBefore("2026-01-05", -30)).toBe("2026-02-04");
  });

  it("yearsBefore keeps the calendar day, 29 February falling back to the 28th", () => {
    expect(yearsBefore("2026-11-27", 5)).toBe("2021-11-27");
    expect(yearsBefore("2024-02-29", 1)).toBe("2023-02-28");
    expect(minusYears("2024-02-29", 4)).toBe("2020-02-29");
  });

  it("refuses what is not a date, in one line", () => {
    expect(() => daysBefore("2026-13", 1)).toThrow(/^not a date: "2026-13"$/);
    expect(() => yearsBefore("soon", 1)).toThrow(RangeError);
  });

  it("property: the same days as date-fns, and daysBetween undoes daysBefore", () => {
    fc.assert(
      fc.property(isoDay, fc.integer({ min: -4000, max: 4000 }), (day, n) => {
        const before = daysBefore(day, n);
        expect(before).toBe(format(subDays(parseISO(day), n), "yyyy-MM-dd"));
        expect(daysBetween(before, day)).toBe(n);
      }),
    );
    fc.assert(
      fc.property(isoDay, fc.integer({ min: 0, max: 30 }), (day, n) => {
        expect(yearsBefore(day, n)).toBe(format(subYears(parseISO(day), n), "yyyy-MM-dd"));
      }),
    );
  });
});
