/**
 * `fintra sql` is read-only on every backend: each statement runs alone in a
 * READ ONLY transaction over the extended protocol, so a write is refused and
 * a second statement hidden behind a comment (where a COMMIT would end the
 * read-only transaction) is refused by the server itself. datos_eod keeps its rows.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../cli/main.ts";
import { defineTable, openStore, type StoreConfig } from "../../db/index.ts";
import { testResources } from "../helpers/resources.ts";
import { createTestGraph } from "../helpers/test-graph.ts";

const NOW = new Date("2026-11-28T12:00:00Z");
const HIDDEN_DELETE = "SELECT 1 /* ' */; COMMIT; DELETE FROM datos_eod; -- '";

/** Just the columns these tests fill (the rest have defaults or allow null). */
const eod = defineTable<{ ticker: string; price_date: string; close: number }>({
  name: "datos_eod",
  key: ["ticker", "price_date"],
  columns: { ticker: "text", price_date: "date", close: "numeric" },
});

type Place = { config: StoreConfig; cleanup: () => Promise<void> };

function pglitePlace(): Place {
  const dir = mkdtempSync(join(tmpdir(), "fintra-sql-"));
  return {
    config: { pgliteDir: join(dir, "pglite") },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function postgresPlace(url: string): Place {
  const schema = `fintra_sql_${randomBytes(6).toString("hex")}`;
  return {
    config: { databaseUrl: url, schema },
    cleanup: async () => {
      const sql = postgres(url, { onnotice: () => {} });
      await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await sql.end();
    },
  };
}

const places: [string, () => Place][] = [["pglite", pglitePlace]];
if (process.env.DATABASE_URL) {
  const url = process.env.DATABASE_URL;
  places.push(["postgres", () => postgresPlace(url)]);
}

async function cli(place: Place, ...argv: string[]) {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  out.on("data", (c: Buffer) => chunks.out.push(c));
  err.on("data", (c: Buffer) => chunks.err.push(c));
  const code = await run(
    argv,
    { stdout: out, stderr: err, env: { LOG_LEVEL: "silent" } },
    {
      graph: createTestGraph().graph,
      now: () => NOW,
      openResources: async () => testResources(await openStore(place.config), NOW),
    },
  );
  return {
    code,
    stdout: Buffer.concat(chunks.out).toString("utf8"),
    stderr: Buffer.concat(chunks.err).toString("utf8"),
  };
}

describe.each(places)("fintra sql on %s", (_name, makePlace) => {
  let place: Place;

  async function eodRows(): Promise<number> {
    const store = await openStore(place.config);
    try {
      const rows = await store.readOnlyQuery("SELECT count(*)::int AS n FROM datos_eod");
      return Number(rows[0]?.n);
    } finally {
      await store.close();
    }
  }

  beforeAll(async () => {
    place = makePlace();
    const store = await openStore(place.config);
    try {
      await store.migrate();
      await store.upsert(eod, [
        { ticker: "AAA", price_date: "2026-11-27", close: 10 },
        { ticker: "BBB", price_date: "2026-11-27", close: 20 },
        { ticker: "CCC", price_date: "2026-11-27", close: 30 },
      ]);
    } finally {
      await store.close();
    }
  });
  afterAll(() => place.cleanup());

  it("refuses a DELETE hidden behind a comment, on one line, and deletes nothing", async () => {
    const result = await cli(place, "sql", HIDDEN_DELETE);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([
      "error: refused: the query holds more than one SQL statement; run one at a time",
    ]);
    expect(await eodRows()).toBe(3);
  });

  it("refuses writes, also after a COMMIT or SET TRANSACTION READ WRITE of their own", async () => {
    for (const script of [
      "DELETE FROM datos_eod",
      "SELECT 1; COMMIT; DELETE FROM datos_eod",
      "SET TRANSACTION READ WRITE; DELETE FROM datos_eod",
      "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE; UPDATE datos_eod SET close = 0",
    ]) {
      const result = await cli(place, "sql", script);
      expect(result.code, script).toBe(1);
      expect(result.stderr, script).toMatch(/read-only transaction/);
    }
    expect(await eodRows()).toBe(3);
  });

  it("still answers reads, one statement or a script of several", async () => {
    const one = await cli(place, "sql", "SELECT count(*) AS n FROM datos_eod;");
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/n\n-\n3/);
    const script = await cli(
      place,
      "sql",
      "SELECT min(close) AS lo FROM datos_eod; SELECT max(close) AS hi FROM datos_eod",
    );
    expect(script.code).toBe(0);
    expect(script.stdout).toMatch(/lo\n--\n10/);
    expect(script.stdout).toMatch(/hi\n--\n30/);
  });
});
