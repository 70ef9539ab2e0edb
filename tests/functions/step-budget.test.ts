/**
 * The step budget at 45,000 tickers, measured without running a 45,000-ticker market.
 *
 * Every per-step batch in the assets is sized for the full market and scaled by
 * `Resources.stepScale` (runtime/chunks.ts). A 450-ticker sandbox market run with
 * `stepScale = 450 / 45,000` (and FMP profile parts scaled alike) is cut into the steps a
 * 45,000-ticker market is cut into; step outputs are counts and keys, whose size does not
 * grow with the market. So the real graph, driven from one forced request of its root
 * through the functions' CEL triggers, shows the full market's figures: steps per run, step output per
 * run, event sizes. The plans whose output does grow with the market (the tickers a
 * snapshot chunk holds) are computed on a real 45,000-ticker universe in the second part.
 *
 * Budget (issue 6): no run over 200 steps or 2 MB of step output; no event over 64 KB.
 */
import { InngestTestEngine, mockCtx } from "@inngest/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import assetIndustryMap from "../../assets/asset_industry_map.ts";
import companyProfiles from "../../assets/company_profiles.ts";
import fintraUniverse from "../../assets/fintra_universe.ts";
import { graph } from "../../assets/index.ts";
import industryClassification from "../../assets/industry_classification.ts";
import { MAX_DOCUMENTS_PER_RUN } from "../../assets/sec/documents.ts";
import { planEventFilings } from "../../assets/sec/fintra_sec_event_signals.ts";
import { planReportFilings } from "../../assets/sec/fintra_sec_structural_signals.ts";
import { planSnapshotChunks, SNAPSHOT_CHUNK_TICKERS } from "../../assets/snapshot/inputs.ts";
import type { Store } from "../../db/index.ts";
import { createBackfillFunction, DATES_PER_RUN } from "../../functions/backfill.ts";
import { createFunctions } from "../../functions/index.ts";
import { backfill } from "../../runtime/backfill.ts";
import type { Resources } from "../../runtime/resources.ts";
import { filingWindow } from "../../sources/sec/index.ts";
import { DAY, PRICE_RANGES, tickingResources } from "../assets/snapshot/graph.ts";
import { CRON_EVENT, type Execution, InngestBus, jsonBytes } from "../helpers/inngest-bus.ts";
import {
  marketResources,
  runAssets,
  startTestMarket,
  type TestMarket,
} from "../helpers/sandbox.ts";
import { openTestStore } from "../helpers/store.ts";

const FULL_MARKET = 45_000;
const MAX_STEPS = 200;
const MAX_STEP_OUTPUT = 2 * 1024 * 1024;
const MAX_EVENT = 64 * 1024;

const TICKERS = 450;
const SCALE = TICKERS / FULL_MARKET;
/** The sandbox's profile-bulk part at full scale (2,000 rows: 23 parts at 45,000). */
const PROFILE_PART = 2_000;

let store: Store;
let market: TestMarket;
let bus: InngestBus;
let resources: Resources;

/** The largest figures any run of each function reached. */
function worstPerFunction(executions: readonly Execution[]) {
  const worst = new Map<string, { runs: number; steps: number; output: number; largest: number }>();
  for (const e of executions) {
    const w = worst.get(e.functionId) ?? { runs: 0, steps: 0, output: 0, largest: 0 };
    w.runs++;
    w.steps = Math.max(w.steps, e.steps);
    w.output = Math.max(w.output, e.stepOutputBytes);
    w.largest = Math.max(w.largest, e.largestStepOutputBytes);
    worst.set(e.functionId, w);
  }
  return worst;
}

beforeAll(async () => {
  store = await openTestStore();
  market = await startTestMarket({
    tickers: TICKERS,
    asOf: DAY,
    historyYears: 4,
    profilePartSize: Math.round(PROFILE_PART * SCALE),
  });
  resources = { ...tickingResources(store, market), stepScale: SCALE };
  for (const [from, to] of PRICE_RANGES) {
    const end = to === DAY ? "2026-11-25" : to;
    await backfill(graph, "fintra_universe,datos_eod", resources, { from, to: end });
  }
  bus = new InngestBus();
  bus.register(createFunctions({ client: bus.client, graph, resources: async () => resources }));
  // The price backfill already read today's universe: force the root, and everything follows.
  await bus.drain(
    {
      name: "fintra/asset.requested",
      data: { asset: "fintra_universe", force: true, downstream: true },
    },
    1_000,
  );
  // The weekly SEC jobs have crons of their own.
  for (const weekly of ["fintra_sec_event_signals", "fintra_sec_structural_signals"]) {
    await bus.drain({ name: CRON_EVENT, data: { function: weekly } }, 50);
  }
}, 600_000);

afterAll(async () => {
  await market?.close();
  await store?.close();
});

