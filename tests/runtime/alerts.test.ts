/**
 * Alerts in process, over the test graph and a real ledger: the day's deadline missed
 * (a run that leaves the graph half done past it) and met again, a run over its budget,
 * a failure and its recovery; each condition opens one alert, whatever repeats it.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../../db/index.ts";
import { dailyDeadline, watchConditions } from "../../runtime/alerts.ts";
import { AssetGraph } from "../../runtime/graph.ts";
import { materialize } from "../../runtime/materialize.ts";
import { testResources } from "../helpers/resources.ts";
import { openTestStore } from "../helpers/store.ts";
import { createTestGraph } from "../helpers/test-graph.ts";

const FRIDAY = "2026-11-27";
/** Saturday 07:00 New York: Friday's 18:30 cron is 12.5 h old, its 3 h deadline long past. */
const SATURDAY_MORNING = new Date("2026-11-28T12:00:00Z");
/** Friday 19:00 New York: the cron fired 30 min ago, the deadline is ahead. */
const FRIDAY_EVENING = new Date("2026-11-28T00:00:00Z");
const SETTINGS = { deadlineHours: 3, budgetMinutes: 60 };

let store: Store;
beforeEach(async () => {
  store = await openTestStore();
});
afterEach(() => store.close());

describe("the day's deadline", () => {
  it("is the root's cron in its time zone plus the configured hours", () => {
    const { graph } = createTestGraph();
    const d = dailyDeadline(graph, SATURDAY_MORNING, SETTINGS);
    expect(d?.root).toBe("universe");
    expect(d?.day).toBe(FRIDAY);
    expect(d?.firedAt.toISOString()).toBe("2026-11-27T23:30:00.000Z");
    expect(d?.deadline.toISOString()).toBe("2026-11-28T02:30:00.000Z");
    // On a Monday morning the last fire is Friday's.
    const monday = dailyDeadline(graph, new Date("2026-11-30T12:00:00Z"), SETTINGS);
    expect(monday?.day).toBe(FRIDAY);
  });

  it("raises one alert when a run leaves the day half done past it, and resolves it once", async () => {
    const t = createTestGraph();
    const resources = testResources(store, SATURDAY_MORNING);
    const half = await materialize(t.graph, "universe,prices", resources, {
      partition: FRIDAY,
      alerts: SETTINGS,
    });
    expect(half.alerts).toEqual([
      expect.objectContaining({
        status: "raised",
        alert: expect.objectContaining({
          kind: "deadline",
          asset: "snapshot",
          day: FRIDAY,
          metric: "daily_deadline",
          threshold: 3,
          link: `fintra why snapshot --date ${FRIDAY}`,
        }),
      }),
    ]);
    expect(half.alerts[0]?.alert.message).toMatch(
      /not fresh for 2026-11-27 12\.5 h after the universe cron/,
    );
    // The same condition again pages nobody.
    const again = await materialize(t.graph, "prices", resources, {
      partition: FRIDAY,
      force: true,
      alerts: SETTINGS,
    });
    expect(again.alerts).toEqual([]);
    const rest = await materialize(t.graph, "*", resources, {
      partition: FRIDAY,
      alerts: SETTINGS,
    });
    expect(rest.alerts.map((c) => [c.status, c.alert.kind])).toEqual([["resolved", "deadline"]]);
    expect(await store.ledger.alerts({ status: "open" })).toEqual([]);
  });

  it("is not judged before it passes, nor by a backfill or a run of another day", async () => {
    const t = createTestGraph();
    const evening = await materialize(t.graph, "universe", testResources(store, FRIDAY_EVENING), {
      partition: FRIDAY,
      alerts: SETTINGS,
    });
    expect(evening.alerts).toEqual([]);
    const other = await materialize(t.graph, "universe", testResources(store, SATURDAY_MORNING), {
      partition: "2026-11-25",
      alerts: SETTINGS,
    });
    expect(other.alerts).toEqual([]);
    const watched = await materialize(t.graph, "universe", testResources(store, SATURDAY_MORNING), {
      partition: FRIDAY,
      alerts: SETTINGS,
      watch: false,
    });
    expect(watched.alerts).toEqual([]);
  });

  it("says so when the cron never fired: no run of the day at all", async () => {
    const { graph } = createTestGraph();
    const found = await watchConditions(store, graph, SATURDAY_MORNING, SETTINGS);
    expect(found.raise).toEqual([
      expect.objectContaining({ kind: "deadline", asset: "snapshot", day: FRIDAY }),
    ]);
    expect(found.raise[0]?.message).toMatch(/: no run of it yet$/);
  });
});

describe("run budgets and failures", () => {
  it("raises a duration alert for a run over its budget, and for one still running past it", async () => {
    const t = createTestGraph();
    const slow = new AssetGraph(
      t.graph.order.map((k) => {
        const def = t.graph.get(k);
        return k === "prices" ? { ...def, durationBudgetMinutes: 1e-9 } : def;
      }),
    );
    const resources = testResources(store, FRIDAY_EVENING);
    const run = await materialize(slow, "universe,prices", resources, {
      partition: FRIDAY,
      alerts: SETTINGS,
    });
    expect(run.alerts.map((c) => [c.status, c.alert.kind, c.alert.asset])).toEqual([
      ["raised", "duration", "prices"],
    ]);
    expect(run.alerts[0]?.alert.metric).toBe("duration_budget");

    // A row left running (a stuck run) past the budget: the watch finds it.
    const stuck = await store.ledger.start(
      {
        asset: "financials",
        partition: FRIDAY,
        runDate: FRIDAY,
        scope: null,
        trigger: "test",
        executor: "inngest",
        runId: "stuck-run",
        upstream: [],
      },
      {
        asset: "financials",
        partition: FRIDAY,
        runDate: FRIDAY,
        scopeKey: "",
        trigger: "test",
        decision: "run",
        reason: "test",
        missing: [],
        inProgress: [],
        blocked: [],
      },
      { staleAfterMs: 60_000, supersede: false },
    );
    expect(stuck).not.toBeNull();
    const later = new Date(Date.now() + 2 * 3_600_000);
    const found = await watchConditions(store, t.graph, later, { ...SETTINGS, deadlineHours: 1e6 });
    expect(found.raise).toEqual([
      expect.objectContaining({ kind: "duration", asset: "financials", day: FRIDAY }),
    ]);
    expect(found.raise[0]?.message).toMatch(/has been running 1\d\d min, over its 60 min budget/);
  });

  it("raises a failure once per asset and day, and resolves it when the asset succeeds", async () => {
    const t = createTestGraph();
    const resources = testResources(store, FRIDAY_EVENING);
    t.failing.add("financials");
    const first = await materialize(t.graph, "universe,financials", resources, {
      partition: FRIDAY,
      alerts: SETTINGS,
    });
    expect(first.alerts.map((c) => [c.status, c.alert.kind, c.alert.asset])).toEqual([
      ["raised", "failure", "financials"],
    ]);
    expect(first.alerts[0]?.alert.message).toContain("financials exploded on purpose");
    const second = await materialize(t.graph, "financials", resources, {
      partition: FRIDAY,
      force: true,
      alerts: SETTINGS,
    });
    expect(second.exitCode).toBe(1);
    expect(second.alerts).toEqual([]);
    t.failing.clear();
    const healed = await materialize(t.graph, "financials", resources, {
      partition: FRIDAY,
      alerts: SETTINGS,
    });
    expect(healed.alerts.map((c) => [c.status, c.alert.kind])).toEqual([["resolved", "failure"]]);
  });
});
