/**
 * Partitions are NYSE trading dates, `YYYY-MM-DD` (the exchange calendar in
 * engines/calendar.ts). "Latest" is the last trading day on or before today
 * (UTC, as the daily cron fires after the US close). Every door (CLI, admin
 * API, events, backfills) resolves dates here, so they agree on what is refused:
 *
 * - a date that is not a calendar date, or in the future: PartitionError;
 * - a date before CALENDAR_START (2000-01-03): PartitionError, because the
 *   calendar's unscheduled closures are only known from then on, so an empty
 *   price file earlier could not be told apart from a closure;
 * - a weekend, holiday or unscheduled closure: NoTradingError (a PartitionError)
 *   naming the day, e.g. "2026-11-26 is Thanksgiving Day: no trading".
 *
 * A trading day whose source file is still empty is NotPublishedError: not a
 * refusal but a wait, retried later (see publicationRetry).
 */
import {
  CALENDAR_START,
  type Closure,
  isCalendarDate,
  isWeekendDate,
  noTradingReason,
  tradingCalendar,
} from "../engines/calendar.ts";

export class PartitionError extends Error {
  override name = "PartitionError";
}

/** A date the exchange did not trade (weekend, holiday, unscheduled closure): refused by name. */
export class NoTradingError extends PartitionError {
  override name = "NoTradingError";
  /** The closed date, when known. */
  readonly date: string | null;
  /** A weekday closure (holiday, unscheduled closure): under Inngest a recorded skip. */
  readonly holiday: boolean;
  constructor(message: string, date?: string) {
    super(message);
    this.date = date ?? null;
    this.holiday = date !== undefined && !isWeekendDate(date);
  }
}

/** Every NotPublishedError message says this, so a ledger row's error can be read back as a wait. */
const NOT_PUBLISHED = "not published yet";

/** A trading day whose data the source has not published yet: wait and retry, do not fail it. */
export class NotPublishedError extends Error {
  override name = "NotPublishedError";
  constructor(message: string) {
    super(message.includes(NOT_PUBLISHED) ? message : `${NOT_PUBLISHED}: ${message}`);
  }
}

/** Whether a recorded error message (a ledger row's) came from a NotPublishedError. */
export function isNotPublishedMessage(message: string | null | undefined): boolean {
  return typeof message === "string" && message.includes(NOT_PUBLISHED);
}

/** Whether an error (or, after Inngest serialized it, its cause) is a NotPublishedError. */
export function isNotPublished(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 4; depth++) {
    if ((e as { name?: unknown }).name === "NotPublishedError") return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** The earliest partition accepted: the first date of the exchange calendar. */
export const FIRST_PARTITION = CALENDAR_START;

/** Today's date in UTC as `YYYY-MM-DD`. */
export function utcDate(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Parses a `YYYY-MM-DD` calendar date as local midnight (callers do date-fns day arithmetic
 * and format it back); throws PartitionError on anything else.
 */
export function parseDate(text: string): Date {
  if (!isCalendarDate(text)) {
    throw new PartitionError(`bad date "${text}": expected a calendar date as YYYY-MM-DD`);
  }
  return new Date(
    Number(text.slice(0, 4)),
    Number(text.slice(5, 7)) - 1,
    Number(text.slice(8, 10)),
  );
}

function checkCalendarRange(date: string): void {
  if (date < FIRST_PARTITION) {
    throw new PartitionError(
      `${date} is before ${FIRST_PARTITION}, the first date of the exchange calendar: no earlier partition is accepted`,
    );
  }
}

/** The last trading day on or before `day` (`day` itself when the exchange traded). */
export function latestTradingDay(day: string): string {
  parseDate(day);
  checkCalendarRange(day);
  return tradingCalendar().latestTradingDay(day);
}

/** Refuses a date the exchange did not trade, naming the day and the trading date before it. */
function requireTradingDay(date: string): void {
  const closed = noTradingReason(date);
  if (closed) {
    throw new NoTradingError(
      `${date} is ${closed}: no trading; the trading date before it is ${latestTradingDay(date)}`,
      date,
    );
  }
}

/**
 * The partition a run is for: `requested` if it is a past-or-present trading
 * day of the calendar, else (undefined or "latest") the last trading day on or
 * before today.
 */
export function resolvePartition(requested: string | undefined, now: Date): string {
  const today = utcDate(now);
  if (requested === undefined || requested === "latest") return latestTradingDay(today);
  parseDate(requested);
  if (requested > today) {
    throw new PartitionError(`partition ${requested} is in the future (today is ${today} UTC)`);
  }
  checkCalendarRange(requested);
  requireTradingDay(requested);
  return requested;
}

/** The trading days of a range and the weekday closures (holidays) it passes. */
export interface TradingRange {
  days: string[];
  holidays: Closure[];
}

/** Trading days from `from` to `to` inclusive, in order, and the holidays between them. */
export function tradingDaysBetween(from: string, to: string): TradingRange {
  parseDate(from);
  parseDate(to);
  if (from > to) throw new PartitionError(`--from ${from} is after --to ${to}`);
  checkCalendarRange(from);
  const calendar = tradingCalendar();
  return { days: calendar.tradingDays(from, to), holidays: calendar.closures(from, to) };
}

/** How long a run waits for a late file: one try every `everyMinutes`, `attempts` tries at most. */
interface PublicationRetry {
  everyMinutes: number;
  attempts: number;
}

/**
 * The wait for a file that is late on a trading day (FINTRA_PUBLICATION_RETRY_MINUTES,
 * default 30; FINTRA_PUBLICATION_WAIT_HOURS, default 6): FMP publishes EOD files within an
 * hour or two of the close, so six hours covers a slow evening and gives up well before the
 * next day's run.
 */
export function publicationRetry(env: Record<string, string | undefined>): PublicationRetry {
  const every = positiveNumber(
    env.FINTRA_PUBLICATION_RETRY_MINUTES,
    30,
    "FINTRA_PUBLICATION_RETRY_MINUTES",
  );
  const hours = positiveNumber(
    env.FINTRA_PUBLICATION_WAIT_HOURS,
    6,
    "FINTRA_PUBLICATION_WAIT_HOURS",
  );
  return { everyMinutes: every, attempts: Math.max(1, Math.floor((hours * 60) / every)) };
}

function positiveNumber(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined || text.trim() === "") return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${name} must be a positive number, got "${text}"`);
  }
  return value;
}
