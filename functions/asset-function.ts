/**
 * An asset as an Inngest function (id = its table). First step: the gate.
 * Then the asset's own steps (`ctx.step`), then the commit (checks and the
 * ledger row), and only after that `fintra/asset.materialized` is sent.
 * Runs of one (asset, day, scope) never overlap, and bursts of triggers
 * collapse into one run that reads the ledger, so none is lost.
 */
import { type Inngest, NonRetriableError } from "inngest";
import type { AssetDefinition } from "../assets/define.ts";
import { ledgerTarget } from "../assets/gate.ts";
import type { AssetGraph } from "../assets/graph.ts";
import { createLogger, type Logger } from "../assets/log.ts";
import { NoTradingError, PartitionError, resolvePartition } from "../assets/partitions.ts";
import type { Resources } from "../assets/resources.ts";
import { assetContext, blockingCheck, commitRun, type OpenedRun, openRun } from "../assets/run.ts";
import { normalizeScope, type Scope } from "../db/index.ts";
import { assetFailed, assetMaterialized, assetRequested } from "../inngest.config.ts";
import { assetTriggers, EVENTS, RUN_KEY } from "./triggers.ts";

/** Inngest flow control for asset functions; tuned here, registered with the dev server. */
export const FLOW = {
  debounce: { period: "10s", timeout: "2m" },
  retries: 3,
  /**
   * FMP-reading runs across every function of the account at once: the
   * plan's per-minute limit belongs to the key, not to one process.
   */
  fmpRuns: 2,
} as const;

/** Inngest's concurrency constraint (the SDK does not export its type). */
interface ConcurrencyOption {
  limit: number;
  key?: string;
  scope?: "fn" | "env" | "account";
}

/** One run per (asset, day, scope); FMP readers also share the account-wide FMP slot. */
export function concurrencyFor(
  def: AssetDefinition,
): [ConcurrencyOption] | [ConcurrencyOption, ConcurrencyOption] {
  const perRun: ConcurrencyOption = { limit: 1, key: RUN_KEY };
  if (!def.sources?.includes("fmp")) return [perRun];
  return [perRun, { limit: FLOW.fmpRuns, key: "'fmp'", scope: "account" }];
}

interface TriggerEvent {
  name: string;
  id?: string;
  data?: Record<string, unknown>;
}

export interface RunTarget {
  runDate: string;
  scope: Scope | null;
  force: boolean;
  trigger: string;
  /** Whether this run's materialization should wake its dependents. */
  cascade: boolean;
}

/** Reads the day, scope and force flag an event asks for. */
export function targetFromEvent(event: TriggerEvent, now: Date): RunTarget {
  const data = event.data ?? {};
  if (event.name === EVENTS.materialized) {
    return {
      runDate: String(data.runDate),
      scope: normalizeScope(data.scope as Scope | null),
      force: false,
      trigger: `materialized:${String(data.asset)}`,
      cascade: data.cascade === true,
    };
  }
  if (event.name === EVENTS.requested) {
    return {
      runDate: resolvePartition(data.partition as string | undefined, now),
      scope: normalizeScope(data.scope as Scope | undefined),
      force: data.force === true,
      trigger: "requested",
      cascade: data.downstream === true,
    };
  }
  return {
    runDate: resolvePartition(undefined, now),
    scope: null,
    force: false,
    trigger: "cron",
    cascade: true,
  };
}

/**
 * The failure handler (after retries run out): the ledger row is marked
 * failed with the error, so downstream gates see it, and
 * `fintra/asset.failed` is announced.
 */
export async function markRunFailed(args: {
  resources: () => Promise<Resources>;
  client: Inngest;
  asset: string;
  runId: string;
  originalEvent: TriggerEvent;
  error: Error;
}): Promise<void> {
  const { db, now } = await args.resources();
  await db.ledger.failRun(args.runId, args.error.message);
  let runDate: string | null = null;
  try {
    runDate = targetFromEvent(args.originalEvent, now()).runDate;
  } catch {
    // A refused partition never opened a row; there is no day to report.
  }
  await args.client.send(
    assetFailed.create({
      asset: args.asset,
      runDate,
      runId: args.runId,
      error: args.error.message,
    }),
  );
}

/**
 * The event id of a materialization's announcement. Inngest drops an event
 * whose id it saw in the last 24 hours, so however many up-to-date assets
 * pass a cascade on, each materialization wakes its dependents once.
 */
export function announcementId(materializationId: string, cascade: boolean): string {
  return `fintra-materialized-${materializationId}-${cascade ? "cascade" : "alone"}`;
}

/** A closed market or a refused date will not change on retry: fail the run at once. */
async function failFastOnRefusals<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof NoTradingError || error instanceof PartitionError) {
      throw new NonRetriableError(error.message, { cause: error });
    }
    throw error;
  }
}

