/**
 * Fiscal calendars and filing dates, with FMP's `fiscalYear` semantics: a fiscal year is
 * named after the calendar year in which it ends (Microsoft's fiscal 2026 Q1 ends
 * 2025-09-30; a March year-end's fiscal 2026 Q1 ends 2025-06-30). Quarters are counted by
 * an ordinal k = fiscalYear × 4 + (quarter − 1), which is how consecutiveness is decided.
 */
import { addDays, lastDayOfMonth } from "date-fns";
import { isNyseTradingDay, saturdayOnOrBefore, toDate, toIso } from "./calendar.ts";
import { hash3, unit } from "./random.ts";
import type { Instrument } from "./universe.ts";

export type Quarter = 1 | 2 | 3 | 4;
export type Period = "Q1" | "Q2" | "Q3" | "Q4" | "FY";
export const PERIODS: readonly Period[] = ["Q1", "Q2", "Q3", "Q4", "FY"];

export function quarterOrdinal(fiscalYear: number, quarter: Quarter): number {
  return fiscalYear * 4 + (quarter - 1);
}

export function ordinalFiscalYear(k: number): number {
  return Math.floor(k / 4);
}

export function ordinalQuarter(k: number): Quarter {
  return ((k % 4) + 1) as Quarter;
}

/** Period end of a fiscal quarter: a month end, or its last Saturday for 52/53-week years. */
export function periodEndDate(instrument: Instrument, k: number): string {
  const fiscalYear = ordinalFiscalYear(k);
  const quarter = ordinalQuarter(k);
  const monthIndex = fiscalYear * 12 + (instrument.fiscalYearEndMonth - 1) - 3 * (4 - quarter);
  const monthEnd = toIso(lastDayOfMonth(new Date(Math.floor(monthIndex / 12), monthIndex % 12, 1)));
  return instrument.weekBasedFiscalYear ? saturdayOnOrBefore(monthEnd) : monthEnd;
}

export interface Filing {
  /** YYYY-MM-DD */
  filingDate: string;
  /** YYYY-MM-DD HH:MM:SS, on the filing date. */
  acceptedDate: string;
}

/**
 * When a quarter's statements are filed: quarterly reports 25-45 days after the period end
 * (foreign filers 30-55), annual reports (the FY row and Q4, which come from the same
 * filing) 35-60 days after; always on a business day.
 */
export function filingFor(instrument: Instrument, k: number): Filing {
  const annual = ordinalQuarter(k) === 4;
  const domestic = instrument.exchange.country === "US";
  const [minLag, maxLag] = annual
    ? domestic
      ? [35, 60]
      : [45, 60]
    : domestic
      ? [25, 45]
      : [30, 55];
  const draw = hash3(instrument.key, k, 0xf111);
  const lag = minLag + Math.floor(unit(draw) * (maxLag - minLag + 1));
  let date = addDays(toDate(periodEndDate(instrument, k)), lag);
  while (!isNyseTradingDay(toIso(date))) date = addDays(date, 1);
  const filingDate = toIso(date);
  const seconds = 6 * 3600 + Math.floor(unit(hash3(draw, k, 0x7133)) * 14 * 3600);
  const hh = String(Math.floor(seconds / 3600)).padStart(2, "0");
  const mm = String(Math.floor((seconds % 3600) / 60)).padStart(2, "0");
  const ss = String(seconds % 60).padStart(2, "0");
  return { filingDate, acceptedDate: `${filingDate} ${hh}:${mm}:${ss}` };
}
