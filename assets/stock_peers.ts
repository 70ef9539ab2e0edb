/**
 * stock_peers: FMP's peer list of each active equity (`peers-bulk`), as pairs of two different
 * active equities.
 *
 * - Latest state, not partitioned: after a full run, pairs not seen that day are deleted (the
 *   old job never pruned, so stale relations piled up); a scoped run prunes only its tickers'
 *   pairs.
 * - A small `tickers` scope reads FMP's per-symbol `stock-peers` and checks only its tickers
 *   and their peers against the universe: it writes the pairs a bulk read would.
 */
import { defineTable } from "../db/index.ts";
import { atLeast, skippedRowsWithin } from "../runtime/checks.ts";
import { type AssetContext, defineAsset } from "../runtime/define.ts";
import {
  type FetchReport,
  type PeersRow,
  peersBulk,
  peersBySymbol,
  peersRowOf,
} from "../sources/fmp/index.ts";
import {
  addSymbolReport,
  bySymbol,
  noSymbolFetches,
  symbolScope,
  universeTable,
  universeTickers,
} from "./fintra_universe.ts";

interface PeerRow {
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

type PeerReport = Pick<FetchReport, "rows" | "skipped" | "samples" | "requests">;

/**
 * A `tickers` scope: each ticker's peers from FMP's per-symbol endpoint as peers-bulk rows,
 * and the active equities among those tickers and their peers (all a pair needs).
 */
async function symbolPeers(
  ctx: AssetContext,
  symbols: readonly string[],
): Promise<{ rows: PeersRow[]; equities: Set<string>; report: PeerReport }> {
  const fetched = noSymbolFetches();
  const answers = await bySymbol(symbols, async (symbol) => {
    const { rows, report } = await ctx.fmp().json(peersBySymbol, { symbol });
    addSymbolReport(fetched, report);
    return peersRowOf(symbol, rows);
  });
  const rows = answers.filter((row): row is PeersRow => row !== null);
  const named = new Set<string>(symbols);
  for (const row of rows) for (const peer of row.peers) named.add(peer.trim().toUpperCase());
  const equities = await ctx.db.readAll(universeTable, {
    where: { ticker: { in: [...named] }, is_active: true, instrument_type: "EQUITY" },
    columns: ["ticker"],
  });
  return {
    rows,
    equities: new Set(equities.map((e) => e.ticker)),
    report: { ...fetched, rows: rows.length },
  };
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
      const covered = new Set(await universeTickers(ctx, { equitiesOnly: true }));
      const updatedAt = ctx.now().toISOString();
      let equities: ReadonlySet<string> = new Set();
      let written = 0;
      const write = async (batch: readonly PeersRow[]) => {
        const rows = batch
          .filter((r) => covered.has(r.symbol.toUpperCase()))
          .flatMap((r) => peerPairs(r.symbol, r.peers ?? [], equities))
          .map(([ticker, peer]) => ({
            ticker,
            peer_ticker: peer,
            // The dataset, whichever endpoint carried it: a scoped run writes the same rows.
            source: "fmp_peers_bulk",
            confidence: "market",
            last_seen: day,
            updated_at: updatedAt,
          }));
        written += await ctx.db.upsert(stockPeersTable, rows);
      };
      const symbols = symbolScope(ctx);
      let report: PeerReport;
      if (symbols) {
        const read = await symbolPeers(ctx, symbols);
        equities = read.equities;
        await write(read.rows);
        report = read.report;
      } else {
        equities = new Set(
          await universeTickers({ db: ctx.db, scope: null }, { equitiesOnly: true }),
        );
        const stream = ctx.fmp().csv(peersBulk, {}, { batchSize: 10_000 });
        for await (const batch of stream) await write(batch);
        report = stream.report;
      }
      const pruned = await ctx.db.delete(stockPeersTable, {
        last_seen: { lt: day },
        ...(ctx.scope ? { ticker: { in: [...covered] } } : {}),
      });
      const { rows: fileRows, skipped, samples, requests } = report;
      return { written, pruned, fileRows, skipped, skippedSamples: samples, requests };
    });
    return { rows: result.written, metadata: result };
  },
});
