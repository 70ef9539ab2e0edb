/**
 * datos_valuacion: each active equity's TTM valuation multiples for the day, from FMP's
 * `ratios-ttm-bulk` and `key-metrics-ttm-bulk` (per symbol for a small scope), priced at the
 * day's datos_eod close (the old job read only the first part of the profile bulk), with
 * percentiles within its sector.
 *
 * - Point in time beats completeness: FMP's TTM bulks describe today, so a partition before
 *   the latest trading day writes nothing and says so.
 * - Percentiles come from the full day only: a scoped run keeps the stored ones and leaves its
 *   new rows without.
 * - A ticker without a sector, a positive close or any multiple is skipped and counted.
 */
import { defineTable } from "../db/index.ts";
import { skippedRowsWithin } from "../runtime/checks.ts";
import { type AssetContext, defineAsset } from "../runtime/define.ts";
import { latestTradingDay, utcDate } from "../runtime/partitions.ts";
import {
  type FetchReport,
  type KeyMetricsTtmRow,
  keyMetricsTtmBulk,
  keyMetricsTtmBySymbol,
  type RatiosTtmRow,
  ratiosTtmBulk,
  ratiosTtmBySymbol,
} from "../sources/fmp/index.ts";
import { datosEodTable } from "./datos_eod.ts";
import {
  addSymbolReport,
  bySymbol,
  noSymbolFetches,
  symbolScope,
  universeTable,
  universeTickers,
} from "./fintra_universe.ts";

interface ValuationRow {
  ticker: string;
  valuation_date: string;
  denominator_type: string;
  denominator_period: string;
  price: number;
  market_cap: number | null;
  enterprise_value: number | null;
  pe_ratio: number | null;
  peg_ratio: number | null;
  ev_ebitda: number | null;
  ev_sales: number | null;
  price_to_book: number | null;
  price_to_sales: number | null;
  price_to_fcf: number | null;
  dividend_yield: number | null;
  sector: string;
  pe_percentile: number | null;
  ev_ebitda_percentile: number | null;
  p_fcf_percentile: number | null;
  composite_percentile: number | null;
  source: string;
}

export const datosValuacionTable = defineTable<ValuationRow>({
  name: "datos_valuacion",
  key: ["ticker", "valuation_date", "denominator_type", "denominator_period"],
  columns: {
    ticker: "text",
    valuation_date: "date",
    denominator_type: "text",
    denominator_period: "text",
    price: "numeric",
    market_cap: "numeric",
    enterprise_value: "numeric",
    pe_ratio: "numeric",
    peg_ratio: "numeric",
    ev_ebitda: "numeric",
    ev_sales: "numeric",
    price_to_book: "numeric",
    price_to_sales: "numeric",
    price_to_fcf: "numeric",
    dividend_yield: "numeric",
    sector: "text",
    pe_percentile: "numeric",
    ev_ebitda_percentile: "numeric",
    p_fcf_percentile: "numeric",
    composite_percentile: "numeric",
    source: "text",
  },
});

/** Percentile (0-100, rounded) of each value among the positive values of its group. */
export function positivePercentiles(values: readonly (number | null)[]): (number | null)[] {
  const sorted = values.filter((v): v is number => v !== null && v > 0).sort((a, b) => a - b);
  return values.map((v) => {
    if (v === null || v <= 0 || sorted.length === 0) return null;
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((sorted[mid] as number) <= v) lo = mid + 1;
      else hi = mid;
    }
    return Math.round((lo / sorted.length) * 100);
  });
}

/** Fills the three percentiles and the composite, sector by sector. */
function withSectorPercentiles(rows: ValuationRow[]): ValuationRow[] {
  const bySector = new Map<string, ValuationRow[]>();
  for (const row of rows) {
    const group = bySector.get(row.sector);
    if (group) group.push(row);
    else bySector.set(row.sector, [row]);
  }
  for (const group of bySector.values()) {
    const pe = positivePercentiles(group.map((r) => r.pe_ratio));
    const ev = positivePercentiles(group.map((r) => r.ev_ebitda));
    const fcf = positivePercentiles(group.map((r) => r.price_to_fcf));
    group.forEach((row, i) => {
      row.pe_percentile = pe[i] ?? null;
      row.ev_ebitda_percentile = ev[i] ?? null;
      row.p_fcf_percentile = fcf[i] ?? null;
      const present = [row.pe_percentile, row.ev_ebitda_percentile, row.p_fcf_percentile].filter(
        (p): p is number => p !== null,
      );
      row.composite_percentile = present.length
        ? Math.round(present.reduce((a, b) => a + b, 0) / present.length)
        : null;
    });
  }
  return rows;
}

