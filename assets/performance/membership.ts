/**
 * Who is in which sector and industry on a trading date D, for the performance aggregates
 * (sector_performance, industry_performance) and performance_windows.
 *
 * - A ticker's industry on D is its asset_industry_map row valid on D (effective_from <= D
 *   and effective_to NULL or >= D); the industry's name and sector come from
 *   industry_classification (latest state: the taxonomy has no history).
 * - asset_industry_map is built from company_profiles, which holds equities only, so every
 *   member is an equity. "Active on D" is "priced on D": the aggregates read only
 *   datos_performance rows dated D, which exist only for symbols datos_eod priced on D
 *   (datos_eod loads the universe's active symbols). Unlike today's `is_active`, this is
 *   point in time: a backfill of last month sees the members the daily runs saw.
 * - `constituentMeans` streams one day's datos_performance rows and folds them into
 *   equal-weighted means per group and window: the one aggregation both aggregates share.
 */
import type { Condition, Store } from "../../db/index.ts";
import { assetIndustryMapTable } from "../asset_industry_map.ts";
import { industryClassificationTable } from "../industry_classification.ts";
import { datosPerformanceTable } from "./datos_performance.ts";
import { EqualWeightMeans, type GroupReturn, MIN_MEMBERS } from "./math.ts";

export interface Membership {
  /** FMP industry name (industry_classification.industry_name). */
  industry: string;
  /** One of the 11 FMP sectors. */
  sector: string;
}

/** Whether a type-2 row is the one valid on `day`. */
export function validOn(row: { effective_from: string; effective_to: string | null }, day: string) {
  return row.effective_from <= day && (row.effective_to === null || row.effective_to >= day);
}

/**
 * Industry and sector of each ticker on `day`, optionally restricted to a ticker condition
 * (a list or a range). Tickers whose industry is not in the taxonomy are left out.
 */
export async function membershipsOn(
  db: Store,
  day: string,
  tickers?: Condition,
): Promise<Map<string, Membership>> {
  const industries = new Map(
    (
      await db.readAll(industryClassificationTable, {
        columns: ["industry_code", "industry_name", "sector"],
      })
    ).map((i) => [i.industry_code, { industry: i.industry_name, sector: i.sector }]),
  );
  const rows = await db.readAll(assetIndustryMapTable, {
    where: { effective_from: { lte: day }, ...(tickers !== undefined ? { ticker: tickers } : {}) },
    columns: ["ticker", "industry_code", "effective_from", "effective_to"],
  });
  const out = new Map<string, Membership>();
  const from = new Map<string, string>();
  for (const row of rows) {
    if (!validOn(row, day)) continue;
    const membership = industries.get(row.industry_code);
    if (!membership) continue;
    // Two rows valid at once would be a bug upstream (its check catches it); the newer wins.
    if ((from.get(row.ticker) ?? "") > row.effective_from) continue;
    from.set(row.ticker, row.effective_from);
    out.set(row.ticker, membership);
  }
  return out;
}

export interface ConstituentMeans {
  rows: GroupReturn[];
  /** Returns folded in (one per member and window). */
  returnsUsed: number;
  /** Tickers with rows on D but no membership (SPY, ETFs, unclassified equities). */
  nonMembers: number;
  /** (group, window) cells dropped for having fewer than MIN_MEMBERS members. */
  belowMinimum: number;
  /** Distinct members per window (before the minimum), for coverage checks. */
  membersByWindow: Record<string, number>;
}

/** Equal-weighted mean return per (sector or industry, window) of the members priced on `day`. */
export async function constituentMeans(
  db: Store,
  day: string,
  groupBy: keyof Membership,
): Promise<ConstituentMeans> {
  const members = await membershipsOn(db, day);
  const means = new EqualWeightMeans();
  const outsiders = new Set<string>();
  const membersByWindow: Record<string, number> = {};
  let returnsUsed = 0;
  for await (const page of db.read(datosPerformanceTable, {
    where: { performance_date: day },
    columns: ["ticker", "window_code", "return_percent"],
    pageSize: 50_000,
  })) {
    for (const row of page) {
      const membership = members.get(row.ticker);
      if (!membership) {
        outsiders.add(row.ticker);
        continue;
      }
      means.add(membership[groupBy], row.window_code, row.return_percent);
      membersByWindow[row.window_code] = (membersByWindow[row.window_code] ?? 0) + 1;
      returnsUsed += 1;
    }
  }
  const { rows, belowMinimum } = means.results(MIN_MEMBERS);
  return { rows, returnsUsed, nonMembers: outsiders.size, belowMinimum, membersByWindow };
}
