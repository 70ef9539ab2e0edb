import { describe, expect, it } from "vitest";
import {
  latestWeekday,
  PartitionError,
  parseDate,
  resolvePartition,
  weekdaysBetween,
} from "../../assets/partitions.ts";

const SATURDAY_NOON = new Date("2026-11-28T12:00:00Z");

describe("partitions", () => {
  it("defaults to the latest weekday on or before today", () => {
    expect(resolvePartition(undefined, SATURDAY_NOON)).toBe("2026-11-27");
    expect(resolvePartition("latest", new Date("2026-11-25T23:00:00Z"))).toBe("2026-11-25");
    expect(latestWeekday("2026-11-29")).toBe("2026-11-27");
  });

  it("accepts a past weekday", () => {
    expect(resolvePartition("2026-01-05", SATURDAY_NOON)).toBe("2026-01-05");
  });

  it("refuses weekends, future dates and malformed dates with one clear line", () => {
    expect(() => resolvePartition("2026-11-28", SATURDAY_NOON)).toThrow(
      new PartitionError(
        "2026-11-28 is a Saturday: no trading; the trading date before it is 2026-11-27",
      ),
    );
    expect(() => resolvePartition("2026-12-01", SATURDAY_NOON)).toThrow(/in the future/);
    for (const bad of ["2026-02-30", "2026-1-5", "yesterday", "2026-01-05T00:00"]) {
      expect(() => parseDate(bad)).toThrow(/bad date/);
    }
  });

  it("lists the weekdays of a range in order", () => {
    expect(weekdaysBetween("2026-11-26", "2026-12-01")).toEqual([
      "2026-11-26",
      "2026-11-27",
      "2026-11-30",
      "2026-12-01",
    ]);
    expect(() => weekdaysBetween("2026-12-01", "2026-11-01")).toThrow(/after/);
  });
});
