/**
 * IQS, the Industry Quality Score (spec §7; stored in `ifs_fy`): a company's structural
 * position within its industry (never its sector), one reading per fiscal year over its
 * last 5 FY rows.
 *
 * Per fiscal year, against the industry peers' FY rows ending in the same calendar year:
 * rank percentiles (share of peers ≤ the value) of ROIC and operating margin (each needs 3+
 * peers, else the year is skipped), and of revenue CAGR, debt/equity (inverted) and FCF
 * margin (each 50 when the value is missing or there are fewer than 3 peers). The composite
 * 0.30 ROIC + 0.25 margin + 0.20 growth + 0.15 leverage + 0.10 FCF reads ≥75 leader, ≥35
 * follower, else laggard. Confidence is 20 per fiscal year kept, up to 100.
 *
 * Decision (negative equity): as in FGOS, a negative debt/equity means negative equity and
 * counts as the most leveraged value. The company's own leverage score is then 0, and a peer
 * with negative equity ranks above every positive D/E. Raw ranking would have called these
 * companies the least leveraged of their industry. A row whose `total_equity` is negative
 * counts as negative equity even when its D/E is 0 (no debt over negative equity).
 *
 * Decision (one row per peer per year): a peer with two FY rows ending in the same calendar
 * year (a fiscal-year change) counts once, with its later row.
 *
 * The growth input is the stored multi-year `revenue_cagr` of each FY row, as in the
 * original (its docs called it year-over-year growth).
 */
import { yearOf } from "./dates.ts";
import { type FinancialRow, hasNegativeEquity } from "./financial-rows.ts";
import { isNum } from "./math.ts";
import { rankPercentile } from "./percentiles.ts";
import type { ConfidencePercent, Percentile, Score, Year } from "./units.ts";

/** IQS position. */
export type IqsPosition = "leader" | "follower" | "laggard";

/** The `fintra_snapshots.ifs_fy` JSON. */
export interface IqsResult {
  mode: "fy_industry_structural";
  fiscal_years: Year[];
  fiscal_positions: { fiscal_year: Year; position: IqsPosition; percentile: Score }[];
  current_fy: { fiscal_year: Year; position: IqsPosition };
  confidence: ConfidencePercent;
}

/** Inputs: the company's FY rows and its industry peers' FY rows (each row names its ticker). */
export interface IqsInput {
  ticker: string;
  industry: string | null;
  rows: readonly FinancialRow[];
  peer_rows: readonly (FinancialRow & { ticker: string })[];
}

/** IQS position of a 0..100 composite: ≥75 leader, ≥35 follower, else laggard. */
export function iqsPosition(composite: Score): IqsPosition {
  return composite >= 75 ? "leader" : composite >= 35 ? "follower" : "laggard";
}

/** Inverted leverage percentile (0..100, 100 = least levered) with negative equity as worst. */
export function leverageScore(
  value: number | null | undefined,
  peers: readonly (number | null | undefined)[],
): Percentile | null {
  if (!isNum(value)) return null;
  if (value < 0) return 0;
  const ranked = peers.filter(isNum).map((p) => (p < 0 ? Number.POSITIVE_INFINITY : p));
  if (ranked.length === 0) return null;
  return 100 - (ranked.filter((p) => p <= value).length / ranked.length) * 100;
}

/** IQS per fiscal year (percentiles 0..100) for the last 5 FY rows; null without industry or data. */
export function calculateIqs(input: IqsInput): IqsResult | null {
  if (!input.industry) return null;
  const own = new Map<Year, FinancialRow>();
  for (const r of input.rows) {
    if (r.period_type != null && r.period_type !== "FY") continue;
    const fy = yearOf(r.period_end_date);
    if (fy === null) continue;
    const prev = own.get(fy);
    if (!prev || r.period_end_date > prev.period_end_date) own.set(fy, r);
  }
  const years = [...own.keys()]
    .sort((a, b) => b - a)
    .slice(0, 5)
    .reverse();

  const positions: IqsResult["fiscal_positions"] = [];
  for (const fy of years) {
    const row = own.get(fy)!;
    if (!isNum(row.roic) || !isNum(row.operating_margin)) continue;
    const peers = peerRowsForYear(input, fy);
    const roicPeers = peers.map((p) => p.roic).filter(isNum);
    const marginPeers = peers.map((p) => p.operating_margin).filter(isNum);
    if (roicPeers.length < 3 || marginPeers.length < 3) continue;
    const roic = rankPercentile(row.roic, roicPeers) as number;
    const margin = rankPercentile(row.operating_margin, marginPeers) as number;
    const growth = optionalRank(
      row.revenue_cagr,
      peers.map((p) => p.revenue_cagr),
    );
    const debtPeers = peers.map(leverageValue).filter(isNum);
    const ownLeverage = leverageValue(row);
    const leverage =
      ownLeverage !== null && debtPeers.length >= 3
        ? (leverageScore(ownLeverage, debtPeers) as number)
        : 50;
    const fcf = optionalRank(
      row.fcf_margin,
      peers.map((p) => p.fcf_margin),
    );
    const composite = 0.3 * roic + 0.25 * margin + 0.2 * growth + 0.15 * leverage + 0.1 * fcf;
    positions.push({
      fiscal_year: fy,
      position: iqsPosition(composite),
      percentile: Math.round(composite),
    });
  }
  const current = positions[positions.length - 1];
  if (!current) return null;
  return {
    mode: "fy_industry_structural",
    fiscal_years: positions.map((p) => p.fiscal_year),
    fiscal_positions: positions,
    current_fy: { fiscal_year: current.fiscal_year, position: current.position },
    confidence: Math.min(100, 20 * positions.length),
  };
}

// D/E as leverageScore reads it: −1 stands for negative equity (ranked most leveraged).
function leverageValue(row: FinancialRow): number | null {
  if (!isNum(row.debt_to_equity)) return null;
  return hasNegativeEquity(row) ? -1 : row.debt_to_equity;
}

function optionalRank(
  value: number | null | undefined,
  peers: readonly (number | null | undefined)[],
): Percentile {
  const xs = peers.filter(isNum);
  if (!isNum(value) || xs.length < 3) return 50;
  return rankPercentile(value, xs) as number;
}

function peerRowsForYear(input: IqsInput, fy: Year): FinancialRow[] {
  const byPeer = new Map<string, FinancialRow>();
  for (const r of input.peer_rows) {
    if (r.ticker === input.ticker) continue;
    if (r.period_type != null && r.period_type !== "FY") continue;
    if (yearOf(r.period_end_date) !== fy) continue;
    const prev = byPeer.get(r.ticker);
    if (!prev || r.period_end_date > prev.period_end_date) byPeer.set(r.ticker, r);
  }
  return [...byPeer.values()];
}
