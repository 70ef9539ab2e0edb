/**
 * FGOS (spec §3): a 0..100 score of business quality against the company's sector, from four
 * pillars (growth, profitability, efficiency, solvency) scored on sector benchmark buckets,
 * weighted 0.25 / 0.30 / 0.20 / 0.25 over the pillars that have a value, rounded, then
 * lowered by the quality brakes. Category: ≥70 High, <40 Low, otherwise Medium.
 *
 * Decision (one path, fed from our tables): the original had a bulk path reading FMP's TTM
 * bulks and a recompute path reading the database, with different preconditions and status
 * words. There is one path here. Its inputs are our own rows: the latest TTM-or-FY
 * `datos_financieros` row on or before the as-of date (`pickFgosFinancialRow`; TTM wins a
 * tie), the growth CAGRs from `fundamentalsGrowth`, the sector benchmarks as of the date,
 * Altman Z and Piotroski F from our `financial_scores` table (the original's
 * `profile_structural.financial_scores`), the FY history and the sentiment result.
 * `fgos_status` is `computed` when there is a score and `pending` otherwise, and a pending
 * result names its reason in `fgos_components.reason`:
 * `missing_sector`, `insufficient_sector_benchmarks`, `missing_financials_data`, or
 * `no_scorable_metrics` (no metric had both a value and a benchmark). Like the original's
 * recompute path, it does not require all nine benchmarks: missing metrics drop out of
 * their pillar and the dimensional confidence shows how much was scored.
 *
 * Decision (components always complete): a pending result keeps the same components shape
 * as a computed one (pillars, moat, competitive advantage, sentiment, confidence layer) plus
 * the reason, instead of the original's bare `{reason}`, so a reader can see what was there.
 *
 * The other FGOS decisions sit next to the code they govern: debt/equity direction and the
 * low-confidence flag in fgos-pillars.ts, true CAGRs in fundamentals-growth.ts, brakes in
 * quality-brakes.ts, stored confidence in fgos-confidence.ts, moat and competitive advantage
 * in moat.ts and competitive-advantage.ts.
 */
import type { BenchmarkMap } from "./benchmarks.ts";
import {
  type CompetitiveAdvantage,
  calculateCompetitiveAdvantage,
} from "./competitive-advantage.ts";
import { compareIso } from "./dates.ts";
import {
  type ConfidenceLabel,
  type ConfidenceLayer,
  confidenceLayer,
  dimensionalConfidence,
  ipoAgeYears,
  volatilityClass,
  yearOverYearGrowth,
} from "./fgos-confidence.ts";
import {
  FGOS_METRICS,
  type FgosMetrics,
  PILLAR_WEIGHTS,
  type PillarImpact,
  type PillarScores,
  scorePillars,
} from "./fgos-pillars.ts";
import {
  annualHistory,
  type FinancialRow,
  fiscalYearOf,
  hasNegativeEquity,
} from "./financial-rows.ts";
import type { GrowthInputs } from "./fundamentals-growth.ts";
import { clamp, isNum, num, weightedMean } from "./math.ts";
import { calculateMoat, type MoatResult } from "./moat.ts";
import { applyQualityBrakes, type QualityBrakes } from "./quality-brakes.ts";
import type { SentimentResult } from "./sentiment.ts";
import type { ConfidencePercent, IsoDate, Score } from "./units.ts";

/** FGOS category. */
export type FgosCategory = "High" | "Medium" | "Low" | "Pending";

/** Why FGOS is pending. */
type FgosPendingReason =
  | "missing_sector"
  | "insufficient_sector_benchmarks"
  | "missing_financials_data"
  | "no_scorable_metrics";

/** Altman Z and Piotroski F (unitless scores) from the `financial_scores` table. */
interface FinancialScores {
  altman_z: number | null;
  piotroski_score: number | null;
}

