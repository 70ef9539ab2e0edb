/**
 * The asset functions under @inngest/test, on a real PGlite ledger: the gate
 * as the first step, fan-in over two deps, and a whole cron-driven chain fed
 * event by event through real trigger expressions (CEL).
 */
import { evaluate } from "@marcbachmann/cel-js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../../db/index.ts";
import { markRunFailed, targetFromEvent } from "../../functions/asset-function.ts";
import { createFunctions } from "../../functions/index.ts";
import { assetTriggers, RUN_KEY } from "../../functions/triggers.ts";
import { type AssetContext, type AssetDefinition, runMaterialize } from "../../runtime/define.ts";
import type { Resources } from "../../runtime/resources.ts";
import { CRON_EVENT, InngestBus } from "../helpers/inngest-bus.ts";
import { testResources } from "../helpers/resources.ts";
import { openTestStore } from "../helpers/store.ts";
import { createTestGraph, type TestGraph } from "../helpers/test-graph.ts";

// Each test runs on its own trading day (its clock is that day's evening),
// so one database serves them all and no test sees another's runs.
const WEEKDAYS = [
  "2026-11-02",
  "2026-11-03",
  "2026-11-04",
  "2026-11-05",
  "2026-11-06",
  "2026-11-09",
  "2026-11-10",
  "2026-11-11",
  "2026-11-12",
  "2026-11-13",
  "2026-11-16",
  "2026-11-17",
];
let DAY = "";

let store: Store;
let resources: Resources;
let t: TestGraph;
let bus: InngestBus;

beforeAll(async () => {
  store = await openTestStore();
});
afterAll(() => store.close());

const materialized = (asset: string, runDate = DAY) => ({
  name: "fintra/asset.materialized",
  data: {
    asset,
    partition: runDate,
    runDate,
    scope: null,
    scopeKey: "",
    materializationId: "x",
    runId: "r",
    rows: 1,
    cascade: true,
  },
});

async function succeededRuns(asset: string) {
  const runs = await store.ledger.history({ asset });
  return runs.filter((m) => m.status === "succeeded" && m.runDate === DAY);
}

