/**
 * Seeded randomness for the sandbox market.
 *
 * Two tools: counter-based hashes (a value is a pure function of its key, so any price or
 * statement can be computed on its own, in any order) and a small sequential generator for
 * the places where a stream of draws is natural (building the universe).
 */

/** Mixes a 32-bit integer into a well-distributed 32-bit unsigned integer (murmur3 finaliser). */
function mix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of two integers. Kept as fixed-arity functions because rest arguments cost in hot loops. */
export function hash2(a: number, b: number): number {
  return mix32(Math.imul(mix32(a) ^ 0x9e3779b9, 0x01000193) ^ b);
}

export function hash3(a: number, b: number, c: number): number {
  return hash2(hash2(a, b), c);
}

/** FNV-1a over a string, for turning names (endpoints, symbols) into hash keys. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

const TWO_POW_32 = 4294967296;

/** A uniform number in the open interval (0, 1) from a 32-bit hash. */
export function unit(h: number): number {
  return (h + 0.5) / TWO_POW_32;
}

/** Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
function inverseNormal(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972,
    -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
    4.374664141464968, 2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) /
      ((((d0 * q + d1) * q + d2) * q + d3) * q + 1)
    );
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return (
      -(((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) /
      ((((d0 * q + d1) * q + d2) * q + d3) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) /
    (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1)
  );
}

/**
 * Normal quantiles on a fine grid: a draw is one hash, a table lookup and a linear
 * interpolation, several times cheaper than Box-Muller. Millions are drawn per request.
 */
const QUANTILE_BITS = 14;
const QUANTILES = (() => {
  const size = 1 << QUANTILE_BITS;
  const table = new Float64Array(size + 1);
  for (let i = 0; i <= size; i++) table[i] = inverseNormal((i + 0.5) / (size + 1));
  return table;
})();
const FRACTION_BITS = 32 - QUANTILE_BITS;
const FRACTION_SCALE = 1 / (1 << FRACTION_BITS);

/** A standard normal draw keyed by (key, index). */
export function normalAt(key: number, index: number): number {
  const h = hash3(key, index, 0x51ed27);
  const cell = h >>> FRACTION_BITS;
  const fraction = (h & ((1 << FRACTION_BITS) - 1)) * FRACTION_SCALE;
  const lo = QUANTILES[cell] as number;
  return lo + fraction * ((QUANTILES[cell + 1] as number) - lo);
}

/** A uniform number in (0, 1) keyed by (key, index). */
export function uniformAt(key: number, index: number): number {
  return unit(hash3(key, index, 0x68e31da4));
}

/** Sequential seeded generator (sfc32); deterministic for a seed, fast, good enough for synthesis. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    this.a = mix32(seed ^ 0xa5a5a5a5);
    this.b = mix32(seed + 0x3c6ef372);
    this.c = mix32(seed ^ 0x1b873593);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.nextUint();
  }

  nextUint(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in (0, 1). */
  next(): number {
    return unit(this.nextUint());
  }

  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Integer in [min, max] inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  normal(): number {
    if (this.spareNormal !== null) {
      const spare = this.spareNormal;
      this.spareNormal = null;
      return spare;
    }
    const r = Math.sqrt(-2 * Math.log(this.next()));
    const theta = 2 * Math.PI * this.next();
    this.spareNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  }

  /** Picks a key by weight; weights need not sum to 1. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of entries) total += w;
    let target = this.next() * total;
    for (const [value, w] of entries) {
      target -= w;
      if (target <= 0) return value;
    }
    const last = entries[entries.length - 1];
    if (last === undefined) throw new Error("weighted pick from an empty list");
    return last[0];
  }
}