/** Everything FGOS reads, all from our tables. */
export interface FgosInput {
  /** The snapshot date; rows after it are ignored. */
  as_of: IsoDate;
  sector: string | null;
  /** Sector benchmarks as of `as_of` (`benchmarksAsOf`). */
  benchmarks: BenchmarkMap | null;
  /** Latest TTM-or-FY `datos_financieros` row ≤ as_of (`pickFgosFinancialRow`). */
  financials: FinancialRow | null;
  /** CAGRs from `fundamentalsGrowth` / `growthInputs` (decimals per year). */
  growth: GrowthInputs | null;
  /** Latest `financial_scores` row ≤ as_of (Altman Z and Piotroski F, unitless scores). */
  financial_scores: FinancialScores | null;
  /** FY `datos_financieros` rows (any order), for moat, competitive advantage and the layer. */
  history: readonly FinancialRow[];
  sentiment: SentimentResult | null;
  /** `profile_structural.identity.founded` (the IPO date). */
  ipo_date: IsoDate | null;
}

/** The `fgos_components` JSON. */
interface FgosComponents {
  reason: FgosPendingReason | null;
  growth: Score | null;
  profitability: Score | null;
  efficiency: Score | null;
  solvency: Score | null;
  benchmark_low_confidence: boolean;
  growth_impact?: PillarImpact;
  profitability_impact?: PillarImpact;
  efficiency_impact?: PillarImpact;
  solvency_impact?: PillarImpact;
  /** The moat dimension (0..100), from `calculateMoat`. */
  moat: Score | null;
  moat_details: MoatResult;
  sentiment: Score | null;
  sentiment_details: SentimentResult;
  competitive_advantage: CompetitiveAdvantage;
  quality_brakes: QualityBrakes | null;
  confidence_layer: ConfidenceLayer;
  /** The nine inputs as scored (ratios as decimals, D/E and coverage as multiples). */
  inputs: FgosMetrics;
}

/** The FGOS columns of `fintra_snapshots`. */
export interface FgosResult {
  fgos_score: Score | null;
  fgos_category: FgosCategory;
  fgos_status: "computed" | "pending";
  fgos_confidence_percent: ConfidencePercent;
  fgos_confidence_label: ConfidenceLabel;
  fgos_components: FgosComponents;
}

const PENDING_SENTIMENT: SentimentResult = {
  value: null,
  band: null,
  confidence: null,
  status: "pending",
  signals: null,
};

/** Latest TTM or FY row with end date ≤ asOf (TTM wins a tie); the row keeps its table units. */
export function pickFgosFinancialRow<T extends FinancialRow>(
  rows: readonly T[],
  asOf: IsoDate,
): T | null {
  let best: T | null = null;
  for (const r of rows) {
    if (r.period_type !== "TTM" && r.period_type !== "FY") continue;
    if (r.period_end_date > asOf) continue;
    if (best === null) {
      best = r;
      continue;
    }
    const order = compareIso(r.period_end_date, best.period_end_date);
    if (order > 0 || (order === 0 && r.period_type === "TTM" && best.period_type !== "TTM")) {
      best = r;
    }
  }
  return best;
}

/** FGOS category of a 0..100 score: ≥70 High, <40 Low, else Medium; null → Pending. */
export function fgosCategory(score: Score | null): FgosCategory {
  if (!isNum(score)) return "Pending";
  return score >= 70 ? "High" : score < 40 ? "Low" : "Medium";
}

