/**
 * What wakes an asset's function, and how runs of it are keyed. Everything
 * here is data the dev server shows and the tests evaluate with a CEL
 * library, so the expressions are built in one place.
 */
import { cron } from "inngest";
import {
  alertRaised,
  alertResolved,
  assetFailed,
  assetMaterialized,
  assetRequested,
  backfillRequested,
  tickerRequested,
} from "../inngest.config.ts";
import type { AssetDefinition } from "../runtime/define.ts";

/** The event names, read from the one catalogue (inngest.config.ts). */
export const EVENTS = {
  requested: assetRequested.name,
  materialized: assetMaterialized.name,
  failed: assetFailed.name,
  ticker: tickerRequested.name,
  backfill: backfillRequested.name,
  alertRaised: alertRaised.name,
  alertResolved: alertResolved.name,
} as const;

/** CEL string literal (asset keys are [a-z0-9_], but quote defensively). */
const literal = (text: string) => `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;

/** `event.data.asset == 'x'`: this asset was requested. */
function requestedIf(key: string): string {
  return `event.data.asset == ${literal(key)}`;
}

/**
 * `event.data.asset in ['a', 'b'] && event.data.cascade == true`: a dep
 * materialized in a run meant to flow downstream (the daily cron, or a
 * request with `downstream`). A lone rematerialization stays alone.
 */
function materializedIf(deps: readonly string[]): string {
  return `event.data.asset in [${deps.map(literal).join(", ")}] && event.data.cascade == true`;
}

/**
 * The key runs of one asset serialize and debounce on: the day and scope.
 * Materialized events carry both. A request names a day (or means the latest
 * one); scoped or forced requests get their own key (the event id) so a burst
 * never swallows their tickers or their force flag.
 */
export const RUN_KEY = [
  "has(event.data.scopeKey)",
  "  ? event.data.runDate + '|' + event.data.scopeKey",
  "  : (has(event.data.scope) || (has(event.data.force) && event.data.force == true))",
  "    ? 'request|' + event.id",
  "    : (has(event.data.partition) ? event.data.partition : 'latest') + '|'",
].join("\n");

type AssetTrigger = { cron: string } | { event: string; if: string };

/**
 * Roots and scheduled assets wake on their cron; every asset wakes on a
 * request for it; unscheduled assets with deps wake when a dep materializes.
 */
export function assetTriggers(def: AssetDefinition): AssetTrigger[] {
  const triggers: AssetTrigger[] = [];
  if (def.cron) triggers.push(cron(def.cron));
  triggers.push({ event: EVENTS.requested, if: requestedIf(def.key) });
  if (def.deps.length > 0 && !def.cron) {
    triggers.push({ event: EVENTS.materialized, if: materializedIf(def.deps) });
  }
  return triggers;
}
