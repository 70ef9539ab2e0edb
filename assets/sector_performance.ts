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
 * - Where it is summed: on the SQL stores the database joins the members to the day's
 *   datos_performance rows and sums each (sector, window) in ticker order as float8
 *   (`groupSumsQuery`), which is the order and the arithmetic of the JS sum over a
 *   key-ordered read, so the means are the same doubles; one query answers ~110 rows instead
 *   of reading 10 rows per priced symbol. Supabase (no SQL over REST) reads the rows through
 *   the Store and sums them in JS (membership.ts `constituentMeans`).
 *
 * Decisions:
 * - A scoped run (one ticker, a limit) leaves the aggregates as they are: a sector mean
 *   from a slice of its members would be wrong. It writes nothing and says so.
 * - Rerunning D rewrites the same rows and deletes rows of D no longer produced (a sector
 *   that fell below the minimum), so the day's rows are exactly this run's; the delete and
 *   the upsert are one transaction (`replaceSlice`), so readers see one run's day or the other's.
 *
 * Checks: every row of D has at least MIN_MEMBERS members (error; not read on a scoped run,
 * which writes nothing); on a full run at least 8 sectors have a 1M row (warn: a tiny
 * universe may not reach it).
 */
import { defineTable, type Store, type TableSpec, type Where } from "../db/index.ts";
import { type AssetCheck, defineAsset } from "./define.ts";
import { type ConstituentMeans, constituentMeans, type Membership } from "./membership.ts";
import { type GroupReturn, MIN_MEMBERS } from "./performance-math.ts";
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

/** A SQL string literal (a partition date here). */
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * The query behind `constituentMeansBySql`: the members valid on D (the newest
 * asset_industry_map row valid on D whose industry is in the taxonomy, as `membershipsOn`
 * picks it), joined to the day's datos_performance rows, summed per (group, window) IN
 * TICKER ORDER as float8: the order and the arithmetic of `EqualWeightMeans`, which adds the
 * returns as a key-ordered read yields them, so the sums are the same doubles. A sum travels
 * as its 8 bytes in hex (float8send): the text form of a float8 depends on the session's
 * extra_float_digits. Non-finite returns are left out of the sums, as `EqualWeightMeans`
 * leaves them out, but counted as members. A last row (group NULL) counts the day's
 * symbols without a membership (SPY, ETFs, unclassified equities).
 */
export function groupSumsQuery(day: string, groupBy: keyof Membership): string {
  const group = groupBy === "sector" ? "c.sector" : "c.industry_name";
  const d = `DATE ${literal(day)}`;
  return `WITH members AS (
      SELECT DISTINCT ON (m.ticker) m.ticker, ${group} AS grp
      FROM asset_industry_map m
      JOIN industry_classification c ON c.industry_code = m.industry_code
      WHERE m.effective_from <= ${d} AND (m.effective_to IS NULL OR m.effective_to >= ${d})
      ORDER BY m.ticker, m.effective_from DESC
    ), day AS (
      SELECT p.ticker, p.window_code, p.return_percent::float8 AS r
      FROM datos_performance p WHERE p.performance_date = ${d}
    )
    SELECT mb.grp, day.window_code,
      encode(float8send(sum(day.r ORDER BY day.ticker) FILTER (WHERE day.r <> 'NaN'::float8
        AND day.r <> 'Infinity'::float8 AND day.r <> '-Infinity'::float8)), 'hex') AS total,
      (count(*) FILTER (WHERE day.r <> 'NaN'::float8 AND day.r <> 'Infinity'::float8
        AND day.r <> '-Infinity'::float8))::int AS n,
      count(*)::int AS rows
    FROM day JOIN members mb ON mb.ticker = day.ticker
    GROUP BY mb.grp, day.window_code
    UNION ALL
    SELECT NULL, NULL, NULL, NULL, count(DISTINCT day.ticker)::int
    FROM day WHERE NOT EXISTS (SELECT 1 FROM members mb WHERE mb.ticker = day.ticker)`;
}

/** A float8 as float8send writes it (8 bytes, big-endian, in hex). */
function float8FromHex(hex: string): number {
  return Buffer.from(hex, "hex").readDoubleBE(0);
}

/**
 * `constituentMeans` computed by the database: one query (`groupSumsQuery`) answers a row
 * per (group, window) instead of the day's datos_performance rows (10 per priced symbol).
 * Same rows, same doubles, same counts; the Store's read-only SQL, so SQL stores only.
 */
export async function constituentMeansBySql(
  db: Store,
  day: string,
  groupBy: keyof Membership,
): Promise<ConstituentMeans> {
  const rows: GroupReturn[] = [];
  const membersByWindow: Record<string, number> = {};
  let returnsUsed = 0;
  let nonMembers = 0;
  let belowMinimum = 0;
  for (const row of await db.readOnlyQuery(groupSumsQuery(day, groupBy))) {
    const count = Number(row.rows);
    if (row.grp === null) {
      nonMembers = count;
      continue;
    }
    const window = row.window_code as string;
    membersByWindow[window] = (membersByWindow[window] ?? 0) + count;
    returnsUsed += count;
    const n = Number(row.n);
    if (n === 0) continue;
    if (n < MIN_MEMBERS) belowMinimum += 1;
    else
      rows.push({
        group: row.grp as string,
        window_code: window,
        return_percent: float8FromHex(row.total as string) / n,
        members: n,
      });
  }
  rows.sort((a, b) => a.group.localeCompare(b.group) || a.window_code.localeCompare(b.window_code));
  return { rows, returnsUsed, nonMembers, belowMinimum, membersByWindow };
}

/**
 * Equal-weighted means per group and window of the members priced on `day`: summed by the
 * database on the SQL stores, from the day's rows read through the Store on Supabase.
 */
export function groupMeans(
  db: Store,
  day: string,
  groupBy: keyof Membership,
): Promise<ConstituentMeans> {
  return db.dialect === "supabase"
    ? constituentMeans(db, day, groupBy)
    : constituentMeansBySql(db, day, groupBy);
}

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
    async run({ db, partition, scope }) {
      if (scope) return { passed: true, message: "scoped run: aggregates left as they are" };
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
      const means = await groupMeans(ctx.db, day, "sector");
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
