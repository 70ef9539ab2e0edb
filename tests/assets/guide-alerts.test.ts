/**
 * The guide's table as alerts, end to end on the sandbox: every threshold stays quiet on the
 * ordinary day, and each raises exactly one alert on a run built to cross it, once however
 * often the crossing repeats, resolved once by a healthy run of the same day. At two
 * universe sizes.
 *
 * The graph is the real daily graph of snapshot/graph.ts plus industry_benchmarks, so the
 * owner of each of the 9 figures runs. How each threshold is crossed:
 * - active_tickers crosses through a real market change: a sandbox market of half the
 *   tickers (the first N/2 instruments of the same seed) read by fintra_universe on the next
 *   trading day deactivates the rest, and its `active` is judged against the previous run's.
 *   It runs on a store of its own (the universe alone), so the shared day is not shrunk.
 * - the other 8 (snapshots, fgos_computed_share, relative_return_share, performance_windows,
 *   sector_performance_companies, industry_performance_companies, sector_benchmarks,
 *   industry_benchmarks) cross through a scaled-down result: the owning asset's real
 *   materialize runs, forced, for the day, and its result's figure for that metric (and only
 *   that one) is cut to 40 %; the real check list, ledger and alert rules judge it through
 *   the production `materialize`. The sandbox has no cheap market change that thins these
 *   figures without failing an error check upstream first.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import industryBenchmarks from "../../assets/aggregates/industry_benchmarks.ts";
import fintraUniverse from "../../assets/fintra_universe.ts";
import { GUIDE_METRICS, type GuideMetric } from "../../assets/monitoring.ts";
import type { Alert, AlertKey, CheckResult, Materialization, Store } from "../../db/index.ts";
import { backfill } from "../../runtime/backfill.ts";
import {
  type AssetContext,
  type AssetDefinition,
  type MaterializeResult,
  runMaterialize,
} from "../../runtime/define.ts";
import { AssetGraph } from "../../runtime/graph.ts";
import { materialize } from "../../runtime/materialize.ts";
import type { Resources } from "../../runtime/resources.ts";
import { marketResources, startTestMarket, type TestMarket } from "../helpers/sandbox.ts";
import { openTestStore } from "../helpers/store.ts";
import { ASSETS, DAY, PRICE_RANGES, tickingResources } from "./snapshot/graph.ts";

/** The daily graph with every owner of a guide figure in it. */
const GRAPH: AssetDefinition[] = [...ASSETS, industryBenchmarks];

/** The next trading day after DAY (a Monday), for the smaller universe. */
const NEXT_DAY = "2026-11-30";

/** What a crossing run keeps of the figure it crosses. */
const CUT = 0.4;

const SIZES = [64, 160] as const;

const cut = (n: unknown) => Math.floor(Number(n) * CUT);

/** Each figure's result cut to 40 %, leaving the owner's other guide figures as they were. */
const SHRINK: Record<string, (r: MaterializeResult) => MaterializeResult> = {
  // The rows with FGOS and relative returns shrink with them: the shares stay as they were.
  snapshots: (r) => ({
    ...r,
    rows: cut(r.rows),
    metadata: {
      ...r.metadata,
      fgosComputed: cut(r.metadata?.fgosComputed),
      withRelativeReturn: cut(r.metadata?.withRelativeReturn),
    },
  }),
  fgos_computed_share: (r) => ({
    ...r,
    metadata: { ...r.metadata, fgosComputed: cut(r.metadata?.fgosComputed) },
  }),
  relative_return_share: (r) => ({
    ...r,
    metadata: { ...r.metadata, withRelativeReturn: cut(r.metadata?.withRelativeReturn) },
  }),
  performance_windows: (r) => ({ ...r, rows: cut(r.rows) }),
  sector_performance_companies: (r) => membersCut(r),
  industry_performance_companies: (r) => membersCut(r),
  sector_benchmarks: (r) => ({
    ...r,
    metadata: { ...r.metadata, sectors: cut(r.metadata?.sectors) },
  }),
  industry_benchmarks: (r) => ({
    ...r,
    metadata: { ...r.metadata, industries: cut(r.metadata?.industries) },
  }),
};

function membersCut(r: MaterializeResult): MaterializeResult {
  const byWindow = (r.metadata?.membersByWindow ?? {}) as Record<string, number>;
  return {
    ...r,
    metadata: {
      ...r.metadata,
      membersByWindow: Object.fromEntries(Object.entries(byWindow).map(([w, n]) => [w, cut(n)])),
    },
  };
}

