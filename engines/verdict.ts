/**
 * Fintra verdict (spec §13), stored as both `investment_verdict` and `strategic_state`: one
 * label that reads the business-quality score together with competitive advantage,
 * sentiment, dividend quality and relative return.
 *
 * Labels, first match wins: exceptional (strong quality and advantage, sound dividend,
 * outperforming, sentiment not euphoric), speculative (weak quality, optimistic sentiment),
 * strong, fragile (weak quality, weak dividend or underperforming), else balanced. The score
 * is FGOS ±7 for dividends and relative return and ∓3 for sentiment (contrarian). Confidence
 * is the mean confidence of the modules with data, scaled down when few modules report and
 * 10 points lower per tension. Under 20, or with little data, the label is `inconclusive`.
 */

import type { FgosCategory } from "./fgos.ts";
import { clamp, isNum, mean } from "./math.ts";
import type { ConfidencePercent, Score } from "./units.ts";

/** A module's reading: score 0..100, band, confidence 0..100; any may be null. */
interface VerdictModule<B extends string> {
  score?: Score | null;
  band: B | null;
  confidence?: ConfidencePercent | null;
}

/** Verdict inputs. */
export interface VerdictInput {
  fgos: VerdictModule<"strong" | "defendable" | "weak">;
  competitive_advantage?: VerdictModule<"strong" | "defendable" | "weak"> | null;
  sentiment?: VerdictModule<"optimistic" | "neutral" | "pessimistic"> | null;
  dividend_quality?: VerdictModule<"high" | "acceptable" | "weak"> | null;
  relative_return?: VerdictModule<"outperformer" | "neutral" | "underperformer"> | null;
}

/** Verdict label. */
type VerdictLabel =
  | "exceptional"
  | "strong"
  | "balanced"
  | "fragile"
  | "speculative"
  | "inconclusive";

/** The `investment_verdict` / `strategic_state` JSON. */
export interface FintraVerdict {
  verdict_label: VerdictLabel;
  verdict_score: Score | null;
  confidence: ConfidencePercent | null;
  drivers: { positives: string[]; negatives: string[]; tensions: string[] };
}

/** FGOS band (categorical) from the FGOS category: High strong, Medium defendable, Low weak. */
export function fgosVerdictBand(
  category: FgosCategory | null,
): "strong" | "defendable" | "weak" | null {
  if (category === "High") return "strong";
  if (category === "Medium") return "defendable";
  if (category === "Low") return "weak";
  return null;
}

/** Resolve the Fintra verdict (score 0..100, confidence 0..100) from the module readings. */
export function resolveFintraVerdict(input: VerdictInput): FintraVerdict {
  const { fgos } = input;
  if (!isNum(fgos.score) || fgos.band === null) {
    return {
      verdict_label: "inconclusive",
      verdict_score: null,
      confidence: null,
      drivers: {
        positives: [],
        negatives: ["Insufficient core FGOS data to form a verdict"],
        tensions: [],
      },
    };
  }
  const ca = input.competitive_advantage?.band ?? null;
  const sent = input.sentiment?.band ?? null;
  const div = input.dividend_quality?.band ?? null;
  const rr = input.relative_return?.band ?? null;

  const positives: string[] = [];
  const negatives: string[] = [];
  const tensions: string[] = [];
  if (fgos.band === "strong") positives.push("Strong business quality");
  if (fgos.band === "defendable") positives.push("Defendable business quality");
  if (fgos.band === "weak") negatives.push("Weak business quality");
  if (ca === "strong") positives.push("Strong competitive advantage");
  if (ca === "defendable") positives.push("Defendable competitive advantage");
  if (ca === "weak") negatives.push("Weak competitive advantage");
  if (div === "high") positives.push("High dividend quality");
  if (div === "acceptable") positives.push("Acceptable dividend quality");
  if (div === "weak") negatives.push("Unsustainable dividends");
  if (rr === "outperformer") positives.push("Persistent outperformance");
  if (rr === "underperformer") negatives.push("Structural underperformance");
  if ((fgos.band === "strong" || fgos.band === "defendable") && sent === "pessimistic") {
    tensions.push("Strong business with pessimistic sentiment");
  }
  if (fgos.band === "weak" && sent === "optimistic") {
    tensions.push("Weak business with optimistic sentiment");
  }
  if ((div === "high" || div === "acceptable") && rr === "underperformer") {
    tensions.push("Good dividends with poor returns");
  }

  let label: VerdictLabel;
  if (
    fgos.band === "strong" &&
    ca === "strong" &&
    div !== null &&
    div !== "weak" &&
    rr === "outperformer" &&
    sent !== "optimistic"
  ) {
    label = "exceptional";
  } else if (fgos.band === "weak" && sent === "optimistic") {
    label = "speculative";
  } else if (
    (fgos.band === "strong" || fgos.band === "defendable") &&
    ca !== "weak" &&
    div !== "weak" &&
    rr !== "underperformer" &&
    sent !== "optimistic"
  ) {
    label = "strong";
  } else if (fgos.band === "weak" || div === "weak" || rr === "underperformer") {
    label = "fragile";
  } else {
    label = "balanced";
  }

  let adj = 0;
  if (div === "high") adj += 7;
  if (div === "weak") adj -= 7;
  if (rr === "outperformer") adj += 7;
  if (rr === "underperformer") adj -= 7;
  if (sent === "optimistic") adj -= 3;
  if (sent === "pessimistic") adj += 3;
  const score = clamp(fgos.score + adj);

  const hasData = (m: VerdictModule<string> | null | undefined): boolean =>
    !!m && (isNum(m.score) || m.band !== null);
  const counted: (VerdictModule<string> | null | undefined)[] = [fgos];
  if (hasData(input.competitive_advantage)) counted.push(input.competitive_advantage);
  if (hasData(input.dividend_quality)) counted.push(input.dividend_quality);
  if (hasData(input.relative_return)) counted.push(input.relative_return);
  if (input.sentiment?.band) counted.push(input.sentiment);
  const modules = counted.length;
  const meanConfidence = mean(counted.map((m) => m?.confidence));
  const confidence =
    meanConfidence === null
      ? null
      : clamp(meanConfidence * Math.min(1, 0.6 + 0.1 * (modules - 1)) - 10 * tensions.length);
  const missing = 5 - modules;
  if (
    confidence !== null &&
    (confidence < 20 || (modules <= 2 && missing >= 3 && confidence < 35))
  ) {
    label = "inconclusive";
  }
  return {
    verdict_label: label,
    verdict_score: score,
    confidence,
    drivers: { positives, negatives, tensions },
  };
}
