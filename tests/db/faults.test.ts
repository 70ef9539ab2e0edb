/**
 * The Postgres door under faults, on the local server: a statement blocked by
 * another session's lock fails after FINTRA_LOCK_TIMEOUT_MS saying so; a long
 * statement stops at FINTRA_STATEMENT_TIMEOUT_MS; a connection killed between
 * statements or in the middle of a transaction is replaced and the work goes
 * through; and no error carries the connection string's password.
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgres } from "../../db/adapters/postgres.ts";
import type { SqlExecutor } from "../../db/adapters/sql.ts";
import { openStore, type Store, storeConfigFromEnv } from "../../db/index.ts";
import { SqlStore } from "../../db/sql-store.ts";
import { TEST_MIGRATIONS } from "../helpers/store.ts";
import { testRows } from "../helpers/test-table.ts";

const URL_ = process.env.DATABASE_URL;
const PASSWORD = "Pw-9c41e7b2d05f";

const row = (ticker: string, value: number) => ({
  asset: "faults",
  day: "2026-11-27",
  ticker,
  value,
  label: null,
  active: null,
  tags: null,
  extra: null,
  seen_at: null,
});

/** A port on loopback that refuses connections (bound, then released). */
async function refusingPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Every string an error could show a log: message, stack and enumerable fields. */
function everything(error: unknown): string {
  const e = error as Error;
  return [e.message, e.stack, JSON.stringify(e), JSON.stringify(Object.entries(e))].join("\n");
}

describe("timeouts from configuration", () => {
  it("reads FINTRA_STATEMENT_TIMEOUT_MS and FINTRA_LOCK_TIMEOUT_MS, refusing non-numbers by name", () => {
    expect(storeConfigFromEnv({}).timeouts).toEqual({
      statementTimeoutMs: 900_000,
      lockTimeoutMs: 60_000,
    });
    expect(
      storeConfigFromEnv({ FINTRA_STATEMENT_TIMEOUT_MS: "1000", FINTRA_LOCK_TIMEOUT_MS: "0" })
        .timeouts,
    ).toEqual({ statementTimeoutMs: 1000, lockTimeoutMs: 0 });
    expect(() => storeConfigFromEnv({ FINTRA_LOCK_TIMEOUT_MS: "2s" })).toThrow(
      'FINTRA_LOCK_TIMEOUT_MS must be a whole number of milliseconds (0 for no limit), not "2s"',
    );
  });
});

describe("secrets in connection errors", () => {
  it.each([
    [
      "an unreachable server",
      (port: number) => `postgres://fintra:${PASSWORD}@127.0.0.1:${port}/test`,
    ],
    [
      "a password with unencoded # and /",
      (port: number) => `postgres://fintra:${PASSWORD}#x/y@127.0.0.1:${port}/test`,
    ],
    ["a malformed URL", (port: number) => `postgres://fintra:${PASSWORD}@127.0.0.1:${port}x/test`],
  ])("%s: the password is in no part of the error", async (_case, makeUrl) => {
    const url = makeUrl(await refusingPort());
    const error = await openStore({ databaseUrl: url }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message.split("\n")).toHaveLength(1);
    expect(everything(error)).not.toContain(PASSWORD);
    expect(everything(error)).not.toContain(PASSWORD.slice(3));
  });
});

