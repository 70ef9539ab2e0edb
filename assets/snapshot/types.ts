/**
 * The shapes the snapshot family passes along: what inputs.ts reads for a ticker and for
 * the day, and the row the builder returns. Types only, so the reader, the builder's blocks
 * and the asset all import from here and nothing imports back.
 */
import type { SectorBenchmarkRow } from "../../engines/benchmarks.ts";
import type { FinancialRow } from "../../engines/financial-rows.ts";
import type { SectorPeRow } from "../aggregates/sector_pe.ts";
import type { CompanyProfileRow } from "../company_profiles.ts";
import type { PriceRow } from "../datos_eod.ts";
import type { TtmValuationRecord } from "../datos_valuacion_ttm.ts";
import type { FinancialScoresRow } from "../financial_scores.ts";
import type { UniverseRow } from "../fintra_universe.ts";
import type { PerformanceRow } from "../performance/datos_performance.ts";
import type { IndustryPerformanceRow } from "../performance/industry_performance.ts";
import type { SectorPerformanceRow } from "../performance/sector_performance.ts";
import type { DividendsRow } from "../statements/datos_dividendos.ts";
import type { FinancialsRow } from "../statements/datos_financieros.ts";

/** A close as the builder reads it from datos_eod. */
export type PricePoint = Pick<PriceRow, "price_date" | "close" | "high" | "low" | "volume">;

/** A datos_financieros row as the engines read it (FY and TTM rows). */
export type FinancialInput = FinancialRow &
  Pick<
    FinancialsRow,
    "ticker" | "period_type" | "period_label" | "period_end_date" | "filing_date"
  >;

/** A datos_valuacion_ttm row (quarter-end multiples). */
export type TtmValuationInput = Pick<
  TtmValuationRecord,
  | "valuation_date"
  | "filing_date"
  | "price"
  | "market_cap"
  | "pe_ratio"
  | "ev_ebitda"
  | "price_to_fcf"
  | "price_to_sales"
>;

/** One ticker's own rows. Rows may reach past D: the builder drops them. */
export interface TickerInputs {
  ticker: string;
  universe: Pick<
    UniverseRow,
    "name" | "exchange" | "exchange_short" | "currency" | "country" | "is_etf" | "is_adr"
  > | null;
  profile: Pick<
    CompanyProfileRow,
    | "company_name"
    | "sector"
    | "industry"
    | "country"
    | "currency"
    | "exchange"
    | "website"
    | "ceo"
    | "employees"
    | "ipo_date"
  > | null;
  /** Industry and sector on D (asset_industry_map valid on D + industry_classification). */
  membership: { sector: string; industry: string } | null;
  prices: readonly PricePoint[];
  financials: readonly FinancialInput[];
  valuations: readonly TtmValuationInput[];
  /** financial_scores of D (computed point in time for every D, so no older row stands in). */
  scores: readonly FinancialScoresRow[];
  dividends: readonly DividendsRow[];
  performance: readonly Pick<
    PerformanceRow,
    "performance_date" | "window_code" | "return_percent" | "max_drawdown"
  >[];
}

/** What every ticker of a chunk shares: the market, the groups and the day's aggregates. */
export interface DayContext {
  day: string;
  /** The market benchmark's (SPY) closes and performance rows. */
  marketPrices: readonly PricePoint[];
  marketPerformance: TickerInputs["performance"];
  /** sector_performance rows by sector; industry_performance rows by industry. */
  sectorPerformance: ReadonlyMap<string, readonly SectorPerformanceRow[]>;
  industryPerformance: ReadonlyMap<string, readonly IndustryPerformanceRow[]>;
  sectorPe: ReadonlyMap<string, readonly SectorPeRow[]>;
  /** sector_benchmarks rows of group_type 'sector', by sector. */
  benchmarks: ReadonlyMap<string, readonly SectorBenchmarkRow[]>;
  /** FY datos_financieros rows of each industry's members on D, by industry (IQS peers). */
  industryPeers: ReadonlyMap<string, readonly FinancialInput[]>;
}

/** Classification on D: asset_industry_map first (canonical), else the profile's. */
export interface Classification {
  status: "full" | "partial" | "missing";
  sector: string | null;
  industry: string | null;
  source: "canonical" | "profile_fallback" | null;
}

/**
 * The row the builder makes: every fintra_snapshots column but `updated_at`, which the run
 * stamps (fintra_snapshots.ts adds it). JSON columns are the engines' objects.
 */
export interface BuiltSnapshot {
  snapshot_date: string;
  ticker: string;
  engine_version: string;
  classification: Classification;
  profile_structural: object;
  market_snapshot: object;
  sector_performance: object | null;
  industry_performance: object | null;
  sector_pe: object | null;
  fundamentals_growth: object | null;
  fgos_score: number | null;
  fgos_category: string;
  fgos_status: "computed" | "pending";
  fgos_reason: string | null;
  fgos_confidence_percent: number | null;
  fgos_confidence_label: string | null;
  fgos_maturity: string | null;
  fgos_components: object;
  valuation: object;
  market_position: object;
  investment_verdict: object;
  strategic_state: object;
  relative_return: object | null;
  ifs: object | null;
  ifs_fy: object | null;
  dividend_quality: object | null;
  relative_vs_sector_1m: number | null;
  relative_vs_sector_3m: number | null;
  relative_vs_sector_6m: number | null;
  relative_vs_sector_1y: number | null;
  relative_vs_sector_3y: number | null;
  relative_vs_sector_5y: number | null;
  relative_vs_market_1m: number | null;
  relative_vs_market_3m: number | null;
  relative_vs_market_6m: number | null;
  relative_vs_market_1y: number | null;
  relative_vs_market_3y: number | null;
  relative_vs_market_5y: number | null;
  data_confidence: object;
  input_dates: object;
  latest_input_date: string | null;
  latest_filing_date: string | null;
}