function valuationRow(
  ticker: string,
  day: string,
  price: number,
  sector: string,
  ratios: RatiosTtmRow | undefined,
  metrics: KeyMetricsTtmRow | undefined,
): ValuationRow {
  return {
    ticker,
    valuation_date: day,
    denominator_type: "TTM",
    denominator_period: "TTM",
    price,
    market_cap: metrics?.marketCap ?? null,
    enterprise_value: metrics?.enterpriseValueTTM ?? ratios?.enterpriseValueTTM ?? null,
    pe_ratio: ratios?.priceToEarningsRatioTTM ?? null,
    peg_ratio: ratios?.priceToEarningsGrowthRatioTTM ?? null,
    ev_ebitda: metrics?.evToEBITDATTM ?? ratios?.enterpriseValueMultipleTTM ?? null,
    ev_sales: metrics?.evToSalesTTM ?? null,
    price_to_book: ratios?.priceToBookRatioTTM ?? null,
    price_to_sales: ratios?.priceToSalesRatioTTM ?? null,
    price_to_fcf: ratios?.priceToFreeCashFlowRatioTTM ?? null,
    dividend_yield: ratios?.dividendYieldTTM ?? null,
    sector,
    pe_percentile: null,
    ev_ebitda_percentile: null,
    p_fcf_percentile: null,
    composite_percentile: null,
    source: "fmp_bulk_ttm",
  };
}

/** The TTM ratios and key metrics of the run's tickers, by ticker, and the reads' reports. */
interface Multiples {
  ratios: Map<string, RatiosTtmRow>;
  metrics: Map<string, KeyMetricsTtmRow>;
  reports: Pick<
    FetchReport,
    "endpoint" | "rows" | "skipped" | "samples" | "requests" | "missingColumns"
  >[];
}

/** The two TTM bulks, kept to the run's tickers. */
async function bulkMultiples(ctx: AssetContext, wanted: ReadonlySet<string>): Promise<Multiples> {
  const ratios = new Map<string, RatiosTtmRow>();
  const ratiosStream = ctx.fmp().csv(ratiosTtmBulk, {}, { batchSize: 10_000 });
  for await (const batch of ratiosStream) {
    for (const r of batch)
      if (wanted.has(r.symbol.toUpperCase())) ratios.set(r.symbol.toUpperCase(), r);
  }
  const metrics = new Map<string, KeyMetricsTtmRow>();
  const metricsStream = ctx.fmp().csv(keyMetricsTtmBulk, {}, { batchSize: 10_000 });
  for await (const batch of metricsStream) {
    for (const m of batch)
      if (wanted.has(m.symbol.toUpperCase())) metrics.set(m.symbol.toUpperCase(), m);
  }
  return { ratios, metrics, reports: [ratiosStream.report, metricsStream.report] };
}

