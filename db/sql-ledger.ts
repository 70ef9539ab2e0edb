/**
 * The ledger on SQL (PGlite and Postgres): see ledger.ts for the contract.
 * Also the alerts' rows (migration 0034), shared with the REST ledger: both
 * raise and resolve through the same SQL functions.
 */
import { randomUUID } from "node:crypto";
import type { SqlExecutor } from "./adapters/sql.ts";
import {
  type Alert,
  type AlertInput,
  type AlertKey,
  type AlertQuery,
  abandonedReason,
  type CheckResult,
  claimHeld,
  type FinishMaterialization,
  type GateDecision,
  type Ledger,
  type Materialization,
  type MaterializationQuery,
  type StartMaterialization,
} from "./ledger.ts";
import {
  type CheckRow,
  checkFromRow,
  type DecisionRow,
  decisionFromRow,
  decisionRow,
  type MaterializationRow,
  materializationFromRow,
} from "./ledger-rows.ts";
import { scopeKey } from "./scope.ts";
import { defineTable } from "./table.ts";

const INSERT_DECISION = `INSERT INTO fintra_gate_decisions
  (asset, partition_date, run_date, scope_key, trigger, decision, reason,
   missing_deps, in_progress_deps, blocked_deps, materialization_id)
  VALUES ($1, $2::date, $3::date, $4, $5, $6, $7, $8::text[], $9::text[], $10::text[], $11)`;

/** The insert's parameters, in the column order of INSERT_DECISION. */
function decisionParams(d: GateDecision, materializationId: string | null): unknown[] {
  return Object.values(decisionRow(d, materializationId));
}

