/**
 * A chunked partition writer killed midway (issue 10, finding 12): datos_performance, cut
 * into several steps, dies at its 1st write, its 2nd, ... (a chunk step or the publish).
 * Each time the day's rows are exactly what they were before the run (no chunk's rows
 * visible, nothing of the old day lost), and the next ordinary run (forced, as an operator
 * reruns a failed day) publishes the complete day, equal to a clean run's rows. Before the
 * fix each chunk upserted and pruned its own range, so a run killed at chunk 2 left chunk
 * 1's rows published beside the old ones.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import datosEod from "../../../assets/datos_eod.ts";
import fintraUniverse from "../../../assets/fintra_universe.ts";
import datosPerformance, {
  datosPerformanceTable,
} from "../../../assets/performance/datos_performance.ts";
import type { Store } from "../../../db/index.ts";
import type { Resources } from "../../../runtime/resources.ts";
import { failingStore } from "../../helpers/failing-store.ts";
import { marketResources, runAssets, type TestMarket } from "../../helpers/sandbox.ts";
import { closePricedMarket, openPricedMarket } from "./priced-market.ts";

const DAY = "2026-11-25";
const ASSETS = [fintraUniverse, datosEod, datosPerformance];
let store: Store;
let market: TestMarket;
/** About five tickers a step: a 24-ticker market takes several chunk steps. */
const STEP_SCALE = 0.005;

beforeAll(async () => {
  ({ store, market } = await openPricedMarket({
    assets: ASSETS,
    day: DAY,
    tickers: 24,
    historyYears: 1,
    window: "1M",
  }));
});
afterAll(() => closePricedMarket(store, market));

/** The day's rows in key order, as JSON. */
async function day(): Promise<unknown[]> {
  return store.readOnlyQuery(
    `SELECT to_jsonb(t) AS row FROM datos_performance t
      WHERE performance_date = DATE '${DAY}' ORDER BY ticker, window_code`,
  );
}

function resources(db: Store): Resources {
  return { ...marketResources(db, market), stepScale: STEP_SCALE };
}

describe("datos_performance killed midway", () => {
  it("leaves the day as it was at every kill point; the next run publishes it whole", async () => {
    const clean = await runAssets(ASSETS, "datos_performance", resources(store), {
      partition: DAY,
    });
    expect(clean.outcomes.map((o) => o.status)).toEqual(["succeeded"]);
    const [cleanRun] = await store.ledger.history({ asset: "datos_performance", limit: 1 });
    expect(Number(cleanRun?.metadata.chunks)).toBeGreaterThan(2);
    const cleanDay = await day();
    // A day written by an older build: stale figures, a window no longer produced.
    const [first] = await store.readAll(datosPerformanceTable, {
      where: { performance_date: DAY },
    });
    await store.update(datosPerformanceTable, { performance_date: DAY }, { return_percent: 0 });
    await store.upsert(datosPerformanceTable, [
      { ...(first as NonNullable<typeof first>), ticker: "ZZZ-GONE" },
    ]);
    const before = await day();

    let failAt = 1;
    for (; ; failAt++) {
      const dying = failingStore(store, failAt);
      const run = await runAssets(ASSETS, "datos_performance", resources(dying.store), {
        partition: DAY,
        force: true,
      });
      if (run.exitCode === 0) break;
      expect(run.outcomes[0]?.reason ?? "").toMatch(/injected fault/);
      expect(await day(), `killed at write ${failAt}`).toEqual(before);
    }
    // One kill point per chunk step and one at the publish.
    expect(failAt).toBeGreaterThan(Number(cleanRun?.metadata.chunks) + 1);
    expect(await day()).toEqual(cleanDay);
    const history = await store.ledger.history({ asset: "datos_performance", limit: 2 });
    expect(history.map((m) => m.status)).toEqual(["succeeded", "failed"]);
    expect(history[0]?.metadata.pruned).toBe(1);
  });
});
