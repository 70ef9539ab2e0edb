/** The in-process backfill over the test graph: order, skipping, forcing, holidays, latest-state once. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { backfill, backfillDates } from "../../assets/backfill.ts";
import type { Store } from "../../db/index.ts";
import { testResources } from "../helpers/resources.ts";
import { openTestStore } from "../helpers/store.ts";
import { createTestGraph, type TestGraph } from "../helpers/test-graph.ts";

const NOW = new Date("2026-11-28T12:00:00Z");
let store: Store;
let t: TestGraph;

beforeAll(async () => {
  store = await openTestStore();
});
afterAll(() => store.close());
beforeEach(() => {
  t = createTestGraph();
});

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
    t.calls.length = 0;
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
    t.calls.length = 0;
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

  it("reports a holiday and goes on", async () => {
    t.holidays.add("2026-11-26");
    const summary = await backfill(t.graph, "*", testResources(store, NOW), {
      from: "2026-11-26",
      to: "2026-11-27",
    });
    expect(summary.exitCode).toBe(0);
    expect(summary.days.map((d) => [d.partition, d.status])).toEqual([
      ["2026-11-26", "holiday"],
      ["2026-11-27", "done"],
    ]);
    expect(summary.days[0]?.note).toBe("no trading on 2026-11-26");
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
    expect(() => backfillDates("2026-11-28", "2026-11-29", NOW)).toThrow(/no trading dates/);
    expect(() => backfillDates("2026-11-20", "2026-12-04", NOW)).toThrow(/future/);
  });
});
