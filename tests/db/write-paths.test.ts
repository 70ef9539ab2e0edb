/**
 * The fast write paths store exactly the rows the old ones did (issue 11, point 3). The same
 * generated rows (every column type the Store writes, NULLs, text that needs quoting or
 * escaping, numbers at the edges) go through the old path into one table and the new path
 * into an identical one, insert path, update path, partial columns, keepOnConflict, a
 * retried stage and a replaced slice included; after each phase the two tables' hashes (md5
 * of every row's text in key order) must be equal. On PGlite, and on Postgres when
 * DATABASE_URL is set.
 *
 * - upsert: the unnest arrays (batches under COPY_MIN_ROWS) against COPY into a temporary
 *   table and one INSERT (one large batch).
 * - stage + publish: the jsonb stage of migration 0031 (fintra_staged_rows and
 *   fintra_publish_staged, as SqlStore wrote it before) against the typed stage of 0032.
 */
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import postgres from "postgres";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openPglite } from "../../db/adapters/pglite.ts";
import { openPostgres } from "../../db/adapters/postgres.ts";
import type { SqlExecutor } from "../../db/adapters/sql.ts";
import { rowKey } from "../../db/adapters/supabase-codec.ts";
import { defineTable, type TableSpec, type UpsertOptions, type Where } from "../../db/index.ts";
import { COPY_MIN_ROWS, SqlStore } from "../../db/sql-store.ts";
import {
  PUBLISH_FUNCTION,
  publishArguments,
  publishResult,
  rowKeyOf,
  STAGED_ROWS,
  stagedRows,
} from "../../db/staging.ts";

interface WideRow {
  k: string;
  d: string;
  n: number;
  num: number | string | null;
  dbl: number | null;
  int: number | null;
  big: number | null;
  flag: boolean | null;
  label: string | null;
  tags: (string | null)[] | null;
  doc: unknown;
  at: string | Date | null;
  day: string | Date | null;
  source: string;
}

const COLUMNS = {
  k: "text",
  d: "date",
  n: "integer",
  num: "numeric",
  dbl: "double precision",
  int: "integer",
  big: "bigint",
  flag: "boolean",
  label: "text",
  tags: "text[]",
  doc: "jsonb",
  at: "timestamptz",
  day: "date",
  source: "text",
} as const;

const tableSql = (name: string) => `CREATE TABLE ${name} (
  k text NOT NULL, d date NOT NULL, n integer NOT NULL,
  num numeric, dbl double precision, int integer, big bigint, flag boolean, label text,
  tags text[], doc jsonb, at timestamptz, day date,
  source text NOT NULL DEFAULT 'default',
  PRIMARY KEY (k, d, n))`;

const spec = (name: string): TableSpec<WideRow> =>
  defineTable<WideRow>({ name, key: ["k", "d", "n"], columns: COLUMNS });

const OLD = spec("write_path_old");
const NEW = spec("write_path_new");
const DAY1 = "2026-03-02";
const DAY2 = "2026-03-03";

