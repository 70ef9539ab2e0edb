/**
 * An asset as an Inngest function (id = its table). First step: the gate.
 * Then the asset's own steps (`ctx.step`), then the commit (checks and the
 * ledger row), and only after that `fintra/asset.materialized` is sent.
 * Runs of one (asset, day, scope) never overlap, and bursts of triggers
 * collapse into one run that reads the ledger, so none is lost.
 */
import { type Inngest, NonRetriableError } from "inngest";
import { type GateDecision, normalizeScope, type Scope } from "../db/index.ts";
import {
  assetFailed,
  assetMaterialized,
  assetRequested,
  parseEventData,
} from "../inngest.config.ts";
import {
  alertSettings,
  applyConditions,
  failureConditions,
  runConditions,
} from "../runtime/alerts.ts";
import { type AssetDefinition, type MaterializeResult, runMaterialize } from "../runtime/define.ts";
import { ledgerTarget } from "../runtime/gate.ts";
import type { AssetGraph } from "../runtime/graph.ts";
import { createLogger, type Logger } from "../runtime/log.ts";
import {
  isNotPublished,
  NoTradingError,
  NotPublishedError,
  PartitionError,
  publicationRetry,
  resolvePartition,
} from "../runtime/partitions.ts";
import type { Resources } from "../runtime/resources.ts";
import { assetContext, blockingCheck, commitRun, type OpenedRun, openRun } from "../runtime/run.ts";
import { alertEvent } from "./alerts.ts";
import { assetTriggers, EVENTS, RUN_KEY } from "./triggers.ts";

