/**
 * How the stock moved against its sector and the market on D: the relative columns
 * (spec/engines.md §8.2), IFS, the momentum score read from them (§6), and relative_return
 * against SPY with drawdowns (§8.1). Every return is of D itself: a stale one is no
 * reading of D.
 */
import type { IndustryProfile } from "../../engines/fundamentals-growth.ts";
import { calculateIfs, type RelativeVsSector } from "../../engines/ifs.ts";
import {
  latestReturnsByWindow,
  type RelativePerformance,
  relativePerformance,
  relativeReturnTimeline,
  windowReturns,
} from "../../engines/relative-performance.ts";
import { calculateRelativeReturn } from "../../engines/relative-return.ts";
import { sectorRowsOf } from "./groups.ts";
import type { KnownOnDay } from "./point-in-time.ts";
import type { BuiltSnapshot, DayContext } from "./types.ts";

export type ReturnsOnDay = ReturnType<typeof returnsOn>;

/** The stock's, the market's and the sector's returns of D, and what the engines make of them. */
export function returnsOn(
  known: Pick<KnownOnDay, "performance">,
  context: DayContext,
  sector: string | null,
  industryProfile: IndustryProfile,
) {
  const day = context.day;
  const own = latestReturnsByWindow(known.performance, day, 0);
  const market = latestReturnsByWindow(
    context.marketPerformance.filter((r) => r.performance_date === day),
    day,
    0,
  );
  const sectorLatest = latestReturnsByWindow(
    sectorRowsOf(context, sector).map((r) => ({ ...r, max_drawdown: null })),
    day,
    0,
  );
  const relative = relativePerformance(
    windowReturns(own),
    windowReturns(market),
    windowReturns(sectorLatest),
  );
  const relativeVsSector = versusSector(relative);
  const ifs = calculateIfs(relativeVsSector, industryProfile.dominant_horizons);
  const relativeReturn = calculateRelativeReturn(relativeReturnTimeline(own, market));
  return { own, relative, relativeVsSector, ifs, relativeReturn };
}

/** What IFS reads: the stock against its sector, 2y included. */
function versusSector(relative: RelativePerformance): RelativeVsSector {
  return {
    relative_vs_sector_1m: relative.relative_vs_sector_1m,
    relative_vs_sector_3m: relative.relative_vs_sector_3m,
    relative_vs_sector_6m: relative.relative_vs_sector_6m,
    relative_vs_sector_1y: relative.relative_vs_sector_1y,
    relative_vs_sector_2y: relative.relative_vs_sector_2y,
    relative_vs_sector_3y: relative.relative_vs_sector_3y,
    relative_vs_sector_5y: relative.relative_vs_sector_5y,
  };
}

/** relative_return, NULL when no window has both returns (so IS NOT NULL counts readings). */
export function relativeReturnColumn(returns: ReturnsOnDay) {
  return returns.relativeReturn.windows_used.length > 0 ? returns.relativeReturn : null;
}

/** The flat relative columns: stock minus sector and minus SPY, 1m..5y (no 2y column). */
type RelativeColumns = Pick<
  BuiltSnapshot,
  | "relative_vs_sector_1m"
  | "relative_vs_sector_3m"
  | "relative_vs_sector_6m"
  | "relative_vs_sector_1y"
  | "relative_vs_sector_3y"
  | "relative_vs_sector_5y"
  | "relative_vs_market_1m"
  | "relative_vs_market_3m"
  | "relative_vs_market_6m"
  | "relative_vs_market_1y"
  | "relative_vs_market_3y"
  | "relative_vs_market_5y"
>;

export function relativeColumns(r: RelativePerformance | null): RelativeColumns {
  return {
    relative_vs_sector_1m: r?.relative_vs_sector_1m ?? null,
    relative_vs_sector_3m: r?.relative_vs_sector_3m ?? null,
    relative_vs_sector_6m: r?.relative_vs_sector_6m ?? null,
    relative_vs_sector_1y: r?.relative_vs_sector_1y ?? null,
    relative_vs_sector_3y: r?.relative_vs_sector_3y ?? null,
    relative_vs_sector_5y: r?.relative_vs_sector_5y ?? null,
    relative_vs_market_1m: r?.relative_vs_market_1m ?? null,
    relative_vs_market_3m: r?.relative_vs_market_3m ?? null,
    relative_vs_market_6m: r?.relative_vs_market_6m ?? null,
    relative_vs_market_1y: r?.relative_vs_market_1y ?? null,
    relative_vs_market_3y: r?.relative_vs_market_3y ?? null,
    relative_vs_market_5y: r?.relative_vs_market_5y ?? null,
  };
}
