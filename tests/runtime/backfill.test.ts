/**
 * The in-process backfill over the test graph: order, skipping, forcing, the exchange
 * calendar's holidays (passed over and listed, never run), latest-state once.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../../db/index.ts";
import { backfill, backfillDates } from "../../runtime/backfill.ts";
import { testResources } from "../helpers/resources.ts";
import { forgetRuns, openTestStore } from "../helpers/store.ts";
import { createTestGraph, type TestGraph } from "../helpers/test-graph.ts";

const NOW = new Date("2026-11-28T12:00:00Z");
let store: Store;
let t: TestGraph;

beforeAll(async () => {
  store = await openTestStore();
});
afterAll(() => store.close());
// Each test starts from a store that never ran the test graph.
beforeEach(async () => {
  t = createTestGraph();
  await forgetRuns(store, [...t.graph.order]);
});

/** Backfills the graph over a range with a graph of its own: a test's precondition. */
async function backfilled(from: string, to: string) {
  const summary = await backfill(createTestGraph().graph, "*", testResources(store, NOW), {
    from,
    to,
  });
  expect(summary.exitCode).toBe(0);
}

describe("backfill", () => {
  it("runs latest-state assets once, then each trading date oldest first", async () => {
    const summary = await backfill(t.graph, "*", testResources(store, NOW), {
      from: "2026-11-19",
      to: "2026-11-24",
    });
    expect(summary.exitCode).toBe(0);
    expect(summary.days.map((d) => [d.partition, d.status])).toEqual([
      ["2026-11-19", "done"],
      ["2026-11-20", "done"],
      ["2026-11-23", "done"],
      ["2026-11-24", "done"],
    ]);
    const universe = t.calls.filter((c) => c.asset === "universe");
    expect(universe).toEqual([expect.objectContaining({ runDate: "2026-11-27" })]);
    const priceDays = t.calls.filter((c) => c.asset === "prices").map((c) => c.runDate);
    expect(priceDays).toEqual(["2026-11-19", "2026-11-20", "2026-11-23", "2026-11-24"]);
  });

  it("skips dates already materialized, even after the universe refreshed", async () => {
    await backfilled("2026-11-19", "2026-11-24");
    const summary = await backfill(t.graph, "*", testResources(store, NOW), {
      from: "2026-11-19",
      to: "2026-11-25",
    });
    expect(summary.days.map((d) => d.status)).toEqual(["fresh", "fresh", "fresh", "fresh", "done"]);
    expect(t.calls.filter((c) => c.asset !== "universe").map((c) => c.runDate)).toEqual(
      Array(4).fill("2026-11-25"),
    );
  });

  it("reruns every date with force", async () => {
    await backfilled("2026-11-19", "2026-11-20");
    const summary = await backfill(t.graph, "prices", testResources(store, NOW), {
      from: "2026-11-19",
      to: "2026-11-20",
      force: true,
    });
    expect(summary.days.map((d) => d.status)).toEqual(["done", "done"]);
    expect(t.calls.map((c) => [c.asset, c.runDate])).toEqual([
      ["prices", "2026-11-19"],
      ["prices", "2026-11-20"],
    ]);
  });

  it("passes over a holiday, lists it, and runs nothing for it", async () => {
    const summary = await backfill(t.graph, "*", testResources(store, NOW), {
      from: "2026-11-26",
      to: "2026-11-27",
    });
    expect(summary.exitCode).toBe(0);
    expect(summary.days.map((d) => [d.partition, d.status])).toEqual([["2026-11-27", "done"]]);
    expect(summary.holidays).toEqual([{ date: "2026-11-26", name: "Thanksgiving Day" }]);
    expect(t.calls.some((c) => c.runDate === "2026-11-26")).toBe(false);
    expect((await store.ledger.history({})).some((m) => m.runDate === "2026-11-26")).toBe(false);
  });

  it("still reports an asset that finds the market closed as a holiday, not a failure", async () => {
    t.holidays.add("2026-11-13");
    const summary = await backfill(t.graph, "*", testResources(store, NOW), {
      from: "2026-11-13",
      to: "2026-11-13",
    });
    expect(summary.exitCode).toBe(0);
    expect(summary.days[0]).toMatchObject({ status: "holiday", note: "no trading on 2026-11-13" });
  });

  it("exits 1 when a date fails", async () => {
    t.failing.add("snapshot");
    const summary = await backfill(t.graph, "*", testResources(store, NOW), {
      from: "2026-11-18",
      to: "2026-11-18",
    });
    expect(summary.exitCode).toBe(1);
    expect(summary.days[0]).toMatchObject({
      status: "failed",
      note: "snapshot: snapshot exploded on purpose",
    });
  });

  it("validates the range before doing anything", () => {
    expect(() => backfillDates("2026-11-27", "2026-11-20", NOW)).toThrow(/after/);
    expect(() => backfillDates("2026-11-21", "2026-11-22", NOW)).toThrow(/no trading dates/);
    expect(() => backfillDates("2026-11-26", "2026-11-26", NOW)).toThrow(
      "no trading dates between 2026-11-26 and 2026-11-26 (closed: 2026-11-26 Thanksgiving Day)",
    );
    expect(() => backfillDates("1900-01-01", "2000-01-05", NOW)).toThrow(/before 2000-01-03/);
    expect(() => backfillDates("2026-11-20", "2026-12-04", NOW)).toThrow(/future/);
  });
});

describe("a year's backfill", () => {
  it("runs every trading day once, fails none, and lists the year's holidays", async () => {
    const graph = createTestGraph();
    const summary = await backfill(graph.graph, "+prices", testResources(store, NOW), {
      from: "2025-11-03",
      to: "2026-11-02",
    });
    expect(summary.exitCode).toBe(0);
    expect(summary.days.every((d) => d.status === "done")).toBe(true);
    expect(summary.days).toHaveLength(251); // 261 weekdays less 10 holidays
    expect(summary.holidays.map((h) => `${h.date} ${h.name}`)).toEqual([
      "2025-11-27 Thanksgiving Day",
      "2025-12-25 Christmas Day",
      "2026-01-01 New Year's Day",
      "2026-01-19 Martin Luther King Jr. Day",
      "2026-02-16 Washington's Birthday",
      "2026-04-03 Good Friday",
      "2026-05-25 Memorial Day",
      "2026-06-19 Juneteenth",
      "2026-07-03 Independence Day",
      "2026-09-07 Labor Day",
    ]);
    const runs = (await store.ledger.history({ asset: "prices", limit: 2000 })).filter(
      (m) => m.runDate >= "2025-11-03" && m.runDate <= "2026-11-02",
    );
    expect(runs.filter((m) => m.status !== "succeeded")).toEqual([]);
    expect(new Set(runs.map((m) => m.partition)).size).toBe(251);
  });
});