export interface AssetFunctionOptions {
  client: Inngest;
  graph: AssetGraph;
  resources: () => Promise<Resources>;
  /** Structured JSON logs; every line of a run carries its run id, asset and partition. */
  log?: Logger;
}

let sharedLogger: Logger | null = null;
function functionLogger(): Logger {
  sharedLogger ??= createLogger();
  return sharedLogger;
}

export function createAssetFunction(
  def: AssetDefinition,
  { client, graph, resources, log }: AssetFunctionOptions,
) {
  return client.createFunction(
    {
      id: def.key,
      name: def.key,
      description: def.description,
      triggers: assetTriggers(def),
      concurrency: concurrencyFor(def),
      debounce: { ...FLOW.debounce, key: RUN_KEY },
      retries: FLOW.retries,
      onFailure: ({ event, error }) =>
        markRunFailed({
          resources,
          client,
          asset: def.key,
          runId: event.data.run_id,
          originalEvent: event.data.event as TriggerEvent,
          error,
        }),
    },
    async ({ event, step, runId }) => {
      const { db, now } = await resources();
      // Memoized: a run that crosses midnight must keep the day it started for.
      const target = (await step.run("resolve-day", () =>
        failFastOnRefusals(async () => targetFromEvent(event as TriggerEvent, now())),
      )) as RunTarget;
      const opened = (await step.run("gate", () =>
        openRun(db, graph, {
          asset: def.key,
          runDate: target.runDate,
          scope: target.scope,
          force: target.force,
          trigger: target.trigger,
          now: now(),
          executor: "inngest",
          runId,
        }),
      )) as unknown as OpenedRun;
      if (!opened.materialization) {
        const { decision, reason } = opened.decision;
        // An up-to-date asset in a cascading run (the daily cron after a manual run, say)
        // passes the flow on: its dependents' gates still decide for themselves.
        if (decision === "skip" && target.cascade) {
          const current = await step.run("find-current", () =>
            db.ledger.latest({
              asset: def.key,
              status: "succeeded",
              scopeKeys: [opened.decision.scopeKey],
              ...ledgerTarget(def, target.runDate, 0),
            }),
          );
          if (current) {
            await step.sendEvent(
              "announce-up-to-date",
              assetMaterialized.create(
                {
                  asset: def.key,
                  partition: current.partition,
                  runDate: target.runDate,
                  scope: current.scope,
                  scopeKey: current.scopeKey,
                  materializationId: current.id,
                  runId,
                  rows: current.rows ?? 0,
                  cascade: true,
                },
                { id: announcementId(current.id, true) },
              ),
            );
          }
        }
        return { decision, reason };
      }

      const materialization = opened.materialization;
      const ctx = assetContext(materialization, await resources(), {
        step: (id, fn) => step.run(id, () => failFastOnRefusals(fn)) as never,
        log: (log ?? functionLogger()).child({
          runId,
          asset: def.key,
          partition: materialization.runDate,
        }),
        progress: { total() {}, advance() {} },
      });
      const result = await def.materialize(ctx);
      const committed = await step.run("commit", async () => {
        const { checks, newerUpstream } = await commitRun(
          db,
          graph,
          materialization,
          result,
          now(),
        );
        return { blocking: blockingCheck(checks), newerUpstream };
      });
      await step.sendEvent(
        "announce-materialized",
        assetMaterialized.create(
          {
            asset: def.key,
            partition: materialization.partition,
            runDate: materialization.runDate,
            scope: materialization.scope,
            scopeKey: materialization.scopeKey,
            materializationId: materialization.id,
            runId,
            rows: result.rows,
            cascade: target.cascade,
          },
          { id: announcementId(materialization.id, target.cascade) },
        ),
      );
      if (committed.newerUpstream.length > 0) {
        await step.sendEvent(
          "rerun-for-newer-upstream",
          assetRequested.create({
            asset: def.key,
            partition: materialization.runDate,
            downstream: target.cascade,
            ...(materialization.scope ? { scope: materialization.scope } : {}),
          }),
        );
      }
      // A capped run left work behind (and made progress on it): the next run takes it,
      // unless a failed error check stops this one.
      if (result.more && !committed.blocking) {
        await step.sendEvent(
          "continue-backlog",
          assetRequested.create(
            {
              asset: def.key,
              partition: materialization.runDate,
              force: true,
              downstream: target.cascade,
              ...(materialization.scope ? { scope: materialization.scope } : {}),
            },
            { id: `continue-${materialization.id}` },
          ),
        );
      }
      return {
        decision: "run",
        materializationId: materialization.id,
        ...(result.more ? { more: result.more } : {}),
        rows: result.rows,
        blockingCheck: committed.blocking,
        newerUpstream: committed.newerUpstream,
      };
    },
  );
}
