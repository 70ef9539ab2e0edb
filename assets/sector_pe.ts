/**
 * sector_pe: the P/E of each of the 11 sectors on trading date D, aggregated in house from
 * its constituents' TTM P/E (spec/pipeline.md J10 and §7 item 1: the operations guide's
 * aggregation, which the old job never did; it copied FMP's sector-pe-snapshot).
 *
 * - A row is (sector, pe_date = D): `pe` the median P/E of the constituents kept (mean of
 *   the middle two for an even count), `pe_cap_weighted` their market-cap-weighted mean
 *   (Σ cap × P/E / Σ cap), `p10`..`p90` by the lower nearest rank, `constituents` the count
 *   kept, `source` = 'constituents_ttm'.
 * - Partitioned by D; deps: datos_valuacion_ttm (each company's P/E and market cap),
 *   asset_industry_map (membership on D, with industry_classification for the sector).
 * - Constituents (benchmark-inputs.ts): equities active on D with an industry valid on D;
 *   each contributes its latest datos_valuacion_ttm row with valuation_date <= D and
 *   filing_date <= D, not older than 200 days (`VALUATION_STALE_DAYS`). P/E and market cap
 *   are those of that row (at its quarter-end close).
 * - Kept: P/E in (0, 100] with a positive market cap (group-stats.ts `peAggregate`); a
 *   sector with fewer than 3 kept gets no row.
 * - A full run makes D's rows exactly what it computed (a sector that fell under 3 is
 *   removed), so a rerun changes nothing. A scoped run leaves the table as it is (rows 0):
 *   a sector's P/E from one ticker would be wrong.
 * - Checks: every row of D has >= 3 constituents, 0 < p10 <= ... <= p90 <= 100 and the
 *   median and the cap-weighted mean inside (error); at least 8 sectors on a full run (warn).
 */
import { defineTable } from "../db/index.ts";
import {
  type CompanyInputs,
  loadCompanyInputs,
  partitionRowsCheck,
  replacePartition,
  SCOPED_AGGREGATE,
} from "./benchmark-inputs.ts";
import { atLeast } from "./checks.ts";
import { defineAsset } from "./define.ts";
import { groupBy, type PeAggregate, peAggregate, peInput, peRowProblem } from "./group-stats.ts";

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
  const rows: SectorPeRow[] = [];
  for (const [sector, members] of groupBy(companies, (c) => c.sector)) {
    const aggregate = peAggregate(members.map(peInput));
    if (aggregate) rows.push({ sector, pe_date: day, ...aggregate, source: PE_SOURCE });
  }
  return rows;
}

export default defineAsset({
  key: "sector_pe",
  description:
    "Median and cap-weighted P/E per sector and date, from constituents' TTM P/E in (0, 100]",
  deps: ["datos_valuacion_ttm", "asset_industry_map"],
  partitioned: true,
  tables: [sectorPeTable],
  checks: [
    partitionRowsCheck({
      name: "pe_rows_valid",
      description:
        "every row of the day: >= 3 constituents, 0 < p10 <= ... <= p90 <= 100, median and cap-weighted mean inside",
      table: sectorPeTable,
      partition: (day) => ({ pe_date: day }),
      columns: [
        "sector",
        "pe",
        "pe_cap_weighted",
        "p10",
        "p25",
        "p50",
        "p75",
        "p90",
        "constituents",
      ],
      invalid: (row) => {
        const problem = peRowProblem(row);
        return problem ? `${row.sector}: ${problem}` : null;
      },
    }),
    atLeast("rows", 8, "warn"),
  ],
  async materialize(ctx) {
    if (ctx.scope) return { rows: 0, metadata: { scoped: SCOPED_AGGREGATE } };
    const day = ctx.partition as string;
    const result = await ctx.step("aggregate-sector-pe", async () => {
      const { companies, counts } = await loadCompanyInputs(ctx.db, day, { financials: false });
      const rows = sectorPeRows(companies, day);
      const { written, removed } = await replacePartition(
        ctx,
        sectorPeTable,
        { pe_date: day },
        rows,
      );
      return { written, removed, sectors: rows.length, ...counts };
    });
    return { rows: result.written, metadata: result };
  },
});
