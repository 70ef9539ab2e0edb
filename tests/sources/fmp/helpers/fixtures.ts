/**
 * Where the real FMP sample files are: FINTRA_FMP_FIXTURES, else ../shared/fixtures/fmp
 * next to the repository. They are never copied into the repo; tests that need them skip
 * with a message when they are absent.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");

export const fixturesDir =
  process.env.FINTRA_FMP_FIXTURES ?? path.resolve(repoRoot, "../shared/fixtures/fmp");

export const haveFixtures = existsSync(path.join(fixturesDir, "income_2026_Q1.csv"));

if (!haveFixtures) {
  console.warn(
    `FMP fixtures not found at ${fixturesDir}: fixture tests are skipped (set FINTRA_FMP_FIXTURES)`,
  );
}

export function fixturePath(name: string): string {
  return path.join(fixturesDir, name);
}
