import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  BALANCE_COLUMNS,
  CASH_FLOW_COLUMNS,
  CSV_ENDPOINT_COLUMNS,
  createSandboxMarket,
  EOD_COLUMNS,
  INCOME_COLUMNS,
  renderEndpoint,
} from "../../../sources/sandbox/index.ts";
import { fixturesDir, hasFixtures, parseCsv } from "./support.ts";

const market = createSandboxMarket({ tickers: 150, seed: 11, asOf: "2026-03-31" });

const bodies = {
  income: renderEndpoint(market, "income-statement-bulk", { year: 2025, period: "Q3" }),
  balance: renderEndpoint(market, "balance-sheet-statement-bulk", { year: 2025, period: "Q3" }),
  cashFlow: renderEndpoint(market, "cash-flow-statement-bulk", { year: 2025, period: "Q3" }),
  eod: renderEndpoint(market, "eod-bulk", { date: "2026-03-31" }),
};

const FIXTURE_FILES = {
  income: { file: "income_2026_Q1.csv", columns: INCOME_COLUMNS },
  balance: { file: "balance_2026_Q1.csv", columns: BALANCE_COLUMNS },
  cashFlow: { file: "cash_flow_2026_Q1.csv", columns: CASH_FLOW_COLUMNS },
  eod: { file: "eod_2026-01-10.csv", columns: EOD_COLUMNS },
} as const;

function firstLine(text: string): string {
  return text.slice(0, text.indexOf("\n") === -1 ? undefined : text.indexOf("\n"));
}

/** How each field of a raw CSV line is written: quoted string, bare number, or empty. */
function fieldShapes(line: string): string[] {
  return line.split(",").map((field) => {
    if (field === "") return "empty";
    if (field.startsWith('"')) return "quoted";
    return /^-?\d+(\.\d+)?(e-?\d+)?$/.test(field) ? "number" : `other:${field}`;
  });
}

describe("sandbox CSV formats (from the column lists in code)", () => {
  it("writes quoted header names in the documented order", () => {
    for (const [name, { columns }] of Object.entries(FIXTURE_FILES)) {
      const body = bodies[name as keyof typeof bodies];
      expect(firstLine(body)).toBe(columns.map((c) => `"${c}"`).join(","));
    }
  });

  it("has the documented statement widths (39 income columns, key columns first)", () => {
    expect(INCOME_COLUMNS).toHaveLength(39);
    expect(BALANCE_COLUMNS.slice(0, 8)).toEqual(INCOME_COLUMNS.slice(0, 8));
    expect(CASH_FLOW_COLUMNS.slice(0, 8)).toEqual(INCOME_COLUMNS.slice(0, 8));
  });

  it("quotes strings, leaves numbers bare and ends without a newline", () => {
    for (const body of Object.values(bodies)) {
      expect(body.endsWith("\n")).toBe(false);
      const lines = body.split("\n");
      expect(lines.length).toBeGreaterThan(10);
      const header = parseCsv(lines[0] as string)[0] as string[];
      for (const line of lines.slice(1, 30)) {
        const shapes = fieldShapes(line);
        expect(shapes).toHaveLength(header.length);
        expect(shapes.filter((s) => s.startsWith("other"))).toEqual([]);
      }
    }
    const income = bodies.income.split("\n")[1] as string;
    expect(
      fieldShapes(income)
        .slice(0, 8)
        .filter((s) => s === "number"),
    ).toEqual([]);
    expect(
      fieldShapes(income)
        .slice(8)
        .every((s) => s === "number"),
    ).toBe(true);
  });

  it("serves every CSV endpoint with its column list as header", () => {
    for (const [endpoint, columns] of Object.entries(CSV_ENDPOINT_COLUMNS)) {
      const params: Record<string, string | number> =
        endpoint === "eod-bulk"
          ? { date: "2026-03-31" }
          : endpoint.includes("statement")
            ? { year: 2025, period: "FY" }
            : {};
      const body = renderEndpoint(market, endpoint as keyof typeof CSV_ENDPOINT_COLUMNS, params);
      expect(parseCsv(firstLine(body))[0], endpoint).toEqual([...columns]);
      expect(parseCsv(body).slice(1).length, endpoint).toBeGreaterThan(0);
    }
  });
});

describe.skipIf(!hasFixtures)(
  `sandbox CSV formats against the real FMP fixtures (${fixturesDir})`,
  () => {
    it("has exactly the fixtures' header rows, byte for byte", () => {
      for (const [name, { file }] of Object.entries(FIXTURE_FILES)) {
        const fixture = readFileSync(path.join(fixturesDir, file), "utf8");
        expect(firstLine(bodies[name as keyof typeof bodies]), file).toBe(firstLine(fixture));
      }
    });

    it("writes data rows the way the fixtures do (which fields are quoted, no trailing newline)", () => {
      for (const [name, { file }] of Object.entries(FIXTURE_FILES)) {
        const fixture = readFileSync(path.join(fixturesDir, file), "utf8");
        expect(fixture.endsWith("\n"), file).toBe(false);
        // Compare rows that both have every field filled (a missing cik is an empty field in both).
        const full = (text: string) =>
          fieldShapes(
            text.split("\n").find((line, i) => i > 0 && !fieldShapes(line).includes("empty")) ?? "",
          );
        expect(full(bodies[name as keyof typeof bodies]), file).toEqual(full(fixture));
      }
    });
  },
);

if (!hasFixtures) {
  console.info(
    `FMP fixtures not found at ${fixturesDir} (set FINTRA_FMP_FIXTURES): fixture comparisons skipped`,
  );
}
