/**
 * One asset run, in three parts both executors share: open (gate, then claim
 * a ledger row), materialize (the asset's own code, on a context), commit
 * (checks, then the ledger row marked succeeded). Under Inngest each part is
 * a step; in process they are plain calls.
 */
import type { CheckResult, GateDecision, Materialization, Store } from "../db/index.ts";
import { thisProcess } from "../db/ledger.ts";
import {
  type AssetContext,
  type AssetDefinition,
  type MaterializeResult,
  type Progress,
  runCheck,
} from "./define.ts";
import { evaluateGate, type GateRequest, STALE_RUNNING_MS } from "./gate.ts";
import type { AssetGraph } from "./graph.ts";
import type { Logger } from "./log.ts";
import type { Resources } from "./resources.ts";

interface RunRequest extends GateRequest {
  executor: Materialization["executor"];
  /** The executor's own run id (Inngest's), so a failure handler can find the row. */
  runId: string | null;
}

export interface OpenedRun {
  decision: GateDecision;
  /** The running ledger row, when the gate said run. */
  materialization: Materialization | null;
}

/** Decides whether the asset runs; records the decision and, if it runs, opens its ledger row. */
export async function openRun(
  store: Store,
  graph: AssetGraph,
  request: RunRequest,
): Promise<OpenedRun> {
  const { upstream, ...decision } = await evaluateGate(store, graph, request);
  if (decision.decision !== "run") {
    await store.ledger.recordDecision(decision);
    return { decision, materialization: null };
  }
  const def = graph.get(request.asset);
  const materialization = await store.ledger.start(
    {
      asset: def.key,
      partition: decision.partition,
      runDate: request.runDate,
      scope: request.scope,
      trigger: request.trigger,
      executor: request.executor,
      runId: request.runId,
      upstream,
      // In-process runs name their process, so the next run can tell when it died.
      owner: request.executor === "in-process" ? thisProcess() : null,
    },
    decision,
    { staleAfterMs: STALE_RUNNING_MS, supersede: request.force },
  );
  if (!materialization) {
    // Another run holds the key; it re-requests itself on commit if it read stale inputs.
    const holder = await store.ledger.running(def.key, request.runDate, decision.scopeKey);
    const busy: GateDecision = {
      ...decision,
      decision: "wait",
      reason: `already running${holder ? ` (run ${holder.runId ?? holder.id} since ${holder.startedAt})` : ""}`,
    };
    await store.ledger.recordDecision(busy);
    return { decision: busy, materialization: null };
  }
  return { decision: { ...decision, materializationId: materialization.id }, materialization };
}

interface ContextTools {
  step: AssetContext["step"];
  log: Logger;
  progress: Progress;
}

/** The context an asset's `materialize` receives for an opened run. */
export function assetContext(
  materialization: Materialization,
  resources: Resources,
  tools: ContextTools,
): AssetContext {
  return {
    ...resources,
    asset: materialization.asset,
    partition: materialization.partition,
    runDate: materialization.runDate,
    scope: materialization.scope,
    materializationId: materialization.id,
    upstream: materialization.upstream,
    ...tools,
  };
}

/** Runs every check; a check that throws counts as failed with its error as the message. */
async function runChecks(
  store: Store,
  def: AssetDefinition,
  materialization: Materialization,
  result: MaterializeResult,
): Promise<CheckResult[]> {
  const ctx = {
    db: store,
    asset: def.key,
    partition: materialization.partition,
    runDate: materialization.runDate,
    scope: materialization.scope,
    result,
  };
  return Promise.all(
    (def.checks ?? []).map(async (check): Promise<CheckResult> => {
      try {
        const outcome = await runCheck(check, ctx);
        return { name: check.name, severity: check.severity, ...outcome };
      } catch (error) {
        return {
          name: check.name,
          severity: check.severity,
          passed: false,
          message: `check threw: ${(error as Error).message}`,
        };
      }
    }),
  );
}

interface CommittedRun {
  materialization: Materialization;
  checks: CheckResult[];
  /** Deps that materialized again while this run was reading: it must run once more. */
  newerUpstream: string[];
}

/** Records checks and success; the ledger row is committed before anyone hears of it. */
export async function commitRun(
  store: Store,
  graph: AssetGraph,
  materialization: Materialization,
  result: MaterializeResult,
  now: Date,
): Promise<CommittedRun> {
  const def = graph.get(materialization.asset);
  if (!Number.isFinite(result.rows) || result.rows < 0) {
    throw new Error(`asset ${def.key} reported an invalid row count: ${result.rows}`);
  }
  const checks = await runChecks(store, def, materialization, result);
  const committed = await store.ledger.succeed(materialization.id, {
    rows: result.rows,
    metadata: (result.metadata ?? {}) as Record<string, unknown>,
    checks,
  });
  // A dep that finished while this run read its older rows would otherwise be lost.
  const again = await evaluateGate(store, graph, {
    asset: def.key,
    runDate: materialization.runDate,
    scope: materialization.scope,
    force: false,
    trigger: "commit",
    now,
  });
  const read = new Map(materialization.upstream.map((u) => [u.asset, u.id]));
  const newerUpstream =
    again.decision === "run"
      ? again.upstream.filter((u) => read.get(u.asset) !== u.id).map((u) => u.asset)
      : [];
  return { materialization: committed, checks, newerUpstream };
}

/** The first failed error-severity check, described for a person. */
export function blockingCheck(checks: readonly CheckResult[]): string | null {
  const failed = checks.find((c) => !c.passed && c.severity === "error");
  return failed ? `check ${failed.name} failed: ${failed.message}` : null;
}
