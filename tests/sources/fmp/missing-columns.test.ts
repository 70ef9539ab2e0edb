/**
 * A renamed optional column is counted and warned, not silently null (issue 10, fault
 * matrix): the sandbox renames a header column the way a format change at FMP would, and
 * the client still loads every row but names the missing column in its report (which an
 * asset copies into its run's metadata) and logs one warning per fetch.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createFmpClient,
  type FmpClient,
  incomeStatementBulk,
  profileBulk,
} from "../../../sources/fmp/index.ts";
import {
  createSandboxMarket,
  type SandboxServer,
  startSandboxServer,
} from "../../../sources/sandbox/index.ts";

const KEY = "missing-columns-key-8c1d";
const market = createSandboxMarket({ tickers: 60, seed: 7, asOf: "2026-11-27", historyYears: 2 });

let server: SandboxServer;
const warnings: string[] = [];
let fmp: FmpClient;

beforeAll(async () => {
  server = await startSandboxServer({ market });
  fmp = createFmpClient({
    apiKey: KEY,
    baseUrl: server.url,
    ratePerMinute: 100_000,
    backoff: { minMs: 1, maxMs: 2 },
    logger: { info: () => {}, warn: (m) => warnings.push(m) },
  });
});

afterAll(() => server.close());

const FY2025 = { year: 2025, period: "FY" } as const;

describe("a header without an optional column", () => {
  it("reads a complete header without a finding or a warning", async () => {
    server.setFaults();
    warnings.length = 0;
    const { rows, report } = await fmp.csv(incomeStatementBulk, FY2025).all();
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.some((r) => r.ebit !== null)).toBe(true);
    expect(report.missingColumns).toEqual([]);
    expect(report.unreadColumns).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it("loads every row, reports the missing column and the unread new name, and warns once", async () => {
    server.setFaults({
      renameColumns: { endpoints: ["income-statement-bulk"], columns: { ebit: "EBIT" } },
    });
    warnings.length = 0;
    const { rows, report } = await fmp.csv(incomeStatementBulk, FY2025).all();
    server.setFaults();
    const clean = await fmp.csv(incomeStatementBulk, FY2025).all();

    expect(server.stats.faults.renamed).toBeGreaterThan(0);
    expect(rows.length).toBe(clean.rows.length);
    expect(report.skipped).toBe(0);
    expect(rows.every((r) => r.ebit === null)).toBe(true);
    expect(report.missingColumns).toEqual(["ebit"]);
    expect(report.unreadColumns).toEqual(["EBIT"]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /income-statement-bulk year=2025 period=FY: header lacks optional column\(s\) ebit, read as null; unread header columns: EBIT/,
    );
    expect(warnings[0]).not.toContain(KEY);
    // Everything else in the row is untouched.
    const byTicker = new Map(clean.rows.map((r) => [r.symbol, r]));
    for (const row of rows)
      expect({ ...row, ebit: byTicker.get(row.symbol)?.ebit }).toEqual(byTicker.get(row.symbol));
  });

  it("a required column renamed is still the header error it always was", async () => {
    server.setFaults({
      renameColumns: { endpoints: ["income-statement-bulk"], columns: { revenue: "Revenue" } },
    });
    await expect(fmp.csv(incomeStatementBulk, FY2025).all()).rejects.toThrow(
      /unexpected CSV header, missing revenue/,
    );
    server.setFaults();
  });

  it("a paged file names the column once, however many parts repeat the header", async () => {
    const small = createSandboxMarket({
      tickers: 60,
      seed: 7,
      asOf: "2026-11-27",
      profilePartSize: 20,
    });
    const paged = await startSandboxServer({
      market: small,
      faults: {
        renameColumns: { endpoints: ["profile-bulk"], columns: { ceo: "chiefExecutive" } },
      },
    });
    const seen: string[] = [];
    const client = createFmpClient({
      apiKey: KEY,
      baseUrl: paged.url,
      ratePerMinute: 100_000,
      logger: { info: () => {}, warn: (m) => seen.push(m) },
    });
    try {
      const { rows, report } = await client.csv(profileBulk, {}).all();
      expect(report.parts).toBeGreaterThan(1);
      expect(rows.length).toBe(60);
      expect(report.missingColumns).toEqual(["ceo"]);
      expect(report.unreadColumns).toEqual(["chiefExecutive"]);
      expect(seen.filter((m) => m.includes("header lacks"))).toHaveLength(1);
    } finally {
      await paged.close();
    }
  });
});
