/**
 * financial_scores: Altman Z and Piotroski F of each company on trading date D, computed in
 * house from our statements and closes, with the figures behind them; FGOS's quality brakes
 * read them through fintra_snapshots. FMP's scores bulk describes only today, so a copy of it
 * could not rebuild a past day.
 *
 * - Point in time: D reads only statements filed and closes dated on or before D, never the
 *   clock, so a backfill of D rebuilds what the daily run of D wrote. A prior year re-filed
 *   after D is invisible to D (datos_financieros keeps a period's latest filing): the tests
 *   needing it are unknown.
 * - Inputs (`scoreInputs`): t is the row FGOS scores (`pickFgosFinancialRow`), at most
 *   FINANCIALS_STALE_DAYS old; t−1 and t−2 are the rows of its type one and two fiscal years
 *   earlier, matched by label, never by date, as datos_financieros builds its TTMs. The close
 *   is the snapshot's price on D (`closeOnDay`).
 * - Altman Z: the 1968 weights for public manufacturers apply to every company, as FMP did; no
 *   zones are stored (FGOS applies its own thresholds).
 * - Piotroski F (2000): null unless all nine tests are known (a partial sum would read as a weak
 *   company). Net income stands for income before extraordinary items (the only one we keep);
 *   "no common equity issued" reads as a basic share count that did not grow (we keep no
 *   issuance figure); "improved" and "fell" are strict, as Piotroski states them; a ratio over
 *   a zero or negative base leaves its test unknown.
 * - A full run publishes D in one transaction and deletes the rows of D it did not build, so
 *   no FMP-era row survives a rerun; a scoped run deletes nothing.
 */
import { defineTable, type Store } from "../db/index.ts";
import { daysBefore } from "../engines/dates.ts";
import { pickFgosFinancialRow } from "../engines/fgos.ts";
import { isNum } from "../engines/math.ts";
import { atLeast } from "../runtime/checks.ts";
import {
  ALL_TICKERS,
  perStep,
  type TickerRange,
  tickerCondition,
  tickerRanges,
} from "../runtime/chunks.ts";
import { type AssetCheck, type AssetContext, defineAsset } from "../runtime/define.ts";
import { publishStaged, type StagingContext, stageRows } from "../runtime/staged.ts";
import { datosEodTable } from "./datos_eod.ts";
import { universeTickers } from "./fintra_universe.ts";
// The snapshot's "price on D" rule, shared so both price a company's equity alike.
import { FINANCIALS_STALE_DAYS, PRICE_STALE_DAYS } from "./staleness.ts";
import { type FinancialsRow, financialsTable } from "./statements/datos_financieros.ts";
import { laterDate } from "./statements/statements.ts";

/**
 * Tickers per step at the full market's scale (45,000 tickers: 23 steps); a run uses
 * `perStep(ctx, SCORES_CHUNK)`, which `Resources.stepScale` shrinks.
 */
const SCORES_CHUNK = 2_000;

const SCORES_SOURCE = "fintra_statements";

/** Each Piotroski test: 1 passed, 0 failed, null unknown (an input missing). */
interface PiotroskiTests {
  roa_positive: 0 | 1 | null;
  cfo_positive: 0 | 1 | null;
  roa_improved: 0 | 1 | null;
  accruals: 0 | 1 | null;
  leverage_fell: 0 | 1 | null;
  current_ratio_improved: 0 | 1 | null;
  no_new_shares: 0 | 1 | null;
  gross_margin_improved: 0 | 1 | null;
  asset_turnover_improved: 0 | 1 | null;
}

export interface FinancialScoresRow {
  ticker: string;
  score_date: string;
  altman_z: number | null;
  piotroski_score: number | null;
  working_capital: number | null;
  total_assets: number | null;
  total_liabilities: number | null;
  retained_earnings: number | null;
  ebit: number | null;
  market_cap: number | null;
  revenue: number | null;
  source: string;
  inputs_period_type: string | null;
  inputs_period_label: string | null;
  inputs_period_end: string | null;
  prior_period_label: string | null;
  filing_date: string | null;
  price_date: string | null;
  piotroski_tests: PiotroskiTests | null;
}

export const financialScoresTable = defineTable<FinancialScoresRow>({
  name: "financial_scores",
  key: ["ticker", "score_date"],
  columns: {
    ticker: "text",
    score_date: "date",
    altman_z: "numeric",
    piotroski_score: "integer",
    working_capital: "numeric",
    total_assets: "numeric",
    total_liabilities: "numeric",
    retained_earnings: "numeric",
    ebit: "numeric",
    market_cap: "numeric",
    revenue: "numeric",
    source: "text",
    inputs_period_type: "text",
    inputs_period_label: "text",
    inputs_period_end: "date",
    prior_period_label: "text",
    filing_date: "date",
    price_date: "date",
    piotroski_tests: "jsonb",
  },
});

