/** Parsing and validating command-line values; every failure is a UsageError. */
import { PartitionError, resolvePartition } from "../assets/partitions.ts";
import type { Scope } from "../db/index.ts";
import { UsageError } from "./io.ts";

const TICKER = /^[A-Z0-9][A-Z0-9.\-^=]{0,19}$/;

export function parseTickers(text: string): string[] {
  const tickers = text
    .split(",")
    .map((t) => t.trim().toUpperCase())
    .filter((t) => t !== "");
  if (tickers.length === 0)
    throw new UsageError("--ticker needs at least one ticker, e.g. --ticker AAPL,MSFT");
  const bad = tickers.filter((t) => !TICKER.test(t));
  if (bad.length > 0) throw new UsageError(`bad ticker: ${bad.join(", ")}`);
  return tickers;
}

export function parseLimit(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n <= 0) {
    throw new UsageError(`--limit must be a positive whole number, got "${text}"`);
  }
  return n;
}

export function parseScope(options: { ticker?: string; limit?: string }): Scope | null {
  const scope: Scope = {};
  if (options.ticker !== undefined) scope.tickers = parseTickers(options.ticker);
  if (options.limit !== undefined) scope.limit = parseLimit(options.limit);
  return Object.keys(scope).length ? scope : null;
}

/** The partition for `--date` (default: the latest trading day), or a UsageError. */
export function parsePartition(date: string | undefined, now: Date): string {
  try {
    return resolvePartition(date, now);
  } catch (error) {
    if (error instanceof PartitionError) throw new UsageError(error.message);
    throw error;
  }
}

export function parsePort(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 0 || n > 65_535) throw new UsageError(`bad port "${text}"`);
  return n;
}
