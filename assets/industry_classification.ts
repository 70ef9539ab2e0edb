/**
 * industry_classification: the industry -> sector taxonomy, built from company_profiles (FMP's
 * classification endpoints are not on the plans this pipeline targets).
 *
 * - Only the 11 FMP sectors: a profile with another sector is counted and skipped rather than
 *   failing its batch.
 * - An industry listed under two sectors goes to the one with more tickers (ties:
 *   alphabetical), so the choice does not depend on row order.
 * - Latest state, not partitioned. A scoped run leaves it alone: the taxonomy describes every
 *   company, not a slice.
 */
import { defineTable } from "../db/index.ts";
import { atLeast } from "../runtime/checks.ts";
import { defineAsset } from "../runtime/define.ts";
import { companyProfilesTable } from "./company_profiles.ts";

const SECTORS = [
  "Basic Materials",
  "Communication Services",
  "Consumer Cyclical",
  "Consumer Defensive",
  "Energy",
  "Financial Services",
  "Healthcare",
  "Industrials",
  "Real Estate",
  "Technology",
  "Utilities",
] as const;

export interface IndustryRow {
  industry_code: string;
  industry_name: string;
  sector: string;
  source: string;
  active: boolean;
  tickers: number;
}

export const industryClassificationTable = defineTable<IndustryRow>({
  name: "industry_classification",
  key: ["industry_code"],
  columns: {
    industry_code: "text",
    industry_name: "text",
    sector: "text",
    source: "text",
    active: "boolean",
    tickers: "integer",
  },
});

/** "Software - Infrastructure" -> "software-infrastructure". */
export function industrySlug(name: string): string {
  return name
    .toLowerCase()
    .replace(/&/g, " and ")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

interface Classification {
  industries: IndustryRow[];
  invalidSector: number;
}

/** The taxonomy implied by (sector, industry) pairs of profiles. */
export function classify(
  profiles: { sector: string | null; industry: string | null }[],
): Classification {
  const valid = new Set<string>(SECTORS);
  const counts = new Map<string, Map<string, number>>();
  let invalidSector = 0;
  for (const p of profiles) {
    const sector = p.sector?.trim();
    const industry = p.industry?.trim();
    if (!sector || !industry) continue;
    if (!valid.has(sector)) {
      invalidSector += 1;
      continue;
    }
    const bySector = counts.get(industry) ?? new Map<string, number>();
    bySector.set(sector, (bySector.get(sector) ?? 0) + 1);
    counts.set(industry, bySector);
  }
  const industries = [...counts].map(([name, bySector]) => {
    const [sector] = [...bySector].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0] as [
      string,
      number,
    ];
    const tickers = [...bySector.values()].reduce((a, b) => a + b, 0);
    return {
      industry_code: industrySlug(name),
      industry_name: name,
      sector,
      source: "internal_profile",
      active: true,
      tickers,
    };
  });
  return {
    industries: industries.sort((a, b) => a.industry_code.localeCompare(b.industry_code)),
    invalidSector,
  };
}

export default defineAsset({
  key: "industry_classification",
  description: "Industry -> sector taxonomy built from company profiles",
  deps: ["company_profiles"],
  partitioned: false,
  tables: [industryClassificationTable],
  checks: [atLeast("rows", 1)],
  async materialize(ctx) {
    if (ctx.scope)
      return {
        rows: 0,
        metadata: { scoped: "the taxonomy is read as it is, not rebuilt from a slice" },
      };
    const result = await ctx.step("classify-industries", async () => {
      const profiles = await ctx.db.readAll(companyProfilesTable, {
        columns: ["sector", "industry"],
      });
      const { industries, invalidSector } = classify(profiles);
      const written = await ctx.db.upsert(industryClassificationTable, industries);
      const current = new Set(industries.map((i) => i.industry_code));
      const known = await ctx.db.readAll(industryClassificationTable, {
        columns: ["industry_code"],
      });
      const gone = known.map((k) => k.industry_code).filter((code) => !current.has(code));
      const retired = gone.length
        ? await ctx.db.update(
            industryClassificationTable,
            { industry_code: { in: gone } },
            { active: false, tickers: 0 },
          )
        : 0;
      const sectors = new Set(industries.map((i) => i.sector)).size;
      return { written, invalidSector, retired, sectors };
    });
    return { rows: result.written, metadata: result };
  },
});