describe("asset functions", () => {
  beforeEach(() => {
    DAY = WEEKDAYS.shift() as string;
    const evening = new Date(`${DAY}T23:00:00Z`);
    resources = testResources(store, evening);
    t = createTestGraph();
    bus = new InngestBus();
    bus.register(
      createFunctions({ client: bus.client, graph: t.graph, resources: async () => resources }),
    );
  });

  it("run the gate first on a materialized event and record its decision", async () => {
    // The event claims universe materialized, but the ledger has no such row.
    const runs = await bus.deliver(materialized("universe"));
    expect(runs.map((r) => [r.functionId, r.result])).toEqual([
      ["prices", { decision: "wait", reason: "waiting for universe" }],
      ["financials", { decision: "wait", reason: "waiting for universe" }],
    ]);
    const [decision] = await store.ledger.decisions({ asset: "prices", runDate: DAY });
    expect(decision).toMatchObject({
      trigger: "materialized:universe",
      decision: "wait",
      missing: ["universe"],
      runDate: DAY,
    });
    expect(t.calls).toEqual([]);
  });

  it("make an asset with two deps wait for both", async () => {
    await bus.deliver({
      name: "fintra/asset.requested",
      data: { asset: "universe", partition: DAY },
    });
    await bus.deliver({
      name: "fintra/asset.requested",
      data: { asset: "prices", partition: DAY },
    });
    const afterPrices = await bus.deliver(materialized("prices"));
    expect(afterPrices.map((e) => [e.functionId, e.result])).toEqual([
      ["valuation", { decision: "wait", reason: "waiting for financials" }],
      ["snapshot", { decision: "wait", reason: "waiting for valuation" }],
    ]);
    await bus.deliver({
      name: "fintra/asset.requested",
      data: { asset: "financials", partition: DAY },
    });
    const [valuation] = await bus.deliver(materialized("financials"));
    expect(valuation?.functionId).toBe("valuation");
    expect(valuation?.result).toMatchObject({ decision: "run", rows: 4 });
    const [decision] = await store.ledger.decisions({ asset: "valuation", runDate: DAY });
    expect(decision).toMatchObject({ trigger: "materialized:financials", decision: "run" });
  });

  it("materialize the whole graph once, in order, from one cron event", async () => {
    await bus.drain({
      name: CRON_EVENT,
      data: { cron: "TZ=America/New_York 30 18 * * 1-5", function: "universe" },
    });
    for (const asset of t.graph.order) {
      const runs = await succeededRuns(asset);
      expect(runs, asset).toHaveLength(1);
      expect(runs[0]?.runDate).toBe(DAY);
    }
    const order = t.calls.map((c) => c.asset);
    expect(order).toHaveLength(5);
    for (const call of t.calls) {
      for (const dep of t.graph.get(call.asset).deps)
        expect(order.indexOf(dep)).toBeLessThan(order.indexOf(call.asset));
    }
    // Fan-in assets woke once per dep; the extra wake-ups said why they did not run.
    const decisions = await store.ledger.decisions({ runDate: DAY, limit: 100 });
    expect(decisions.filter((d) => d.decision === "run")).toHaveLength(5);
    const extra = decisions.filter((d) => d.decision !== "run");
    // The skip passes the cascade on, but an announcement is sent once per materialization.
    expect(extra.map((d) => d.asset).sort()).toEqual(["snapshot", "valuation"]);
    expect(extra.every((d) => d.reason.startsWith("up to date"))).toBe(true);
    expect(bus.sent.filter((e) => e.name === "fintra/asset.materialized")).toHaveLength(5);
  });

  it("lose no upstream update when one dep is rematerialized later", async () => {
    await bus.drain({ name: CRON_EVENT, data: { function: "universe" } });
    const before = (await succeededRuns("valuation"))[0];
    t.calls.length = 0;
    await bus.drain({
      name: "fintra/asset.requested",
      data: { asset: "financials", partition: DAY, force: true, downstream: true },
    });
    expect(t.calls.map((c) => c.asset)).toEqual(["financials", "valuation", "snapshot"]);
    const [financials] = await succeededRuns("financials");
    const [valuation] = await succeededRuns("valuation");
    expect(valuation?.id).not.toBe(before?.id);
    expect(valuation?.upstream.find((u) => u.asset === "financials")?.id).toBe(financials?.id);
    const snapshots = await succeededRuns("snapshot");
    expect(snapshots[0]?.upstream.find((u) => u.asset === "valuation")?.id).toBe(valuation?.id);

    // A duplicate trigger afterwards is a no-op.
    t.calls.length = 0;
    await bus.drain(materialized("financials"));
    expect(t.calls).toEqual([]);
  });

  it("re-request themselves when a dep materialized while they ran", async () => {
    await bus.drain({ name: CRON_EVENT, data: { function: "universe" } });
    // prices gets newer while valuation is inside its write step.
    const valuation = t.graph.get("valuation");
    const original = valuation.materialize;
    let injected = false;
    (valuation as { materialize: typeof original }).materialize = async (ctx: AssetContext) => {
      if (!injected) {
        injected = true;
        const opened = await store.ledger.start(
          {
            asset: "prices",
            partition: DAY,
            runDate: DAY,
            scope: null,
            trigger: "test",
            executor: "in-process",
            runId: "side",
            upstream: [],
          },
          {
            asset: "prices",
            partition: DAY,
            runDate: DAY,
            scopeKey: "",
            trigger: "test",
            decision: "run",
            reason: "test",
            missing: [],
            inProgress: [],
            blocked: [],
          },
          { staleAfterMs: 1, supersede: true },
        );
        await store.ledger.succeed(opened?.id as string, { rows: 4, metadata: {}, checks: [] });
      }
      return runMaterialize({ ...valuation, materialize: original } as AssetDefinition, ctx);
    };
    const [run] = await bus.deliver({
      name: "fintra/asset.requested",
      data: { asset: "valuation", partition: DAY, force: true },
    });
    expect(run?.result).toMatchObject({ decision: "run", newerUpstream: ["prices"] });
    expect(bus.sent.at(-1)).toMatchObject({
      name: "fintra/asset.requested",
      data: { asset: "valuation", partition: DAY },
    });
  });

  it("still run the day's graph when the root was materialized by hand before the cron", async () => {
    await bus.drain({
      name: "fintra/asset.requested",
      data: { asset: "universe", partition: DAY },
    });
    expect(t.calls.map((c) => c.asset)).toEqual(["universe"]);
    await bus.drain({ name: CRON_EVENT, data: { function: "universe" } });
    expect(t.calls.map((c) => c.asset)).toEqual([
      "universe",
      "prices",
      "financials",
      "valuation",
      "snapshot",
    ]);
    // Up-to-date assets pass the cascade on, but each materialization is announced once.
    const announced = bus.sent.filter(
      (e) => e.name === "fintra/asset.materialized" && e.data.cascade === true,
    );
    expect(new Set(announced.map((e) => e.data.materializationId)).size).toBe(announced.length);
  });

  it("rematerialize only the asset unless downstream is asked for", async () => {
    await bus.drain({ name: CRON_EVENT, data: { function: "universe" } });
    const decisionsBefore = await store.ledger.decisions({ runDate: DAY, limit: 100 });
    t.calls.length = 0;
    await bus.drain({
      name: "fintra/asset.requested",
      data: { asset: "prices", partition: DAY, force: true },
    });
    expect(t.calls.map((c) => c.asset)).toEqual(["prices"]);
    const announced = bus.sent.filter((e) => e.name === "fintra/asset.materialized").at(-1);
    expect(announced?.data).toMatchObject({ asset: "prices", cascade: false });
    // Its dependents did not even wake: the only new decision is prices' own.
    const decisionsAfter = await store.ledger.decisions({ runDate: DAY, limit: 100 });
    expect(decisionsAfter.length - decisionsBefore.length).toBe(1);
    expect(decisionsAfter[0]).toMatchObject({ asset: "prices", decision: "run", reason: "forced" });
  });

  it("cascade a scoped request downstream with its scope", async () => {
    await bus.drain({
      name: "fintra/asset.requested",
      data: { asset: "universe", partition: DAY, scope: { tickers: ["ccc"] }, downstream: true },
    });
    expect(t.calls.map((c) => c.scopeKey)).toEqual(["CCC", "CCC", "CCC", "CCC", "CCC"]);
    const runs = (await store.ledger.history({})).filter((m) => m.runDate === DAY);
    expect(runs).toHaveLength(5);
    expect(runs.every((m) => m.scopeKey === "tickers:CCC")).toBe(true);
  });

  it("mark the ledger row failed and announce the failure after retries run out", async () => {
    t.failing.add("universe");
    const [run] = await bus.deliver({
      name: "fintra/asset.requested",
      data: { asset: "universe", partition: DAY },
    });
    expect(run?.error).toBeTruthy();
    const [row] = await store.ledger.history({ asset: "universe", limit: 1 });
    expect(row).toMatchObject({ status: "running", runDate: DAY });
    await markRunFailed({
      resources: async () => resources,
      client: bus.client,
      asset: "universe",
      runId: row?.runId as string,
      originalEvent: {
        name: "fintra/asset.requested",
        data: { asset: "universe", partition: DAY },
      },
      error: new Error("universe exploded on purpose"),
    });
    expect((await store.ledger.get(row?.id as string))?.status).toBe("failed");
    expect(bus.sent.find((e) => e.name === "fintra/asset.failed")).toMatchObject({
      data: { asset: "universe", runDate: DAY, error: "universe exploded on purpose" },
    });
    // The day's failure pages once: an alert for (failure, universe, D).
    expect(bus.sent.filter((e) => e.name === "fintra/alert.raised")).toEqual([
      expect.objectContaining({
        data: expect.objectContaining({ kind: "failure", asset: "universe", day: DAY }),
      }),
    ]);
    // Downstream wakes, sees the failure and does not run on stale inputs.
    const [prices] = await bus.deliver({
      name: "fintra/asset.requested",
      data: { asset: "prices", partition: DAY },
    });
    expect(prices?.result).toEqual({ decision: "wait", reason: "last run of universe failed" });
  });

  it("refuse a weekend partition without retrying", async () => {
    const saturday = {
      name: "fintra/asset.requested",
      data: { asset: "universe", partition: "2026-10-31" },
    };
    const [run] = await bus.deliver(saturday);
    expect(run?.error).toMatchObject({
      name: "NonRetriableError",
      message: expect.stringMatching(/Saturday/),
    });
    expect(() => targetFromEvent(saturday, resources.now())).toThrow(/Saturday/);
    expect(t.calls).toEqual([]);
  });
});