const OWNERS = [...new Set(GUIDE_METRICS.map((m) => m.asset))];

/** The trading day before DAY (the 26th is Thanksgiving). */
const PREVIOUS_DAY = "2026-11-25";

/**
 * buildDay with our graph, after the previous day's universe run: an ordinary day has one,
 * and active_tickers has nothing to judge the day's count by without it. That run judges no
 * deadline (the market_state of the 25th is never built here).
 */
async function buildGuideDay(resources: Resources): Promise<void> {
  const graph = new AssetGraph(GRAPH);
  const before = await materialize(graph, "fintra_universe", resources, {
    partition: PREVIOUS_DAY,
    watch: false,
  });
  expect(before.exitCode).toBe(0);
  for (const [from, to] of PRICE_RANGES) {
    const summary = await backfill(graph, "fintra_universe,datos_eod", resources, { from, to });
    expect(summary.exitCode, `${from}..${to}`).toBe(0);
  }
  const summary = await materialize(graph, "*", resources, { partition: DAY });
  expect(summary.outcomes.filter((o) => o.status !== "succeeded" && o.status !== "fresh")).toEqual(
    [],
  );
}

/** The newest full, succeeded run of an asset. */
async function latestFullRun(store: Store, asset: string): Promise<Materialization> {
  const runs = await store.ledger.history({ asset, limit: 100 });
  const run = runs.find((m) => m.status === "succeeded" && m.scopeKey === "");
  if (!run) throw new Error(`no full run of ${asset}`);
  return run;
}

/** The threshold alerts of one guide figure on one day, whatever their status. */
async function guideAlerts(store: Store, metric: GuideMetric, day: string): Promise<Alert[]> {
  const all = await store.ledger.alerts({ asset: metric.asset, day, limit: 1000 });
  return all.filter((a) => a.kind === "threshold" && a.metric === `guide_${metric.key}`);
}

/** The guide check a run recorded for `metric`. */
async function guideCheck(store: Store, runId: string, metric: GuideMetric): Promise<CheckResult> {
  const checks = await store.ledger.checks(runId);
  const check = checks.find((c) => c.name === `guide_${metric.key}`);
  if (!check) throw new Error(`run ${runId} recorded no guide_${metric.key}`);
  return check;
}

/** Asserts one run outcome succeeded and returns its ledger row id. */
function succeededRun(summary: Awaited<ReturnType<typeof materialize>>, asset: string): string {
  const outcome = summary.outcomes.find((o) => o.asset === asset);
  expect(outcome?.status, outcome?.reason).toBe("succeeded");
  return outcome?.materializationId as string;
}

/** The crossing, the repeat and the healthy run of one figure, asserted on the ledger. */
async function crossAndRecover(
  store: Store,
  metric: GuideMetric,
  day: string,
  run: (healthy: boolean) => Promise<Awaited<ReturnType<typeof materialize>>>,
): Promise<void> {
  const key: AlertKey = {
    kind: "threshold",
    asset: metric.asset,
    day,
    metric: `guide_${metric.key}`,
  };
  expect(await guideAlerts(store, metric, day)).toEqual([]);

  // The crossing: one alert opened, with the figure below its floor.
  const first = await run(false);
  const firstId = succeededRun(first, metric.asset);
  const failed = await guideCheck(store, firstId, metric);
  expect(failed.passed, failed.message).toBe(false);
  expect(first.alerts).toHaveLength(1);
  const [raised] = first.alerts;
  expect(raised?.status).toBe("raised");
  expect(raised?.alert).toMatchObject({ ...key, status: "open" });
  const observed = raised?.alert.observed as number;
  const threshold = raised?.alert.threshold as number;
  expect(typeof observed).toBe("number");
  expect(typeof threshold).toBe("number");
  expect(observed, `${observed} vs floor ${threshold}`).toBeLessThan(threshold);
  expect(observed).toBe(failed.value);
  let alerts = await guideAlerts(store, metric, day);
  expect(alerts).toHaveLength(1);
  expect(alerts[0]).toMatchObject({ ...key, status: "open", id: raised?.alert.id });

  // The same crossing again: the check fails again, and pages no one twice.
  const again = await run(false);
  const againId = succeededRun(again, metric.asset);
  expect((await guideCheck(store, againId, metric)).passed).toBe(false);
  expect(again.alerts).toEqual([]);
  alerts = await guideAlerts(store, metric, day);
  expect(alerts).toHaveLength(1);
  expect(alerts[0]).toMatchObject({
    status: "open",
    id: raised?.alert.id,
    raisedAt: raised?.alert.raisedAt,
  });

  // A healthy run of the same day resolves it, once.
  const healthy = await run(true);
  const healthyId = succeededRun(healthy, metric.asset);
  expect((await guideCheck(store, healthyId, metric)).passed).toBe(true);
  expect(healthy.alerts).toHaveLength(1);
  expect(healthy.alerts[0]?.status).toBe("resolved");
  expect(healthy.alerts[0]?.alert).toMatchObject({ ...key, status: "resolved" });
  alerts = await guideAlerts(store, metric, day);
  expect(alerts).toHaveLength(1);
  expect(alerts[0]?.status).toBe("resolved");
  expect(alerts[0]?.resolvedAt).toBeTruthy();
  expect(await store.ledger.resolveAlert(key, "again")).toBeNull();
}

