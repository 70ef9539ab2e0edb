/**
 * Relative performance columns (spec §8.2): stock return minus the market's (SPY) and minus
 * the sector's, per window, in percentage points. These are the `relative_vs_market_*` and
 * `relative_vs_sector_*` columns and the inputs of IFS and the relative return.
 *
 * 2Y is computed (IFS uses it) but not persisted: `PERSISTED_RELATIVE_WINDOWS` lists the
 * windows that have columns.
 *
 * Decision (latest row per window): the original took the first `datos_performance` row it
 * found per window, any date, and never asked for 3M, 6M or 2Y, so those columns were always
 * null and stale rows could be mixed with fresh ones. `latestReturnsByWindow` keeps, per
 * window, the newest row dated on or before the as-of date, optionally no older than
 * `maxAgeDays`. It also turns the table's negative `max_drawdown` into the positive percent
 * the relative return expects.
 */
import { daysBetween } from "./dates.ts";
import { isNum } from "./math.ts";
import type { RelativeReturnTimeline } from "./relative-return.ts";
import type { IsoDate, Percent, PercentagePoints } from "./units.ts";

/** Windows with relative-performance values. */
type PerformanceWindow = "1M" | "3M" | "6M" | "1Y" | "2Y" | "3Y" | "5Y";

/** Returns by window (percent numbers). */
type WindowReturns = Partial<Record<PerformanceWindow, Percent | null>>;

/** Lower-case column suffix of a window. */
type WindowSuffix = "1m" | "3m" | "6m" | "1y" | "2y" | "3y" | "5y";

/** Relative columns in percentage points. */
export type RelativePerformance = Record<
  `relative_vs_market_${WindowSuffix}` | `relative_vs_sector_${WindowSuffix}`,
  PercentagePoints | null
>;

/** All windows, shortest first. */
export const PERFORMANCE_WINDOWS: PerformanceWindow[] = ["1M", "3M", "6M", "1Y", "2Y", "3Y", "5Y"];

/** Windows that have `relative_vs_*` columns in `fintra_snapshots` (no 2Y). */
export const PERSISTED_RELATIVE_WINDOWS: PerformanceWindow[] = ["1M", "3M", "6M", "1Y", "3Y", "5Y"];

/** Stock − market and stock − sector per window (percentage points); null if a side is missing. */
export function relativePerformance(
  stock: WindowReturns,
  market: WindowReturns,
  sector: WindowReturns,
): RelativePerformance {
  const out = {} as RelativePerformance;
  for (const w of PERFORMANCE_WINDOWS) {
    const s = w.toLowerCase() as WindowSuffix;
    const own = stock[w];
    const m = market[w];
    const sec = sector[w];
    out[`relative_vs_market_${s}`] = isNum(own) && isNum(m) ? own - m : null;
    out[`relative_vs_sector_${s}`] = isNum(own) && isNum(sec) ? own - sec : null;
  }
  return out;
}

/** A `datos_performance` (or sector/industry performance) row. */
interface PerformanceRow {
  performance_date: IsoDate;
  window_code: string;
  return_percent: Percent | null;
  /** As stored: a negative percent (−35 = fell 35 %). */
  max_drawdown?: Percent | null;
}

/** The newest value of one window. */
interface LatestReturn {
  performance_date: IsoDate;
  return_percent: Percent | null;
  /** Positive percent (35 = fell 35 %). */
  max_drawdown: Percent | null;
}

/** Newest row per window ≤ asOf (within maxAgeDays days): return percent, drawdown positive %. */
export function latestReturnsByWindow(
  rows: readonly PerformanceRow[],
  asOf: IsoDate,
  maxAgeDays?: number,
): Partial<Record<string, LatestReturn>> {
  const out: Partial<Record<string, LatestReturn>> = {};
  for (const r of rows) {
    if (r.performance_date > asOf) continue;
    if (maxAgeDays !== undefined) {
      const age = daysBetween(r.performance_date, asOf);
      if (age === null || age > maxAgeDays) continue;
    }
    const prev = out[r.window_code];
    if (prev && prev.performance_date >= r.performance_date) continue;
    out[r.window_code] = {
      performance_date: r.performance_date,
      return_percent: isNum(r.return_percent) ? r.return_percent : null,
      max_drawdown: isNum(r.max_drawdown) ? Math.abs(r.max_drawdown) : null,
    };
  }
  return out;
}

/** Window returns (percent numbers) from `latestReturnsByWindow` output. */
export function windowReturns(latest: Partial<Record<string, LatestReturn>>): WindowReturns {
  const out: WindowReturns = {};
  for (const w of PERFORMANCE_WINDOWS) out[w] = latest[w]?.return_percent ?? null;
  return out;
}

/** Relative-return timeline (1Y/3Y/5Y, percent numbers) from stock and benchmark latest rows. */
export function relativeReturnTimeline(
  stock: Partial<Record<string, LatestReturn>>,
  benchmark: Partial<Record<string, LatestReturn>>,
): RelativeReturnTimeline {
  const timeline: RelativeReturnTimeline = {};
  for (const w of ["1Y", "3Y", "5Y"] as const) {
    const a = stock[w];
    const b = benchmark[w];
    // The window exists only when both rows exist.
    if (!a || !b) continue;
    timeline[w] = {
      asset_return: a.return_percent,
      benchmark_return: b.return_percent,
      asset_max_drawdown: a.max_drawdown,
      benchmark_max_drawdown: b.max_drawdown,
    };
  }
  return timeline;
}
