/**
 * The Inngest client (app id `fintra`) and the typed event catalogue.
 * Events are the vocabulary between functions, the CLI, the status API and
 * the dev server's "send event" button. The zod schemas here are the one
 * definition of valid input for every door (CLI options, admin API, events
 * a function receives): objects are strict, so a misspelt key is refused
 * rather than ignored. Inngest v4 needs a schema's input and output types to
 * match, so nothing here transforms or defaults; callers normalise after
 * parsing (db/scope.ts).
 */
import { eventType, Inngest, NonRetriableError } from "inngest";
import { z } from "zod";
import { MAX_SCOPE_TICKERS, normalizeTicker, TICKER_PATTERN } from "./db/scope.ts";

/** Long input is cut in messages: a refusal stays one short line. */
function quoted(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return JSON.stringify(text.length > 24 ? `${text.slice(0, 24)}...` : text);
}

/** A real calendar day (2026-02-30 is refused), not just the YYYY-MM-DD shape. */
function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const day = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === text;
}

/** A calendar date `YYYY-MM-DD`; whether it is a trading day is the partition rules' call. */
export const dateSchema = z.string().refine(isCalendarDate, {
  error: (issue) => `bad date ${quoted(issue.input)}: expected a calendar date as YYYY-MM-DD`,
});

/** A ticker, in any case and with surrounding spaces; normalizeTicker gives its spelling. */
const tickerSchema = z.string().refine((t) => TICKER_PATTERN.test(normalizeTicker(t)), {
  error: (issue) => `bad ticker ${quoted(issue.input)}`,
});

export const tickersSchema = z
  .array(tickerSchema, { error: "expected a list of tickers" })
  .min(1, { error: "needs at least one ticker" })
  .max(MAX_SCOPE_TICKERS, {
    error: (issue) =>
      `at most ${MAX_SCOPE_TICKERS} tickers in one scope (got ${(issue.input as unknown[]).length})`,
  });

export const limitSchema = z
  .number({ error: "must be a positive whole number" })
  .int({ error: "must be a positive whole number" })
  .positive({ error: "must be a positive whole number" });

export const scopeSchema = z.strictObject({
  tickers: tickersSchema.optional(),
  limit: limitSchema.optional(),
});

/** `fintra/asset.requested` without its asset: the admin API's materialize body. */
export const materializeRequestSchema = z.strictObject({
  partition: dateSchema.optional(),
  scope: scopeSchema.optional(),
  force: z.boolean().optional(),
  /** Rerun everything below it too (through the normal gate); default: only this asset. */
  downstream: z.boolean().optional(),
});

/** Materialize one asset (the dev server's "send event", the CLI, backfills). */
export const assetRequested = eventType("fintra/asset.requested", {
  schema: materializeRequestSchema.extend({ asset: z.string().min(1) }),
});

/** Sent after an asset's ledger row is committed; downstream functions trigger on it. */
export const assetMaterialized = eventType("fintra/asset.materialized", {
  schema: z.strictObject({
    asset: z.string().min(1),
    /** null for unpartitioned assets. */
    partition: dateSchema.nullable(),
    /** The day the run was for (the partition, or the requested day). */
    runDate: dateSchema,
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
  schema: z.strictObject({
    asset: z.string(),
    runDate: dateSchema.nullable(),
    runId: z.string(),
    error: z.string(),
  }),
});

/** An alert as events carry it: the ledger's row (runtime/alerts.ts says when one opens). */
const alertSchema = z.strictObject({
  alertId: z.string(),
  kind: z.enum(["threshold", "deadline", "duration", "failure"]),
  asset: z.string(),
  day: dateSchema,
  metric: z.string(),
  observed: z.number().nullable(),
  threshold: z.number().nullable(),
  message: z.string(),
  /** Where to look: the asset's page, or a `fintra why` line. */
  link: z.string(),
  raisedAt: z.string(),
  resolvedAt: z.string().nullable(),
});

/** A condition someone must hear of opened (once per kind, asset, day and metric). */
export const alertRaised = eventType("fintra/alert.raised", { schema: alertSchema });

/** An open alert's condition cleared (a later run passed, the day finished). */
export const alertResolved = eventType("fintra/alert.resolved", { schema: alertSchema });

/** The whole graph for one ticker (debugging). */
export const tickerRequested = eventType("fintra/ticker.requested", {
  schema: z.strictObject({ ticker: tickerSchema, partition: dateSchema.optional() }),
});

/** One asset.requested per trading date and selected root, throttled. */
export const backfillRequested = eventType("fintra/backfill.requested", {
  schema: z.strictObject({
    selection: z.string().min(1),
    from: dateSchema,
    to: dateSchema,
    force: z.boolean().optional(),
  }),
});

export type MaterializeRequest = z.infer<typeof materializeRequestSchema>;

/** How one problem reads: `scope.limit: must be ...`, `unknown key "partiton"`. */
function describeIssue(issue: z.core.$ZodIssue, label: (path: string) => string): string {
  // Indices say which ticker; the message already quotes it.
  const path = issue.path.filter((p) => typeof p !== "number").join(".");
  const text =
    issue.code === "unrecognized_keys"
      ? `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map(quoted).join(", ")}`
      : issue.message.replace(/^Invalid input: /, "");
  return path ? `${label(path)}: ${text}` : text;
}

/** Issues shown in one refusal; the rest are counted, so 5,000 bad tickers stay one line. */
const MAX_ISSUES_SHOWN = 3;

/**
 * A ZodError as ONE line for an operator: `scope.limit: must be a positive
 * whole number; unknown key "partiton"`. `label` renames a path for the
 * door it came through (the CLI says `--ticker` where an event says
 * `scope.tickers`).
 */
export function describeZodError(
  error: z.ZodError,
  label: (path: string) => string = (path) => path,
): string {
  const lines = [...new Set(error.issues.map((i) => describeIssue(i, label)))];
  const shown = lines.slice(0, MAX_ISSUES_SHOWN).join("; ");
  const more = lines.length - MAX_ISSUES_SHOWN;
  return (more > 0 ? `${shown}; and ${more} more` : shown).replace(/\s+/g, " ");
}

/**
 * The data of an event a function received, checked against its schema.
 * Bad input will not get better on retry, so it fails the run at once with
 * a one-line reason (Inngest's NonRetriableError), before any work starts.
 */
export function parseEventData<T>(name: string, schema: z.ZodType<T>, data: unknown): T {
  const parsed = schema.safeParse(data ?? {});
  if (!parsed.success) {
    throw new NonRetriableError(`refused ${name}: ${describeZodError(parsed.error)}`);
  }
  return parsed.data;
}

interface ClientOptions {
  /** Route every event the SDK sends somewhere else (tests). */
  fetch?: typeof fetch;
  isDev?: boolean;
}

/** A client for app `fintra`: the server makes one, tests one with their own `fetch`. */
export function createInngestClient(options: ClientOptions = {}): Inngest {
  return new Inngest({
    id: "fintra",
    ...(options.isDev !== undefined ? { isDev: options.isDev } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