describe("trigger expressions (CEL)", () => {
  const { graph } = createTestGraph();
  const DAY = "2026-11-27";
  const sample = (name: string, data: Record<string, unknown>, id = "E1") => ({
    event: { name, id, data },
  });

  it("wake an asset for requests naming it and for its deps' materializations only", () => {
    for (const key of graph.order) {
      const def = graph.get(key);
      for (const trigger of assetTriggers(def)) {
        if ("cron" in trigger) continue;
        const expr = trigger.if;
        if (trigger.event === "fintra/asset.requested") {
          expect(evaluate(expr, sample(trigger.event, { asset: key }))).toBe(true);
          expect(evaluate(expr, sample(trigger.event, { asset: `${key}_other` }))).toBe(false);
        } else {
          for (const other of graph.order) {
            const hit = evaluate(
              expr,
              sample(trigger.event, { asset: other, runDate: DAY, scopeKey: "", cascade: true }),
            );
            expect(hit, `${key} on ${other}`).toBe(def.deps.includes(other));
            const alone = sample(trigger.event, {
              asset: other,
              runDate: DAY,
              scopeKey: "",
              cascade: false,
            });
            expect(evaluate(expr, alone), `${key} on a lone ${other}`).toBe(false);
          }
        }
      }
    }
  });

  it("give roots their cron and nothing else a materialized trigger they do not need", () => {
    expect(assetTriggers(graph.get("universe"))).toEqual([
      { cron: "TZ=America/New_York 30 18 * * 1-5" },
      { event: "fintra/asset.requested", if: "event.data.asset == 'universe'" },
    ]);
    expect(assetTriggers(graph.get("valuation"))[1]).toEqual({
      event: "fintra/asset.materialized",
      if: "event.data.asset in ['prices', 'financials'] && event.data.cascade == true",
    });
  });

  it("key runs by day and scope; scoped or forced requests never collapse into others", () => {
    const key = (data: Record<string, unknown>, id = "E1") =>
      evaluate(RUN_KEY, sample("x", data, id));
    expect(key({})).toBe("latest|");
    expect(key({ asset: "a", partition: DAY })).toBe(`${DAY}|`);
    expect(key({ asset: "a", runDate: DAY, scopeKey: "" })).toBe(`${DAY}|`);
    expect(
      key({ asset: "a", runDate: DAY, scopeKey: "tickers:AAPL", scope: { tickers: ["AAPL"] } }),
    ).toBe(`${DAY}|tickers:AAPL`);
    expect(key({ asset: "a", scope: { tickers: ["AAPL"] } }, "E7")).toBe("request|E7");
    expect(key({ asset: "a", partition: DAY, force: true }, "E8")).toBe("request|E8");
    expect(key({ asset: "a", partition: DAY, force: false })).toBe(`${DAY}|`);
  });
});
