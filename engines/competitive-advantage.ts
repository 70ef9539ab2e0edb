/**
 * Competitive advantage (spec §10): how durable a company's returns are, from its FY history,
 * on three axes: return persistence (level, stability and failures of ROIC), operating
 * stability (margin dispersion, growth coherence and margin drawdown) and capital discipline
 * (returns on reinvestment, dilution, revenue growth against capital growth).
 *
 * Decision (computed from FY history): the original's bulk path derived this object from the
 * moat result instead; here it is always this engine, run on FY rows, and it is what the
 * verdict reads. Returns fall back from ROIC to ROE and margins from operating to net margin.
 */
import { annualHistory, type FinancialRow } from "./financial-rows.ts";
import { clamp, isNum, mean, num, populationStdDev, weightedMean } from "./math.ts";
import type { ConfidencePercent, Count, Ratio, Score } from "./units.ts";

/** Strength band of a 0..100 durability score. */
type AdvantageBand = "weak" | "defendable" | "strong";

/** The `fgos_components.competitive_advantage` object. */
export interface CompetitiveAdvantage {
  score: Score | null;
  band: AdvantageBand | null;
  confidence: ConfidencePercent;
  axes: {
    return_persistence: Score | null;
    operating_stability: Score | null;
    capital_discipline: Score | null;
  };
  years_analyzed: Count;
}

/** Band of a 0..100 advantage score: <40 weak, <70 defendable, else strong. */
function advantageBand(score: Score | null): AdvantageBand | null {
  if (!isNum(score)) return null;
  return score < 40 ? "weak" : score < 70 ? "defendable" : "strong";
}

/** Competitive advantage 0..100 from FY rows (ratios as decimals, money in reporting currency). */
export function calculateCompetitiveAdvantage(rows: readonly FinancialRow[]): CompetitiveAdvantage {
  const history = annualHistory(rows);
  const n = history.length;
  const returns = history.map((r) => (isNum(r.roic) ? r.roic : isNum(r.roe) ? r.roe : null));
  const margins = history.map((r) =>
    isNum(r.operating_margin) ? r.operating_margin : isNum(r.net_margin) ? r.net_margin : null,
  );
  const axes = {
    return_persistence: returnPersistence(returns),
    operating_stability: operatingStability(history, margins),
    capital_discipline: capitalDiscipline(history, returns),
  };
  let score = weightedMean([
    { value: axes.return_persistence, weight: 0.5 },
    { value: axes.operating_stability, weight: 0.3 },
    { value: axes.capital_discipline, weight: 0.2 },
  ]);
  if (score !== null) {
    // Stable margins cannot make up for weak returns: cap at 20 points above axis 1.
    if (axes.return_persistence !== null) score = Math.min(score, axes.return_persistence + 20);
    score = clamp(score);
  }
  return {
    score,
    band: advantageBand(score),
    confidence: historyConfidence(n),
    axes,
    years_analyzed: n,
  };
}

/** Confidence (0..100) from the number of fiscal years analysed. */
function historyConfidence(years: Count): ConfidencePercent {
  if (years >= 10) return 90;
  if (years >= 8) return 80;
  if (years >= 5) return 70;
  if (years >= 3) return 50;
  if (years >= 1) return 30;
  return 0;
}

/** Axis 1 (0..100) from yearly returns (decimals); null without any return. */
export function returnPersistence(returns: readonly (Ratio | null)[]): Score | null {
  const xs = returns.filter(isNum);
  if (xs.length === 0) return null;
  const m = (mean(xs) as number) * 100;
  let level: number;
  if (m <= 0) level = 0;
  else if (m <= 10) level = 4 * m;
  else if (m <= 20) level = 40 + 2 * (m - 10);
  else if (m <= 40) level = 60 + (m - 20);
  else level = 80 + 0.5 * (m - 40);
  level = clamp(level);
  const sigma = populationStdDev(xs, 2);
  const stability = sigma === null ? 0 : clamp(100 - 2 * sigma * 100);
  const failure = (xs.filter((x) => x < 0.05).length / xs.length) * 100;
  return clamp(0.3 * level + 0.45 * stability - 0.25 * failure);
}

