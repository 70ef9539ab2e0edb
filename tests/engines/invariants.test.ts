// Cross-engine invariants (issue 4, Build 3): scores stay in range, missing inputs give
// pending/null rather than NaN or a throw, percentiles and scores move the right way with
// their input, order-free inputs give order-free results, and no engine writes to its inputs.
// The per-engine files hold each engine's own vectors and properties; this file covers what
// they left out.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  benchmarksAsOf,
  buildFgosState,
  buildLayerStatus,
  buildSectorBenchmark,
  buildStructuralCoverage,
  buildValuationState,
  calculateCompetitiveAdvantage,
  calculateDividendQuality,
  calculateIfs,
  calculateIqs,
  calculateMarketPosition,
  calculateMoat,
  calculateRelativeReturn,
  calculateSentiment,
  computeFgos,
  dimensionalConfidence,
  type FgosInput,
  type FinancialRow,
  fundamentalsGrowth,
  fundamentalsMaturity,
  growthInputs,
  ifsMemory,
  latestReturnsByWindow,
  pickFgosFinancialRow,
  type QuarterRow,
  quarterWindows,
  relativePerformance,
  resolveFintraVerdict,
  type SectorBenchmarkRow,
  sentimentTimeline,
  ttmValuationRow,
} from "../../engines/index.ts";
import {
  allFgosBenchmarks,
  arbBenchmark,
  bm,
  deepFreeze,
  finite,
  isoDay,
  maybeNumber,
  noBrokenNumbers,
  shuffle,
} from "./helpers.ts";

const B = bm([0, 0.05, 0.1, 0.15, 0.2]);
const inRange = (x: unknown, lo = 0, hi = 100) =>
  x === null || (typeof x === "number" && x >= lo && x <= hi);

/** An FY row with every metric possibly missing or broken. */
const arbFyRow = (year: fc.Arbitrary<number> = fc.integer({ min: 2012, max: 2024 })) =>
  fc
    .record({
      year,
      revenue: maybeNumber(-1e4, 1e4),
      net_income: maybeNumber(-1e4, 1e4),
      free_cash_flow: maybeNumber(-1e4, 1e4),
      roic: maybeNumber(-1, 1),
      roe: maybeNumber(-1, 1),
      gross_margin: maybeNumber(-1, 1),
      operating_margin: maybeNumber(-1, 1),
      net_margin: maybeNumber(-1, 1),
      fcf_margin: maybeNumber(-1, 1),
      revenue_cagr: maybeNumber(-1, 1),
      debt_to_equity: maybeNumber(-5, 10),
      total_equity: maybeNumber(-1e4, 1e4),
      invested_capital: maybeNumber(-1e4, 1e4),
      weighted_shares_out: maybeNumber(0, 1e4),
    })
    .map(
      ({ year, ...m }): FinancialRow => ({
        period_type: "FY",
        period_label: String(year),
        period_end_date: `${year}-12-31`,
        ...m,
      }),
    );

/** FY rows with distinct years (one row per fiscal year, as the table's key guarantees). */
const arbHistory = (maxLength = 10) =>
  fc
    .uniqueArray(fc.integer({ min: 2012, max: 2024 }), { maxLength })
    .chain((years) => fc.tuple(...years.map((y) => arbFyRow(fc.constant(y)))));

function fgosInput(over: Partial<FgosInput> = {}): FgosInput {
  return {
    as_of: "2024-06-30",
    sector: "Technology",
    benchmarks: allFgosBenchmarks(B),
    financials: {
      period_type: "TTM",
      period_end_date: "2024-03-31",
      roic: 0.12,
      operating_margin: 0.12,
      net_margin: 0.08,
      fcf_margin: 0.07,
      debt_to_equity: 0.1,
      interest_coverage: 0.12,
    },
    growth: { revenue_cagr: 0.07, earnings_cagr: 0.03, fcf_cagr: 0.11 },
    financial_scores: { altman_z: 2.5, piotroski_score: 6 },
    history: [],
    sentiment: null,
    ipo_date: null,
    ...over,
  };
}