/** A small seeded generator, so a failure reproduces. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const TEXTS = [
  "plain",
  "",
  "tab\there",
  "new\nline",
  "carriage\rreturn",
  "back\\slash",
  'quote " and \\ both',
  "\\N",
  "NULL",
  "comma, and {braces}",
  "ünïcödé ✓ 𝄞",
  "  spaced  ",
];
const NUMBERS: (number | string | null)[] = [
  0,
  -0,
  1,
  -1.5,
  0.1 + 0.2,
  1e-10,
  1e21,
  123456789.12345679,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  "3.25",
  " ",
  null,
];
const DOUBLES = [0.1, 1 / 3, 1.7976931348623157e308, 5e-324, -2.5e-8, 42, null];
const INTEGERS = [0, -5, 2_147_483_647, -2_147_483_648, 7, null];
const BIGINTS = [0, 9_007_199_254_740_991, -9_007_199_254_740_991, 1_000_000_000_000, null];
const TAGS: WideRow["tags"][] = [
  ["a", 'b"c', "d,e", "NULL", null, "", "back\\slash", "tab\there", "{x}"],
  [],
  null,
  ["one"],
];
const DOCS: unknown[] = [
  { a: 1, s: 'x\ty"z\\', list: [1, null, "two", { deep: true }] },
  "a string",
  3.5,
  null,
  [],
  { "key with spaces": "ünï", n: -0.000001 },
];
const TIMES: WideRow["at"][] = [
  "2026-03-02T21:00:00.000Z",
  "2026-03-02 16:00:00-05",
  new Date(Date.UTC(2026, 2, 2, 9, 30, 15, 123)),
  null,
];

function pick<T>(next: () => number, list: readonly T[]): T {
  return list[Math.floor(next() * list.length)] as T;
}

/**
 * `count` rows of `day` over keys offset..offset+keys-1 (a key more than once when count >
 * keys), values drawn from `seed`.
 */
function rows(count: number, day: string, seed: number, keys = count, offset = 0): WideRow[] {
  const next = random(seed);
  const out: WideRow[] = [];
  for (let i = 0; i < count; i++) {
    const key = offset + (i % keys);
    const dayValue = next();
    out.push({
      k: `K${String(key % 500).padStart(4, "0")}`,
      d: day,
      n: Math.floor(key / 500),
      num: pick(next, NUMBERS),
      dbl: pick(next, DOUBLES),
      int: pick(next, INTEGERS),
      big: pick(next, BIGINTS),
      flag: pick(next, [true, false, null]),
      label: next() < 0.2 ? null : `${pick(next, TEXTS)}${i}`,
      tags: pick(next, TAGS),
      doc: pick(next, DOCS),
      at: pick(next, TIMES),
      day: dayValue < 0.3 ? null : dayValue < 0.4 ? new Date(`${day}T00:00:00.000Z`) : day,
      source: pick(next, ["fmp", "fintra", "x\ty"]),
    });
  }
  return out;
}

type Backend = "pglite" | "postgres";
const backends: Backend[] = process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];