for (const size of SIZES) {
  describe(`the guide's thresholds as alerts (${size} tickers)`, () => {
    let store: Store;
    let market: TestMarket;
    let resources: Resources;
    /** What the ordinary day left: its alerts and each owner's latest full run. */
    let dayAlerts: Alert[];
    const dayRuns = new Map<string, Materialization>();

    beforeAll(async () => {
      [store, market] = await Promise.all([
        openTestStore(),
        startTestMarket({ tickers: size, asOf: DAY, historyYears: 4 }),
      ]);
      resources = tickingResources(store, market);
      await buildGuideDay(resources);
      dayAlerts = await store.ledger.alerts({ limit: 1000 });
      for (const owner of OWNERS) dayRuns.set(owner, await latestFullRun(store, owner));
    }, 240_000);
    afterAll(async () => {
      await market?.close();
      await store?.close();
    });

    it("the ordinary day opens no alert and passes every guide check with a value and a floor", async () => {
      expect(dayAlerts).toEqual([]);
      for (const metric of GUIDE_METRICS) {
        const run = dayRuns.get(metric.asset) as Materialization;
        const check = await guideCheck(store, run.id, metric);
        const floor = check.metadata?.floor;
        expect(check.passed, `${metric.key}: ${check.message}`).toBe(true);
        expect(check.message).not.toMatch(/nothing to judge/);
        expect(typeof check.value, `${metric.key} value: ${check.message}`).toBe("number");
        expect(typeof floor, `${metric.key} floor: ${check.message}`).toBe("number");
        expect(check.value as number, `${metric.key}: ${check.message}`).toBeGreaterThanOrEqual(
          floor as number,
        );
      }
    });

    it("guide_active_tickers: a market half the size on the next day alerts once, the full one resolves it", async () => {
      const metric = GUIDE_METRICS.find((m) => m.key === "active_tickers") as GuideMetric;
      const own = await openTestStore();
      const [full, half] = await Promise.all([
        startTestMarket({ tickers: size, asOf: NEXT_DAY, historyYears: 1 }),
        startTestMarket({ tickers: Math.floor(size / 2), asOf: NEXT_DAY, historyYears: 1 }),
      ]);
      try {
        const graph = new AssetGraph([fintraUniverse]);
        const fullDay = await materialize(graph, "fintra_universe", marketResources(own, full), {
          partition: DAY,
        });
        succeededRun(fullDay, "fintra_universe");
        expect(fullDay.alerts).toEqual([]);
        await crossAndRecover(own, metric, NEXT_DAY, (healthy) =>
          materialize(graph, "fintra_universe", marketResources(own, healthy ? full : half), {
            partition: NEXT_DAY,
            force: true,
          }),
        );
      } finally {
        await Promise.all([full.close(), half.close()]);
        await own.close();
      }
    }, 60_000);

    for (const metric of GUIDE_METRICS.filter((m) => m.key !== "active_tickers")) {
      it(`guide_${metric.key}: ${metric.asset}'s result cut to ${CUT * 100} % alerts once, a healthy run resolves it`, async () => {
        const def = GRAPH.find((d) => d.key === metric.asset) as AssetDefinition;
        const shrink = SHRINK[metric.key] as (r: MaterializeResult) => MaterializeResult;
        const crossing = {
          ...def,
          materialize: async (ctx: AssetContext) => shrink(await runMaterialize(def, ctx)),
        } as AssetDefinition;
        await crossAndRecover(store, metric, DAY, (healthy) =>
          materialize(
            new AssetGraph(GRAPH.map((d) => (d.key === def.key && !healthy ? crossing : d))),
            def.key,
            resources,
            { partition: DAY, force: true },
          ),
        );
      }, 120_000);
    }
  });
}
