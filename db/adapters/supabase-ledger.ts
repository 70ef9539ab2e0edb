/**
 * The ledger over Supabase's REST API, with SqlLedger's semantics (ledger.ts)
 * as far as single-table requests allow:
 *
 * - The claim stays atomic: `start` inserts the running row and the partial
 *   unique index fintra_materializations_one_running refuses a second one
 *   (409, 23505), which means "another run holds the key": start returns null.
 * - What SqlLedger does in one transaction takes two requests here: the
 *   claim then its "run" decision (if the decision cannot be written the
 *   claim is released and the error rethrown), and succeed then its check
 *   results (upserted, so a retried request cannot duplicate them).
 * - finished_at, heartbeat_at and the staleness cutoff come from this
 *   process's clock, as PostgREST cannot say now(); started_at still
 *   defaults to the database's.
 * - Rows whose owner is gone (ledger.ts `abandonedReason`) are read, judged
 *   here and failed one by one, each only while still running.
 * - Alerts are raised and resolved by RPCs of the SQL functions the SQL
 *   ledger calls too (migration 0034): one statement each, atomic, on the
 *   database's clock. Delivery stamps are a plain update, on this process's.
 */
import { randomUUID } from "node:crypto";
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
} from "../ledger.ts";
import { checkFromRow } from "../ledger-rows.ts";
import { scopeKey } from "../scope.ts";
import {
  oneLine,
  RAISE_ALERT_FUNCTION,
  RESOLVE_ALERT_FUNCTION,
  raiseAlertArguments,
  resolveAlertArguments,
} from "../sql-ledger.ts";
import { SupabaseRestError } from "./supabase-errors.ts";
import { inList } from "./supabase-filters.ts";
import {
  ALERTS,
  CHECKS,
  DECISIONS,
  decisionRow,
  MATERIALIZATIONS,
  toAlert,
  toDecision,
  toMaterialization,
} from "./supabase-ledger-rows.ts";
import type { Rest } from "./supabase-rest.ts";

const rows = (data: unknown) => (data ?? []) as Record<string, unknown>[];
const now = () => new Date().toISOString();

export class SupabaseLedger implements Ledger {
  private readonly rest: Rest;

  constructor(rest: Rest) {
    this.rest = rest;
  }

  private get materializations() {
    return this.rest.from(MATERIALIZATIONS.name);
  }

  async latest(query: MaterializationQuery): Promise<Materialization | null> {
    if (query.scopeKeys.length === 0) return null;
    let request = this.materializations
      .select("*")
      .eq("asset", query.asset)
      .eq("status", query.status)
      .filter("scope_key", "in", inList(query.scopeKeys));
    if (query.partition === null) request = request.is("partition_date", null);
    else if (query.partition !== undefined) request = request.eq("partition_date", query.partition);
    if (query.minRunDate) request = request.gte("run_date", query.minRunDate);
    request =
      query.status === "running"
        ? request.order("started_at", { ascending: false })
        : request
            .order("finished_at", { ascending: false, nullsFirst: false })
            .order("started_at", { ascending: false });
    const { data } = await this.rest.run("ledger latest", request.limit(1));
    const row = rows(data)[0];
    return row ? toMaterialization(row) : null;
  }

  async start(
    input: StartMaterialization,
    decision: GateDecision,
    options: { staleAfterMs: number; supersede: boolean },
  ): Promise<Materialization | null> {
    const id = randomUUID();
    return claimHeld(id, input.owner ?? null, () => this.claim(id, input, decision, options));
  }

