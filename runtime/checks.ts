/** Ready-made asset checks (row floors, the skipped-row cap). Each returns a plain AssetCheck; write your own for anything else. */
import type { AssetCheck, CheckContext, CheckOutcome } from "./define.ts";

/** The run wrote at least `min` rows (`rows` is the only figure every asset reports). */
export function atLeast(
  figure: "rows",
  min: number,
  severity: AssetCheck["severity"] = "error",
): AssetCheck {
  return {
    name: `${figure}_at_least_${min}`,
    severity,
    description: `the run writes at least ${min} ${figure}`,
    async run(ctx: CheckContext): Promise<CheckOutcome> {
      const value = ctx.result.rows;
      // A scoped run (one ticker, a limit) writes a slice; the floor is for the full partition.
      if (ctx.scope)
        return {
          passed: true,
          value,
          message: `scoped run: ${value} ${figure}, floor not applied`,
        };
      return {
        passed: value >= min,
        value,
        message:
          value >= min
            ? `${value} ${figure} >= ${min}`
            : `only ${value} ${figure}, expected at least ${min}`,
      };
    },
  };
}

/**
 * The share of source rows a run may skip as malformed before its data is not trusted:
 * FINTRA_MAX_SKIPPED_SHARE, a fraction (default 0.02). FMP's real bulk files skip well
 * under 1% (odd symbols, a stray unparsable cell); a few percent means the file or a column
 * changed shape, and publishing such a day would quietly drop whole companies.
 */
const DEFAULT_MAX_SKIPPED_SHARE = 0.02;

/** Skips that never fail the check: a share of a handful of rows says little. */
const MIN_SKIPPED_TO_FAIL = 3;

/** The configured cap, from FINTRA_MAX_SKIPPED_SHARE (a fraction from 0 to 1). */
export function maxSkippedShare(env: Record<string, string | undefined> = process.env): number {
  const text = env.FINTRA_MAX_SKIPPED_SHARE?.trim();
  if (!text) return DEFAULT_MAX_SKIPPED_SHARE;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new Error(`FINTRA_MAX_SKIPPED_SHARE must be a fraction from 0 to 1, got "${text}"`);
  }
  return value;
}

/** Where a run's metadata keeps the figures the skip cap reads. */
interface SkipFigures {
  /** Rows that failed validation and were skipped (default `skipped`). */
  skipped?: string;
  /** Valid rows read from the source (default `fileRows`). */
  read?: string;
  /** A list of skipped-row samples, when the run keeps one (default `skippedSamples`). */
  samples?: string;
}

function figure(metadata: Record<string, unknown>, name: string): number {
  const value = Number(metadata[name] ?? 0);
  return Number.isFinite(value) && value > 0 ? value : 0;
}

function describeSamples(value: unknown): string {
  if (!Array.isArray(value) || value.length === 0) return "";
  const shown = value.slice(0, 3).map((s) => {
    if (typeof s !== "object" || s === null) return String(s);
    const { row, symbol, reason, file } = s as Record<string, unknown>;
    const where = [file, row !== undefined ? `row ${row}` : null, symbol].filter(Boolean);
    return `${where.join(" ")}: ${String(reason ?? "").slice(0, 80)}`;
  });
  return `; e.g. ${shown.join(" | ")}`;
}

/**
 * Error check: the run skipped at most `maxShare` (default FINTRA_MAX_SKIPPED_SHARE) of the
 * rows its source sent, counting skipped / (read + skipped) from the run's metadata. Above
 * the cap the asset fails its check, so downstream waits instead of reading a thinned day.
 */
export function skippedRowsWithin(
  options: { maxShare?: number; figures?: SkipFigures; name?: string; description?: string } = {},
): AssetCheck {
  const names = {
    skipped: options.figures?.skipped ?? "skipped",
    read: options.figures?.read ?? "fileRows",
    samples: options.figures?.samples ?? "skippedSamples",
  };
  return {
    name: options.name ?? "skipped_rows_within_cap",
    severity: "error",
    description:
      options.description ??
      "malformed source rows skipped by the run stay under the configured share",
    async run(ctx: CheckContext): Promise<CheckOutcome> {
      const cap = options.maxShare ?? maxSkippedShare();
      const metadata = (ctx.result.metadata ?? {}) as Record<string, unknown>;
      const skipped = figure(metadata, names.skipped);
      const total = figure(metadata, names.read) + skipped;
      const share = total > 0 ? skipped / total : 0;
      const percent = (x: number) => `${(x * 100).toFixed(1)}%`;
      const counted = `${skipped} of ${total} source rows skipped (${percent(share)})`;
      if (share <= cap || skipped < MIN_SKIPPED_TO_FAIL) {
        return { passed: true, value: share, message: `${counted}, cap ${percent(cap)}` };
      }
      return {
        passed: false,
        value: share,
        message: `${counted}, above the cap of ${percent(cap)} (FINTRA_MAX_SKIPPED_SHARE)${describeSamples(metadata[names.samples])}`,
      };
    },
  };
}
