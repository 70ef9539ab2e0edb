/**
 * asset_industry_map: which industry each active equity belongs to, over time (type-2
 * history), so the sector and industry aggregates of a past day read that day's membership.
 *
 * - Built from company_profiles and industry_classification; the run's day is when a change
 *   takes effect (the open row closes the day before, a new one opens).
 * - A ticker seen for the first time opens at UNKNOWN_START: its earlier industry is unknown,
 *   and assuming today's keeps backfilled history usable.
 * - Tickers without a classified industry (no sector, or one outside the 11) get no row and
 *   are counted.
 * - One step per range of tickers after a planning step (a ticker's rows never span two
 *   ranges); a scoped run is one range.
 */

import { defineTable } from "../db/index.ts";
import { daysBefore } from "../engines/dates.ts";
import {
  ALL_TICKERS,
  perStep,
  type TickerRange,
  tickerCondition,
  tickerRanges,
} from "../runtime/chunks.ts";
import { type AssetContext, defineAsset } from "../runtime/define.ts";
import { companyProfilesTable } from "./company_profiles.ts";
import { industryClassificationTable, industrySlug } from "./industry_classification.ts";

export interface IndustryMapRow {
  ticker: string;
  industry_code: string;
  source: string;
  effective_from: string;
  effective_to: string | null;
}

export const assetIndustryMapTable = defineTable<IndustryMapRow>({
  name: "asset_industry_map",
  key: ["ticker", "effective_from"],
  columns: {
    ticker: "text",
    industry_code: "text",
    source: "text",
    effective_from: "date",
    effective_to: "date",
  },
});

/**
 * Tickers per step at the full market's scale (45,000 tickers: 23 steps); a run uses
 * `perStep(ctx, INDUSTRY_MAP_CHUNK)`, which `Resources.stepScale` shrinks.
 */
export const INDUSTRY_MAP_CHUNK = 2_000;

/** The start given to a membership whose beginning is unknown. */
export const UNKNOWN_START = "1900-01-01";

interface MembershipChanges {
  /** Rows to write: closed old rows and newly opened ones. */
  rows: IndustryMapRow[];
  opened: number;
  moved: number;
  unchanged: number;
}

/** What to write so each ticker's open row says `industryByTicker` from `day` on. */
export function membershipChanges(
  industryByTicker: Map<string, string>,
  openRows: IndustryMapRow[],
  day: string,
): MembershipChanges {
  const open = new Map(openRows.map((r) => [r.ticker, r]));
  const dayBefore = daysBefore(day, 1);
  const rows: IndustryMapRow[] = [];
  let opened = 0;
  let moved = 0;
  let unchanged = 0;
  for (const [ticker, code] of industryByTicker) {
    const current = open.get(ticker);
    if (current?.industry_code === code) {
      unchanged += 1;
    } else if (!current) {
      rows.push({
        ticker,
        industry_code: code,
        source: "internal_profile",
        effective_from: UNKNOWN_START,
        effective_to: null,
      });
      opened += 1;
    } else if (current.effective_from >= day) {
      // Changed again on the day it opened (a rerun after a correction): rewrite that row.
      rows.push({ ...current, industry_code: code });
      moved += 1;
    } else {
      rows.push({ ...current, effective_to: dayBefore });
      rows.push({
        ticker,
        industry_code: code,
        source: "internal_profile",
        effective_from: day,
        effective_to: null,
      });
      moved += 1;
    }
  }
  return { rows, opened, moved, unchanged };
}

interface ChunkCounts {
  written: number;
  opened: number;
  moved: number;
  unchanged: number;
  unclassified: number;
}

/**
 * Maps one range of tickers (a scoped run: the scope's tickers, or its first N profiles,
 * over the whole key space) and writes its changes; returns counts only.
 */
async function mapRange(ctx: AssetContext, range: TickerRange): Promise<ChunkCounts> {
  const tickers = tickerCondition(range, ctx.scope?.tickers ?? null);
  const profiles = await ctx.db.readAll(companyProfilesTable, {
    columns: ["ticker", "industry"],
    ...(tickers ? { where: { ticker: tickers } } : {}),
  });
  const classified = await ctx.db.readAll(industryClassificationTable, {
    columns: ["industry_code"],
  });
  const codes = new Set(classified.map((c) => c.industry_code));
  const industryByTicker = new Map<string, string>();
  let unclassified = 0;
  for (const p of ctx.scope?.limit ? profiles.slice(0, ctx.scope.limit) : profiles) {
    const code = p.industry ? industrySlug(p.industry.trim()) : "";
    if (codes.has(code)) industryByTicker.set(p.ticker, code);
    else unclassified += 1;
  }
  const openRows = await ctx.db.readAll(assetIndustryMapTable, {
    where: { effective_to: null, ...(tickers ? { ticker: tickers } : {}) },
  });
  const changes = membershipChanges(industryByTicker, openRows, ctx.runDate);
  const written = await ctx.db.upsert(assetIndustryMapTable, changes.rows);
  return {
    written,
    opened: changes.opened,
    moved: changes.moved,
    unchanged: changes.unchanged,
    unclassified,
  };
}

export default defineAsset({
  key: "asset_industry_map",
  description: "Ticker -> industry membership over time (type-2 history)",
  deps: ["company_profiles", "industry_classification"],
  partitioned: false,
  tables: [assetIndustryMapTable],
  checks: [
    {
      name: "one_open_row_per_ticker",
      severity: "error",
      description: "no ticker belongs to two industries at once",
      async run({ db }) {
        const open = await db.readAll(assetIndustryMapTable, {
          where: { effective_to: null },
          columns: ["ticker"],
        });
        const duplicates = open.length - new Set(open.map((r) => r.ticker)).size;
        return {
          passed: duplicates === 0,
          value: duplicates,
          message:
            duplicates === 0
              ? `${open.length} open memberships, one per ticker`
              : `${duplicates} tickers with two open rows`,
        };
      },
    },
  ],
  async materialize(ctx) {
    // One step fixes the ranges, so an Inngest replay walks the same ones.
    const plan = await ctx.step("plan-chunks", async () => {
      if (ctx.scope) return { ranges: [ALL_TICKERS] };
      const profiles = await ctx.db.readAll(companyProfilesTable, { columns: ["ticker"] });
      return {
        ranges: tickerRanges(
          profiles.map((p) => p.ticker),
          perStep(ctx, INDUSTRY_MAP_CHUNK),
        ),
      };
    });
    ctx.progress.total(plan.ranges.length);
    const totals: ChunkCounts = { written: 0, opened: 0, moved: 0, unchanged: 0, unclassified: 0 };
    for (const [i, range] of plan.ranges.entries()) {
      const counts = await ctx.step(`chunk-${i + 1}-of-${plan.ranges.length}`, () =>
        mapRange(ctx, range),
      );
      for (const k of Object.keys(totals) as (keyof ChunkCounts)[]) totals[k] += counts[k];
      ctx.progress.advance();
    }
    return { rows: totals.written, metadata: { ...totals, chunks: plan.ranges.length } };
  },
});
