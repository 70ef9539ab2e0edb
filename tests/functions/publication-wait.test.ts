/**
 * datos_eod as an Inngest function (under @inngest/test, on the sandbox and a real ledger)
 * when the exchange calendar says "no trading" or FMP's file is late: a requested holiday is
 * a recorded skip; an empty file on a trading day sleeps and retries for a bounded time, then
 * fails with the reason, and no ledger row is left running.
 */
import { InngestTestEngine, mockCtx } from "@inngest/test";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import datosEod, { datosEodTable } from "../../assets/datos_eod.ts";
import fintraUniverse from "../../assets/fintra_universe.ts";
import type { Store } from "../../db/index.ts";
import { createAssetFunction } from "../../functions/asset-function.ts";
import { AssetGraph } from "../../runtime/graph.ts";
import { materialize } from "../../runtime/materialize.ts";
import { lazySec, type Resources } from "../../runtime/resources.ts";
import { InngestBus } from "../helpers/inngest-bus.ts";
import { startTestMarket, type TestMarket } from "../helpers/sandbox.ts";
import { forgetRuns, openTestStore } from "../helpers/store.ts";

const FRIDAY = "2026-12-04";
const EVENING = new Date(`${FRIDAY}T23:00:00Z`);
const graph = new AssetGraph([fintraUniverse, datosEod]);

let store: Store;
let late: TestMarket;
let published: TestMarket;
let serving: TestMarket;
let resources: Resources;

beforeAll(async () => {
  store = await openTestStore();
  // The sandbox publishes up to its asOf: Thursday's market has no file for Friday yet.
  late = await startTestMarket({ tickers: 30, asOf: "2026-12-03" });
  published = await startTestMarket({ tickers: 30, asOf: FRIDAY });
  serving = late;
  resources = { db: store, fmp: () => serving.fmp(), sec: lazySec({}), now: () => EVENING };
  const universe = await materialize(graph, "fintra_universe", resources, { partition: FRIDAY });
  expect(universe.exitCode).toBe(0);
});
afterAll(async () => {
  await late.close();
  await published.close();
  await store.close();
});
afterEach(() => {
  vi.unstubAllEnvs();
  serving = late;
});

/** Runs datos_eod's function for a requested day; sleeps return at once and are recorded. */
async function request(partition: string, onSleep: (id: string) => void = () => {}) {
  const bus = new InngestBus();
  const fn = createAssetFunction(datosEod, {
    client: bus.client,
    graph,
    resources: async () => resources,
  });
  const sleeps = new Map<string, unknown>();
  const engine = new InngestTestEngine({
    function: fn,
    transformCtx: (raw) => {
      const ctx = mockCtx(raw);
      ctx.step.sleep = (async (id: string, duration: unknown) => {
        sleeps.set(id, duration);
        onSleep(id);
      }) as typeof ctx.step.sleep;
      return ctx;
    },
  });
  const out = await engine.execute({
    events: [{ name: "fintra/asset.requested", data: { asset: "datos_eod", partition } }],
  });
  return { ...out, sleeps, bus };
}

/** Each Friday story starts from a day datos_eod never ran: no ledger rows, no prices. */
async function forgetFriday(): Promise<void> {
  await forgetRuns(store, ["datos_eod"]);
  await store.delete(datosEodTable, { price_date: FRIDAY });
}

const runsOn = async (day: string) =>
  (await store.ledger.history({ asset: "datos_eod", limit: 100 })).filter((m) => m.runDate === day);

describe("datos_eod under Inngest", () => {
  it("records a requested holiday as a skip naming it, never a failed run", async () => {
    const out = await request("2026-11-26");
    expect(out.error).toBeUndefined();
    const reason =
      "2026-11-26 is Thanksgiving Day: no trading; the trading date before it is 2026-11-25";
    expect(out.result).toEqual({ decision: "skip", reason });
    const [decision] = await store.ledger.decisions({ asset: "datos_eod", runDate: "2026-11-26" });
    expect(decision).toMatchObject({ decision: "skip", reason });
    expect(await runsOn("2026-11-26")).toEqual([]);
  });

  it("sleeps and retries a late file for a bounded time, then fails saying why", async () => {
    vi.stubEnv("FINTRA_PUBLICATION_RETRY_MINUTES", "60");
    vi.stubEnv("FINTRA_PUBLICATION_WAIT_HOURS", "3");
    await forgetFriday();
    const out = await request(FRIDAY);
    expect([...out.sleeps.entries()]).toEqual([
      ["wait-for-publication-1", "60m"],
      ["wait-for-publication-2", "60m"],
    ]);
    expect(out.error).toMatchObject({
      name: "NonRetriableError",
      message: `prices for ${FRIDAY} are not published yet: FMP's EOD file for that trading day is empty; retry later (gave up after 3 tries, 60 min apart)`,
    });
    const runs = await runsOn(FRIDAY);
    expect(runs.map((m) => m.status)).toEqual(["failed", "failed", "failed"]);
    expect(runs.every((m) => m.error?.includes("not published yet"))).toBe(true);
    expect(await store.readAll(datosEodTable, { where: { price_date: FRIDAY } })).toEqual([]);
  });

  it("loads the day once the file is published during the wait, and announces it", async () => {
    await forgetFriday();
    const out = await request(FRIDAY, () => {
      serving = published;
    });
    expect(out.error).toBeUndefined();
    expect([...out.sleeps.keys()]).toEqual(["wait-for-publication-1"]);
    expect(out.result).toMatchObject({ decision: "run", blockingCheck: null });
    const runs = await runsOn(FRIDAY);
    expect(runs.map((m) => m.status)).toEqual(["succeeded", "failed"]);
    const prices = await store.readAll(datosEodTable, { where: { price_date: FRIDAY } });
    expect(prices.length).toBeGreaterThan(15);
    expect(out.bus.sent.map((e) => [e.name, e.data.asset])).toEqual([
      ["fintra/asset.materialized", "datos_eod"],
    ]);
  });
});
