/**
 * Relative return against the market (spec §8.1): how a stock's 1Y, 3Y and 5Y returns
 * compare with SPY's, stored in `fintra_snapshots.relative_return`.
 *
 * Each window's alpha (percentage points) maps to 0..100 with ±20 pp saturating. The mean
 * window score (70 %) is blended with a consistency score (30 %: 75+ when every alpha is
 * positive, 25− when every alpha is negative, 50 otherwise or with one window), then a
 * drawdown penalty (up to 20) is taken off when the stock fell further than the market.
 * Band: ≥60 outperformer, ≤40 underperformer, else neutral.
 *
 * An alpha within ±0.01 pp counts as neither positive nor negative, as in the original's
 * code (its comment said 1 pp; the code's threshold is kept so its vectors hold).
 * Drawdowns are positive percents here (35 = fell 35 %); `latestReturnsByWindow` turns the
 * table's negative values into that form.
 */
import { clamp, isNum, mean } from "./math.ts";
import type { ConfidencePercent, Percent, PercentagePoints, Score } from "./units.ts";

/** Windows the relative return reads. */
type RelativeReturnWindow = "1Y" | "3Y" | "5Y";

/** One window of stock and benchmark returns (percent numbers; drawdowns positive). */
interface ReturnWindowInput {
  asset_return: Percent | null;
  benchmark_return: Percent | null;
  asset_max_drawdown?: Percent | null;
  benchmark_max_drawdown?: Percent | null;
}

/** The windows given to `calculateRelativeReturn`. */
export type RelativeReturnTimeline = Partial<
  Record<RelativeReturnWindow, ReturnWindowInput | null>
>;

/** Per-window detail. */
interface WindowAlpha {
  asset_return: Percent;
  benchmark_return: Percent;
  alpha: PercentagePoints;
  score: Score;
}

/** The `fintra_snapshots.relative_return` JSON. */
export interface RelativeReturnResult {
  score: Score | null;
  band: "outperformer" | "neutral" | "underperformer" | null;
  confidence: ConfidencePercent | null;
  components: {
    window_alpha: Record<RelativeReturnWindow, WindowAlpha | null>;
    consistency_score: Score | null;
    drawdown_penalty: number | null;
  };
  windows_used: RelativeReturnWindow[];
}

const WINDOWS: RelativeReturnWindow[] = ["1Y", "3Y", "5Y"];

/** Relative return score 0..100 from stock vs benchmark returns (percent numbers). */
export function calculateRelativeReturn(
  timeline: RelativeReturnTimeline | null | undefined,
): RelativeReturnResult {
  const windowAlpha: Record<RelativeReturnWindow, WindowAlpha | null> = {
    "1Y": null,
    "3Y": null,
    "5Y": null,
  };
  const used: RelativeReturnWindow[] = [];
  let penalty = 0;
  for (const w of WINDOWS) {
    const input = timeline?.[w];
    if (!input || !isNum(input.asset_return) || !isNum(input.benchmark_return)) continue;
    const alpha = input.asset_return - input.benchmark_return;
    windowAlpha[w] = {
      asset_return: input.asset_return,
      benchmark_return: input.benchmark_return,
      alpha,
      score: 50 + (clamp(alpha, -20, 20) / 20) * 50,
    };
    used.push(w);
    if (isNum(input.asset_max_drawdown) && isNum(input.benchmark_max_drawdown)) {
      const diff = input.asset_max_drawdown - input.benchmark_max_drawdown;
      if (diff > 0) penalty = Math.max(penalty, (Math.min(diff, 20) / 20) * 20);
    }
  }
  if (used.length === 0) {
    return {
      score: null,
      band: null,
      confidence: null,
      components: { window_alpha: windowAlpha, consistency_score: null, drawdown_penalty: null },
      windows_used: [],
    };
  }
  const alphas = used.map((w) => windowAlpha[w]!.alpha);
  const consistency = consistencyScore(alphas);
  const windowMean = mean(used.map((w) => windowAlpha[w]!.score)) as number;
  const score = clamp(clamp(0.7 * windowMean + 0.3 * consistency) - penalty);
  const f = consistency >= 60 || consistency <= 40 ? 1 : 0.7;
  return {
    score,
    band: score >= 60 ? "outperformer" : score <= 40 ? "underperformer" : "neutral",
    confidence: 30 + 40 * (used.length / 3) * f,
    components: {
      window_alpha: windowAlpha,
      consistency_score: consistency,
      drawdown_penalty: penalty,
    },
    windows_used: used,
  };
}

/** Consistency 0..100 of a list of alphas (percentage points). */
export function consistencyScore(alphas: readonly PercentagePoints[]): Score {
  if (alphas.length <= 1) return 50;
  const pos = alphas.filter((a) => a > 0.01).length;
  const neg = alphas.filter((a) => a < -0.01).length;
  const m = mean(alphas) as number;
  if (pos > 0 && neg === 0) return 75 + Math.min(25, Math.max(0, (m / 10) * 25));
  if (neg > 0 && pos === 0) return 25 - Math.min(25, (Math.abs(m) / 10) * 25);
  return 50;
}
