/**
 * sector_pe: the P/E of each of the 11 sectors on trading date D, aggregated in house from its
 * constituents' TTM P/E (spec/pipeline.md J10 and §7 item 1: the operations guide's
 * aggregation, which the old job never did; it copied FMP's sector-pe-snapshot).
 *
 * - Constituents, and the P/E and market cap of each (its latest TTM valuation known on D, at
 *   its quarter-end close): inputs.ts.
 * - Only P/E in (0, 100] with a positive market cap counts (group-stats.ts `peAggregate`); a
 *   sector with fewer than 3 gets no row.
 * - A full run makes D's rows exactly what it computed (a sector that fell under 3 is removed);
 *   a scoped run leaves the table alone: a sector's P/E from one ticker would be wrong.
 */
import { defineTable } from "../../db/index.ts";
import { atLeast } from "../../runtime/checks.ts";
import { defineAsset } from "../../runtime/define.ts";
import { materializeGroupAggregate } from "./aggregate.ts";
import type { PeAggregate } from "./group-stats.ts";
import { pePer } from "./groups.ts";
import type { CompanyInputs } from "./inputs.ts";
import { peRowsValid } from "./row-checks.ts";

export interface SectorPeRow extends PeAggregate {
  sector: string;
  pe_date: string;
  source: string;
}

export const sectorPeTable = defineTable<SectorPeRow>({
  name: "sector_pe",
  key: ["sector", "pe_date"],
  columns: {
    sector: "text",
    pe_date: "date",
    pe: "numeric",
    pe_cap_weighted: "numeric",
    p10: "numeric",
    p25: "numeric",
    p50: "numeric",
    p75: "numeric",
    p90: "numeric",
    constituents: "integer",
    source: "text",
  },
});

export const PE_SOURCE = "constituents_ttm";

/** One row per sector with at least 3 usable P/E, ordered by sector. */
export function sectorPeRows(companies: readonly CompanyInputs[], day: string): SectorPeRow[] {
  return pePer("sector", companies).map(({ sector, value }) => ({
    sector,
    pe_date: day,
    ...value,
    source: PE_SOURCE,
  }));
}

export default defineAsset({
  key: "sector_pe",
  description:
    "Median and cap-weighted P/E per sector and date, from constituents' TTM P/E in (0, 100]",
  deps: ["datos_valuacion_ttm", "asset_industry_map"],
  partitioned: true,
  tables: [sectorPeTable],
  checks: [peRowsValid(sectorPeTable, ["sector"]), atLeast("rows", 8, "warn")],
  materialize: materializeGroupAggregate({
    step: "aggregate-sector-pe",
    table: sectorPeTable,
    partition: (day) => ({ pe_date: day }),
    financials: false,
    build: sectorPeRows,
    facts: (rows) => ({ sectors: rows.length }),
  }),
});
