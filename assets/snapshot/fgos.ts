/**
 * FGOS, the business-quality score (spec/engines.md §3), and what it rests on: the
 * fundamentals' maturity and growth from FY rows, the one row it scores, Altman Z and
 * Piotroski F of D, and the sentiment of the quarter-end multiples. Moat, competitive
 * advantage and sentiment are FGOS components, so they land in `fgos_components`.
 */
import type { BenchmarkMap } from "../../engines/benchmarks.ts";
import { computeFgos, type FgosResult, pickFgosFinancialRow } from "../../engines/fgos.ts";
import {
  type FundamentalsGrowth,
  fundamentalsGrowth,
  type IndustryProfile,
} from "../../engines/fundamentals-growth.ts";
import { type FundamentalsMaturity, fundamentalsMaturity } from "../../engines/maturity.ts";
import {
  calculateSentiment,
  type SentimentResult,
  sentimentTimeline,
} from "../../engines/sentiment.ts";
import type { FinancialScoresRow } from "../financial_scores.ts";
import type { KnownOnDay } from "./point-in-time.ts";
import type { BuiltSnapshot, FinancialInput, TickerInputs } from "./types.ts";

/** The fundamentals of D: maturity and growth from FY rows, and the row FGOS scores. */
export interface Fundamentals {
  maturity: FundamentalsMaturity;
  growth: FundamentalsGrowth;
  /** The latest TTM-or-FY row ended and filed by D (`pickFgosFinancialRow`). */
  scored: FinancialInput | null;
}

export function fundamentalsOn(
  known: KnownOnDay,
  day: string,
  industryProfile: IndustryProfile,
): Fundamentals {
  const maturity = fundamentalsMaturity(known.fiscalYears, day);
  const growth = fundamentalsGrowth(known.fiscalYears, {
    maturity: maturity.fgos_maturity,
    profile: industryProfile,
    asOf: day,
  });
  return { maturity, growth, scored: pickFgosFinancialRow(known.scorable, day) };
}

/** FGOS of D and the sentiment it includes (the verdict reads both). */
export function scoreFgos(
  known: KnownOnDay,
  profile: TickerInputs["profile"],
  parts: {
    day: string;
    sector: string | null;
    benchmarks: BenchmarkMap | null;
    fundamentals: Fundamentals;
    scores: FinancialScoresRow | null;
  },
): { fgos: FgosResult; sentiment: SentimentResult } {
  const { day, scores } = parts;
  const sentiment = calculateSentiment(
    sentimentTimeline(
      known.valuations.map((v) => ({ ...v, denominator_type: "TTM" })),
      day,
    ),
  );
  const fgos = computeFgos({
    as_of: day,
    sector: parts.sector,
    benchmarks: parts.benchmarks,
    financials: parts.fundamentals.scored,
    growth: parts.fundamentals.growth,
    financial_scores: scores
      ? { altman_z: scores.altman_z, piotroski_score: scores.piotroski_score }
      : null,
    history: known.fiscalYears,
    sentiment,
    ipo_date: profile?.ipo_date ?? null,
  });
  return { fgos, sentiment };
}

/** The FGOS columns, fundamentals_growth through fgos_components. */
export function fgosColumns(fgos: FgosResult, fundamentals: Fundamentals) {
  return {
    fundamentals_growth: fundamentals.growth,
    fgos_score: fgos.fgos_score,
    fgos_category: fgos.fgos_category,
    fgos_status: fgos.fgos_status,
    fgos_reason: fgos.fgos_components.reason,
    fgos_confidence_percent: fgos.fgos_confidence_percent,
    fgos_confidence_label: fgos.fgos_confidence_label,
    fgos_maturity: fundamentals.maturity.fgos_maturity,
    fgos_components: fgos.fgos_components,
  } satisfies Partial<BuiltSnapshot>;
}
