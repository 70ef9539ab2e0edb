/**
 * Partition writes that readers never see half-done. An asset that writes in several steps
 * (a chunk of tickers a step) stages each chunk's rows under its run's materialization id
 * (`stageRows`, invisible to every reader of the table) and ends with one more step that
 * publishes them all in one transaction (`publishStaged`): the stale rows of the slice the
 * run replaces are deleted, the staged rows upserted, the stage cleared. A run killed or
 * failed before that step leaves the table exactly as it was; its stage is removed by the
 * next publish into the table. Steps still return counts, never rows.
 */
import type { TableSpec, Where } from "../db/index.ts";
import type { PublishResult } from "../db/store.ts";
import type { AssetContext } from "./define.ts";

/** What a stage or publish needs of the run. */
export type StagingContext = Pick<AssetContext, "db" | "materializationId">;

/** Stages rows for this run; returns how many distinct keys were staged (sum them for publish). */
export function stageRows<Row extends object>(
  ctx: StagingContext,
  table: TableSpec<Row>,
  rows: readonly Row[],
): Promise<number> {
  return ctx.db.stage(table, ctx.materializationId, rows);
}

/**
 * Publishes the run's `staged` rows of `table` in one transaction. `replace` is the slice
 * the run owns (the partition on a full run, the scope's tickers on a scoped run): its rows
 * the run did not stage are removed; null only upserts.
 */
export function publishRows<Row extends object>(
  ctx: StagingContext,
  table: TableSpec<Row>,
  staged: number,
  replace: Where<Row> | null,
): Promise<PublishResult> {
  return ctx.db.publish(table, { runId: ctx.materializationId, staged, replace });
}

/**
 * `publishRows` as the run's last durable step ("publish"). A `replace` that needs I/O
 * (a scope's tickers) is a function, called inside the step: code outside steps replays.
 */
export function publishStaged<Row extends object>(
  ctx: StagingContext & Pick<AssetContext, "step">,
  table: TableSpec<Row>,
  staged: number,
  replace: Where<Row> | null | (() => Promise<Where<Row> | null>),
): Promise<PublishResult> {
  return ctx.step("publish", async () =>
    publishRows(ctx, table, staged, typeof replace === "function" ? await replace() : replace),
  );
}

/**
 * Makes the stored rows of one slice exactly `rows`, atomically: stage, then publish with
 * the slice as `replace`. For single-step writers (the aggregates); readers see the old
 * slice or the new one, never a mix, and a failure in between changes nothing.
 */
export async function replaceSlice<Row extends object>(
  ctx: StagingContext,
  table: TableSpec<Row>,
  slice: Where<Row>,
  rows: readonly Row[],
): Promise<PublishResult> {
  const staged = await stageRows(ctx, table, rows);
  return publishRows(ctx, table, staged, slice);
}
