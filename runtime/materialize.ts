/**
 * The in-process executor: runs a selection for one partition in dependency
 * order, independent assets concurrently (bounded), each through the same
 * gate as Inngest. A failed asset stops its downstream, never its siblings.
 * Used by the CLI, the demo and tests.
 */
import { randomUUID } from "node:crypto";
import pLimit from "p-limit";
import { normalizeScope, type Scope, scopeKey } from "../db/index.ts";
import { HEARTBEAT_MS, releaseRun } from "../db/ledger.ts";
import {
  type AlertChange,
  type AlertSettings,
  alertSettings,
  applyConditions,
  type Conditions,
  failureConditions,
  runConditions,
  watchConditions,
} from "./alerts.ts";
import { runMaterialize } from "./define.ts";
import type { AssetGraph } from "./graph.ts";
import { type Logger, silentLogger } from "./log.ts";
import { isNotPublished, resolvePartition } from "./partitions.ts";
import { type AssetOutcome, type RunReporter, silentReporter } from "./progress.ts";
import type { Resources } from "./resources.ts";
import { assetContext, blockingCheck, commitRun, openRun } from "./run.ts";

export interface MaterializeOptions {
  /** Trading date `YYYY-MM-DD`; default the latest weekday on or before today. */
  partition?: string;
  scope?: Scope | null;
  /** Run even when up to date (deps must still be materialized). */
  force?: boolean;
  /** Assets running at once (default 2: the machine's cores, and PGlite has one connection). */
  concurrency?: number;
  /** Recorded as the gate's trigger. */
  trigger?: string;
  reporter?: RunReporter;
  log?: Logger;
  /** Alert rules (default: from the environment); false records no alerts (benchmarks). */
  alerts?: AlertSettings | false;
  /** Judge the day's deadline when the run ends (default true; backfills do not). */
  watch?: boolean;
}

export interface MaterializeSummary {
  partition: string;
  runId: string;
  outcomes: AssetOutcome[];
  /** 0 all done or fresh; 1 something failed; 3 something is waiting on deps outside the run. */
  exitCode: 0 | 1 | 3;
  /** Alerts this run opened or resolved (runtime/alerts.ts); delivering them is the caller's. */
  alerts: AlertChange[];
}

/** Runs of one asset a selection may chain to read a backlog (`MaterializeResult.more`). */
const MAX_CONTINUATIONS = 20;