/** Keeps ledger errors to one line and a sane size. */
export function oneLine(message: string, max = 2_000): string {
  const line = message.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

async function failRunning(db: SqlExecutor, id: string, error: string): Promise<void> {
  await db.query(
    `UPDATE fintra_materializations SET status = 'failed', finished_at = now(), error = $2
      WHERE id = $1 AND status = 'running'`,
    [id, oneLine(error)],
  );
}

export interface AlertRow {
  id: string;
  kind: Alert["kind"];
  asset: string;
  day: string;
  metric: string;
  status: Alert["status"];
  observed: number | null;
  threshold: number | null;
  message: string;
  link: string;
  raised_at: string;
  resolved_at: string | null;
  delivered_at: string | null;
  resolution_delivered_at: string | null;
  resolution_id: string | null;
}

export const ALERTS = defineTable<AlertRow>({
  name: "fintra_alerts",
  key: ["id"],
  columns: {
    id: "text",
    kind: "text",
    asset: "text",
    day: "date",
    metric: "text",
    status: "text",
    observed: "double precision",
    threshold: "double precision",
    message: "text",
    link: "text",
    raised_at: "timestamptz",
    resolved_at: "timestamptz",
    delivered_at: "timestamptz",
    resolution_delivered_at: "timestamptz",
    resolution_id: "text",
  },
});

export const RAISE_ALERT_FUNCTION = "fintra_raise_alert";
export const RESOLVE_ALERT_FUNCTION = "fintra_resolve_alert";

export function alertFromRow(row: AlertRow): Alert {
  return {
    id: row.id,
    kind: row.kind,
    asset: row.asset,
    day: row.day,
    metric: row.metric,
    observed: row.observed === null ? null : Number(row.observed),
    threshold: row.threshold === null ? null : Number(row.threshold),
    message: row.message,
    link: row.link,
    status: row.status,
    raisedAt: row.raised_at,
    resolvedAt: row.resolved_at,
    deliveredAt: row.delivered_at,
    resolutionDeliveredAt: row.resolution_delivered_at,
  };
}

function figure(value: number | null, what: string): number | null {
  if (value !== null && !Number.isFinite(value)) {
    throw new Error(`alert ${what} must be a finite number or null, got ${value}`);
  }
  return value;
}

/**
 * fintra_raise_alert's named arguments, in its parameter order, for a raise by the new
 * id `id` (reused when the call is retried, so a retry recognises the row it opened).
 */
export function raiseAlertArguments(id: string, input: AlertInput) {
  return {
    p_id: id,
    p_kind: input.kind,
    p_asset: input.asset,
    p_day: input.day,
    p_metric: input.metric,
    p_observed: figure(input.observed, "observed"),
    p_threshold: figure(input.threshold, "threshold"),
    p_message: input.message,
    p_link: input.link,
  };
}

/** fintra_resolve_alert's named arguments, in its parameter order. */
export function resolveAlertArguments(resolutionId: string, key: AlertKey, message: string) {
  return {
    p_resolution_id: resolutionId,
    p_kind: key.kind,
    p_asset: key.asset,
    p_day: key.day,
    p_metric: key.metric,
    p_message: message,
  };
}

/** Calls an alert function, returning the row it gives as typed columns (none for NULL). */
function alertCall(fn: string, types: readonly string[]): string {
  const args = types.map((type, i) => `$${i + 1}::${type}`).join(", ");
  return `SELECT r.* FROM ${fn}(${args}) AS j
    CROSS JOIN LATERAL jsonb_populate_record(NULL::fintra_alerts, j) AS r
   WHERE j IS NOT NULL`;
}

const RAISE_ALERT = alertCall(RAISE_ALERT_FUNCTION, [
  "text",
  "text",
  "text",
  "date",
  "text",
  "double precision",
  "double precision",
  "text",
  "text",
]);
const RESOLVE_ALERT = alertCall(RESOLVE_ALERT_FUNCTION, [
  "text",
  "text",
  "text",
  "date",
  "text",
  "text",
]);

export class SqlLedger implements Ledger {
  private readonly db: SqlExecutor;

  constructor(db: SqlExecutor) {
    this.db = db;
  }

  async latest(query: MaterializationQuery): Promise<Materialization | null> {
    const params: unknown[] = [query.asset, query.status, query.scopeKeys];
    const clauses = ["asset = $1", "status = $2", "scope_key = ANY($3::text[])"];
    if (query.partition !== undefined) {
      if (query.partition === null) clauses.push("partition_date IS NULL");
      else {
        params.push(query.partition);
        clauses.push(`partition_date = $${params.length}::date`);
      }
    }
    if (query.minRunDate) {
      params.push(query.minRunDate);
      clauses.push(`run_date >= $${params.length}::date`);
    }
    const order =
      query.status === "running"
        ? "started_at DESC"
        : "finished_at DESC NULLS LAST, started_at DESC";
    const rows = await this.db.query<MaterializationRow>(
      `SELECT * FROM fintra_materializations WHERE ${clauses.join(" AND ")}
       ORDER BY ${order} LIMIT 1`,
      params,
    );
    return rows[0] ? materializationFromRow(rows[0]) : null;
  }

  async start(
    input: StartMaterialization,
    decision: GateDecision,
    options: { staleAfterMs: number; supersede: boolean },
  ): Promise<Materialization | null> {
    const id = randomUUID();
    const key = scopeKey(input.scope);
    const owner = input.owner ?? null;
    return claimHeld(id, owner, () =>
      this.db.transaction(async (tx) => {
        await this.abandonDead(tx, input.asset, input.runDate, key);
        await tx.query(
          `UPDATE fintra_materializations
              SET status = 'failed', finished_at = now(),
                  error = 'abandoned: superseded by run ' || $4
            WHERE asset = $1 AND run_date = $2::date AND scope_key = $3 AND status = 'running'
              AND ($5 OR started_at < now() - make_interval(secs => $6::double precision / 1000))`,
          [input.asset, input.runDate, key, id, options.supersede, options.staleAfterMs],
        );
        const rows = await tx.query<MaterializationRow>(
          `INSERT INTO fintra_materializations
             (id, asset, partition_date, run_date, scope, scope_key, status, trigger, executor, run_id,
              upstream, owner_host, owner_pid, heartbeat_at)
           VALUES ($1, $2, $3::date, $4::date, $5::text::jsonb, $6, 'running', $7, $8, $9,
                   $10::text::jsonb, $11, $12::integer, CASE WHEN $12::integer IS NULL THEN NULL ELSE now() END)
           ON CONFLICT (asset, run_date, scope_key) WHERE status = 'running' DO NOTHING
           RETURNING *`,
          [
            id,
            input.asset,
            input.partition,
            input.runDate,
            input.scope ? JSON.stringify(input.scope) : null,
            key,
            input.trigger,
            input.executor,
            input.runId,
            JSON.stringify(input.upstream),
            owner?.host ?? null,
            owner?.pid ?? null,
          ],
        );
        const row = rows[0];
        if (!row) {
          // A retried transaction whose first attempt committed finds its own row holding the key.
          const own = await tx.query<MaterializationRow>(
            "SELECT * FROM fintra_materializations WHERE id = $1",
            [id],
          );
          return own[0] ? materializationFromRow(own[0]) : null;
        }
        await tx.query(INSERT_DECISION, decisionParams(decision, id));
        return materializationFromRow(row);
      }),
    );
  }

  /** Marks failed the running rows of a key whose owner is known to be gone. */
  private async abandonDead(
    tx: SqlExecutor,
    asset: string,
    runDate: string,
    key: string,
  ): Promise<void> {
    const live = await tx.query<MaterializationRow>(
      `SELECT * FROM fintra_materializations
        WHERE asset = $1 AND run_date = $2::date AND scope_key = $3 AND status = 'running'
          AND owner_pid IS NOT NULL
        FOR UPDATE`,
      [asset, runDate, key],
    );
    for (const row of live) {
      const reason = abandonedReason(materializationFromRow(row));
      if (reason) await failRunning(tx, row.id, reason);
    }
  }

  async succeededPartitions(asset: string, from: string, to: string): Promise<Set<string>> {
    const rows = await this.db.query<{ partition_date: string }>(
      `SELECT DISTINCT partition_date FROM fintra_materializations
        WHERE asset = $1 AND status = 'succeeded' AND scope_key = ''
          AND partition_date BETWEEN $2::date AND $3::date`,
      [asset, from, to],
    );
    return new Set(rows.map((r) => r.partition_date));
  }

  async running(asset: string, runDate: string, key: string): Promise<Materialization | null> {
    const rows = await this.db.query<MaterializationRow>(
      `SELECT * FROM fintra_materializations
        WHERE asset = $1 AND run_date = $2::date AND scope_key = $3 AND status = 'running'`,
      [asset, runDate, key],
    );
    return rows[0] ? materializationFromRow(rows[0]) : null;
  }

  async succeed(id: string, result: FinishMaterialization): Promise<Materialization> {
    const checksPassed = result.checks.every((c) => c.passed || c.severity !== "error");
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<MaterializationRow>(
        `UPDATE fintra_materializations
            SET status = 'succeeded', finished_at = now(), rows_written = $2,
                metadata = $3::text::jsonb, checks_passed = $4
          WHERE id = $1 AND status = 'running'
        RETURNING *`,
        [
          id,
          result.rows,
          JSON.stringify(result.metadata),
          result.checks.length ? checksPassed : null,
        ],
      );
      const row = rows[0];
      if (!row)
        throw new Error(`materialization ${id} is not running (abandoned or already finished)`);
      for (const check of result.checks) {
        await tx.query(
          `INSERT INTO fintra_check_results
             (materialization_id, check_name, asset, partition_date, severity, passed, value, message, metadata)
           VALUES ($1, $2, $3, $4::date, $5, $6, $7, $8, $9::text::jsonb)`,
          [
            id,
            check.name,
            row.asset,
            row.partition_date,
            check.severity,
            check.passed,
            check.value ?? null,
            oneLine(check.message),
            JSON.stringify(check.metadata ?? {}),
          ],
        );
      }
      return materializationFromRow(row);
    });
  }

  async heartbeat(id: string): Promise<boolean> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE fintra_materializations SET heartbeat_at = now()
        WHERE id = $1 AND status = 'running' RETURNING id`,
      [id],
    );
    return rows.length > 0;
  }

  async fail(id: string, error: string): Promise<void> {
    await failRunning(this.db, id, error);
  }

  async failRun(runId: string, error: string): Promise<number> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE fintra_materializations SET status = 'failed', finished_at = now(), error = $2
        WHERE run_id = $1 AND status = 'running' RETURNING id`,
      [runId, oneLine(error)],
    );
    return rows.length;
  }

  async recordDecision(decision: GateDecision): Promise<void> {
    await this.db.query(
      INSERT_DECISION,
      decisionParams(decision, decision.materializationId ?? null),
    );
  }

  async get(id: string): Promise<Materialization | null> {
    const rows = await this.db.query<MaterializationRow>(
      "SELECT * FROM fintra_materializations WHERE id = $1",
      [id],
    );
    return rows[0] ? materializationFromRow(rows[0]) : null;
  }

  async history(options: { asset?: string; limit?: number } = {}): Promise<Materialization[]> {
    const rows = await this.db.query<MaterializationRow>(
      `SELECT * FROM fintra_materializations WHERE ($1::text IS NULL OR asset = $1)
        ORDER BY started_at DESC LIMIT $2`,
      [options.asset ?? null, options.limit ?? 100],
    );
    return rows.map(materializationFromRow);
  }

  async decisions(
    options: { asset?: string; runDate?: string; limit?: number } = {},
  ): Promise<GateDecision[]> {
    const rows = await this.db.query<DecisionRow>(
      `SELECT * FROM fintra_gate_decisions
        WHERE ($1::text IS NULL OR asset = $1) AND ($2::date IS NULL OR run_date = $2::date)
        ORDER BY decided_at DESC, id DESC LIMIT $3`,
      [options.asset ?? null, options.runDate ?? null, options.limit ?? 50],
    );
    return rows.map(decisionFromRow);
  }

  async checks(materializationId: string): Promise<CheckResult[]> {
    const rows = await this.db.query<Omit<CheckRow, "materialization_id">>(
      `SELECT check_name, severity, passed, message, value, metadata FROM fintra_check_results
        WHERE materialization_id = $1 ORDER BY check_name`,
      [materializationId],
    );
    return rows.map(checkFromRow);
  }

  async raiseAlert(input: AlertInput): Promise<Alert | null> {
    const args = raiseAlertArguments(randomUUID(), input);
    const rows = await this.db.query<AlertRow>(RAISE_ALERT, Object.values(args));
    return rows[0] ? alertFromRow(rows[0]) : null;
  }

  async resolveAlert(key: AlertKey, message: string): Promise<Alert | null> {
    const args = resolveAlertArguments(randomUUID(), key, message);
    const rows = await this.db.query<AlertRow>(RESOLVE_ALERT, Object.values(args));
    return rows[0] ? alertFromRow(rows[0]) : null;
  }

  async alerts(options: AlertQuery = {}): Promise<Alert[]> {
    const rows = await this.db.query<AlertRow>(
      `SELECT * FROM fintra_alerts
        WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR asset = $2)
          AND ($3::date IS NULL OR day = $3::date)
        ORDER BY raised_at DESC, id DESC LIMIT $4`,
      [options.status ?? null, options.asset ?? null, options.day ?? null, options.limit ?? 100],
    );
    return rows.map(alertFromRow);
  }

  async noteAlertDelivered(id: string, what: "raised" | "resolved"): Promise<void> {
    await this.db.query(
      what === "raised"
        ? "UPDATE fintra_alerts SET delivered_at = now() WHERE id = $1"
        : `UPDATE fintra_alerts SET resolution_delivered_at = now()
            WHERE id = $1 AND status = 'resolved'`,
      [id],
    );
  }
}