// ---------------------------------------------------------------------------------------
// The scores (pure)

/** The datos_financieros columns the scores read. */
const SCORE_COLUMNS = [
  "ticker",
  "period_type",
  "period_label",
  "period_end_date",
  "fiscal_year",
  "fiscal_period",
  "filing_date",
  "revenue",
  "gross_profit",
  "ebit",
  "net_income",
  "operating_cash_flow",
  "total_assets",
  "total_liabilities",
  "retained_earnings",
  "long_term_debt",
  "total_current_assets",
  "total_current_liabilities",
  "weighted_shares_out",
  "shares_outstanding",
] as const satisfies readonly (keyof FinancialsRow)[];

export type ScoreFinancials = Pick<FinancialsRow, (typeof SCORE_COLUMNS)[number]>;

/** The rows a ticker's scores on D are computed from. */
interface ScoreInputs {
  current: ScoreFinancials;
  prior: ScoreFinancials | null;
  /** Two fiscal years before `current`: only its total assets are read. */
  priorPrior: ScoreFinancials | null;
}

const rowKey = (type: string, fiscalYear: number, period: string) =>
  `${type}:${fiscalYear}:${period}`;

/**
 * t, t−1 and t−2 of one ticker on `day` among its TTM and FY rows, or null when it has no
 * row filed and ended by D within FINANCIALS_STALE_DAYS.
 */
export function scoreInputs(rows: readonly ScoreFinancials[], day: string): ScoreInputs | null {
  const known = rows.filter(
    (r) =>
      (r.period_type === "TTM" || r.period_type === "FY") &&
      r.filing_date <= day &&
      r.period_end_date <= day,
  );
  const oldest = daysBefore(day, FINANCIALS_STALE_DAYS);
  const current = pickFgosFinancialRow(
    known.filter((r) => r.period_end_date >= oldest),
    day,
  );
  if (!current) return null;
  const byKey = new Map(
    known.map((r) => [rowKey(r.period_type, r.fiscal_year, r.fiscal_period), r]),
  );
  const yearsBack = (n: number) =>
    byKey.get(rowKey(current.period_type, current.fiscal_year - n, current.fiscal_period)) ?? null;
  return { current, prior: yearsBack(1), priorPrior: yearsBack(2) };
}

/** n / d when both are known and d is positive (a ratio over a non-positive base means nothing here). */
function over(n: number | null | undefined, d: number | null | undefined): number | null {
  return isNum(n) && isNum(d) && d > 0 ? n / d : null;
}

/** 1 when a > b, 0 when not, null when either is unknown. */
function gain(a: number | null, b: number | null): 0 | 1 | null {
  return a === null || b === null ? null : a > b ? 1 : 0;
}

function mean2(a: number | null | undefined, b: number | null | undefined): number | null {
  return isNum(a) && isNum(b) ? (a + b) / 2 : null;
}

interface AltmanInputs {
  working_capital: number | null;
  total_assets: number | null;
  retained_earnings: number | null;
  ebit: number | null;
  market_value_of_equity: number | null;
  total_liabilities: number | null;
  revenue: number | null;
}

/** Altman's Z for public manufacturers; null when an input is missing or TA, TL are not positive. */
export function altmanZ(x: AltmanInputs): number | null {
  const ta = x.total_assets;
  const tl = x.total_liabilities;
  const parts = [
    over(x.working_capital, ta),
    over(x.retained_earnings, ta),
    over(x.ebit, ta),
    over(x.market_value_of_equity, tl),
    over(x.revenue, ta),
  ];
  if (parts.some((p) => p === null)) return null;
  const [x1, x2, x3, x4, x5] = parts as number[];
  return 1.2 * x1! + 1.4 * x2! + 3.3 * x3! + 0.6 * x4! + 1.0 * x5!;
}

