/**
 * `fintra demo` end to end on a small sandbox market: it builds every
 * registered asset for the day, a second run reuses everything, and the
 * operations guide's first queries return the day's rows.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graph } from "../../assets/index.ts";
import { run } from "../../cli/main.ts";
import { openStore } from "../../db/index.ts";
import { openResources } from "../../runtime/resources.ts";

const DAY = "2026-11-25";
const NOW = new Date(`${DAY}T23:00:00Z`);
const dir = mkdtempSync(join(tmpdir(), "fintra-demo-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function demo(): Promise<{ code: number; stdout: string }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  const code = await run(
    ["demo", "--tickers", "40", "--years", "1", "--dir", dir],
    { stdout: out, stderr: new PassThrough(), env: {} },
    { graph, openResources, now: () => NOW },
  );
  return { code, stdout: Buffer.concat(chunks).toString("utf8") };
}

describe("fintra demo", () => {
  // The fixture: a first demo run into an empty folder, and what it printed.
  let first: Awaited<ReturnType<typeof demo>>;
  beforeAll(async () => {
    first = await demo();
  }, 180_000);

  it("backfills a year of prices and materializes every asset for the day", () => {
    const { code, stdout } = first;
    expect(code).toBe(0);
    expect(stdout).toContain(`Fintra demo: ${DAY}, 40 sandbox instruments`);
    for (const key of graph.order)
      expect(stdout).toMatch(new RegExp(`${key}\\s+(succeeded|fresh)`));
    expect(stdout).toMatch(/datos_eod history\s+2\d\d dates\s+\d{4,}/);
    expect(stdout).toContain(`FINTRA_PGLITE_DIR=${dir} npm run -s fintra -- sql`);
  });

  it("reuses what is there on a second run", async () => {
    const { code, stdout } = await demo();
    expect(code).toBe(0);
    expect(stdout).toMatch(/datos_eod history\s+2\d\d dates\s+0\s/);
    for (const key of graph.order) expect(stdout).toMatch(new RegExp(`${key}\\s+fresh`));
  });

  it("answers the operations guide's base-ingest queries for the day", async () => {
    const store = await openStore({ pgliteDir: dir });
    try {
      const count = async (sql: string) => Number((await store.readOnlyQuery(sql))[0]?.count);
      expect(
        await count("SELECT COUNT(*) FROM fintra_universe WHERE is_active = true"),
      ).toBeGreaterThan(30);
      expect(
        await count(`SELECT COUNT(*) FROM datos_eod WHERE price_date = '${DAY}'`),
      ).toBeGreaterThan(30);
      expect(await count("SELECT COUNT(*) FROM company_profiles")).toBeGreaterThan(20);
      // The guide's "TTM needs >= 4 quarters" query names AAPL; the sandbox lists it.
      const aapl = await store.readOnlyQuery(
        "SELECT ticker, COUNT(*) as quarters FROM datos_financieros WHERE period_type = 'Q' AND ticker = 'AAPL' GROUP BY ticker",
      );
      expect(Number(aapl[0]?.quarters)).toBeGreaterThanOrEqual(4);
    } finally {
      await store.close();
    }
  });
});
