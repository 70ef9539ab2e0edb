/**
 * What operators ask of the ledger: for each asset, its latest run, whether
 * it is fresh for the day its schedule says it should have, and if not, why
 * (failed, waiting on deps, stale because a dep moved on, or never run). A
 * run that found its source file not published yet is "waiting", and so are
 * the assets downstream of it, saying which file they wait for.
 * Read by `GET /api/assets` and `fintra status`; `whyNot` backs
 * `GET /api/assets/:key/why` and `fintra why`.
 */
import { differenceInCalendarDays } from "date-fns";
import type {
  CheckResult,
  GateDecision,
  Materialization,
  MaterializationQuery,
  Store,
} from "../db/index.ts";
import { abandonedReason } from "../db/ledger.ts";
import type { AssetDefinition } from "./define.ts";
import { ledgerTarget } from "./gate.ts";
import type { AssetGraph } from "./graph.ts";
import { isNotPublishedMessage, latestTradingDay, parseDate, utcDate } from "./partitions.ts";

type AssetState = "fresh" | "stale" | "failed" | "waiting" | "running" | "missing";

interface RunSummary {
  id: string;
  partition: string | null;
  runDate: string;
  status: Materialization["status"];
  rows: number | null;
  seconds: number | null;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
  scopeKey: string;
}

export interface AssetStatus {
  key: string;
  partitioned: boolean;
  deps: readonly string[];
  schedule: string | null;
  /** The day the asset should be materialized for by now. */
  expected: string;
  state: AssetState;
  /** Why it is not fresh, in a person's words. */
  reason: string;
  latest: RunSummary | null;
  lastSuccess: RunSummary | null;
  checks: CheckResult[];
}

/** Weekly jobs (a cron naming one weekday) are fresh for a week; the rest for the day. */
function toleranceDays(def: AssetDefinition): number {
  const fields = def.cron
    ?.replace(/^TZ=\S+\s+/, "")
    .trim()
    .split(/\s+/);
  const weekday = fields?.[4];
  return weekday && /^\d$/.test(weekday) ? 7 : 0;
}

function summary(m: Materialization | null): RunSummary | null {
  if (!m) return null;
  const seconds = m.finishedAt ? (Date.parse(m.finishedAt) - Date.parse(m.startedAt)) / 1000 : null;
  return {
    id: m.id,
    partition: m.partition,
    runDate: m.runDate,
    status: m.status,
    rows: m.rows,
    seconds,
    startedAt: m.startedAt,
    finishedAt: m.finishedAt,
    error: m.error,
    scopeKey: m.scopeKey,
  };
}

/** Ledger lookups shared by one pass over the graph: a dep's latest run is asked for once. */
type Latest = (query: MaterializationQuery) => Promise<Materialization | null>;

function memoizedLatest(store: Store): Latest {
  const seen = new Map<string, Promise<Materialization | null>>();
  return (query) => {
    const key = JSON.stringify(query);
    let found = seen.get(key);
    if (!found) {
      found = store.ledger.latest(query);
      seen.set(key, found);
    }
    return found;
  };
}

