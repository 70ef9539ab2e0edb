/** Every Inngest function of the app: one per asset, plus per-ticker debugging, backfills and alerts. */
import type { Inngest } from "inngest";
import type { AssetGraph } from "../runtime/graph.ts";
import type { Logger } from "../runtime/log.ts";
import type { Resources } from "../runtime/resources.ts";
import { createAlertFunctions } from "./alerts.ts";
import { createAssetFunction } from "./asset-function.ts";
import { createBackfillFunction } from "./backfill.ts";
import { createTickerFunction } from "./ticker.ts";

interface FunctionsOptions {
  client: Inngest;
  graph: AssetGraph;
  /** Opened on first use, so registration needs no database. */
  resources: () => Promise<Resources>;
  /** Where runs log (JSON); stderr by default. */
  log?: Logger;
}

export function createFunctions(options: FunctionsOptions) {
  return [
    ...options.graph.order.map((key) => createAssetFunction(options.graph.get(key), options)),
    createTickerFunction(options),
    createBackfillFunction(options),
    ...createAlertFunctions(options),
  ];
}
