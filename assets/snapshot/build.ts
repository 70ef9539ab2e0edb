/**
 * Builds one fintra_snapshots row from a ticker's inputs and the day's context. Pure: no
 * I/O and no clock, so a rerun of D, or a backfill, builds the same row from the same
 * tables. Each block of the row is its own module; this file orders them and assembles the
 * columns, and makes the pending row of a ticker whose build threw.
 */
import { DEFAULT_INDUSTRY_PROFILE } from "../../engines/fundamentals-growth.ts";
import type { FinancialScoresRow } from "../financial_scores.ts";
import { dataConfidenceOf } from "./confidence.ts";
import { dividendQuality } from "./dividends.ts";
import { type Fundamentals, fgosColumns, fundamentalsOn, scoreFgos } from "./fgos.ts";
import { groupColumns, sectorBenchmarksOn } from "./groups.ts";
import { type IndustryPeersOnDay, iqsOn } from "./iqs.ts";
import {
  type KnownOnDay,
  latestBy,
  newest,
  pointInTime,
  resolveClassification,
} from "./point-in-time.ts";
import type { PriceMetrics } from "./prices.ts";
import { marketColumns } from "./profile.ts";
import { type ReturnsOnDay, relativeColumns, relativeReturnColumn, returnsOn } from "./returns.ts";
import type { BuiltSnapshot, DayContext, TickerInputs } from "./types.ts";
import { marketPositionOf, type ValuationOnDay, valuationOn } from "./valuation.ts";
import { verdictOf } from "./verdict.ts";

/** Written to every row's `engine_version`: the build (engines + this builder) that made it. */
export const ENGINE_VERSION = "fintra-2026.11";

/** Builds one snapshot row (every column but updated_at) from a ticker's rows and the day. */
export function buildSnapshot(input: TickerInputs, context: DayContext): BuiltSnapshot {
  const day = context.day;
  const known = pointInTime(input, day);
  const classification = resolveClassification(input.membership, input.profile);
  const { sector, industry } = classification;
  // There is no industry_metadata table: every industry reads with the engines' default.
  const industryProfile = DEFAULT_INDUSTRY_PROFILE;

  const fundamentals = fundamentalsOn(known, day, industryProfile);
  const { benchmarks, date: benchmarksDate } = sectorBenchmarksOn(context, sector);
  const scores = latestBy(known.scores, (r) => r.score_date);
  const fgosParts = { day, sector, benchmarks, fundamentals, scores };
  const { fgos, sentiment } = scoreFgos(known, input.profile, fgosParts);
  const valuation = valuationOn(known, day, benchmarks, fundamentals, industryProfile);
  const returns = returnsOn(known, context, sector, industryProfile);
  const { peers, iqs } = iqsOn(input.ticker, industry, known.fiscalYears, context);
  const dividends = dividendQuality(known.dividends, known.fiscalYears);
  const verdict = verdictOf({ fgos, sentiment, dividends, relativeReturn: returns.relativeReturn });
  const marketPosition = marketPositionOf(sector, valuation.row, fundamentals, benchmarks);
  const groups = groupColumns(context, classification);
  const market = marketColumns(input, known, context, {
    classification,
    fundamentals,
    scores,
    returns,
  });
  const dataConfidence = dataConfidenceOf({
    sector,
    industryProfile,
    hasProfile: input.profile !== null,
    fundamentals,
    fgos,
    valuation,
    returns,
    industryPerformance: groups.industry_performance,
  });
  const used = { prices: market.prices, fundamentals, valuation, returns, peers, scores, groups };
  return {
    ticker: input.ticker,
    snapshot_date: day,
    engine_version: ENGINE_VERSION,
    classification,
    ...market.columns,
    ...groups,
    ...fgosColumns(fgos, fundamentals),
    valuation: valuation.column,
    market_position: marketPosition,
    investment_verdict: verdict,
    strategic_state: verdict,
    relative_return: relativeReturnColumn(returns),
    ifs: returns.ifs,
    ifs_fy: iqs,
    dividend_quality: dividends,
    ...relativeColumns(returns.relative),
    data_confidence: dataConfidence,
    ...provenanceColumns(known, { ...used, benchmarksDate }),
  };
}

