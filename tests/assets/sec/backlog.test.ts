/**
 * A week with more SEC filings than one run reads: the run reads its cap, says it left a
 * backlog, and both executors run it again until every document is read. Documents that
 * give no row (8-Ks without a listed item) are recorded, so the backlog shrinks every run
 * and a rerun fetches nothing. The cap is scaled down with `stepScale`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fintraUniverse from "../../../assets/fintra_universe.ts";
import { MAX_DOCUMENTS_PER_RUN, secDocumentsReadTable } from "../../../assets/sec/documents.ts";
import secEventSignals, {
  EVENT_ITEMS,
  secEventSignalsTable,
} from "../../../assets/sec/fintra_sec_event_signals.ts";
import type { Store } from "../../../db/index.ts";
import { createFunctions } from "../../../functions/index.ts";
import { AssetGraph } from "../../../runtime/graph.ts";
import type { Resources } from "../../../runtime/resources.ts";
import { filingWindow } from "../../../sources/sec/index.ts";
import { InngestBus } from "../../helpers/inngest-bus.ts";
import { marketResources, runAssets, type TestMarket } from "../../helpers/sandbox.ts";
import { openTestStore } from "../../helpers/store.ts";
import { activeFilings, MONDAY, startWeekMarket } from "./week.ts";

const CAP = 4;
const ASSETS = [fintraUniverse, secEventSignals];
let market: TestMarket;

beforeAll(async () => {
  market = await startWeekMarket();
});
afterAll(async () => {
  await market.close();
});

/** Resources whose document cap is CAP (every other per-step size shrinks alike). */
function cappedResources(store: Store): Resources {
  return { ...marketResources(store, market), stepScale: CAP / MAX_DOCUMENTS_PER_RUN };
}

/** The week's 8-Ks of active equities: those with a listed item, and all of them. */
async function weeksFilings(store: Store) {
  const all = await activeFilings(store, market, "8-K", filingWindow(MONDAY));
  return { all, withItem: all.filter((f) => f.items.some((i) => i in EVENT_ITEMS)) };
}

async function eventRuns(store: Store) {
  return (await store.ledger.history({ asset: "fintra_sec_event_signals", limit: 100 })).filter(
    (m) => m.status === "succeeded",
  );
}

describe("a capped SEC run in process", () => {
  let store: Store;
  beforeAll(async () => {
    store = await openTestStore();
  });
  afterAll(() => store.close());

  it("runs again until the backlog is read, then a rerun fetches nothing", async () => {
    const summary = await runAssets(ASSETS, "*", cappedResources(store), { partition: MONDAY });
    expect(summary.exitCode).toBe(0);
    const { all, withItem } = await weeksFilings(store);
    expect(all.length).toBeGreaterThan(3 * CAP);
    expect(all.length).toBeGreaterThan(withItem.length);

    const rows = await store.readAll(secEventSignalsTable);
    expect(new Set(rows.map((r) => r.ticker + r.sec_item))).toEqual(
      new Set(withItem.map((f) => f.symbol + f.items.find((i) => i in EVENT_ITEMS))),
    );
    const read = await store.readAll(secDocumentsReadTable);
    expect(read.length).toBe(all.length - withItem.length);
    expect(new Set(read.map((r) => r.outcome))).toEqual(new Set(["no_listed_item"]));

    const runs = await eventRuns(store);
    expect(runs.length).toBeGreaterThanOrEqual(Math.ceil(all.length / CAP));
    expect(runs.every((r) => Number(r.metadata.documentsDue) <= CAP)).toBe(true);
    expect(runs[0]?.metadata.backlog).toBe(0);
    const outcome = summary.outcomes.find((o) => o.asset === "fintra_sec_event_signals");
    expect(outcome?.rows).toBe(rows.length);

    // Every document is read or recorded: a forced rerun lists them and fetches none.
    await runAssets(ASSETS, "fintra_sec_event_signals", cappedResources(store), {
      partition: MONDAY,
      force: true,
    });
    const [rerun] = await eventRuns(store);
    expect(rerun?.metadata).toMatchObject({ documentsDue: 0, fetched: 0, backlog: 0 });
  });
});

describe("a capped SEC run under Inngest", () => {
  let store: Store;
  beforeAll(async () => {
    store = await openTestStore();
  });
  afterAll(() => store.close());

  it("requests itself, forced, until the backlog is read", async () => {
    const resources = cappedResources(store);
    const graph = new AssetGraph(ASSETS);
    expect((await runAssets(ASSETS, "fintra_universe", resources)).exitCode).toBe(0);
    const bus = new InngestBus();
    bus.register(createFunctions({ client: bus.client, graph, resources: async () => resources }));
    await bus.drain(
      { name: "fintra/asset.requested", data: { asset: "fintra_sec_event_signals" } },
      100,
    );
    const { all, withItem } = await weeksFilings(store);
    const continued = bus.sent.filter(
      (e) => e.name === "fintra/asset.requested" && e.data.force === true,
    );
    expect(continued.length).toBeGreaterThanOrEqual(Math.ceil(all.length / CAP) - 1);
    expect(continued.every((e) => e.data.asset === "fintra_sec_event_signals")).toBe(true);
    const rows = await store.readAll(secEventSignalsTable);
    expect(new Set(rows.map((r) => r.link)).size).toBe(withItem.length);
    const [last] = await eventRuns(store);
    expect(last?.metadata.backlog).toBe(0);
    expect(bus.executions.filter((e) => e.error)).toEqual([]);
  });
});
