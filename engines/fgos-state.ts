/**
 * FGOS state (spec §3.13): a reader-facing summary of the stored FGOS columns, derived
 * without recomputing anything: how many of the six dimensions are present, which quality
 * bucket the score falls in, the confidence label, and whether sentiment supports the score.
 *
 * The quality buckets (<40 weak, <60 average, <75 strong, else elite) are finer than the
 * FGOS categories on purpose: they describe, the categories classify.
 */
import type { ConfidenceLabel } from "./fgos-confidence.ts";
import { isNum } from "./math.ts";
import type { ConfidencePercent, Count, Score } from "./units.ts";

/** The part of `fgos_components` the state reads. */
interface FgosStateComponents {
  growth?: Score | null;
  profitability?: Score | null;
  efficiency?: Score | null;
  solvency?: Score | null;
  moat?: Score | null;
  sentiment?: Score | null;
}

/** Reader-facing FGOS summary. */
interface FgosState {
  stage: "pending" | "partial" | "computed";
  quality_bucket: "unknown" | "weak" | "average" | "strong" | "elite";
  confidence: { label: ConfidenceLabel; percent: ConfidencePercent; explanation: string };
  coverage: { total_dimensions: 6; computed_dimensions: Count; missing: string[] };
  sentiment_context: "unknown" | "supportive" | "neutral" | "hostile";
  explanation: string;
}

const DIMENSIONS: [keyof FgosStateComponents, string][] = [
  ["growth", "Growth"],
  ["profitability", "Profitability"],
  ["efficiency", "Efficiency"],
  ["solvency", "Solvency"],
  ["moat", "Moat"],
  ["sentiment", "Sentiment"],
];

/** Summarise stored FGOS columns (score 0..100, confidence percent 0..100) for readers. */
export function buildFgosState(input: {
  fgos_score: Score | null;
  fgos_components: FgosStateComponents | null;
  fgos_confidence_percent: ConfidencePercent | null;
  fgos_confidence_label: string | null;
}): FgosState {
  const components = input.fgos_components;
  if (!components) {
    return {
      stage: "pending",
      quality_bucket: "unknown",
      confidence: { label: "Low", percent: 0, explanation: "No analysis data available." },
      coverage: { total_dimensions: 6, computed_dimensions: 0, missing: ["All"] },
      sentiment_context: "unknown",
      explanation: "FGOS has not been computed for this company yet.",
    };
  }
  const missing = DIMENSIONS.filter(([key]) => !isNum(components[key])).map(([, name]) => name);
  const computed = 6 - missing.length;
  const stage = computed < 3 ? "pending" : computed < 6 ? "partial" : "computed";
  const percent = isNum(input.fgos_confidence_percent) ? input.fgos_confidence_percent : 0;
  const label: ConfidenceLabel =
    input.fgos_confidence_label === "High" ||
    input.fgos_confidence_label === "Medium" ||
    input.fgos_confidence_label === "Low"
      ? input.fgos_confidence_label
      : percent >= 80
        ? "High"
        : percent >= 50
          ? "Medium"
          : "Low";
  const bucket = qualityBucket(input.fgos_score);
  const sentiment = sentimentContext(components.sentiment);
  const missingText = missing.length > 0 ? ` Missing: ${missing.join(", ")}.` : "";
  return {
    stage,
    quality_bucket: bucket,
    confidence: {
      label,
      percent,
      explanation: `${computed} of 6 dimensions computed.${missingText}`,
    },
    coverage: { total_dimensions: 6, computed_dimensions: computed, missing },
    sentiment_context: sentiment,
    explanation:
      bucket === "unknown"
        ? `Business quality is not scored yet (${computed}/6 dimensions).`
        : `Business quality is ${bucket} relative to its sector (score ${input.fgos_score}, ${label.toLowerCase()} confidence); market sentiment is ${sentiment}.`,
  };
}

/** Quality bucket of a 0..100 FGOS score. */
export function qualityBucket(score: Score | null): FgosState["quality_bucket"] {
  if (!isNum(score)) return "unknown";
  return score < 40 ? "weak" : score < 60 ? "average" : score < 75 ? "strong" : "elite";
}

function sentimentContext(value: Score | null | undefined): FgosState["sentiment_context"] {
  if (!isNum(value)) return "unknown";
  return value >= 65 ? "supportive" : value >= 45 ? "neutral" : "hostile";
}
