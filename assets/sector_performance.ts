/**
 * sector_performance: how each of the 11 FMP sectors moved, per window, on a trading date
 * D. One row per (sector, window, D) for 1D and the windows 1W, 1M, 3M, 6M, YTD, 1Y, 2Y, 3Y
 * and 5Y. Partitioned by trading date. Deps: datos_performance, asset_industry_map (and,
 * through it, industry_classification for the industry's sector).
 *
 * Key: (performance_date, sector, window_code), date first so one day is one range of the
 * primary key. Columns: sector, window_code, performance_date (= D), return_percent,
 * members (the constituents averaged), source = 'constituents_equal_weight'.
 *
 * How a row is computed (membership.ts, performance-math.ts):
 * - Constituents: equities whose industry on D (the asset_industry_map row valid on D,
 *   joined to industry_classification) is in the sector, and that have a datos_performance
 *   row for the window on D. Being priced on D is what "active on D" means (point in time;
 *   see membership.ts). SPY and other ETFs have no industry and are never constituents.
 * - return_percent: the EQUAL-WEIGHTED mean of the constituents' return_percent for that
 *   window on D, computed in-house every day (no FMP endpoint). Cap weighting would need a
 *   market cap for every constituent on every past day, which we do not have.
 * - Minimum sample: a (sector, window) with fewer than MIN_MEMBERS (3) constituents gets
 *   no row (counted in metadata as belowMinimum).
 * - 1D is a row like the others (window_code '1D'), not a separate table; the views
 *   sector_performance_daily and sector_performance_windows give the cleaned-up schema's
 *   split. The operations guide expects ~66 rows a day (11 × 6 windows); we write up to
 *   110 (11 × 10): more windows, same meaning.
 * - Windows are the constituents' own windows (no compounding of a daily series), so a
 *   sector's 1Y is the mean 1Y return of the members that have a year of history.
 *
 * Decisions:
 * - A scoped run (one ticker, a limit) leaves the aggregates as they are: a sector mean
 *   from a slice of its members would be wrong. It writes nothing and says so.
 * - Rerunning D rewrites the same rows and deletes rows of D no longer produced (a sector
 *   that fell below the minimum), so the day's rows are exactly this run's; the delete and
 *   the upsert are one transaction (`replaceSlice`), so readers see one run's day or the other's.
 *
 * Checks: every row of D has at least MIN_MEMBERS members (error); on a full run at least
 * 8 sectors have a 1M row (warn: a tiny universe may not reach it).
 */
import { defineTable, type TableSpec, type Where } from "../db/index.ts";
import { type AssetCheck, defineAsset } from "./define.ts";
import { constituentMeans } from "./membership.ts";
import { MIN_MEMBERS } from "./performance-math.ts";
import { replaceSlice } from "./staged.ts";

export interface SectorPerformanceRow {
  sector: string;
  window_code: string;
  performance_date: string;
  return_percent: number;
  members: number;
  source: string;
}

export const sectorPerformanceTable = defineTable<SectorPerformanceRow>({
  name: "sector_performance",
  key: ["performance_date", "sector", "window_code"],
  columns: {
    sector: "text",
    window_code: "text",
    performance_date: "date",
    return_percent: "numeric",
    members: "integer",
    source: "text",
  },
});

export const AGGREGATE_SOURCE = "constituents_equal_weight";

/** Sectors that must have a 1M row on a full run. */
export const MIN_SECTORS_WITH_1M = 8;

/** The columns sector_performance and industry_performance share. */
interface GroupRow {
  window_code: string;
  performance_date: string;
  return_percent: number;
  members: number;
}

/** Every row of the day has at least MIN_MEMBERS members and a finite return. */
export function membersFloorCheck<Row extends GroupRow>(
  table: TableSpec<Row>,
  groupColumn: keyof Row & string,
): AssetCheck {
  return {
    name: "members_floor",
    severity: "error",
    description: `every row of the day averages at least ${MIN_MEMBERS} constituents`,
    async run({ db, partition }) {
      const rows = await db.readAll(table, {
        where: { performance_date: partition } as Where<Row>,
      });
      const bad = rows.filter(
        (r) => !(r.members >= MIN_MEMBERS) || !Number.isFinite(r.return_percent),
      );
      return {
        passed: bad.length === 0,
        value: bad.length,
        message:
          bad.length === 0
            ? `${rows.length} rows, each with >= ${MIN_MEMBERS} members`
            : `${bad.length} rows under the floor, e.g. ${String(bad[0]?.[groupColumn])} ${bad[0]?.window_code}`,
      };
    },
  };
}

export default defineAsset({
  key: "sector_performance",
  description: "Equal-weighted return of each sector's constituents per window and trading date",
  deps: ["datos_performance", "asset_industry_map"],
  partitioned: true,
  tables: [sectorPerformanceTable],
  checks: [
    membersFloorCheck(sectorPerformanceTable, "sector"),
    {
      name: "sectors_covered",
      severity: "warn",
      description: `at least ${MIN_SECTORS_WITH_1M} sectors have a 1M row on the day`,
      async run({ db, partition, scope }) {
        if (scope) return { passed: true, message: "scoped run: aggregates left as they are" };
        const rows = await db.readAll(sectorPerformanceTable, {
          where: { performance_date: partition, window_code: "1M" },
          columns: ["sector"],
        });
        return {
          passed: rows.length >= MIN_SECTORS_WITH_1M,
          value: rows.length,
          message: `${rows.length} sectors have a 1M return on ${partition}`,
        };
      },
    },
  ],
  async materialize(ctx) {
    if (ctx.scope)
      return {
        rows: 0,
        metadata: {
          scoped: "sector returns average every constituent; a scoped run leaves them as they are",
        },
      };
    const day = ctx.partition as string;
    const result = await ctx.step("aggregate-sectors", async () => {
      const means = await constituentMeans(ctx.db, day, "sector");
      const rows: SectorPerformanceRow[] = means.rows.map((m) => ({
        sector: m.group,
        window_code: m.window_code,
        performance_date: day,
        return_percent: m.return_percent,
        members: m.members,
        source: AGGREGATE_SOURCE,
      }));
      // The day's rows are replaced in one transaction: readers never see a mix of runs.
      const { written, removed: pruned } = await replaceSlice(
        ctx,
        sectorPerformanceTable,
        { performance_date: day },
        rows,
      );
      return {
        written,
        sectors: new Set(rows.map((r) => r.sector)).size,
        returnsUsed: means.returnsUsed,
        membersByWindow: means.membersByWindow,
        nonMembers: means.nonMembers,
        belowMinimum: means.belowMinimum,
        pruned,
      };
    });
    return {
      rows: result.written,
      metadata: { ...result, weighting: "equal", minMembers: MIN_MEMBERS },
    };
  },
});
