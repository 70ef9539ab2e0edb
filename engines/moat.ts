/**
 * Moat (spec §11): persistence of ROIC above the sector, level and stability of the gross
 * margin, and capital discipline, from up to the 5 newest fiscal years.
 *
 * Decision (moat is computed from FY history): the original's bulk path fed this engine a
 * history without gross margin and no sector, so moat was always pending there. Here the
 * snapshot passes FY rows (with gross_margin), the sector, and the sector's ROIC and gross
 * margin medians when benchmarks hold them; the per-sector defaults fill in otherwise. This
 * score is the FGOS `moat` dimension, so the dimension count and the stored value agree.
 *
 * Decision (sector defaults by exact name): the original matched sector names by substring,
 * so "Services" picked the Financial Services defaults. Names match whole and
 * case-insensitively here; an unknown sector gets the default row.
 *
 * Decision (margin level floored at 0): the spec's level, `min(100, mean GM / sector GM ×
 * 50)`, has no floor, so a negative gross margin (or a tiny sector median) drove the margin
 * component far below 0 and, near zero medians, to −Infinity. The level is clamped to 0..100
 * here: a negative gross margin earns no level credit, and `margin_stability` stays in 0..100.
 * No spec vector changes (they all have positive margins).
 */
import { annualHistory, type FinancialRow } from "./financial-rows.ts";
import { clamp, isNum, mean, populationStdDev } from "./math.ts";
import type { ConfidencePercent, Count, Ratio, Score } from "./units.ts";

/** Result of `coherenceCheck`: the verdict, why, and the two figures it read. */
interface CoherenceCheck {
  score: Score;
  verdict: "High Quality Growth" | "Inefficient Growth" | "Neutral";
  explanation: string;
  /** Revenue growth of the newest year over the one before (decimal). */
  revenue_growth: Ratio;
  /** Change of operating margin between those years (decimal, 0.01 = one point). */
  operating_margin_change: Ratio;
}

/** The moat result. */
export interface MoatResult {
  score: Score | null;
  status: "computed" | "partial" | "pending";
  confidence: ConfidencePercent | null;
  coherenceCheck: CoherenceCheck | null;
  details: {
    roic_persistence: Score | null;
    margin_stability: Score | null;
    capital_discipline: Score | null;
    years_analyzed: Count;
  };
}

/** Sector medians the moat compares against (decimal fractions). */
interface MoatBenchmarks {
  roic_p50?: Ratio | null;
  gross_margin_p50?: Ratio | null;
}

const SECTOR_DEFAULTS: Record<string, { roic: Ratio; gross_margin: Ratio }> = {
  technology: { roic: 0.15, gross_margin: 0.6 },
  healthcare: { roic: 0.12, gross_margin: 0.65 },
  "financial services": { roic: 0.08, gross_margin: 0.45 },
  financial: { roic: 0.08, gross_margin: 0.45 },
  "consumer cyclical": { roic: 0.1, gross_margin: 0.35 },
  "consumer defensive": { roic: 0.12, gross_margin: 0.3 },
  energy: { roic: 0.06, gross_margin: 0.25 },
  utilities: { roic: 0.05, gross_margin: 0.4 },
  industrials: { roic: 0.09, gross_margin: 0.28 },
  "real estate": { roic: 0.04, gross_margin: 0.5 },
  "basic materials": { roic: 0.07, gross_margin: 0.22 },
  "communication services": { roic: 0.08, gross_margin: 0.55 },
};
const DEFAULT_SECTOR = { roic: 0.1, gross_margin: 0.4 };

/** Default sector ROIC and gross margin (decimals) by exact, case-insensitive sector name. */
export function sectorDefaults(sector: string | null | undefined): {
  roic: Ratio;
  gross_margin: Ratio;
} {
  if (!sector) return DEFAULT_SECTOR;
  return SECTOR_DEFAULTS[sector.trim().toLowerCase()] ?? DEFAULT_SECTOR;
}

/** Growth coherence from revenue growth and operating-margin change (both decimals) → 0..100. */
export function coherenceCheck(revenueGrowth: Ratio, marginChange: Ratio): CoherenceCheck {
  const read = (
    score: Score,
    verdict: CoherenceCheck["verdict"],
    explanation: string,
  ): CoherenceCheck => ({
    score,
    verdict,
    explanation,
    revenue_growth: revenueGrowth,
    operating_margin_change: marginChange,
  });
  if (revenueGrowth > 0.05) {
    if (marginChange >= 0)
      return read(100, "High Quality Growth", "revenue grew over 5% and operating margin held");
    if (marginChange < -0.01)
      return read(
        30,
        "Inefficient Growth",
        "revenue grew over 5% but operating margin fell more than one point",
      );
    return read(70, "Neutral", "revenue grew over 5%; operating margin slipped under one point");
  }
  return read(50, "Neutral", "revenue grew 5% or less: no growth to judge");
}

