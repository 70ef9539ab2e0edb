/**
 * The sandbox's dates: the trading calendar itself lives in engines/calendar.ts (NYSE rules
 * and unscheduled closures, one calendar for the pipeline and the sandbox) and is re-exported
 * here; this module adds the local-time Date helpers the synthetic market's generators use.
 * Every listing in the sandbox trades on that one calendar, foreign ones included.
 *
 * date-fns does the generators' arithmetic in local time, which is safe because only whole
 * calendar days are ever added or compared.
 */
import { getDay, previousSaturday } from "date-fns";
import { isCalendarDate } from "../../engines/calendar.ts";

export {
  CALENDAR_START,
  isNyseTradingDay,
  nyseHolidays,
  TradingCalendar,
  tradingCalendar,
} from "../../engines/calendar.ts";

function parseLocal(iso: string): Date | null {
  if (!isCalendarDate(iso)) return null;
  return new Date(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10)));
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
  return isCalendarDate(text);
}

/** The last Saturday on or before a date (52/53-week fiscal calendars end on one). */
export function saturdayOnOrBefore(iso: string): string {
  const date = toDate(iso);
  return getDay(date) === 6 ? iso : toIso(previousSaturday(date));
}
