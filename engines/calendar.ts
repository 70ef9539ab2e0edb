/**
 * The exchange calendar: NYSE trading days are weekdays minus the exchange's full-day
 * holidays (NYSE Rule 7.2) and the unscheduled closures since 2000. One calendar for the
 * whole pipeline and the sandbox, so "a date with no trading" is a single, testable notion:
 * the pipeline refuses such partitions by name, backfills step over them, and an empty EOD
 * file on a day this calendar says traded means "not published yet", never "holiday".
 *
 * Pure: dates are `YYYY-MM-DD` strings, arithmetic is on UTC day numbers (days since
 * 1970-01-01), the clock is never read. Rules hold for any year; the indexed calendar
 * (TradingCalendar) covers CALENDAR_START..CALENDAR_END, the span whose unscheduled
 * closures are known.
 */

/** First date of the indexed calendar: the first NYSE session of 2000. */
export const CALENDAR_START = "2000-01-03";
/** Last date of the indexed calendar. */
const CALENDAR_END = "2070-12-31";

/** Closures that no rule predicts, with their cause (national mourning, 9/11, Sandy). */
const UNSCHEDULED_CLOSURES: Readonly<Record<string, string>> = {
  "2001-09-11": "the September 11 attacks",
  "2001-09-12": "the September 11 attacks",
  "2001-09-13": "the September 11 attacks",
  "2001-09-14": "the September 11 attacks",
  "2004-06-11": "the national day of mourning for President Reagan",
  "2007-01-02": "the national day of mourning for President Ford",
  "2012-10-29": "Hurricane Sandy",
  "2012-10-30": "Hurricane Sandy",
  "2018-12-05": "the national day of mourning for President George H. W. Bush",
  "2025-01-09": "the national day of mourning for President Carter",
};

const WEEKDAY_NAMES = [
  "Sunday",
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
] as const;

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 (UTC) of a `YYYY-MM-DD` calendar date; null when not one (days). */
export function dayNumber(iso: string): number | null {
  const m = ISO_DATE.exec(iso);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: the latter reads years 0-99 as 1900-1999.
  date.setUTCFullYear(year, month - 1, day);
  // Rejects 2026-02-30 and the like, which Date would roll over into March.
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return Math.round(date.getTime() / MS_PER_DAY);
}

