/**
 * The operations guide's daily figures and their "alert if" thresholds, as checks on
 * the assets that own them. Each figure is read from what the owning run records (its
 * rows and metadata), so a check costs no count over a 45,000-row partition and the
 * /checks page can show 30 days of them from the ledger alone.
 *
 * The guide states its figures for the full market (~45,000 companies). Company counts
 * scale with the day's active equities, as the day's fintra_universe run recorded them
 * (`activeEquities`): a 500-ticker market is judged at the same proportions as 45,000.
 * Shares do not scale. The benchmark counts are judged against the groups the day could
 * benchmark (sectors or industries with 3+ constituents with financials), at the guide's
 * proportion (10 of ~20, 100 of ~150): a small market has fewer industries, not worse
 * benchmarks. Active tickers are judged against the previous universe run's count (the
 * guide's 40,000 of ~45,000): nothing else says how many there should be.
 *
 * Floors can be set in FINTRA_ALERT_THRESHOLDS, a JSON object from a figure's key to
 * its alert floor stated at 45,000 tickers (a share for shares), e.g.
 * `{"snapshots": 42000, "fgos_computed_share": 0.75}`.
 */
import { z } from "zod";
import type { Materialization, Store } from "../db/index.ts";
import type { AssetCheck, CheckContext } from "../runtime/define.ts";

/** The universe the guide's figures are stated for. */
const GUIDE_UNIVERSE = 45_000;

/** What a run recorded: its rows and metadata (a ledger row, or a result being checked). */
export interface RunFigures {
  rows: number | null;
  metadata?: Record<string, unknown> | undefined;
}

/** What a figure is judged against besides its own run. */
export interface Baseline {
  /** The day's active equities over 45,000; null when no universe run recorded them. */
  scale: number | null;
  /** The asset's previous full run (for figures judged against their own past). */
  previous: RunFigures | null;
}

export interface GuideMetric {
  key: string;
  label: string;
  /** The asset whose runs record it, and carry its check (`guide_<key>`). */
  asset: string;
  /** The guide's words: expected figure and alert rule at 45,000 tickers. */
  expected: string;
  alertIf: string;
  unit: "count" | "share";
  /** The guide's alert floor at 45,000 tickers (a share for shares). */
  guideFloor: number;
  /** The figure a full run recorded; null when the run did not record it. */
  observe(run: RunFigures): number | null;
  /** The floor for a run, from the configured floor at 45,000; null: nothing to judge by. */
  floor(run: RunFigures, base: Baseline, floorAt45k: number): number | null;
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const meta = (run: RunFigures, key: string) => num(run.metadata?.[key]);

/** The most companies any window of a group performance run covered. */
function companiesCovered(run: RunFigures): number | null {
  const byWindow = run.metadata?.membersByWindow;
  if (!byWindow || typeof byWindow !== "object") return null;
  const known = Object.values(byWindow as Record<string, unknown>)
    .map(num)
    .filter((n): n is number => n !== null);
  return known.length ? Math.max(...known) : null;
}

const share = (part: number | null, whole: number | null) =>
  part === null || whole === null || whole === 0 ? null : part / whole;

/** A company count's floor: the guide's, at the day's proportion of 45,000. */
const scaled = (_run: RunFigures, base: Baseline, floor: number) =>
  base.scale === null ? null : floor * base.scale;

/** A share's floor: the same at any market size. */
const asConfigured = (_run: RunFigures, _base: Baseline, floor: number) => floor;

/** A group count's floor: the guide's proportion of the groups the run could benchmark. */
const ofGroups =
  (groupsKey: string, guideExpected: number) => (run: RunFigures, _b: Baseline, floor: number) => {
    const groups = meta(run, groupsKey);
    return groups === null ? null : groups * (floor / guideExpected);
  };

export const GUIDE_METRICS: readonly GuideMetric[] = [
  {
    key: "active_tickers",
    label: "active tickers",
    asset: "fintra_universe",
    expected: "~45,000",
    alertIf: "< 40,000",
    unit: "count",
    guideFloor: 40_000,
    observe: (run) => meta(run, "active"),
    floor: (_run, base, floor) => {
      const before = base.previous ? meta(base.previous, "active") : null;
      return before === null ? null : before * (floor / GUIDE_UNIVERSE);
    },
  },
  {
    key: "snapshots",
    label: "snapshots of the day",
    asset: "fintra_snapshots",
    expected: "~45,000",
    alertIf: "< 40,000",
    unit: "count",
    guideFloor: 40_000,
    observe: (run) => run.rows,
    floor: scaled,
  },
  {
    key: "fgos_computed_share",
    label: "snapshots with FGOS computed",
    asset: "fintra_snapshots",
    expected: "> 80 %",
    alertIf: "< 70 %",
    unit: "share",
    guideFloor: 0.7,
    observe: (run) => share(meta(run, "fgosComputed"), run.rows),
    floor: asConfigured,
  },
  {
    key: "relative_return_share",
    label: "snapshots with relative_return",
    asset: "fintra_snapshots",
    expected: "> 90 %",
    alertIf: "< 80 %",
    unit: "share",
    guideFloor: 0.8,
    observe: (run) => share(meta(run, "withRelativeReturn"), run.rows),
    floor: asConfigured,
  },
  {
    key: "performance_windows",
    label: "performance windows (datos_performance rows)",
    asset: "datos_performance",
    expected: "~270,000",
    alertIf: "< 200,000",
    unit: "count",
    guideFloor: 200_000,
    observe: (run) => run.rows,
    floor: scaled,
  },
  {
    key: "sector_performance_companies",
    label: "companies in sector performance",
    asset: "sector_performance",
    expected: "~45,000",
    alertIf: "< 40,000",
    unit: "count",
    guideFloor: 40_000,
    observe: companiesCovered,
    floor: scaled,
  },
  {
    key: "industry_performance_companies",
    label: "companies in industry performance",
    asset: "industry_performance",
    expected: "~45,000",
    alertIf: "< 40,000",
    unit: "count",
    guideFloor: 40_000,
    observe: companiesCovered,
    floor: scaled,
  },
  {
    key: "sector_benchmarks",
    label: "sectors benchmarked",
    asset: "sector_benchmarks",
    expected: "~20",
    alertIf: "< 10",
    unit: "count",
    guideFloor: 10,
    observe: (run) => meta(run, "sectors"),
    floor: ofGroups("sectorsWithFinancials", 20),
  },
  {
    key: "industry_benchmarks",
    label: "industries benchmarked",
    asset: "industry_benchmarks",
    expected: "~150",
    alertIf: "< 100",
    unit: "count",
    guideFloor: 100,
    observe: (run) => meta(run, "industries"),
    floor: ofGroups("industriesWithFinancials", 150),
  },
];

const thresholdsSchema = z.partialRecord(
  z.enum(GUIDE_METRICS.map((m) => m.key) as [string, ...string[]]),
  z.number().nonnegative(),
);

/** The configured floors at 45,000 tickers (FINTRA_ALERT_THRESHOLDS), else the guide's. */
export function guideFloors(
  env: Record<string, string | undefined> = process.env,
): Record<string, number> {
  const floors = Object.fromEntries(GUIDE_METRICS.map((m) => [m.key, m.guideFloor]));
  const text = env.FINTRA_ALERT_THRESHOLDS?.trim();
  if (!text) return floors;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error("FINTRA_ALERT_THRESHOLDS must be a JSON object of figure keys to floors");
  }
  const checked = thresholdsSchema.safeParse(parsed);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new Error(
      `FINTRA_ALERT_THRESHOLDS: ${issue?.path.join(".") || "value"}: ${issue?.message ?? "invalid"}`,
    );
  }
  for (const [key, floor] of Object.entries(checked.data)) {
    if (floor !== undefined) floors[key] = floor;
  }
  return floors;
}