describe("no engine writes to its inputs (inputs deep-frozen: a write throws)", () => {
  it("the guard bites: sorting a frozen array throws", () => {
    expect(() => deepFreeze([3, 1, 2]).sort()).toThrow(TypeError);
  });

  it("FY-history engines, FGOS and IQS", () => {
    fc.assert(
      fc.property(arbHistory(), arbHistory(6), (history, peers) => {
        const rows = deepFreeze(structuredClone(history));
        const before = structuredClone(rows);
        fundamentalsMaturity(rows);
        growthInputs(rows);
        fundamentalsGrowth(rows, { maturity: "established" });
        calculateMoat(rows, { sector: "Energy" });
        calculateCompetitiveAdvantage(rows);
        pickFgosFinancialRow(rows, "2024-12-31");
        computeFgos(deepFreeze(fgosInput({ history: rows })));
        calculateIqs(
          deepFreeze({
            ticker: "ME",
            industry: "X",
            rows,
            peer_rows: peers.map((p, i) => ({ ...p, ticker: `P${i % 3}` })),
          }),
        );
        expect(rows).toEqual(before);
      }),
    );
  });

  it("benchmarks, valuation, market position, TTM, sentiment, returns, IFS, dividends, verdict", () => {
    fc.assert(
      fc.property(
        fc.array(maybeNumber(-50, 200), { maxLength: 25 }),
        arbBenchmark,
        fc.array(maybeNumber(-1e3, 1e3), { minLength: 12, maxLength: 12 }),
        (values, b, xs) => {
          buildSectorBenchmark(deepFreeze(values));
          const bms = deepFreeze({ pe_ratio: b, ev_ebitda: b, price_to_fcf: b, roic: b });
          buildValuationState(deepFreeze({ pe_ratio: xs[0]!, ev_ebitda: xs[1]! }), bms, {
            fgos_maturity: "developing",
            dominant_horizons: deepFreeze(["1Y", "3Y"]),
          });
          calculateMarketPosition(
            deepFreeze({
              sector: "X",
              market_cap: xs[2]!,
              roic: xs[3]!,
              operating_margin: xs[4]!,
              revenue_growth: xs[5]!,
            }),
            bms,
          );
          const quarters = deepFreeze(
            [3, 2, 1, 0].map(
              (i): QuarterRow => ({
                period_end_date: isoDay(91 * i),
                period_label: `2000Q${i + 1}`,
                revenue: xs[i]!,
                ebitda: xs[i + 1]!,
                net_income: xs[i + 2]!,
                free_cash_flow: xs[i + 3]!,
                weighted_shares_out: xs[i + 4]!,
                total_debt: xs[i + 5]!,
                cash_and_equivalents: xs[i + 6]!,
              }),
            ),
          );
          ttmValuationRow(quarters, deepFreeze([{ price_date: isoDay(200), close: xs[7]! }]));
          quarterWindows(quarters);
          const valuationRows = deepFreeze(
            xs.map((x, i) => ({
              valuation_date: isoDay(365 * i),
              denominator_type: "TTM",
              pe_ratio: x,
            })),
          );
          calculateSentiment(deepFreeze(sentimentTimeline(valuationRows, isoDay(365 * 11))));
          calculateRelativeReturn(
            deepFreeze({ "1Y": { asset_return: xs[0]!, benchmark_return: xs[1]! } }),
          );
          latestReturnsByWindow(
            deepFreeze([
              { performance_date: isoDay(1), window_code: "1Y", return_percent: xs[0]! },
            ]),
            isoDay(2),
          );
          calculateIfs(
            deepFreeze({ relative_vs_sector_1m: xs[0]!, relative_vs_sector_1y: xs[1]! }),
            deepFreeze(["1M", "1Y"]),
          );
          ifsMemory(deepFreeze([{ snapshot_date: isoDay(1), position: "leader" as const }]));
          calculateDividendQuality(
            deepFreeze(
              xs.map((x, i) => ({
                year: 2010 + i,
                has_dividend: i % 2 === 0,
                dividend_per_share: x,
                payout_eps: x,
                payout_fcf: x,
                net_income: x,
                free_cash_flow: x,
              })),
            ),
          );
          resolveFintraVerdict(
            deepFreeze({
              fgos: { score: 60, band: "defendable" as const, confidence: 50 },
              sentiment: { band: "neutral" as const, confidence: 30 },
            }),
          );
        },
      ),
    );
  });
});

