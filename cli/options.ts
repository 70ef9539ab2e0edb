/**
 * Parsing and validating command-line values; every failure is a UsageError.
 * Scopes are checked with the event catalogue's schemas (inngest.config.ts),
 * so the CLI refuses exactly what the admin API and the functions refuse.
 */

import type { Scope } from "../db/index.ts";
import { normalizeScope } from "../db/scope.ts";
import { describeZodError, limitSchema, scopeSchema, tickersSchema } from "../inngest.config.ts";
import { PartitionError, resolvePartition } from "../runtime/partitions.ts";
import { UsageError } from "./io.ts";

/** The CLI names a scope's fields by their options. */
const OPTION_NAMES: Record<string, string> = { tickers: "--ticker", limit: "--limit" };
const optionName = (path: string) => OPTION_NAMES[path] ?? path;

function parseTickers(text: string): string[] {
  const tickers = text
    .split(",")
    .map((t) => t.trim().toUpperCase())
    .filter((t) => t !== "");
  if (tickers.length === 0)
    throw new UsageError("--ticker needs at least one ticker, e.g. --ticker AAPL,MSFT");
  const parsed = tickersSchema.safeParse(tickers);
  if (!parsed.success) throw new UsageError(`--ticker: ${describeZodError(parsed.error)}`);
  return tickers;
}

function parseLimit(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !limitSchema.safeParse(n).success) {
    throw new UsageError(`--limit must be a positive whole number, got "${text}"`);
  }
  return n;
}

export function parseScope(options: { ticker?: string; limit?: string }): Scope | null {
  const scope: Scope = {};
  if (options.ticker !== undefined) scope.tickers = parseTickers(options.ticker);
  if (options.limit !== undefined) scope.limit = parseLimit(options.limit);
  // The whole scope too, so any rule the schema adds reaches the CLI.
  const parsed = scopeSchema.safeParse(scope);
  if (!parsed.success) throw new UsageError(describeZodError(parsed.error, optionName));
  return normalizeScope(parsed.data);
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