export interface MetricReading {
  metric: GuideMetric;
  value: number | null;
  floor: number | null;
  /** null when the run is missing or did not record the figure. */
  passed: boolean | null;
}

/** Reads one metric from a run of its asset (null: the asset has no full run that day). */
export function readMetric(
  metric: GuideMetric,
  run: RunFigures | null,
  base: Baseline,
  floors: Record<string, number> = guideFloors(),
): MetricReading {
  if (!run) return { metric, value: null, floor: null, passed: null };
  const value = metric.observe(run);
  const floor = metric.floor(run, base, floors[metric.key] ?? metric.guideFloor);
  const passed = value === null || floor === null ? null : value >= floor;
  return { metric, value, floor, passed };
}

/** The day's active equities over 45,000, from a universe run's metadata. */
export function scaleOf(universeRun: RunFigures | null): number | null {
  const equities = universeRun ? meta(universeRun, "activeEquities") : null;
  return equities === null ? null : equities / GUIDE_UNIVERSE;
}

/** The latest full universe run on or before `day`, or before the running one itself. */
async function universeRun(db: Store, day: string, self: boolean): Promise<Materialization | null> {
  const runs = await db.ledger.history({ asset: "fintra_universe", limit: 50 });
  return (
    runs.find(
      (m) =>
        m.status === "succeeded" &&
        m.scopeKey === "" &&
        (self ? m.runDate < day : m.runDate <= day),
    ) ?? null
  );
}

const show = (metric: GuideMetric, v: number | null) =>
  v === null
    ? "n/a"
    : metric.unit === "share"
      ? `${(v * 100).toFixed(1)} %`
      : // A floor of 1.33 is not "1": counts keep one decimal where they have one.
        v.toLocaleString("en-US", { maximumFractionDigits: 1 });

// One run's checks share its result object: its guide checks read the universe run once.
const references = new WeakMap<object, Promise<Materialization | null>>();
function referenceFor(ctx: CheckContext, own: boolean): Promise<Materialization | null> {
  let found = references.get(ctx.result);
  if (!found) {
    found = universeRun(ctx.db, ctx.runDate, own);
    references.set(ctx.result, found);
  }
  return found;
}

/** The guide's figures an asset owns, as warn checks that raise an alert when they fail. */
export function guideChecks(asset: string): AssetCheck[] {
  return GUIDE_METRICS.filter((m) => m.asset === asset).map((metric) => ({
    name: `guide_${metric.key}`,
    severity: "warn",
    alert: true,
    description: `the guide's ${metric.label}: expected ${metric.expected} at 45,000 tickers, alert if ${metric.alertIf} (scaled to the day's active equities)`,
    async run(ctx: CheckContext) {
      if (ctx.scope)
        return { passed: true, message: "scoped run: the guide's figures are for the full day" };
      const own = asset === "fintra_universe";
      const reference = await referenceFor(ctx, own);
      const figures: RunFigures = { rows: ctx.result.rows, metadata: ctx.result.metadata };
      const base: Baseline = { scale: scaleOf(own ? figures : reference), previous: reference };
      const r = readMetric(metric, figures, base);
      const floorText = show(metric, r.floor);
      return {
        passed: r.passed !== false,
        value: r.value,
        metadata: { floor: r.floor, expected: metric.expected, alertIf: metric.alertIf },
        message:
          r.passed === null
            ? `${metric.label}: ${show(metric, r.value)} (nothing to judge it by yet)`
            : `${metric.label}: ${show(metric, r.value)}, alert below ${floorText}`,
      };
    },
  }));
}
