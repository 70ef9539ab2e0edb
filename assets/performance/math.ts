/**
 * Pure helpers of the performance family (datos_performance, sector_performance,
 * industry_performance, performance_windows): window start dates, a ticker's return,
 * volatility and drawdown over a window, equal-weighted group means, and ticker chunking.
 * No I/O; every date is an input.
 *
 * Windows are calendar windows ending on the partition D. The nominal start s is:
 *
 * | window | s |
 * |---|---|
 * | 1D | D − 1 day (so the start price is the previous close, Friday's on a Monday) |
 * | 1W | D − 7 days |
 * | 1M, 3M, 6M | D − 1, 3, 6 calendar months (date-fns: 31 Mar − 1M = 28/29 Feb) |
 * | YTD | 31 Dec of the previous year (the start price is last year's final close) |
 * | 1Y, 2Y, 3Y, 5Y | D − 1, 2, 3, 5 calendar years (29 Feb − 1Y = 28 Feb) |
 *
 * The start price is the last close dated on or before s, and no more than
 * START_PRICE_TOLERANCE_DAYS before it. No close on or before s means the ticker's history
 * is shorter than the window: the window is skipped (never shortened to "since listing").
 * A last close older than the tolerance (a halted or illiquid ticker) skips it too.
 */
import { format, subDays, subMonths, subYears } from "date-fns";
import { parseDate } from "../../runtime/partitions.ts";

/** Every window datos_performance writes, shortest first. */
export const WINDOW_CODES = ["1D", "1W", "1M", "3M", "6M", "YTD", "1Y", "2Y", "3Y", "5Y"] as const;
export type WindowCode = (typeof WINDOW_CODES)[number];

/**
 * How far before a window's nominal start its start price may be dated (calendar days). Five
 * days cover a weekend plus a holiday or two (Good Friday, Thanksgiving, Hurricane Sandy's
 * two closed days); an older last close means the ticker did not trade around the start.
 */
export const START_PRICE_TOLERANCE_DAYS = 5;

/** Trading days per year, to annualize a daily volatility. */
const TRADING_DAYS_PER_YEAR = 252;

const iso = (date: Date) => format(date, "yyyy-MM-dd");

/** The nominal start of `window` ending on `day` (see the table above). */
export function windowStart(window: WindowCode, day: string): string {
  const d = parseDate(day);
  switch (window) {
    case "1D":
      return iso(subDays(d, 1));
    case "1W":
      return iso(subDays(d, 7));
    case "1M":
      return iso(subMonths(d, 1));
    case "3M":
      return iso(subMonths(d, 3));
    case "6M":
      return iso(subMonths(d, 6));
    case "YTD":
      return `${d.getFullYear() - 1}-12-31`;
    case "1Y":
      return iso(subYears(d, 1));
    case "2Y":
      return iso(subYears(d, 2));
    case "3Y":
      return iso(subYears(d, 3));
    case "5Y":
      return iso(subYears(d, 5));
  }
}

/** The earliest date a start price of `window` on `day` may carry. */
export function earliestStartPrice(window: WindowCode, day: string): string {
  return iso(subDays(parseDate(windowStart(window, day)), START_PRICE_TOLERANCE_DAYS));
}

/** The first price date any window of `day` can use: what a partition reads, and what a backfill must load. */
export function priceHistoryStart(day: string): string {
  return earliestStartPrice("5Y", day);
}

/** A window's nominal start and the earliest start price it accepts, on one day. */
interface WindowBounds {
  window: WindowCode;
  start: string;
  earliest: string;
}

const boundsByDay = new Map<string, readonly WindowBounds[]>();

/**
 * Every window's bounds on `day`, in WINDOW_CODES order. Computed once per day and kept
 * (a few days at most): date arithmetic per ticker and window was a visible share of a
 * 45,000-ticker run.
 */
