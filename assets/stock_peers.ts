/**
 * stock_peers: FMP's peer list per active equity, as (ticker, peer) pairs.
 *
 * - Source: `peers-bulk` (a comma list of peers per symbol).
 * - Kept: pairs where both sides are active equities and differ.
 * - Latest state (unpartitioned): every pair seen gets `last_seen` = the
 *   run's day; after a full run, pairs not seen that day are deleted (the
 *   old job never pruned, so stale relations piled up). A scoped run prunes
 *   only its tickers' pairs.
 * - `company_peers` is a view with the docs' name.
 */
import { defineTable } from "../db/index.ts";
import { peersBulk } from "../sources/fmp/index.ts";
import { atLeast, skippedRowsWithin } from "./checks.ts";
import { defineAsset } from "./define.ts";
import { universeTickers } from "./fintra_universe.ts";

export interface PeerRow {
  ticker: string;
  peer_ticker: string;
  source: string;
  confidence: string;
  last_seen: string;
  updated_at: string;
}

export const stockPeersTable = defineTable<PeerRow>({
  name: "stock_peers",
  key: ["ticker", "peer_ticker"],
  columns: {
    ticker: "text",
    peer_ticker: "text",
    source: "text",
    confidence: "text",
    last_seen: "date",
    updated_at: "timestamptz",
  },
});

/** The pairs of one peers-bulk row that stay: both active equities, never a ticker with itself. */
export function peerPairs(
  symbol: string,
  peers: readonly string[],
  equities: ReadonlySet<string>,
): [string, string][] {
  const ticker = symbol.toUpperCase();
  if (!equities.has(ticker)) return [];
  const kept = new Set<string>();
  for (const raw of peers) {
    const peer = raw.trim().toUpperCase();
    if (peer && peer !== ticker && equities.has(peer)) kept.add(peer);
  }
  return [...kept].map((peer) => [ticker, peer]);
}

export default defineAsset({
  key: "stock_peers",
  description: "Peer relations between active equities, from FMP's peers bulk",
  deps: ["fintra_universe"],
  partitioned: false,
  sources: ["fmp"],
  tables: [stockPeersTable],
  checks: [atLeast("rows", 1, "warn"), skippedRowsWithin()],
  async materialize(ctx) {
    const day = ctx.runDate;
    const result = await ctx.step("load-peers", async () => {
      const equities = new Set(
        await universeTickers({ db: ctx.db, scope: null }, { equitiesOnly: true }),
      );
      const covered = new Set(await universeTickers(ctx, { equitiesOnly: true }));
      const updatedAt = ctx.now().toISOString();
      const stream = ctx.fmp().csv(peersBulk, {}, { batchSize: 10_000 });
      let written = 0;
      for await (const batch of stream) {
        const rows = batch
          .filter((r) => covered.has(r.symbol.toUpperCase()))
          .flatMap((r) => peerPairs(r.symbol, r.peers ?? [], equities))
          .map(([ticker, peer]) => ({
            ticker,
            peer_ticker: peer,
            source: "fmp_peers_bulk",
            confidence: "market",
            last_seen: day,
            updated_at: updatedAt,
          }));
        written += await ctx.db.upsert(stockPeersTable, rows);
      }
      const pruned = await ctx.db.delete(stockPeersTable, {
        last_seen: { lt: day },
        ...(ctx.scope ? { ticker: { in: [...covered] } } : {}),
      });
      const { rows: fileRows, skipped, samples, requests } = stream.report;
      return { written, pruned, fileRows, skipped, skippedSamples: samples, requests };
    });
    return { rows: result.written, metadata: result };
  },
});
