/**
 * Alerts: the conditions someone must hear of without looking. Four kinds:
 *   threshold  a check marked `alert` (the guide's daily figures) failed on a full run
 *   duration   a run took longer than its asset's budget, or is still running past it
 *   deadline   the day's last asset is not fresh by its deadline after the root's cron
 *              (a cron that never fired, a run stuck waiting on a dep)
 *   failure    a run failed for good
 * The ledger keeps one alert per (kind, asset, day, metric): raising an open one again
 * does nothing, so a retried or repeated condition pages once; when the condition clears
 * (a later run of that day passes, the day finishes) the alert is resolved, once. What
 * changed goes out as events under Inngest (functions/alerts.ts) or straight to the
 * webhook in process (runtime/webhook.ts).
 */
import { Cron } from "croner";
import type {
  Alert,
  AlertInput,
  AlertKey,
  CheckResult,
  Materialization,
  Store,
} from "../db/index.ts";
import type { AssetDefinition } from "./define.ts";
import type { AssetGraph } from "./graph.ts";
import { latestTradingDay } from "./partitions.ts";

export interface AlertSettings {
  /** Hours after the root's cron by which the day's last asset must be fresh (default 3). */
  deadlineHours: number;
  /** Minutes a run may take when its asset declares no budget (default 60). */
  budgetMinutes: number;
}

/** The asset whose freshness means the day is done. */
const DAY_DONE_ASSET = "market_state";

/** The day's last asset: market_state, or the graph's last asset when it has none (tests). */
function dayDoneAsset(graph: AssetGraph): string | undefined {
  return graph.assets.has(DAY_DONE_ASSET) ? DAY_DONE_ASSET : graph.order.at(-1);
}

