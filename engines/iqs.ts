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
import type { ConfidencePercent, Percentile, Score, Year } from "./units.ts";

/** IQS position. */
type IqsPosition = "leader" | "follower" | "laggard";

/** The `fintra_snapshots.ifs_fy` JSON. */
interface IqsResult {
  mode: "fy_industry_structural";
  fiscal_years: Year[];
  fiscal_positions: { fiscal_year: Year; position: IqsPosition; percentile: Score }[];
  current_fy: { fiscal_year: Year; position: IqsPosition };
  confidence: ConfidencePercent;
}

/** Inputs: the company's FY rows and its industry peers' FY rows (each row names its ticker). */
interface IqsInput {
  ticker: string;
  industry: string | null;
  rows: readonly FinancialRow[];
  peer_rows: readonly (FinancialRow & { ticker: string })[];
  /**
   * `iqsPeerIndex(peer_rows)`, when the caller scores many companies of one industry: built
   * once, it makes each company's reading cost a few binary searches instead of a pass over
   * every peer row. It must index exactly `peer_rows`; without it, calculateIqs builds it.
   */
  peer_index?: IqsPeerIndex;
}

/** One calendar year of an industry: each peer's row and the peers' sorted values. */
interface IqsPeerYear {
  /** Each peer's FY row ending in the year (its later one on a fiscal-year change). */
  byPeer: Map<string, FinancialRow>;
  /** Ascending finite values of the peers' rows (leverage: negative equity as +Infinity). */
  roic: number[];
  operating_margin: number[];
  revenue_cagr: number[];
  leverage: number[];
  fcf_margin: number[];
}

/** Industry peers' FY rows by calendar year, ready for IQS: see `iqsPeerIndex`. */
export interface IqsPeerIndex {
  years: ReadonlyMap<Year, IqsPeerYear>;
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

  const index = input.peer_index ?? iqsPeerIndex(input.peer_rows);
  const positions: IqsResult["fiscal_positions"] = [];
  for (const fy of years) {
    const row = own.get(fy)!;
    if (!isNum(row.roic) || !isNum(row.operating_margin)) continue;
    const peers = index.years.get(fy);
    if (!peers) continue;
    // The company is never its own peer: its row of the year leaves every sample.
    const self = peers.byPeer.get(input.ticker) ?? null;
    const roicPeers = withoutSelf(peers.roic, finite(self?.roic));
    const marginPeers = withoutSelf(peers.operating_margin, finite(self?.operating_margin));
    if (roicPeers.n < 3 || marginPeers.n < 3) continue;
    const roic = sharePercentile(row.roic, roicPeers);
    const margin = sharePercentile(row.operating_margin, marginPeers);
    const growth = optionalShare(
      row.revenue_cagr,
      withoutSelf(peers.revenue_cagr, finite(self?.revenue_cagr)),
    );
    const debtPeers = withoutSelf(peers.leverage, self ? rankedLeverage(self) : null);
    const ownLeverage = leverageValue(row);
    // leverageScore's reading: negative equity scores 0; else the share of peers (negative
    // equity ranked above every D/E) with a D/E at most the company's, inverted.
    const leverage =
      ownLeverage !== null && debtPeers.n >= 3
        ? ownLeverage < 0
          ? 0
          : 100 - (debtPeers.atMost(ownLeverage) / debtPeers.n) * 100
        : 50;
    const fcf = optionalShare(
      row.fcf_margin,
      withoutSelf(peers.fcf_margin, finite(self?.fcf_margin)),
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

// A peer's D/E as leverageScore ranks it: negative equity above every D/E.
function rankedLeverage(row: FinancialRow): number | null {
  const value = leverageValue(row);
  return value === null ? null : value < 0 ? Number.POSITIVE_INFINITY : value;
}

/** Peers' FY rows indexed by calendar year for `calculateIqs` (values in their table units). */
export function iqsPeerIndex(
  peerRows: readonly (FinancialRow & { ticker: string })[],
): IqsPeerIndex {
  const years = new Map<Year, Map<string, FinancialRow & { ticker: string }>>();
  for (const r of peerRows) {
    if (r.period_type != null && r.period_type !== "FY") continue;
    const fy = yearOf(r.period_end_date);
    if (fy === null) continue;
    let byPeer = years.get(fy);
    if (!byPeer) {
      byPeer = new Map();
      years.set(fy, byPeer);
    }
    const prev = byPeer.get(r.ticker);
    if (!prev || r.period_end_date > prev.period_end_date) byPeer.set(r.ticker, r);
  }
  const out = new Map<Year, IqsPeerYear>();
  for (const [fy, byPeer] of years) {
    const rows = [...byPeer.values()];
    const sorted = (values: (number | null | undefined)[]) =>
      values.filter(isNum).sort((a, b) => a - b);
    const ranked = rows
      .map(rankedLeverage)
      .filter((v) => v !== null)
      .sort((a, b) => a - b);
    out.set(fy, {
      byPeer,
      roic: sorted(rows.map((p) => p.roic)),
      operating_margin: sorted(rows.map((p) => p.operating_margin)),
      revenue_cagr: sorted(rows.map((p) => p.revenue_cagr)),
      leverage: ranked,
      fcf_margin: sorted(rows.map((p) => p.fcf_margin)),
    });
  }
  return { years: out };
}

// How many of an ascending list are at most `value` (binary search).
function countAtMost(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const finite = (x: number | null | undefined) => (isNum(x) ? x : null);

// An industry-year sample less the company's own value: its size and a count of values <= x.
interface PeerSample {
  n: number;
  atMost(value: number): number;
}

// `mine`: the company's value when the sample holds it (the sample's own filter), else null.
function withoutSelf(sorted: readonly number[], mine: number | null): PeerSample {
  return {
    n: sorted.length - (mine === null ? 0 : 1),
    atMost: (value) => countAtMost(sorted, value) - (mine !== null && mine <= value ? 1 : 0),
  };
}

// rankPercentile over the sample: the share of peers at most the value, in percent.
function sharePercentile(value: number, peers: PeerSample): Percentile {
  return (peers.atMost(value) / peers.n) * 100;
}

function optionalShare(value: number | null | undefined, peers: PeerSample): Percentile {
  if (!isNum(value) || peers.n < 3) return 50;
  return sharePercentile(value, peers);
}
