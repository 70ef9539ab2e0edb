/**
 * The ledger's vocabulary: materializations (one row per run), gate decisions
 * (every "run" / "not yet" / "up to date"), and check results. The Store
 * persists them; the gate in assets/gate.ts reads them.
 */
import type { Scope } from "./scope.ts";

export type MaterializationStatus = "running" | "succeeded" | "failed";

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
}

export interface FinishMaterialization {
  rows: number;
  metadata: Record<string, unknown>;
  checks: CheckResult[];
}

export interface Ledger {
  /** The newest materialization matching the query (by run date, then start time). */
  latest(query: MaterializationQuery): Promise<Materialization | null>;
  /**
   * Claims the (asset, run date, scope) key: opens a running row and records
   * the gate's "run" decision in one transaction. Returns null when another
   * run holds the key. Running rows older than `staleAfterMs`, or any when
   * `supersede` is set (a forced run), are first marked failed as abandoned.
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
}