describe.each(backends)("old and new write paths store the same rows on %s", (backend) => {
  let db: SqlExecutor;
  let store: SqlStore;
  let cleanup: () => Promise<void> = async () => {};

  beforeAll(async () => {
    if (backend === "pglite") {
      db = await openPglite();
    } else {
      const url = process.env.DATABASE_URL as string;
      const schema = `fintra_paths_${randomBytes(6).toString("hex")}`;
      db = await openPostgres(url, { schema });
      cleanup = async () => {
        const sql = postgres(url, { onnotice: () => {} });
        await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await sql.end();
      };
    }
    store = new SqlStore(db);
    await store.migrate();
    await db.exec(`${tableSql(OLD.name)}; ${tableSql(NEW.name)}`);
  });
  // Each test starts from two empty tables.
  beforeEach(async () => {
    await db.exec(`DELETE FROM ${OLD.name}; DELETE FROM ${NEW.name}`);
  });
  afterAll(async () => {
    await store?.close();
    await cleanup();
  });

  /** md5 of every row's text in key order, and the row count. */
  async function hash(table: TableSpec<WideRow>) {
    const [row] = await db.query<{ hash: string; n: number }>(
      `SELECT md5(string_agg(t::text, E'\\n' ORDER BY k, d, n)) AS hash, count(*)::int AS n
         FROM ${table.name} t`,
    );
    return row;
  }
  async function expectSameTables() {
    const [old, fresh] = [await hash(OLD), await hash(NEW)];
    expect(old?.n).toBeGreaterThan(0);
    expect(fresh).toEqual(old);
  }

  /** The old upsert: unnest arrays, in batches too small for COPY. */
  async function oldUpsert(
    table: TableSpec<WideRow>,
    batch: WideRow[],
    options: UpsertOptions<WideRow> = {},
  ) {
    const size = COPY_MIN_ROWS - 1;
    let n = 0;
    for (let i = 0; i < batch.length; i += size) {
      n += await store.upsert(table, batch.slice(i, i + size), options);
    }
    return n;
  }

  /** The old stage: rows as jsonb in fintra_staged_rows (what SqlStore.stage wrote before 0032). */
  async function oldStage(table: TableSpec<WideRow>, runId: string, batch: WideRow[]) {
    const staged = stagedRows(table, runId, batch);
    await db.query(
      `INSERT INTO ${STAGED_ROWS} (run_id, table_name, row_key, row)
       SELECT $1, $2, u.k, u.r::jsonb FROM unnest($3::text[], $4::text[]) AS u(k, r)
       ON CONFLICT (run_id, table_name, row_key) DO UPDATE SET row = EXCLUDED.row, staged_at = now()`,
      [runId, table.name, staged.map((r) => r.row_key), staged.map((r) => JSON.stringify(r.row))],
    );
    return staged.length;
  }

  async function oldPublish(
    table: TableSpec<WideRow>,
    runId: string,
    staged: number,
    replace: Where<WideRow> | null,
  ) {
    const args = publishArguments(table, { runId, staged, replace });
    const [row] = await db.query<{ result: unknown }>(
      `SELECT ${PUBLISH_FUNCTION}($1, $2, $3::text[], $4::bigint, $5::text::jsonb)::text AS result`,
      [
        args.p_run_id,
        args.p_table,
        args.p_columns,
        args.p_staged,
        args.p_replace ? JSON.stringify(args.p_replace) : null,
      ],
    );
    return publishResult(row?.result);
  }

  it("upserts: insert path, update path, some columns, keepOnConflict", async () => {
    const first = rows(2_500, DAY1, 1);
    expect(await oldUpsert(OLD, first)).toBe(await store.upsert(NEW, first));
    await expectSameTables();

    // Half the keys again with new values (some rows unchanged by chance), plus new keys;
    // a key sent twice keeps its last row.
    const second = [...rows(2_000, DAY1, 2, 1_250), ...rows(1_200, DAY2, 3)];
    await oldUpsert(OLD, second);
    await store.upsert(NEW, second);
    await expectSameTables();

    const some = rows(1_500, DAY1, 4);
    const columns: (keyof WideRow)[] = ["num", "label", "tags"];
    expect(await oldUpsert(OLD, some, { columns })).toBe(
      await store.upsert(NEW, some, { columns }),
    );
    const kept = rows(1_800, DAY2, 5);
    const keepOnConflict: (keyof WideRow)[] = ["doc", "at"];
    expect(await oldUpsert(OLD, kept, { keepOnConflict })).toBe(
      await store.upsert(NEW, kept, { keepOnConflict }),
    );
    await expectSameTables();
  });

  it("stages and publishes: a retried batch, a replaced slice, then an update", async () => {
    const stored = rows(2_500, DAY1, 1);
    await oldUpsert(OLD, stored);
    await store.upsert(NEW, stored);
    await expectSameTables();
    // Run 1 replaces DAY1 (2,500 keys stored) with 1,700 keys in three batches, the second
    // staged again by a retried step with new values (its first count lost with the step);
    // the slice's other 800 stored rows are removed.
    const batches = [
      rows(700, DAY1, 10),
      rows(600, DAY1, 11, 600, 700),
      rows(400, DAY1, 12, 400, 1_300),
    ];
    const retried = rows(600, DAY1, 13, 600, 700);
    const publishes = [];
    for (const [table, stage, publish] of [
      [OLD, oldStage, oldPublish],
      [
        NEW,
        (t: TableSpec<WideRow>, runId: string, b: WideRow[]) => store.stage(t, runId, b),
        (t: TableSpec<WideRow>, runId: string, staged: number, replace: Where<WideRow> | null) =>
          store.publish(t, { runId, staged, replace }),
      ],
    ] as const) {
      let staged = 0;
      for (const batch of batches) staged += await stage(table, "run-1", batch);
      staged += (await stage(table, "run-1", retried)) - 600;
      publishes.push(await publish(table, "run-1", staged, { d: DAY1 }));
    }
    expect(publishes[1]).toEqual(publishes[0]);
    expect(publishes[0]).toEqual({ written: 1_700, removed: 800 });
    await expectSameTables();

    // Run 2 only upserts: DAY2 rows, changed and new.
    const update = [...rows(900, DAY2, 20, 450), ...rows(300, DAY1, 21, 300, 1_000)];
    const second = [
      await oldPublish(OLD, "run-2", await oldStage(OLD, "run-2", update), null),
      await store.publish(NEW, {
        runId: "run-2",
        staged: await store.stage(NEW, "run-2", update),
        replace: null,
      }),
    ];
    expect(second[1]).toEqual(second[0]);
    await expectSameTables();
  });

  it("COPYs while other queries share the pool: each COPY on a connection of its own", async () => {
    // postgres.js pipelines pooled queries; a query queued behind a COPY on its connection
    // used to reach the server mid-copy and end the session ("protocol synchronization was
    // lost"). Stages, big upserts and reads at once, as concurrent assets run them.
    const days = [10, 11, 12, 13, 14, 15].map((d) => `2026-04-${d}`);
    const work: Promise<unknown>[] = [];
    days.forEach((day, i) => {
      work.push(store.stage(NEW, "run-c", rows(1_200, day, 30 + i)));
      work.push(store.upsert(OLD, rows(1_100, day, 40 + i)));
      work.push(db.query("SELECT count(*) FROM write_path_old"));
      work.push(db.query("SELECT pg_sleep(0.01)"));
    });
    await Promise.all(work);
    const published = await store.publish(NEW, { runId: "run-c", staged: 7_200, replace: null });
    expect(published.written).toBe(7_200);
    const [counted] = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM write_path_old WHERE d >= '2026-04-10'",
    );
    expect(counted?.n).toBe(6_600);
  });
});

