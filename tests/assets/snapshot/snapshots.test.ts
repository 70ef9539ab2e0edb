/**
 * fintra_snapshots and market_state end to end on the sandbox, built by the real upstream
 * assets: one row per active equity for D with every check passing, the guide's shares
 * met, every seed query running unchanged, ranks that agree with SQL's RANK(), a rerun
 * that changes no row, a scoped run that rewrites only its ticker, an older day that never
 * overwrites a newer market state, and the point-in-time check failing a late row.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { marketStateTable } from "../../../assets/market_state.ts";
import fintraSnapshots, {
  buildChunk,
  fintraSnapshotsTable,
} from "../../../assets/snapshot/fintra_snapshots.ts";
import { activeEquitiesOn, planSnapshotChunks } from "../../../assets/snapshot/inputs.ts";
import type { Store } from "../../../db/index.ts";
import { runCheck } from "../../../runtime/define.ts";
import type { Resources } from "../../../runtime/resources.ts";
import { publishRows } from "../../../runtime/staged.ts";
import { failingStore } from "../../helpers/failing-store.ts";
import { runAssets, startTestMarket, type TestMarket } from "../../helpers/sandbox.ts";
import { openTestStore } from "../../helpers/store.ts";
import { ASSETS, buildDay, DAY, tickingResources } from "./graph.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const SEED_QUERIES =
  process.env.FINTRA_SEED_QUERIES ?? path.resolve(repoRoot, "../shared/spec/seed-queries.sql");

let store: Store;
let market: TestMarket;
let resources: Resources;

/** Every row of a table as JSON, without the run stamps, in key order. */
async function rows(table: string, order: string): Promise<Record<string, unknown>[]> {
  return store.readOnlyQuery(
    `SELECT to_jsonb(t) - 'updated_at' - 'created_at' AS row, t.updated_at::text AS stamp
     FROM ${table} t ORDER BY ${order}`,
  );
}

async function lastRun(asset: string) {
  const [m] = await store.ledger.history({ asset, limit: 1 });
  if (!m) throw new Error(`no ${asset} run`);
  return m;
}

/**
 * The statements of a SQL file, each exactly as written (its comments included), split at
 * semicolons outside comments and quotes; comment-only pieces are dropped.
 */
function sqlStatements(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === "'") quoted = false;
    } else if (c === "'") quoted = true;
    else if (c === "-" && text[i + 1] === "-") {
      const end = text.indexOf("\n", i);
      i = end === -1 ? text.length : end;
    } else if (c === ";") {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.filter((s) => s.replace(/--.*$/gm, "").trim() !== "");
}

async function count(sql: string): Promise<number> {
  return Number((await store.readOnlyQuery(sql))[0]?.count);
}

beforeAll(async () => {
  [store, market] = await Promise.all([
    openTestStore(),
    startTestMarket({ tickers: 64, asOf: DAY, historyYears: 4 }),
  ]);
  resources = tickingResources(store, market);
  await buildDay(resources);
});
afterAll(async () => {
  await market?.close();
  await store?.close();
});

