/**
 * Sentiment (spec §9): are today's valuation multiples stretched or compressed against the
 * company's own past? 0 = strongly compressed (pessimistic), 50 = unchanged, 100 = strongly
 * expanded (optimistic). It works on multiples, not on returns (the original's docs said
 * returns; its code, and this engine, use multiples).
 *
 * For each of P/E, EV/EBITDA, P/FCF and P/S, the relative deviation of today's value from
 * 1, 3 and 5 years ago is mapped onto 0..100 (±150 % saturates), damped toward 50 when the
 * deviations disagree or when there is only one, and damped again when the re-rating is
 * extreme (over 50 %). Confidence is capped at 40 by design: re-rating is a weak signal.
 *
 * Decision (timeline rows): `sentimentTimeline` takes, for each target date (as-of, −1, −3
 * and −5 years), the latest `datos_valuacion` row with `denominator_type = 'TTM'` dated on or
 * before the target and no more than `maxStalenessDays` (default 183) before it. The
 * original's bulk path took the nearest row in either direction with no limit, so a company
 * with one valuation row compared that row with itself at every horizon and came out
 * "computed" at confidence 40. The staleness limit keeps one old row from standing in for
 * several horizons.
 */
import { compareIso, daysBetween, minusYears } from "./dates.ts";
import { clamp, isNum, mean, median } from "./math.ts";
import type { ConfidencePercent, IsoDate, Multiple, Ratio, Score } from "./units.ts";

/** The four multiples sentiment compares. */
export interface ValuationMultiples {
  pe_ratio: Multiple | null;
  ev_ebitda: Multiple | null;
  price_to_fcf: Multiple | null;
  price_to_sales: Multiple | null;
}

/** Multiples today and 1, 3 and 5 years ago; a null entry is a missing horizon. */
interface SentimentTimeline {
  TTM: ValuationMultiples | null;
  TTM_1A: ValuationMultiples | null;
  TTM_3A: ValuationMultiples | null;
  TTM_5A: ValuationMultiples | null;
}

/** Sentiment band. */
type SentimentBand = "optimistic" | "neutral" | "pessimistic";

/** Per-multiple detail. */
interface SentimentComponent {
  score: Score;
  /** Relative deviations from past values (decimal, 0.2 = +20 %). */
  deviations: Ratio[];
  consistency: number;
  intensity: number;
  relative_deviation: Ratio;
  has_long_history: boolean;
}

/** The `fgos_components.sentiment_details` object. */
export interface SentimentResult {
  value: Score | null;
  band: SentimentBand | null;
  confidence: ConfidencePercent | null;
  status: "computed" | "partial" | "pending";
  signals: {
    relative_deviation: Ratio | null;
    directional_consistency: number | null;
    rerating_intensity_penalty: number | null;
  } | null;
  components?: Partial<Record<keyof ValuationMultiples, SentimentComponent>>;
}

const MULTIPLES: (keyof ValuationMultiples)[] = [
  "pe_ratio",
  "ev_ebitda",
  "price_to_fcf",
  "price_to_sales",
];

const PENDING: SentimentResult = {
  value: null,
  band: null,
  confidence: null,
  status: "pending",
  signals: null,
};

