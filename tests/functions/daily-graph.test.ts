/**
 * The real daily graph under Inngest: every registered asset's function,
 * driven from one cron event of the root, each sent event fed to the
 * functions its trigger expressions (CEL) select, on the sandbox market.
 * fintra_snapshots must run exactly once, after all of its deps.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graph } from "../../assets/index.ts";
import type { Store } from "../../db/index.ts";
import { createFunctions } from "../../functions/index.ts";
import { backfill } from "../../runtime/backfill.ts";
import { DAY, PRICE_RANGES, tickingResources } from "../assets/snapshot/graph.ts";
import { CRON_EVENT, InngestBus } from "../helpers/inngest-bus.ts";
import { startTestMarket, type TestMarket } from "../helpers/sandbox.ts";
import { openTestStore } from "../helpers/store.ts";

let store: Store;
let market: TestMarket;
let bus: InngestBus;

beforeAll(async () => {
  store = await openTestStore();
  market = await startTestMarket({ tickers: 50, asOf: DAY, historyYears: 4 });
  const resources = tickingResources(store, market);
  // Price history before the day (the day itself comes from the cron's run).
  for (const [from, to] of PRICE_RANGES) {
    const end = to === DAY ? "2026-11-25" : to;
    const summary = await backfill(graph, "fintra_universe,datos_eod", resources, {
      from,
      to: end,
    });
    expect(summary.exitCode).toBe(0);
  }
  bus = new InngestBus();
  bus.register(createFunctions({ client: bus.client, graph, resources: async () => resources }));
  await bus.drain({ name: CRON_EVENT, data: { function: "fintra_universe" } }, 1_000);
}, 240_000);

afterAll(async () => {
  await market.close();
  await store.close();
});

describe("one daily cron event under Inngest", () => {
  it("materializes every daily asset for the day exactly once", async () => {
    const scheduled = graph.order.filter((k) => graph.get(k).cron && graph.get(k).deps.length > 0);
    for (const key of graph.order) {
      const runs = (await store.ledger.history({ asset: key, limit: 50 })).filter(
        (m) => m.status === "succeeded" && m.runDate === DAY && m.scopeKey === "",
      );
      if (scheduled.includes(key)) expect(runs, key).toHaveLength(0);
      else expect(runs, key).toHaveLength(1);
    }
    // (The price backfill before the day met exchange holidays; those failures are expected.)
    const failed = (await store.ledger.history({ limit: 500 })).filter(
      (m) => m.status === "failed" && m.runDate === DAY,
    );
    expect(failed.map((m) => [m.asset, m.runDate, m.error])).toEqual([]);
  });

  it("runs fintra_snapshots once, after every one of its deps, and market_state after it", async () => {
    const [snapshot] = await store.ledger.history({ asset: "fintra_snapshots", limit: 5 });
    expect(snapshot?.status).toBe("succeeded");
    for (const dep of graph.get("fintra_snapshots").deps) {
      const [depRun] = (await store.ledger.history({ asset: dep, limit: 5 })).filter(
        (m) => m.status === "succeeded",
      );
      expect(Date.parse(depRun?.finishedAt as string), dep).toBeLessThanOrEqual(
        Date.parse(snapshot?.startedAt as string),
      );
      expect(snapshot?.upstream.find((u) => u.asset === dep)?.id, dep).toBe(depRun?.id);
    }
    const [state] = await store.ledger.history({ asset: "market_state", limit: 1 });
    expect(Date.parse(state?.startedAt as string)).toBeGreaterThanOrEqual(
      Date.parse(snapshot?.finishedAt as string),
    );
    const runs = bus.executions.filter((e) => e.functionId === "fintra_snapshots");
    const ran = runs.filter(
      (e) => (e.result as { decision?: string } | undefined)?.decision === "run",
    );
    expect(ran).toHaveLength(1);
    expect(runs.length).toBeGreaterThan(1);
  });

  it("leaves every check passing and writes a snapshot per active equity", async () => {
    const rows = await store.readOnlyQuery(
      `SELECT count(*)::int AS n FROM fintra_snapshots WHERE snapshot_date = '${DAY}'`,
    );
    const equities = await store.readOnlyQuery(
      "SELECT count(*)::int AS n FROM fintra_universe WHERE is_active AND instrument_type = 'EQUITY'",
    );
    expect(rows[0]?.n).toBeGreaterThan(0);
    expect(Number(rows[0]?.n)).toBeLessThanOrEqual(Number(equities[0]?.n));
    const failedChecks = await store.readOnlyQuery(
      "SELECT asset, check_name, message FROM fintra_check_results WHERE NOT passed AND severity = 'error'",
    );
    expect(failedChecks).toEqual([]);
  });
});