describe("the day's snapshots", () => {
  it("one row per active equity, every check of both assets passing", async () => {
    const equities = await activeEquitiesOn(store, DAY);
    const active = await count(
      "SELECT count(*) FROM fintra_universe WHERE is_active AND instrument_type = 'EQUITY'",
    );
    expect(equities.length).toBeGreaterThanOrEqual(50);
    expect(equities.length).toBe(active);
    const stored = await store.readAll(fintraSnapshotsTable, {
      where: { snapshot_date: DAY },
      columns: ["ticker"],
    });
    expect(stored.map((r) => r.ticker)).toEqual(equities);
    // market_state first: after a failed fintra_snapshots run it would wait, not run.
    for (const asset of ["market_state", "fintra_snapshots"]) {
      const run = await lastRun(asset);
      expect(run, asset).toMatchObject({ status: "succeeded", checksPassed: true });
      const checks = await store.ledger.checks(run.id);
      expect(checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.message}`)).toEqual([]);
    }
    const checks = await store.ledger.checks((await lastRun("fintra_snapshots")).id);
    expect(checks.map((c) => c.name).sort()).toEqual([
      "fgos_computed_share",
      "guide_fgos_computed_share",
      "guide_relative_return_share",
      "guide_snapshots",
      "point_in_time",
      "relative_return_share",
      "snapshot_coverage",
    ]);
  });

  it("has FGOS computed for >= 80 % and a relative return for >= 90 %, pending rows saying why", async () => {
    const total = await count(
      `SELECT count(*) FROM fintra_snapshots WHERE snapshot_date = DATE '${DAY}'`,
    );
    const computed = await count(
      `SELECT count(*) FROM fintra_snapshots WHERE snapshot_date = DATE '${DAY}' AND fgos_status = 'computed'`,
    );
    const relative = await count(
      `SELECT count(*) FROM fintra_snapshots WHERE snapshot_date = DATE '${DAY}' AND relative_return IS NOT NULL`,
    );
    expect(computed / total).toBeGreaterThanOrEqual(0.8);
    expect(relative / total).toBeGreaterThanOrEqual(0.9);
    const unexplained = await count(
      `SELECT count(*) FROM fintra_snapshots WHERE snapshot_date = DATE '${DAY}'
         AND fgos_status = 'pending' AND (fgos_reason IS NULL OR fgos_components->>'reason' IS DISTINCT FROM fgos_reason)`,
    );
    expect(unexplained).toBe(0);
  });

  it.skipIf(!existsSync(SEED_QUERIES))(
    "runs every seed query unchanged, and the day's counts meet the guide",
    async () => {
      const statements = sqlStatements(readFileSync(SEED_QUERIES, "utf8"));
      expect(statements.length).toBeGreaterThanOrEqual(15);
      for (const sql of statements) {
        await expect(store.readOnlyQuery(sql), sql).resolves.toBeInstanceOf(Array);
      }
      // CURRENT_DATE is the wall clock; the same snapshot queries at the partition's date:
      const onDay = (sql: string) => sql.replaceAll("CURRENT_DATE", `DATE '${DAY}'`);
      const snapshotQueries = statements.filter((s) => s.includes("fintra_snapshots"));
      const results = await Promise.all(snapshotQueries.map((s) => store.readOnlyQuery(onDay(s))));
      const equities = (await activeEquitiesOn(store, DAY)).length;
      const code = (sql: string) => sql.replace(/--.*$/gm, "").replace(/\s+/g, " ").trim();
      const byText = (needle: string) => {
        const i = snapshotQueries.findIndex((s) => code(s).endsWith(needle));
        expect(i, needle).toBeGreaterThanOrEqual(0);
        return results[i] as Record<string, unknown>[];
      };
      expect(
        Number(byText("FROM fintra_snapshots WHERE snapshot_date = CURRENT_DATE")[0]?.count),
      ).toBe(equities);
      const computed = byText("AND fgos_status = 'computed'");
      expect(Number(computed[0]?.count) / equities).toBeGreaterThanOrEqual(0.8);
      const relative = byText("AND relative_return IS NOT NULL");
      expect(Number(relative[0]?.count) / equities).toBeGreaterThanOrEqual(0.9);
      const coverage = byText("GROUP BY fgos_status");
      expect(coverage.reduce((n, r) => n + Number(r.count), 0)).toBe(equities);
      expect(coverage.reduce((n, r) => n + Number(r.percentage), 0)).toBeCloseTo(100, 1);
      const sectors = byText("ORDER BY snapshots_count DESC");
      expect(sectors.length).toBeGreaterThanOrEqual(8);
      expect(sectors.reduce((n, r) => n + Number(r.snapshots_count), 0)).toBe(equities);
      const pending = byText("LIMIT 20");
      expect(pending.length).toBeLessThanOrEqual(20);
      for (const r of pending) expect(r).toMatchObject({ fgos_status: "pending" });
      expect(byText("FROM fintra_snapshots")[0]?.last_snapshot).toBe(DAY);
    },
  );
});

describe("market_state", () => {
  it("holds one row per snapshot of D, with the snapshot's price and change", async () => {
    const state = await store.readAll(marketStateTable);
    const snapshots = await store.readAll(fintraSnapshotsTable, { where: { snapshot_date: DAY } });
    expect(state.map((r) => r.ticker)).toEqual(snapshots.map((s) => s.ticker));
    const priced = state.filter((r) => r.price !== null);
    expect(priced.length / state.length).toBeGreaterThanOrEqual(0.9);
    for (const r of priced) {
      expect(r.last_price_date).toBe(DAY);
      if (r.change === null) continue;
      expect(r.change_percentage!).toBeCloseTo((r.change / (r.price! - r.change)) * 100, 6);
    }
    const view = await count("SELECT count(*) FROM fintra_market_state");
    expect(view).toBe(state.length);
  });

  it("ranks every scored ticker as SQL's RANK() does, within its sector and overall", async () => {
    const expected = await store.readOnlyQuery(
      `SELECT ticker,
              RANK() OVER (PARTITION BY classification->>'sector' ORDER BY fgos_score DESC)::int AS sector_rank,
              COUNT(*) OVER (PARTITION BY classification->>'sector')::int AS sector_rank_total,
              RANK() OVER (ORDER BY fgos_score DESC)::int AS global_rank,
              COUNT(*) OVER ()::int AS global_rank_total
       FROM fintra_snapshots
       WHERE snapshot_date = DATE '${DAY}' AND fgos_score IS NOT NULL
       ORDER BY ticker`,
    );
    const ranked = await store.readOnlyQuery(
      `SELECT ticker, sector_rank, sector_rank_total, global_rank, global_rank_total
       FROM market_state WHERE fgos_score IS NOT NULL ORDER BY ticker`,
    );
    expect(ranked).toEqual(expected);
    expect(new Set(ranked.map((r) => r.sector_rank_total)).size).toBeGreaterThan(1);
    const unscored = await store.readOnlyQuery(
      "SELECT count(*) FROM market_state WHERE fgos_score IS NULL AND (sector_rank IS NOT NULL OR global_rank IS NOT NULL)",
    );
    expect(Number(unscored[0]?.count)).toBe(0);
  });
});

describe("reruns, scopes and older days", () => {
  it("a rerun of the day changes no row", async () => {
    const before = {
      snapshots: await rows("fintra_snapshots", "snapshot_date, ticker"),
      state: await rows("market_state", "ticker"),
    };
    const summary = await runAssets(ASSETS, "fintra_snapshots,market_state", resources, {
      partition: DAY,
      force: true,
    });
    expect(summary.outcomes.map((o) => o.status)).toEqual(["succeeded", "succeeded"]);
    const after = {
      snapshots: await rows("fintra_snapshots", "snapshot_date, ticker"),
      state: await rows("market_state", "ticker"),
    };
    expect(after.snapshots.map((r) => r.row)).toEqual(before.snapshots.map((r) => r.row));
    expect(after.state.map((r) => r.row)).toEqual(before.state.map((r) => r.row));
    expect(after.snapshots[0]?.stamp).not.toBe(before.snapshots[0]?.stamp);
  });

  it("chunks of any size, and a scoped plan's peers, build the same rows", async () => {
    const before = await rows("fintra_snapshots", "snapshot_date, ticker");
    const plan = await planSnapshotChunks(store, DAY, null, 8);
    expect(plan.chunks.length).toBeGreaterThan(3);
    expect(plan.chunks.every((c) => c.peers.length === 0)).toBe(true);
    const industries = plan.chunks.flatMap((c) => c.industries);
    expect(new Set(industries).size).toBe(industries.length);
    const run = { db: store, materializationId: "test-any-chunks" };
    let staged = 0;
    for (const chunk of plan.chunks)
      staged += (await buildChunk(run, DAY, chunk, "2026-11-28T00:00:00Z")).rows;
    await publishRows(run, fintraSnapshotsTable, staged, { snapshot_date: DAY });
    // The largest industry: a scoped run of its first member reads the others as peers.
    const [largest] = await store.readOnlyQuery(
      `SELECT array_agg(ticker ORDER BY ticker) AS members FROM fintra_snapshots
       WHERE snapshot_date = DATE '${DAY}' AND classification->>'source' = 'canonical'
       GROUP BY classification->>'industry' ORDER BY count(*) DESC, 1 LIMIT 1`,
    );
    const members = largest?.members as string[];
    expect(members.length).toBeGreaterThan(1);
    const scoped = await planSnapshotChunks(store, DAY, { tickers: [members[0]!] });
    expect(scoped.chunks[0]).toMatchObject({ tickers: [members[0]], peers: members.slice(1) });
    const scopedRun = { db: store, materializationId: "test-scoped-chunk" };
    const { rows: one } = await buildChunk(
      scopedRun,
      DAY,
      scoped.chunks[0]!,
      "2026-11-28T00:00:00Z",
    );
    await publishRows(scopedRun, fintraSnapshotsTable, one, null);
    const after = await rows("fintra_snapshots", "snapshot_date, ticker");
    expect(after.map((r) => r.row)).toEqual(before.map((r) => r.row));
  });

  it("a scoped run rewrites only its ticker, in both tables", async () => {
    const before = {
      snapshots: await rows("fintra_snapshots", "snapshot_date, ticker"),
      state: await rows("market_state", "ticker"),
    };
    const ticker = (before.state[3]?.row as { ticker: string } | undefined)?.ticker as string;
    const summary = await runAssets(ASSETS, "fintra_snapshots+", resources, {
      partition: DAY,
      scope: { tickers: [ticker] },
    });
    expect(summary.outcomes.map((o) => [o.asset, o.status, o.rows])).toEqual([
      ["fintra_snapshots", "succeeded", 1],
      ["market_state", "succeeded", 1],
    ]);
    for (const table of ["snapshots", "state"] as const) {
      const after =
        table === "snapshots"
          ? await rows("fintra_snapshots", "snapshot_date, ticker")
          : await rows("market_state", "ticker");
      const changed = after
        .filter((r, i) => r.stamp !== before[table][i]?.stamp)
        .map((r) => (r.row as { ticker: string }).ticker);
      expect(changed, table).toEqual([ticker]);
      expect(after.map((r) => r.row)).toEqual(before[table].map((r) => r.row));
    }
  });

  it("an older day's run never overwrites a newer market state", async () => {
    const [first, second] = await store.readAll(marketStateTable, { columns: ["ticker"] });
    const newer = { snapshot_date: "2026-11-30", price: -1 };
    await store.update(marketStateTable, { ticker: first!.ticker }, newer);
    await store.update(marketStateTable, { ticker: second!.ticker }, { price: -2 });
    const summary = await runAssets(ASSETS, "market_state", resources, {
      partition: DAY,
      force: true,
    });
    expect(summary.outcomes[0]).toMatchObject({ status: "succeeded" });
    const run = await lastRun("market_state");
    expect(run.checksPassed).toBe(true);
    expect(run.metadata).toMatchObject({ keptNewer: 1, pruned: 0 });
    const [kept] = await store.readAll(marketStateTable, { where: { ticker: first!.ticker } });
    expect(kept).toMatchObject(newer);
    const [rewritten] = await store.readAll(marketStateTable, {
      where: { ticker: second!.ticker },
    });
    expect(rewritten?.price).not.toBe(-2);
    // Back to D's state for whatever runs next.
    await store.delete(marketStateTable, { ticker: first!.ticker });
    await runAssets(ASSETS, "market_state", resources, { partition: DAY, force: true });
  });

  it("the point-in-time check fails a row built from a statement filed after D", async () => {
    const [row] = await store.readAll(fintraSnapshotsTable, {
      where: { snapshot_date: DAY, fgos_status: "computed" },
      columns: ["ticker", "latest_filing_date"],
    });
    const check = fintraSnapshots.checks?.find((c) => c.name === "point_in_time");
    const run = () =>
      runCheck(check!, {
        db: store,
        asset: "fintra_snapshots",
        partition: DAY,
        runDate: DAY,
        scope: null,
        result: { rows: 0 },
      });
    expect((await run()).passed).toBe(true);
    const where = { snapshot_date: DAY, ticker: row!.ticker };
    await store.update(fintraSnapshotsTable, where, { latest_filing_date: "2026-12-01" });
    const failed = await run();
    expect(failed).toMatchObject({ passed: false, value: 1 });
    expect(failed.message).toContain(row!.ticker);
    await store.update(fintraSnapshotsTable, where, {
      latest_filing_date: row!.latest_filing_date,
    });
  });

  it("a full rerun removes the day's row of a ticker it no longer covers", async () => {
    const [row] = await store.readAll(fintraSnapshotsTable, { where: { snapshot_date: DAY } });
    await store.upsert(fintraSnapshotsTable, [{ ...row!, ticker: "GONE" }]);
    await runAssets(ASSETS, "fintra_snapshots", resources, { partition: DAY, force: true });
    expect((await lastRun("fintra_snapshots")).metadata.pruned).toBe(1);
    const gone = await store.readAll(fintraSnapshotsTable, { where: { ticker: "GONE" } });
    expect(gone).toEqual([]);
  });

  it("a run killed after its first chunk leaves the day as it was, run stamps included", async () => {
    const before = {
      snapshots: await rows("fintra_snapshots", "snapshot_date, ticker"),
      state: await rows("market_state", "ticker"),
    };
    // market_state first: after a failed fintra_snapshots run it would wait, not run.
    for (const asset of ["market_state", "fintra_snapshots"]) {
      // Small steps (several chunks), and the process dies at its second write.
      const dying = failingStore(store, 2);
      const run = await runAssets(
        ASSETS,
        asset,
        { ...tickingResources(dying.store, market), stepScale: 0.01 },
        { partition: DAY, force: true },
      );
      expect(run.outcomes.map((o) => [o.asset, o.status])).toEqual([[asset, "failed"]]);
      expect(run.outcomes[0]?.reason).toMatch(/injected fault/);
      expect(await rows("fintra_snapshots", "snapshot_date, ticker")).toEqual(before.snapshots);
      expect(await rows("market_state", "ticker")).toEqual(before.state);
    }
    // The next ordinary run publishes the whole day: the same rows, newly stamped.
    const again = await runAssets(ASSETS, "fintra_snapshots+", resources, {
      partition: DAY,
      force: true,
    });
    expect(again.outcomes.map((o) => o.status)).toEqual(["succeeded", "succeeded"]);
    const after = {
      snapshots: await rows("fintra_snapshots", "snapshot_date, ticker"),
      state: await rows("market_state", "ticker"),
    };
    expect(after.snapshots.map((r) => r.row)).toEqual(before.snapshots.map((r) => r.row));
    expect(after.state.map((r) => r.row)).toEqual(before.state.map((r) => r.row));
  });
});
