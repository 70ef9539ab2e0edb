/** The skipped-row cap: its arithmetic, its configuration, and that every FMP reader has it. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { assets } from "../../assets/index.ts";
import type { Store } from "../../db/index.ts";
import { maxSkippedShare, skippedRowsWithin } from "../../runtime/checks.ts";
import type { CheckContext, MaterializeResult } from "../../runtime/define.ts";

const context = (metadata: Record<string, unknown>): CheckContext => ({
  db: {} as Store,
  asset: "datos_eod",
  partition: "2026-11-27",
  runDate: "2026-11-27",
  scope: null,
  result: { rows: 1, metadata } satisfies MaterializeResult,
});

afterEach(() => vi.unstubAllEnvs());

describe("skippedRowsWithin", () => {
  it("fails above the cap, naming the share, the cap and samples", async () => {
    const outcome = await skippedRowsWithin().run(
      context({
        fileRows: 306,
        skipped: 167,
        skippedSamples: [
          { row: 3, symbol: "AAA", reason: 'close: not a number: "N/A"' },
          { row: 9, reason: "expected 8 columns, got 7" },
        ],
      }),
    );
    expect(outcome).toEqual({
      passed: false,
      value: 167 / 473,
      message:
        '167 of 473 source rows skipped (35.3%), above the cap of 2.0% (FINTRA_MAX_SKIPPED_SHARE); e.g. row 3 AAA: close: not a number: "N/A" | row 9: expected 8 columns, got 7',
    });
  });

  it("passes at or under the cap, and over a handful of rows", async () => {
    const check = skippedRowsWithin();
    expect(await check.run(context({ fileRows: 990, skipped: 10 }))).toMatchObject({
      passed: true,
      message: "10 of 1000 source rows skipped (1.0%), cap 2.0%",
    });
    expect((await check.run(context({ fileRows: 10, skipped: 2 }))).passed).toBe(true);
    expect((await check.run(context({ notRebuilt: "past day" }))).passed).toBe(true);
  });

  it("reads the cap from FINTRA_MAX_SKIPPED_SHARE and refuses a bad one", async () => {
    vi.stubEnv("FINTRA_MAX_SKIPPED_SHARE", "0.5");
    expect((await skippedRowsWithin().run(context({ fileRows: 60, skipped: 40 }))).passed).toBe(
      true,
    );
    expect(maxSkippedShare({ FINTRA_MAX_SKIPPED_SHARE: "" })).toBe(0.02);
    expect(() => maxSkippedShare({ FINTRA_MAX_SKIPPED_SHARE: "5%" })).toThrow(
      'FINTRA_MAX_SKIPPED_SHARE must be a fraction from 0 to 1, got "5%"',
    );
  });

  it("reads other metadata names where an asset counts differently (the SEC listings)", async () => {
    const check = skippedRowsWithin({ figures: { read: "listed", skipped: "invalidRows" } });
    expect(await check.run(context({ listed: 50, invalidRows: 50 }))).toMatchObject({
      passed: false,
      message:
        "50 of 100 source rows skipped (50.0%), above the cap of 2.0% (FINTRA_MAX_SKIPPED_SHARE)",
    });
  });

  it("guards every asset that reads FMP, as an error-severity check", () => {
    const readers = assets.filter((a) => a.sources?.includes("fmp"));
    expect(readers.length).toBeGreaterThanOrEqual(8);
    for (const asset of readers) {
      const cap = asset.checks?.find((c) => c.name === "skipped_rows_within_cap");
      expect(cap?.severity, asset.key).toBe("error");
    }
  });
});