async function assetStatus(
  store: Store,
  graph: AssetGraph,
  def: AssetDefinition,
  now: Date,
  latest: Latest,
): Promise<AssetStatus> {
  const today = latestTradingDay(utcDate(now));
  const tolerance = toleranceDays(def);
  const full = { asset: def.key, scopeKeys: [""] };
  const anySuccess = { ...full, status: "succeeded" as const };
  const [recent, ownSuccess] = await Promise.all([
    store.ledger.history({ asset: def.key, limit: 20 }),
    latest(def.partitioned ? { ...anySuccess, partition: today } : anySuccess),
  ]);
  // A partitioned asset is judged by the partitions due now: a backfill of older dates that
  // ran (or failed) after today's run says nothing about today.
  const due = (m: Materialization) =>
    !def.partitioned ||
    (m.partition !== null &&
      differenceInCalendarDays(parseDate(today), parseDate(m.partition)) <= tolerance);
  const fullRuns = recent.filter((m) => m.scopeKey === "");
  const latestAny = fullRuns.find(due);
  // Without one for the day: a due one (weekly jobs), else the newest, to say how old it is.
  const lastSuccess =
    ownSuccess ??
    (def.partitioned
      ? (fullRuns.find((m) => due(m) && m.status === "succeeded") ?? (await latest(anySuccess)))
      : null);
  const base = {
    key: def.key,
    partitioned: def.partitioned,
    deps: def.deps,
    schedule: def.cron ?? null,
    expected: today,
    latest: summary(latestAny ?? fullRuns[0] ?? null),
    lastSuccess: summary(lastSuccess),
    checks: lastSuccess ? await store.ledger.checks(lastSuccess.id) : [],
  };
  const state = (s: AssetState, reason: string): AssetStatus => ({ ...base, state: s, reason });

  if (latestAny?.status === "running") {
    // A row whose process is gone is not running: the next run supersedes it.
    const gone = abandonedReason(latestAny);
    if (gone) return state("failed", gone);
    return state("running", `running since ${latestAny.startedAt}`);
  }
  if (latestAny?.status === "failed") {
    // A late source file is a wait, not a fault: the next try (or run) picks it up.
    if (isNotPublishedMessage(latestAny.error)) return state("waiting", latestAny.error ?? "");
    return state("failed", latestAny.error ?? "failed");
  }
  if (!lastSuccess) return state("missing", "never materialized");
  const age = differenceInCalendarDays(parseDate(today), parseDate(lastSuccess.runDate));
  if (age > tolerance) {
    const [decision] = await store.ledger.decisions({ asset: def.key, runDate: today, limit: 1 });
    if (decision?.decision === "wait") return state("waiting", decision.reason);
    return state("stale", `last materialized for ${lastSuccess.runDate}, expected ${today}`);
  }
  if (lastSuccess.checksPassed === false) return state("failed", "an error-severity check failed");
  // A dep that materialized again after this asset read it leaves this asset stale.
  const read = new Map(lastSuccess.upstream.map((u) => [u.asset, u.id]));
  const newest = await Promise.all(
    def.deps.map((dep) =>
      latest({
        asset: dep,
        status: "succeeded",
        scopeKeys: [""],
        ...ledgerTarget(graph.get(dep), lastSuccess.runDate, def.depLookbackDays ?? 0),
      }),
    ),
  );
  const moved = def.deps.filter((dep, i) => {
    const run = newest[i];
    return run && read.get(dep) !== run.id;
  });
  if (moved.length > 0) return state("stale", `upstream rematerialized since: ${moved.join(", ")}`);
  return state("fresh", "");
}

/** A dep waiting for a late source file holds this asset back: say so rather than "stale". */
function waitingOnPublication(
  status: AssetStatus,
  known: ReadonlyMap<string, AssetStatus>,
): AssetStatus {
  if (status.state === "fresh" || status.state === "running") return status;
  for (const dep of status.deps) {
    const upstream = known.get(dep);
    if (upstream?.state !== "waiting" || !isNotPublishedMessage(upstream.reason)) continue;
    // Further down, the reason already names the asset that waits for the file.
    const why = upstream.reason.startsWith("waiting for ")
      ? upstream.reason
      : `waiting for ${dep}: ${upstream.reason}`;
    return { ...status, state: "waiting", reason: why };
  }
  return status;
}

/** The status of every asset, upstream first. */
export async function assetStatuses(
  store: Store,
  graph: AssetGraph,
  now: Date,
): Promise<AssetStatus[]> {
  // Every asset's own status at once (each reads only the ledger), then waits passed down.
  const latest = memoizedLatest(store);
  const own = await Promise.all(
    graph.order.map((key) => assetStatus(store, graph, graph.get(key), now, latest)),
  );
  const known = new Map<string, AssetStatus>();
  graph.order.forEach((key, i) => {
    known.set(key, waitingOnPublication(own[i] as AssetStatus, known));
  });
  return graph.order.map((key) => known.get(key) as AssetStatus);
}

/** The gate's recent decisions about an asset, optionally for one day, newest first. */
export function whyNot(
  store: Store,
  asset: string,
  runDate?: string,
  limit = 20,
): Promise<GateDecision[]> {
  return store.ledger.decisions({ asset, ...(runDate ? { runDate } : {}), limit });
}
