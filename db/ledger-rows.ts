/**
 * The ledger's three tables as stored: row shapes, table declarations, and
 * the mapping between rows and the Ledger's types. Shared by the SQL ledger
 * and the REST (Supabase) ledger, so both read and write the same rows.
 */
import type { CheckResult, GateDecision, Materialization } from "./ledger.ts";
import { defineTable } from "./table.ts";

export interface MaterializationRow {
  id: string;
  asset: string;
  partition_date: string | null;
  run_date: string;
  scope: Materialization["scope"];
  scope_key: string;
  status: Materialization["status"];
  trigger: string;
  executor: Materialization["executor"];
  run_id: string | null;
  started_at: string;
  finished_at: string | null;
  rows_written: number | null;
  metadata: Record<string, unknown>;
  upstream: Materialization["upstream"];
  checks_passed: boolean | null;
  error: string | null;
  owner_host: string | null;
  owner_pid: number | null;
  heartbeat_at: string | null;
}

export const MATERIALIZATIONS = defineTable<MaterializationRow>({
  name: "fintra_materializations",
  key: ["id"],
  columns: {
    id: "text",
    asset: "text",
    partition_date: "date",
    run_date: "date",
    scope: "jsonb",
    scope_key: "text",
    status: "text",
    trigger: "text",
    executor: "text",
    run_id: "text",
    started_at: "timestamptz",
    finished_at: "timestamptz",
    rows_written: "bigint",
    metadata: "jsonb",
    upstream: "jsonb",
    checks_passed: "boolean",
    error: "text",
    owner_host: "text",
    owner_pid: "integer",
    heartbeat_at: "timestamptz",
  },
});

export interface DecisionRow {
  id: number;
  asset: string;
  partition_date: string | null;
  run_date: string;
  scope_key: string;
  trigger: string;
  decision: GateDecision["decision"];
  reason: string;
  missing_deps: string[];
  in_progress_deps: string[];
  blocked_deps: string[];
  materialization_id: string | null;
  decided_at: string;
}

export const DECISIONS = defineTable<DecisionRow>({
  name: "fintra_gate_decisions",
  key: ["id"],
  columns: {
    id: "bigint",
    asset: "text",
    partition_date: "date",
    run_date: "date",
    scope_key: "text",
    trigger: "text",
    decision: "text",
    reason: "text",
    missing_deps: "text[]",
    in_progress_deps: "text[]",
    blocked_deps: "text[]",
    materialization_id: "text",
    decided_at: "timestamptz",
  },
});

export interface CheckRow {
  materialization_id: string;
  check_name: string;
  severity: CheckResult["severity"];
  passed: boolean;
  message: string;
  value: number | null;
  metadata: Record<string, unknown>;
}

export const CHECKS = defineTable<CheckRow>({
  name: "fintra_check_results",
  key: ["materialization_id", "check_name"],
  columns: {
    materialization_id: "text",
    check_name: "text",
    severity: "text",
    passed: "boolean",
    message: "text",
    value: "double precision",
    metadata: "jsonb",
  },
});

export function materializationFromRow(row: MaterializationRow): Materialization {
  return {
    id: row.id,
    asset: row.asset,
    partition: row.partition_date,
    runDate: row.run_date,
    scope: row.scope,
    scopeKey: row.scope_key,
    status: row.status,
    trigger: row.trigger,
    executor: row.executor,
    runId: row.run_id,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    rows: row.rows_written,
    metadata: row.metadata ?? {},
    upstream: row.upstream ?? [],
    checksPassed: row.checks_passed,
    error: row.error,
    owner:
      row.owner_host != null && row.owner_pid != null
        ? { host: row.owner_host, pid: Number(row.owner_pid) }
        : null,
    heartbeatAt: row.heartbeat_at ?? null,
  };
}

/** The insert body of a gate decision (column order = the SQL ledger's INSERT). */
export function decisionRow(d: GateDecision, materializationId: string | null) {
  return {
    asset: d.asset,
    partition_date: d.partition,
    run_date: d.runDate,
    scope_key: d.scopeKey,
    trigger: d.trigger,
    decision: d.decision,
    reason: d.reason,
    missing_deps: d.missing,
    in_progress_deps: d.inProgress,
    blocked_deps: d.blocked,
    materialization_id: materializationId,
  };
}

export function decisionFromRow(r: DecisionRow): GateDecision {
  return {
    asset: r.asset,
    partition: r.partition_date,
    runDate: r.run_date,
    scopeKey: r.scope_key,
    trigger: r.trigger,
    decision: r.decision,
    reason: r.reason,
    missing: r.missing_deps,
    inProgress: r.in_progress_deps,
    blocked: r.blocked_deps,
    materializationId: r.materialization_id,
    decidedAt: r.decided_at,
  };
}

export function checkFromRow(r: Omit<CheckRow, "materialization_id">): CheckResult {
  return {
    name: r.check_name,
    severity: r.severity,
    passed: r.passed,
    message: r.message,
    value: r.value,
    metadata: r.metadata,
  };
}
