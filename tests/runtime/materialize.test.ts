/**
 * The in-process executor on a real PGlite: dependency order, exactly-once,
 * the shared gate, failures that stop downstream but not siblings, scopes,
 * and exit codes. One database serves them all: each test starts from a store
 * that never ran the test graph.
 */
import { spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Materialization, Store } from "../../db/index.ts";
import { defineAsset } from "../../runtime/define.ts";
import { AssetGraph } from "../../runtime/graph.ts";
import { materialize } from "../../runtime/materialize.ts";
import type { Resources } from "../../runtime/resources.ts";
import { testResources } from "../helpers/resources.ts";
import { forgetRuns, openTestStore } from "../helpers/store.ts";
import { createTestGraph, type TestGraph } from "../helpers/test-graph.ts";
import { testRows } from "../helpers/test-table.ts";

let store: Store;
let resources: Resources;
let t: TestGraph;

beforeAll(async () => {
  store = await openTestStore();
  resources = testResources(store, new Date("2026-11-28T12:00:00Z"));
});
afterAll(() => store.close());
beforeEach(async () => {
  t = createTestGraph();
  await forgetRuns(store, [...t.graph.order]);
});

const statuses = (summary: Awaited<ReturnType<typeof materialize>>) =>
  Object.fromEntries(summary.outcomes.map((o) => [o.asset, o.status]));

