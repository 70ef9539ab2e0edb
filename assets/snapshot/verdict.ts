/**
 * The verdict (spec/engines.md §13): FGOS, competitive advantage, sentiment, dividend
 * quality and relative return read together. It fills both investment_verdict and
 * strategic_state; `verdictText` is its one-line reading for market_state.
 */
import type { FgosResult } from "../../engines/fgos.ts";
import type { RelativeReturnResult } from "../../engines/relative-return.ts";
import type { SentimentResult } from "../../engines/sentiment.ts";
import {
  type FintraVerdict,
  fgosVerdictBand,
  resolveFintraVerdict,
} from "../../engines/verdict.ts";
import type { dividendQuality } from "./dividends.ts";

/** The verdict of D from the module readings (dividends only when the company pays). */
export function verdictOf(readings: {
  fgos: FgosResult;
  sentiment: SentimentResult;
  dividends: ReturnType<typeof dividendQuality>;
  relativeReturn: RelativeReturnResult;
}): FintraVerdict {
  const { fgos, sentiment, dividends, relativeReturn } = readings;
  const advantage = fgos.fgos_components.competitive_advantage;
  return resolveFintraVerdict({
    fgos: {
      score: fgos.fgos_score,
      band: fgosVerdictBand(fgos.fgos_category),
      confidence: fgos.fgos_confidence_percent,
    },
    competitive_advantage: {
      score: advantage.score,
      band: advantage.band,
      confidence: advantage.confidence,
    },
    sentiment: { score: sentiment.value, band: sentiment.band, confidence: sentiment.confidence },
    dividend_quality:
      dividends.status === "computed"
        ? { score: dividends.score, band: dividends.band, confidence: dividends.confidence }
        : null,
    relative_return: {
      score: relativeReturn.score,
      band: relativeReturn.band,
      confidence: relativeReturn.confidence,
    },
  });
}

/** A one-line reading of the verdict for lists: label, then its drivers. */
export function verdictText(verdict: {
  verdict_label: string;
  drivers: { positives: string[]; negatives: string[]; tensions: string[] };
}): string {
  const label = verdict.verdict_label[0]!.toUpperCase() + verdict.verdict_label.slice(1);
  const drivers = [...verdict.drivers.positives, ...verdict.drivers.negatives];
  return drivers.length > 0 ? `${label}: ${drivers.join("; ")}` : label;
}
