/**
 * The guide's daily figures as the runs record them: each read from its asset's run,
 * judged against the guide's floor at the day's proportions, at two universe sizes, and
 * the floors FINTRA_ALERT_THRESHOLDS may set.
 */
import { describe, expect, it } from "vitest";
import {
  type Baseline,
  GUIDE_METRICS,
  guideFloors,
  type RunFigures,
  readMetric,
  scaleOf,
} from "../../assets/monitoring.ts";

const metric = (key: string) => {
  const m = GUIDE_METRICS.find((x) => x.key === key);
  if (!m) throw new Error(key);
  return m;
};

/** A healthy day and a day just under each floor, for a universe of `equities`. */
function day(equities: number, healthy: boolean) {
  const f = (share: number) => Math.round(equities * share);
  const universe: RunFigures = {
    rows: f(1.2),
    metadata: { active: healthy ? f(1.1) : f(0.85), activeEquities: equities },
  };
  const yesterday: RunFigures = {
    rows: f(1.2),
    metadata: { active: f(1.1), activeEquities: equities },
  };
  const runs: Record<string, RunFigures> = {
    fintra_universe: universe,
    fintra_snapshots: {
      rows: healthy ? f(0.99) : f(0.88),
      metadata: {
        tickers: equities,
        fgosComputed: healthy ? f(0.85) : f(0.6),
        withRelativeReturn: healthy ? f(0.95) : f(0.7),
      },
    },
    datos_performance: { rows: healthy ? f(6) : f(4.4) },
    sector_performance: {
      rows: 70,
      metadata: { membersByWindow: { "1D": healthy ? f(0.98) : f(0.85), "1Y": f(0.5) } },
    },
    industry_performance: {
      rows: 70,
      metadata: { membersByWindow: { "1D": healthy ? f(0.95) : f(0.8) } },
    },
    sector_benchmarks: {
      rows: 100,
      metadata: { sectors: healthy ? 11 : 5, sectorsWithFinancials: 11 },
    },
    industry_benchmarks: {
      rows: 900,
      metadata: { industries: healthy ? 140 : 90, industriesWithFinancials: 145 },
    },
  };
  const base: Baseline = { scale: scaleOf(universe), previous: yesterday };
  return { runs, base };
}

describe("the guide's daily figures", () => {
  for (const equities of [500, 45_000]) {
    it(`pass every floor on a healthy day and cross every one on a bad day (${equities} equities)`, () => {
      for (const healthy of [true, false]) {
        const { runs, base } = day(equities, healthy);
        for (const m of GUIDE_METRICS) {
          const r = readMetric(m, runs[m.asset] ?? null, base);
          expect(
            r.passed,
            `${m.key} ${healthy ? "healthy" : "bad"}: ${r.value} vs ${r.floor}`,
          ).toBe(healthy);
        }
      }
    });
  }

  it("states the guide's floors at 45,000 and scales company counts, not shares", () => {
    const full = { scale: 1, previous: null };
    const small = { scale: 500 / 45_000, previous: null };
    const run: RunFigures = { rows: 400, metadata: { fgosComputed: 320 } };
    expect(metric("snapshots").floor(run, full, 40_000)).toBe(40_000);
    expect(metric("snapshots").floor(run, small, 40_000)).toBeCloseTo(444.44, 1);
    expect(metric("fgos_computed_share").floor(run, small, 0.7)).toBe(0.7);
    expect(metric("fgos_computed_share").observe(run)).toBe(0.8);
    const previous: RunFigures = { rows: 0, metadata: { active: 45_000 } };
    expect(metric("active_tickers").floor(run, { scale: 1, previous }, 40_000)).toBe(40_000);
  });

  it("judges nothing without a run, a recorded figure, or a baseline", () => {
    const base = { scale: 1, previous: null };
    expect(readMetric(metric("snapshots"), null, base)).toMatchObject({
      value: null,
      passed: null,
    });
    expect(readMetric(metric("sector_benchmarks"), { rows: 10 }, base).passed).toBeNull();
    const noScale = { scale: null, previous: null };
    expect(readMetric(metric("snapshots"), { rows: 10 }, noScale).passed).toBeNull();
    expect(
      readMetric(metric("active_tickers"), { rows: 1, metadata: { active: 5 } }, base).passed,
    ).toBeNull();
  });

  it("takes floors from FINTRA_ALERT_THRESHOLDS, refusing unknown figures in one line", () => {
    expect(guideFloors({}).snapshots).toBe(40_000);
    const floors = guideFloors({
      FINTRA_ALERT_THRESHOLDS: '{"snapshots": 42000, "fgos_computed_share": 0.75}',
    });
    expect(floors.snapshots).toBe(42_000);
    expect(floors.fgos_computed_share).toBe(0.75);
    expect(floors.relative_return_share).toBe(0.8);
    expect(() => guideFloors({ FINTRA_ALERT_THRESHOLDS: '{"snapshot": 1}' })).toThrow(
      /^FINTRA_ALERT_THRESHOLDS: /,
    );
    expect(() => guideFloors({ FINTRA_ALERT_THRESHOLDS: "{oops" })).toThrow(/JSON object/);
    expect(() => guideFloors({ FINTRA_ALERT_THRESHOLDS: '{"snapshots": -1}' })).toThrow(
      /snapshots/,
    );
  });
});