describe("materialize (in process)", () => {
  it("runs every asset once, after its deps, and writes their rows", async () => {
    const summary = await materialize(t.graph, "*", resources, { partition: "2026-01-05" });
    expect(summary.exitCode).toBe(0);
    expect(Object.values(statuses(summary))).toEqual(Array(5).fill("succeeded"));
    const order = t.calls.map((c) => c.asset);
    expect(new Set(order).size).toBe(5);
    for (const call of t.calls) {
      for (const dep of t.graph.get(call.asset).deps)
        expect(order.indexOf(dep)).toBeLessThan(order.indexOf(call.asset));
    }
    expect(t.calls.find((c) => c.asset === "valuation")?.upstream).toEqual([
      "financials",
      "prices",
    ]);
    const rows = await store.readAll(testRows, { where: { day: "2026-01-05" } });
    expect(rows).toHaveLength(20);
  });

  it("is a no-op when everything is up to date, and records why", async () => {
    await materialize(t.graph, "*", resources, { partition: "2026-01-06" });
    t.calls.length = 0;
    const again = await materialize(t.graph, "*", resources, { partition: "2026-01-06" });
    expect(again.exitCode).toBe(0);
    expect(Object.values(statuses(again))).toEqual(Array(5).fill("fresh"));
    expect(t.calls).toEqual([]);
    const [decision] = await store.ledger.decisions({ asset: "snapshot", runDate: "2026-01-06" });
    expect(decision).toMatchObject({
      decision: "skip",
      reason: "up to date: no dep is newer than what it last read",
    });
  });

  it("reruns only what is downstream of a rematerialized asset", async () => {
    await materialize(t.graph, "*", resources, { partition: "2026-01-07" });
    t.calls.length = 0;
    await materialize(t.graph, "prices", resources, { partition: "2026-01-07", force: true });
    const downstream = await materialize(t.graph, "prices+", resources, {
      partition: "2026-01-07",
    });
    expect(statuses(downstream)).toEqual({
      prices: "fresh",
      valuation: "succeeded",
      snapshot: "succeeded",
    });
    expect(t.calls.map((c) => c.asset)).toEqual(["prices", "valuation", "snapshot"]);
    const [decision] = await store.ledger.decisions({ asset: "valuation", runDate: "2026-01-07" });
    expect(decision?.reason).toBe("newer upstream: prices");
  });

  it("stops the downstream of a failed asset but not its siblings, and exits 1", async () => {
    t.failing.add("financials");
    const summary = await materialize(t.graph, "*", resources, { partition: "2026-01-08" });
    expect(summary.exitCode).toBe(1);
    expect(statuses(summary)).toEqual({
      universe: "succeeded",
      prices: "succeeded",
      financials: "failed",
      valuation: "blocked",
      snapshot: "blocked",
    });
    expect(summary.outcomes.find((o) => o.asset === "financials")?.reason).toBe(
      "financials exploded on purpose",
    );
    const [failed] = await store.ledger.history({ asset: "financials", limit: 1 });
    expect(failed).toMatchObject({ status: "failed", error: "financials exploded on purpose" });
    const [why] = await store.ledger.decisions({ asset: "valuation", runDate: "2026-01-08" });
    expect(why).toMatchObject({ decision: "wait", blocked: ["financials"] });

    // Fixed and rerun: the failed asset and its downstream run; the rest is fresh.
    t.failing.clear();
    t.calls.length = 0;
    const rerun = await materialize(t.graph, "*", resources, { partition: "2026-01-08" });
    expect(rerun.exitCode).toBe(0);
    expect(t.calls.map((c) => c.asset)).toEqual(["financials", "valuation", "snapshot"]);
  });

  it("never runs on a dep whose last run failed, even from another invocation", async () => {
    await materialize(t.graph, "*", resources, { partition: "2026-01-09" });
    t.failing.add("prices");
    await materialize(t.graph, "prices", resources, { partition: "2026-01-09", force: true });
    t.calls.length = 0;
    const summary = await materialize(t.graph, "valuation", resources, {
      partition: "2026-01-09",
      force: true,
    });
    expect(summary.exitCode).toBe(3);
    expect(summary.outcomes[0]).toMatchObject({
      status: "waiting",
      reason: "last run of prices failed",
    });
    expect(t.calls).toEqual([]);
  });

  it("waits (exit 3) when deps outside the selection are missing", async () => {
    const summary = await materialize(t.graph, "valuation", resources, { partition: "2026-01-12" });
    expect(summary.exitCode).toBe(3);
    expect(summary.outcomes[0]).toMatchObject({
      status: "waiting",
      reason: "waiting for prices, financials",
    });
  });

  it("cascades a scope downstream; a scoped run never satisfies a full-scope gate", async () => {
    const scoped = await materialize(t.graph, "*", resources, {
      partition: "2026-01-13",
      scope: { tickers: ["bbb"] },
    });
    expect(scoped.exitCode).toBe(0);
    expect(t.calls.every((c) => c.scopeKey === "BBB")).toBe(true);
    const rows = await store.readAll(testRows, { where: { day: "2026-01-13" } });
    expect(new Set(rows.map((r) => r.ticker))).toEqual(new Set(["BBB"]));
    const [m] = await store.ledger.history({ asset: "snapshot", limit: 1 });
    expect(m).toMatchObject({ scopeKey: "tickers:BBB", scope: { tickers: ["BBB"] } });

    const full = await materialize(t.graph, "valuation", resources, { partition: "2026-01-13" });
    expect(full.outcomes[0]).toMatchObject({
      status: "waiting",
      reason: "waiting for prices, financials",
    });
  });

  it("refuses a weekend partition before writing anything", async () => {
    await expect(materialize(t.graph, "*", resources, { partition: "2026-01-10" })).rejects.toThrow(
      /Saturday/,
    );
    expect(await store.ledger.decisions({ runDate: "2026-01-10" })).toEqual([]);
  });
});

describe("latest-state deps of scheduled assets", () => {
  it("accept a dep up to depLookbackDays older than the run's day", async () => {
    const root = defineAsset({
      key: "weekly_root",
      description: "latest-state root",
      deps: [],
      partitioned: false,
      materialize: async () => ({ rows: 1 }),
    });
    const strict = defineAsset({
      key: "strict_reader",
      description: "needs the root from its own day",
      deps: ["weekly_root"],
      partitioned: false,
      materialize: async () => ({ rows: 1 }),
    });
    const weekly = defineAsset({
      key: "weekly_reader",
      description: "accepts last week's root",
      deps: ["weekly_root"],
      partitioned: false,
      cron: "0 7 * * 1",
      depLookbackDays: 7,
      materialize: async () => ({ rows: 1 }),
    });
    const graph = new AssetGraph([root, strict, weekly]);
    const friday = await materialize(graph, "weekly_root", resources, { partition: "2026-02-20" });
    expect(friday.exitCode).toBe(0);
    const monday = await materialize(graph, "strict_reader,weekly_reader", resources, {
      partition: "2026-02-23",
    });
    expect(Object.fromEntries(monday.outcomes.map((o) => [o.asset, o.status]))).toEqual({
      strict_reader: "waiting",
      weekly_reader: "succeeded",
    });
    expect(() => defineAsset({ ...weekly, depLookbackDays: -1 })).toThrow(/depLookbackDays/);
  });
});

