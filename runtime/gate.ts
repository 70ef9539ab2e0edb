/**
 * The fan-in gate. Inngest cannot wait for "A and B and C", so every upstream
 * materialization triggers the downstream asset and this gate decides, from
 * the ledger, whether it runs now:
 *
 *   run  when every dep has a successful materialization for the partition
 *        (an unpartitioned dep: one for that day or later), none is in
 *        progress, none failed an error check, and at least one is newer than
 *        what this asset last read (or it never ran, its last run failed or
 *        failed an error check, or the run is forced);
 *   wait when a dep is missing, running, its last run failed, or it failed
 *        an error-severity check (never run on stale inputs);
 *   skip when it is up to date.
 *
 * Scoped runs accept a dep's full or same-scope materialization; a full-scope
 * gate accepts only full ones. Every decision is recorded. Both executors use
 * this module, so the CLI, tests and Inngest agree.
 */

import type {
  GateDecision,
  GateVerdict,
  Materialization,
  MaterializationQuery,
  Scope,
  Store,
  UpstreamRef,
} from "../db/index.ts";
import { scopeKey } from "../db/index.ts";
import { abandonedReason } from "../db/ledger.ts";
import { daysBefore } from "../engines/dates.ts";
import type { AssetDefinition } from "./define.ts";
import type { AssetGraph } from "./graph.ts";
import { isNotPublishedMessage } from "./partitions.ts";

/**
 * A running row older than this is treated as abandoned (its process died without a
 * trace). In-process rows are judged sooner by their owner (db/ledger.ts abandonedReason).
 */
export const STALE_RUNNING_MS = 6 * 60 * 60 * 1000;

export interface DepState {
  asset: string;
  /** Newest successful materialization that satisfies this run. */
  latest: Materialization | null;
  /** Newest running materialization that would satisfy it once finished. */
  running: Materialization | null;
  /** Newest failed materialization of the same target. */
  failed: Materialization | null;
}

interface GateInputs {
  deps: DepState[];
  /** This asset's newest successful materialization for the same partition and scope. */
  self: Materialization | null;
  /** Its newest failed attempt there (a killed rerun may have left rows half-written). */
  selfFailed?: Materialization | null;
  force: boolean;
  now: Date;
}

interface GateOutcome {
  decision: GateVerdict;
  reason: string;
  missing: string[];
  inProgress: string[];
  blocked: string[];
  /** What the run will read (every dep's latest), set when it runs. */
  upstream: UpstreamRef[];
}

function isLive(
  running: Materialization | null,
  latest: Materialization | null,
  now: Date,
): boolean {
  if (!running) return false;
  if (now.getTime() - Date.parse(running.startedAt) > STALE_RUNNING_MS) return false;
  return !latest?.finishedAt || Date.parse(running.startedAt) > Date.parse(latest.finishedAt);
}

const list = (names: string[]) => names.join(", ");

/** A dep whose newest attempt failed after its newest success: its data is stale. */
function failedSinceSuccess(dep: DepState): boolean {
  if (!dep.failed) return false;
  return (
    !dep.latest?.finishedAt || Date.parse(dep.failed.startedAt) > Date.parse(dep.latest.startedAt)
  );
}

/** The gate's decision from the ledger's facts; pure, so every branch is unit-tested. */
export function decideGate({ deps, self, selfFailed, force, now }: GateInputs): GateOutcome {
  const inProgress = deps.filter((d) => isLive(d.running, d.latest, now)).map((d) => d.asset);
  const settled = deps.filter((d) => !inProgress.includes(d.asset));
  const failed = settled.filter((d) => failedSinceSuccess(d)).map((d) => d.asset);
  const missing = settled.filter((d) => !d.latest && !failed.includes(d.asset)).map((d) => d.asset);
  const failedCheck = settled
    .filter((d) => d.latest?.checksPassed === false && !failed.includes(d.asset))
    .map((d) => d.asset);
  const blocked = [...failed, ...failedCheck];
  const outcome = (
    decision: GateVerdict,
    reason: string,
    upstream: UpstreamRef[] = [],
  ): GateOutcome => ({
    decision,
    reason,
    missing,
    inProgress,
    blocked,
    upstream,
  });

  const waits: string[] = [];
  if (missing.length > 0) waits.push(`waiting for ${list(missing)}`);
  if (inProgress.length > 0) waits.push(`${list(inProgress)} in progress`);
  // A source that has not published yet is a wait, not a fault: say so, with its words.
  const faulty: string[] = [];
  for (const d of settled.filter(failedSinceSuccess)) {
    const error = d.failed?.error;
    if (isNotPublishedMessage(error)) waits.push(`waiting for ${d.asset}: ${error}`);
    else faulty.push(d.asset);
  }
  if (faulty.length > 0) waits.push(`last run of ${list(faulty)} failed`);
  if (failedCheck.length > 0) waits.push(`${list(failedCheck)} failed an error-severity check`);
  if (waits.length > 0) return outcome("wait", waits.join("; "));

  const upstream = deps.map(({ latest }) => {
    const m = latest as Materialization;
    return { asset: m.asset, id: m.id, partition: m.partition, runDate: m.runDate };
  });
  if (force) return outcome("run", "forced", upstream);
  if (!self)
    return outcome("run", deps.length ? "all deps materialized" : "not materialized yet", upstream);
  if (selfFailed && Date.parse(selfFailed.startedAt) > Date.parse(self.startedAt))
    return outcome("run", "its last run failed", upstream);
  // A run that failed an error check published nothing trustworthy: an ordinary rerun retries it.
  if (self.checksPassed === false)
    return outcome("run", "its last run failed an error-severity check", upstream);
  if (deps.length === 0) return outcome("skip", "up to date: already materialized");
  const read = new Set(self.upstream.map((u) => u.id));
  const newer = upstream.filter((u) => !read.has(u.id)).map((u) => u.asset);
  if (newer.length === 0)
    return outcome("skip", "up to date: no dep is newer than what it last read");
  return outcome("run", `newer upstream: ${list(newer)}`, upstream);
}