describe("missing inputs give pending or null, never NaN or a throw", () => {
  it("whole inputs missing", () => {
    expect(calculateSentiment(null).status).toBe("pending");
    expect(calculateSentiment(undefined).status).toBe("pending");
    expect(calculateRelativeReturn(undefined).score).toBeNull();
    expect(buildValuationState(undefined, undefined).valuation_status).toBe("pending");
    expect(calculateIfs({})).toBeNull();
    expect(calculateIfs({}, null)).toBeNull();
    expect(ifsMemory([])).toBeNull();
    expect(calculateMoat([]).status).toBe("pending");
    expect(calculateCompetitiveAdvantage([]).score).toBeNull();
    expect(calculateDividendQuality([]).score).toBeNull();
    expect(growthInputs([])).toEqual({ revenue_cagr: null, earnings_cagr: null, fcf_cagr: null });
    expect(fundamentalsGrowth([], { maturity: "established" }).status).toBe("pending");
    expect(calculateIqs({ ticker: "ME", industry: "X", rows: [], peer_rows: [] })).toBeNull();
    expect(
      calculateMarketPosition(
        {
          sector: null,
          market_cap: null,
          roic: null,
          operating_margin: null,
          revenue_growth: null,
        },
        null,
      ).status,
    ).toBe("pending");
    expect(benchmarksAsOf([], "X", "2024-01-01")).toBeNull();
    expect(buildSectorBenchmark([null, undefined, Number.NaN])).toBeNull();
    expect(pickFgosFinancialRow([], "2024-01-01")).toBeNull();
  });

  it("FGOS with any of its inputs missing → pending with a reason, or an integer score", () => {
    fc.assert(
      fc.property(
        fc.record({
          sector: fc.option(fc.constant("Energy"), { nil: null }),
          benchmarks: fc.option(fc.constant(allFgosBenchmarks(B)), { nil: null }),
          financials: fc.option(
            fc.record({
              roic: maybeNumber(-1, 1),
              operating_margin: maybeNumber(-1, 1),
              debt_to_equity: maybeNumber(-2, 5),
              total_equity: maybeNumber(-10, 10),
            }),
            { nil: null },
          ),
          growth: fc.option(
            fc.record({
              revenue_cagr: maybeNumber(-1, 1),
              earnings_cagr: maybeNumber(-1, 1),
              fcf_cagr: maybeNumber(-1, 1),
            }),
            { nil: null },
          ),
          scores: fc.option(
            fc.record({ altman_z: maybeNumber(-5, 10), piotroski_score: maybeNumber(0, 9) }),
            { nil: null },
          ),
          ipo: fc.option(fc.constantFrom("2001-01-01", "not a date"), { nil: null }),
        }),
        arbHistory(6),
        (x, history) => {
          const r = computeFgos(
            fgosInput({
              sector: x.sector,
              benchmarks: x.benchmarks,
              financials: x.financials && {
                period_type: "FY",
                period_end_date: "2023-12-31",
                ...x.financials,
              },
              growth: x.growth,
              financial_scores: x.scores,
              ipo_date: x.ipo,
              history,
            }),
          );
          expect(noBrokenNumbers(r)).toBe(true);
          if (r.fgos_score === null) {
            expect(r.fgos_status).toBe("pending");
            expect(r.fgos_category).toBe("Pending");
            expect(r.fgos_components.reason).not.toBeNull();
            expect(r.fgos_components.quality_brakes).toBeNull();
          } else {
            expect(Number.isInteger(r.fgos_score)).toBe(true);
            expect(inRange(r.fgos_score)).toBe(true);
            expect(r.fgos_components.reason).toBeNull();
          }
          expect([0, 16, 33, 50, 66, 83, 100]).toContain(r.fgos_confidence_percent);
          expect(inRange(r.fgos_components.confidence_layer.percent)).toBe(true);
        },
      ),
    );
  });

  it("spec §3.11: with no history, moat and advantage are absent, so confidence ≤ 66", () => {
    fc.assert(
      fc.property(fc.boolean(), (withSentiment) => {
        const sentiment = withSentiment
          ? calculateSentiment({
              TTM: { pe_ratio: 20, ev_ebitda: 12, price_to_fcf: 18, price_to_sales: 4 },
              TTM_1A: { pe_ratio: 15, ev_ebitda: 10, price_to_fcf: 15, price_to_sales: 3 },
              TTM_3A: null,
              TTM_5A: null,
            })
          : null;
        const r = computeFgos(fgosInput({ history: [], sentiment }));
        expect(r.fgos_components.moat).toBeNull();
        expect(r.fgos_components.competitive_advantage.score).toBeNull();
        // Without sentiment that is 4/6 = 66; with it, 5/6 would need the moat.
        expect(r.fgos_confidence_percent).toBeLessThanOrEqual(withSentiment ? 83 : 66);
      }),
    );
    expect(computeFgos(fgosInput({ history: [] })).fgos_confidence_percent).toBe(66);
  });

  it("IQS with missing values → null or positions in range", () => {
    fc.assert(
      fc.property(
        arbHistory(7),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), arbFyRow()), { maxLength: 40 }),
        fc.option(fc.constant("Software"), { nil: null }),
        (rows, peers, industry) => {
          const r = calculateIqs({
            ticker: "ME",
            industry,
            rows,
            peer_rows: peers.map(([t, row]) => ({ ...row, ticker: `P${t}` })),
          });
          if (r === null) return;
          expect(noBrokenNumbers(r)).toBe(true);
          expect(r.fiscal_positions.length).toBeGreaterThan(0);
          expect(r.fiscal_positions.length).toBeLessThanOrEqual(5);
          expect(r.confidence).toBe(Math.min(100, 20 * r.fiscal_positions.length));
          for (const p of r.fiscal_positions) expect(inRange(p.percentile)).toBe(true);
        },
      ),
    );
  });

  it("benchmarks from samples with missing values; stored rows with null p-values", () => {
    fc.assert(
      fc.property(fc.array(maybeNumber(), { maxLength: 30 }), (xs) => {
        const b = buildSectorBenchmark(xs);
        const n = xs.filter((x) => typeof x === "number" && Number.isFinite(x)).length;
        if (n < 3) expect(b).toBeNull();
        else expect(b!.sample_size).toBe(n);
        expect(noBrokenNumbers(b)).toBe(true);
      }),
    );
    const row = fc.record({
      sector: fc.constantFrom("A", "B"),
      snapshot_date: fc.integer({ min: 0, max: 5 }).map(isoDay),
      metric: fc.constantFrom("roic", "pe_ratio", "net_margin"),
      p10: maybeNumber(-1, 1),
      p25: maybeNumber(-1, 1),
      p50: maybeNumber(-1, 1),
      p75: maybeNumber(-1, 1),
      p90: maybeNumber(-1, 1),
      sample_size: fc.integer({ min: 0, max: 40 }),
      confidence: fc.constantFrom("low", "medium", "high", "bogus"),
    }) as fc.Arbitrary<SectorBenchmarkRow>;
    fc.assert(
      fc.property(fc.array(row, { maxLength: 20 }), (rows) => {
        const map = benchmarksAsOf(rows, "A", isoDay(4));
        if (map === null) return;
        for (const b of Object.values(map)) {
          const ps = [b.p10, b.p25, b.p50, b.p75, b.p90];
          expect(noBrokenNumbers(ps)).toBe(true);
          for (let i = 1; i < 5; i++) expect(ps[i]!).toBeGreaterThanOrEqual(ps[i - 1]!);
          expect(b.sample_size).toBeGreaterThanOrEqual(3);
        }
      }),
    );
  });

  it("maturity, dimensional confidence, FGOS state, relative performance, coverage", () => {
    fc.assert(
      fc.property(
        arbHistory(),
        fc.array(maybeNumber(-100, 200), { minLength: 8, maxLength: 8 }),
        (history, xs) => {
          const m = fundamentalsMaturity(history);
          expect(Number.isInteger(m.fundamentals_years_count)).toBe(true);
          expect(noBrokenNumbers(m)).toBe(true);
          const dims = {
            growth: xs[0]!,
            profitability: xs[1]!,
            efficiency: xs[2]!,
            solvency: xs[3]!,
            moat: xs[4]!,
            sentiment: xs[5]!,
          };
          const d = dimensionalConfidence(dims);
          expect([0, 16, 33, 50, 66, 83, 100]).toContain(d.percent);
          const s = buildFgosState({
            fgos_score: xs[6]!,
            fgos_components: dims,
            fgos_confidence_percent: xs[7]!,
            fgos_confidence_label: null,
          });
          expect(noBrokenNumbers(s)).toBe(true);
          expect(s.coverage.computed_dimensions).toBe(d.dimensions_present);
          const rel = relativePerformance(
            { "1M": xs[0]!, "1Y": xs[1]!, "5Y": xs[2]! },
            { "1M": xs[3]!, "1Y": xs[4]! },
            { "1M": xs[5]!, "5Y": xs[6]! },
          );
          expect(Object.values(rel).every((v) => v === null || Number.isFinite(v))).toBe(true);
          const cov = buildStructuralCoverage({
            maturity: m.fgos_maturity,
            industry_cadence: null,
            growth_coverage: null,
            valuation_metrics: { pe_ratio: xs[0]!, ev_ebitda: xs[1]!, price_to_fcf: xs[2]! },
          });
          expect(["low", "medium", "high"]).toContain(cov.confidence_level);
          const layers = buildLayerStatus({
            maturity: null,
            sector: null,
            ifs: null,
            dominant_horizons: [],
            relative_vs_sector: {},
            growth: null,
            valuation: null,
            industry_performance_status: null,
          });
          expect(layers.valuation.state).toBe("pending_recalculation");
        },
      ),
    );
  });

  it("TTM valuation rows with missing values never throw and never give NaN", () => {
    fc.assert(
      fc.property(
        fc.array(maybeNumber(-1e4, 1e4), { minLength: 7, maxLength: 7 }),
        maybeNumber(0, 500),
        (v, price) => {
          const quarters = [0, 1, 2, 3].map(
            (i): QuarterRow => ({
              period_end_date: isoDay(91 * i),
              period_label: `2000Q${i + 1}`,
              revenue: v[0]!,
              ebitda: v[1]!,
              net_income: v[2]!,
              free_cash_flow: v[3]!,
              weighted_shares_out: v[4]!,
              total_debt: v[5]!,
              cash_and_equivalents: v[6]!,
            }),
          );
          const out = ttmValuationRow(quarters, [{ price_date: isoDay(270), close: price }]);
          expect(noBrokenNumbers(out)).toBe(true);
          for (const n of [0, 1, 2, 3]) {
            expect(ttmValuationRow(quarters.slice(0, n), [])).toEqual({
              skipped: "fewer_than_4_quarters",
            });
          }
        },
      ),
    );
  });
});

