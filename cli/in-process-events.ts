/**
 * Events run in this process, for `fintra demo --serve`, which has no Inngest
 * server to send them to: the pages' two forms still do what they say. A request
 * is checked with the event catalogue's schemas (as a function would), answered
 * with an id at once, and run in the background, one at a time, through the
 * same in-process executor as `fintra materialize`.
 */
import { randomUUID } from "node:crypto";
import { normalizeScope, normalizeTicker } from "../db/scope.ts";
import { assetRequested, parseEventData, tickerRequested } from "../inngest.config.ts";
import type { AssetGraph } from "../runtime/graph.ts";
import type { Logger } from "../runtime/log.ts";
import { materialize } from "../runtime/materialize.ts";
import type { Resources } from "../runtime/resources.ts";
import type { SendEvent } from "../server/requests.ts";

export interface InProcessEvents {
  send: SendEvent;
  /** Resolves when every request sent so far has run. */
  idle(): Promise<void>;
}

export function inProcessEvents(
  graph: AssetGraph,
  resources: Resources,
  log: Logger,
): InProcessEvents {
  let queue: Promise<void> = Promise.resolve();
  const run = (id: string, what: string, work: () => Promise<unknown>) => {
    queue = queue.then(async () => {
      try {
        await work();
        log.info({ event: id }, `${what}: done`);
      } catch (error) {
        log.error({ event: id, err: error }, `${what}: failed`);
      }
    });
  };

  const send: SendEvent = async (event) => {
    const id = randomUUID();
    if (event.name === assetRequested.name) {
      const data = parseEventData(event.name, assetRequested.schema, event.data);
      const selection = data.downstream ? `${data.asset}+` : data.asset;
      run(id, `${event.name} ${selection}`, () =>
        materialize(graph, selection, resources, {
          ...(data.partition ? { partition: data.partition } : {}),
          scope: normalizeScope(data.scope),
          force: data.force === true,
          trigger: event.name,
        }),
      );
    } else if (event.name === tickerRequested.name) {
      const data = parseEventData(event.name, tickerRequested.schema, event.data);
      const ticker = normalizeTicker(data.ticker);
      run(id, `${event.name} ${ticker}`, () =>
        materialize(graph, "*", resources, {
          ...(data.partition ? { partition: data.partition } : {}),
          scope: { tickers: [ticker] },
          force: true,
          trigger: event.name,
        }),
      );
    } else {
      throw new Error(`${event.name}: this process runs only asset and ticker requests`);
    }
    return { ids: [id] };
  };

  return { send, idle: () => queue };
}
