/**
 * The ledger's vocabulary: materializations (one row per run), gate decisions
 * (every "run" / "not yet" / "up to date"), and check results. The Store
 * persists them; the gate in runtime/gate.ts reads them.
 *
 * It also says when a `running` row's run is over although the row was never
 * closed (a killed process): in-process runs record their owner (host, pid)
 * and beat a heartbeat, and `abandonedReason` judges a row from them.
 *
 * And it records alerts (migration 0034): a condition on one asset for one
 * day, opened and resolved atomically so that a repeated or retried check
 * never pages twice.
 */
import { hostname } from "node:os";
import type { Scope } from "./scope.ts";

type MaterializationStatus = "running" | "succeeded" | "failed";

/** A reference to the upstream materialization a run read. */
export interface UpstreamRef {
  asset: string;
  id: string;
  partition: string | null;
  runDate: string;
}

export interface Materialization {
  id: string;
  asset: string;
  partition: string | null;
  runDate: string;
  scope: Scope | null;
  scopeKey: string;
  status: MaterializationStatus;
  trigger: string;
  executor: "inngest" | "in-process";
  runId: string | null;
  startedAt: string;
  finishedAt: string | null;
  rows: number | null;
  metadata: Record<string, unknown>;
  upstream: UpstreamRef[];
  checksPassed: boolean | null;
  error: string | null;
  /** The process running it (in-process runs); null for Inngest runs and older rows. */
  owner?: RunOwner | null;
  /** When its owner last said it is alive (in-process runs). */
  heartbeatAt?: string | null;
}

/** The process that executes an in-process run. */
export interface RunOwner {
  host: string;
  pid: number;
}

export type GateVerdict = "run" | "wait" | "skip";

export interface GateDecision {
  asset: string;
  partition: string | null;
  runDate: string;
  scopeKey: string;
  trigger: string;
  decision: GateVerdict;
  reason: string;
  missing: string[];
  inProgress: string[];
  /** Deps whose latest materialization failed an error-severity check. */
  blocked: string[];
  materializationId?: string | null;
  decidedAt?: string;
}

export type CheckSeverity = "error" | "warn";

export interface CheckResult {
  name: string;
  severity: CheckSeverity;
  passed: boolean;
  message: string;
  value?: number | null;
  metadata?: Record<string, unknown>;
}

/** Which materializations of one asset a lookup wants. */
export interface MaterializationQuery {
  asset: string;
  status: MaterializationStatus;
  /** Exact partition (a date), or null for the unpartitioned row family. */
  partition?: string | null;
  /** For unpartitioned assets: only runs for this day or later. */
  minRunDate?: string;
  /** Accepted scope keys ('' is the full partition). */
  scopeKeys: string[];
}

export interface StartMaterialization {
  asset: string;
  partition: string | null;
  runDate: string;
  scope: Scope | null;
  trigger: string;
  executor: Materialization["executor"];
  runId: string | null;
  upstream: UpstreamRef[];
  /** Set for in-process runs: the row can then be superseded as soon as this process is gone. */
  owner?: RunOwner | null;
}

export interface FinishMaterialization {
  rows: number;
  metadata: Record<string, unknown>;
  checks: CheckResult[];
}

export type AlertKind = "threshold" | "deadline" | "duration" | "failure";

/** What identifies one alert: a condition on one asset for one day. */
export interface AlertKey {
  kind: AlertKind;
  asset: string;
  /** YYYY-MM-DD */
  day: string;
  metric: string;
}

export interface AlertInput extends AlertKey {
  /** The figure seen (rows, share 0..1, hours, seconds). */
  observed: number | null;
  /** The figure it was judged against. */
  threshold: number | null;
  /** One line for a person; stored as given. */
  message: string;
  /** Where to look: a page path like /assets/fintra_snapshots, or a `fintra why ...` line. */
  link: string;
}

export interface Alert extends AlertInput {
  /**
   * The raise that opened it: re-opening a resolved alert gives it the new raise's id, so
   * `noteAlertDelivered` for an earlier opening stamps nothing.
   */
  id: string;
  status: "open" | "resolved";
  /** ISO; when it was last opened (database time). */
  raisedAt: string;
  resolvedAt: string | null;
  /** When the raise / the resolution was delivered (webhook), if it was. */
  deliveredAt: string | null;
  resolutionDeliveredAt: string | null;
}

export interface AlertQuery {
  status?: Alert["status"];
  asset?: string;
  day?: string;
  /** At most this many (100 by default). */
  limit?: number;
}