describe("every sub-score stays in its range", () => {
  it("moat, competitive advantage and dividend axes within 0..100", () => {
    fc.assert(
      fc.property(arbHistory(12), (history) => {
        const moat = calculateMoat(history, { benchmarks: { roic_p50: 0.1 } });
        for (const v of [
          moat.score,
          moat.confidence,
          moat.details.roic_persistence,
          moat.details.margin_stability,
          moat.details.capital_discipline,
        ]) {
          expect(inRange(v)).toBe(true);
        }
        const ca = calculateCompetitiveAdvantage(history);
        for (const v of [ca.score, ca.confidence, ...Object.values(ca.axes)]) {
          expect(inRange(v)).toBe(true);
        }
      }),
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            has_dividend: fc.option(fc.boolean(), { nil: null }),
            dividend_per_share: maybeNumber(-1, 10),
            payout_eps: maybeNumber(-300, 300),
            payout_fcf: maybeNumber(-300, 300),
            net_income: maybeNumber(-100, 100),
            free_cash_flow: maybeNumber(-100, 100),
          }),
          { maxLength: 14 },
        ),
        (rs) => {
          const q = calculateDividendQuality(rs.map((r, i) => ({ year: 2010 + i, ...r })));
          for (const v of [q.score, q.confidence, ...Object.values(q.axes)]) {
            expect(inRange(v)).toBe(true);
          }
        },
      ),
    );
  });

  it("relative return, sentiment and valuation components within their ranges", () => {
    const win = fc.record({
      asset_return: maybeNumber(-100, 1000),
      benchmark_return: maybeNumber(-100, 1000),
      asset_max_drawdown: maybeNumber(0, 100),
      benchmark_max_drawdown: maybeNumber(0, 100),
    });
    const mult = fc.record({
      pe_ratio: maybeNumber(-50, 500),
      ev_ebitda: maybeNumber(-50, 500),
      price_to_fcf: maybeNumber(-50, 500),
      price_to_sales: maybeNumber(-50, 500),
    });
    fc.assert(
      fc.property(win, win, win, mult, mult, mult, arbBenchmark, (a, b, c, m0, m1, m3, bench) => {
        const rr = calculateRelativeReturn({ "1Y": a, "3Y": b, "5Y": c });
        expect(inRange(rr.confidence)).toBe(true);
        expect(inRange(rr.components.consistency_score)).toBe(true);
        expect(inRange(rr.components.drawdown_penalty, 0, 20)).toBe(true);
        for (const w of Object.values(rr.components.window_alpha)) {
          if (w) expect(inRange(w.score)).toBe(true);
        }
        const s = calculateSentiment({ TTM: m0, TTM_1A: m1, TTM_3A: m3, TTM_5A: null });
        expect(inRange(s.confidence, 0, 40)).toBe(true);
        for (const comp of Object.values(s.components ?? {})) {
          expect(inRange(comp.score)).toBe(true);
          expect(inRange(comp.consistency)).toBe(true);
          expect(inRange(comp.intensity, 60, 100)).toBe(true);
        }
        const v = buildValuationState(m0, {
          pe_ratio: bench,
          ev_ebitda: bench,
          price_to_fcf: bench,
        });
        for (const p of Object.values(v.percentiles)) expect(inRange(p)).toBe(true);
        expect(inRange(v.median_percentile)).toBe(true);
      }),
    );
  });
});

