/**
 * Events are checked when a function receives them (finding 7): malformed
 * data fails the run at once with Inngest's NonRetriableError and a one-line
 * reason, before the gate opens a ledger row and before any asset runs.
 * Driven through the real functions under @inngest/test on a real ledger.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../db/index.ts";
import { createFunctions } from "../../functions/index.ts";
import { type BusEvent, InngestBus } from "../helpers/inngest-bus.ts";
import { testResources } from "../helpers/resources.ts";
import { openTestStore } from "../helpers/store.ts";
import { createTestGraph } from "../helpers/test-graph.ts";

// Bad events name DAY: any ledger row for it is a bad event's. The good one runs on GOOD_DAY.
const DAY = "2026-11-18";
const GOOD_DAY = "2026-11-19";
const NOW = new Date("2026-11-20T23:00:00Z");
const manyTickers = (n: number) => Array.from({ length: n }, (_, i) => `T${i}`);

let store: Store;
beforeAll(async () => {
  store = await openTestStore();
});
afterAll(() => store.close());

/** Delivers one event to a fresh graph's functions; returns the runs and what the assets did. */
async function deliver(event: BusEvent) {
  const t = createTestGraph();
  const bus = new InngestBus();
  const resources = testResources(store, NOW);
  bus.register(
    createFunctions({ client: bus.client, graph: t.graph, resources: async () => resources }),
  );
  const runs = await bus.deliver(event);
  return { runs, calls: t.calls, sent: bus.sent };
}

const requested = (data: Record<string, unknown>): BusEvent => ({
  name: "fintra/asset.requested",
  data: { asset: "prices", partition: DAY, ...data },
});

async function ledgerRowsForDay() {
  return (await store.ledger.history({})).filter((m) => m.runDate === DAY);
}

describe("fintra/asset.requested with bad data", () => {
  it.each([
    ["a negative limit", { scope: { limit: -5 } }, "scope.limit: must be a positive whole number"],
    [
      "a fractional limit",
      { scope: { limit: 1.5 } },
      "scope.limit: must be a positive whole number",
    ],
    [
      "tickers as a string",
      { scope: { tickers: "AAPL" } },
      "scope.tickers: expected a list of tickers",
    ],
    [
      "5,000 tickers",
      { scope: { tickers: manyTickers(5000) } },
      "scope.tickers: at most 100 tickers in one scope (got 5000)",
    ],
    ["a malformed ticker", { scope: { tickers: ["AA PL"] } }, 'bad ticker "AA PL"'],
    ["a misspelt key", { partiton: "2026-11-17" }, 'unknown key "partiton"'],
    ["a day that does not exist", { partition: "2026-02-30" }, 'bad date "2026-02-30"'],
    ["force as a string", { force: "yes" }, "force: expected boolean"],
  ])("%s fails at once, not retried, with no ledger row", async (_, data, reason) => {
    const { runs, calls, sent } = await deliver(requested(data));
    expect(runs).toHaveLength(1);
    const error = runs[0]?.error as Error;
    expect(error).toMatchObject({ name: "NonRetriableError" });
    expect(error.message).toContain("refused fintra/asset.requested: ");
    expect(error.message).toContain(reason);
    expect(error.message).not.toContain("\n");
    expect(calls).toEqual([]);
    expect(sent).toEqual([]);
    expect(await ledgerRowsForDay()).toEqual([]);
  });

  it("still runs a good request, its tickers normalised", async () => {
    const { runs, calls } = await deliver(
      requested({
        asset: "universe",
        partition: GOOD_DAY,
        scope: { tickers: [" bbb", "aaa", "BBB"] },
        force: true,
      }),
    );
    expect(runs[0]?.error).toBeUndefined();
    expect(calls.map((c) => c.scopeKey)).toEqual(["AAA,BBB"]);
    const rows = (await store.ledger.history({})).filter((m) => m.runDate === GOOD_DAY);
    expect(rows.map((m) => [m.asset, m.scopeKey, m.status])).toEqual([
      ["universe", "tickers:AAA,BBB", "succeeded"],
    ]);
  });
});

describe("fintra/asset.materialized with bad data", () => {
  it("a malformed announcement wakes no run and is not retried", async () => {
    const { runs, calls } = await deliver({
      name: "fintra/asset.materialized",
      data: {
        asset: "prices",
        partition: DAY,
        runDate: DAY,
        scope: { limit: -5 },
        scopeKey: "limit:-5",
        materializationId: "m",
        runId: "r",
        rows: 1,
        cascade: true,
      },
    });
    expect(runs.length).toBeGreaterThan(0);
    for (const run of runs) {
      expect(run.error).toMatchObject({
        name: "NonRetriableError",
        message: expect.stringContaining(
          "refused fintra/asset.materialized: scope.limit: must be a positive whole number",
        ),
      });
    }
    expect(calls).toEqual([]);
    expect(await ledgerRowsForDay()).toEqual([]);
  });
});

describe("fintra/ticker.requested with bad data", () => {
  it.each([
    [{ ticker: "no good" }, 'ticker: bad ticker "no good"'],
    [{ ticker: ["AAPL"] }, "ticker: expected string, received array"],
    [{ ticker: "AAPL", partiton: DAY }, 'unknown key "partiton"'],
    [
      { ticker: "AAPL", partition: "26-11-18" },
      'partition: bad date "26-11-18": expected a calendar date as YYYY-MM-DD',
    ],
  ])("%j fails at once with one line, requesting nothing", async (data, reason) => {
    const { runs, sent } = await deliver({ name: "fintra/ticker.requested", data });
    expect(runs).toHaveLength(1);
    expect(runs[0]?.error).toMatchObject({
      name: "NonRetriableError",
      message: `refused fintra/ticker.requested: ${reason}`,
    });
    expect(sent).toEqual([]);
  });
});
