/** Shared helpers of the sandbox tests: CSV parsing and where the real FMP fixtures live. */
import { existsSync } from "node:fs";
import path from "node:path";
import Papa from "papaparse";

const repoRoot = path.resolve(import.meta.dirname, "../../..");

/** Real FMP bulk files, outside the repository (FINTRA_FMP_FIXTURES overrides the default). */
export const fixturesDir =
  process.env.FINTRA_FMP_FIXTURES ?? path.resolve(repoRoot, "../shared/fixtures/fmp");
export const hasFixtures = existsSync(path.join(fixturesDir, "income_2026_Q1.csv"));

/** Parses CSV text into rows of strings (header included). */
export function parseCsv(text: string): string[][] {
  if (text === "") return [];
  const parsed = Papa.parse<string[]>(text, { header: false, skipEmptyLines: false });
  return parsed.data;
}

/** Parses CSV into records keyed by the header. */
export function parseRecords(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  return rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i] ?? ""])));
}

export function pearson(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] as number;
    mb += b[i] as number;
  }
  ma /= n;
  mb /= n;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    const da = (a[i] as number) - ma;
    const db = (b[i] as number) - mb;
    cov += da * db;
    va += da * da;
    vb += db * db;
  }
  return cov / Math.sqrt(va * vb);
}
