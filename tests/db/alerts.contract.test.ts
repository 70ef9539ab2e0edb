/**
 * The ledger's alerts (migration 0034), run against PGlite and Supabase (the
 * REST adapter through the PostgREST emulator) always, and against Postgres
 * when DATABASE_URL is set: raise and resolve once each (also when called
 * concurrently or retried after a lost answer), re-open with fresh fields,
 * listings, delivery stamps, and the table's checks.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SupabaseStore } from "../../db/adapters/supabase-store.ts";
import type { Alert, AlertInput, AlertKey, AlertKind, Store } from "../../db/index.ts";
import { MIGRATIONS_DIR } from "../../db/migrate.ts";
import { ALERTS } from "../../db/sql-ledger.ts";
import {
  backends,
  FAST_RETRY,
  openSupabaseTestStore,
  openTestStore,
  type SupabaseTestStore,
  TEST_MIGRATIONS,
  TEST_SERVICE_ROLE_KEY,
} from "../helpers/store.ts";

const DAY = "2026-01-05";

/** An alert input on an asset of the test's own, so tests never share a key. */
const input = (asset: string, extra: Partial<AlertInput> = {}): AlertInput => ({
  kind: "threshold",
  asset,
  day: DAY,
  metric: "rows",
  observed: 120,
  threshold: 1_000,
  message: `${asset}: 120 rows, expected at least 1,000`,
  link: `/assets/${asset}`,
  ...extra,
});

const keyOf = (i: AlertInput): AlertKey => ({
  kind: i.kind,
  asset: i.asset,
  day: i.day,
  metric: i.metric,
});

/** An ISO timestamp of the last minute (the database's clock is this machine's). */
function expectRecent(iso: string | null | undefined): void {
  expect(iso).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  expect(Math.abs(Date.now() - Date.parse(iso as string))).toBeLessThan(60_000);
}

const opened = (results: (Alert | null)[]) => results.filter((a) => a !== null);