/** The nine tests on t, t−1 and t−2's total assets (their readings: the module doc). */
export function piotroskiTests(inputs: ScoreInputs): PiotroskiTests {
  const t = inputs.current;
  const p = inputs.prior;
  const ppAssets = inputs.priorPrior?.total_assets ?? null;
  const roa = over(t.net_income, p?.total_assets);
  const priorRoa = over(p?.net_income, ppAssets);
  const cfo = t.operating_cash_flow;
  const leverage = over(t.long_term_debt, mean2(t.total_assets, p?.total_assets));
  const priorLeverage = over(p?.long_term_debt, mean2(p?.total_assets, ppAssets));
  const shares = t.shares_outstanding;
  const priorShares = p?.shares_outstanding;
  return {
    roa_positive: roa === null ? null : roa > 0 ? 1 : 0,
    cfo_positive: isNum(cfo) ? (cfo > 0 ? 1 : 0) : null,
    roa_improved: gain(roa, priorRoa),
    accruals: isNum(cfo) && isNum(t.net_income) ? (cfo > t.net_income ? 1 : 0) : null,
    leverage_fell: gain(priorLeverage, leverage),
    current_ratio_improved: gain(
      over(t.total_current_assets, t.total_current_liabilities),
      over(p?.total_current_assets, p?.total_current_liabilities),
    ),
    no_new_shares: isNum(shares) && isNum(priorShares) ? (shares <= priorShares ? 1 : 0) : null,
    gross_margin_improved: gain(over(t.gross_profit, t.revenue), over(p?.gross_profit, p?.revenue)),
    asset_turnover_improved: gain(over(t.revenue, p?.total_assets), over(p?.revenue, ppAssets)),
  };
}

/** The sum of the nine tests, or null when any is unknown. */
export function piotroskiScore(tests: PiotroskiTests): number | null {
  let score = 0;
  for (const outcome of Object.values(tests) as (0 | 1 | null)[]) {
    if (outcome === null) return null;
    score += outcome;
  }
  return score;
}

/** A close as the scores read it. */
interface Close {
  price_date: string;
  close: number;
}

/** The latest positive close on or before D, at most PRICE_STALE_DAYS old. */
export function closeOnDay(closes: readonly Close[], day: string): Close | null {
  const oldest = daysBefore(day, PRICE_STALE_DAYS);
  let best: Close | null = null;
  for (const c of closes) {
    if (c.price_date > day || c.price_date < oldest || !(c.close > 0)) continue;
    if (!best || c.price_date > best.price_date) best = c;
  }
  return best;
}

/** One ticker's row of D from its inputs and its close on D (null: no price). */
export function scoreRow(
  ticker: string,
  day: string,
  inputs: ScoreInputs,
  close: Close | null,
): FinancialScoresRow {
  const t = inputs.current;
  const shares = t.weighted_shares_out;
  const marketCap = close && isNum(shares) && shares > 0 ? shares * close.close : null;
  const workingCapital =
    isNum(t.total_current_assets) && isNum(t.total_current_liabilities)
      ? t.total_current_assets - t.total_current_liabilities
      : null;
  const tests = piotroskiTests(inputs);
  const used = [t, inputs.prior, inputs.priorPrior].filter((r) => r !== null);
  return {
    ticker,
    score_date: day,
    altman_z: altmanZ({
      working_capital: workingCapital,
      total_assets: t.total_assets,
      retained_earnings: t.retained_earnings,
      ebit: t.ebit,
      market_value_of_equity: marketCap,
      total_liabilities: t.total_liabilities,
      revenue: t.revenue,
    }),
    piotroski_score: piotroskiScore(tests),
    working_capital: workingCapital,
    total_assets: t.total_assets,
    total_liabilities: t.total_liabilities,
    retained_earnings: t.retained_earnings,
    ebit: t.ebit,
    market_cap: marketCap,
    revenue: t.revenue,
    source: SCORES_SOURCE,
    inputs_period_type: t.period_type,
    inputs_period_label: t.period_label,
    inputs_period_end: t.period_end_date,
    prior_period_label: inputs.prior?.period_label ?? null,
    filing_date: used.reduce((d, r) => laterDate(d, r.filing_date), ""),
    price_date: close?.price_date ?? null,
    piotroski_tests: tests,
  };
}

// ---------------------------------------------------------------------------------------
// Reading and writing (I/O)

/** Rows reaching back far enough for t−2 of a t that ends FINANCIALS_STALE_DAYS before D. */
const LOOKBACK_DAYS = FINANCIALS_STALE_DAYS + 3 * 366;

/** The key-space ranges of a full run, cut at the tickers priced on D (store order). */
async function planRanges(db: Store, day: string, size: number): Promise<TickerRange[]> {
  const priced = await db.readAll(datosEodTable, {
    where: { price_date: day },
    columns: ["ticker"],
  });
  return tickerRanges(
    priced.map((p) => p.ticker),
    size,
  );
}

interface ChunkCounts {
  written: number;
  altman: number;
  piotroski: number;
  noPrice: number;
}

/** Groups rows by ticker, keeping order. */
function byTicker<T extends { ticker: string }>(rows: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const list = out.get(r.ticker);
    if (list) list.push(r);
    else out.set(r.ticker, [r]);
  }
  return out;
}

