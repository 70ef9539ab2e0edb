/**
 * Backfill: materialize a selection over a range of trading dates, oldest
 * first, in process. Latest-state (unpartitioned) assets of the selection
 * run once, for the latest trading day, before any date. Each date then runs
 * the partitioned assets that have no successful materialization for it yet
 * (all of them with --force), through the same gate as a daily run. "Done"
 * means materialized, not "read the newest universe": a daily refresh of a
 * latest-state dep does not make history stale.
 *
 * Only the exchange calendar's trading days are run: the holidays of the
 * range are listed in the summary, never run and never failed. A trading day
 * whose file is not published yet is "waiting" (exit 3) and the backfill
 * goes on; a rerun picks it up.
 *
 * On Postgres, a selection whose partitioned assets all have independent
 * partitions (a day's run reads no other day of any table: the price
 * history) runs two dates at once, so one date's download and parse in this
 * process overlap the previous date's write in the database. Any other
 * selection, and PGlite (one thread, one connection), runs one date at a time.
 */

import pLimit from "p-limit";
import type { Closure } from "../engines/calendar.ts";
import type { AssetDefinition } from "./define.ts";
import type { AssetGraph } from "./graph.ts";
import { type MaterializeOptions, type MaterializeSummary, materialize } from "./materialize.ts";
import {
  isNotPublished,
  latestTradingDay,
  PartitionError,
  parseDate,
  type TradingRange,
  tradingDaysBetween,
  utcDate,
} from "./partitions.ts";
import type { Resources } from "./resources.ts";

type DayStatus = "done" | "fresh" | "holiday" | "failed" | "waiting";

export interface DayOutcome {
  partition: string;
  status: DayStatus;
  rows: number;
  seconds: number;
  /** Why, when the day did not simply complete. */
  note: string;
}

export interface BackfillProgress {
  start(days: number): void;
  day(outcome: DayOutcome): void;
  stop(): void;
}

interface BackfillOptions extends Pick<MaterializeOptions, "force" | "concurrency" | "log"> {
  from: string;
  to: string;
  progress?: BackfillProgress;
  /**
   * Dates run at once (default: 2 where `overlappingDates` allows it, else 1). More than 1
   * is refused for a selection whose dates depend on each other.
   */
  dateConcurrency?: number;
}

/**
 * Dates a backfill of these partitioned assets may run at once: 2 on Postgres when every
 * one of them declares `independentPartitions` (one date's download and parse in this
 * process overlap the previous date's write in the server), else 1 (PGlite runs queries and
 * JavaScript on one thread; Supabase is not the fast path).
 */
export function overlappingDates(
  partitioned: readonly AssetDefinition[],
  dialect: "pglite" | "postgres" | "supabase",
): number {
  const independent = partitioned.every((asset) => asset.independentPartitions === true);
  return independent && dialect === "postgres" ? 2 : 1;
}

interface BackfillSummary {
  latestState: MaterializeSummary | null;
  days: DayOutcome[];
  /** Weekdays of the range the exchange was closed (not run), with their names. */
  holidays: Closure[];
  /** 0 every date done, fresh or a holiday; 1 a date failed; 3 a date waits on missing deps. */
  exitCode: 0 | 1 | 3;
}

function dayOutcome(partition: string, summary: MaterializeSummary, seconds: number): DayOutcome {
  const rows = summary.outcomes.reduce((n, o) => n + (o.rows ?? 0), 0);
  const failed = summary.outcomes.filter((o) => o.status === "failed");
  if (failed.some((o) => o.errorName === "NoTradingError")) {
    return { partition, status: "holiday", rows, seconds, note: failed[0]?.reason ?? "" };
  }
  // A late file is a wait: the date is reported as waiting and a rerun picks it up.
  if (failed.length > 0 && failed.every((o) => isNotPublished({ name: o.errorName }))) {
    const note = failed.map((o) => `${o.asset}: ${o.reason}`).join("; ");
    return { partition, status: "waiting", rows, seconds, note };
  }
  if (failed.length > 0) {
    return {
      partition,
      status: "failed",
      rows,
      seconds,
      note: failed.map((o) => `${o.asset}: ${o.reason}`).join("; "),
    };
  }
  const waiting = summary.outcomes.filter((o) => o.status === "waiting");
  if (waiting.length > 0) {
    return {
      partition,
      status: "waiting",
      rows,
      seconds,
      note: waiting.map((o) => `${o.asset}: ${o.reason}`).join("; "),
    };
  }
  const ran = summary.outcomes.some((o) => o.status === "succeeded");
  return { partition, status: ran ? "done" : "fresh", rows, seconds, note: "" };
}