/** The `YYYY-MM-DD` date of a day number (days since 1970-01-01, UTC). */
export function isoFromDayNumber(days: number): string {
  return new Date(days * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Whether the text is a real `YYYY-MM-DD` calendar date (unitless). */
export function isCalendarDate(text: string): boolean {
  return dayNumber(text) !== null;
}

function requireDay(iso: string): number {
  const day = dayNumber(iso);
  if (day === null) throw new Error(`expected a YYYY-MM-DD calendar date, got "${iso}"`);
  return day;
}

/** Day of the week of a day number, 0 = Sunday .. 6 = Saturday (1970-01-01 was a Thursday). */
function weekdayOfDay(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** The weekday's English name of a `YYYY-MM-DD` date ("Saturday"); a name, no unit. */
function weekdayName(iso: string): string {
  return WEEKDAY_NAMES[weekdayOfDay(requireDay(iso))] as string;
}

/** Whether a `YYYY-MM-DD` date falls on a Saturday or Sunday (days; unitless answer). */
export function isWeekendDate(iso: string): boolean {
  const weekday = weekdayOfDay(requireDay(iso));
  return weekday === 0 || weekday === 6;
}

function dayOf(year: number, month: number, day: number): number {
  return Math.round(Date.UTC(year, month - 1, day) / MS_PER_DAY);
}

/** The n-th (1-based) given weekday (0 = Sunday) of a month (1-12). */
function nthWeekday(year: number, month: number, weekday: number, n: number): number {
  const first = dayOf(year, month, 1);
  return first + ((weekday - weekdayOfDay(first) + 7) % 7) + 7 * (n - 1);
}

function lastWeekday(year: number, month: number, weekday: number): number {
  const last = dayOf(year, month + 1, 0);
  return last - ((weekdayOfDay(last) - weekday + 7) % 7);
}

/** Easter Sunday (Gregorian computus); Good Friday is two days before. */
function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return dayOf(year, month, day);
}

/** A fixed-date holiday moves to Friday when it falls on Saturday, to Monday on Sunday. */
function observed(day: number): number {
  const weekday = weekdayOfDay(day);
  if (weekday === 6) return day - 1;
  if (weekday === 0) return day + 1;
  return day;
}

const holidayCache = new Map<number, ReadonlyMap<string, string>>();

/** NYSE full-day closures of a year on weekdays: date (`YYYY-MM-DD`) to name; no unit. */
function nyseHolidayNames(year: number): ReadonlyMap<string, string> {
  const cached = holidayCache.get(year);
  if (cached) return cached;
  const days: [number, string][] = [];
  // New Year's Day on a Saturday is not observed on the Friday before (NYSE rule 7.2).
  const newYear = dayOf(year, 1, 1);
  if (weekdayOfDay(newYear) !== 6) days.push([observed(newYear), "New Year's Day"]);
  days.push([nthWeekday(year, 1, 1, 3), "Martin Luther King Jr. Day"]);
  days.push([nthWeekday(year, 2, 1, 3), "Washington's Birthday"]);
  days.push([easterSunday(year) - 2, "Good Friday"]);
  days.push([lastWeekday(year, 5, 1), "Memorial Day"]);
  if (year >= 2022) days.push([observed(dayOf(year, 6, 19)), "Juneteenth"]);
  days.push([observed(dayOf(year, 7, 4)), "Independence Day"]);
  days.push([nthWeekday(year, 9, 1, 1), "Labor Day"]);
  days.push([nthWeekday(year, 11, 4, 4), "Thanksgiving Day"]);
  days.push([observed(dayOf(year, 12, 25)), "Christmas Day"]);
  const names = new Map(days.map(([day, name]) => [isoFromDayNumber(day), name]));
  for (const [date, cause] of Object.entries(UNSCHEDULED_CLOSURES)) {
    if (date.startsWith(`${year}-`)) names.set(date, `an unscheduled closure (${cause})`);
  }
  holidayCache.set(year, names);
  return names;
}

/** NYSE full-day closures of a year on weekdays, as `YYYY-MM-DD` dates (days). */
export function nyseHolidays(year: number): ReadonlySet<string> {
  return new Set(nyseHolidayNames(year).keys());
}

/** The holiday or closure a `YYYY-MM-DD` weekday is (days), or null when it is none. */
export function nyseHolidayName(iso: string): string | null {
  requireDay(iso);
  return nyseHolidayNames(Number(iso.slice(0, 4))).get(iso) ?? null;
}

/** Why the NYSE does not trade on a date ("a Saturday", "Thanksgiving Day"), or null (a name). */
export function noTradingReason(iso: string): string | null {
  if (isWeekendDate(iso)) return `a ${weekdayName(iso)}`;
  return nyseHolidayName(iso);
}

/** Rule-based check for any `YYYY-MM-DD` date, in or out of the indexed range (unitless). */
export function isNyseTradingDay(iso: string): boolean {
  return noTradingReason(iso) === null;
}

/** A weekday the exchange was closed, with the reason. */
export interface Closure {
  date: string;
  name: string;
}

/**
 * The indexed calendar from CALENDAR_START to CALENDAR_END. Trading-day indexes are the
 * time axis of the sandbox's price model, so they must never depend on any option.
 */
export class TradingCalendar {
  /** Every trading day in range, ascending. */
  readonly days: readonly string[];
  private readonly indexByDate: Map<string, number>;

  constructor() {
    const days: string[] = [];
    const end = requireDay(CALENDAR_END);
    for (let day = requireDay(CALENDAR_START); day <= end; day++) {
      const weekday = weekdayOfDay(day);
      if (weekday === 0 || weekday === 6) continue;
      const iso = isoFromDayNumber(day);
      if (nyseHolidayNames(Number(iso.slice(0, 4))).has(iso)) continue;
      days.push(iso);
    }
    this.days = days;
    this.indexByDate = new Map(days.map((day, i) => [day, i]));
  }

  isTradingDay(date: string): boolean {
    if (date >= CALENDAR_START && date <= CALENDAR_END) {
      requireDay(date);
      return this.indexByDate.has(date);
    }
    return isNyseTradingDay(date);
  }

  /** Trading-day index of a date, or -1 when the date is not a trading day in range. */
  indexOf(date: string): number {
    return this.indexByDate.get(date) ?? -1;
  }

  /** Index of the last trading day on or before a date; -1 when before the calendar. */
  indexOnOrBefore(date: string): number {
    let lo = 0;
    let hi = this.days.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const day = this.days[mid] as string;
      if (day <= date) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  dateAt(index: number): string {
    const day = this.days[index];
    if (day === undefined) throw new Error(`trading-day index ${index} is outside the calendar`);
    return day;
  }

  /** Trading days from `from` to `to`, both inclusive. */
  tradingDays(from: string, to: string): string[] {
    requireDay(from);
    requireDay(to);
    if (from > to) return [];
    const start = this.indexOnOrBefore(from);
    const first = start >= 0 && this.days[start] === from ? start : start + 1;
    const last = this.indexOnOrBefore(to);
    return this.days.slice(first, last + 1);
  }

  /** Weekdays from `from` to `to` (inclusive) on which the exchange was closed, with why. */
  closures(from: string, to: string): Closure[] {
    const start = requireDay(from);
    const end = requireDay(to);
    const out: Closure[] = [];
    for (let day = start; day <= end; day++) {
      const weekday = weekdayOfDay(day);
      if (weekday === 0 || weekday === 6) continue;
      const date = isoFromDayNumber(day);
      const name = nyseHolidayName(date);
      if (name) out.push({ date, name });
    }
    return out;
  }

  /** The last trading day on or before a date (the date itself when it trades). */
  latestTradingDay(onOrBefore: string): string {
    requireDay(onOrBefore);
    const index = this.indexOnOrBefore(onOrBefore);
    if (index < 0) {
      throw new Error(
        `no trading day on or before ${onOrBefore}: the calendar starts at ${CALENDAR_START}`,
      );
    }
    return this.dateAt(index);
  }
}

let sharedCalendar: TradingCalendar | undefined;

/** The one calendar of a process: immutable, built in a few milliseconds (count: one). */
export function tradingCalendar(): TradingCalendar {
  sharedCalendar ??= new TradingCalendar();
  return sharedCalendar;
}
