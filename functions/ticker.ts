/**
 * Per-ticker debugging: `fintra/ticker.requested {ticker, partition?}` runs
 * the whole graph for one company. Every root is requested with the scope
 * `{tickers: [T]}`, forced, and flowing downstream; each asset then runs
 * scoped through its own gate. Ingest assets fetch and write that ticker's
 * rows only, aggregates (benchmarks, sector performance) are read as they
 * are, and the snapshot and market state are rewritten for that ticker.
 * The ledger records every scoped run; none counts as the day's full one.
 */
import { type Inngest, NonRetriableError } from "inngest";
import { normalizeTicker } from "../db/scope.ts";
import { assetRequested, parseEventData, tickerRequested } from "../inngest.config.ts";
import type { AssetGraph } from "../runtime/graph.ts";
import { PartitionError, resolvePartition } from "../runtime/partitions.ts";
import type { Resources } from "../runtime/resources.ts";
import { EVENTS } from "./triggers.ts";

export function createTickerFunction(options: {
  client: Inngest;
  graph: AssetGraph;
  resources: () => Promise<Resources>;
}) {
  const { client, graph, resources } = options;
  return client.createFunction(
    {
      id: "ticker-requested",
      name: "ticker: whole graph for one company",
      description: "Runs every asset scoped to one ticker (debugging)",
      // By name, not by the typed event: the handler checks the data itself, so a bad
      // request fails with our one-line reason rather than the SDK's.
      triggers: [{ event: EVENTS.ticker }],
      retries: 1,
    },
    async ({ event, step }) => {
      const data = parseEventData(event.name, tickerRequested.schema, event.data);
      const ticker = normalizeTicker(data.ticker);
      const { now } = await resources();
      let partition: string;
      try {
        partition = resolvePartition(data.partition, now());
      } catch (error) {
        if (error instanceof PartitionError) throw new NonRetriableError(error.message);
        throw error;
      }
      const roots = graph.roots();
      await step.sendEvent(
        "request-roots",
        roots.map((asset) =>
          assetRequested.create({
            asset,
            partition,
            scope: { tickers: [ticker] },
            force: true,
            downstream: true,
          }),
        ),
      );
      return { ticker, partition, requested: roots };
    },
  );
}
