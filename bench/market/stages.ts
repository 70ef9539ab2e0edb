/**
 * The stages bench:market measures, and what each one reads back from a run: rows written,
 * per-asset figures, and what went wrong. Also the check that a rerun wrote nothing, read
 * from the rows themselves (a row version created after a point has a newer xmin), so an
 * upsert that rewrote identical values counts as a write.
 */

import type { Store } from "../../db/index.ts";
import type { MaterializeSummary } from "../../runtime/materialize.ts";
import type { AssetFigure } from "./report.ts";

/** The weekly SEC jobs: their own stage, left out of the day's selection. */
export const SEC_ASSETS = ["fintra_sec_event_signals", "fintra_sec_structural_signals"] as const;

/** The ledger's own tables: a rerun records its decisions there, which is not a data write. */
const LEDGER_TABLES = new Set([
  "fintra_materializations",
  "fintra_gate_decisions",
  "fintra_check_results",
  "fintra_staged_rows",
  "fintra_staged_publishes",
  "fintra_migrations",
]);

/** '*' without the weekly SEC jobs: what runs every evening. */
export function daySelection(all: readonly string[]): string {
  return all.filter((k) => !(SEC_ASSETS as readonly string[]).includes(k)).join(",");
}

export interface StageOutcome {
  rows: number;
  assets: AssetFigure[];
  problems: string[];
  note?: string;
}

/** Rows and per-asset figures of one materialize; failed, waiting and blocked assets are problems. */
export function outcomeOf(summary: MaterializeSummary, label: string): StageOutcome {
  const assets = summary.outcomes.map((o) => ({
    asset: o.asset,
    status: o.status,
    seconds: o.seconds,
    rows: o.rows ?? 0,
    ...(o.status === "succeeded" ? {} : { reason: o.reason }),
  }));
  return {
    rows: assets.reduce((n, a) => n + a.rows, 0),
    assets,
    problems: summary.outcomes
      .filter((o) => o.status === "failed" || o.status === "waiting" || o.status === "blocked")
      .map((o) => `${label}: ${o.asset} ${o.status}: ${o.reason.slice(0, 300)}`),
  };
}

/** Per-asset rows summed over several materializes (a backfill's days). */
export function sumAssets(outcomes: readonly StageOutcome[]): AssetFigure[] {
  const byAsset = new Map<string, AssetFigure>();
  for (const outcome of outcomes) {
    for (const a of outcome.assets) {
      const sum = byAsset.get(a.asset) ?? { asset: a.asset, status: a.status, seconds: 0, rows: 0 };
      sum.seconds += a.seconds;
      sum.rows += a.rows;
      if (a.status !== "succeeded") sum.status = a.status;
      byAsset.set(a.asset, sum);
    }
  }
  return [...byAsset.values()];
}

export interface WriteMark {
  xid: number;
  counts: Map<string, number>;
}

async function dataTables(store: Store): Promise<string[]> {
  const rows = await store.readOnlyQuery(
    "SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
  );
  return rows.map((r) => String(r.name)).filter((name) => !LEDGER_TABLES.has(name));
}

const XID_SPACE = 2 ** 32;

/** The next transaction id and each data table's row count: what a later check compares with. */
export async function markWrites(store: Store): Promise<WriteMark> {
  const [next] = await store.readOnlyQuery(
    "SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xid",
  );
  const counts = new Map<string, number>();
  for (const table of await dataTables(store)) {
    const [row] = await store.readOnlyQuery(`SELECT count(*)::float8 AS n FROM "${table}"`);
    counts.set(table, Number(row?.n ?? 0));
  }
  return { xid: Number(next?.xid ?? 0) % XID_SPACE, counts };
}

/**
 * Row versions written (inserted or updated) in each data table since `mark`, and how its
 * row count moved (a delete shows there); only tables where either is nonzero.
 */
export async function writesSince(
  store: Store,
  mark: WriteMark,
): Promise<{ table: string; written: number; countChange: number }[]> {
  const changed: { table: string; written: number; countChange: number }[] = [];
  for (const table of await dataTables(store)) {
    const [row] = await store.readOnlyQuery(
      `SELECT count(*)::float8 AS n, count(*) FILTER (WHERE xmin::text::bigint >= ${mark.xid})::float8 AS fresh FROM "${table}"`,
    );
    const n = Number(row?.n ?? 0);
    const written = Number(row?.fresh ?? 0);
    const countChange = n - (mark.counts.get(table) ?? 0);
    if (written > 0 || countChange !== 0) changed.push({ table, written, countChange });
  }
  return changed;
}
