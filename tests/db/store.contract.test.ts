/**
 * The Store contract, run against PGlite and Supabase (the REST adapter
 * through the PostgREST emulator) always, and against Postgres when
 * DATABASE_URL is set: migrations, upserts, paged reads, deletes, the ledger.
 */
import { spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GateDecision, RunOwner, Store } from "../../db/index.ts";
import { releaseRun } from "../../db/ledger.ts";
import { MATERIALIZATIONS } from "../../db/ledger-rows.ts";
import { backends, openTestStore } from "../helpers/store.ts";
import { type TestRow, testRows } from "../helpers/test-table.ts";

const row = (ticker: string, value: number | null, extra: Partial<TestRow> = {}): TestRow => ({
  asset: "a",
  day: "2026-01-05",
  ticker,
  value,
  label: null,
  active: null,
  tags: null,
  extra: null,
  seen_at: null,
  ...extra,
});

const decision = (asset: string, runDate: string): GateDecision => ({
  asset,
  partition: runDate,
  runDate,
  scopeKey: "",
  trigger: "test",
  decision: "run",
  reason: "test",
  missing: [],
  inProgress: [],
  blocked: [],
});

/** T00000..T02344 valued 0..2344: a batch larger than a page or a chunk. */
const numbered = () =>
  Array.from({ length: 2_345 }, (_, i) => row(`T${String(i).padStart(5, "0")}`, i));