export function windowBounds(day: string): readonly WindowBounds[] {
  let bounds = boundsByDay.get(day);
  if (!bounds) {
    bounds = WINDOW_CODES.map((window) => ({
      window,
      start: windowStart(window, day),
      earliest: earliestStartPrice(window, day),
    }));
    if (boundsByDay.size >= 16) boundsByDay.clear();
    boundsByDay.set(day, bounds);
  }
  return bounds;
}

/** A ticker's daily closes (adjusted), dates ascending and distinct, prices > 0. */
export interface PriceSeries {
  dates: string[];
  prices: number[];
}

/** Why a window has no row. */
export type WindowSkip = "history_too_short" | "stale_start_price";

export interface WindowMetrics {
  window_code: WindowCode;
  /** Date of the start price (on or before the nominal start). */
  start_date: string;
  /** (P_D / P_start − 1) × 100. */
  return_percent: number;
  /** P_D − P_start, in price units. */
  absolute_return: number;
  /** Annualized volatility of daily log returns, percent (see `annualizedVolatility`). */
  volatility: number;
  /** Largest peak-to-trough fall, positive percent (35 = fell 35 %). */
  max_drawdown: number;
  /** Daily returns in the window (closes after the start price, up to D). */
  observations: number;
}

/** Index of the last date <= `date` in ascending `dates`, or -1. */
export function lastIndexOnOrBefore(dates: readonly string[], date: string): number {
  let lo = 0;
  let hi = dates.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((dates[mid] as string) <= date) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * The daily log returns of a series: element i is ln(prices[i] / prices[i − 1]) (element 0
 * is NaN, no return). Computed once per ticker and shared by its windows; each element is
 * the same double `annualizedVolatility` computes on its own.
 */
export function logReturns(prices: readonly number[]): Float64Array {
  const logs = new Float64Array(prices.length);
  logs[0] = Number.NaN;
  for (let i = 1; i < prices.length; i++)
    logs[i] = Math.log((prices[i] as number) / (prices[i - 1] as number));
  return logs;
}

/**
 * Annualized volatility (percent) of the daily log returns ln(p[i]/p[i−1]) for i in
 * (from, to]: the sample standard deviation (n − 1) × √252 × 100. With a single return (1D,
 * or a window gapped down to one) the sample deviation is undefined, so the realized value
 * about a zero mean, |r| × √252 × 100, is used: every window with a return has a volatility.
 * `logs` (from `logReturns(prices)`) saves recomputing the logarithms; the result is the
 * same double either way (same values, summed in the same order).
 */
export function annualizedVolatility(
  prices: readonly number[],
  from: number,
  to: number,
  logs: ArrayLike<number> = logReturns(prices),
): number {
  const n = to - from;
  if (n < 1) throw new RangeError("volatility needs at least one return");
  const scale = Math.sqrt(TRADING_DAYS_PER_YEAR) * 100;
  if (n === 1) return Math.abs(logs[to] as number) * scale;
  let sum = 0;
  for (let i = from + 1; i <= to; i++) sum += logs[i] as number;
  const mean = sum / n;
  let squares = 0;
  for (let i = from + 1; i <= to; i++) squares += ((logs[i] as number) - mean) ** 2;
  return Math.sqrt(squares / (n - 1)) * scale;
}

/** Largest fall from a running peak to a later close in prices[from..to], positive percent (0 if none). */
export function maxDrawdown(prices: readonly number[], from: number, to: number): number {
  let peak = prices[from] as number;
  let worst = 0;
  for (let i = from + 1; i <= to; i++) {
    const p = prices[i] as number;
    if (p > peak) peak = p;
    else worst = Math.max(worst, (1 - p / peak) * 100);
  }
  return worst;
}

/**
 * One window's metrics for a series whose last close is dated `day` (the caller checks
 * that the ticker traded on D), or why the window is skipped.
 */
export function windowMetrics(
  series: PriceSeries,
  day: string,
  window: WindowCode,
): WindowMetrics | WindowSkip {
  const bounds = windowBounds(day).find((b) => b.window === window) as WindowBounds;
  return metricsWithin(series, bounds, null);
}

/** `windowMetrics` with the day's bounds and the series' log returns (computed when null) at hand. */
function metricsWithin(
  series: PriceSeries,
  bounds: WindowBounds,
  logs: Float64Array | null,
): WindowMetrics | WindowSkip {
  const end = series.dates.length - 1;
  const start = lastIndexOnOrBefore(series.dates, bounds.start);
  if (start < 0 || start >= end) return "history_too_short";
  const startDate = series.dates[start] as string;
  if (startDate < bounds.earliest) return "stale_start_price";
  const first = series.prices[start] as number;
  const last = series.prices[end] as number;
  return {
    window_code: bounds.window,
    start_date: startDate,
    return_percent: (last / first - 1) * 100,
    absolute_return: last - first,
    volatility: annualizedVolatility(series.prices, start, end, logs ?? logReturns(series.prices)),
    max_drawdown: maxDrawdown(series.prices, start, end),
    observations: end - start,
  };
}

interface TickerPerformance {
  metrics: WindowMetrics[];
  skipped: Record<WindowSkip, number>;
}

/** Every window of a ticker priced on `day`; the series must end on `day`. */
export function tickerPerformance(series: PriceSeries, day: string): TickerPerformance {
  if (series.dates.at(-1) !== day) throw new RangeError(`series must end on ${day}`);
  const metrics: WindowMetrics[] = [];
  const skipped: Record<WindowSkip, number> = { history_too_short: 0, stale_start_price: 0 };
  const logs = logReturns(series.prices);
  for (const bounds of windowBounds(day)) {
    const m = metricsWithin(series, bounds, logs);
    if (typeof m === "string") skipped[m] += 1;
    else metrics.push(m);
  }
  return { metrics, skipped };
}

/**
 * Builds a PriceSeries from (date, price) points sorted by date, up to `day`: points after
 * `day`, without a price, or with a price <= 0 are dropped (and counted), so every log
 * return is finite.
 */
export function priceSeries(
  points: readonly { price_date: string; adj_close: number | null }[],
  day: string,
): { series: PriceSeries; dropped: number } {
  const dates: string[] = [];
  const prices: number[] = [];
  let dropped = 0;
  for (const p of points) {
    if (p.price_date > day) continue;
    if (p.adj_close === null || !Number.isFinite(p.adj_close) || p.adj_close <= 0) {
      dropped += 1;
      continue;
    }
    dates.push(p.price_date);
    prices.push(p.adj_close);
  }
  return { series: { dates, prices }, dropped };
}

/** Minimum constituents behind a sector or industry return: fewer says nothing about a group. */
export const MIN_MEMBERS = 3;

export interface GroupReturn {
  group: string;
  window_code: string;
  /** Equal-weighted mean of the members' returns, percent. */
  return_percent: number;
  members: number;
}

/** Accumulates members' returns per (group, window) and yields equal-weighted means. */
export class EqualWeightMeans {
  private readonly sums = new Map<
    string,
    { group: string; window: string; sum: number; n: number }
  >();

  add(group: string, window: string, value: number | null): void {
    if (value === null || !Number.isFinite(value)) return;
    const key = `${group}\u0000${window}`;
    const cell = this.sums.get(key);
    if (cell) {
      cell.sum += value;
      cell.n += 1;
    } else this.sums.set(key, { group, window, sum: value, n: 1 });
  }

  /** Means of cells with at least `minMembers` members, and how many cells fell short. */
  results(minMembers: number = MIN_MEMBERS): { rows: GroupReturn[]; belowMinimum: number } {
    const rows: GroupReturn[] = [];
    let belowMinimum = 0;
    for (const { group, window, sum, n } of this.sums.values()) {
      if (n < minMembers) belowMinimum += 1;
      else rows.push({ group, window_code: window, return_percent: sum / n, members: n });
    }
    rows.sort(
      (a, b) => a.group.localeCompare(b.group) || a.window_code.localeCompare(b.window_code),
    );
    return { rows, belowMinimum };
  }
}
