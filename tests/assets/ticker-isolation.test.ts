/**
 * Per-ticker debugging leaves everyone else alone: after the whole graph ran
 * for the day, a forced run of every asset scoped to one ticker changes no
 * row of any other ticker, and no aggregate (tables without a ticker) at all.
 * Only that ticker's rows and the ledger's scoped runs may change.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../db/index.ts";
import { AssetGraph } from "../../runtime/graph.ts";
import { materialize } from "../../runtime/materialize.ts";
import type { Resources } from "../../runtime/resources.ts";
import { startTestMarket, type TestMarket } from "../helpers/sandbox.ts";
import { openTestStore } from "../helpers/store.ts";
import { ASSETS, buildDay, DAY, tickingResources } from "./snapshot/graph.ts";

const LEDGER = new Set([
  "fintra_materializations",
  "fintra_gate_decisions",
  "fintra_check_results",
  "fintra_migrations",
  // Staged writes' bookkeeping (migration 0031): each run's publish is recorded there.
  "fintra_staged_rows",
  "fintra_staged_publishes",
]);
/** Bookkeeping stamps a rewrite may move; none of them is data. */
const STAMPS = ["updated_at", "created_at"];

let store: Store;
let market: TestMarket;
let resources: Resources;

async function dataTables(): Promise<{ name: string; hasTicker: boolean }[]> {
  const tables = await store.readOnlyQuery(
    `SELECT t.table_name AS name,
            EXISTS (SELECT 1 FROM information_schema.columns c
                     WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name
                       AND c.column_name = 'ticker') AS has_ticker
       FROM information_schema.tables t
      WHERE t.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
      ORDER BY 1`,
  );
  return tables
    .map((t) => ({ name: String(t.name), hasTicker: t.has_ticker === true }))
    .filter((t) => !LEDGER.has(t.name) && !t.name.startsWith("test_"));
}

/** Every row of a table except the debugged ticker's, as sorted JSON without stamps. */
async function othersRows(table: string, hasTicker: boolean, ticker: string): Promise<string[]> {
  const strip = STAMPS.map((s) => ` - '${s}'`).join("");
  const rows = await store.readOnlyQuery(
    `SELECT (to_jsonb(t)${strip})::text AS row FROM ${table} t
      ${hasTicker ? `WHERE t.ticker <> '${ticker}'` : ""}`,
  );
  return rows.map((r) => String(r.row)).sort();
}

beforeAll(async () => {
  store = await openTestStore();
  market = await startTestMarket({ tickers: 50, asOf: DAY });
  resources = tickingResources(store, market);
  await buildDay(resources);
}, 240_000);
afterAll(async () => {
  await market.close();
  await store.close();
});

describe("a scoped run of the whole graph", () => {
  it("changes no other ticker's rows and no aggregate", async () => {
    const equity = (
      await store.readOnlyQuery(
        `SELECT ticker FROM fintra_snapshots WHERE snapshot_date = '${DAY}' AND fgos_status = 'computed' ORDER BY ticker LIMIT 1`,
      )
    )[0]?.ticker as string;
    expect(equity).toBeTruthy();
    const tables = await dataTables();
    expect(tables.length).toBeGreaterThan(20);
    const before = new Map<string, string[]>();
    for (const t of tables) before.set(t.name, await othersRows(t.name, t.hasTicker, equity));

    const summary = await materialize(new AssetGraph(ASSETS), "*", resources, {
      partition: DAY,
      scope: { tickers: [equity] },
      force: true,
    });
    expect(summary.outcomes.filter((o) => o.status === "failed")).toEqual([]);

    for (const t of tables) {
      expect(await othersRows(t.name, t.hasTicker, equity), t.name).toEqual(before.get(t.name));
    }
    const scoped = (await store.ledger.history({ limit: 100 })).filter(
      (m) => m.scopeKey === `tickers:${equity}`,
    );
    expect(scoped.length).toBe(ASSETS.length);
    const [snapshot] = await store.readOnlyQuery(
      `SELECT count(*)::int AS n FROM fintra_snapshots WHERE ticker = '${equity}' AND snapshot_date = '${DAY}'`,
    );
    expect(snapshot?.n).toBe(1);
  });
});