describe.each(backends)("alerts on %s", (backend) => {
  let store: Store;
  beforeAll(async () => {
    store = await openTestStore(backend);
  });
  afterAll(async () => {
    await store.close();
  });

  it("raises an alert once: null while it is open", async () => {
    const i = input("raise-once");
    const alert = await store.ledger.raiseAlert(i);
    expect(alert).toMatchObject({
      ...i,
      status: "open",
      resolvedAt: null,
      deliveredAt: null,
      resolutionDeliveredAt: null,
    });
    expect(alert?.id).toMatch(/^[0-9a-f-]{36}$/);
    expectRecent(alert?.raisedAt);
    expect(await store.ledger.raiseAlert(i)).toBeNull();
    expect(await store.ledger.raiseAlert({ ...i, observed: 5, message: "worse" })).toBeNull();
    // The repeated raises changed nothing.
    expect(await store.ledger.alerts({ asset: i.asset })).toEqual([alert]);
    // Another metric, kind or day of the same asset is another alert.
    expect(await store.ledger.raiseAlert({ ...i, metric: "null_share" })).not.toBeNull();
    expect(await store.ledger.raiseAlert({ ...i, kind: "deadline" })).not.toBeNull();
    expect(await store.ledger.raiseAlert({ ...i, day: "2026-01-06" })).not.toBeNull();
    expect(await store.ledger.alerts({ asset: i.asset })).toHaveLength(4);
  });

  it("gives the alert to exactly one of concurrent raises, resolves and re-opens", async () => {
    const inputs = [0, 1, 2, 3, 4].map((n) => input(`concurrent-${n}`));
    const raises = await Promise.all(
      inputs.map((i) => Promise.all([0, 1, 2, 3].map(() => store.ledger.raiseAlert(i)))),
    );
    for (const results of raises) expect(opened(results)).toHaveLength(1);

    const resolves = await Promise.all(
      inputs.map((i) =>
        Promise.all([0, 1, 2, 3].map((n) => store.ledger.resolveAlert(keyOf(i), `ok ${n}`))),
      ),
    );
    for (const results of resolves) expect(opened(results)).toHaveLength(1);

    const reopens = await Promise.all(
      inputs.map((i) => Promise.all([0, 1, 2, 3].map(() => store.ledger.raiseAlert(i)))),
    );
    for (const results of reopens) expect(opened(results)).toHaveLength(1);
    for (const i of inputs) {
      const all = await store.ledger.alerts({ asset: i.asset });
      expect(all.map((a) => a.status)).toEqual(["open"]);
    }
  });

  it("resolves an open alert once: null after, and for a key never raised", async () => {
    const i = input("resolve-once", { kind: "failure", metric: "run", observed: null });
    const raised = await store.ledger.raiseAlert(i);
    const resolved = await store.ledger.resolveAlert(keyOf(i), "resolve-once: the rerun passed");
    expect(resolved).toMatchObject({
      ...i,
      id: raised?.id,
      message: "resolve-once: the rerun passed",
      status: "resolved",
      raisedAt: raised?.raisedAt,
      deliveredAt: null,
      resolutionDeliveredAt: null,
    });
    expectRecent(resolved?.resolvedAt);
    expect(Date.parse(resolved?.resolvedAt as string)).toBeGreaterThanOrEqual(
      Date.parse(raised?.raisedAt as string),
    );
    expect(await store.ledger.resolveAlert(keyOf(i), "again")).toBeNull();
    expect(await store.ledger.alerts({ asset: i.asset })).toEqual([resolved]);
    expect(
      await store.ledger.resolveAlert(keyOf(input("resolve-never-raised")), "nothing"),
    ).toBeNull();
    expect(await store.ledger.alerts({ asset: "resolve-never-raised" })).toEqual([]);
  });

  it("re-opens a resolved alert with fresh fields", async () => {
    const i = input("reopen", { kind: "duration", metric: "seconds", observed: 4_000 });
    const first = (await store.ledger.raiseAlert(i)) as Alert;
    await store.ledger.noteAlertDelivered(first.id, "raised");
    await store.ledger.resolveAlert(keyOf(i), "reopen: back under the limit");
    await store.ledger.noteAlertDelivered(first.id, "resolved");
    const [before] = await store.ledger.alerts({ asset: i.asset });
    expect(before?.deliveredAt).not.toBeNull();
    expect(before?.resolutionDeliveredAt).not.toBeNull();

    const again = {
      ...i,
      observed: 9_000,
      threshold: 3_600,
      message: "reopen: 9,000 s",
      link: "fintra why reopen --day 2026-01-05",
    };
    const reopened = await store.ledger.raiseAlert(again);
    expect(reopened).toMatchObject({
      ...again,
      status: "open",
      resolvedAt: null,
      deliveredAt: null,
      resolutionDeliveredAt: null,
    });
    expect(reopened?.id).not.toBe(first.id);
    expect(Date.parse(reopened?.raisedAt as string)).toBeGreaterThan(Date.parse(first.raisedAt));
    expect(await store.ledger.alerts({ asset: i.asset })).toEqual([reopened]);
    expect(await store.ledger.raiseAlert(again)).toBeNull();
    // A late delivery note for the first opening stamps nothing on the second.
    await store.ledger.noteAlertDelivered(first.id, "raised");
    expect((await store.ledger.alerts({ asset: i.asset }))[0]?.deliveredAt).toBeNull();
  });

  it("lists alerts newest first, by status, asset and day, up to a limit", async () => {
    const asset = "listing";
    const a = await store.ledger.raiseAlert(input(asset, { metric: "m1" }));
    const b = await store.ledger.raiseAlert(input(asset, { metric: "m2", day: "2026-01-06" }));
    const c = await store.ledger.raiseAlert(input(asset, { metric: "m3" }));
    await store.ledger.raiseAlert(input("listing-other", { metric: "m1" }));
    const resolvedB = await store.ledger.resolveAlert(
      keyOf(input(asset, { metric: "m2", day: "2026-01-06" })),
      "listing: fine",
    );
    const ids = (list: Alert[]) => list.map((x) => x.id);
    // Newest first; raises in the same instant (the clock of PGlite can tie) come in the
    // listing's own tie order, so the order is checked on raisedAt, the members by id.
    const newestFirst = (list: Alert[]) => {
      const times = list.map((x) => Date.parse(x.raisedAt));
      expect(times).toEqual([...times].sort((x, y) => y - x));
      return new Set(ids(list));
    };

    const all = await store.ledger.alerts({ asset });
    expect(newestFirst(all)).toEqual(new Set([a?.id, b?.id, c?.id]));
    expect(newestFirst(await store.ledger.alerts({ asset, status: "open" }))).toEqual(
      new Set([a?.id, c?.id]),
    );
    expect(await store.ledger.alerts({ asset, status: "resolved" })).toEqual([resolvedB]);
    expect(newestFirst(await store.ledger.alerts({ asset, day: DAY }))).toEqual(
      new Set([a?.id, c?.id]),
    );
    expect(ids(await store.ledger.alerts({ asset, day: "2026-01-06" }))).toEqual([b?.id]);
    expect(await store.ledger.alerts({ asset, day: "2026-01-07" })).toEqual([]);
    // A limit keeps the head of the same order.
    expect(ids(await store.ledger.alerts({ asset, limit: 2 }))).toEqual(ids(all).slice(0, 2));

    // Without filters: every asset's, newest first, at most 100 by default.
    const everything = await store.ledger.alerts();
    expect(everything.length).toBeGreaterThanOrEqual(4);
    expect(everything.length).toBeLessThanOrEqual(100);
    const times = everything.map((x) => Date.parse(x.raisedAt));
    expect(times).toEqual([...times].sort((x, y) => y - x));
    const open = await store.ledger.alerts({ status: "open" });
    expect(open.every((x) => x.status === "open")).toBe(true);
    expect(ids(open)).toContain(c?.id);
    expect(ids(open)).not.toContain(b?.id);
  });

  it("stamps the delivery of the raise and of the resolution", async () => {
    const i = input("delivery", { kind: "deadline", metric: "hours_late", observed: 3.5 });
    const alert = (await store.ledger.raiseAlert(i)) as Alert;
    await store.ledger.noteAlertDelivered(alert.id, "raised");
    let [now] = await store.ledger.alerts({ asset: i.asset });
    expectRecent(now?.deliveredAt);
    expect(now?.resolutionDeliveredAt).toBeNull();
    const delivered = now?.deliveredAt;

    // No resolution to have delivered while it is open.
    await store.ledger.noteAlertDelivered(alert.id, "resolved");
    [now] = await store.ledger.alerts({ asset: i.asset });
    expect(now?.resolutionDeliveredAt).toBeNull();

    const resolved = await store.ledger.resolveAlert(keyOf(i), "delivery: done");
    expect(resolved?.deliveredAt).toBe(delivered);
    expect(resolved?.resolutionDeliveredAt).toBeNull();
    await store.ledger.noteAlertDelivered(alert.id, "resolved");
    [now] = await store.ledger.alerts({ asset: i.asset });
    expect(now?.deliveredAt).toBe(delivered);
    expectRecent(now?.resolutionDeliveredAt);
    // An unknown id is no error and touches nothing.
    await store.ledger.noteAlertDelivered("no-such-alert", "raised");
  });

  it("refuses a kind or a status outside the enum in the database", async () => {
    const bogus = input("enum", { kind: "panic" as AlertKind });
    await expect(store.ledger.raiseAlert(bogus)).rejects.toThrow(/check constraint/);
    expect(await store.ledger.alerts({ asset: "enum" })).toEqual([]);

    const alert = (await store.ledger.raiseAlert(input("enum"))) as Alert;
    await expect(
      store.update(ALERTS, { id: alert.id }, { status: "pending" as Alert["status"] }),
    ).rejects.toThrow(/check constraint/);
    // resolved_at goes with the status, both ways.
    await expect(store.update(ALERTS, { id: alert.id }, { status: "resolved" })).rejects.toThrow(
      /check constraint/,
    );
    expect(await store.ledger.alerts({ asset: "enum" })).toEqual([alert]);
  });

  it("stores a message and a link as given", async () => {
    const message = `it's "odd" \\ 100% ünïcödé 🚨 tab\there, ${"x".repeat(3_000)}`;
    const link = "fintra why fintra_snapshots --day 2026-01-05 --ticker 'BRK.B'";
    const i = input("verbatim", { message, link, observed: 0.123456789, threshold: 1e-9 });
    const raised = await store.ledger.raiseAlert(i);
    expect(raised).toMatchObject({ message, link, observed: 0.123456789, threshold: 1e-9 });
    expect((await store.ledger.alerts({ asset: "verbatim" }))[0]).toMatchObject({ message, link });
    const resolution = "  resolved:\nnext line kept  ";
    const resolved = await store.ledger.resolveAlert(keyOf(i), resolution);
    expect(resolved?.message).toBe(resolution);
    expect((await store.ledger.alerts({ asset: "verbatim" }))[0]?.message).toBe(resolution);
  });

  it("refuses figures that are not finite numbers", async () => {
    await expect(
      store.ledger.raiseAlert(input("figures", { observed: Number.NaN })),
    ).rejects.toThrow(/finite/);
    await expect(
      store.ledger.raiseAlert(input("figures", { threshold: Number.POSITIVE_INFINITY })),
    ).rejects.toThrow(/finite/);
    expect(await store.ledger.alerts({ asset: "figures" })).toEqual([]);
  });
});

