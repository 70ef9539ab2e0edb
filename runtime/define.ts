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

/**
 * What a run gets. `Partition` is `string` for a partitioned asset's run (the trading
 * date) and `null` for a latest-state asset's; code that serves both sees `string | null`.
 */
export interface AssetContext<Partition extends string | null = string | null> extends Resources {
  /** The asset being materialized (its table). */
  asset: string;
  /** The trading date `YYYY-MM-DD`; null for unpartitioned assets. */
  partition: Partition;
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

export interface CheckContext<Partition extends string | null = string | null> {
  db: Store;
  asset: string;
  partition: Partition;
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
export interface AssetCheck<Partition extends string | null = string | null> {
  name: string;
  severity: CheckSeverity;
  description: string;
  /**
   * A failure pages someone (runtime/alerts.ts): one alert per asset, day and check,
   * resolved when a later run of that day passes. The guide's daily figures set it.
   */
  alert?: boolean;
  run(ctx: CheckContext<Partition>): Promise<CheckOutcome>;
}

interface AssetDefinitionBase {
  /** The table this asset writes; also the Inngest function id. */
  key: string;
  description: string;
  /** Upstream assets it reads. */
  deps: readonly string[];
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
  /**
   * How long a run may take before it is an alert, even if it succeeds (default
   * FINTRA_DURATION_BUDGET_MINUTES, 60): a run stuck or slowed down is noticed.
   */
  durationBudgetMinutes?: number;
}

/** One materialization per trading date: its runs and checks see `partition: string`. */
interface PartitionedAssetDefinition extends AssetDefinitionBase {
  partitioned: true;
  /**
   * A run for day D reads only its own day's source and latest-state deps, never another
   * day of any table: a backfill may run two of its dates at once. Leave unset when a day
   * reads earlier days (its own or a dep's).
   */
  independentPartitions?: boolean;
  checks?: readonly AssetCheck<string>[];
  materialize(ctx: AssetContext<string>): Promise<MaterializeResult>;
}

/** Latest state: its runs and checks see `partition: null`. */
interface LatestStateAssetDefinition extends AssetDefinitionBase {
  partitioned: false;
  independentPartitions?: never;
  checks?: readonly AssetCheck<null>[];
  materialize(ctx: AssetContext<null>): Promise<MaterializeResult>;
}

export type AssetDefinition = PartitionedAssetDefinition | LatestStateAssetDefinition;

/**
 * Runs an asset's build with a context whose partition matches the asset (the executors
 * set it from `partitioned`, which TypeScript cannot follow through a union call).
 */
export function runMaterialize(
  def: AssetDefinition,
  ctx: AssetContext,
): Promise<MaterializeResult> {
  if (def.partitioned !== (ctx.partition !== null)) {
    throw new Error(
      `asset ${def.key}: ${def.partitioned ? "a partitioned asset needs a partition" : "a latest-state asset takes no partition"}`,
    );
  }
  return (def.materialize as (ctx: AssetContext) => Promise<MaterializeResult>)(ctx);
}

/** Runs one of an asset's checks (see `runMaterialize`). */
export function runCheck(check: AssetCheck<never>, ctx: CheckContext): Promise<CheckOutcome> {
  return (check.run as (ctx: CheckContext) => Promise<CheckOutcome>)(ctx);
}

const KEY_PATTERN = /^[a-z][a-z0-9_]*$/;

/** Declares an asset, checking the parts that need no other asset to check. */
export function defineAsset(definition: AssetDefinition): AssetDefinition {
  const { key, deps } = definition;
  if (!KEY_PATTERN.test(key)) {
    throw new Error(`asset key "${key}" must be a lower-case table name (letters, digits, _)`);
  }
  if (new Set(deps).size !== deps.length) throw new Error(`asset ${key} lists a dep twice`);
  if (
    (definition as { independentPartitions?: boolean }).independentPartitions &&
    !definition.partitioned
  ) {
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
