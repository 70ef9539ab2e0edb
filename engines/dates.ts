/**
 * ISO date arithmetic on `YYYY-MM-DD` strings. Pure: the dates always come in as inputs,
 * the clock is never read.
 */
import type { IsoDate, Year, Years } from "./units.ts";

const MS_PER_DAY = 86_400_000;

/** Milliseconds since epoch at UTC midnight of an ISO date; null if the text is not a date. */
function isoToUtcMs(date: IsoDate | null | undefined): number | null {
  if (typeof date !== "string") return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isFinite(ms) ? ms : null;
}

/** Whole days from `from` to `to` (positive when `to` is later); null on a bad date. */
export function daysBetween(from: IsoDate, to: IsoDate): number | null {
  const a = isoToUtcMs(from);
  const b = isoToUtcMs(to);
  if (a === null || b === null) return null;
  return Math.round((b - a) / MS_PER_DAY);
}

/** Years from `from` to `to` as days / 365.25; null on a bad date. */
export function yearsBetween(from: IsoDate, to: IsoDate): Years | null {
  const d = daysBetween(from, to);
  return d === null ? null : d / 365.25;
}

/** Calendar year (a year number) of an ISO date; null on a bad date. */
export function yearOf(date: IsoDate | null | undefined): Year | null {
  const ms = isoToUtcMs(date);
  return ms === null ? null : new Date(ms).getUTCFullYear();
}

/** The same calendar day `n` years earlier (29 Feb falls back to 28 Feb); null on a bad date. */
export function minusYears(date: IsoDate, n: number): IsoDate | null {
  const ms = isoToUtcMs(date);
  if (ms === null) return null;
  const d = new Date(ms);
  const year = d.getUTCFullYear() - n;
  const month = d.getUTCMonth();
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(d.getUTCDate(), lastDay);
  return new Date(Date.UTC(year, month, day)).toISOString().slice(0, 10);
}

/** Compare two ISO dates as text (`YYYY-MM-DD`): a unitless sign, negative, zero or positive. */
export function compareIso(a: IsoDate, b: IsoDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The ISO date `days` calendar days before `date` (negative: after); throws on a bad date. */
export function daysBefore(date: IsoDate, days: number): IsoDate {
  const ms = isoToUtcMs(date);
  if (ms === null) throw new RangeError(`not a date: ${JSON.stringify(date)}`);
  return new Date(ms - days * MS_PER_DAY).toISOString().slice(0, 10);
}

/** The same calendar day `years` earlier (29 Feb → 28 Feb); throws on a bad date. */
export function yearsBefore(date: IsoDate, years: number): IsoDate {
  const earlier = minusYears(date, years);
  if (earlier === null) throw new RangeError(`not a date: ${JSON.stringify(date)}`);
  return earlier;
}
