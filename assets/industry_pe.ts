/**
 * industry_pe: the P/E of each industry on trading date D, aggregated in house from its
 * constituents' TTM P/E (spec/pipeline.md J11 and §7 item 1; the old job copied FMP's
 * industry-pe-snapshot). The same computation as sector_pe, grouped by industry.
 *
 * - A row is (industry, pe_date = D), industry = industry_classification.industry_name:
 *   `sector` (the industry's sector), `pe` the median P/E of the constituents kept (mean of
 *   the middle two for an even count), `pe_cap_weighted` their market-cap-weighted mean
 *   (Σ cap × P/E / Σ cap), `p10`..`p90` by the lower nearest rank, `constituents` the count
 *   kept, `source` = 'constituents_ttm'.
 * - Partitioned by D; deps: datos_valuacion_ttm (each company's P/E and market cap),
 *   asset_industry_map (membership on D, with industry_classification for names).
 * - Constituents (benchmark-inputs.ts): equities active on D with an industry valid on D;
 *   each contributes its latest datos_valuacion_ttm row with valuation_date <= D and
 *   filing_date <= D, not older than 200 days (`VALUATION_STALE_DAYS`).
 * - Kept: P/E in (0, 100] with a positive market cap (group-stats.ts `peAggregate`); an
 *   industry with fewer than 3 kept gets no row, so small industries have none.
 * - A full run makes D's rows exactly what it computed, so a rerun changes nothing. A
 *   scoped run leaves the table as it is (rows 0).
 * - Checks: every row of D has >= 3 constituents, 0 < p10 <= ... <= p90 <= 100 and the
 *   median and the cap-weighted mean inside (error); at least one industry on a full run
 *   (warn).
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
import { PE_SOURCE } from "./sector_pe.ts";

export interface IndustryPeRow extends PeAggregate {
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
  const rows: IndustryPeRow[] = [];
  for (const [industry, members] of groupBy(companies, (c) => c.industry)) {
    const aggregate = peAggregate(members.map(peInput));
    const sector = (members[0] as CompanyInputs).sector;
    if (aggregate) rows.push({ industry, pe_date: day, sector, ...aggregate, source: PE_SOURCE });
  }
  return rows;
}

export default defineAsset({
  key: "industry_pe",
  description:
    "Median and cap-weighted P/E per industry and date, from constituents' TTM P/E in (0, 100]",
  deps: ["datos_valuacion_ttm", "asset_industry_map"],
  partitioned: true,
  tables: [industryPeTable],
  checks: [
    partitionRowsCheck({
      name: "pe_rows_valid",
      description:
        "every row of the day: >= 3 constituents, 0 < p10 <= ... <= p90 <= 100, median and cap-weighted mean inside",
      table: industryPeTable,
      partition: (day) => ({ pe_date: day }),
      columns: [
        "industry",
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
        return problem ? `${row.industry}: ${problem}` : null;
      },
    }),
    atLeast("rows", 1, "warn"),
  ],
  async materialize(ctx) {
    if (ctx.scope) return { rows: 0, metadata: { scoped: SCOPED_AGGREGATE } };
    const day = ctx.partition as string;
    const result = await ctx.step("aggregate-industry-pe", async () => {
      const { companies, counts } = await loadCompanyInputs(ctx.db, day, { financials: false });
      const rows = industryPeRows(companies, day);
      const { written, removed } = await replacePartition(
        ctx,
        industryPeTable,
        { pe_date: day },
        rows,
      );
      return { written, removed, industries: rows.length, ...counts };
    });
    return { rows: result.written, metadata: result };
  },
});