/**
 * The trading days of [from, to] and the holidays they pass; refuses a range that reaches
 * into the future or before the calendar, or holds no trading day.
 */
export function backfillRange(from: string, to: string, now: Date): TradingRange {
  parseDate(to);
  const today = utcDate(now);
  if (to > today) throw new PartitionError(`--to ${to} is in the future (today is ${today} UTC)`);
  const range = tradingDaysBetween(from, to);
  if (range.days.length === 0) {
    const closed = range.holidays.map((h) => `${h.date} ${h.name}`).join(", ");
    throw new PartitionError(
      `no trading dates between ${from} and ${to}${closed ? ` (closed: ${closed})` : ""}`,
    );
  }
  return range;
}

/** The trading days of [from, to] (see backfillRange). */
export function backfillDates(from: string, to: string, now: Date): string[] {
  return backfillRange(from, to, now).days;
}

export async function backfill(
  graph: AssetGraph,
  selection: string,
  resources: Resources,
  options: BackfillOptions,
): Promise<BackfillSummary> {
  const keys = graph.select(selection);
  const { days, holidays } = backfillRange(options.from, options.to, resources.now());
  const latestState = keys.filter((k) => !graph.get(k).partitioned);
  const partitioned = keys.filter((k) => graph.get(k).partitioned);
  // A backfill fills past days on purpose: it does not judge the day's deadline.
  const shared = {
    concurrency: options.concurrency,
    log: options.log,
    trigger: "backfill",
    watch: false,
  };
  // Checked before anything runs: a refused option writes nothing.
  const dateConcurrency =
    options.dateConcurrency ??
    overlappingDates(
      partitioned.map((key) => graph.get(key)),
      resources.db.dialect,
    );
  if (!Number.isInteger(dateConcurrency) || dateConcurrency < 1) {
    throw new PartitionError(`dateConcurrency must be a whole number >= 1, got ${dateConcurrency}`);
  }
  if (dateConcurrency > 1 && !partitioned.every((key) => graph.get(key).independentPartitions)) {
    throw new PartitionError(
      `dates of ${partitioned.join(", ")} depend on each other: they run one at a time`,
    );
  }

  const latestSummary = latestState.length
    ? await materialize(graph, latestState.join(","), resources, {
        ...shared,
        partition: latestTradingDay(utcDate(resources.now())),
      })
    : null;
  if (latestSummary && latestSummary.exitCode === 1) {
    return { latestState: latestSummary, days: [], holidays, exitCode: 1 };
  }

  const done = new Map<string, Set<string>>();
  for (const key of options.force ? [] : partitioned) {
    done.set(
      key,
      await resources.db.ledger.succeededPartitions(key, days[0] as string, days.at(-1) as string),
    );
  }
  const runDate = async (partition: string): Promise<DayOutcome> => {
    const started = performance.now();
    const todo = partitioned.filter((key) => !done.get(key)?.has(partition));
    if (todo.length === 0) {
      return { partition, status: "fresh", rows: 0, seconds: 0, note: "already materialized" };
    }
    const summary = await materialize(graph, todo.join(","), resources, {
      ...shared,
      partition,
      force: options.force ?? false,
    });
    return dayOutcome(partition, summary, (performance.now() - started) / 1000);
  };
  const limit = pLimit(dateConcurrency);
  const outcomes: DayOutcome[] = [];
  options.progress?.start(days.length);
  try {
    // Started in date order, at most `dateConcurrency` in flight, reported as each ends. An
    // error (not a failed date: those are outcomes) stops new dates and is rethrown.
    let error: { reason: unknown } | null = null;
    const results = await Promise.all(
      (partitioned.length ? days : []).map((partition) =>
        limit(async () => {
          if (error) return null;
          try {
            const outcome = await runDate(partition);
            options.progress?.day(outcome);
            return outcome;
          } catch (reason) {
            error ??= { reason };
            return null;
          }
        }),
      ),
    );
    if (error) throw (error as { reason: unknown }).reason;
    for (const outcome of results) if (outcome) outcomes.push(outcome);
  } finally {
    options.progress?.stop();
  }
  // Many dates written at once: fresh statistics before the day's graph plans its reads.
  if (outcomes.some((o) => o.rows > 0)) {
    for (const key of partitioned) {
      for (const table of graph.get(key).tables ?? []) await resources.db.analyze(table);
    }
  }
  const failed = outcomes.some((o) => o.status === "failed");
  const waiting = outcomes.some((o) => o.status === "waiting");
  return {
    latestState: latestSummary,
    days: outcomes,
    holidays,
    exitCode: failed ? 1 : waiting ? 3 : 0,
  };
}
