/**
 * Valuation relative to the sector (spec §4): where P/E, EV/EBITDA and P/FCF sit in the
 * sector's distribution (P2 interpolated percentiles), summarised by their median.
 *
 * Only positive, finite multiples are valued: a negative P/E says "losses", not "cheap".
 * Stage: fewer than 2 percentiles pending, 2 partial, 3 computed. Confidence is the share of
 * the 3 metrics obtained minus a penalty for disagreement between them (dispersion/100 × 40).
 * Median ≤20 very cheap, ≤40 cheap, ≤60 fair, <80 expensive, else very expensive.
 *
 * Maturity overrides: an `early` company is only described (`descriptive_only`); a
 * `developing` one needs 2+ metrics that agree (dispersion under 50 points) and a dominant
 * horizon of at least a year, reads as `potentially_cheap`/`potentially_expensive`, and its
 * confidence label is capped at Medium.
 *
 * Decision (explanation language): the original wrote the explanation in Spanish; every other
 * reader-facing string of these engines is English, so this one is too.
 */
import type { BenchmarkMap } from "./benchmarks.ts";
import type { ConfidenceLabel } from "./fgos-confidence.ts";
import { horizonYears } from "./fundamentals-growth.ts";
import { clamp, isNum, median } from "./math.ts";
import type { MaturityClass } from "./maturity.ts";
import { interpolatedPercentile } from "./percentiles.ts";
import type { ConfidencePercent, Count, Multiple, Percentile, Score } from "./units.ts";

/** The three valued multiples (plain multiples). */
export interface ValuationMetrics {
  pe_ratio: Multiple | null;
  ev_ebitda: Multiple | null;
  price_to_fcf: Multiple | null;
}

/** Canonical valuation status. */
type CanonicalValuationStatus =
  | "very_cheap_sector"
  | "cheap_sector"
  | "fair_sector"
  | "expensive_sector"
  | "very_expensive_sector"
  | "potentially_cheap"
  | "potentially_expensive"
  | "descriptive_only"
  | "pending";

/** Legacy status kept in `valuation.valuation_status`. */
type LegacyValuationStatus = "undervalued" | "fair" | "overvalued" | "pending";

/** Maturity context of a snapshot. */
interface ValuationContext {
  fgos_maturity: MaturityClass | null;
  /** `interpretation_context.dominant_horizons_used`, e.g. ["6M","1Y","2Y","3Y"]. */
  dominant_horizons?: readonly string[] | null;
}

/** The valuation state. */
interface ValuationState {
  stage: "pending" | "partial" | "computed";
  valuation_status: CanonicalValuationStatus;
  confidence: { label: ConfidenceLabel; percent: ConfidencePercent; valid_metrics_count: Count };
  /** Validated multiples: null unless finite and > 0. */
  metrics: ValuationMetrics;
  /** Sector percentile (0..100) of each multiple that had a benchmark. */
  percentiles: Partial<Record<keyof ValuationMetrics, Percentile>>;
  /** Median of the percentiles (0..100), null with fewer than 2. */
  median_percentile: Percentile | null;
  explanation: string;
}

const KEYS: (keyof ValuationMetrics)[] = ["pe_ratio", "ev_ebitda", "price_to_fcf"];

/** A plain multiple kept only if finite and > 0, else null. */
function validMultiple(x: number | null | undefined): Multiple | null {
  return isNum(x) && x > 0 ? x : null;
}

/** Valuation state (percentiles 0..100) from raw multiples, sector benchmarks, maturity context. */
export function buildValuationState(
  raw: Partial<ValuationMetrics> | null | undefined,
  benchmarks: BenchmarkMap | null | undefined,
  context?: ValuationContext | null,
): ValuationState {
  const metrics: ValuationMetrics = {
    pe_ratio: validMultiple(raw?.pe_ratio),
    ev_ebitda: validMultiple(raw?.ev_ebitda),
    price_to_fcf: validMultiple(raw?.price_to_fcf),
  };
  const percentiles: Partial<Record<keyof ValuationMetrics, Percentile>> = {};
  for (const k of KEYS) {
    const p = interpolatedPercentile(metrics[k], benchmarks?.[k]);
    if (p !== null) percentiles[k] = p;
  }
  const ps = Object.values(percentiles);
  const valid = ps.length;
  let stage: ValuationState["stage"] = valid < 2 ? "pending" : valid === 2 ? "partial" : "computed";

  const coverage = Math.round((valid / 3) * 100);
  const dispersion = valid >= 2 ? Math.max(...ps) - Math.min(...ps) : 0;
  const penalty = Math.round((dispersion / 100) * 40);
  const percent = clamp(coverage - penalty);
  let label: ConfidenceLabel = percent < 40 ? "Low" : percent <= 70 ? "Medium" : "High";

  const mid = valid >= 2 ? median(ps) : null;
  let status: CanonicalValuationStatus = mid === null ? "pending" : sectorStatus(mid);

  const maturity = context?.fgos_maturity ?? null;
  if (context && maturity === "early") {
    status = "descriptive_only";
  } else if (context && maturity === "developing") {
    const hasYearHorizon = horizonYears(context.dominant_horizons ?? []).length > 0;
    if (mid === null || penalty >= 20 || !hasYearHorizon) {
      status = "pending";
      stage = "pending";
    } else {
      status =
        mid <= 40 ? "potentially_cheap" : mid >= 60 ? "potentially_expensive" : "fair_sector";
      if (label === "High") label = "Medium";
    }
  }

  return {
    stage,
    valuation_status: status,
    confidence: { label, percent, valid_metrics_count: valid },
    metrics,
    percentiles,
    median_percentile: mid,
    explanation: explain(status, stage, valid, mid, label),
  };
}