describe.runIf(process.env.DATABASE_URL)("Postgres session settings", () => {
  it("plans each statement run (no generic plans) and does not JIT-compile", async () => {
    const db = await openPostgres(process.env.DATABASE_URL as string);
    try {
      // Enough runs of one prepared statement for Postgres to consider a generic plan.
      for (let i = 0; i < 7; i++) await db.query("SELECT $1::int AS n", [i]);
      const [settings] = await db.query<{ plan: string; jit: string }>(
        "SELECT current_setting('plan_cache_mode') AS plan, current_setting('jit') AS jit",
      );
      expect(settings).toEqual({ plan: "force_custom_plan", jit: "off" });
    } finally {
      await db.close();
    }
  });
});

describe("the stage's key text", () => {
  it("equals for two rows exactly when their rowKeys do", () => {
    const keyed = defineTable<{ a: string | null; at: string | Date | null; n: number | null }>({
      name: "keyed",
      key: ["a", "at", "n"],
      columns: { a: "text", at: "timestamptz", n: "numeric" },
    });
    const keyOf = rowKeyOf(keyed);
    const value = fc.record({
      a: fc.oneof(
        fc.constantFrom("", "1:", "a", "1:a", "\u0000null", "\u0000", "a\u00001:b", null),
        fc.string(),
      ),
      at: fc.constantFrom(
        "2026-03-02T21:00:00.000Z",
        "2026-03-02T21:00:00Z",
        new Date(Date.UTC(2026, 2, 2, 21)),
        null,
      ),
      n: fc.constantFrom(1, 1.0, 2, null, 0, -0),
    });
    fc.assert(
      fc.property(value, value, (x, y) => {
        expect(keyOf(x) === keyOf(y)).toBe(rowKey(keyed, x) === rowKey(keyed, y));
      }),
      { numRuns: 2_000 },
    );
  });
});
