/** The per-ticker and backfill functions under @inngest/test, over the test graph and a real ledger. */
import { InngestTestEngine, mockCtx } from "@inngest/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../db/index.ts";
import { createBackfillFunction, planBackfill } from "../../functions/backfill.ts";
import { createFunctions } from "../../functions/index.ts";
import { InngestBus } from "../helpers/inngest-bus.ts";
import { testResources } from "../helpers/resources.ts";
import { openTestStore } from "../helpers/store.ts";
import { createTestGraph } from "../helpers/test-graph.ts";

const NOW = new Date("2026-11-28T12:00:00Z");
let store: Store;
beforeAll(async () => {
  store = await openTestStore();
});
afterAll(() => store.close());

describe("fintra/ticker.requested", () => {
  it("runs the whole graph for one ticker, each asset scoped to it", async () => {
    const t = createTestGraph();
    const bus = new InngestBus();
    const resources = testResources(store, NOW);
    bus.register(
      createFunctions({ client: bus.client, graph: t.graph, resources: async () => resources }),
    );
    await bus.drain({
      name: "fintra/ticker.requested",
      data: { ticker: "bbb", partition: "2026-11-20" },
    });
    expect(t.calls.map((c) => [c.asset, c.scopeKey])).toEqual([
      ["universe", "BBB"],
      ["prices", "BBB"],
      ["financials", "BBB"],
      ["valuation", "BBB"],
      ["snapshot", "BBB"],
    ]);
    const runs = (await store.ledger.history({})).filter((m) => m.runDate === "2026-11-20");
    expect(runs.every((m) => m.scopeKey === "tickers:BBB" && m.status === "succeeded")).toBe(true);
  });

  it("refuses a bad ticker or date without retrying", async () => {
    const t = createTestGraph();
    const bus = new InngestBus();
    bus.register(
      createFunctions({
        client: bus.client,
        graph: t.graph,
        resources: async () => testResources(store, NOW),
      }),
    );
    const [bad] = await bus.deliver({
      name: "fintra/ticker.requested",
      data: { ticker: "no good" },
    });
    expect(bad?.error).toMatchObject({
      name: "NonRetriableError",
      message: 'refused fintra/ticker.requested: ticker: bad ticker "no good"',
    });
    const [weekend] = await bus.deliver({
      name: "fintra/ticker.requested",
      data: { ticker: "AAA", partition: "2026-11-21" },
    });
    expect(weekend?.error).toMatchObject({
      name: "NonRetriableError",
      message: expect.stringMatching(/Saturday/),
    });
  });
});

describe("fintra/backfill.requested", () => {
  it("plans the selection's entry assets over the trading dates, skipping done ones", async () => {
    const t = createTestGraph();
    const resources = testResources(store, NOW);
    const plan = await planBackfill(t.graph, resources, {
      selection: "prices+",
      from: "2026-11-16",
      to: "2026-11-20",
    });
    expect(plan.entries).toEqual(["prices"]);
    // 2026-11-20 was fully materialized by the ticker test? Only scoped, so it is still to do.
    expect(plan.dates).toEqual([
      "2026-11-16",
      "2026-11-17",
      "2026-11-18",
      "2026-11-19",
      "2026-11-20",
    ]);
    await expect(
      planBackfill(t.graph, resources, { selection: "nope", from: "2026-11-16", to: "2026-11-20" }),
    ).rejects.toThrow(/unknown asset/);
  });

  it("plans trading days only, listing the holidays it passes over", async () => {
    const t = createTestGraph();
    const plan = await planBackfill(t.graph, testResources(store, NOW), {
      selection: "prices+",
      from: "2026-11-25",
      to: "2026-11-27",
      force: true,
    });
    expect(plan.dates).toEqual(["2026-11-25", "2026-11-27"]);
    expect(plan.holidays).toEqual(["2026-11-26 Thanksgiving Day"]);
  });

  it("requests each date in order, waiting for the pacer before the next", async () => {
    const t = createTestGraph();
    const bus = new InngestBus();
    const fn = createBackfillFunction({
      client: bus.client,
      graph: t.graph,
      resources: async () => testResources(store, NOW),
    });
    const waits: unknown[][] = [];
    // The engine does not deliver awaited events: answer each wait at once, as the pacer would.
    const engine = new InngestTestEngine({
      function: fn,
      transformCtx: (raw) => {
        const ctx = mockCtx(raw);
        ctx.step.waitForEvent = (async (...args: unknown[]) => {
          waits.push(args);
          return { name: "fintra/asset.materialized", data: {} };
        }) as typeof ctx.step.waitForEvent;
        return ctx;
      },
    });
    const out = await engine.execute({
      events: [
        {
          name: "fintra/backfill.requested",
          data: { selection: "valuation,financials", from: "2026-11-02", to: "2026-11-03" },
        },
      ],
    });
    expect(out.result).toEqual({ requested: 2, skipped: 0, continued: 0, holidays: [] });
    const requested = bus.sent.map((e) => [e.data.asset, e.data.partition, e.data.downstream]);
    expect(requested).toEqual([
      ["financials", "2026-11-02", true],
      ["financials", "2026-11-03", true],
    ]);
    // Replays call the (unmemoized) mock again; each wait's arguments are what matters.
    const distinct = [...new Map(waits.map((w) => [w[0], w])).values()];
    expect(distinct).toEqual(
      ["2026-11-02", "2026-11-03"].map((date) => [
        `wait-${date}`,
        {
          event: "fintra/asset.materialized",
          timeout: "2h",
          if: `async.data.asset == 'financials' && async.data.runDate == '${date}'`,
        },
      ]),
    );
  });
});