describe("alerts retried after a lost answer (Supabase, and the SQL functions)", () => {
  let t: SupabaseTestStore;
  let store: SupabaseStore;
  /** How many of the next RPC answers are lost after the database carried out the call. */
  let lose = 0;

  beforeAll(async () => {
    t = await openSupabaseTestStore();
    const lossy: typeof fetch = async (request, init) => {
      const response = await t.emulator.fetch(request, init);
      const url = new URL(new Request(request, init).url);
      if (lose > 0 && url.pathname.startsWith("/rest/v1/rpc/")) {
        lose--;
        await response.body?.cancel();
        return new Response(JSON.stringify({ message: "upstream timed out" }), {
          status: 504,
          headers: { "content-type": "application/json" },
        });
      }
      return response;
    };
    store = new SupabaseStore({
      url: "http://supabase.test",
      serviceRoleKey: TEST_SERVICE_ROLE_KEY,
      fetch: lossy,
      retry: FAST_RETRY,
      migrationDirs: [MIGRATIONS_DIR, TEST_MIGRATIONS],
    });
  });
  afterAll(async () => {
    await t.db.close();
  });

  const rpcCalls = () =>
    t.emulator.requests.filter((r) => r.url.pathname.startsWith("/rest/v1/rpc/")).length;

  it("returns the alert its first attempt opened or resolved, once", async () => {
    const i = input("retried");
    lose = 1;
    const before = rpcCalls();
    const raised = await store.ledger.raiseAlert(i);
    expect(rpcCalls() - before).toBe(2);
    expect(raised).toMatchObject({ ...i, status: "open" });
    expect(await store.ledger.raiseAlert(i)).toBeNull();

    lose = 1;
    const resolved = await store.ledger.resolveAlert(keyOf(i), "retried: fine");
    expect(resolved).toMatchObject({ id: raised?.id, status: "resolved" });
    expect(await store.ledger.resolveAlert(keyOf(i), "retried: fine")).toBeNull();

    lose = 1;
    const reopened = await store.ledger.raiseAlert(i);
    expect(reopened).toMatchObject({ status: "open", resolvedAt: null });
    expect(reopened?.id).not.toBe(raised?.id);
    expect(await store.ledger.alerts({ asset: i.asset })).toEqual([reopened]);
  });

  it("answers a repeated call of the SQL functions (as SqlLedger makes them) the same way", async () => {
    const raise = (id: string) =>
      t.db.query<{ alert: { id: string; status: string } | null }>(
        `SELECT fintra_raise_alert($1, 'failure', 'retried-sql', $2::date, 'run', NULL, NULL,
                'retried-sql failed', '/assets/retried-sql') AS alert`,
        [id, DAY],
      );
    const resolve = (id: string) =>
      t.db.query<{ alert: { id: string; status: string } | null }>(
        `SELECT fintra_resolve_alert($1, 'failure', 'retried-sql', $2::date, 'run', 'ok') AS alert`,
        [id, DAY],
      );
    expect((await raise("raise-1"))[0]?.alert).toMatchObject({ id: "raise-1", status: "open" });
    expect((await raise("raise-1"))[0]?.alert).toMatchObject({ id: "raise-1", status: "open" });
    expect((await raise("raise-2"))[0]?.alert).toBeNull();
    expect((await resolve("resolve-1"))[0]?.alert).toMatchObject({ status: "resolved" });
    expect((await resolve("resolve-1"))[0]?.alert).toMatchObject({ status: "resolved" });
    expect((await resolve("resolve-2"))[0]?.alert).toBeNull();
    // Once resolved, a new raise opens it again, under the new raise's id.
    expect((await raise("raise-3"))[0]?.alert).toMatchObject({ id: "raise-3", status: "open" });
  });
});