/** Inngest flow control for asset functions; tuned here, registered with the dev server. */
const FLOW = {
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
function concurrencyFor(
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

interface RunTarget {
  runDate: string;
  scope: Scope | null;
  force: boolean;
  trigger: string;
  /** Whether this run's materialization should wake its dependents. */
  cascade: boolean;
}

/**
 * Reads the day, scope and force flag an event asks for. The event's data is
 * checked against its schema first: malformed input (a negative limit, a
 * ticker list given as a string) fails the run at once, before the gate opens
 * a ledger row, and is never retried.
 */
export function targetFromEvent(event: TriggerEvent, now: Date): RunTarget {
  if (event.name === EVENTS.materialized) {
    const data = parseEventData(event.name, assetMaterialized.schema, event.data);
    return {
      runDate: data.runDate,
      scope: normalizeScope(data.scope),
      force: false,
      trigger: `materialized:${data.asset}`,
      cascade: data.cascade,
    };
  }
  if (event.name === EVENTS.requested) {
    const data = parseEventData(event.name, assetRequested.schema, event.data);
    return {
      runDate: resolvePartition(data.partition, now),
      scope: normalizeScope(data.scope),
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
  // A day's failure pages once (the ledger keeps one open alert per asset and day).
  const alerts = runDate
    ? await applyConditions(db, failureConditions(args.asset, runDate, args.error.message))
    : [];
  await args.client.send([
    assetFailed.create({
      asset: args.asset,
      runDate,
      runId: args.runId,
      error: args.error.message,
    }),
    ...alerts.map(alertEvent),
  ]);
}

/**
 * The event id of a materialization's announcement. Inngest drops an event
 * whose id it saw in the last 24 hours, so however many up-to-date assets
 * pass a cascade on, each materialization wakes its dependents once.
 */
function announcementId(materializationId: string, cascade: boolean): string {
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

/** What a step returns instead of throwing when its source file is not published yet. */
const NOT_PUBLISHED_KEY = "fintraNotPublished";

/**
 * Runs an asset's step; a NotPublishedError inside it becomes the step's (memoized) result,
 * not a failed step, so Inngest's step retries stay out of it and the handler can sleep and
 * try again on its own schedule (publicationRetry). It is thrown again outside the step.
 */
async function assetStep<T>(
  step: { run: (id: string, fn: () => Promise<unknown>) => Promise<unknown> },
  id: string,
  fn: () => Promise<T>,
): Promise<T> {
  const out = await step.run(id, () =>
    failFastOnRefusals(async () => {
      try {
        return await fn();
      } catch (error) {
        if (error instanceof NotPublishedError) return { [NOT_PUBLISHED_KEY]: error.message };
        throw error;
      }
    }),
  );
  const notPublished = (out as Record<string, unknown> | null)?.[NOT_PUBLISHED_KEY];
  if (typeof notPublished === "string") throw new NotPublishedError(notPublished);
  return out as T;
}

/** The gate decision recorded for a requested date the exchange did not trade: a skip. */
function noTradingDecision(def: AssetDefinition, date: string, reason: string): GateDecision {
  return {
    asset: def.key,
    partition: def.partitioned ? date : null,
    runDate: date,
    scopeKey: "",
    trigger: "requested",
    decision: "skip",
    reason,
    missing: [],
    inProgress: [],
    blocked: [],
  };
}

/** The message of a "not published yet" error, else null. */
function notPublishedReason(error: unknown): string | null {
  return isNotPublished(error) ? (error as Error).message : null;
}

interface AssetFunctionOptions {
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
      const resolved = (await step.run("resolve-day", () =>
        failFastOnRefusals(async () => {
          try {
            return { target: targetFromEvent(event as TriggerEvent, now()), closed: null };
          } catch (error) {
            // A requested holiday is a recorded skip, never a failed run (a weekend is refused).
            if (!(error instanceof NoTradingError) || !error.holiday || !error.date) throw error;
            await db.ledger.recordDecision(noTradingDecision(def, error.date, error.message));
            return { target: null, closed: error.message };
          }
        }),
      )) as { target: RunTarget | null; closed: string | null };
      if (!resolved.target) return { decision: "skip", reason: resolved.closed };
      const target = resolved.target;
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

      let materialization = opened.materialization;
      let result: MaterializeResult | null = null;
      const wait = publicationRetry(process.env);
      // A file not published yet: the row is closed as waiting, the run sleeps, reopens a row
      // through the gate and tries again (steps renamed per try, as Inngest memoizes by id).
      for (let attempt = 1; result === null; attempt++) {
        const suffix = attempt === 1 ? "" : `~try-${attempt}`;
        const current = materialization;
        const ctx = assetContext(current, await resources(), {
          step: (id, fn) => assetStep(step, `${id}${suffix}`, fn),
          log: (log ?? functionLogger()).child({
            runId,
            asset: def.key,
            partition: current.runDate,
          }),
          progress: { total() {}, advance() {} },
        });
        try {
          result = await runMaterialize(def, ctx);
        } catch (error) {
          const reason = notPublishedReason(error);
          if (reason === null) throw error;
          const last = attempt >= wait.attempts;
          const note = last
            ? `${reason} (gave up after ${wait.attempts} tries, ${wait.everyMinutes} min apart)`
            : `${reason} (try ${attempt} of ${wait.attempts}; next in ${wait.everyMinutes} min)`;
          await step.run(`not-published${suffix}`, () => db.ledger.fail(current.id, note));
          if (last) throw new NonRetriableError(note);
          await step.sleep(`wait-for-publication-${attempt}`, `${wait.everyMinutes}m`);
          const reopened = (await step.run(`gate~try-${attempt + 1}`, () =>
            openRun(db, graph, {
              asset: def.key,
              runDate: target.runDate,
              scope: target.scope,
              force: target.force,
              trigger: `${target.trigger}:retry-after-not-published`,
              now: now(),
              executor: "inngest",
              runId,
            }),
          )) as unknown as OpenedRun;
          if (!reopened.materialization) {
            return { decision: reopened.decision.decision, reason: reopened.decision.reason };
          }
          materialization = reopened.materialization;
        }
      }
      const committed = await step.run("commit", async () => {
        const {
          checks,
          newerUpstream,
          materialization: done,
        } = await commitRun(db, graph, materialization, result, now());
        // Opened and resolved alerts are told after the commit (functions/alerts.ts posts them).
        const alerts = await applyConditions(
          db,
          runConditions(graph, done, checks, alertSettings()),
        );
        return { blocking: blockingCheck(checks), newerUpstream, alerts: alerts.map(alertEvent) };
      });
      if (committed.alerts.length > 0) {
        await step.sendEvent("tell-alerts", committed.alerts);
      }
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