/**
 * input_dates (the newest date of each input the row used), and the newest input date and
 * filing date of all: what the point_in_time check compares with D.
 */
function provenanceColumns(
  known: KnownOnDay,
  used: {
    prices: PriceMetrics;
    fundamentals: Fundamentals;
    valuation: ValuationOnDay;
    returns: ReturnsOnDay;
    peers: IndustryPeersOnDay;
    scores: FinancialScoresRow | null;
    groups: ReturnType<typeof groupColumns>;
    benchmarksDate: string | null;
  },
) {
  const dates = {
    price_date: used.prices.priceDate,
    performance_date: newest(Object.values(used.returns.own).map((r) => r?.performance_date)),
    financials_period_end: used.fundamentals.scored?.period_end_date ?? null,
    financials_filed: newest([...known.fiscalYears, ...known.scorable].map((r) => r.filing_date)),
    valuation_date: used.valuation.row?.valuation_date ?? null,
    valuation_filed: newest(known.valuations.map((v) => v.filing_date)),
    dividends_filed: newest(known.dividends.map((d) => d.filing_date)),
    peers_filed: used.peers.newestFiling,
    scores_date: used.scores?.score_date ?? null,
    benchmarks_date: used.benchmarksDate,
    sector_performance_date: used.groups.sector_performance.date,
    industry_performance_date: used.groups.industry_performance.date,
    sector_pe_date: used.groups.sector_pe.date,
  };
  return {
    input_dates: dates,
    latest_input_date: newest([
      dates.price_date,
      dates.performance_date,
      dates.financials_period_end,
      newest(known.fiscalYears.map((r) => r.period_end_date)),
      dates.valuation_date,
      newest(known.valuations.map((v) => v.valuation_date)),
      newest(known.dividends.map((d) => d.fiscal_year_end_date)),
      used.peers.newestEnd,
      dates.scores_date,
      dates.benchmarks_date,
      dates.sector_performance_date,
      dates.industry_performance_date,
      dates.sector_pe_date,
    ]),
    latest_filing_date: newest([
      dates.financials_filed,
      dates.valuation_filed,
      dates.dividends_filed,
      dates.peers_filed,
    ]),
  };
}

/**
 * The row of a ticker whose build threw: pending with the error, every NOT NULL column
 * filled, so a bad ticker costs its scores and never its row (engines §0).
 */
export function failedSnapshot(
  input: TickerInputs,
  context: DayContext,
  error: unknown,
): BuiltSnapshot {
  const message = error instanceof Error ? error.message : String(error);
  const classification = resolveClassification(input.membership, input.profile);
  const pending = { status: "pending", reason: "engine_error", error: message };
  const verdict = {
    verdict_label: "inconclusive",
    verdict_score: null,
    confidence: null,
    drivers: {
      positives: [],
      negatives: ["Insufficient core FGOS data to form a verdict"],
      tensions: [],
    },
  };
  return {
    ...relativeColumns(null),
    ticker: input.ticker,
    snapshot_date: context.day,
    engine_version: ENGINE_VERSION,
    classification,
    profile_structural: { status: "pending", computed: false, reason: "engine_error" },
    market_snapshot: { price: null, ytd_percent: null, div_yield: null },
    sector_performance: null,
    industry_performance: null,
    sector_pe: null,
    fundamentals_growth: null,
    fgos_score: null,
    fgos_category: "Pending",
    fgos_status: "pending",
    fgos_reason: "engine_error",
    fgos_confidence_percent: null,
    fgos_confidence_label: null,
    fgos_maturity: null,
    fgos_components: pending,
    valuation: pending,
    market_position: pending,
    investment_verdict: verdict,
    strategic_state: verdict,
    relative_return: null,
    ifs: null,
    ifs_fy: null,
    dividend_quality: null,
    data_confidence: pending,
    input_dates: {},
    latest_input_date: null,
    latest_filing_date: null,
  };
}
