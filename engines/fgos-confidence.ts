/**
 * FGOS confidence (spec §3.7). Two measures exist, and both are kept.
 *
 * Decision (which confidence is stored): the dimensional confidence, the share of the six
 * dimensions (growth, profitability, efficiency, solvency, moat, sentiment) that have a
 * value, is what `fgos_confidence_percent` and `fgos_confidence_label` hold, whether the
 * score is computed or pending. The confidence layer (history × IPO age × earnings
 * volatility × completeness) is also computed and kept in `fgos_components.confidence_layer`
 * so its maturity wording stays available. The original stored the layer only on one path
 * and only when the score was pending.
 *
 * Decision (no history means no history): the layer counts the FY years it is given. An
 * empty history is 0 years (factor 0.30), not the "unknown" default of 5 years the original
 * used, which made a company with no statements look better than one with a single year.
 * `confidenceLayer` still applies the documented defaults when an input is null.
 */
import { yearsBetween } from "./dates.ts";
import { clamp, isNum, populationStdDev } from "./math.ts";
import type { ConfidencePercent, Count, IsoDate, Money, Ratio, Years } from "./units.ts";

/** Confidence label shared by FGOS outputs. */
export type ConfidenceLabel = "High" | "Medium" | "Low";

/** Dimensional confidence (0..100 in steps of 1/6). */
interface DimensionalConfidence {
  percent: ConfidencePercent;
  label: ConfidenceLabel;
  dimensions_present: Count;
  status: "partial";
}

/** The six FGOS dimensions; a null value is a missing dimension. */
interface FgosDimensions {
  growth: number | null;
  profitability: number | null;
  efficiency: number | null;
  solvency: number | null;
  moat: number | null;
  sentiment: number | null;
}

/** Dimensional confidence: floor(present/6 × 100) %, label <40 Low, ≤70 Medium, >70 High. */
export function dimensionalConfidence(dims: FgosDimensions): DimensionalConfidence {
  const present = Object.values(dims).filter(isNum).length;
  const percent = Math.floor((present / 6) * 100);
  return {
    percent,
    label: percent < 40 ? "Low" : percent <= 70 ? "Medium" : "High",
    dimensions_present: present,
    status: "partial",
  };
}

/** Earnings volatility class from revenue growth dispersion. */
type VolatilityClass = "LOW" | "MEDIUM" | "HIGH";

/** Maturity wording of the confidence layer. */
type ConfidenceLayerStatus = "Mature" | "Developing" | "Early-stage" | "Incomplete";

/** Inputs of the confidence layer; null means unknown and takes the documented default. */
interface ConfidenceLayerInput {
  /** Number of fiscal years of history (default 5 when null). */
  fy_years: Count | null;
  /** Years since the IPO date (default 10 when null). */
  ipo_years: Years | null;
  /** Earnings volatility class (default MEDIUM when null). */
  volatility: VolatilityClass | null;
  /** How many of the 9 core FGOS inputs are missing. */
  missing_core_inputs: Count;
}

/** The multiplicative confidence layer (percent 0..100). */
export interface ConfidenceLayer {
  percent: ConfidencePercent;
  label: ConfidenceLabel;
  status: ConfidenceLayerStatus;
  factors: { history: number; ipo: number; volatility: number; completeness: number };
  inputs: {
    fy_years: Count;
    ipo_years: Years;
    volatility: VolatilityClass;
    missing_core_inputs: Count;
  };
}

/** Confidence layer: history × IPO age × volatility × completeness, as a 0..100 percent. */
export function confidenceLayer(input: ConfidenceLayerInput): ConfidenceLayer {
  const fyYears = isNum(input.fy_years) ? input.fy_years : 5;
  const ipoYears = isNum(input.ipo_years) ? input.ipo_years : 10;
  const volatility = input.volatility ?? "MEDIUM";
  const missing = input.missing_core_inputs;
  const history =
    fyYears >= 10 ? 1 : fyYears >= 7 ? 0.9 : fyYears >= 5 ? 0.75 : fyYears >= 3 ? 0.55 : 0.3;
  const ipo = ipoYears >= 5 ? 1 : ipoYears >= 3 ? 0.85 : ipoYears >= 1 ? 0.6 : 0.4;
  const vol = volatility === "LOW" ? 1 : volatility === "MEDIUM" ? 0.85 : 0.65;
  const completeness = missing <= 0 ? 1 : missing === 1 ? 0.85 : 0.65;
  const percent = clamp(Math.round(history * ipo * vol * completeness * 100));
  const label: ConfidenceLabel = percent >= 80 ? "High" : percent >= 50 ? "Medium" : "Low";
  let status: ConfidenceLayerStatus;
  if (missing >= 2) status = "Incomplete";
  else if (percent >= 80 && fyYears >= 7) status = "Mature";
  else if (percent >= 50) status = "Developing";
  else status = "Early-stage";
  return {
    percent,
    label,
    status,
    factors: { history, ipo, volatility: vol, completeness },
    inputs: { fy_years: fyYears, ipo_years: ipoYears, volatility, missing_core_inputs: missing },
  };
}

/** Volatility class from the population std-dev of YoY revenue growth (decimals); null under 2 rates. */
export function volatilityClass(growthRates: readonly (Ratio | null)[]): VolatilityClass | null {
  const sigma = populationStdDev(growthRates, 2);
  if (sigma === null) return null;
  if (sigma < 0.15) return "LOW";
  if (sigma > 0.4) return "HIGH";
  return "MEDIUM";
}

/** YoY revenue growth (decimal) between consecutive fiscal years of an oldest-first FY history. */
export function yearOverYearGrowth(
  history: readonly { fiscal_year: number; revenue: Money | null | undefined }[],
): Ratio[] {
  const rates: Ratio[] = [];
  for (let i = 1; i < history.length; i++) {
    const prev = history[i - 1]!;
    const curr = history[i]!;
    if (curr.fiscal_year - prev.fiscal_year !== 1) continue;
    if (!isNum(prev.revenue) || !isNum(curr.revenue) || prev.revenue === 0) continue;
    const rate = (curr.revenue - prev.revenue) / Math.abs(prev.revenue);
    if (Number.isFinite(rate)) rates.push(rate);
  }
  return rates;
}

/** Years since the IPO date as of a date (years); null when either date is missing. */
export function ipoAgeYears(ipoDate: IsoDate | null | undefined, asOf: IsoDate): Years | null {
  if (!ipoDate) return null;
  const years = yearsBetween(ipoDate, asOf);
  return years === null ? null : Math.max(0, years);
}
