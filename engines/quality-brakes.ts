/**
 * Quality brakes (spec §3.6): Altman Z and Piotroski F take points off FGOS.
 *
 * Decision (brakes lower the score): Altman Z < 1.8 takes 15 points and 1.8 ≤ Z < 3.0 takes
 * 5; Piotroski F ≤ 3 takes 15 and 4..6 takes 5. The result is clamped to 0..100. The
 * original turned the penalty into a "confidence" that could never fall below the 50 needed
 * to touch the score, so its brakes were only diagnostic although its docs said otherwise.
 * Every band that takes points is a reason, and FGOS keeps the reasons, the penalty and
 * the score before brakes in its components. A missing Z or F takes nothing.
 */
import { clamp, isNum } from "./math.ts";
import type { Score } from "./units.ts";

/** Why a brake was applied. */
type QualityBrakeReason = "altman_distress" | "altman_grey" | "piotroski_weak" | "piotroski_medium";

/** Result of `applyQualityBrakes`, stored as `fgos_components.quality_brakes`. */
export interface QualityBrakes {
  applied: boolean;
  reasons: QualityBrakeReason[];
  /** Points taken off (0..30). */
  penalty: number;
  /** FGOS before brakes (0..100). */
  score_before_brakes: Score;
  /** FGOS after brakes (0..100). */
  adjusted_score: Score;
  altman_z: number | null;
  piotroski_score: number | null;
}

/** Apply the Altman Z / Piotroski F brakes to a 0..100 score; returns the adjusted 0..100 score. */
export function applyQualityBrakes(
  score: Score,
  altmanZ: number | null | undefined,
  piotroski: number | null | undefined,
): QualityBrakes {
  const reasons: QualityBrakeReason[] = [];
  let penalty = 0;
  if (isNum(altmanZ)) {
    if (altmanZ < 1.8) {
      penalty += 15;
      reasons.push("altman_distress");
    } else if (altmanZ < 3.0) {
      penalty += 5;
      reasons.push("altman_grey");
    }
  }
  if (isNum(piotroski)) {
    if (piotroski <= 3) {
      penalty += 15;
      reasons.push("piotroski_weak");
    } else if (piotroski <= 6) {
      penalty += 5;
      reasons.push("piotroski_medium");
    }
  }
  return {
    applied: penalty > 0,
    reasons,
    penalty,
    score_before_brakes: score,
    adjusted_score: clamp(score - penalty),
    altman_z: isNum(altmanZ) ? altmanZ : null,
    piotroski_score: isNum(piotroski) ? piotroski : null,
  };
}