/** A `tickers` scope: each ticker's TTM ratios and key metrics from FMP's per-symbol endpoints. */
async function symbolMultiples(ctx: AssetContext, symbols: readonly string[]): Promise<Multiples> {
  const wanted = new Set(symbols);
  const ratios = new Map<string, RatiosTtmRow>();
  const metrics = new Map<string, KeyMetricsTtmRow>();
  const ratiosFetched = noSymbolFetches();
  const metricsFetched = noSymbolFetches();
  await bySymbol(symbols, async (symbol) => {
    const [r, m] = await Promise.all([
      ctx.fmp().json(ratiosTtmBySymbol, { symbol }),
      ctx.fmp().json(keyMetricsTtmBySymbol, { symbol }),
    ]);
    addSymbolReport(ratiosFetched, r.report);
    addSymbolReport(metricsFetched, m.report);
    for (const row of r.rows)
      if (wanted.has(row.symbol.toUpperCase())) ratios.set(row.symbol.toUpperCase(), row);
    for (const row of m.rows)
      if (wanted.has(row.symbol.toUpperCase())) metrics.set(row.symbol.toUpperCase(), row);
  });
  const report = (endpoint: string, f: typeof ratiosFetched) => ({
    endpoint,
    rows: f.rows,
    skipped: f.skipped,
    samples: f.samples,
    requests: f.requests,
    // Already named "endpoint: field" by addSymbolReport.
    missingColumns: f.missingColumns.map((c) => c.slice(c.indexOf(": ") + 2)),
  });
  return {
    ratios,
    metrics,
    reports: [
      report(ratiosTtmBySymbol.name, ratiosFetched),
      report(keyMetricsTtmBySymbol.name, metricsFetched),
    ],
  };
}

export default defineAsset({
  key: "datos_valuacion",
  description: "TTM valuation multiples per active equity and day, with in-sector percentiles",
  deps: ["fintra_universe", "datos_eod"],
  partitioned: true,
  sources: ["fmp"],
  tables: [datosValuacionTable],
  checks: [skippedRowsWithin()],
  async materialize(ctx) {
    const day = ctx.partition;
    const latest = latestTradingDay(utcDate(ctx.now()));
    if (day < latest) {
      return {
        rows: 0,
        metadata: {
          notRebuilt: `FMP's TTM bulks describe ${latest}; ${day} cannot be rebuilt from them`,
        },
      };
    }
    const result = await ctx.step("load-valuations", async () => {
      const tickers = await universeTickers(ctx, { equitiesOnly: true });
      const symbols = symbolScope(ctx);
      const { ratios, metrics, reports } = symbols
        ? await symbolMultiples(ctx, symbols)
        : await bulkMultiples(ctx, new Set(tickers));
      // A `tickers` scope reads only its own closes and sectors, not the whole day's.
      const only = symbols ? { ticker: { in: symbols } } : {};
      const closes = new Map(
        (
          await ctx.db.readAll(datosEodTable, {
            where: { price_date: day, ...only },
            columns: ["ticker", "close"],
          })
        ).map((p) => [p.ticker, p.close]),
      );
      const sectors = new Map(
        (
          await ctx.db.readAll(universeTable, {
            where: { is_active: true, ...only },
            columns: ["ticker", "sector"],
          })
        ).map((u) => [u.ticker, u.sector]),
      );
      const rows: ValuationRow[] = [];
      let noSector = 0;
      let noPrice = 0;
      let noMultiples = 0;
      for (const ticker of tickers) {
        const sector = sectors.get(ticker);
        const price = closes.get(ticker);
        if (!sector) noSector += 1;
        else if (!price || price <= 0) noPrice += 1;
        else if (!ratios.has(ticker) && !metrics.has(ticker)) noMultiples += 1;
        else
          rows.push(
            valuationRow(ticker, day, price, sector, ratios.get(ticker), metrics.get(ticker)),
          );
      }
      const written = await ctx.db.upsert(
        datosValuacionTable,
        ctx.scope ? rows : withSectorPercentiles(rows),
        // A scoped run must not blank the percentiles stored for the full day.
        ctx.scope
          ? {
              keepOnConflict: [
                "pe_percentile",
                "ev_ebitda_percentile",
                "p_fcf_percentile",
                "composite_percentile",
              ],
            }
          : {},
      );
      return {
        written,
        noSector,
        noPrice,
        noMultiples,
        fileRows: reports.reduce((n, r) => n + r.rows, 0),
        skipped: reports.reduce((n, r) => n + r.skipped, 0),
        skippedSamples: reports.flatMap((r) => r.samples),
        requests: reports.reduce((n, r) => n + r.requests, 0),
        missingColumns: reports.flatMap((r) => r.missingColumns.map((c) => `${r.endpoint}: ${c}`)),
      };
    });
    return { rows: result.written, metadata: result };
  },
});