export interface Ledger {
  /** The newest materialization matching the query (by run date, then start time). */
  latest(query: MaterializationQuery): Promise<Materialization | null>;
  /**
   * Claims the (asset, run date, scope) key: opens a running row and records
   * the gate's "run" decision in one transaction. Returns null when another
   * run holds the key. Running rows whose owner is gone (`abandonedReason`),
   * older than `staleAfterMs`, or any when `supersede` is set (a forced run),
   * are first marked failed as abandoned. When `input.owner` is this process
   * the claimed id is held here (`holdRun`) until the executor releases it.
   */
  start(
    input: StartMaterialization,
    decision: GateDecision,
    options: { staleAfterMs: number; supersede: boolean },
  ): Promise<Materialization | null>;
  /** Partitions of `asset` in [from, to] with a successful full-scope materialization. */
  succeededPartitions(asset: string, from: string, to: string): Promise<Set<string>>;
  /** The live running row holding an (asset, run date, scope) key, if any. */
  running(asset: string, runDate: string, scopeKey: string): Promise<Materialization | null>;
  /** Marks a run succeeded with its row count, metadata and check results. */
  succeed(id: string, result: FinishMaterialization): Promise<Materialization>;
  /** Refreshes a running row's heartbeat; false when the row is no longer running. */
  heartbeat(id: string): Promise<boolean>;
  /** Marks a run failed with a one-line error. */
  fail(id: string, error: string): Promise<void>;
  /** Marks the running rows of an executor run (an Inngest run id) failed. */
  failRun(runId: string, error: string): Promise<number>;
  recordDecision(decision: GateDecision): Promise<void>;
  get(id: string): Promise<Materialization | null>;
  /** Recent materializations, newest first, optionally for one asset. */
  history(options?: { asset?: string; limit?: number }): Promise<Materialization[]>;
  /** Recent gate decisions, newest first. */
  decisions(options?: {
    asset?: string;
    runDate?: string;
    limit?: number;
  }): Promise<GateDecision[]>;
  checks(materializationId: string): Promise<CheckResult[]>;
  /**
   * Opens the alert of `input`'s key in one statement: inserts it, or re-opens a resolved
   * one (raised now, a new id, fresh figures, message and link, resolution and delivery
   * stamps cleared). Returns the alert when this call opened it, null when it is open
   * already: of concurrent raises of one key exactly one gets it, and a repeated condition
   * does not page twice. A request retried after its first attempt committed still returns
   * the alert it opened.
   */
  raiseAlert(input: AlertInput): Promise<Alert | null>;
  /**
   * Resolves the open alert of `key` in one statement (resolved now, its message replaced
   * by `message`). Returns it when this call resolved it, null when no alert of that key is
   * open.
   */
  resolveAlert(key: AlertKey, message: string): Promise<Alert | null>;
  /** Alerts, newest raise first (then by id), optionally of one status, asset or day. */
  alerts(options?: AlertQuery): Promise<Alert[]>;
  /**
   * Records that the raise (deliveredAt) or the resolution (resolutionDeliveredAt, only
   * once resolved) of alert `id` was delivered, now. An id a later re-open replaced, or a
   * resolution of an alert that is open, stamps nothing.
   */
  noteAlertDelivered(id: string, what: "raised" | "resolved"): Promise<void>;
}

/** How often an in-process run refreshes its heartbeat. */
export const HEARTBEAT_MS = 30_000;
/**
 * A run owned by another host is gone when its heartbeat is older than this
 * (ten missed beats: a busy event loop or a slow statement is not death).
 */
const HEARTBEAT_TIMEOUT_MS = 5 * 60_000;

/** This process, as recorded in the rows of the runs it claims. */
export function thisProcess(): RunOwner {
  return { host: hostname(), pid: process.pid };
}

// Runs this process executes now. A row owned by this pid but not held here was
// left behind (its ledger.fail threw) and may be superseded like a dead process's.
const heldHere = new Set<string>();

function holdRun(id: string): void {
  heldHere.add(id);
}

export function releaseRun(id: string): void {
  heldHere.delete(id);
}

/** Whether an owner is the current process (whose claims are held in memory). */
function isThisProcess(owner: RunOwner): boolean {
  const here = thisProcess();
  return owner.host === here.host && owner.pid === here.pid;
}

/**
 * Claims a run held by this process when it owns it: held before the insert, so a
 * concurrent claim in this process sees it alive, and released again if the claim fails.
 */
export async function claimHeld<T>(
  id: string,
  owner: RunOwner | null,
  claim: () => Promise<T | null>,
): Promise<T | null> {
  const mine = owner !== null && isThisProcess(owner);
  if (mine) holdRun(id);
  try {
    const claimed = await claim();
    if (!claimed && mine) releaseRun(id);
    return claimed;
  } catch (error) {
    if (mine) releaseRun(id);
    throw error;
  }
}

/** Ids of the runs this process executes now (to close them on SIGINT/SIGTERM). */
export function heldRuns(): string[] {
  return [...heldHere];
}

/** Whether a process with this pid exists on this host (EPERM: it exists, as another user). */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Why a `running` row's run is known to be over, or null when it may be alive.
 * On this host the pid decides (a suspended process is still alive); on
 * another host, a heartbeat older than HEARTBEAT_TIMEOUT_MS. Rows without an
 * owner (Inngest runs, older rows) are left to the stale limit.
 */
export function abandonedReason(m: Materialization, nowMs = Date.now()): string | null {
  const owner = m.owner;
  if (m.status !== "running" || !owner) return null;
  const here = thisProcess();
  const who = `process ${owner.pid} on ${owner.host}`;
  const validPid = Number.isSafeInteger(owner.pid) && owner.pid > 0;
  if (owner.host === here.host && validPid) {
    if (owner.pid === here.pid)
      return heldHere.has(m.id) ? null : `abandoned: ${who} no longer runs it`;
    return pidAlive(owner.pid) ? null : `abandoned: ${who} is gone`;
  }
  if (m.heartbeatAt && nowMs - Date.parse(m.heartbeatAt) > HEARTBEAT_TIMEOUT_MS) {
    return `abandoned: no heartbeat from ${who} since ${m.heartbeatAt}`;
  }
  return null;
}