/** The pid of a process that has exited (and been reaped): nothing answers to it. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  return child.pid as number;
}

describe.each(backends)("Store on %s", (backend) => {
  let store: Store;
  beforeAll(async () => {
    store = await openTestStore(backend);
  });
  afterAll(async () => {
    await store.close();
  });

  describe("migrations", () => {
    it("applies every file once and reports none pending", async () => {
      const status = await store.migrationStatus();
      expect(status.pending).toEqual([]);
      expect(status.applied).toContain("0001_ledger.sql");
      expect(status.applied).toContain("0900_test_rows.sql");
      expect(await store.migrate()).toEqual([]);
    });
  });

  describe("upsert", () => {
    it("round-trips every column type", async () => {
      const full = row("TYPES", 1e-10, {
        label: 'quote " and \\ backslash',
        active: true,
        tags: ["x", 'y "z"', "a,b"],
        extra: { nested: [1, 2], ok: true },
        seen_at: "2026-01-05T10:11:12.000Z",
      });
      await store.upsert(testRows, [full]);
      const [back] = await store.readAll(testRows, { where: { ticker: "TYPES" } });
      expect(back).toEqual(full);
    });

    it("inserts, then updates on the key without duplicating", async () => {
      await store.upsert(testRows, [row("AAA", 1), row("BBB", 2)]);
      await store.upsert(testRows, [row("AAA", 10), row("CCC", 3)]);
      const rows = await store.readAll(testRows, {
        where: { ticker: { in: ["AAA", "BBB", "CCC"] } },
      });
      expect(rows.map((r) => [r.ticker, r.value])).toEqual([
        ["AAA", 10],
        ["BBB", 2],
        ["CCC", 3],
      ]);
    });

    it("keeps the last row when a batch repeats a key, and writes non-finite numbers as null", async () => {
      const written = await store.upsert(testRows, [
        row("DUP", 1),
        row("DUP", 2),
        row("NAN", Number.NaN),
      ]);
      expect(written).toBe(2);
      const rows = await store.readAll(testRows, { where: { ticker: { in: ["DUP", "NAN"] } } });
      expect(rows.map((r) => [r.ticker, r.value])).toEqual([
        ["DUP", 2],
        ["NAN", null],
      ]);
    });

    it("writes only the named columns when asked", async () => {
      await store.upsert(testRows, [row("PART", 5, { label: "kept" })]);
      await store.upsert(testRows, [row("PART", 6)], { columns: ["value"] });
      const [back] = await store.readAll(testRows, { where: { ticker: "PART" } });
      expect(back?.value).toBe(6);
      expect(back?.label).toBe("kept");
    });

    it("keeps insert-only columns when the row exists", async () => {
      await store.upsert(testRows, [row("KEEP", 1, { label: "first" })], {
        keepOnConflict: ["label"],
      });
      await store.upsert(testRows, [row("KEEP", 2, { label: "second" })], {
        keepOnConflict: ["label"],
      });
      const [back] = await store.readAll(testRows, { where: { ticker: "KEEP" } });
      expect(back).toMatchObject({ value: 2, label: "first" });
    });

    it("chunks large batches and rejects a bad column type with the table's name", async () => {
      expect(await store.upsert(testRows, numbered(), { chunkSize: 500 })).toBe(2_345);
      const bad = { ...row("BAD", 1), active: "yes" as unknown as boolean };
      await expect(store.upsert(testRows, [bad])).rejects.toThrow(/active/);
    });
  });

  describe("read", () => {
    // What the reads read, whichever tests ran before: the numbered rows, AAA at 10, NAN null.
    beforeAll(async () => {
      await store.upsert(testRows, [...numbered(), row("AAA", 10), row("NAN", null)]);
    });

    it("pages through every row in key order", async () => {
      const pages: number[] = [];
      const seen: string[] = [];
      for await (const page of store.read(testRows, {
        where: { ticker: { gte: "T00000", lt: "T01000" } },
        pageSize: 300,
      })) {
        pages.push(page.length);
        seen.push(...page.map((r) => r.ticker));
      }
      expect(pages).toEqual([300, 300, 300, 100]);
      expect(seen).toEqual([...seen].sort());
      expect(new Set(seen).size).toBe(1_000);
    });

    it("reads a long in-list on the leading key column completely, in key order", async () => {
      const wanted = Array.from({ length: 130 }, (_, i) => `T${String(i * 7).padStart(5, "0")}`);
      const asked = [...wanted].reverse().concat(wanted.slice(0, 5), ["NOPE1", "NOPE2"]);
      const rows = await store.readAll(testRows, {
        where: { ticker: { in: asked } },
        pageSize: 40,
      });
      expect(rows.map((r) => r.ticker)).toEqual([...wanted].sort());
    });

    it("filters by null-ness, ranges and selected columns", async () => {
      const nulls = await store.readAll(testRows, { where: { value: null, ticker: "NAN" } });
      expect(nulls).toHaveLength(1);
      const few = await store.readAll(testRows, {
        where: { value: { gte: 10, lte: 12 } },
        columns: ["value"],
      });
      expect(few.map((r) => r.value)).toEqual([10, 10, 11, 12]);
      await expect(store.readAll(testRows, { where: { nope: 1 } as never })).rejects.toThrow(
        /no column "nope"/,
      );
    });
  });

  describe("update", () => {
    it("sets values on matching rows and refuses an empty filter", async () => {
      await store.upsert(testRows, [row("AAA", 10), row("BBB", 2)]);
      expect(
        await store.update(
          testRows,
          { ticker: { in: ["AAA", "BBB"] } },
          { label: "upd", active: false },
        ),
      ).toBe(2);
      const rows = await store.readAll(testRows, { where: { label: "upd" } });
      expect(rows.map((r) => [r.ticker, r.active])).toEqual([
        ["AAA", false],
        ["BBB", false],
      ]);
      await expect(store.update(testRows, {}, { label: "x" })).rejects.toThrow(/refusing/);
    });
  });

  describe("delete", () => {
    it("deletes matching rows and refuses an empty filter", async () => {
      await store.upsert(testRows, [row("DUP", 2), row("NAN", null)]);
      expect(await store.delete(testRows, { ticker: { in: ["DUP", "NAN"] } })).toBe(2);
      await expect(store.delete(testRows, {})).rejects.toThrow(/refusing/);
    });
  });

  describe("ledger", () => {
    const start = (asset: string, runDate: string, supersede = false, owner?: RunOwner) =>
      store.ledger.start(
        {
          asset,
          partition: runDate,
          runDate,
          scope: null,
          trigger: "test",
          executor: "in-process",
          runId: `run-${asset}`,
          upstream: [],
          ...(owner ? { owner } : {}),
        },
        decision(asset, runDate),
        { staleAfterMs: 60_000, supersede },
      );
    const me = (): RunOwner => ({ host: hostname(), pid: process.pid });

    it("claims a key once; a second claim waits; a forced one supersedes", async () => {
      const first = await start("x", "2026-01-05");
      expect(first?.status).toBe("running");
      expect(await start("x", "2026-01-05")).toBeNull();
      const forced = await start("x", "2026-01-05", true);
      expect(forced?.id).not.toBe(first?.id);
      const old = await store.ledger.get(first?.id as string);
      expect(old?.status).toBe("failed");
      expect(old?.error).toMatch(/abandoned/);
    });

    it("supersedes at once a running row whose process on this host is gone", async () => {
      const gone = { host: hostname(), pid: deadPid() };
      const dead = await start("o1", "2026-01-05", false, gone);
      expect(dead).toMatchObject({ status: "running", owner: gone });
      const next = await start("o1", "2026-01-05", false, me());
      expect(next?.status).toBe("running");
      expect(await store.ledger.get(dead?.id as string)).toMatchObject({
        status: "failed",
        error: `abandoned: process ${gone.pid} on ${gone.host} is gone`,
      });
      expect(await store.ledger.running("o1", "2026-01-05", "")).toMatchObject({ id: next?.id });
      releaseRun(next?.id as string);
    });

    it("keeps the claim of a live owner: this process while it runs the row", async () => {
      const live = await start("o2", "2026-01-05", false, me());
      expect(await start("o2", "2026-01-05", false, me())).toBeNull();
      // Released without closing its row (its ledger.fail threw): the next claim takes over.
      releaseRun(live?.id as string);
      const next = await start("o2", "2026-01-05", false, me());
      expect(next?.id).not.toBe(live?.id);
      expect((await store.ledger.get(live?.id as string))?.error).toBe(
        `abandoned: process ${process.pid} on ${hostname()} no longer runs it`,
      );
      releaseRun(next?.id as string);
    });

    it("judges another host's run by its heartbeat", async () => {
      const remote = { host: "another-host.invalid", pid: deadPid() };
      const m = await start("o3", "2026-01-05", false, remote);
      expect(m?.heartbeatAt).toBeTruthy();
      // A dead pid means nothing on another host: a fresh heartbeat keeps the claim.
      expect(await start("o3", "2026-01-05", false, me())).toBeNull();
      expect(await store.ledger.heartbeat(m?.id as string)).toBe(true);
      const silentSince = new Date(Date.now() - 10 * 60_000).toISOString();
      await store.update(MATERIALIZATIONS, { id: m?.id as string }, { heartbeat_at: silentSince });
      const next = await start("o3", "2026-01-05", false, me());
      expect(next?.status).toBe("running");
      expect((await store.ledger.get(m?.id as string))?.error).toMatch(
        /^abandoned: no heartbeat from process \d+ on another-host\.invalid since /,
      );
      releaseRun(next?.id as string);
      expect(await store.ledger.heartbeat(m?.id as string)).toBe(false);
    });

    it("records success with checks and finds it as the latest", async () => {
      const m = await start("y", "2026-01-06");
      await store.ledger.succeed(m?.id as string, {
        rows: 7,
        metadata: { sectors: 11 },
        checks: [{ name: "rows", severity: "error", passed: true, message: "ok", value: 7 }],
      });
      const latest = await store.ledger.latest({
        asset: "y",
        status: "succeeded",
        partition: "2026-01-06",
        scopeKeys: [""],
      });
      expect(latest).toMatchObject({
        id: m?.id,
        rows: 7,
        metadata: { sectors: 11 },
        checksPassed: true,
      });
      expect(await store.ledger.checks(m?.id as string)).toEqual([
        { name: "rows", severity: "error", passed: true, message: "ok", value: 7, metadata: {} },
      ]);
      await expect(
        store.ledger.succeed(m?.id as string, { rows: 1, metadata: {}, checks: [] }),
      ).rejects.toThrow(/not running/);
    });

    it("fails runs by executor run id and keeps errors on one line", async () => {
      const m = await start("z", "2026-01-07");
      expect(await store.ledger.failRun("run-z", "boom\n  at line 2")).toBe(1);
      expect((await store.ledger.get(m?.id as string))?.error).toBe("boom at line 2");
    });

    it("lists decisions newest first", async () => {
      await store.ledger.recordDecision({
        ...decision("w", "2026-01-08"),
        decision: "wait",
        missing: ["x"],
      });
      const [latest] = await store.ledger.decisions({ asset: "w" });
      expect(latest).toMatchObject({ decision: "wait", missing: ["x"], runDate: "2026-01-08" });
    });
  });
});
