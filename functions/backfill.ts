/**
 * Backfills under Inngest: `fintra/backfill.requested {selection, from, to,
 * force?}` requests the selection's entry assets (its partitioned assets
 * with no partitioned dep inside it) for each trading date of the exchange
 * calendar (holidays are listed in the plan, never requested), oldest first,
 * flowing downstream. The next date is requested once the first entry asset
 * materialized the previous one (or after a timeout, so a failed date does
 * not stall the rest): that paces the backfill and keeps it in order.
 * Dates whose selected assets are all materialized are skipped unless
 * forced. Long ranges continue in a fresh run (an event for the remaining
 * dates) so no run nears Inngest's step limit; every step is durable, so an
 * interrupted backfill resumes where it stopped.
 */
import { type Inngest, NonRetriableError } from "inngest";
import { assetMaterialized, assetRequested, backfillRequested } from "../inngest.config.ts";
import { backfillRange } from "../runtime/backfill.ts";
import { type AssetGraph, SelectionError } from "../runtime/graph.ts";
import { PartitionError } from "../runtime/partitions.ts";
import type { Resources } from "../runtime/resources.ts";

/**
 * Dates handled per run: 2 steps each (request, wait) plus the plan and the hand-over, 182
 * steps, inside our budget of 200 steps a run (Inngest's own limit is 1,000).
 */
export const DATES_PER_RUN = 90;
/** How long to wait for a date before requesting the next one anyway. */
const DATE_TIMEOUT = "2h";

interface BackfillPlan {
  /** Partitioned assets of the selection with no partitioned dep inside it. */
  entries: string[];
  /** Dates to request, oldest first (done ones removed unless forced). */
  dates: string[];
  skipped: number;
  /** Weekdays of the range the exchange was closed: passed over, "2026-11-26 Thanksgiving Day". */
  holidays: string[];
}

/** What a backfill request means for the graph and the ledger. */
export async function planBackfill(
  graph: AssetGraph,
  resources: Resources,
  request: { selection: string; from: string; to: string; force?: boolean },
): Promise<BackfillPlan> {
  const keys = graph.select(request.selection);
  const range = backfillRange(request.from, request.to, resources.now());
  const days = range.days;
  const holidays = range.holidays.map((h) => `${h.date} ${h.name}`);
  const partitioned = keys.filter((k) => graph.get(k).partitioned);
  const inside = new Set(partitioned);
  const entries = partitioned.filter((k) => !graph.get(k).deps.some((d) => inside.has(d)));
  if (entries.length === 0) return { entries, dates: [], skipped: days.length, holidays };
  if (request.force) return { entries, dates: days, skipped: 0, holidays };
  const done = await Promise.all(
    partitioned.map((k) =>
      resources.db.ledger.succeededPartitions(k, days[0] as string, days.at(-1) as string),
    ),
  );
  const dates = days.filter((d) => !done.every((set) => set.has(d)));
  return { entries, dates, skipped: days.length - dates.length, holidays };
}

export function createBackfillFunction(options: {
  client: Inngest;
  graph: AssetGraph;
  resources: () => Promise<Resources>;
}) {
  const { client, graph, resources } = options;
  return client.createFunction(
    {
      id: "backfill-requested",
      name: "backfill: a selection over a range of dates",
      description: "Requests each trading date in order, paced by the first entry asset",
      triggers: [backfillRequested],
      // One backfill per selection at a time; a second request queues behind it.
      concurrency: [{ limit: 1, key: "event.data.selection" }],
      retries: 2,
    },
    async ({ event, step }) => {
      const plan = await step.run("plan", async () => {
        try {
          return await planBackfill(graph, await resources(), event.data);
        } catch (error) {
          if (error instanceof SelectionError || error instanceof PartitionError) {
            throw new NonRetriableError(error.message);
          }
          throw error;
        }
      });
      const now = plan.dates.slice(0, DATES_PER_RUN);
      const later = plan.dates.slice(DATES_PER_RUN);
      const pacer = plan.entries[0];
      for (const date of now) {
        await step.sendEvent(
          `request-${date}`,
          plan.entries.map((asset) =>
            assetRequested.create({
              asset,
              partition: date,
              force: event.data.force === true,
              downstream: true,
            }),
          ),
        );
        await step.waitForEvent(`wait-${date}`, {
          event: assetMaterialized.name,
          timeout: DATE_TIMEOUT,
          if: `async.data.asset == '${pacer}' && async.data.runDate == '${date}'`,
        });
      }
      if (later.length > 0) {
        await step.sendEvent(
          "continue",
          backfillRequested.create({
            selection: event.data.selection,
            from: later[0] as string,
            to: event.data.to,
            ...(event.data.force ? { force: true } : {}),
          }),
        );
      }
      return {
        requested: now.length,
        skipped: plan.skipped,
        continued: later.length,
        holidays: plan.holidays,
      };
    },
  );
}
