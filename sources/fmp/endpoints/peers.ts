/**
 * peers-bulk: each symbol with its peer list. FMP writes the peers as one comma-separated
 * cell ("MSFT,GOOGL,META"); the row carries it as an array of symbols. Older files named
 * the columns `ticker` and `peersList`; both are read.
 */
import { list, requiredText } from "../cells.ts";
import { defineCsvEndpoint, noParams, type RowOf } from "../endpoint.ts";

export const peersBulk = defineCsvEndpoint({
  name: "peers-bulk",
  params: noParams,
  plan: "peers-bulk needs an FMP plan that includes bulk endpoints",
  columns: {
    symbol: requiredText,
    peers: list,
  },
  required: ["symbol", "peers"],
  aliases: { symbol: ["ticker"], peers: ["peersList"] },
});

export type PeersRow = RowOf<typeof peersBulk>;