describe("scores and percentiles move the right way with their input", () => {
  const fin = (over: Partial<FinancialRow>): FinancialRow => ({
    ...(fgosInput().financials as FinancialRow),
    ...over,
  });

  it("FGOS is non-decreasing in ROIC and, by decision, non-increasing in debt/equity", () => {
    fc.assert(
      fc.property(finite(-1, 1), finite(-1, 1), finite(0, 5), finite(0, 5), (r1, r2, d1, d2) => {
        const score = (over: Partial<FinancialRow>) =>
          computeFgos(fgosInput({ financials: fin(over) })).fgos_score!;
        const [rLo, rHi] = r1 <= r2 ? [r1, r2] : [r2, r1];
        expect(score({ roic: rLo })).toBeLessThanOrEqual(score({ roic: rHi }));
        const [dLo, dHi] = d1 <= d2 ? [d1, d2] : [d2, d1];
        expect(score({ debt_to_equity: dLo })).toBeGreaterThanOrEqual(
          score({ debt_to_equity: dHi }),
        );
        // Negative equity is the worst of all: no better than any non-negative D/E.
        expect(score({ debt_to_equity: -dHi - 0.01 })).toBeLessThanOrEqual(
          score({ debt_to_equity: dHi }),
        );
        expect(score({ debt_to_equity: dLo, total_equity: -1 })).toBeLessThanOrEqual(
          score({ debt_to_equity: dHi }),
        );
      }),
    );
  });

  it("valuation's median percentile is non-decreasing in each multiple", () => {
    const BM = { pe_ratio: B, ev_ebitda: B, price_to_fcf: B };
    fc.assert(
      fc.property(
        arbBenchmark,
        finite(0.01, 100),
        finite(0.01, 100),
        finite(0.01, 100),
        finite(0.01, 100),
        (bench, x, y, other1, other2) => {
          const bms = { ...BM, pe_ratio: bench };
          const [lo, hi] = x <= y ? [x, y] : [y, x];
          const med = (pe: number) =>
            buildValuationState({ pe_ratio: pe, ev_ebitda: other1, price_to_fcf: other2 }, bms)
              .median_percentile!;
          expect(med(lo)).toBeLessThanOrEqual(med(hi) + 1e-9);
        },
      ),
    );
  });

  it("IQS is non-decreasing in ROIC and non-increasing in debt/equity", () => {
    const peers = [0.02, 0.05, 0.1, 0.15, 0.3].map((v, i) => ({
      ticker: `P${i}`,
      period_type: "FY",
      period_end_date: "2023-12-31",
      roic: v,
      operating_margin: v,
      debt_to_equity: v * 10,
    }));
    fc.assert(
      fc.property(finite(-1, 1), finite(-1, 1), finite(0, 5), finite(0, 5), (a, b, d1, d2) => {
        const pct = (roic: number, debt_to_equity: number) =>
          calculateIqs({
            ticker: "ME",
            industry: "X",
            rows: [
              {
                period_type: "FY",
                period_end_date: "2023-12-31",
                roic,
                operating_margin: 0.1,
                debt_to_equity,
              },
            ],
            peer_rows: peers,
          })!.fiscal_positions[0]!.percentile;
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(pct(lo, 1)).toBeLessThanOrEqual(pct(hi, 1));
        const [dLo, dHi] = d1 <= d2 ? [d1, d2] : [d2, d1];
        expect(pct(0.1, dLo)).toBeGreaterThanOrEqual(pct(0.1, dHi));
        expect(pct(0.1, -1)).toBeLessThanOrEqual(pct(0.1, dHi));
      }),
    );
  });

  it("market position percentiles are non-decreasing in ROIC", () => {
    fc.assert(
      fc.property(arbBenchmark, finite(-5, 5), finite(-5, 5), (b, x, y) => {
        const [lo, hi] = x <= y ? [x, y] : [y, x];
        const p = (roic: number) =>
          calculateMarketPosition(
            { sector: "X", market_cap: null, roic, operating_margin: null, revenue_growth: null },
            { roic: b },
          ).components.profitability!.roic_percentile!;
        expect(p(lo)).toBeLessThanOrEqual(p(hi));
      }),
    );
  });
});

