/**
 * Scope: an optional restriction of a run to some tickers or to the first N
 * of the universe. A scoped run never counts as the partition's full
 * materialization; its canonical key tells scopes apart in the ledger.
 */
export interface Scope {
  tickers?: string[];
  limit?: number;
}

/** '' for the full partition; `tickers:A,B` (sorted, upper-case) or `limit:N` otherwise. */
export function scopeKey(scope: Scope | null | undefined): string {
  if (!scope) return "";
  const parts: string[] = [];
  if (scope.tickers && scope.tickers.length > 0) {
    const tickers = [...new Set(scope.tickers.map((t) => t.toUpperCase()))].sort();
    parts.push(`tickers:${tickers.join(",")}`);
  }
  if (scope.limit !== undefined) parts.push(`limit:${scope.limit}`);
  return parts.join(";");
}

/** Returns null for an empty scope so "no restriction" has one spelling. */
export function normalizeScope(scope: Scope | null | undefined): Scope | null {
  if (!scope) return null;
  const out: Scope = {};
  if (scope.tickers && scope.tickers.length > 0) {
    out.tickers = [...new Set(scope.tickers.map((t) => t.toUpperCase()))].sort();
  }
  if (scope.limit !== undefined) out.limit = scope.limit;
  return Object.keys(out).length === 0 ? null : out;
}
