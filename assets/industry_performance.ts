/**
 * industry_performance: how each FMP industry moved, per window, on a trading date D. One
 * row per (industry, window, D) for 1D and the windows 1W, 1M, 3M, 6M, YTD, 1Y, 2Y, 3Y and
 * 5Y. Partitioned by trading date. Deps: datos_performance, asset_industry_map (and,
 * through it, industry_classification for the industry's name).
 *
 * Key: (performance_date, industry, window_code), date first so one day is one range of
 * the primary key. Columns: industry (the FMP industry name, from
 * industry_classification.industry_name), window_code, performance_date (= D),
 * return_percent, members (the constituents averaged), source =
 * 'constituents_equal_weight'.
 *
 * Computed exactly like sector_performance, one level down (membership.ts):
 * - Constituents: equities whose asset_industry_map row valid on D names the industry and
 *   that have a datos_performance row for the window on D ("priced on D" is "active on D").
 * - return_percent: the EQUAL-WEIGHTED mean of the constituents' return_percent for the
 *   window on D, computed in-house every day (the old FMP industry snapshot, and the
 *   compounding of a 1D series with missing days counted as 0 %, are gone). Cap weighting
 *   would need daily market caps we do not have.
 * - Minimum sample: fewer than MIN_MEMBERS (3) constituents, no row (counted as
 *   belowMinimum). Many of FMP's ~150 industries are small, so expect fewer rows than
 *   industries × windows on a small universe.
 * - 1D rows live here too; the views industry_performance_daily and
 *   industry_performance_windows give the cleaned-up schema's split.
 * - Summed by the database on the SQL stores, read and summed in JS on Supabase, to the same
 *   doubles (sector_performance.ts `groupMeans`).
 *
 * Decisions: a scoped run leaves the aggregates as they are (rows 0, metadata says why);
 * rerunning D rewrites the same rows and deletes rows of D no longer produced, in one
 * transaction (`replaceSlice`).
 *
 * Checks: every row has at least MIN_MEMBERS members (error); on a full run the 1D rows
 * cover at least half of the members priced on D (warn: the floor should drop only small
 * industries).
 */
import { defineTable } from "../db/index.ts";
import { defineAsset } from "./define.ts";
import { MIN_MEMBERS } from "./performance-math.ts";
import { AGGREGATE_SOURCE, groupMeans, membersFloorCheck } from "./sector_performance.ts";
import { replaceSlice } from "./staged.ts";

export interface IndustryPerformanceRow {
  industry: string;
  window_code: string;
  performance_date: string;
  return_percent: number;
  members: number;
  source: string;
}

export const industryPerformanceTable = defineTable<IndustryPerformanceRow>({
  name: "industry_performance",
  key: ["performance_date", "industry", "window_code"],
  columns: {
    industry: "text",
    window_code: "text",
    performance_date: "date",
    return_percent: "numeric",
    members: "integer",
    source: "text",
  },
});

/** Share of the day's 1D members the industry rows must cover on a full run. */
export const MIN_1D_COVERAGE = 0.5;

export default defineAsset({
  key: "industry_performance",
  description: "Equal-weighted return of each industry's constituents per window and trading date",
  deps: ["datos_performance", "asset_industry_map"],
  partitioned: true,
  tables: [industryPerformanceTable],
  checks: [
    membersFloorCheck(industryPerformanceTable, "industry"),
    {
      name: "members_covered",
      severity: "warn",
      description: `the 1D rows average at least ${MIN_1D_COVERAGE * 100}% of the members priced on the day`,
      async run({ result, scope }) {
        if (scope) return { passed: true, message: "scoped run: aggregates left as they are" };
        const priced = Number(
          (result.metadata?.membersByWindow as Record<string, number> | undefined)?.["1D"] ?? 0,
        );
        const covered = Number(result.metadata?.coveredBy1D ?? 0);
        const share = priced > 0 ? covered / priced : 0;
        return {
          passed: share >= MIN_1D_COVERAGE,
          value: share,
          message: `industries with >= ${MIN_MEMBERS} members cover ${covered} of ${priced} members' 1D returns`,
        };
      },
    },
  ],
  async materialize(ctx) {
    if (ctx.scope)
      return {
        rows: 0,
        metadata: {
          scoped:
            "industry returns average every constituent; a scoped run leaves them as they are",
        },
      };
    const day = ctx.partition as string;
    const result = await ctx.step("aggregate-industries", async () => {
      const means = await groupMeans(ctx.db, day, "industry");
      const rows: IndustryPerformanceRow[] = means.rows.map((m) => ({
        industry: m.group,
        window_code: m.window_code,
        performance_date: day,
        return_percent: m.return_percent,
        members: m.members,
        source: AGGREGATE_SOURCE,
      }));
      // The day's rows are replaced in one transaction: readers never see a mix of runs.
      const { written, removed: pruned } = await replaceSlice(
        ctx,
        industryPerformanceTable,
        { performance_date: day },
        rows,
      );
      return {
        written,
        industries: new Set(rows.map((r) => r.industry)).size,
        coveredBy1D: rows.filter((r) => r.window_code === "1D").reduce((n, r) => n + r.members, 0),
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