/** A running row for `asset` on `day`, owned by a process of this host that has exited. */
async function leftByDeadProcess(asset: string, day: string): Promise<Materialization> {
  const pid = spawnSync(process.execPath, ["-e", ""]).pid as number;
  const row = await store.ledger.start(
    {
      asset,
      partition: day,
      runDate: day,
      scope: null,
      trigger: "killed",
      executor: "in-process",
      runId: "local-killed",
      upstream: [],
      owner: { host: hostname(), pid },
    },
    { ...gateRun(asset, day) },
    { staleAfterMs: 6 * 3_600_000, supersede: false },
  );
  return row as Materialization;
}

const gateRun = (asset: string, day: string) => ({
  asset,
  partition: day,
  runDate: day,
  scopeKey: "",
  trigger: "killed",
  decision: "run" as const,
  reason: "test",
  missing: [],
  inProgress: [],
  blocked: [],
});

describe("runs whose process is gone", () => {
  it("a rerun takes over at once from a row whose process died (no 'already running')", async () => {
    const dead = await leftByDeadProcess("prices", "2026-01-14");
    const summary = await materialize(t.graph, "*", resources, { partition: "2026-01-14" });
    expect(summary.exitCode).toBe(0);
    expect(statuses(summary).prices).toBe("succeeded");
    expect(await store.ledger.get(dead.id)).toMatchObject({
      status: "failed",
      error: `abandoned: process ${dead.owner?.pid} on ${hostname()} is gone`,
    });
    expect(await store.ledger.running("prices", "2026-01-14", "")).toBeNull();
  });

  it("downstream never waits on a dead dep's row: it is closed, and counts as a failed run", async () => {
    await materialize(t.graph, "*", resources, { partition: "2026-01-15" });
    const dead = await leftByDeadProcess("prices", "2026-01-15");
    const waiting = await materialize(t.graph, "valuation", resources, {
      partition: "2026-01-15",
      force: true,
    });
    expect(waiting.outcomes[0]).toMatchObject({
      status: "waiting",
      reason: "last run of prices failed",
    });
    expect((await store.ledger.get(dead.id))?.status).toBe("failed");
    const healed = await materialize(t.graph, "prices+", resources, { partition: "2026-01-15" });
    expect(healed.exitCode).toBe(0);
    expect(statuses(healed)).toEqual({
      prices: "succeeded",
      valuation: "succeeded",
      snapshot: "succeeded",
    });
  });

  it("keeps the asset's error when ledger.fail throws; the next run supersedes the row", async () => {
    const brokenLedger = Object.create(store.ledger, {
      fail: {
        value: async () => {
          throw new Error("ledger unreachable");
        },
      },
    });
    const brokenStore = Object.create(store, { ledger: { value: brokenLedger } }) as Store;
    t.failing.add("financials");
    const summary = await materialize(
      t.graph,
      "*",
      { ...resources, db: brokenStore },
      {
        partition: "2026-01-16",
      },
    );
    expect(summary.exitCode).toBe(1);
    const financials = summary.outcomes.find((o) => o.asset === "financials");
    expect(financials?.reason).toMatch(
      /^financials exploded on purpose \(the ledger could not record this failure: ledger unreachable;/,
    );
    const stuck = await store.ledger.running("financials", "2026-01-16", "");
    expect(stuck?.id).toBe(financials?.materializationId);

    t.failing.clear();
    const rerun = await materialize(t.graph, "*", resources, { partition: "2026-01-16" });
    expect(rerun.exitCode).toBe(0);
    expect((await store.ledger.get(stuck?.id as string))?.error).toBe(
      `abandoned: process ${process.pid} on ${hostname()} no longer runs it`,
    );
  });
});
