/**
 * `defineAsset`: the one way to declare an asset. The definition is the
 * whole truth about a table: its key, what it depends on, whether it is
 * partitioned by trading date, its schedule, its checks and how it is built.
 * Both executors (Inngest and in-process) run it the same way.
 */
import type { CheckSeverity, Scope, Store, TableSpec, UpstreamRef } from "../db/index.ts";
import type { Logger } from "./log.ts";
import type { Resources } from "./resources.ts";

/** Progress for chunked work; shown as a bar on a terminal, ignored elsewhere. */
export interface Progress {
  /** Sets the amount of work (e.g. tickers or chunks) this run will do. */
  total(units: number): void;
  /** Marks `units` more of it done. */
  advance(units?: number): void;
}

export interface AssetContext extends Resources {
  /** The asset being materialized (its table). */
  asset: string;
  /** The trading date `YYYY-MM-DD`; null for unpartitioned assets. */
  partition: string | null;
  /** The day this run is for: the partition, or the requested day for unpartitioned assets. */
  runDate: string;
  /** null for the full partition, else the tickers or limit this run is restricted to. */
  scope: Scope | null;
  /** The ledger row of this run. */
  materializationId: string;
  /** The upstream materializations this run reads. */
  upstream: UpstreamRef[];
  /**
   * A unit of durable work: `step.run` under Inngest, a plain call in
   * process. The result must survive JSON (Inngest stores it): return counts
   * and keys, never the data (a step's output is capped at 4 MB, a run at
   * 1,000 steps).
   */
  step<T>(id: string, fn: () => Promise<T>): Promise<T>;
  log: Logger;
  progress: Progress;
}

export interface MaterializeResult {
  /** Rows written (or upserted) by the run. */
  rows: number;
  /** Small JSON facts about the run for the ledger (counts, skipped-row samples). */
  metadata?: Record<string, unknown>;
  /**
   * Work the run had to leave for another (a backlog over its per-run cap), in a line. Set
   * it only when the run made progress on that work, so the chain ends: both executors run
   * the asset again, forced, while it is set (in process at most MAX_CONTINUATIONS times).
   */
  more?: string;
}

export interface CheckContext {
  db: Store;
  asset: string;
  partition: string | null;
  runDate: string;
  scope: Scope | null;
  result: MaterializeResult;
}

export interface CheckOutcome {
  passed: boolean;
  message: string;
  value?: number | null;
  metadata?: Record<string, unknown>;
}

/** A data-quality test recorded with every run; a failing `error` check blocks downstream. */
export interface AssetCheck {
  name: string;
  severity: CheckSeverity;
  description: string;
  run(ctx: CheckContext): Promise<CheckOutcome>;
}

export interface AssetDefinition {
  /** The table this asset writes; also the Inngest function id. */
  key: string;
  description: string;
  /** Upstream assets it reads. */
  deps: readonly string[];
  /** true: one materialization per trading date; false: latest state. */
  partitioned: boolean;
  /**
   * A partitioned asset whose run for day D reads only its own day's source and
   * latest-state deps, never another day of any table: a backfill may run two of its
   * dates at once. Leave unset when a day reads earlier days (its own or a dep's).
   */
  independentPartitions?: boolean;
  /**
   * Cron schedule (Inngest syntax) for roots. An asset with deps and a cron
   * runs on its schedule instead of when its deps materialize (weekly jobs
   * that must never hold up the daily graph); its gate still requires them.
   */
  cron?: string;
  /**
   * How many days older than the run's day an unpartitioned dep's latest
   * materialization may be (default 0: from that day or later). Weekly jobs
   * scheduled before the daily graph runs read the last weekday's universe.
   */
  depLookbackDays?: number;
  /** Tables the asset writes, for readers and schema checks. */
  tables?: readonly TableSpec<never>[];
  /** External systems it reads; FMP readers share the plan's rate limit. */
  sources?: readonly "fmp"[];
  checks?: readonly AssetCheck[];
  materialize(ctx: AssetContext): Promise<MaterializeResult>;
}

const KEY_PATTERN = /^[a-z][a-z0-9_]*$/;

/** Declares an asset, checking the parts that need no other asset to check. */
export function defineAsset(definition: AssetDefinition): AssetDefinition {
  const { key, deps } = definition;
  if (!KEY_PATTERN.test(key)) {
    throw new Error(`asset key "${key}" must be a lower-case table name (letters, digits, _)`);
  }
  if (new Set(deps).size !== deps.length) throw new Error(`asset ${key} lists a dep twice`);
  if (definition.independentPartitions && !definition.partitioned) {
    throw new Error(`asset ${key}: independentPartitions needs a partitioned asset`);
  }
  const lookback = definition.depLookbackDays;
  if (lookback !== undefined && (!Number.isInteger(lookback) || lookback < 0)) {
    throw new Error(`asset ${key}: depLookbackDays must be a whole number of days >= 0`);
  }
  if (deps.includes(key)) throw new Error(`asset ${key} depends on itself`);
  const names = new Set<string>();
  for (const check of definition.checks ?? []) {
    if (names.has(check.name)) throw new Error(`asset ${key} has two checks named ${check.name}`);
    names.add(check.name);
  }
  return definition;
}
