import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  copyFloor,
  copyTextField,
  type FloorDb,
  historyFloor,
  pgliteFloorDb,
} from "../../bench/market/floors.ts";

describe("COPY text fields", () => {
  it("writes null as \\N and escapes backslash, newline, return and tab", () => {
    expect(copyTextField(null)).toBe("\\N");
    expect(copyTextField(Buffer.from('a "b", c'))).toBe('a "b", c');
    expect(copyTextField(Buffer.from("x\\y\nz\r\tw"))).toBe("x\\\\y\\nz\\r\\tw");
  });
});

describe("floors on PGlite", () => {
  let pg: PGlite;
  let db: FloorDb;
  let dir: string;

  beforeAll(async () => {
    pg = new PGlite();
    await pg.exec(`CREATE TABLE prices (ticker text, day date, close numeric, tags text[], PRIMARY KEY (ticker, day));
      INSERT INTO prices SELECT 'T' || g, DATE '2026-01-01' + (g % 30), g / 7.0, ARRAY['a', E'b\\tc']
      FROM generate_series(1, 2000) g`);
    db = pgliteFloorDb(pg);
    dir = mkdtempSync(join(tmpdir(), "fintra-floor-test-"));
  });

  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("copies as many of a table's rows as asked into an empty keyed clone, and skips unknown tables", async () => {
    const floor = await copyFloor(
      db,
      new Map([
        ["prices", 1500],
        ["nowhere", 10],
      ]),
      "scratch",
      dir,
    );
    expect(floor.rows).toBe(1500);
    expect(floor.tables.map((t) => t.table)).toEqual(["prices"]);
    expect(floor.skipped).toEqual(["nowhere (10 rows)"]);
  });

  it("loads FMP's eod files without their headers, header-only files included", async () => {
    const header = '"symbol","date","open","low","high","close","adjClose","volume"';
    const files = ["a", "b", "c"].map((name) => join(dir, `${name}.csv`));
    writeFileSync(
      files[0] as string,
      `${header}\n"A","2026-01-02",1,1,1,1,1,5\n"B","2026-01-02",2,2,2,2,2,6`,
    );
    writeFileSync(files[1] as string, header);
    writeFileSync(files[2] as string, `${header}\n"A","2026-01-05",1,1,1,1,1,5`);
    const floor = await historyFloor(db, files, "scratch");
    expect(floor.rows).toBe(3);
  });
});
