/**
 * How much work goes in one durable step. Sizes in the assets are chosen for the full
 * market (about 45,000 tickers): 1-2K tickers a step, so no run nears Inngest's limits
 * (the budget we hold ourselves to: 200 steps and 2 MB of step output per run).
 *
 * `Resources.stepScale` multiplies every size, so a small market can be cut into as many
 * steps as the full one and a test can measure the full market's step budget cheaply
 * (tests/functions/step-budget.test.ts).
 *
 * Per-ticker work is cut into ticker ranges (`tickerRanges`), which a plan step fixes and
 * each chunk step re-reads with `tickerCondition`, so a step carries two keys, not a list.
 */
import type { Resources } from "./resources.ts";

/** `size` units per step, scaled by the resources' `stepScale`; at least 1. */
export function perStep(resources: Pick<Resources, "stepScale">, size: number): number {
  const scale = resources.stepScale ?? 1;
  if (!(scale > 0)) throw new Error(`stepScale must be a positive number, got ${scale}`);
  return Math.max(1, Math.round(size * scale));
}

/**
 * Units per step for `total` units of work whose volume the market decides (filings due
 * this week, say): `size` (scaled), grown when needed so the work fits in `maxSteps`.
 */
export function perStepWithin(
  resources: Pick<Resources, "stepScale">,
  total: number,
  size: number,
  maxSteps: number,
): number {
  return Math.max(perStep(resources, size), Math.ceil(total / maxSteps));
}

/**
 * A slice of the ticker key space: tickers >= from (null: from the start) and < before
 * (null: to the end), compared by the database, never in JS: Postgres may collate "BRK-B"
 * and "BRK.B" differently from JavaScript's code-unit order.
 */
export interface TickerRange {
  from: string | null;
  before: string | null;
}

/**
 * Splits tickers, in the order the Store returned them (the database's collation), into
 * ranges of at most `size` that together cover the whole key space, so a ticker that
 * vanished since the plan still falls in one range (and its stale rows are pruned there).
 * No tickers is one range: the whole key space.
 */
export function tickerRanges(tickersInStoreOrder: readonly string[], size: number): TickerRange[] {
  if (!(size >= 1)) throw new RangeError("chunk size must be positive");
  const ranges: TickerRange[] = [{ from: null, before: null }];
  for (let i = size; i < tickersInStoreOrder.length; i += size) {
    ranges.push({ from: tickersInStoreOrder[i] as string, before: null });
  }
  for (let i = 0; i < ranges.length - 1; i++) {
    (ranges[i] as TickerRange).before = (ranges[i + 1] as TickerRange).from;
  }
  return ranges;
}

/** The whole ticker key space. */
export const ALL_TICKERS: TickerRange = { from: null, before: null };

/**
 * The Store condition on `ticker` for one step: the scope's tickers when the run is scoped
 * (one step covers them all), else the range (undefined: every ticker).
 */
export function tickerCondition(
  range: TickerRange,
  scoped: readonly string[] | null,
): { in: readonly string[] } | { gte?: string; lt?: string } | undefined {
  return scoped ? { in: scoped } : rangeCondition(range);
}

/** A Store condition selecting a range's tickers (undefined: every ticker). */
export function rangeCondition(range: TickerRange): { gte?: string; lt?: string } | undefined {
  if (range.from === null && range.before === null) return undefined;
  return {
    ...(range.from !== null ? { gte: range.from } : {}),
    ...(range.before !== null ? { lt: range.before } : {}),
  };
}