describe(`the daily graph at ${FULL_MARKET.toLocaleString("en-US")} tickers (scaled)`, () => {
  it("runs every daily asset, the chunked ones in as many steps as the full market takes", async () => {
    const failed = bus.executions.filter((e) => e.error);
    expect(failed.map((e) => [e.functionId, String(e.error)])).toEqual([]);
    const worst = worstPerFunction(bus.executions);
    const lines = [...worst.entries()]
      .sort((a, b) => b[1].steps - a[1].steps)
      .map(
        ([id, w]) =>
          `${id.padEnd(32)} ${String(w.steps).padStart(4)} steps  ${(w.output / 1024).toFixed(1).padStart(7)} KB output  (largest step ${(w.largest / 1024).toFixed(1)} KB)`,
      );
    console.info(`step budget at ${FULL_MARKET} tickers (scale ${SCALE}):\n${lines.join("\n")}`);
    // The scale took hold: chunked assets cut their tickers into many steps.
    expect(worst.get("fintra_snapshots")?.steps).toBeGreaterThan(30);
    expect(worst.get("datos_performance")?.steps).toBeGreaterThan(30);
    expect(worst.get("datos_financieros")?.steps).toBeGreaterThan(40);
    expect(worst.get("fintra_universe")?.steps).toBeGreaterThan(20);
    expect(worst.get("fintra_sec_structural_signals")?.steps).toBeGreaterThan(2);
  });

  it("keeps every run within 200 steps and 2 MB of step output", () => {
    for (const e of bus.executions) {
      expect(e.steps, e.functionId).toBeLessThanOrEqual(MAX_STEPS);
      expect(e.stepOutputBytes, e.functionId).toBeLessThanOrEqual(MAX_STEP_OUTPUT);
    }
  });

  it("keeps a year's backfill within 200 steps a run, handing the rest to a fresh run", async () => {
    const fn = createBackfillFunction({
      client: bus.client,
      graph,
      resources: async () => resources,
    });
    const waits = new Set<string>();
    const engine = new InngestTestEngine({
      function: fn,
      // The engine does not deliver awaited events: the pacer answers each wait at once.
      transformCtx: (raw) => {
        const ctx = mockCtx(raw);
        ctx.step.waitForEvent = (async (id: string) => {
          waits.add(id);
          return { name: "fintra/asset.materialized", data: {} };
        }) as typeof ctx.step.waitForEvent;
        return ctx;
      },
    });
    const sentBefore = bus.sent.length;
    const { result, state } = await engine.execute({
      events: [
        {
          name: "fintra/backfill.requested",
          data: { selection: "datos_eod+", from: "2025-11-28", to: DAY, force: true },
        },
      ],
    });
    // Memoized steps (plan, requests, hand-over) plus the waits the mock answered.
    const steps = Object.keys(state).length + waits.size;
    console.info(`backfill of a year: ${JSON.stringify(result)} in ${steps} steps`);
    expect(result).toMatchObject({ requested: DATES_PER_RUN });
    expect((result as { continued: number }).continued).toBeGreaterThan(100);
    expect(steps).toBeLessThanOrEqual(MAX_STEPS);
    const sent = bus.sent.slice(sentBefore);
    expect(sent.at(-1)?.name).toBe("fintra/backfill.requested");
    expect(Math.max(...sent.map(jsonBytes))).toBeLessThanOrEqual(MAX_EVENT);
  });

  it("sends no event over 64 KB", () => {
    expect(bus.sent.length).toBeGreaterThan(20);
    const largest = Math.max(...bus.sent.map(jsonBytes));
    console.info(`${bus.sent.length} events sent, the largest ${largest} bytes`);
    expect(largest).toBeLessThanOrEqual(MAX_EVENT);
  });
});

describe(`plans that list tickers, on a ${FULL_MARKET.toLocaleString("en-US")}-ticker universe`, () => {
  let full: TestMarket;
  let db: Store;

  beforeAll(async () => {
    db = await openTestStore();
    full = await startTestMarket({ tickers: FULL_MARKET, asOf: DAY, historyYears: 1 });
    const assets = [fintraUniverse, companyProfiles, industryClassification, assetIndustryMap];
    const summary = await runAssets(assets, "*", marketResources(db, full), { partition: DAY });
    expect(summary.exitCode).toBe(0);
  }, 600_000);

  afterAll(async () => {
    await full?.close();
    await db?.close();
  });

  it("fintra_snapshots' plan (the tickers of each chunk) stays far below 2 MB", async () => {
    const plan = await planSnapshotChunks(db, DAY, null, SNAPSHOT_CHUNK_TICKERS);
    const bytes = jsonBytes({ ...plan, updatedAt: new Date().toISOString() });
    console.info(
      `fintra_snapshots plan at ${plan.tickers} equities: ${plan.chunks.length} chunks, ${(bytes / 1024).toFixed(0)} KB`,
    );
    expect(plan.tickers).toBeGreaterThan(FULL_MARKET / 2);
    // The plan, a step per chunk and the prune step.
    expect(plan.chunks.length + 2).toBeLessThan(MAX_STEPS);
    expect(bytes).toBeLessThan(MAX_STEP_OUTPUT / 2);
  });

  it("the SEC jobs' listing plans (the documents to read) stay below 2 MB", async () => {
    const ctx = { ...marketResources(db, full), scope: null };
    const window = filingWindow(DAY);
    const cap = MAX_DOCUMENTS_PER_RUN;
    for (const [asset, plan] of [
      ["fintra_sec_event_signals", await planEventFilings(ctx, window)],
      ["fintra_sec_structural_signals", await planReportFilings(ctx, window)],
    ] as const) {
      const bytes = jsonBytes(plan);
      // A busier week lists more, up to the cap: the plan's size at the cap.
      const atCap = (jsonBytes(plan.due) / plan.due.length) * cap + (bytes - jsonBytes(plan.due));
      console.info(
        `${asset} plan at ${FULL_MARKET} tickers: ${plan.due.length} documents due, ${(bytes / 1024).toFixed(0)} KB (${(atCap / 1024).toFixed(0)} KB at the ${cap}-document cap)`,
      );
      expect(plan.due.length, asset).toBeGreaterThan(0);
      expect(atCap, asset).toBeLessThan(MAX_STEP_OUTPUT * 0.75);
    }
  });
});
