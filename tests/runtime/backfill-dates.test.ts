/**
 * Backfills that run two dates at once (the price history on Postgres): only for assets
 * whose partitions are independent, refused for the others, and the rows, the ledger and
 * the summary are the same as one date at a time. On PGlite, and on Postgres when
 * DATABASE_URL is set (where two dates at once is the default).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datosEodTable } from "../../assets/datos_eod.ts";
import { graph } from "../../assets/index.ts";
import type { Store } from "../../db/index.ts";
import { backfill, overlappingDates } from "../../runtime/backfill.ts";
import { PartitionError } from "../../runtime/partitions.ts";
import { testResources } from "../helpers/resources.ts";
import { marketResources, startTestMarket, type TestMarket } from "../helpers/sandbox.ts";
import { backends, openTestStore } from "../helpers/store.ts";
import { createTestGraph } from "../helpers/test-graph.ts";

const AS_OF = "2026-11-27";

describe("dates at once", () => {
  it("two for independent partitions on Postgres, else one", () => {
    const assets = (...keys: string[]) => keys.map((key) => graph.get(key));
    expect(overlappingDates(assets("datos_eod"), "postgres")).toBe(2);
    expect(overlappingDates(assets("datos_eod"), "pglite")).toBe(1);
    expect(overlappingDates(assets("datos_eod"), "supabase")).toBe(1);
    expect(overlappingDates(assets("datos_eod", "datos_financieros"), "postgres")).toBe(1);
    expect(overlappingDates(assets("datos_eod", "datos_performance"), "postgres")).toBe(1);
    // Only datos_eod declares it: every other partitioned table reads earlier days.
    expect(graph.order.filter((key) => graph.get(key).independentPartitions)).toEqual([
      "datos_eod",
    ]);
  });

  it("refuses two dates at once for dates that depend on each other", async () => {
    const store = await openTestStore();
    try {
      const t = createTestGraph();
      await expect(
        backfill(t.graph, "*", testResources(store, new Date("2026-11-28T12:00:00Z")), {
          from: "2026-11-19",
          to: "2026-11-20",
          dateConcurrency: 2,
        }),
      ).rejects.toThrow(PartitionError);
      expect(t.calls).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

const sqlBackends = backends.filter((b) => b !== "supabase");

describe.each(sqlBackends)("a price history two dates at once on %s", (backend) => {
  let market: TestMarket;
  let one: Store;
  let two: Store;

  beforeAll(async () => {
    market = await startTestMarket({ tickers: 60, asOf: AS_OF });
    one = await openTestStore(backend);
    two = await openTestStore(backend);
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await market?.close();
  });

  const prices = async (store: Store) =>
    (await store.readAll(datosEodTable)).map((row) => JSON.stringify(row));

  it("writes the same rows and ledger as one date at a time", async () => {
    const range = { from: "2026-11-16", to: "2026-11-27" };
    const sequential = await backfill(
      graph,
      "fintra_universe,datos_eod",
      marketResources(one, market),
      {
        ...range,
        dateConcurrency: 1,
      },
    );
    const overlapped = await backfill(
      graph,
      "fintra_universe,datos_eod",
      marketResources(two, market),
      {
        ...range,
        dateConcurrency: 2,
      },
    );
    expect(overlapped.exitCode).toBe(0);
    const days = (s: typeof sequential) => s.days.map((d) => [d.partition, d.status, d.rows]);
    expect(days(overlapped)).toEqual(days(sequential));
    expect(overlapped.days.map((d) => d.partition)).toEqual(
      [...overlapped.days.map((d) => d.partition)].sort(),
    );
    const [a, b] = [await prices(one), await prices(two)];
    expect(a.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
    // The backfill leaves the planner statistics of what it wrote.
    const [stats] = await two.readOnlyQuery(
      "SELECT count(*)::int AS n FROM pg_stats WHERE tablename = 'datos_eod' AND schemaname = current_schema()",
    );
    expect(stats?.n).toBeGreaterThan(0);
    const succeeded = (store: Store) =>
      store.ledger.succeededPartitions("datos_eod", range.from, range.to);
    expect([...(await succeeded(two))].sort()).toEqual([...(await succeeded(one))].sort());
  });
});
