/**
 * industry_pe: the P/E of each industry on trading date D, aggregated in house from its
 * constituents' TTM P/E (spec/pipeline.md J11 and §7 item 1; the old job copied FMP's
 * industry-pe-snapshot). The same computation as sector_pe, grouped by industry, so small
 * industries (fewer than 3 P/E kept) have no row.
 */
import { defineTable } from "../../db/index.ts";
import { atLeast } from "../../runtime/checks.ts";
import { defineAsset } from "../../runtime/define.ts";
import { materializeGroupAggregate } from "./aggregate.ts";
import type { PeAggregate } from "./group-stats.ts";
import { pePer } from "./groups.ts";
import type { CompanyInputs } from "./inputs.ts";
import { peRowsValid } from "./row-checks.ts";
import { PE_SOURCE } from "./sector_pe.ts";

interface IndustryPeRow extends PeAggregate {
  industry: string;
  pe_date: string;
  sector: string;
  source: string;
}

export const industryPeTable = defineTable<IndustryPeRow>({
  name: "industry_pe",
  key: ["industry", "pe_date"],
  columns: {
    industry: "text",
    pe_date: "date",
    sector: "text",
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

/** One row per industry with at least 3 usable P/E, ordered by industry. */
export function industryPeRows(companies: readonly CompanyInputs[], day: string): IndustryPeRow[] {
  return pePer("industry", companies).map(({ group, sector, value }) => ({
    industry: group,
    pe_date: day,
    sector,
    ...value,
    source: PE_SOURCE,
  }));
}

export default defineAsset({
  key: "industry_pe",
  description:
    "Median and cap-weighted P/E per industry and date, from constituents' TTM P/E in (0, 100]",
  deps: ["datos_valuacion_ttm", "asset_industry_map"],
  partitioned: true,
  tables: [industryPeTable],
  checks: [peRowsValid(industryPeTable, ["industry"]), atLeast("rows", 1, "warn")],
  materialize: materializeGroupAggregate({
    step: "aggregate-industry-pe",
    table: industryPeTable,
    partition: (day) => ({ pe_date: day }),
    financials: false,
    build: industryPeRows,
    facts: (rows) => ({ industries: rows.length }),
  }),
});