/** Capital discipline 0..100 from the oldest and newest of ≥3 rows with ROIC and invested capital. */
export function moatCapitalDiscipline(rows: readonly FinancialRow[]): Score | null {
  const usable = rows
    .filter((r) => isNum(r.roic) && isNum(r.invested_capital))
    .sort((a, b) => (a.period_end_date < b.period_end_date ? -1 : 1));
  if (usable.length < 3) return null;
  const oldest = usable[0]!;
  const newest = usable[usable.length - 1]!;
  const icOld = oldest.invested_capital as number;
  if (icOld <= 0) return null;
  const cap = ((newest.invested_capital as number) / icOld - 1) * 100;
  const dRoic = ((newest.roic as number) - (oldest.roic as number)) * 100;
  if (cap > 20 && dRoic > 2) return 100;
  if (cap > 10 && cap <= 20 && dRoic >= -1 && dRoic <= 2) return 80;
  if (cap > 5 && cap <= 10 && dRoic >= -3 && dRoic < -1) return 60;
  if (cap > 20 && dRoic < -3) return 30;
  if (cap <= 5) return 50;
  return 60;
}

/** Moat score 0..100 from FY rows (ratios as decimals), sector medians and the sector name. */
export function calculateMoat(
  rows: readonly FinancialRow[],
  options: { benchmarks?: MoatBenchmarks | null; sector?: string | null } = {},
): MoatResult {
  const kept = annualHistory(rows)
    .filter((r) => isNum(r.roic) && isNum(r.gross_margin))
    .reverse()
    .slice(0, 5);
  const n = kept.length;
  if (n < 3) {
    return {
      score: null,
      status: "pending",
      confidence: null,
      coherenceCheck: null,
      details: {
        roic_persistence: null,
        margin_stability: null,
        capital_discipline: null,
        years_analyzed: n,
      },
    };
  }
  const defaults = sectorDefaults(options.sector);
  const bmRoic = options.benchmarks?.roic_p50;
  const bmGm = options.benchmarks?.gross_margin_p50;
  const sectorRoic = isNum(bmRoic) ? bmRoic : defaults.roic;
  const sectorGm = isNum(bmGm) && bmGm > 0 ? bmGm : defaults.gross_margin;

  const roics = kept.map((r) => r.roic as number);
  let persistence = (roics.filter((x) => x > sectorRoic).length / n) * 100;
  const roicSigma = populationStdDev(roics, 1) ?? 0;
  if (roicSigma > 0.05)
    persistence = Math.max(0, persistence - Math.min(20, (roicSigma - 0.05) * 200));

  const gms = kept.map((r) => r.gross_margin as number);
  // Floored at 0: a negative gross margin earns no level credit (see the module doc).
  const level = clamp(((mean(gms) as number) / sectorGm) * 50);
  const stability = Math.max(0, 100 - 200 * (populationStdDev(gms, 1) ?? 0));
  let margin = 0.5 * level + 0.5 * stability;

  const coherence = newestCoherence(kept[0]!, kept[1]!);
  if (coherence?.verdict === "Inefficient Growth") margin *= 0.6;

  const discipline = moatCapitalDiscipline(kept);
  const raw =
    discipline === null
      ? 0.7 * persistence + 0.3 * margin
      : 0.5 * persistence + 0.3 * margin + 0.2 * discipline;
  return {
    score: Math.round(clamp(raw)),
    status: n >= 5 ? "computed" : "partial",
    confidence: n >= 5 ? 80 : 50,
    coherenceCheck: coherence,
    details: {
      roic_persistence: persistence,
      margin_stability: margin,
      capital_discipline: discipline,
      years_analyzed: n,
    },
  };
}

function newestCoherence(newest: FinancialRow, previous: FinancialRow): CoherenceCheck | null {
  const { revenue: r1, operating_margin: m1 } = newest;
  const { revenue: r0, operating_margin: m0 } = previous;
  if (!isNum(r1) || !isNum(r0) || !isNum(m1) || !isNum(m0) || r0 <= 0) return null;
  const growth = (r1 - r0) / r0;
  return Number.isFinite(growth) ? coherenceCheck(growth, m1 - m0) : null;
}
