/**
 * The Store's staged partition writes (issue 10, finding 12) on PGlite, Supabase (REST and
 * RPC through the PostgREST emulator) and Postgres when DATABASE_URL is set: staged rows
 * are invisible until one publish replaces the slice; a publish that fails anywhere,
 * after its delete included, or that finds a stage other than the run's, changes nothing;
 * retries are harmless; a killed run's stage is cleared by the next publish.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { defineTable, type Store } from "../../db/index.ts";
import { backends, openTestStore } from "../helpers/store.ts";
import { type TestRow, testRows } from "../helpers/test-table.ts";

const DAY = "2026-02-02";
const OTHER_DAY = "2026-02-03";

const row = (ticker: string, value: number | null, extra: Partial<TestRow> = {}): TestRow => ({
  asset: "staged",
  day: DAY,
  ticker,
  value,
  label: null,
  active: null,
  tags: null,
  extra: null,
  seen_at: null,
  ...extra,
});

/** The staging table, read like any table to see what a run left behind. */
const stagedRowsTable = defineTable<{ run_id: string; table_name: string; row_key: string }>({
  name: "fintra_staged_rows",
  key: ["run_id", "table_name", "row_key"],
  columns: { run_id: "text", table_name: "text", row_key: "text" },
});

/** test_rows declared with `value` as text: lets a test stage a value the real column refuses. */
const looseTestRows = defineTable<Omit<TestRow, "value"> & { value: string | null }>({
  ...testRows,
  columns: { ...testRows.columns, value: "text" },
});

