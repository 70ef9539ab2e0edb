/**
 * assetStatuses over the test graph and a real ledger: a partitioned asset is judged by the
 * day due now, so a backfill of older dates that ran (or failed) after the day's run does not
 * turn a fresh day stale or failed.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../../db/index.ts";
import { backfill } from "../../runtime/backfill.ts";
import { materialize } from "../../runtime/materialize.ts";
import { assetStatuses } from "../../runtime/status.ts";
import { testResources } from "../helpers/resources.ts";
import { openTestStore } from "../helpers/store.ts";
import { createTestGraph } from "../helpers/test-graph.ts";

const DAY = "2026-11-27";
const NOW = new Date(`${DAY}T23:00:00Z`);

let store: Store;
beforeEach(async () => {
  store = await openTestStore();
});
afterEach(() => store.close());

const stateOf = async (t: ReturnType<typeof createTestGraph>) =>
  Object.fromEntries(
    (await assetStatuses(store, t.graph, NOW)).map((s) => [s.key, [s.state, s.reason]]),
  );

describe("the state of a partitioned asset", () => {
  it("stays fresh for the day when older dates are backfilled after the day's run", async () => {
    const t = createTestGraph();
    const resources = testResources(store, NOW);
    expect((await materialize(t.graph, "*", resources, { partition: DAY })).exitCode).toBe(0);
    const range = { from: "2026-11-16", to: "2026-11-20" };
    expect((await backfill(t.graph, "prices", resources, range)).exitCode).toBe(0);
    expect((await stateOf(t)).prices).toEqual(["fresh", ""]);

    // A backfill date that fails is not the day's state either.
    t.failing.add("prices");
    const failed = await backfill(t.graph, "prices", resources, {
      from: "2026-11-13",
      to: "2026-11-13",
    });
    expect(failed.exitCode).toBe(1);
    const [prices] = (await assetStatuses(store, t.graph, NOW)).filter((s) => s.key === "prices");
    expect(prices?.state).toBe("fresh");
    expect(prices?.lastSuccess?.partition).toBe(DAY);
  });

  it("is stale when only older dates were materialized, failed when the day's run failed", async () => {
    const t = createTestGraph();
    const resources = testResources(store, NOW);
    await materialize(t.graph, "universe", resources, { partition: DAY });
    await backfill(t.graph, "prices", resources, { from: "2026-11-23", to: "2026-11-25" });
    expect((await stateOf(t)).prices).toEqual([
      "stale",
      `last materialized for 2026-11-25, expected ${DAY}`,
    ]);
    t.failing.add("prices");
    await materialize(t.graph, "prices", resources, { partition: DAY });
    expect((await stateOf(t)).prices).toEqual(["failed", "prices exploded on purpose"]);
  });
});
