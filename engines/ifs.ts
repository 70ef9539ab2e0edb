/**
 * IFS (spec §6): momentum of a company against its sector, as leader, follower or laggard.
 *
 * The relative returns (stock − sector, percentage points) over 1M..5Y fall into three
 * blocks: short {1M,3M}, mid {6M,1Y,2Y}, long {3Y,5Y}. Each block votes +1, −1 or 0 by the
 * majority sign of its windows. With the industry's dominant horizons (the snapshot always
 * passes them), only those windows take part and at least 2 blocks must have a window;
 * without them (legacy mode) at least 2 blocks must cast a non-zero vote. More +1 votes is a
 * leader, more −1 a laggard, a tie a follower; the pressure is the winning vote count.
 *
 * Confidence = 0.4 × availability + 0.4 × consistency + 0.2 × universe. The universe term
 * is fixed at 75 as in the original (its size input was always 50); labels are ≥75 High,
 * ≥50 Medium, else Low (the original's docs said 80/60; its code, and this engine, use 75/50).
 *
 * Decision (`ifsMemory` samples years): the original's memory took the last 5 snapshots and
 * called them years. Here it keeps the newest observation of each calendar year and the 5
 * newest years, so its window really covers years. The column is legacy; this exists for
 * readers that still want it.
 */
import { yearOf } from "./dates.ts";
import { isNum } from "./math.ts";
import type { ConfidencePercent, Count, IsoDate, PercentagePoints } from "./units.ts";

/** IFS position. */
type IfsPosition = "leader" | "follower" | "laggard";

/** Relative-vs-sector returns by window (percentage points). */
export interface RelativeVsSector {
  relative_vs_sector_1m: PercentagePoints | null;
  relative_vs_sector_3m: PercentagePoints | null;
  relative_vs_sector_6m: PercentagePoints | null;
  relative_vs_sector_1y: PercentagePoints | null;
  relative_vs_sector_2y: PercentagePoints | null;
  relative_vs_sector_3y: PercentagePoints | null;
  relative_vs_sector_5y: PercentagePoints | null;
}

/** The `fintra_snapshots.ifs` JSON. */
export interface IfsResult {
  position: IfsPosition;
  pressure: Count;
  confidence: ConfidencePercent;
  confidence_label: "High" | "Medium" | "Low";
  interpretation: string;
}

const WINDOW_KEYS: Record<string, keyof RelativeVsSector> = {
  "1M": "relative_vs_sector_1m",
  "3M": "relative_vs_sector_3m",
  "6M": "relative_vs_sector_6m",
  "1Y": "relative_vs_sector_1y",
  "2Y": "relative_vs_sector_2y",
  "3Y": "relative_vs_sector_3y",
  "5Y": "relative_vs_sector_5y",
};

const BLOCKS: string[][] = [
  ["1M", "3M"],
  ["6M", "1Y", "2Y"],
  ["3Y", "5Y"],
];

const UNIVERSE_SIZE = 50;

/** IFS position from relative-vs-sector returns (pp); null when too few blocks vote. */
export function calculateIfs(
  input: Partial<RelativeVsSector>,
  dominantHorizons?: readonly string[] | null,
): IfsResult | null {
  const withHorizons = dominantHorizons !== undefined && dominantHorizons !== null;
  const dominant = new Set((dominantHorizons ?? []).map((h) => h.trim().toUpperCase()));
  const votes: number[] = [];
  let blocksWithData = 0;
  for (const block of BLOCKS) {
    const windows = withHorizons ? block.filter((w) => dominant.has(w)) : block;
    const values = windows.map((w) => input[WINDOW_KEYS[w]!]).filter((v): v is number => isNum(v));
    if (values.length > 0) blocksWithData++;
    const pos = values.filter((v) => v > 0).length;
    const neg = values.filter((v) => v < 0).length;
    votes.push(pos > neg ? 1 : neg > pos ? -1 : 0);
  }
  const nonZero = votes.filter((v) => v !== 0).length;
  if (withHorizons ? blocksWithData < 2 : nonZero < 2) return null;

  const p = votes.filter((v) => v === 1).length;
  const n = votes.filter((v) => v === -1).length;
  const position: IfsPosition = p > n ? "leader" : n > p ? "laggard" : "follower";
  const pressure = p > n ? p : n > p ? n : Math.max(p, n);

  const available = Object.values(WINDOW_KEYS).filter((k) => isNum(input[k])).length;
  const availability = (available / 7) * 100;
  const consistency = p > 0 && n > 0 ? 0.7 : blocksWithData < 3 ? 0.4 : 1;
  const confidence = Math.round(
    0.4 * availability + 0.4 * consistency * 100 + 0.2 * universeScore(UNIVERSE_SIZE),
  );
  const confidence_label = confidence >= 75 ? "High" : confidence >= 50 ? "Medium" : "Low";
  const name = position[0]!.toUpperCase() + position.slice(1);
  return {
    position,
    pressure,
    confidence,
    confidence_label,
    interpretation: `${name} with ${pressure}/3 blocks supporting (${confidence_label} confidence)`,
  };
}

function universeScore(size: Count): number {
  return size >= 100 ? 100 : size >= 50 ? 75 : size >= 20 ? 50 : 25;
}

/** One stored IFS position at a snapshot date. */
interface IfsObservation {
  snapshot_date: IsoDate;
  position: IfsPosition;
}

/** The legacy `ifs_memory` JSON. */
interface IfsMemory {
  window_years: 5;
  observed_years: Count;
  distribution: Record<IfsPosition, Count>;
  timeline: IfsPosition[];
  current_streak: { position: IfsPosition; years: Count };
}

/** IFS memory: position counts over the 5 newest calendar years (one per year); null if none. */
export function ifsMemory(observations: readonly IfsObservation[]): IfsMemory | null {
  const byYear = new Map<number, IfsObservation>();
  for (const o of observations) {
    const y = yearOf(o.snapshot_date);
    if (y === null) continue;
    const prev = byYear.get(y);
    if (!prev || o.snapshot_date > prev.snapshot_date) byYear.set(y, o);
  }
  const newestFirst = [...byYear.entries()]
    .sort((a, b) => b[0] - a[0])
    .slice(0, 5)
    .map(([, o]) => o.position);
  const current = newestFirst[0];
  if (current === undefined) return null;
  const distribution: Record<IfsPosition, Count> = { leader: 0, follower: 0, laggard: 0 };
  for (const p of newestFirst) distribution[p]++;
  let streak = 0;
  while (streak < newestFirst.length && newestFirst[streak] === current) streak++;
  return {
    window_years: 5,
    observed_years: newestFirst.length,
    distribution,
    timeline: [...newestFirst].reverse(),
    current_streak: { position: current, years: streak },
  };
}
