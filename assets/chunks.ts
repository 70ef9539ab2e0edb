/**
 * How much work goes in one durable step. Sizes in the assets are chosen for the full
 * market (about 45,000 tickers): 1-2K tickers a step, so no run nears Inngest's limits
 * (the budget we hold ourselves to: 200 steps and 2 MB of step output per run).
 *
 * `Resources.stepScale` multiplies every size, so a small market can be cut into as many
 * steps as the full one and a test can measure the full market's step budget cheaply
 * (tests/functions/step-budget.test.ts).
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
