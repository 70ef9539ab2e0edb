/**
 * The Inngest client (app id `fintra`) and the typed event catalogue.
 * Events are the vocabulary between functions, the CLI, the status API and
 * the dev server's "send event" button; every payload is validated by zod.
 */
import { eventType, Inngest } from "inngest";
import { z } from "zod";

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD");

export const scopeSchema = z.object({
  tickers: z.array(z.string().min(1)).min(1).optional(),
  limit: z.number().int().positive().optional(),
});

/** Materialize one asset (the dev server's "send event", the CLI, backfills). */
export const assetRequested = eventType("fintra/asset.requested", {
  schema: z.object({
    asset: z.string().min(1),
    partition: date.optional(),
    scope: scopeSchema.optional(),
    force: z.boolean().optional(),
    /** Rerun everything below it too (through the normal gate); default: only this asset. */
    downstream: z.boolean().optional(),
  }),
});

/** Sent after an asset's ledger row is committed; downstream functions trigger on it. */
export const assetMaterialized = eventType("fintra/asset.materialized", {
  schema: z.object({
    asset: z.string(),
    /** null for unpartitioned assets. */
    partition: date.nullable(),
    /** The day the run was for (the partition, or the requested day). */
    runDate: date,
    scope: scopeSchema.nullable(),
    scopeKey: z.string(),
    materializationId: z.string(),
    runId: z.string(),
    rows: z.number().int().nonnegative(),
    /** Whether dependents should follow (cron runs and `downstream` requests do). */
    cascade: z.boolean(),
  }),
});

/** Sent when an asset's run fails for good (after retries). */
export const assetFailed = eventType("fintra/asset.failed", {
  schema: z.object({
    asset: z.string(),
    runDate: date.nullable(),
    runId: z.string(),
    error: z.string(),
  }),
});

/** The whole graph for one ticker (debugging). */
export const tickerRequested = eventType("fintra/ticker.requested", {
  schema: z.object({ ticker: z.string().min(1), partition: date.optional() }),
});

/** One asset.requested per trading date and selected root, throttled. */
export const backfillRequested = eventType("fintra/backfill.requested", {
  schema: z.object({
    selection: z.string().min(1),
    from: date,
    to: date,
    force: z.boolean().optional(),
  }),
});

export type AssetRequested = z.infer<(typeof assetRequested)["schema"]>;
export type AssetMaterialized = z.infer<(typeof assetMaterialized)["schema"]>;

export interface ClientOptions {
  /** Route every event the SDK sends somewhere else (tests). */
  fetch?: typeof fetch;
  isDev?: boolean;
}

/** A client for app `fintra`; the server and CLI use the default one below. */
export function createInngestClient(options: ClientOptions = {}): Inngest {
  return new Inngest({
    id: "fintra",
    ...(options.isDev !== undefined ? { isDev: options.isDev } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

export const inngest = createInngestClient();