/** Sentiment 0..100 from a multiples timeline (multiples are plain numbers; ≤0 is ignored). */
export function calculateSentiment(
  timeline: SentimentTimeline | null | undefined,
): SentimentResult {
  if (!timeline?.TTM) return PENDING;
  const now = timeline.TTM;
  const past = [timeline.TTM_1A, timeline.TTM_3A, timeline.TTM_5A];
  const components: Partial<Record<keyof ValuationMultiples, SentimentComponent>> = {};
  let totalDeviations = 0;
  let anyLongHistory = false;

  for (const k of MULTIPLES) {
    const cur = now[k];
    if (!isNum(cur) || cur <= 0) continue;
    const deviations: Ratio[] = [];
    for (const entry of past) {
      const base = entry?.[k];
      if (!isNum(base) || base <= 0) continue;
      // A base near zero can overflow the ratio; such a deviation carries no information.
      const d = (cur - base) / base;
      if (Number.isFinite(d)) deviations.push(d);
    }
    const hasLong = isNum(timeline.TTM_3A?.[k]) || isNum(timeline.TTM_5A?.[k]);
    if (deviations.length === 0) continue;
    const base = mean(deviations.map((d) => 50 + (clamp(d, -1.5, 1.5) / 1.5) * 50)) as number;
    const pos = deviations.filter((d) => d > 0.05).length;
    const neg = deviations.filter((d) => d < -0.05).length;
    const factor = deviations.length === 1 ? 0.7 : pos > 0 && neg > 0 ? 0.4 : 1;
    const after = 50 + (base - 50) * factor;
    const maxDev = Math.max(...deviations.map(Math.abs));
    const intensity = maxDev > 0.5 ? 1 - 0.4 * ((Math.min(maxDev, 2.5) - 0.5) / 2) : 1;
    components[k] = {
      score: clamp(50 + (after - 50) * intensity),
      deviations,
      consistency: Math.round(factor * 100),
      intensity: Math.round(intensity * 100),
      relative_deviation: median(deviations) as number,
      has_long_history: hasLong,
    };
    totalDeviations += deviations.length;
    anyLongHistory ||= hasLong;
  }

  const scored = Object.values(components);
  if (scored.length === 0) return PENDING;
  const value = Math.round(clamp(mean(scored.map((c) => c.score)) as number));
  const status = anyLongHistory && totalDeviations >= 2 ? "computed" : "partial";
  const horizons = past.filter((p) => p !== null && p !== undefined).length;
  const confidence = Math.round(
    (status === "computed" ? 40 : 25) * (0.5 * (horizons / 3) + 0.5 * (scored.length / 4)),
  );
  return {
    value,
    band: sentimentBand(value),
    confidence,
    status,
    signals: {
      relative_deviation: mean(scored.map((c) => c.relative_deviation)),
      directional_consistency: Math.round(mean(scored.map((c) => c.consistency)) as number),
      rerating_intensity_penalty: Math.round(mean(scored.map((c) => c.intensity)) as number),
    },
    components,
  };
}

/** Band of a 0..100 sentiment value: ≥60 optimistic, ≤40 pessimistic, else neutral. */
function sentimentBand(value: Score | null): SentimentBand | null {
  if (!isNum(value)) return null;
  return value >= 60 ? "optimistic" : value <= 40 ? "pessimistic" : "neutral";
}

/** A `datos_valuacion` row (multiples are plain numbers). */
interface ValuationRow {
  valuation_date: IsoDate;
  denominator_type?: string | null;
  pe_ratio?: Multiple | null;
  ev_ebitda?: Multiple | null;
  price_to_fcf?: Multiple | null;
  price_to_sales?: Multiple | null;
}

/** Sentiment timeline (plain multiples) from `datos_valuacion` rows as of a date; see module doc. */
export function sentimentTimeline(
  rows: readonly ValuationRow[],
  asOf: IsoDate,
  maxStalenessDays = 183,
): SentimentTimeline {
  const ttm = rows
    .filter((r) => r.denominator_type === "TTM" && r.valuation_date <= asOf)
    .sort((a, b) => compareIso(b.valuation_date, a.valuation_date));
  const at = (years: number): ValuationMultiples | null => {
    const target = minusYears(asOf, years);
    if (target === null) return null;
    const row = ttm.find((r) => r.valuation_date <= target);
    if (!row) return null;
    const age = daysBetween(row.valuation_date, target);
    if (age === null || age > maxStalenessDays) return null;
    return {
      pe_ratio: row.pe_ratio ?? null,
      ev_ebitda: row.ev_ebitda ?? null,
      price_to_fcf: row.price_to_fcf ?? null,
      price_to_sales: row.price_to_sales ?? null,
    };
  };
  return { TTM: at(0), TTM_1A: at(1), TTM_3A: at(3), TTM_5A: at(5) };
}
