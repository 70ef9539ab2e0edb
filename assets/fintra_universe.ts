/**
 * fintra_universe: every symbol in FMP's profile bulk, with its sector,
 * industry and instrument type. The root of the daily graph.
 *
 * - Source: `profile-bulk` (all parts).
 * - Latest state (unpartitioned): a run for day D stamps `last_seen = D` on
 *   every symbol it sees; a full run then marks symbols not seen since before
 *   D inactive. Scoped runs touch only their tickers and deactivate nothing.
 * - `first_seen` is set when a symbol first appears and never rewritten.
 * - instrument_type: ETF, else ADR, else FUND, else CRYPTO (exchange CRYPTO or
 *   CCC), else EQUITY. profile_confidence: 1 with name, sector and industry;
 *   0.5 with a name only; else 0.
 *
 * Downstream assets choose their tickers through `universeTickers` below, so
 * a scope means the same thing everywhere.
 */
import { defineTable } from "../db/index.ts";
import { type ProfileRow, profileBulk } from "../sources/fmp/index.ts";
import { atLeast } from "./checks.ts";
import { type AssetContext, defineAsset } from "./define.ts";

export interface UniverseRow {
  ticker: string;
  name: string | null;
  exchange: string | null;
  exchange_short: string | null;
  currency: string | null;
  is_active: boolean;
  first_seen: string;
  last_seen: string;
  source: string;
  sector: string | null;
  industry: string | null;
  instrument_type: InstrumentType;
  is_etf: boolean | null;
  is_adr: boolean | null;
  is_fund: boolean | null;
  country: string | null;
  profile_confidence: number;
  last_profile_update: string;
}

export type InstrumentType = "EQUITY" | "ETF" | "ADR" | "FUND" | "CRYPTO";

export const universeTable = defineTable<UniverseRow>({
  name: "fintra_universe",
  key: ["ticker"],
  columns: {
    ticker: "text",
    name: "text",
    exchange: "text",
    exchange_short: "text",
    currency: "text",
    is_active: "boolean",
    first_seen: "date",
    last_seen: "date",
    source: "text",
    sector: "text",
    industry: "text",
    instrument_type: "text",
    is_etf: "boolean",
    is_adr: "boolean",
    is_fund: "boolean",
    country: "text",
    profile_confidence: "numeric",
    last_profile_update: "date",
  },
});

/** The market benchmark: an ETF, but every daily asset needs its prices. */
export const MARKET_BENCHMARK = "SPY";

export function instrumentType(
  p: Pick<ProfileRow, "isEtf" | "isAdr" | "isFund" | "exchange">,
): InstrumentType {
  if (p.isEtf) return "ETF";
  if (p.isAdr) return "ADR";
  if (p.isFund) return "FUND";
  if (p.exchange === "CRYPTO" || p.exchange === "CCC") return "CRYPTO";
  return "EQUITY";
}

export function profileConfidence(
  p: Pick<ProfileRow, "companyName" | "sector" | "industry">,
): number {
  if (p.companyName && p.sector && p.industry) return 1;
  return p.companyName ? 0.5 : 0;
}

export function universeRow(p: ProfileRow, day: string): UniverseRow {
  return {
    ticker: p.symbol.toUpperCase(),
    name: p.companyName,
    exchange: p.exchangeFullName,
    exchange_short: p.exchange,
    currency: p.currency,
    is_active: true,
    first_seen: day,
    last_seen: day,
    source: "FMP",
    sector: p.sector,
    industry: p.industry,
    instrument_type: instrumentType(p),
    is_etf: p.isEtf,
    is_adr: p.isAdr,
    is_fund: p.isFund,
    country: p.country,
    profile_confidence: profileConfidence(p),
    last_profile_update: day,
  };
}

/** Which tickers a run covers: the active universe (optionally equities only), narrowed by the scope. */
export async function universeTickers(
  ctx: Pick<AssetContext, "db" | "scope">,
  options: { equitiesOnly: boolean; withBenchmark?: boolean },
): Promise<string[]> {
  if (ctx.scope?.tickers) return ctx.scope.tickers;
  const rows = await ctx.db.readAll(universeTable, {
    where: { is_active: true, ...(options.equitiesOnly ? { instrument_type: "EQUITY" } : {}) },
    columns: ["ticker"],
  });
  const tickers = rows.map((r) => r.ticker);
  const scoped = ctx.scope?.limit ? tickers.slice(0, ctx.scope.limit) : tickers;
  if (options.withBenchmark && !scoped.includes(MARKET_BENCHMARK)) scoped.push(MARKET_BENCHMARK);
  return scoped;
}

const BATCH = 5_000;

export default defineAsset({
  key: "fintra_universe",
  description:
    "Every FMP symbol with sector, industry and instrument type; inactive when gone from FMP",
  deps: [],
  partitioned: false,
  cron: "TZ=America/New_York 30 18 * * 1-5",
  sources: ["fmp"],
  tables: [universeTable],
  checks: [atLeast("rows", 1)],
  async materialize(ctx) {
    const day = ctx.runDate;
    const wanted = ctx.scope?.tickers ? new Set(ctx.scope.tickers) : null;
    const seen = await ctx.step("fetch-profiles", async () => {
      const stream = ctx.fmp().csv(profileBulk, {}, { batchSize: BATCH });
      let written = 0;
      let rows = 0;
      const limited: UniverseRow[] = [];
      for await (const batch of stream) {
        rows += batch.length;
        const mapped = batch
          .map((p) => universeRow(p, day))
          .filter((r) => !wanted || wanted.has(r.ticker));
        if (ctx.scope?.limit) limited.push(...mapped);
        else
          written += await ctx.db.upsert(universeTable, mapped, { keepOnConflict: ["first_seen"] });
      }
      if (ctx.scope?.limit) {
        // "The first N of the universe" means the first N tickers, as downstream reads them.
        limited.sort((a, b) => (a.ticker < b.ticker ? -1 : a.ticker > b.ticker ? 1 : 0));
        written = await ctx.db.upsert(universeTable, limited.slice(0, ctx.scope.limit), {
          keepOnConflict: ["first_seen"],
        });
      }
      const { skipped, samples, requests, retries, parts } = stream.report;
      return {
        written,
        profiles: rows,
        skipped,
        samples,
        requests,
        retries,
        parts: parts ?? null,
      } as const;
    });

    const deactivated = ctx.scope
      ? 0
      : await ctx.step("deactivate-missing", () =>
          ctx.db.update(
            universeTable,
            { is_active: true, last_seen: { lt: day } },
            { is_active: false },
          ),
        );

    return {
      rows: seen.written,
      metadata: {
        profiles: seen.profiles,
        deactivated,
        skipped: seen.skipped,
        skippedSamples: seen.samples,
        requests: seen.requests,
        retries: seen.retries,
        parts: seen.parts,
      },
    };
  },
});