  private async claim(
    id: string,
    input: StartMaterialization,
    decision: GateDecision,
    options: { staleAfterMs: number; supersede: boolean },
  ): Promise<Materialization | null> {
    const key = scopeKey(input.scope);
    await this.abandonDead(input.asset, input.runDate, key);
    let abandon = this.materializations
      .update({ status: "failed", finished_at: now(), error: `abandoned: superseded by run ${id}` })
      .eq("asset", input.asset)
      .eq("run_date", input.runDate)
      .eq("scope_key", key)
      .eq("status", "running");
    if (!options.supersede) {
      abandon = abandon.lt("started_at", new Date(Date.now() - options.staleAfterMs).toISOString());
    }
    await this.rest.run("ledger supersede", abandon);

    let claimed: Materialization | null;
    try {
      const { data } = await this.rest.run(
        "ledger claim",
        this.materializations
          .insert({
            id,
            asset: input.asset,
            partition_date: input.partition,
            run_date: input.runDate,
            scope: input.scope,
            scope_key: key,
            status: "running",
            trigger: input.trigger,
            executor: input.executor,
            run_id: input.runId,
            upstream: input.upstream,
            owner_host: input.owner?.host ?? null,
            owner_pid: input.owner?.pid ?? null,
            heartbeat_at: input.owner ? now() : null,
          })
          .select("*"),
      );
      const row = rows(data)[0];
      claimed = row ? toMaterialization(row) : null;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Someone holds the key; if the holder is this very row, a retried insert had landed.
      const holder = await this.running(input.asset, input.runDate, key);
      if (holder?.id !== id) return null;
      claimed = holder;
    }
    if (!claimed) throw new Error(`ledger claim for ${input.asset} returned no row`);

    try {
      await this.rest.run(
        "ledger decision",
        this.rest.from(DECISIONS.name).insert(decisionRow(decision, id)),
      );
    } catch (error) {
      // Without its decision the claim would be unexplained: release it, then report.
      await this.fail(
        id,
        `claim released: its gate decision was not recorded: ${(error as Error).message}`,
      ).catch(() => {});
      throw error;
    }
    return claimed;
  }

  /** Marks failed the running rows of a key whose owner is known to be gone. */
  private async abandonDead(asset: string, runDate: string, key: string): Promise<void> {
    const { data } = await this.rest.run(
      "ledger owners",
      this.materializations
        .select("*")
        .eq("asset", asset)
        .eq("run_date", runDate)
        .eq("scope_key", key)
        .eq("status", "running")
        .not("owner_pid", "is", null),
    );
    for (const row of rows(data)) {
      const m = toMaterialization(row);
      const reason = abandonedReason(m);
      if (reason) await this.fail(m.id, reason);
    }
  }

  async succeededPartitions(asset: string, from: string, to: string): Promise<Set<string>> {
    const out = new Set<string>();
    const pages = this.rest.pages(MATERIALIZATIONS, {
      where: {
        asset,
        status: "succeeded",
        scope_key: "",
        partition_date: { gte: from, lte: to },
      },
      columns: ["partition_date"],
    });
    for await (const page of pages) {
      for (const row of page) if (row.partition_date) out.add(row.partition_date);
    }
    return out;
  }

  async running(asset: string, runDate: string, key: string): Promise<Materialization | null> {
    const { data } = await this.rest.run(
      "ledger running",
      this.materializations
        .select("*")
        .eq("asset", asset)
        .eq("run_date", runDate)
        .eq("scope_key", key)
        .eq("status", "running")
        .limit(1),
    );
    const row = rows(data)[0];
    return row ? toMaterialization(row) : null;
  }

  async succeed(id: string, result: FinishMaterialization): Promise<Materialization> {
    const checksPassed = result.checks.every((c) => c.passed || c.severity !== "error");
    const { data } = await this.rest.run(
      "ledger succeed",
      this.materializations
        .update({
          status: "succeeded",
          finished_at: now(),
          rows_written: result.rows,
          metadata: result.metadata,
          checks_passed: result.checks.length ? checksPassed : null,
        })
        .eq("id", id)
        .eq("status", "running")
        .select("*"),
    );
    const row = rows(data)[0];
    if (!row)
      throw new Error(`materialization ${id} is not running (abandoned or already finished)`);
    const done = toMaterialization(row);
    if (result.checks.length) {
      const checkRows = result.checks.map((check) => ({
        materialization_id: id,
        check_name: check.name,
        asset: done.asset,
        partition_date: done.partition,
        severity: check.severity,
        passed: check.passed,
        value: check.value ?? null,
        message: oneLine(check.message),
        metadata: check.metadata ?? {},
      }));
      try {
        await this.rest.run(
          "ledger checks",
          this.rest.from(CHECKS.name).upsert(checkRows, { onConflict: CHECKS.key.join(",") }),
        );
      } catch (error) {
        throw new Error(
          `materialization ${id} succeeded but its check results were not recorded: ${(error as Error).message}`,
        );
      }
    }
    return done;
  }

  async heartbeat(id: string): Promise<boolean> {
    const { data } = await this.rest.run(
      "ledger heartbeat",
      this.materializations
        .update({ heartbeat_at: now() })
        .eq("id", id)
        .eq("status", "running")
        .select("id"),
    );
    return rows(data).length > 0;
  }

  async fail(id: string, error: string): Promise<void> {
    await this.rest.run(
      "ledger fail",
      this.materializations
        .update({ status: "failed", finished_at: now(), error: oneLine(error) })
        .eq("id", id)
        .eq("status", "running"),
    );
  }

