/**
 * The sandbox's trading calendar: NYSE rules (weekdays minus exchange holidays and the
 * unscheduled closures since 2000). Every listing in the sandbox trades on it, foreign ones
 * included: one calendar keeps "a date with no trading" a single, testable notion.
 *
 * Dates are ISO strings (YYYY-MM-DD) everywhere; date-fns does the arithmetic in local time,
 * which is safe because only whole calendar days are ever added or compared.
 */
import {
  addDays,
  getDay,
  isWeekend,
  lastDayOfMonth,
  nextSaturday,
  previousSaturday,
} from "date-fns";

/** First and last dates the indexed calendar covers; price paths are indexed from the first. */
export const CALENDAR_START = "2000-01-03";
export const CALENDAR_END = "2070-12-31";

/** Closures that no rule predicts (national mourning, 9/11, hurricane Sandy). */
const UNSCHEDULED_CLOSURES = [
  "2001-09-11",
  "2001-09-12",
  "2001-09-13",
  "2001-09-14",
  "2004-06-11",
  "2007-01-02",
  "2012-10-29",
  "2012-10-30",
  "2018-12-05",
  "2025-01-09",
];

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function parseLocal(iso: string): Date | null {
  if (!ISO_DATE.test(iso)) return null;
  const year = Number(iso.slice(0, 4));
  const month = Number(iso.slice(5, 7));
  const day = Number(iso.slice(8, 10));
  const date = new Date(year, month - 1, day);
  // Rejects 2026-02-30 and the like, which Date would silently roll over.
  return date.getMonth() === month - 1 && date.getDate() === day ? date : null;
}

/** Parses YYYY-MM-DD as a local-time date. Hand-rolled because it sits on hot paths. */
export function toDate(iso: string): Date {
  const date = parseLocal(iso);
  if (!date) throw new Error(`expected a YYYY-MM-DD calendar date, got "${iso}"`);
  return date;
}

/** Formats a local-time date as YYYY-MM-DD (equivalent to date-fns format "yyyy-MM-dd", faster). */
export function toIso(date: Date): string {
  const month = date.getMonth() + 1;
  const day = date.getDate();
  return `${date.getFullYear()}-${month < 10 ? "0" : ""}${month}-${day < 10 ? "0" : ""}${day}`;
}

export function isIsoDate(text: string): boolean {
  return parseLocal(text) !== null;
}

/** The n-th (1-based) given weekday (0 = Sunday) of a month (1-12). */
function nthWeekday(year: number, month: number, weekday: number, n: number): Date {
  const first = new Date(year, month - 1, 1);
  const offset = (weekday - getDay(first) + 7) % 7;
  return addDays(first, offset + 7 * (n - 1));
}

function lastWeekday(year: number, month: number, weekday: number): Date {
  const last = lastDayOfMonth(new Date(year, month - 1, 1));
  const offset = (getDay(last) - weekday + 7) % 7;
  return addDays(last, -offset);
}

/** Easter Sunday (Gregorian computus); Good Friday is two days before. */
function easterSunday(year: number): Date {
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
  return new Date(year, month - 1, day);
}

/** A fixed-date holiday moves to Friday when it falls on Saturday, to Monday on Sunday. */
function observed(date: Date): Date {
  const weekday = getDay(date);
  if (weekday === 6) return addDays(date, -1);
  if (weekday === 0) return addDays(date, 1);
  return date;
}

const holidayCache = new Map<number, ReadonlySet<string>>();

/** NYSE full-day holidays of a year, as ISO dates. */
export function nyseHolidays(year: number): ReadonlySet<string> {
  const cached = holidayCache.get(year);
  if (cached) return cached;
  const days: Date[] = [];
  // New Year's Day on a Saturday is not observed on the Friday before (NYSE rule 7.2).
  const newYear = new Date(year, 0, 1);
  if (getDay(newYear) !== 6) days.push(observed(newYear));
  days.push(nthWeekday(year, 1, 1, 3)); // Martin Luther King Jr. Day
  days.push(nthWeekday(year, 2, 1, 3)); // Washington's Birthday
  days.push(addDays(easterSunday(year), -2)); // Good Friday
  days.push(lastWeekday(year, 5, 1)); // Memorial Day
  if (year >= 2022) days.push(observed(new Date(year, 5, 19))); // Juneteenth
  days.push(observed(new Date(year, 6, 4))); // Independence Day
  days.push(nthWeekday(year, 9, 1, 1)); // Labor Day
  days.push(nthWeekday(year, 11, 4, 4)); // Thanksgiving
  days.push(observed(new Date(year, 11, 25))); // Christmas
  const set = new Set(days.map(toIso));
  for (const closure of UNSCHEDULED_CLOSURES) {
    if (closure.startsWith(`${year}-`)) set.add(closure);
  }
  holidayCache.set(year, set);
  return set;
}

/** Rule-based check, valid for any date. */
export function isNyseTradingDay(iso: string): boolean {
  const date = toDate(iso);
  if (isWeekend(date)) return false;
  return !nyseHolidays(date.getFullYear()).has(iso);
}

/** The last Saturday on or before a date (52/53-week fiscal calendars end on one). */
export function saturdayOnOrBefore(iso: string): string {
  const date = toDate(iso);
  return getDay(date) === 6 ? iso : toIso(previousSaturday(date));
}

export function saturdayOnOrAfter(iso: string): string {
  const date = toDate(iso);
  return getDay(date) === 6 ? iso : toIso(nextSaturday(date));
}

/**
 * The indexed calendar from CALENDAR_START to CALENDAR_END. Trading-day indexes are the
 * time axis of the price model, so they must never depend on a market's options.
 */
export class TradingCalendar {
  /** Every trading day in range, ascending. */
  readonly days: readonly string[];
  private readonly indexByDate: Map<string, number>;

  constructor() {
    const days: string[] = [];
    const end = toDate(CALENDAR_END);
    for (let date = toDate(CALENDAR_START); date <= end; date = addDays(date, 1)) {
      if (isWeekend(date)) continue;
      const iso = toIso(date);
      if (nyseHolidays(date.getFullYear()).has(iso)) continue;
      days.push(iso);
    }
    this.days = days;
    this.indexByDate = new Map(days.map((day, i) => [day, i]));
  }

  isTradingDay(date: string): boolean {
    if (date >= CALENDAR_START && date <= CALENDAR_END) {
      toDate(date);
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
    toDate(from);
    toDate(to);
    if (from > to) return [];
    const start = this.indexOnOrBefore(from);
    const first = start >= 0 && this.days[start] === from ? start : start + 1;
    const last = this.indexOnOrBefore(to);
    return this.days.slice(first, last + 1);
  }

  /** The last trading day on or before a date (the date itself when it trades). */
  latestTradingDay(onOrBefore: string): string {
    toDate(onOrBefore);
    const index = this.indexOnOrBefore(onOrBefore);
    if (index < 0)
      throw new Error(`no trading day on or before ${onOrBefore} in the sandbox calendar`);
    return this.dateAt(index);
  }
}

let sharedCalendar: TradingCalendar | undefined;

/** One calendar per process: it is immutable and costs a few milliseconds to build. */
export function tradingCalendar(): TradingCalendar {
  sharedCalendar ??= new TradingCalendar();
  return sharedCalendar;
}