/** Compute FGOS (score 0..100) and its components from our tables' rows. */
export function computeFgos(input: FgosInput): FgosResult {
  const history = input.history.filter((r) => r.period_end_date <= input.as_of);
  const financials =
    input.financials && input.financials.period_end_date <= input.as_of ? input.financials : null;
  const benchmarks = input.benchmarks ?? {};
  const metrics = fgosMetrics(financials, input.growth);

  const moat = calculateMoat(history, {
    sector: input.sector,
    benchmarks: {
      roic_p50: benchmarks.roic?.p50 ?? null,
      gross_margin_p50: benchmarks.gross_margin?.p50 ?? null,
    },
  });
  const advantage = calculateCompetitiveAdvantage(history);
  const sentiment = input.sentiment ?? PENDING_SENTIMENT;
  const layer = fgosConfidenceLayer(history, metrics, input.ipo_date, input.as_of);

  let reason: FgosPendingReason | null = null;
  if (!input.sector) reason = "missing_sector";
  else if (Object.keys(benchmarks).length === 0) reason = "insufficient_sector_benchmarks";
  else if (!financials) reason = "missing_financials_data";

  const pillars: PillarScores =
    reason === null
      ? scorePillars(metrics, benchmarks)
      : {
          growth: null,
          profitability: null,
          efficiency: null,
          solvency: null,
          impacts: {},
          benchmark_low_confidence: false,
        };
  const base = weightedMean(
    (Object.keys(PILLAR_WEIGHTS) as (keyof typeof PILLAR_WEIGHTS)[]).map((p) => ({
      value: pillars[p],
      weight: PILLAR_WEIGHTS[p],
    })),
  );
  if (reason === null && base === null) reason = "no_scorable_metrics";

  let brakes: QualityBrakes | null = null;
  let score: Score | null = null;
  if (reason === null && base !== null) {
    brakes = applyQualityBrakes(
      clamp(Math.round(base)),
      input.financial_scores?.altman_z,
      input.financial_scores?.piotroski_score,
    );
    score = brakes.adjusted_score;
  }

  const dims = {
    growth: pillars.growth,
    profitability: pillars.profitability,
    efficiency: pillars.efficiency,
    solvency: pillars.solvency,
    moat: moat.score,
    sentiment: sentiment.value,
  };
  const confidence = dimensionalConfidence(dims);
  const components: FgosComponents = {
    reason,
    ...dims,
    benchmark_low_confidence: pillars.benchmark_low_confidence,
    moat_details: moat,
    sentiment_details: sentiment,
    competitive_advantage: advantage,
    quality_brakes: brakes,
    confidence_layer: layer,
    inputs: metrics,
  };
  for (const [pillar, impact] of Object.entries(pillars.impacts)) {
    components[`${pillar}_impact` as `${keyof typeof PILLAR_WEIGHTS}_impact`] = impact;
  }
  return {
    fgos_score: score,
    fgos_category: fgosCategory(score),
    fgos_status: score === null ? "pending" : "computed",
    fgos_confidence_percent: confidence.percent,
    fgos_confidence_label: confidence.label,
    fgos_components: components,
  };
}

function fgosMetrics(financials: FinancialRow | null, growth: GrowthInputs | null): FgosMetrics {
  return {
    revenue_cagr: num(growth?.revenue_cagr),
    earnings_cagr: num(growth?.earnings_cagr),
    fcf_cagr: num(growth?.fcf_cagr),
    roic: num(financials?.roic),
    operating_margin: num(financials?.operating_margin),
    net_margin: num(financials?.net_margin),
    fcf_margin: num(financials?.fcf_margin),
    debt_to_equity: num(financials?.debt_to_equity),
    interest_coverage: num(financials?.interest_coverage),
    negative_equity: financials !== null && hasNegativeEquity(financials),
  };
}

function fgosConfidenceLayer(
  history: readonly FinancialRow[],
  metrics: FgosMetrics,
  ipoDate: IsoDate | null,
  asOf: IsoDate,
): ConfidenceLayer {
  // Same annual rows as moat and competitive advantage (FY, or untyped rows taken as FY).
  const years = annualHistory(history);
  const growth = yearOverYearGrowth(
    years.map((r) => ({ fiscal_year: fiscalYearOf(r) ?? Number.NaN, revenue: r.revenue })),
  );
  return confidenceLayer({
    fy_years: years.length,
    ipo_years: ipoAgeYears(ipoDate, asOf),
    volatility: volatilityClass(growth),
    missing_core_inputs: FGOS_METRICS.filter((m) => metrics[m] === null).length,
  });
}