  async failRun(runId: string, error: string): Promise<number> {
    const { count } = await this.rest.run(
      "ledger failRun",
      this.materializations
        .update({ status: "failed", finished_at: now(), error: oneLine(error) }, { count: "exact" })
        .eq("run_id", runId)
        .eq("status", "running"),
    );
    return count ?? 0;
  }

  async recordDecision(decision: GateDecision): Promise<void> {
    await this.rest.run(
      "ledger decision",
      this.rest
        .from(DECISIONS.name)
        .insert(decisionRow(decision, decision.materializationId ?? null)),
    );
  }

  async get(id: string): Promise<Materialization | null> {
    const { data } = await this.rest.run(
      "ledger get",
      this.materializations.select("*").eq("id", id).limit(1),
    );
    const row = rows(data)[0];
    return row ? toMaterialization(row) : null;
  }

  async history(options: { asset?: string; limit?: number } = {}): Promise<Materialization[]> {
    const found = await this.rest.list(
      "ledger history",
      (from, to) => {
        let request = this.materializations.select("*");
        if (options.asset) request = request.eq("asset", options.asset);
        return request.order("started_at", { ascending: false }).range(from, to);
      },
      options.limit ?? 100,
    );
    return rows(found).map(toMaterialization);
  }

  async decisions(
    options: { asset?: string; runDate?: string; limit?: number } = {},
  ): Promise<GateDecision[]> {
    const found = await this.rest.list(
      "ledger decisions",
      (from, to) => {
        let request = this.rest.from(DECISIONS.name).select("*");
        if (options.asset) request = request.eq("asset", options.asset);
        if (options.runDate) request = request.eq("run_date", options.runDate);
        return request
          .order("decided_at", { ascending: false })
          .order("id", { ascending: false })
          .range(from, to);
      },
      options.limit ?? 50,
    );
    return rows(found).map(toDecision);
  }

  async checks(materializationId: string): Promise<CheckResult[]> {
    const out: CheckResult[] = [];
    const pages = this.rest.pages(CHECKS, { where: { materialization_id: materializationId } });
    for await (const page of pages) {
      for (const r of page) {
        out.push(checkFromRow(r));
      }
    }
    return out;
  }

  async raiseAlert(input: AlertInput): Promise<Alert | null> {
    const { data } = await this.rest.run(
      "ledger raise alert",
      this.rest.rpc(RAISE_ALERT_FUNCTION, raiseAlertArguments(randomUUID(), input)),
    );
    return alertOrNull(data);
  }

  async resolveAlert(key: AlertKey, message: string): Promise<Alert | null> {
    const { data } = await this.rest.run(
      "ledger resolve alert",
      this.rest.rpc(RESOLVE_ALERT_FUNCTION, resolveAlertArguments(randomUUID(), key, message)),
    );
    return alertOrNull(data);
  }

  async alerts(options: AlertQuery = {}): Promise<Alert[]> {
    const found = await this.rest.list(
      "ledger alerts",
      (from, to) => {
        let request = this.rest.from(ALERTS.name).select("*");
        if (options.status) request = request.eq("status", options.status);
        if (options.asset) request = request.eq("asset", options.asset);
        if (options.day) request = request.eq("day", options.day);
        return request
          .order("raised_at", { ascending: false })
          .order("id", { ascending: false })
          .range(from, to);
      },
      options.limit ?? 100,
    );
    return rows(found).map(toAlert);
  }

  async noteAlertDelivered(id: string, what: "raised" | "resolved"): Promise<void> {
    const alerts = this.rest.from(ALERTS.name);
    await this.rest.run(
      "ledger alert delivered",
      what === "raised"
        ? alerts.update({ delivered_at: now() }).eq("id", id)
        : alerts.update({ resolution_delivered_at: now() }).eq("id", id).eq("status", "resolved"),
    );
  }
}

/** An alert function's answer: the row as a JSON object, or null. */
function alertOrNull(data: unknown): Alert | null {
  if (data === null || data === undefined) return null;
  if (typeof data !== "object" || Array.isArray(data)) {
    throw new Error(`ledger alert: unexpected answer ${JSON.stringify(data).slice(0, 200)}`);
  }
  return toAlert(data as Record<string, unknown>);
}

/**
 * A unique violation on insert: the one-running index refused the claim, or
 * (on a retried request whose first attempt landed) our own row's id did.
 */
function isUniqueViolation(error: unknown): boolean {
  return error instanceof SupabaseRestError && error.code === "23505";
}