describe.each(backends)("staged partition writes on %s", (backend) => {
  let store: Store;
  const stored = async (day = DAY) =>
    (await store.readAll(testRows, { where: { asset: "staged", day } })).map((r) => [
      r.ticker,
      r.value,
    ]);
  /**
   * The distinct keys a run has staged into test_rows: what its publish would count. SQL
   * backends keep them in the run's typed stage table (migration 0032), Supabase in
   * fintra_staged_rows (0031).
   */
  const stagedBy = async (runId: string) => {
    if (backend === "supabase") {
      return (await store.readAll(stagedRowsTable, { where: { run_id: runId } })).length;
    }
    const quoted = `'${runId.replaceAll("'", "''")}'`;
    const [found] = await store.readOnlyQuery(
      `SELECT stage_table FROM fintra_stage_tables WHERE run_id = ${quoted} AND table_name = 'test_rows'`,
    );
    if (!found) return 0;
    const [count] = await store.readOnlyQuery(
      `SELECT count(*)::int AS n FROM (SELECT DISTINCT asset, day, ticker FROM "${found.stage_table}") k`,
    );
    return count?.n as number;
  };

  beforeAll(async () => {
    store = await openTestStore(backend);
  });
  // Every test starts from the same three rows of DAY and one of OTHER_DAY.
  beforeEach(async () => {
    await store.delete(testRows, { asset: "staged" });
    await store.upsert(testRows, [row("KEEP", 1), row("GONE", 2), row("EDIT", 3)]);
    await store.upsert(testRows, [row("OTHER", 9, { day: OTHER_DAY })]);
  });
  afterAll(async () => {
    await store.close();
  });

  it("keeps staged rows invisible, then replaces the slice in one publish", async () => {
    const full = row("NEW", 4, {
      label: 'quote " and \\ backslash',
      active: true,
      tags: ["a", 'b"c', "NULL-ish"],
      extra: { nested: { list: [1, "two", null] } },
      seen_at: "2026-02-02T21:00:00.000Z",
    });
    let staged = await store.stage(testRows, "run-a", [row("KEEP", 1), row("EDIT", 30)]);
    staged += await store.stage(testRows, "run-a", [full]);
    expect(staged).toBe(3);
    // Nothing of the run is visible before its publish.
    expect(await stored()).toEqual([
      ["EDIT", 3],
      ["GONE", 2],
      ["KEEP", 1],
    ]);
    const result = await store.publish(testRows, {
      runId: "run-a",
      staged,
      replace: { asset: "staged", day: DAY },
    });
    expect(result).toEqual({ written: 3, removed: 1 });
    expect(await stored()).toEqual([
      ["EDIT", 30],
      ["KEEP", 1],
      ["NEW", 4],
    ]);
    // Every column type survives the stage; other slices are untouched; the stage is cleared.
    const [back] = await store.readAll(testRows, { where: { ticker: "NEW" } });
    expect(back).toEqual(full);
    expect(await stored(OTHER_DAY)).toEqual([["OTHER", 9]]);
    expect(await stagedBy("run-a")).toBe(0);
  });

  it("refuses a stage other than the run's count, changing nothing", async () => {
    const staged = await store.stage(testRows, "run-b", [row("KEEP", 100)]);
    await expect(
      store.publish(testRows, { runId: "run-b", staged: staged + 1, replace: { day: DAY } }),
    ).rejects.toThrow(/publish into test_rows.*1 staged rows, expected 2; nothing was published/);
    expect(await stored()).toEqual([
      ["EDIT", 3],
      ["GONE", 2],
      ["KEEP", 1],
    ]);
  });

  it("restages a key in place and answers a retried publish with its first result", async () => {
    await store.stage(testRows, "run-c", [row("KEEP", 5), row("EDIT", 6)]);
    // A retried step stages the same keys again: still two rows.
    const staged = await store.stage(testRows, "run-c", [row("KEEP", 7), row("EDIT", 8)]);
    expect(await stagedBy("run-c")).toBe(2);
    const options = { runId: "run-c", staged, replace: { asset: "staged", day: DAY } };
    const first = await store.publish(testRows, options);
    expect(first).toEqual({ written: 2, removed: 1 });
    // The answer was lost and the publish is sent again: same result, no change.
    expect(await store.publish(testRows, options)).toEqual(first);
    expect(await stored()).toEqual([
      ["EDIT", 8],
      ["KEEP", 7],
    ]);
  });

  it("rolls back a publish that fails after its delete: the old slice stays whole", async () => {
    await store.upsert(testRows, [row("GONE", 2)]);
    const before = await stored();
    // A row without its ticker stages, and the target's NOT NULL key refuses it.
    const staged = await store.stage(testRows, "run-d", [
      row("KEEP", 70),
      row(null as unknown as string, 71),
    ]);
    // The delete of GONE runs first; the write then fails on the key: all of it undone.
    await expect(
      store.publish(testRows, { runId: "run-d", staged, replace: { day: DAY } }),
    ).rejects.toThrow(/publish into test_rows/);
    expect(await stored()).toEqual(before);
  });

  it("refuses a value its column refuses at the stage or at the publish, publishing nothing", async () => {
    const before = await stored();
    // Typed stages (SQL backends) refuse it when staged; JSON stages (Supabase) at publish.
    let staged = 0;
    let refused = false;
    try {
      staged = await store.stage(looseTestRows, "run-h", [
        { ...row("KEEP", null), value: "70" },
        { ...row("EDIT", null), value: "not a number" },
      ]);
    } catch (error) {
      refused = true;
      expect(String(error)).toMatch(/stage into test_rows failed: .*not a number/);
    }
    expect(refused).toBe(backend !== "supabase");
    await expect(
      store.publish(looseTestRows, { runId: "run-h", staged: 2, replace: { day: DAY } }),
    ).rejects.toThrow(/publish into test_rows/);
    expect(staged).toBe(refused ? 0 : 2);
    expect(await stored()).toEqual(before);
  });

  it("clears a killed run's stage at the next publish into the table", async () => {
    await store.stage(testRows, "killed-run", [row("KEEP", 666), row("ZOMBIE", 666)]);
    expect(await stagedBy("killed-run")).toBe(2);
    expect(await stored()).not.toContainEqual(["ZOMBIE", 666]);
    const staged = await store.stage(testRows, "run-e", [row("KEEP", 11)]);
    await store.publish(testRows, { runId: "run-e", staged, replace: null });
    // Not a running materialization: its stage is gone, and none of it was ever published.
    expect(await stagedBy("killed-run")).toBe(0);
    expect(await stored()).toEqual([
      ["EDIT", 3],
      ["GONE", 2],
      ["KEEP", 11],
    ]);
  });

  it("leaves alone the stage of a run that is still running", async () => {
    const live = await store.ledger.start(
      {
        asset: "staged_live",
        partition: DAY,
        runDate: DAY,
        scope: null,
        trigger: "test",
        executor: "in-process",
        runId: null,
        upstream: [],
      },
      {
        asset: "staged_live",
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
      { staleAfterMs: 60_000, supersede: false },
    );
    const liveId = live?.id as string;
    const staged = await store.stage(testRows, liveId, [row("LIVE", 1)]);
    const other = await store.stage(testRows, "run-g", [row("KEEP", 1)]);
    await store.publish(testRows, { runId: "run-g", staged: other, replace: null });
    expect(await stagedBy(liveId)).toBe(1);
    expect(await store.publish(testRows, { runId: liveId, staged, replace: null })).toEqual({
      written: 1,
      removed: 0,
    });
    expect(await stored()).toContainEqual(["LIVE", 1]);
  });

  it("refuses an empty replace filter and an unknown column", async () => {
    await expect(
      store.publish(testRows, { runId: "run-f", staged: 0, replace: {} }),
    ).rejects.toThrow(/refusing to replace every row of test_rows/);
    await expect(
      store.publish(testRows, {
        runId: "run-f",
        staged: 0,
        replace: { nope: "x" } as unknown as { day: string },
      }),
    ).rejects.toThrow(/no column "nope"/);
  });
});
