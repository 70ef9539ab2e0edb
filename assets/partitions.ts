/**
 * Partitions are trading dates, `YYYY-MM-DD`. "Latest" is the last weekday
 * on or before today (UTC, as the daily cron fires after the US close).
 * Weekends and future dates are refused here; an exchange holiday is refused
 * by the price ingest when FMP's EOD file for it is empty.
 */
import { addDays, format, isValid, isWeekend, parseISO, previousFriday } from "date-fns";

export class PartitionError extends Error {
  override name = "PartitionError";
}

/** A weekday with no trading: the exchange was closed (FMP's EOD file for it is empty). */
export class NoTradingError extends Error {
  override name = "NoTradingError";
}

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** Today's date in UTC as `YYYY-MM-DD`. */
export function utcDate(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** Parses a `YYYY-MM-DD` calendar date; throws PartitionError on anything else. */
export function parseDate(text: string): Date {
  const date = parseISO(text);
  if (!DATE_PATTERN.test(text) || !isValid(date) || format(date, "yyyy-MM-dd") !== text) {
    throw new PartitionError(`bad date "${text}": expected a calendar date as YYYY-MM-DD`);
  }
  return date;
}

/** The last weekday on or before `day`. */
export function latestWeekday(day: string): string {
  const date = parseDate(day);
  return isWeekend(date) ? format(previousFriday(date), "yyyy-MM-dd") : day;
}

/**
 * The partition a run is for: `requested` if it is a valid past-or-present
 * weekday, else the latest weekday on or before today.
 */
export function resolvePartition(requested: string | undefined, now: Date): string {
  const today = utcDate(now);
  if (requested === undefined || requested === "latest") return latestWeekday(today);
  const date = parseDate(requested);
  if (requested > today) {
    throw new PartitionError(`partition ${requested} is in the future (today is ${today} UTC)`);
  }
  if (isWeekend(date)) {
    throw new PartitionError(
      `${requested} is a ${format(date, "EEEE")}: no trading; the trading date before it is ${latestWeekday(requested)}`,
    );
  }
  return requested;
}

/** Weekdays from `from` to `to` inclusive, in order. */
export function weekdaysBetween(from: string, to: string): string[] {
  const start = parseDate(from);
  const end = parseDate(to);
  if (start > end) throw new PartitionError(`--from ${from} is after --to ${to}`);
  const days: string[] = [];
  for (let d = start; d <= end; d = addDays(d, 1)) {
    if (!isWeekend(d)) days.push(format(d, "yyyy-MM-dd"));
  }
  return days;
}
