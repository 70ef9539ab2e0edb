/**
 * Small numeric helpers shared by the engines. Every helper treats null, undefined, NaN and
 * ±Infinity as "no value" so that a missing input can never leak a NaN into a score.
 */

/** True when `x` is a finite number (unitless). */
export function isNum(x: unknown): x is number {
  return typeof x === "number" && Number.isFinite(x);
}

/** `x` when finite, else null (unitless). */
export function num(x: unknown): number | null {
  return isNum(x) ? x : null;
}

/** Clamp `x` into [lo, hi] (same unit as x); default 0..100 for scores. */
export function clamp(x: number, lo = 0, hi = 100): number {
  return Math.min(hi, Math.max(lo, x));
}

/** Arithmetic mean of the finite values, null when there are none (same unit as input). */
export function mean(values: readonly (number | null | undefined)[]): number | null {
  const xs = values.filter(isNum);
  if (xs.length === 0) return null;
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Population std-dev of the finite values (same unit as input); null under `minCount` values. */
export function populationStdDev(
  values: readonly (number | null | undefined)[],
  minCount = 2,
): number | null {
  const xs = values.filter(isNum);
  if (xs.length < minCount || xs.length === 0) return null;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((acc, x) => acc + (x - m) ** 2, 0) / xs.length);
}

/** Median of the finite values (even count: mean of the middle two), null when empty. */
export function median(values: readonly (number | null | undefined)[]): number | null {
  const xs = values.filter(isNum).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const mid = Math.floor(xs.length / 2);
  if (xs.length % 2 === 1) return xs[mid]!;
  // Halve before adding: same result as (a + b) / 2, without overflow near the double limit.
  return xs[mid - 1]! / 2 + xs[mid]! / 2;
}

/** Weighted mean (same unit as the values) of finite values, weights renormalised; else null. */
export function weightedMean(
  entries: readonly { value: number | null | undefined; weight: number }[],
): number | null {
  let total = 0;
  let weights = 0;
  for (const { value, weight } of entries) {
    if (!isNum(value)) continue;
    total += value * weight;
    weights += weight;
  }
  return weights > 0 ? total / weights : null;
}