function positive(env: Record<string, string | undefined>, name: string, fallback: number) {
  const text = env[name]?.trim();
  if (!text) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${name} must be a positive number, got "${text}"`);
  }
  return value;
}

/** FINTRA_DEADLINE_HOURS and FINTRA_DURATION_BUDGET_MINUTES, checked. */
export function alertSettings(
  env: Record<string, string | undefined> = process.env,
): AlertSettings {
  return {
    deadlineHours: positive(env, "FINTRA_DEADLINE_HOURS", 3),
    budgetMinutes: positive(env, "FINTRA_DURATION_BUDGET_MINUTES", 60),
  };
}

/** What a run or the watch found: alerts to open and alerts whose condition cleared. */
export interface Conditions {
  raise: AlertInput[];
  resolve: AlertKey[];
}

export interface AlertChange {
  status: "raised" | "resolved";
  alert: Alert;
}

/** What an alert says to the outside (its event, its webhook body): no delivery stamps. */
export function alertFacts(alert: Alert) {
  const { kind, asset, day, metric, observed, threshold, message, link } = alert;
  const { raisedAt, resolvedAt } = alert;
  return { kind, asset, day, metric, observed, threshold, message, link, raisedAt, resolvedAt };
}

const none = (): Conditions => ({ raise: [], resolve: [] });

/** Opens and resolves in the ledger; returns only what changed (what must be told). */
export async function applyConditions(store: Store, c: Conditions): Promise<AlertChange[]> {
  const changes: AlertChange[] = [];
  for (const input of c.raise) {
    const alert = await store.ledger.raiseAlert(input);
    if (alert) changes.push({ status: "raised", alert });
  }
  for (const key of c.resolve) {
    const alert = await store.ledger.resolveAlert(key, "the condition cleared");
    if (alert) changes.push({ status: "resolved", alert });
  }
  return changes;
}

const seconds = (m: Materialization, now?: Date) =>
  ((m.finishedAt ? Date.parse(m.finishedAt) : (now?.getTime() ?? Date.now())) -
    Date.parse(m.startedAt)) /
  1000;

function budgetSeconds(def: AssetDefinition, settings: AlertSettings): number {
  return (def.durationBudgetMinutes ?? settings.budgetMinutes) * 60;
}

function durationAlert(def: AssetDefinition, m: Materialization, took: number, budget: number) {
  const running = m.status === "running";
  return {
    kind: "duration" as const,
    asset: def.key,
    day: m.runDate,
    metric: "duration_budget",
    observed: Math.round(took),
    threshold: budget,
    message: `${def.key} for ${m.runDate} ${running ? "has been running" : "took"} ${Math.round(took / 60)} min, over its ${Math.round(budget / 60)} min budget`,
    link: `/assets/${def.key}`,
  };
}

/**
 * What a committed full run says: its alerting checks (raised when failed, resolved when
 * passed), its duration against the budget, and that the day's failure (and, for the
 * day's last asset, its deadline) is over. Scoped runs say nothing about the day.
 */
export function runConditions(
  graph: AssetGraph,
  m: Materialization,
  checks: readonly CheckResult[],
  settings: AlertSettings,
): Conditions {
  const def = graph.get(m.asset);
  const c = none();
  if (m.scopeKey !== "") return c;
  const day = m.runDate;
  const key = (kind: AlertKey["kind"], metric: string): AlertKey => ({
    kind,
    asset: def.key,
    day,
    metric,
  });
  for (const check of def.checks ?? []) {
    if (!check.alert) continue;
    const result = checks.find((r) => r.name === check.name);
    if (!result) continue;
    if (result.passed) {
      c.resolve.push(key("threshold", check.name));
      continue;
    }
    const floor = result.metadata?.floor;
    c.raise.push({
      ...key("threshold", check.name),
      observed: result.value ?? null,
      threshold: typeof floor === "number" ? floor : null,
      message: `${def.key} ${day}: ${result.message}`,
      link: `/assets/${def.key}`,
    });
  }
  const took = seconds(m);
  const budget = budgetSeconds(def, settings);
  if (took > budget) c.raise.push(durationAlert(def, m, took, budget));
  else c.resolve.push(key("duration", "duration_budget"));
  c.resolve.push(key("failure", "run_failed"));
  if (def.key === dayDoneAsset(graph)) c.resolve.push(key("deadline", "daily_deadline"));
  return c;
}

/** A run that failed for good (after retries, or in process). */
export function failureConditions(asset: string, day: string, error: string): Conditions {
  return {
    raise: [
      {
        kind: "failure",
        asset,
        day,
        metric: "run_failed",
        observed: null,
        threshold: null,
        message: `${asset} failed for ${day}: ${error.split("\n")[0]?.slice(0, 300)}`,
        link: `/assets/${asset}`,
      },
    ],
    resolve: [],
  };
}

/** "TZ=America/New_York 30 18 * * 1-5" as croner's pattern and time zone. */
function parseCron(text: string): { pattern: string; timezone?: string } {
  const match = /^TZ=(\S+)\s+(.*)$/.exec(text.trim());
  return match?.[1] && match[2] ? { pattern: match[2], timezone: match[1] } : { pattern: text };
}

/** The calendar day of an instant in a time zone, as YYYY-MM-DD. */
function dayIn(instant: Date, timezone: string | undefined): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: timezone ?? "UTC" }).format(instant);
}

export interface DailyDeadline {
  /** The root whose cron starts the day. */
  root: string;
  /** When that cron last fired (or should have), and the trading day it started. */
  firedAt: Date;
  day: string;
  deadline: Date;
}

/** The deadline of the latest day the schedule has started by `now`; null without a root cron. */
export function dailyDeadline(
  graph: AssetGraph,
  now: Date,
  settings: AlertSettings,
): DailyDeadline | null {
  const root = graph.order.map((k) => graph.get(k)).find((d) => d.cron && d.deps.length === 0);
  if (!root?.cron) return null;
  const { pattern, timezone } = parseCron(root.cron);
  const cron = new Cron(pattern, { paused: true, ...(timezone ? { timezone } : {}) });
  const [firedAt] = cron.previousRuns(1, now);
  if (!firedAt) return null;
  return {
    root: root.key,
    firedAt,
    day: latestTradingDay(dayIn(firedAt, timezone)),
    deadline: new Date(firedAt.getTime() + settings.deadlineHours * 3_600_000),
  };
}

/**
 * The watch (every 15 minutes under Inngest, after `fintra materialize` and in `fintra
 * watch`): past the day's deadline, is its last asset fresh? And which runs have been
 * running longer than their budget?
 */
export async function watchConditions(
  store: Store,
  graph: AssetGraph,
  now: Date,
  settings: AlertSettings,
  /** `day`: judge only that day's deadline, and leave running rows to the full watch. */
  only: { day?: string } = {},
): Promise<Conditions> {
  const c = none();
  const done = dayDoneAsset(graph);
  const deadline = dailyDeadline(graph, now, settings);
  const judged = deadline && (only.day === undefined || only.day === deadline.day);
  if (done && deadline && judged && now >= deadline.deadline) {
    const { day } = deadline;
    const finished = await store.ledger.latest({
      asset: done,
      status: "succeeded",
      scopeKeys: [""],
      ...(graph.get(done).partitioned ? { partition: day } : { minRunDate: day }),
    });
    const key = { kind: "deadline" as const, asset: done, day, metric: "daily_deadline" };
    if (finished) c.resolve.push(key);
    else {
      const [decision] = await store.ledger.decisions({ asset: done, runDate: day, limit: 1 });
      const hours = (now.getTime() - deadline.firedAt.getTime()) / 3_600_000;
      c.raise.push({
        ...key,
        observed: Math.round(hours * 10) / 10,
        threshold: settings.deadlineHours,
        message: `${done} is not fresh for ${day} ${hours.toFixed(1)} h after the ${deadline.root} cron (deadline ${settings.deadlineHours} h)${decision ? `: ${decision.reason}` : ": no run of it yet"}`,
        link: `fintra why ${done} --date ${day}`,
      });
    }
  }
  if (only.day !== undefined) return c;
  for (const m of await store.ledger.history({ limit: 200 })) {
    if (m.status !== "running" || !graph.assets.has(m.asset)) continue;
    const def = graph.get(m.asset);
    const took = seconds(m, now);
    const budget = budgetSeconds(def, settings);
    if (took > budget) c.raise.push(durationAlert(def, m, took, budget));
  }
  return c;
}
