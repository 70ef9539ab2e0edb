/**
 * Dividend quality (spec §12): how consistent, reliable and affordable a company's dividend
 * is over its last 10 fiscal years, from `datos_dividendos` joined with FY net income and FCF.
 *
 * Four axes, weighted 0.4 / 0.3 / 0.2 / 0.1 over those available: consistency (share of
 * paying years, minus a penalty for gaps), payout sustainability (payout ratios against
 * earnings and FCF, docked when the company lost money), growth reliability (level,
 * stability and direction changes of dividend-per-share growth) and capital discipline
 * (whether it kept paying through losses). Band: ≥70 high, ≥45 acceptable, else weak.
 * Payout ratios are percent numbers (40 = 40 %).
 *
 * Decision (payout ratio missing because of a loss): `datos_dividendos` leaves `payout_eps`
 * null when net income is not positive and `payout_fcf` null when FCF is not positive. A
 * paying year with such a null is scored as a payout out of losses (20, like a non-positive
 * ratio) instead of being skipped, so paying through losses cannot raise the payout axis by
 * hiding. A null ratio with an unknown denominator is skipped.
 *
 * A year with no row is not a gap: gaps are runs of rows that did not pay.
 */
import { clamp, isNum, mean, populationStdDev, weightedMean } from "./math.ts";
import type { ConfidencePercent, Count, Money, Percent, PerShare, Score, Year } from "./units.ts";

/** One fiscal year of dividend facts. */
export interface DividendYear {
  year: Year;
  has_dividend: boolean | null;
  dividend_per_share: PerShare | null;
  dividend_cash_paid?: Money | null;
  /** Cash paid / net income, percent. */
  payout_eps: Percent | null;
  /** Cash paid / FCF, percent. */
  payout_fcf: Percent | null;
  is_growing?: boolean | null;
  net_income: Money | null;
  free_cash_flow: Money | null;
}

/** Dividend quality band. */
type DividendBand = "high" | "acceptable" | "weak";

/** Dividend quality result. */
interface DividendQuality {
  score: Score | null;
  band: DividendBand | null;
  confidence: ConfidencePercent | null;
  axes: {
    consistency: Score | null;
    payout_sustainability: Score | null;
    growth_reliability: Score | null;
    capital_discipline: Score | null;
  };
  years_analyzed: Count;
}

/** Dividend quality 0..100 from up to the last 10 fiscal years (payouts in percent). */
export function calculateDividendQuality(rows: readonly DividendYear[]): DividendQuality {
  const byYear = new Map<Year, DividendYear>();
  for (const r of rows) if (isNum(r.year)) byYear.set(r.year, r);
  const years = [...byYear.values()].sort((a, b) => a.year - b.year).slice(-10);
  const n = years.length;
  const axes = {
    consistency: n > 0 ? consistency(years) : null,
    payout_sustainability: payoutSustainability(years),
    growth_reliability: growthReliability(years),
    capital_discipline: n >= 2 ? capitalDiscipline(years) : null,
  };
  const score = weightedMean([
    { value: axes.consistency, weight: 0.4 },
    { value: axes.payout_sustainability, weight: 0.3 },
    { value: axes.growth_reliability, weight: 0.2 },
    { value: axes.capital_discipline, weight: 0.1 },
  ]);
  const available = Object.values(axes).filter(isNum).length;
  let confidence: ConfidencePercent | null = null;
  if (n > 0) confidence = available === 0 ? 20 : 30 + 50 * (available / 4) * Math.min(1, n / 8);
  return {
    score,
    band: score === null ? null : score >= 70 ? "high" : score >= 45 ? "acceptable" : "weak",
    confidence,
    axes,
    years_analyzed: n,
  };
}

function isPaying(y: DividendYear): boolean {
  return y.has_dividend === true && isNum(y.dividend_per_share) && y.dividend_per_share > 0;
}

function consistency(years: readonly DividendYear[]): Score {
  const paying = years.filter(isPaying).length;
  let gaps = 0;
  let longest = 0;
  let run = 0;
  for (const y of years) {
    if (isPaying(y)) {
      run = 0;
      continue;
    }
    if (run === 0) gaps++;
    run++;
    longest = Math.max(longest, run);
  }
  return clamp((paying / years.length) * 100 - Math.min(30, 8 * gaps + 4 * longest));
}

function growthReliability(years: readonly DividendYear[]): Score | null {
  const dps = years.map((y) => y.dividend_per_share).filter((d): d is number => isNum(d) && d > 0);
  if (dps.length < 2) return null;
  const growth: number[] = [];
  for (let i = 1; i < dps.length; i++) {
    const g = dps[i]! / dps[i - 1]! - 1;
    if (Number.isFinite(g)) growth.push(g);
  }
  const m = mean(growth);
  if (m === null) return null;
  let score = m < 0 ? 40 : m <= 0.05 ? 70 : 80;
  score -= Math.min(40, 200 * (populationStdDev(growth, 1) ?? 0));
  if (growth.some((g) => g > 0.02) && growth.some((g) => g < -0.02)) score -= 15;
  return clamp(score);
}

/** Score (0..100) of one payout ratio in percent. */
export function payoutRatioScore(ratio: Percent): Score {
  if (ratio <= 0) return 20;
  if (ratio > 150) return 10;
  if (ratio > 100) return 25;
  if (ratio >= 30 && ratio <= 70) return 90;
  if (ratio >= 15 && ratio < 30) return 80;
  if (ratio > 70 && ratio <= 90) return 70;
  return 60;
}

function ratioScore(ratio: Percent | null, denominator: Money | null): Score | null {
  if (isNum(ratio)) return payoutRatioScore(ratio);
  // A null ratio over a known non-positive denominator is a payout out of losses.
  if (isNum(denominator) && denominator <= 0) return 20;
  return null;
}

function payoutSustainability(years: readonly DividendYear[]): Score | null {
  const perYear: Score[] = [];
  for (const y of years.filter(isPaying)) {
    const base = mean([
      ratioScore(y.payout_eps, y.net_income),
      ratioScore(y.payout_fcf, y.free_cash_flow),
    ]);
    if (base === null) continue;
    let s = base;
    if (isNum(y.net_income) && y.net_income <= 0) s -= 25;
    if (isNum(y.free_cash_flow) && y.free_cash_flow <= 0) s -= 25;
    perYear.push(clamp(s));
  }
  return mean(perYear);
}

function capitalDiscipline(years: readonly DividendYear[]): Score | null {
  const scores: Score[] = [];
  for (const y of years) {
    if (!isNum(y.net_income) || !isNum(y.free_cash_flow)) continue;
    const loss = y.net_income < 0 || y.free_cash_flow < 0;
    const paying = isPaying(y);
    scores.push(loss ? (paying ? 20 : 70) : paying ? 65 : 55);
  }
  return mean(scores);
}