/** Axis 2 (0..100) from yearly margins (decimals) and revenues; null under 2 margins. */
export function operatingStability(
  history: readonly FinancialRow[],
  margins: readonly (Ratio | null)[],
): Score | null {
  const xs = margins.filter(isNum);
  if (xs.length < 2) return null;
  const stability = clamp(100 - 2 * (populationStdDev(xs, 2) as number) * 100);

  let good = 0;
  let bad = 0;
  for (let i = 1; i < history.length; i++) {
    const m0 = margins[i - 1];
    const m1 = margins[i];
    const r0 = history[i - 1]!.revenue;
    const r1 = history[i]!.revenue;
    if (!isNum(m0) || !isNum(m1) || !isNum(r0) || !isNum(r1) || r0 === 0) continue;
    // An overflowing (infinite) growth is still growth above 5 %.
    if ((r1 - r0) / Math.abs(r0) < 0.05) continue;
    if (m1 - m0 <= -0.01) bad++;
    else good++;
  }
  const coherence = good + bad === 0 ? stability : 100 - (100 * bad) / (good + bad);

  let peak = xs[0]!;
  let drawdown = 0;
  for (const m of xs) {
    peak = Math.max(peak, m);
    drawdown = Math.max(drawdown, peak - m);
  }
  const penalty = clamp(2 * drawdown * 100);
  return clamp(0.5 * stability + 0.3 * coherence - 0.2 * penalty);
}

/** Axis 3 (0..100) from consecutive FY rows; null under 2 rows or when nothing is measurable. */
export function capitalDiscipline(
  history: readonly FinancialRow[],
  returns: readonly (Ratio | null)[],
): Score | null {
  if (history.length < 2) return null;
  let reinvestPairs = 0;
  let reinvestGood = 0;
  let dilutionSum = 0;
  let dilutionYears = 0;
  const efficiency: number[] = [];
  for (let i = 1; i < history.length; i++) {
    const prev = history[i - 1]!;
    const curr = history[i]!;
    const icGrowth = growth(prev.invested_capital, curr.invested_capital);
    const revGrowth = growth(prev.revenue, curr.revenue);
    const shareGrowth = growth(prev.weighted_shares_out, curr.weighted_shares_out);
    const r0 = returns[i - 1];
    const r1 = returns[i];
    if (icGrowth !== null && icGrowth > 0.05 && isNum(r0) && isNum(r1)) {
      reinvestPairs++;
      if (r1 >= r0 - 0.01) reinvestGood++;
    }
    if (shareGrowth !== null && shareGrowth > 0.01) {
      dilutionSum += shareGrowth;
      dilutionYears++;
    }
    if (icGrowth !== null && revGrowth !== null) efficiency.push(revGrowth - icGrowth);
  }
  const reinvestment = reinvestPairs > 0 ? (100 * reinvestGood) / reinvestPairs : null;
  let dilution = Math.min(1, dilutionSum) * 100;
  if (dilutionYears <= 1) dilution *= 0.4;
  const spread = mean(efficiency);
  const efficiencyScore = spread === null ? null : clamp(50 + 250 * clamp(spread, -0.3, 0.3));
  if (reinvestment === null && efficiencyScore === null && dilution === 0) return null;
  return clamp(0.4 * (reinvestment ?? 50) - 0.35 * dilution + 0.25 * (efficiencyScore ?? 50));
}

// Growth from a positive base only: a change from a negative base has no meaningful rate.
function growth(prev: number | null | undefined, curr: number | null | undefined): Ratio | null {
  if (!isNum(prev) || !isNum(curr) || prev <= 0) return null;
  return num((curr - prev) / prev);
}
