/**
 * sector_performance: the equal-weighted return of each of the 11 FMP sectors' constituents per
 * window on trading date D, computed in house every day (no FMP endpoint).
 *
 * - Equal weights: cap weighting would need every constituent's market cap on every past day,
 *   which we do not have.
 * - Constituents are the equities in the sector on D with the window on D (membership.ts):
 *   point in time, never SPY or another ETF. Fewer than MIN_MEMBERS: no row.
 * - A window is the mean of the members' own windows, never a compounded daily series, so a
 *   sector's 1Y is the mean 1Y of the members with a year of history.
 * - 1D is a row like the others; the views sector_performance_daily and
 *   sector_performance_windows give the cleaned-up schema's split. Up to 110 rows a day where
 *   the operations guide expects ~66: more windows, same meaning.
 * - The SQL stores sum in the database in ticker order, as Supabase's JS sum does: the same
 *   doubles (group-performance.ts, shared with industry_performance).
 * - A scoped run writes nothing: a sector mean from a slice of its members would be wrong.
 *   Rerunning D replaces D's rows in one transaction (`replaceSlice`).
 */
import { defineTable } from "../../db/index.ts";
import { defineAsset } from "../../runtime/define.ts";
import { guideChecks } from "../monitoring.ts";
import { materializeGroupPerformance, membersFloorCheck } from "./group-performance.ts";

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

/** Sectors that must have a 1M row on a full run. */
const MIN_SECTORS_WITH_1M = 8;

export default defineAsset({
  key: "sector_performance",
  description: "Equal-weighted return of each sector's constituents per window and trading date",
  deps: ["datos_performance", "asset_industry_map"],
  partitioned: true,
  tables: [sectorPerformanceTable],
  checks: [
    membersFloorCheck(sectorPerformanceTable, "sector"),
    ...guideChecks("sector_performance"),
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
  materialize: materializeGroupPerformance({
    groupBy: "sector",
    step: "aggregate-sectors",
    table: sectorPerformanceTable,
    facts: (rows) => ({ sectors: new Set(rows.map((r) => r.sector)).size }),
  }),
});
