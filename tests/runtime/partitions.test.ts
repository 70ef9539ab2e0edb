/** Partitions: trading dates of the exchange calendar, refused by name otherwise. */
import { describe, expect, it } from "vitest";
import {
  FIRST_PARTITION,
  latestTradingDay,
  NoTradingError,
  NotPublishedError,
  PartitionError,
  parseDate,
  publicationRetry,
  resolvePartition,
  tradingDaysBetween,
} from "../../runtime/partitions.ts";

const SATURDAY_NOON = new Date("2026-11-28T12:00:00Z");

describe("partitions", () => {
  it("defaults to the latest trading day on or before today", () => {
    expect(resolvePartition(undefined, SATURDAY_NOON)).toBe("2026-11-27");
    expect(resolvePartition("latest", new Date("2026-11-25T23:00:00Z"))).toBe("2026-11-25");
    expect(latestTradingDay("2026-11-29")).toBe("2026-11-27");
    // On Thanksgiving itself, "latest" is the Wednesday before, not the closed day.
    expect(resolvePartition(undefined, new Date("2026-11-26T23:30:00Z"))).toBe("2026-11-25");
    // New Year's Day 2027 is a Friday: the latest trading day is the Thursday before.
    expect(resolvePartition("latest", new Date("2027-01-03T12:00:00Z"))).toBe("2026-12-31");
  });

  it("accepts a past trading day", () => {
    expect(resolvePartition("2026-01-05", SATURDAY_NOON)).toBe("2026-01-05");
    expect(resolvePartition(FIRST_PARTITION, SATURDAY_NOON)).toBe("2000-01-03");
  });

  it("refuses weekends and holidays by name, with the trading date before", () => {
    expect(() => resolvePartition("2026-11-28", SATURDAY_NOON)).toThrow(
      "2026-11-28 is a Saturday: no trading; the trading date before it is 2026-11-27",
    );
    const thanksgiving = (() => {
      try {
        resolvePartition("2026-11-26", SATURDAY_NOON);
      } catch (error) {
        return error;
      }
    })();
    expect(thanksgiving).toBeInstanceOf(NoTradingError);
    expect(thanksgiving).toBeInstanceOf(PartitionError);
    expect(thanksgiving).toMatchObject({
      date: "2026-11-26",
      message:
        "2026-11-26 is Thanksgiving Day: no trading; the trading date before it is 2026-11-25",
    });
    expect(() => resolvePartition("2025-01-09", SATURDAY_NOON)).toThrow(
      "2025-01-09 is an unscheduled closure (the national day of mourning for President Carter): no trading; the trading date before it is 2025-01-08",
    );
    expect(() => resolvePartition("2026-04-03", SATURDAY_NOON)).toThrow(/is Good Friday/);
  });

  it("refuses dates before the calendar, in the future, or malformed, with one clear line", () => {
    expect(() => resolvePartition("1900-01-01", SATURDAY_NOON)).toThrow(
      new PartitionError(
        "1900-01-01 is before 2000-01-03, the first date of the exchange calendar: no earlier partition is accepted",
      ),
    );
    expect(() => resolvePartition("1999-12-31", SATURDAY_NOON)).toThrow(/before 2000-01-03/);
    expect(() => resolvePartition("2026-12-01", SATURDAY_NOON)).toThrow(/in the future/);
    for (const bad of ["2026-02-30", "2026-1-5", "yesterday", "2026-01-05T00:00", "0050-01-03"]) {
      expect(() => resolvePartition(bad, SATURDAY_NOON)).toThrow(PartitionError);
    }
    for (const bad of ["2026-02-30", "2026-1-5", "yesterday", "2026-01-05T00:00"]) {
      expect(() => parseDate(bad)).toThrow(/bad date/);
    }
  });

  it("lists the trading days of a range in order, and the holidays it passes", () => {
    expect(tradingDaysBetween("2026-11-26", "2026-12-01")).toEqual({
      days: ["2026-11-27", "2026-11-30", "2026-12-01"],
      holidays: [{ date: "2026-11-26", name: "Thanksgiving Day" }],
    });
    expect(() => tradingDaysBetween("2026-12-01", "2026-11-01")).toThrow(/after/);
    expect(() => tradingDaysBetween("1999-12-01", "2000-01-10")).toThrow(/before 2000-01-03/);
  });

  it("names a late file 'not published yet' and reads the wait from the environment", () => {
    expect(new NotPublishedError("prices for 2026-12-04").message).toBe(
      "not published yet: prices for 2026-12-04",
    );
    expect(publicationRetry({})).toEqual({ everyMinutes: 30, attempts: 12 });
    expect(
      publicationRetry({
        FINTRA_PUBLICATION_RETRY_MINUTES: "20",
        FINTRA_PUBLICATION_WAIT_HOURS: "1",
      }),
    ).toEqual({ everyMinutes: 20, attempts: 3 });
    expect(() => publicationRetry({ FINTRA_PUBLICATION_RETRY_MINUTES: "-1" })).toThrow(
      'FINTRA_PUBLICATION_RETRY_MINUTES must be a positive number, got "-1"',
    );
  });
});