/** Sector status of a median percentile (0..100). */
function sectorStatus(medianPercentile: Percentile): CanonicalValuationStatus {
  if (medianPercentile <= 20) return "very_cheap_sector";
  if (medianPercentile <= 40) return "cheap_sector";
  if (medianPercentile <= 60) return "fair_sector";
  if (medianPercentile < 80) return "expensive_sector";
  return "very_expensive_sector";
}

/** Legacy undervalued/fair/overvalued/pending (categorical) from a canonical status. */
export function legacyValuationStatus(status: CanonicalValuationStatus): LegacyValuationStatus {
  switch (status) {
    case "very_cheap_sector":
    case "cheap_sector":
    case "potentially_cheap":
      return "undervalued";
    case "expensive_sector":
    case "very_expensive_sector":
    case "potentially_expensive":
      return "overvalued";
    case "fair_sector":
      return "fair";
    default:
      return "pending";
  }
}

/** The `fintra_snapshots.valuation` JSON: raw multiples plus the state. */
interface ValuationSnapshot {
  pe_ratio: Multiple | null;
  ev_ebitda: Multiple | null;
  price_to_fcf: Multiple | null;
  valuation_status: LegacyValuationStatus;
  stage: ValuationState["stage"];
  canonical_status: CanonicalValuationStatus;
  confidence: ValuationState["confidence"];
  explanation: string;
}

/** The snapshot's valuation JSON from raw multiples (as read) and their state. */
export function valuationSnapshot(
  raw: Partial<ValuationMetrics> | null | undefined,
  state: ValuationState,
): ValuationSnapshot {
  return {
    pe_ratio: isNum(raw?.pe_ratio) ? raw.pe_ratio : null,
    ev_ebitda: isNum(raw?.ev_ebitda) ? raw.ev_ebitda : null,
    price_to_fcf: isNum(raw?.price_to_fcf) ? raw.price_to_fcf : null,
    valuation_status: legacyValuationStatus(state.valuation_status),
    stage: state.stage,
    canonical_status: state.valuation_status,
    confidence: state.confidence,
    explanation: state.explanation,
  };
}

/** Legacy wrapper: score 80 cheap / 50 fair / 20 expensive (0..100), null when pending. */
export function legacyValuation(state: ValuationState): {
  valuation_status: LegacyValuationStatus;
  valuation_score: Score | null;
  confidence: ConfidencePercent;
  warnings: string[];
} {
  const legacy = legacyValuationStatus(state.valuation_status);
  const score =
    legacy === "undervalued" ? 80 : legacy === "fair" ? 50 : legacy === "overvalued" ? 20 : null;
  return {
    valuation_status: legacy,
    valuation_score: score,
    confidence: state.confidence.percent,
    warnings: state.stage === "pending" ? ["Insufficient valuation data"] : [],
  };
}

const STATUS_TEXT: Record<CanonicalValuationStatus, string> = {
  very_cheap_sector: "Multiples are very cheap relative to the sector",
  cheap_sector: "Multiples are cheap relative to the sector",
  fair_sector: "Multiples are in line with the sector",
  expensive_sector: "Multiples are expensive relative to the sector",
  very_expensive_sector: "Multiples are very expensive relative to the sector",
  potentially_cheap: "Multiples look cheap relative to the sector, with limited history",
  potentially_expensive: "Multiples look expensive relative to the sector, with limited history",
  descriptive_only: "Too little history to judge valuation; multiples are shown for reference",
  pending: "Not enough valid multiples with sector benchmarks to judge valuation",
};

function explain(
  status: CanonicalValuationStatus,
  stage: ValuationState["stage"],
  valid: Count,
  mid: Percentile | null,
  label: ConfidenceLabel,
): string {
  let text = STATUS_TEXT[status];
  if (mid !== null && status !== "pending")
    text += ` (median sector percentile ${Math.round(mid)})`;
  if (stage === "partial") text = `Preliminary (${valid}/3): ${text}`;
  text += ".";
  if (label === "Low") text += " Low confidence: read with caution.";
  return text;
}
