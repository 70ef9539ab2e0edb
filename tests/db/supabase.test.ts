/**
 * What the Supabase adapter adds beyond the Store contract (which it also
 * runs, in store.contract.test.ts): paging past PostgREST's row cap, retries
 * on 5xx/429/network errors, one-line secret-free errors, migrations it
 * cannot run, the claim under contention, and choosing it from the
 * environment. Everything goes through supabase-js to the PostgREST emulator
 * over a real database, and rows are checked in that database too.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyBatches } from "../../db/adapters/supabase-filters.ts";
import { NO_SQL_OVER_REST, SupabaseStore } from "../../db/adapters/supabase-store.ts";
import {
  describeStore,
  type GateDecision,
  openStore,
  type StartMaterialization,
  storeConfigFromEnv,
} from "../../db/index.ts";
import { MIGRATIONS_DIR } from "../../db/migrate.ts";
import { SqlLedger } from "../../db/sql-ledger.ts";
import { postgrestEmulator, type RecordedRequest } from "../helpers/postgrest.ts";
import {
  FAST_RETRY,
  openSupabaseTestStore,
  type SupabaseTestStore,
  TEST_MIGRATIONS,
  TEST_SERVICE_ROLE_KEY,
} from "../helpers/store.ts";
import { type TestRow, testRows } from "../helpers/test-table.ts";

const row = (
  asset: string,
  ticker: string,
  value: number | null,
  label: string | null = null,
): TestRow => ({
  asset,
  day: "2026-02-02",
  ticker,
  value,
  label,
  active: null,
  tags: null,
  extra: null,
  seen_at: null,
});

const tickers = (n: number, prefix = "P") =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(5, "0")}`);

let t: SupabaseTestStore;
beforeAll(async () => {
  t = await openSupabaseTestStore();
});
afterAll(async () => {
  await t.store.close();
});

const count = async (asset: string) =>
  (
    await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM test_rows WHERE asset = $1", [
      asset,
    ])
  )[0]?.n;

describe("paging and chunking", () => {
  // The rows the paging reads read: 2,500 of asset "paging", written before any test.
  beforeAll(async () => {
    await t.store.upsert(
      testRows,
      tickers(2_500).map((n, i) => row("paging", n, i)),
    );
  });

  it("writes in chunks of 1,000 and reads every row past the 1,000-row cap, in key order", async () => {
    const names = tickers(2_500);
    const before = t.emulator.requests.length;
    expect(
      await t.store.upsert(
        testRows,
        names.map((n, i) => row("paging", n, i)),
      ),
    ).toBe(2_500);
    const posts = t.emulator.requests.slice(before).filter((r) => r.method === "POST");
    expect(posts).toHaveLength(3);
    expect(posts[0]?.url.searchParams.get("on_conflict")).toBe("asset,day,ticker");
    expect(posts[0]?.headers.prefer).toContain("resolution=merge-duplicates");
    expect(await count("paging")).toBe(2_500);

    const start = t.emulator.requests.length;
    // Asking for more than the cap must not lose rows: pages shrink to 1,000.
    const rows = await t.store.readAll(testRows, { where: { asset: "paging" }, pageSize: 50_000 });
    expect(rows.map((r) => r.ticker)).toEqual(names);
    expect(rows.map((r) => r.value)).toEqual(names.map((_, i) => i));
    const gets = t.emulator.requests.slice(start);
    expect(gets).toHaveLength(3);
    expect(gets.map((r) => r.url.searchParams.get("limit"))).toEqual(["1000", "1000", "1000"]);
    // Keyset paging: later pages start after the last key instead of using an offset.
    expect(gets[1]?.url.searchParams.get("offset")).toBeNull();
    expect(gets[1]?.url.searchParams.get("or")).toContain('ticker.gt."P00999"');
  });

  it("pages by a lowered max-rows when told (SUPABASE_MAX_ROWS), and loses rows when not", async () => {
    const capped = postgrestEmulator(t.db, { apiKey: TEST_SERVICE_ROLE_KEY, maxRows: 250 });
    const options = { url: "http://supabase.test", serviceRoleKey: TEST_SERVICE_ROLE_KEY };
    const told = new SupabaseStore({ ...options, fetch: capped.fetch, maxRows: 250 });
    expect(await told.readAll(testRows, { where: { asset: "paging" } })).toHaveLength(2_500);
    expect(capped.requests.map((r) => r.url.searchParams.get("limit"))).toContain("250");
    // A short page means "the end": why the setting must not exceed the server's cap.
    const untold = new SupabaseStore({ ...options, fetch: capped.fetch });
    expect(await untold.readAll(testRows, { where: { asset: "paging" } })).toHaveLength(250);
  });

  it("caps every response at 1,000 rows, whatever the request asks", async () => {
    const response = await t.emulator.fetch(
      "http://supabase.test/rest/v1/test_rows?select=ticker&asset=eq.paging&limit=5000",
      { headers: { apikey: TEST_SERVICE_ROLE_KEY } },
    );
    expect((await response.json()) as unknown[]).toHaveLength(1_000);
  });

  it("keeps insert-only columns across chunks, checking existing keys in short requests", async () => {
    const names = tickers(1_500, "K");
    await t.store.upsert(
      testRows,
      names.slice(0, 700).map((n) => row("kept", n, 1, "first")),
    );
    const before = t.emulator.requests.length;
    await t.store.upsert(
      testRows,
      names.map((n) => row("kept", n, 2, "second")),
      {
        keepOnConflict: ["label"],
      },
    );
    const urls = t.emulator.requests.slice(before).map((r) => r.url.href.length);
    expect(Math.max(...urls)).toBeLessThan(8_000);
    const labels = await t.db.query<{ label: string; n: number; v: number }>(
      `SELECT label, count(*)::int AS n, min(value)::int AS v FROM test_rows
        WHERE asset = 'kept' GROUP BY label ORDER BY label`,
    );
    expect(labels).toEqual([
      { label: "first", n: 700, v: 2 },
      { label: "second", n: 800, v: 2 },
    ]);
  });

  it("quotes values with PostgREST's reserved characters in filters and keyset pages", async () => {
    const odd = ["a,b", 'q"z', "x)y", "dot.ted", "back\\slash", "col:on", "(paren", "plain"];
    await t.store.upsert(
      testRows,
      odd.map((n, i) => row("odd", n, i)),
    );
    const paged: string[] = [];
    for await (const page of t.store.read(testRows, { where: { asset: "odd" }, pageSize: 2 })) {
      paged.push(...page.map((r) => r.ticker));
    }
    // The database's own collation decides key order, not JavaScript's.
    const ordered = await t.db.query<{ ticker: string }>(
      "SELECT ticker FROM test_rows WHERE asset = 'odd' ORDER BY ticker",
    );
    expect(paged).toEqual(ordered.map((r) => r.ticker));
    expect(new Set(paged)).toEqual(new Set(odd));
    const some = await t.store.readAll(testRows, {
      where: { asset: "odd", ticker: { in: ["a,b", 'q"z', "x)y", null] } },
    });
    expect(some.map((r) => r.ticker).sort()).toEqual(["a,b", 'q"z', "x)y"].sort());
    expect(await t.store.readAll(testRows, { where: { ticker: "a,b" } })).toHaveLength(1);
    expect(await t.store.readAll(testRows, { where: { ticker: { in: [] } } })).toEqual([]);
  });

  it("groups existence checks by key prefix and splits them within the limits", () => {
    const keys = tickers(50).map((ticker) => ({ asset: "a", day: "2026-01-05", ticker }));
    const batches = keyBatches(["asset", "day", "ticker"], keys, { maxChars: 200, maxKeys: 20 });
    expect(batches.length).toBeGreaterThan(2);
    for (const b of batches) {
      expect("or" in b && b.or.startsWith('and(asset.eq."a",day.eq."2026-01-05",ticker.in.(')).toBe(
        true,
      );
    }
    const single = keyBatches(["ticker"], keys, { maxChars: 10_000, maxKeys: 20 });
    expect(single.map((b) => ("op" in b ? b.op : "or"))).toEqual(["in", "in", "in"]);
  });
});

describe("retries", () => {
  it("retries 503s and succeeds", async () => {
    t.emulator.inject({ status: 503, match: (r) => r.method === "POST" }, 2);
    const before = t.emulator.requests.length;
    await t.store.upsert(testRows, [row("retry", "R503", 1)]);
    expect(t.emulator.requests.slice(before).map((r) => r.method)).toEqual([
      "POST",
      "POST",
      "POST",
    ]);
    expect(await count("retry")).toBe(1);
  });

  it("waits as long as a 429's Retry-After says, then succeeds", async () => {
    await t.store.upsert(testRows, [row("retry", "R503", 1)]);
    t.emulator.inject({ status: 429, headers: { "retry-after": "1" } }, 1);
    const started = Date.now();
    const rows = await t.store.readAll(testRows, { where: { asset: "retry" } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(rows.map((r) => r.ticker)).toEqual(["R503"]);
  });

  it("retries network errors", async () => {
    await t.store.upsert(testRows, [row("retry", "R503", 1)]);
    t.emulator.inject({ network: true }, 2);
    expect(await t.store.delete(testRows, { asset: "retry" })).toBe(1);
  });

  it("gives up after the policy's retries with the last status, on one line", async () => {
    const attempts = FAST_RETRY.retries + 1;
    t.emulator.inject({ status: 502 }, attempts);
    const before = t.emulator.requests.length;
    await expect(t.store.readAll(testRows, { where: { asset: "none" } })).rejects.toThrow(
      /^read test_rows failed: injected 502 \[HTTP 502\]$/,
    );
    expect(t.emulator.requests.length - before).toBe(attempts);

    t.emulator.inject({ network: true }, attempts);
    await expect(t.store.ledger.get("nope")).rejects.toThrow(
      /^ledger get failed: TypeError: fetch failed \[no response\]$/,
    );
  });
});

describe("errors and secrets", () => {
  it("turns a 4xx into one line with no service-role key, even when the body echoes it", async () => {
    t.emulator.inject({
      status: 400,
      body: {
        code: "PGRST100",
        message: `bad request\nfrom apikey=${TEST_SERVICE_ROLE_KEY}`,
        details: `Authorization: Bearer ${TEST_SERVICE_ROLE_KEY}`,
        hint: null,
      },
    });
    const error = (await t.store.upsert(testRows, [row("err", "E", 1)]).catch((e) => e)) as Error;
    expect(error.message).toMatch(/^upsert into test_rows failed: bad request/);
    expect(error.message).not.toContain(TEST_SERVICE_ROLE_KEY);
    expect(error.message).not.toMatch(/\n/);
    expect(error.stack).not.toContain(TEST_SERVICE_ROLE_KEY);
  });

  it("reports real PostgREST errors on one line: a missing table, a bad value", async () => {
    const missing = { ...testRows, name: "no_such_table" };
    await expect(t.store.readAll(missing)).rejects.toThrow(
      /^read no_such_table failed: Could not find the table .* \[PGRST205, HTTP 404\]$/,
    );
    const badDate = { ...row("err", "D", 1), day: "not-a-date" };
    await expect(t.store.upsert(testRows, [badDate])).rejects.toThrow(/\[22007, HTTP 400\]$/);
  });

  it("keeps the key out of URLs, the store's printed form and its description", async () => {
    expect(t.emulator.requests.some((r) => r.url.href.includes(TEST_SERVICE_ROLE_KEY))).toBe(false);
    expect(inspect(t.store, { depth: 10 })).not.toContain(TEST_SERVICE_ROLE_KEY);
    expect(JSON.stringify(t.store)).not.toContain(TEST_SERVICE_ROLE_KEY);
    const config = {
      supabaseUrl: "https://abcd.supabase.co",
      supabaseServiceRoleKey: "sekret-key-xyz",
    };
    expect(describeStore(config)).toBe("supabase abcd.supabase.co");
  });

  it("refuses raw SQL with a one-line pointer to DATABASE_URL", async () => {
    await expect(t.store.readOnlyQuery("SELECT 1")).rejects.toThrow(NO_SQL_OVER_REST);
    expect(NO_SQL_OVER_REST).toMatch(/DATABASE_URL/);
  });
});

describe("migrations", () => {
  const storeWith = (migrationDirs: string[]) =>
    new SupabaseStore({
      url: "http://supabase.test",
      serviceRoleKey: TEST_SERVICE_ROLE_KEY,
      fetch: t.emulator.fetch,
      retry: FAST_RETRY,
      migrationDirs,
    });

  it("reports pending files and explains how to apply them instead of running SQL", async () => {
    const extra = mkdtempSync(join(tmpdir(), "fintra-pending-"));
    try {
      writeFileSync(join(extra, "9990_pending_probe.sql"), "CREATE TABLE pending_probe (id int);");
      const store = storeWith([MIGRATIONS_DIR, TEST_MIGRATIONS, extra]);
      const status = await store.migrationStatus();
      expect(status.pending).toEqual(["9990_pending_probe.sql"]);
      expect(status.applied).toContain("0001_ledger.sql");
      const error = (await store.migrate().catch((e) => e)) as Error;
      expect(error.message).toMatch(
        /1 migration\(s\) pending on Supabase \(9990_pending_probe\.sql\)/,
      );
      expect(error.message).toContain("npm run fintra -- db migrate");
      expect(error.message).toContain('psql "$SUPABASE_DB_URL"');
      expect(error.message).toContain("SQL editor");
      expect(error.message).not.toMatch(/\n/);
    } finally {
      rmSync(extra, { recursive: true });
    }
    // Nothing was run: the probe's table does not exist.
    const present = await t.db.query<{ t: string | null }>(
      "SELECT to_regclass('pending_probe')::text AS t",
    );
    expect(present[0]?.t).toBeNull();
  });

  it("treats a project without fintra_migrations as having nothing applied", async () => {
    const missing = {
      status: 404,
      body: { code: "PGRST205", message: "Could not find the table 'public.fintra_migrations'" },
      match: (r: RecordedRequest) => r.url.pathname.endsWith("/fintra_migrations"),
    };
    t.emulator.inject(missing, 2);
    const store = storeWith([MIGRATIONS_DIR]);
    const status = await store.migrationStatus();
    expect(status.applied).toEqual([]);
    expect(status.pending).toContain("0001_ledger.sql");
    // The API answered: reachable, only not migrated yet.
    await store.ping();
  });

  it("says nothing is pending on a migrated project", async () => {
    expect(await t.store.migrate()).toEqual([]);
  });
});

describe("ledger claim", () => {
  const input = (asset: string): StartMaterialization => ({
    asset,
    partition: "2026-02-02",
    runDate: "2026-02-02",
    scope: { tickers: ["AAPL"] },
    trigger: "test",
    executor: "inngest",
    runId: `run-${asset}`,
    upstream: [],
  });
  const decision = (asset: string): GateDecision => ({
    asset,
    partition: "2026-02-02",
    runDate: "2026-02-02",
    scopeKey: "tickers:AAPL",
    trigger: "test",
    decision: "run",
    reason: "test",
    missing: [],
    inProgress: [],
    blocked: [],
  });
  const fresh = { staleAfterMs: 3_600_000, supersede: false };

  it("returns null when another run (here, a SQL executor) holds the key", async () => {
    const sql = new SqlLedger(t.db);
    const held = await sql.start(input("claim"), decision("claim"), fresh);
    expect(held?.status).toBe("running");
    expect(await t.store.ledger.start(input("claim"), decision("claim"), fresh)).toBeNull();
    // The refused claim leaves no decision and no second row behind.
    const decisions = await t.store.ledger.decisions({ asset: "claim" });
    expect(decisions).toHaveLength(1);
    expect(decisions[0]?.materializationId).toBe(held?.id);
    expect((await t.store.ledger.running("claim", "2026-02-02", "tickers:AAPL"))?.id).toBe(
      held?.id,
    );
  });

  it("lets exactly one of several simultaneous claims win", async () => {
    const claims = await Promise.all(
      Array.from({ length: 5 }, () => t.store.ledger.start(input("race"), decision("race"), fresh)),
    );
    expect(claims.filter((c) => c !== null)).toHaveLength(1);
  });

  it("supersedes a stale running row", async () => {
    const first = await t.store.ledger.start(input("stale"), decision("stale"), fresh);
    const second = await t.store.ledger.start(input("stale"), decision("stale"), {
      staleAfterMs: 0,
      supersede: false,
    });
    expect(second?.id).not.toBe(first?.id);
    const old = await t.store.ledger.get(first?.id as string);
    expect(old).toMatchObject({
      status: "failed",
      error: `abandoned: superseded by run ${second?.id}`,
    });
    expect(old?.finishedAt).toMatch(/Z$/);
    const done = await t.store.ledger.succeed(second?.id as string, {
      rows: 3,
      metadata: {},
      checks: [],
    });
    expect(done.rows).toBe(3);
    expect(await t.store.ledger.succeededPartitions("stale", "2026-02-01", "2026-02-28")).toEqual(
      new Set(),
    );
    const history = await t.store.ledger.history({ asset: "stale" });
    expect(history.map((m) => m.id)).toEqual([second?.id, first?.id]);
  });
});

describe("choosing Supabase from the environment", () => {
  it("opens the Supabase store with both variables, and refuses half a configuration", async () => {
    const store = await openStore({
      supabaseUrl: "https://abcd.supabase.co",
      supabaseServiceRoleKey: "sekret-key-xyz-0123",
    });
    expect(store.dialect).toBe("supabase");
    await store.close();
    await expect(openStore({ supabaseUrl: "https://abcd.supabase.co" })).rejects.toThrow(
      /SUPABASE_URL is set without SUPABASE_SERVICE_ROLE_KEY/,
    );
    const env = {
      SUPABASE_URL: "https://abcd.supabase.co",
      SUPABASE_SERVICE_ROLE_KEY: "sekret-key-xyz-0123",
      SUPABASE_MAX_ROWS: "500",
    };
    expect(describeStore(storeConfigFromEnv(env))).toBe("supabase abcd.supabase.co");
    expect(storeConfigFromEnv(env).supabaseMaxRows).toBe(500);
    // DATABASE_URL wins: the same variables with it set describe Postgres.
    expect(describeStore(storeConfigFromEnv({ ...env, DATABASE_URL: "postgres://h/db" }))).toMatch(
      /^postgres h:5432\/db$/,
    );
  });
});
