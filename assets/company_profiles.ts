/**
 * company_profiles: who each active equity is (name, description, classification, CEO,
 * headcount), from FMP's profile bulk kept to fintra_universe's active equities or the run's
 * scope, and read as fintra_universe reads it (part by part, or per symbol for a small scope).
 *
 * Latest state, not partitioned. Upserts update: FMP corrects profiles, and the old
 * insert-only writer never refreshed one.
 */
import { defineTable } from "../db/index.ts";
import { atLeast, skippedRowsWithin } from "../runtime/checks.ts";
import { defineAsset } from "../runtime/define.ts";
import type { ProfileRow } from "../sources/fmp/index.ts";
import {
  type ProfilePartsTotal,
  profilesBySymbol,
  profileTotals,
  stepThroughProfileParts,
  symbolScope,
  universeTickers,
} from "./fintra_universe.ts";

export interface CompanyProfileRow {
  ticker: string;
  company_name: string | null;
  description: string | null;
  sector: string | null;
  industry: string | null;
  country: string | null;
  currency: string | null;
  exchange: string | null;
  website: string | null;
  ceo: string | null;
  employees: number | null;
  ipo_date: string | null;
  source: string;
  updated_at: string;
}

export const companyProfilesTable = defineTable<CompanyProfileRow>({
  name: "company_profiles",
  key: ["ticker"],
  columns: {
    ticker: "text",
    company_name: "text",
    description: "text",
    sector: "text",
    industry: "text",
    country: "text",
    currency: "text",
    exchange: "text",
    website: "text",
    ceo: "text",
    employees: "integer",
    ipo_date: "date",
    source: "text",
    updated_at: "timestamptz",
  },
});

function profileRow(p: ProfileRow, updatedAt: string): CompanyProfileRow {
  const employees = p.fullTimeEmployees;
  return {
    ticker: p.symbol.toUpperCase(),
    company_name: p.companyName,
    description: p.description,
    sector: p.sector,
    industry: p.industry,
    country: p.country,
    currency: p.currency,
    exchange: p.exchange,
    website: p.website,
    ceo: p.ceo,
    employees:
      employees !== null && Number.isSafeInteger(employees) && employees <= 2_147_483_647
        ? employees
        : null,
    ipo_date: p.ipoDate,
    source: "fmp",
    updated_at: updatedAt,
  };
}

export default defineAsset({
  key: "company_profiles",
  description:
    "Descriptive profile of every active equity (name, sector, industry, CEO, employees)",
  deps: ["fintra_universe"],
  partitioned: false,
  sources: ["fmp"],
  tables: [companyProfilesTable],
  checks: [atLeast("rows", 1), skippedRowsWithin({ figures: { read: "profiles" } })],
  async materialize(ctx) {
    // Read inside the part steps (once per process), never on a replay between them.
    let equities: Promise<Set<string>> | null = null;
    const wantedSet = () =>
      (equities ??= universeTickers(ctx, { equitiesOnly: true }).then((t) => new Set(t)));
    const updatedAt = ctx.now().toISOString();
    const keep = (wanted: ReadonlySet<string>, batch: readonly ProfileRow[]) =>
      batch.filter((p) => wanted.has(p.symbol.toUpperCase())).map((p) => profileRow(p, updatedAt));
    const symbols = symbolScope(ctx);
    const result = symbols
      ? await ctx.step("profiles-by-symbol", async (): Promise<ProfilePartsTotal> => {
          const wanted = await wantedSet();
          const { profiles, fetched } = await profilesBySymbol(ctx, symbols);
          const written = await ctx.db.upsert(companyProfilesTable, keep(wanted, profiles));
          return profileTotals(fetched, written, wanted.size);
        })
      : await stepThroughProfileParts(ctx, async () => {
          const wanted = await wantedSet();
          return {
            wanted: wanted.size,
            write: (batch) => ctx.db.upsert(companyProfilesTable, keep(wanted, batch)),
          };
        });
    const wanted = result.wanted ?? 0;
    return {
      rows: result.written,
      metadata: {
        equities: wanted,
        withoutProfile: wanted - result.written,
        profiles: result.profiles,
        skipped: result.skipped,
        skippedSamples: result.samples,
        requests: result.requests,
        retries: result.retries,
        parts: result.parts,
      },
    };
  },
});