describe("results do not depend on the order of order-free inputs", () => {
  it("benchmarksAsOf over shuffled rows", () => {
    const row = (sector: string, day: number, metric: string, p50: number): SectorBenchmarkRow => ({
      sector,
      snapshot_date: isoDay(day),
      metric,
      p10: p50 - 2,
      p25: p50 - 1,
      p50,
      p75: p50 + 1,
      p90: p50 + 2,
      sample_size: 10,
      confidence: "medium",
    });
    const key = fc.tuple(
      fc.constantFrom("A", "B"),
      fc.integer({ min: 0, max: 6 }),
      fc.constantFrom("roic", "pe_ratio", "net_margin"),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(key, finite(-10, 10)), {
          selector: ([k]) => k.join("|"),
          maxLength: 30,
        }),
        fc.integer(),
        (entries, seed) => {
          const rows = entries.map(([[s, d, m], p]) => row(s, d, m, p));
          expect(benchmarksAsOf(shuffle(rows, seed), "A", isoDay(4))).toEqual(
            benchmarksAsOf(rows, "A", isoDay(4)),
          );
        },
      ),
    );
  });

  it("ifsMemory, sentimentTimeline, latestReturnsByWindow over shuffled rows", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 4000 }), { maxLength: 30 }),
        fc.array(fc.constantFrom("leader", "follower", "laggard" as const), {
          minLength: 30,
          maxLength: 30,
        }),
        fc.array(maybeNumber(-10, 80), { minLength: 30, maxLength: 30 }),
        fc.integer(),
        (days, positions, values, seed) => {
          const obs = days.map((d, i) => ({ snapshot_date: isoDay(d), position: positions[i]! }));
          expect(ifsMemory(shuffle(obs, seed))).toEqual(ifsMemory(obs));
          const vrows = days.map((d, i) => ({
            valuation_date: isoDay(d),
            denominator_type: i % 5 === 0 ? "FY" : "TTM",
            pe_ratio: values[i]!,
            ev_ebitda: values[(i + 1) % 30]!,
          }));
          const asOf = isoDay(4000);
          expect(sentimentTimeline(shuffle(vrows, seed), asOf)).toEqual(
            sentimentTimeline(vrows, asOf),
          );
          const prows = days.map((d, i) => ({
            performance_date: isoDay(d),
            window_code: ["1Y", "3Y", "5Y"][i % 3]!,
            return_percent: values[i]!,
            max_drawdown: values[(i + 2) % 30]!,
          }));
          expect(latestReturnsByWindow(shuffle(prows, seed), asOf)).toEqual(
            latestReturnsByWindow(prows, asOf),
          );
        },
      ),
    );
  });

  it("TTM windows and rows over shuffled quarters; FGOS row pick over shuffled rows", () => {
    fc.assert(
      fc.property(
        fc.array(maybeNumber(-100, 100), { minLength: 6, maxLength: 6 }),
        fc.uniqueArray(
          fc.tuple(fc.constantFrom("FY", "TTM", "Q"), fc.integer({ min: 0, max: 20 })),
          { selector: ([t, d]) => `${t}${d}`, maxLength: 20 },
        ),
        fc.integer(),
        (v, picks, seed) => {
          const quarters = v.map(
            (x, i): QuarterRow => ({
              period_end_date: isoDay(91 * i),
              period_label: `${2000 + Math.floor(i / 4)}Q${(i % 4) + 1}`,
              revenue: x,
              ebitda: x,
              net_income: x,
              free_cash_flow: x,
              weighted_shares_out: 10,
              total_debt: x,
              cash_and_equivalents: 1,
            }),
          );
          expect(quarterWindows(shuffle(quarters, seed))).toEqual(quarterWindows(quarters));
          const four = quarters.slice(0, 4);
          const prices = [{ price_date: isoDay(300), close: 20 }];
          expect(ttmValuationRow(shuffle(four, seed), prices)).toEqual(
            ttmValuationRow(four, prices),
          );
          const rows = picks.map(([t, d]) => ({ period_type: t, period_end_date: isoDay(30 * d) }));
          expect(pickFgosFinancialRow(shuffle(rows, seed), isoDay(400))).toEqual(
            pickFgosFinancialRow(rows, isoDay(400)),
          );
        },
      ),
    );
  });

  it("IQS over shuffled own rows and peers", () => {
    fc.assert(
      fc.property(
        arbHistory(7),
        fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 5 }), arbFyRow()), {
          selector: ([t, r]) => `${t}|${r.period_end_date}`,
          maxLength: 40,
        }),
        fc.integer(),
        (rows, peers, seed) => {
          const peerRows = peers.map(([t, r]) => ({ ...r, ticker: `P${t}` }));
          const input = { ticker: "ME", industry: "X", rows, peer_rows: peerRows };
          expect(
            calculateIqs({
              ...input,
              rows: shuffle(rows, seed),
              peer_rows: shuffle(peerRows, seed),
            }),
          ).toEqual(calculateIqs(input));
        },
      ),
    );
  });
});