/** Keeps the run's heartbeat fresh while it runs; a missed beat is logged, never fatal. */
function heartbeat(resources: Resources, id: string, log: Logger): NodeJS.Timeout {
  const timer = setInterval(() => {
    resources.db.ledger.heartbeat(id).catch((error: unknown) => {
      log.warn({ err: errorText(error) }, "heartbeat not recorded");
    });
  }, HEARTBEAT_MS);
  timer.unref();
  return timer;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Marks the run failed and returns the reason to report. The asset's own error
 * always leads: a ledger that cannot record the failure is added to it, never
 * substituted for it.
 */
async function recordFailure(
  resources: Resources,
  id: string,
  error: unknown,
  log: Logger,
): Promise<string> {
  const message = errorText(error);
  try {
    await resources.db.ledger.fail(id, message);
    log.error({ err: message }, "materialization failed");
    return message;
  } catch (ledgerError) {
    const unrecorded = errorText(ledgerError);
    log.error({ err: message, ledgerError: unrecorded }, "materialization failed, unrecorded");
    return `${message} (the ledger could not record this failure: ${unrecorded}; the next run supersedes the row)`;
  }
}

export async function materialize(
  graph: AssetGraph,
  selection: string,
  resources: Resources,
  options: MaterializeOptions = {},
): Promise<MaterializeSummary> {
  const keys = graph.select(selection);
  const partition = resolvePartition(options.partition, resources.now());
  const scope = normalizeScope(options.scope);
  const reporter = options.reporter ?? silentReporter;
  const log = options.log ?? silentLogger;
  const runId = `local-${randomUUID()}`;
  const limit = pLimit(options.concurrency ?? 2);
  const selected = new Set(keys);
  const outcomes = new Map<string, Promise<AssetOutcome>>();
  const settings = options.alerts === undefined ? alertSettings() : options.alerts;
  const alerts: AlertChange[] = [];
  /** Alerts never fail a run: a ledger that cannot record one is logged. */
  const noteAlerts = async (conditions: () => Promise<Conditions> | Conditions) => {
    if (!settings) return;
    try {
      alerts.push(...(await applyConditions(resources.db, await conditions())));
    } catch (error) {
      log.warn({ err: errorText(error) }, "alerts not recorded");
    }
  };

  /** One run; `more` when it left work behind (see MaterializeResult.more). */
  const runOne = async (key: string, force: boolean): Promise<AssetOutcome & { more?: string }> => {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    const def = graph.get(key);
    const runLog = log.child({ asset: key, partition, runId });
    const opened = await openRun(resources.db, graph, {
      asset: key,
      runDate: partition,
      scope,
      force,
      trigger: options.trigger ?? "in-process",
      now: resources.now(),
      executor: "in-process",
      runId,
    });
    const { decision, materialization } = opened;
    if (!materialization) {
      const status = decision.decision === "skip" ? "fresh" : "waiting";
      return {
        asset: key,
        status,
        reason: decision.reason,
        rows: null,
        seconds: seconds(),
        materializationId: null,
      };
    }
    reporter.started(key);
    const beat = heartbeat(resources, materialization.id, runLog);
    try {
      const ctx = assetContext(materialization, resources, {
        step: (_id, fn) => fn(),
        log: runLog,
        progress: reporter.progress(key),
      });
      const result = await runMaterialize(def, ctx);
      const committed = await commitRun(
        resources.db,
        graph,
        materialization,
        result,
        resources.now(),
      );
      const { checks } = committed;
      if (settings) {
        await noteAlerts(() => runConditions(graph, committed.materialization, checks, settings));
      }
      const blocking = blockingCheck(checks);
      runLog.info({ rows: result.rows, checks: checks.length }, "materialized");
      return {
        asset: key,
        status: blocking ? "failed" : "succeeded",
        reason: blocking ?? decision.reason,
        rows: result.rows,
        seconds: seconds(),
        materializationId: materialization.id,
        ...(!blocking && result.more ? { more: result.more } : {}),
      };
    } catch (error) {
      const reason = await recordFailure(resources, materialization.id, error, runLog);
      if (!isNotPublished(error)) await noteAlerts(() => failureConditions(key, partition, reason));
      return {
        asset: key,
        // A source that has not published the day yet is a wait (exit 3), not a failure.
        status: isNotPublished(error) ? "waiting" : "failed",
        reason,
        rows: null,
        seconds: seconds(),
        materializationId: materialization.id,
        errorName: error instanceof Error ? error.name : "Error",
      };
    } finally {
      clearInterval(beat);
      // Not held any more: if its row is still running (a failed ledger.fail), the next run supersedes it.
      releaseRun(materialization.id);
    }
  };

  /** Runs the asset, then again (forced) while a run says it left work behind. */
  const runToEnd = async (key: string): Promise<AssetOutcome> => {
    let { more, ...outcome } = await runOne(key, options.force ?? false);
    for (let round = 1; more && round < MAX_CONTINUATIONS; round++) {
      log.child({ asset: key, partition, runId }).info({ more }, "continuing with the backlog");
      const { more: left, ...next } = await runOne(key, true);
      more = left;
      outcome = {
        ...next,
        rows: next.rows === null ? outcome.rows : (outcome.rows ?? 0) + next.rows,
        seconds: outcome.seconds + next.seconds,
      };
    }
    return outcome;
  };

  for (const key of keys) {
    const upstream = graph.get(key).deps.filter((d) => selected.has(d));
    outcomes.set(
      key,
      (async () => {
        const depOutcomes = await Promise.all(
          upstream.map((d) => outcomes.get(d) as Promise<AssetOutcome>),
        );
        const broken = depOutcomes.filter((o) => o.status === "failed" || o.status === "blocked");
        if (broken.length > 0) {
          const names = broken.map((o) => o.asset);
          const reason = `upstream failed in this run: ${names.join(", ")}`;
          await resources.db.ledger.recordDecision({
            asset: key,
            partition: graph.get(key).partitioned ? partition : null,
            runDate: partition,
            scopeKey: scopeKey(scope),
            trigger: options.trigger ?? "in-process",
            decision: "wait",
            reason,
            missing: [],
            inProgress: [],
            blocked: names,
          });
          const outcome: AssetOutcome = {
            asset: key,
            status: "blocked",
            reason,
            rows: null,
            seconds: 0,
            materializationId: null,
          };
          reporter.finished(outcome);
          return outcome;
        }
        const outcome = await limit(() => runToEnd(key));
        reporter.finished(outcome);
        return outcome;
      })(),
    );
  }
  const results = await Promise.all(keys.map((k) => outcomes.get(k) as Promise<AssetOutcome>));
  reporter.close();
  // A run that ends past its day's deadline says whether the day is done.
  if (settings && options.watch !== false) {
    await noteAlerts(() =>
      watchConditions(resources.db, graph, resources.now(), settings, { day: partition }),
    );
  }
  const failed = results.some((o) => o.status === "failed" || o.status === "blocked");
  const waiting = results.some((o) => o.status === "waiting");
  return { partition, runId, outcomes: results, exitCode: failed ? 1 : waiting ? 3 : 0, alerts };
}