/**
 * Where an asset's materializations for a run live in the ledger: its
 * partition, or for an unpartitioned asset a run from `runDate` on
 * (`lookbackDays` earlier when the reader allows older latest state).
 */
export function ledgerTarget(
  def: AssetDefinition,
  runDate: string,
  lookbackDays = 0,
): Pick<MaterializationQuery, "partition" | "minRunDate"> {
  if (def.partitioned) return { partition: runDate };
  const minRunDate = lookbackDays > 0 ? daysBefore(runDate, lookbackDays) : runDate;
  return { partition: null, minRunDate };
}

export interface GateRequest {
  asset: string;
  /** The trading date the run is for (also the run date of unpartitioned assets). */
  runDate: string;
  scope: Scope | null;
  force: boolean;
  /** What woke the asset: `cron`, `requested`, `materialized:<dep>`, `in-process`. */
  trigger: string;
  now: Date;
}

/**
 * A dep whose running row's process is gone is not in progress: its run died
 * part-way, so the row is closed as failed (for status and why) and the gate
 * treats it as the dep's latest failed attempt, never as fresh data.
 */
async function settleAbandoned(store: Store, dep: DepState): Promise<DepState> {
  const reason = dep.running ? abandonedReason(dep.running) : null;
  if (!dep.running || !reason) return dep;
  await store.ledger.fail(dep.running.id, reason);
  const closed: Materialization = { ...dep.running, status: "failed", error: reason };
  const failed =
    dep.failed && Date.parse(dep.failed.startedAt) > Date.parse(closed.startedAt)
      ? dep.failed
      : closed;
  return { ...dep, running: null, failed };
}

/** Reads the ledger facts for `request`'s asset and decides. */
export async function evaluateGate(
  store: Store,
  graph: AssetGraph,
  request: GateRequest,
): Promise<GateDecision & { upstream: UpstreamRef[] }> {
  const def = graph.get(request.asset);
  const key = scopeKey(request.scope);
  const depScopes = key === "" ? [""] : [key, ""];
  const deps = await Promise.all(
    def.deps.map(async (dep): Promise<DepState> => {
      const target = ledgerTarget(graph.get(dep), request.runDate, def.depLookbackDays ?? 0);
      const query = { asset: dep, scopeKeys: depScopes, ...target };
      const [latest, running, failed] = await Promise.all([
        store.ledger.latest({ ...query, status: "succeeded" }),
        store.ledger.latest({ ...query, status: "running" }),
        store.ledger.latest({ ...query, status: "failed" }),
      ]);
      return settleAbandoned(store, { asset: dep, latest, running, failed });
    }),
  );
  const own = { asset: def.key, scopeKeys: [key], ...ledgerTarget(def, request.runDate) };
  const [self, selfFailed] = await Promise.all([
    store.ledger.latest({ ...own, status: "succeeded" }),
    store.ledger.latest({ ...own, status: "failed" }),
  ]);
  const outcome = decideGate({ deps, self, selfFailed, force: request.force, now: request.now });
  return {
    asset: def.key,
    partition: def.partitioned ? request.runDate : null,
    runDate: request.runDate,
    scopeKey: key,
    trigger: request.trigger,
    ...outcome,
  };
}