describe.skipIf(!URL_)("Postgres under faults", () => {
  const url = URL_ as string;
  const schema = `fintra_faults_${randomBytes(6).toString("hex")}`;
  let admin: postgres.Sql;
  let store: Store;

  beforeAll(async () => {
    admin = postgres(url, { onnotice: () => {} });
    store = await openStore({
      databaseUrl: url,
      schema,
      migrationDirs: [TEST_MIGRATIONS],
      timeouts: { statementTimeoutMs: 2_000, lockTimeoutMs: 200 },
    });
    await store.migrate();
    await store.upsert(testRows, [row("AAA", 1), row("BBB", 2)]);
  });
  afterAll(async () => {
    await store?.close();
    await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  it("an upsert blocked by another session's row lock fails after the lock timeout, on one line", async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked: () => void = () => {};
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const holder = admin.begin(async (tx) => {
      await tx.unsafe(`SELECT 1 FROM "${schema}".test_rows WHERE ticker = 'AAA' FOR UPDATE`);
      locked();
      await released;
    });
    try {
      await isLocked;
      const error = await store.upsert(testRows, [row("AAA", 10)]).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(error?.message).toMatch(/lock timeout.*\(FINTRA_LOCK_TIMEOUT_MS=200\)$/);
      expect(error?.message.split("\n")).toHaveLength(1);
    } finally {
      release();
      await holder;
    }
    // Once the lock is gone the same upsert goes through.
    expect(await store.upsert(testRows, [row("AAA", 10)])).toBe(1);
  });

  it("a statement longer than the statement timeout is cancelled, saying which limit", async () => {
    await expect(store.readOnlyQuery("SELECT pg_sleep(5)")).rejects.toThrow(
      /statement timeout.*\(FINTRA_STATEMENT_TIMEOUT_MS=2000\)$/,
    );
  });

  describe("a killed connection", () => {
    async function open(retries: number): Promise<SqlExecutor> {
      return openPostgres(url, { schema, reconnect: { retries, minDelayMs: 10, maxDelayMs: 50 } });
    }
    const backend = async (db: SqlExecutor) =>
      (await db.query<{ pid: number }>("SELECT pg_backend_pid() AS pid"))[0]?.pid as number;
    const kill = (pid: number) => admin`SELECT pg_terminate_backend(${pid})`;

    it("between statements: the next statement goes through on a new connection", async () => {
      const db = await open(4);
      try {
        const before = await backend(db);
        await kill(before);
        const store = new SqlStore(db);
        expect(await store.upsert(testRows, [row("CCC", 3)])).toBe(1);
        expect(await backend(db)).not.toBe(before);
      } finally {
        await db.close();
      }
    });

    it("in the middle of a transaction: the whole transaction runs again, its rows written once", async () => {
      const db = await open(4);
      let attempts = 0;
      try {
        await db.transaction(async (tx) => {
          attempts++;
          await tx.query(
            `INSERT INTO test_rows (asset, day, ticker, value) VALUES ('faults', '2026-11-27', 'DDD', $1)
             ON CONFLICT (asset, day, ticker) DO UPDATE SET value = EXCLUDED.value`,
            [attempts],
          );
          if (attempts === 1) {
            await kill(await backend(tx));
            // The socket closes while the transaction waits: its next write must not crash us.
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          await tx.query("SELECT 1");
        });
        expect(attempts).toBe(2);
        const rows = await db.query<{ value: number }>(
          "SELECT value FROM test_rows WHERE ticker = 'DDD'",
        );
        expect(rows).toEqual([{ value: 2 }]);
      } finally {
        await db.close();
      }
    });

    it("without retries the run would have failed at once (the fault is real)", async () => {
      const db = await open(0);
      try {
        await kill(await backend(db));
        await expect(db.query("SELECT 1")).rejects.toMatchObject({
          code: expect.stringMatching(/ECONNRESET|CONNECTION_CLOSED|57P01/),
        });
      } finally {
        await db.close();
      }
    });
  });

  it("a query error quoting the password does not show it", async () => {
    const withPassword = new URL(url);
    withPassword.password = PASSWORD;
    if (!withPassword.username) withPassword.username = "postgres";
    // The local server trusts loopback, so any password connects.
    const db = await openPostgres(withPassword.toString(), { schema });
    try {
      const error = await db.query(`SELECT '${PASSWORD}'::int`).then(
        () => null,
        (e: unknown) => e,
      );
      expect((error as Error).message).toMatch(/invalid input syntax for type integer/);
      expect(everything(error)).not.toContain(PASSWORD);
    } finally {
      await db.close();
    }
  });
});
