/**
 * industry_performance: the equal-weighted return of each FMP industry's constituents per window
 * on trading date D, computed like sector_performance one level down (membership.ts). The old
 * FMP industry snapshot, and the compounding of a 1D series with missing days counted as 0 %,
 * are gone.
 *
 * Many of FMP's ~150 industries have fewer than MIN_MEMBERS priced members, so expect fewer
 * rows than industries × windows. A scoped run leaves the table alone; rerunning D replaces D's
 * rows in one transaction (`replaceSlice`).
 */
import { defineTable } from "../../db/index.ts";
import { defineAsset } from "../../runtime/define.ts";
import { guideChecks } from "../monitoring.ts";
import { materializeGroupPerformance, membersFloorCheck } from "./group-performance.ts";
import { MIN_MEMBERS } from "./math.ts";

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
const MIN_1D_COVERAGE = 0.5;

export default defineAsset({
  key: "industry_performance",
  description: "Equal-weighted return of each industry's constituents per window and trading date",
  deps: ["datos_performance", "asset_industry_map"],
  partitioned: true,
  tables: [industryPerformanceTable],
  checks: [
    membersFloorCheck(industryPerformanceTable, "industry"),
    ...guideChecks("industry_performance"),
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
  materialize: materializeGroupPerformance({
    groupBy: "industry",
    step: "aggregate-industries",
    table: industryPerformanceTable,
    facts: (rows) => ({
      industries: new Set(rows.map((r) => r.industry)).size,
      coveredBy1D: rows.filter((r) => r.window_code === "1D").reduce((n, r) => n + r.members, 0),
    }),
  }),
});