/** Reads, builds, writes and (full runs) prunes one range or the scope's tickers. */
async function scoreRange(
  ctx: StagingContext,
  day: string,
  range: TickerRange,
  scoped: string[] | null,
): Promise<ChunkCounts> {
  const { db } = ctx;
  const ticker = tickerCondition(range, scoped);
  const [financials, closes] = await Promise.all([
    db.readAll(financialsTable, {
      where: {
        ...(ticker ? { ticker } : {}),
        period_type: { in: ["TTM", "FY"] },
        period_end_date: { gte: daysBefore(day, LOOKBACK_DAYS), lte: day },
        filing_date: { lte: day },
      },
      columns: [...SCORE_COLUMNS],
      pageSize: 50_000,
    }),
    db.readAll(datosEodTable, {
      where: {
        ...(ticker ? { ticker } : {}),
        price_date: { gte: daysBefore(day, PRICE_STALE_DAYS), lte: day },
      },
      columns: ["ticker", "price_date", "close"],
      pageSize: 50_000,
    }),
  ]);
  const closesOf = byTicker(closes);
  const rows: FinancialScoresRow[] = [];
  for (const [t, list] of byTicker(financials)) {
    const inputs = scoreInputs(list, day);
    if (inputs) rows.push(scoreRow(t, day, inputs, closeOnDay(closesOf.get(t) ?? [], day)));
  }
  const written = await stageRows(ctx, financialScoresTable, rows);
  return {
    written,
    altman: rows.filter((r) => r.altman_z !== null).length,
    piotroski: rows.filter((r) => r.piotroski_score !== null).length,
    noPrice: rows.filter((r) => r.price_date === null).length,
  };
}

function addCounts(a: ChunkCounts, b: ChunkCounts): ChunkCounts {
  return {
    written: a.written + b.written,
    altman: a.altman + b.altman,
    piotroski: a.piotroski + b.piotroski,
    noPrice: a.noPrice + b.noPrice,
  };
}

const pointInTimeCheck: AssetCheck<string> = {
  name: "point_in_time",
  severity: "error",
  description: "no row of D used a statement filed after D or a close dated after D",
  async run({ db, partition, scope }) {
    const day = partition;
    // A scoped run wrote only its tickers' rows: they are what it checks.
    const own = scope?.tickers ? { ticker: { in: scope.tickers } } : {};
    const [lateFilings, lateCloses] = await Promise.all([
      db.readAll(financialScoresTable, {
        where: { ...own, score_date: day, filing_date: { gt: day } },
        columns: ["ticker"],
      }),
      db.readAll(financialScoresTable, {
        where: { ...own, score_date: day, price_date: { gt: day } },
        columns: ["ticker"],
      }),
    ]);
    const bad = [...new Set([...lateFilings, ...lateCloses].map((r) => r.ticker))];
    return {
      passed: bad.length === 0,
      value: bad.length,
      message:
        bad.length === 0
          ? `every row of ${day} was built from statements filed and closes dated by then`
          : `${bad.length} rows of ${day} used later data (e.g. ${bad.slice(0, 5).join(", ")})`,
    };
  },
};

async function materializeScores(ctx: AssetContext, day: string) {
  // One step fixes the work, so an Inngest replay walks the same ranges.
  const { scoped, ranges } = await ctx.step("plan-ranges", async () => {
    if (!ctx.scope)
      return { scoped: null, ranges: await planRanges(ctx.db, day, perStep(ctx, SCORES_CHUNK)) };
    const tickers = await universeTickers(ctx, { equitiesOnly: true });
    return { scoped: tickers, ranges: [ALL_TICKERS] };
  });
  let totals: ChunkCounts = { written: 0, altman: 0, piotroski: 0, noPrice: 0 };
  for (const [i, range] of ranges.entries()) {
    const counts = await ctx.step(`chunk-${i + 1}-of-${ranges.length}`, () =>
      scoreRange(ctx, day, range, scoped),
    );
    totals = addCounts(totals, counts);
  }
  const { removed: pruned } = await publishStaged(
    ctx,
    financialScoresTable,
    totals.written,
    scoped ? null : { score_date: day },
  );
  return {
    rows: totals.written,
    metadata: {
      chunks: ranges.length,
      withAltmanZ: totals.altman,
      withPiotroski: totals.piotroski,
      noPriceOnDay: totals.noPrice,
      pruned,
    },
  };
}

export default defineAsset({
  key: "financial_scores",
  description:
    "Altman Z and Piotroski F per company and day, computed from our statements and closes (point in time)",
  deps: ["datos_financieros", "datos_eod"],
  partitioned: true,
  tables: [financialScoresTable],
  checks: [atLeast("rows", 1, "warn"), pointInTimeCheck],
  async materialize(ctx) {
    return materializeScores(ctx, ctx.partition);
  },
});
