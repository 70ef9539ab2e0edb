/**
 * replacePartition, the aggregates' single-step partition writer, killed at every write it
 * makes (issue 10, finding 12): readers find the old partition whole, never part of the
 * new one or a mix, and the next call writes exactly the new partition. Before the fix it
 * upserted then deleted, so a failure in between left new and stale rows side by side.
 * On PGlite and Supabase, and Postgres when DATABASE_URL is set.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replacePartition } from "../../../assets/aggregates/inputs.ts";
import type { Store } from "../../../db/index.ts";
import { failingStore } from "../../helpers/failing-store.ts";
import { backends, openTestStore } from "../../helpers/store.ts";
import { type TestRow, testRows } from "../../helpers/test-table.ts";

const DAY = "2026-03-02";
const row = (ticker: string, value: number): TestRow => ({
  asset: "sector_pe",
  day: DAY,
  ticker,
  value,
  label: null,
  active: null,
  tags: null,
  extra: null,
  seen_at: null,
});
const OLD = [row("ENERGY", 1), row("TECH", 2), row("UTILITIES", 3)];
// A rerun: one group changed, one fell under the floor (gone), one is new.
const NEW = [row("ENERGY", 1), row("TECH", 20), row("HEALTH", 4)];
const partition = { asset: "sector_pe", day: DAY };

describe.each(backends)("replacePartition killed at any write on %s", (backend) => {
  let store: Store;
  const stored = async () =>
    (await store.readAll(testRows, { where: partition })).map((r) => [r.ticker, r.value]);
  const asRows = (rows: TestRow[]) =>
    rows.map((r) => [r.ticker, r.value]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));

  beforeAll(async () => {
    store = await openTestStore(backend);
  });
  afterAll(async () => {
    await store.close();
  });

  it("leaves the old partition whole, then the next call writes exactly the new one", async () => {
    await store.upsert(testRows, OLD);
    // Kill the call at its 1st write, then its 2nd, ... until a call has room to finish.
    let result: { written: number; removed: number } | null = null;
    let failAt = 1;
    for (; result === null; failAt++) {
      const dying = failingStore(store, failAt);
      try {
        result = await replacePartition(
          { db: dying.store, materializationId: `killed-at-${failAt}` },
          testRows,
          partition,
          NEW,
        );
      } catch (error) {
        expect(String(error)).toMatch(/injected fault/);
        expect(await stored(), `killed at write ${failAt}`).toEqual(asRows(OLD));
      }
    }
    expect(failAt).toBeGreaterThan(2);
    expect(result).toEqual({ written: 3, removed: 1 });
    expect(await stored()).toEqual(asRows(NEW));
  });
});
