import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyQualityBrakes } from "../../engines/index.ts";
import { maybeNumber } from "./helpers.ts";

describe("applyQualityBrakes (spec §3.6, decision: brakes lower the score)", () => {
  it("(72, Z 1.5, F 3) → 42, reasons distress + weak", () => {
    // Spec [computed]: adjusted 72, "confidence" 70. Decision: the brakes take 15 + 15 points,
    // so the adjusted score is 42; the pseudo-confidence is gone.
    const b = applyQualityBrakes(72, 1.5, 3);
    expect(b.adjusted_score).toBe(42);
    expect(b.penalty).toBe(30);
    expect(b.score_before_brakes).toBe(72);
    expect(b.applied).toBe(true);
    expect(b.reasons).toEqual(["altman_distress", "piotroski_weak"]);
  });

  it("(72, Z 2.5, F 5) → 62, grey and medium zones take 5 each", () => {
    // Spec [computed]: 72 and not applied. Decision: the grey/medium bands also take points.
    const b = applyQualityBrakes(72, 2.5, 5);
    expect(b.adjusted_score).toBe(62);
    expect(b.applied).toBe(true);
    expect(b.reasons).toEqual(["altman_grey", "piotroski_medium"]);
  });

  it("(72, Z null, F 8) → 72, not applied [computed]", () => {
    const b = applyQualityBrakes(72, null, 8);
    expect(b.adjusted_score).toBe(72);
    expect(b.applied).toBe(false);
    expect(b.reasons).toEqual([]);
  });

  it("band edges: Z 1.8 and 3.0, F 3/4/6/7", () => {
    expect(applyQualityBrakes(50, 1.8, null).penalty).toBe(5);
    expect(applyQualityBrakes(50, 3.0, null).penalty).toBe(0);
    expect(applyQualityBrakes(50, null, 3).penalty).toBe(15);
    expect(applyQualityBrakes(50, null, 4).penalty).toBe(5);
    expect(applyQualityBrakes(50, null, 6).penalty).toBe(5);
    expect(applyQualityBrakes(50, null, 7).penalty).toBe(0);
  });

  it("clamps at 0", () => {
    expect(applyQualityBrakes(10, 0.5, 1).adjusted_score).toBe(0);
  });

  it("property: adjusted within 0..100 and never above the input", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        maybeNumber(-10, 10),
        maybeNumber(0, 9),
        (s, z, f) => {
          const b = applyQualityBrakes(s, z, f);
          expect(b.adjusted_score).toBeGreaterThanOrEqual(0);
          expect(b.adjusted_score).toBeLessThanOrEqual(s);
          expect(b.applied).toBe(b.penalty > 0);
        },
      ),
    );
  });
});
