/**
 * Scope: an optional restriction of a run to some tickers or to the first N
 * of the universe. A scoped run never counts as the partition's full
 * materialization; its canonical key tells scopes apart in the ledger.
 * The limits here are the ledger's: every door validates against them
 * (inngest.config.ts) before a scope reaches a run.
 */
export interface Scope {
  tickers?: string[];
  limit?: number;
}

/** A ticker as FMP spells them (BRK-B, BF.B, ^GSPC, EURUSD=X), after trimming and upper-casing. */
export const TICKER_PATTERN = /^[A-Z0-9][A-Z0-9.\-^=]{0,19}$/;

/**
 * The most tickers one scope may name. The scope key is in the ledger's
 * unique index on live runs, and a btree row holds at most ~2.7 KB:
 * 100 tickers of up to 20 characters plus commas (~2.1 KB) fit with the
 * other key columns; a few hundred would make the ledger refuse the run.
 */
export const MAX_SCOPE_TICKERS = 100;

/** The canonical spelling of a ticker: trimmed, upper-case. */
export function normalizeTicker(ticker: string): string {
  return ticker.trim().toUpperCase();
}

/** Trimmed, upper-case, deduplicated and sorted: one spelling per set of tickers. */
function canonicalTickers(tickers: readonly string[]): string[] {
  return [...new Set(tickers.map(normalizeTicker))].sort();
}

/** '' for the full partition; `tickers:A,B` (sorted, upper-case) or `limit:N` otherwise. */
export function scopeKey(scope: Scope | null | undefined): string {
  if (!scope) return "";
  const parts: string[] = [];
  if (scope.tickers && scope.tickers.length > 0) {
    parts.push(`tickers:${canonicalTickers(scope.tickers).join(",")}`);
  }
  if (scope.limit !== undefined) parts.push(`limit:${scope.limit}`);
  return parts.join(";");
}

/** Returns null for an empty scope so "no restriction" has one spelling. */
export function normalizeScope(scope: Scope | null | undefined): Scope | null {
  if (!scope) return null;
  const out: Scope = {};
  if (scope.tickers && scope.tickers.length > 0) out.tickers = canonicalTickers(scope.tickers);
  if (scope.limit !== undefined) out.limit = scope.limit;
  return Object.keys(out).length === 0 ? null : out;
}
