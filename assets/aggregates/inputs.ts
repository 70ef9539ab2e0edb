/**
 * What each company contributes to the sector and industry aggregates of day D (sector_pe,
 * industry_pe, sector_benchmarks, industry_benchmarks, sector_stats, industry_stats): each reads
 * its inputs through `loadCompanyInputs` and writes only its own table (`replacePartition`).
 *
 * - Constituents: equities active on D (active now, or last seen on or after D, so a backfill
 *   still counts a ticker delisted since) with an asset_industry_map row valid on D.
 * - Financials: the TTM-or-FY row FGOS would score on D (`pickFgosFinancialRow`), ended and filed
 *   by D, ended at most FINANCIALS_STALE_DAYS before D: 18 months keep a late filer and drop a
 *   company that stopped reporting.
 * - Valuation: the latest datos_valuacion_ttm row valued and filed by D, within
 *   VALUATION_STALE_DAYS: quarters come every ~91 days and are filed within ~45-90, so one late
 *   quarter passes and stopped filings do not.
 * - Never the same day's snapshots: the old cycle (benchmarks from snapshots, snapshots from
 *   benchmarks) is gone, so fintra_snapshots can read the benchmarks of its own day.
 * - The SQL stores narrow the two large reads in the database to the rows the pickers choose
 *   among (`latestInDatabase`); Supabase reads them range by range (`readInRanges`). Same
 *   picks, same figures.
 */
import type { Store, TableSpec, Where } from "../../db/index.ts";
import type { BenchmarkMetric } from "../../engines/benchmarks.ts";
import { daysBefore } from "../../engines/dates.ts";
import { pickFgosFinancialRow } from "../../engines/fgos.ts";
import { rangeCondition, type TickerRange, tickerRanges } from "../../runtime/chunks.ts";
import type { AssetCheck } from "../../runtime/define.ts";
import { replaceSlice, type StagingContext } from "../../runtime/staged.ts";
import { assetIndustryMapTable, type IndustryMapRow } from "../asset_industry_map.ts";
import { type TtmValuationRecord, ttmValuationTable } from "../datos_valuacion_ttm.ts";
import { universeTable } from "../fintra_universe.ts";
import { type IndustryRow, industryClassificationTable } from "../industry_classification.ts";
import { FINANCIALS_STALE_DAYS, VALUATION_STALE_DAYS } from "../staleness.ts";
import { type FinancialsRow, financialsTable } from "../statements/datos_financieros.ts";
import type { MetricValues } from "./group-stats.ts";

/** Metrics read from the company's TTM-or-FY `datos_financieros` row. */
const FINANCIAL_METRICS = [
  "revenue_cagr",
  "earnings_cagr",
  "fcf_cagr",
  "roic",
  "operating_margin",
  "net_margin",
  "fcf_margin",
  "gross_margin",
  "debt_to_equity",
  "interest_coverage",
] as const satisfies readonly BenchmarkMetric[];

/** Metrics read from the company's latest `datos_valuacion_ttm` row. */
const VALUATION_METRICS = [
  "pe_ratio",
  "ev_ebitda",
  "price_to_fcf",
  "market_cap",
] as const satisfies readonly BenchmarkMetric[];

/**
 * Every metric the engines look a benchmark up for: FGOS's nine inputs and gross margin
 * (the moat's sector median), valuation's three multiples, market position's market cap.
 */
export const BENCHMARK_METRICS: readonly BenchmarkMetric[] = [
  ...FINANCIAL_METRICS,
  ...VALUATION_METRICS,
];

/** Metadata note of an aggregate asset on a scoped run. */
export const SCOPED_AGGREGATE =
  "scoped run: an aggregate describes every constituent, so it is not rebuilt from a slice; the stored rows stay";

/** A constituent's group on D. */
interface Membership {
  /** industry_classification.industry_name */
  industry: string;
  sector: string;
}

/**
 * Each ticker's industry and sector on `day`, from the type-2 map rows valid that day and
 * the taxonomy. A ticker with two valid rows (never written by asset_industry_map) takes
 * the later-starting one; a code missing from the taxonomy gives no membership.
 */
export function membershipOn(
  mapRows: readonly Pick<
    IndustryMapRow,
    "ticker" | "industry_code" | "effective_from" | "effective_to"
  >[],
  industries: readonly Pick<IndustryRow, "industry_code" | "industry_name" | "sector">[],
  day: string,
): Map<string, Membership> {
  const byCode = new Map(industries.map((i) => [i.industry_code, i]));
  const chosen = new Map<string, { from: string; membership: Membership }>();
  for (const row of mapRows) {
    if (row.effective_from > day) continue;
    if (row.effective_to !== null && row.effective_to < day) continue;
    const industry = byCode.get(row.industry_code);
    if (!industry) continue;
    const current = chosen.get(row.ticker);
    if (current && current.from >= row.effective_from) continue;
    chosen.set(row.ticker, {
      from: row.effective_from,
      membership: { industry: industry.industry_name, sector: industry.sector },
    });
  }
  return new Map([...chosen].map(([ticker, c]) => [ticker, c.membership]));
}

/** The valuation columns a company contributes. */
export type ValuationInput = Pick<
  TtmValuationRecord,
  | "ticker"
  | "valuation_date"
  | "filing_date"
  | "pe_ratio"
  | "ev_ebitda"
  | "price_to_fcf"
  | "market_cap"
>;

/** Latest row per ticker with valuation_date <= day, filing_date <= day and not stale. */
export function latestValuations<R extends ValuationInput>(
  rows: readonly R[],
  day: string,
): Map<string, R> {
  const oldest = daysBefore(day, VALUATION_STALE_DAYS);
  const latest = new Map<string, R>();
  for (const row of rows) {
    if (row.valuation_date > day || row.valuation_date < oldest || row.filing_date > day) continue;
    const current = latest.get(row.ticker);
    if (!current || row.valuation_date > current.valuation_date) latest.set(row.ticker, row);
  }
  return latest;
}

/** The financial columns a company contributes. */
export type FinancialInput = Pick<
  FinancialsRow,
  "ticker" | "period_type" | "period_label" | "period_end_date" | "filing_date"
> &
  Pick<FinancialsRow, (typeof FINANCIAL_METRICS)[number]>;

/** Per ticker, the TTM-or-FY row FGOS would score on `day`, among rows filed by then and not stale. */
export function latestFinancials<R extends FinancialInput>(
  rows: readonly R[],
  day: string,
): Map<string, R> {
  const oldest = daysBefore(day, FINANCIALS_STALE_DAYS);
  const byTicker = new Map<string, R[]>();
  for (const row of rows) {
    if (row.filing_date > day || row.period_end_date < oldest) continue;
    const list = byTicker.get(row.ticker);
    if (list) list.push(row);
    else byTicker.set(row.ticker, [row]);
  }
  const picked = new Map<string, R>();
  for (const [ticker, list] of byTicker) {
    const row = pickFgosFinancialRow(list, day);
    if (row) picked.set(ticker, row);
  }
  return picked;
}

/** A company's benchmark metric values from its picked rows (null where a row is missing). */
export function companyValues(
  financials: FinancialInput | undefined,
  valuation: ValuationInput | undefined,
): MetricValues {
  const values: MetricValues = {};
  for (const metric of FINANCIAL_METRICS) values[metric] = financials?.[metric] ?? null;
  for (const metric of VALUATION_METRICS) values[metric] = valuation?.[metric] ?? null;
  return values;
}

/** One constituent on D with its group and metric values. */
export interface CompanyInputs extends Membership {
  ticker: string;
  values: MetricValues;
  /** A TTM-or-FY row was picked for it. */
  hasFinancials: boolean;
  /** A TTM valuation row was picked for it. */
  hasValuation: boolean;
}

/** How many companies made it into the inputs, for run metadata. */
interface InputCounts {
  /** Equities active on D. */
  equities: number;
  /** ... with an industry valid on D (the constituents). */
  constituents: number;
  withoutIndustry: number;
  withFinancials: number;
  withValuation: number;
}

/** Tickers per range read of the large inputs (financials, valuations). */
const RANGE_TICKERS = 2_000;

/** Rows per page of a range read: a range's rows fit in one or two. */
const RANGE_PAGE = 50_000;

/**
 * Equities active on `day` (active now, or last seen by the universe on or after it), and
 * the ticker ranges the large reads walk: cut at every equity in store order, so the
 * ranges cover the whole key space.
 */
async function equitiesActiveOn(
  db: Store,
  day: string,
): Promise<{ active: string[]; ranges: TickerRange[] }> {
  const rows = await db.readAll(universeTable, {
    where: { instrument_type: "EQUITY" },
    columns: ["ticker", "is_active", "last_seen"],
  });
  return {
    active: rows.filter((r) => r.is_active || r.last_seen >= day).map((r) => r.ticker),
    ranges: tickerRanges(
      rows.map((r) => r.ticker),
      RANGE_TICKERS,
    ),
  };
}

/**
 * Every row matching `where`, read one ticker range at a time. A range bounds what each
 * query scans and sorts; one keyset-paged read of the whole table re-scans everything after
 * its cursor on every page (the date filters lead the planner to a date index), which
 * grows with the square of the market.
 */
async function readInRanges<Row extends { ticker: string }>(
  db: Store,
  table: TableSpec<Row>,
  ranges: readonly TickerRange[],
  query: { where: Where<Row>; columns: (keyof Row & string)[] },
): Promise<Row[]> {
  const out: Row[] = [];
  for (const range of ranges) {
    const ticker = rangeCondition(range);
    for await (const page of db.read(table, {
      where: { ...query.where, ...(ticker ? { ticker } : {}) } as Where<Row>,
      columns: query.columns,
      pageSize: RANGE_PAGE,
    })) {
      for (const row of page) out.push(row);
    }
  }
  return out;
}

async function membershipsOn(db: Store, day: string): Promise<Map<string, Membership>> {
  const [mapRows, industries] = await Promise.all([
    db.readAll(assetIndustryMapTable, {
      where: { effective_from: { lte: day } },
      columns: ["ticker", "industry_code", "effective_from", "effective_to"],
    }),
    db.readAll(industryClassificationTable, {
      columns: ["industry_code", "industry_name", "sector"],
    }),
  ]);
  return membershipOn(mapRows, industries, day);
}

const FINANCIAL_READ_COLUMNS = [
  "ticker",
  "period_type",
  "period_label",
  "period_end_date",
  "filing_date",
  ...FINANCIAL_METRICS,
] as const;

const VALUATION_COLUMNS = [
  "ticker",
  "valuation_date",
  "filing_date",
  "pe_ratio",
  "ev_ebitda",
  "price_to_fcf",
  "market_cap",
] as const;

/**
 * On the SQL backends, each equity's candidate rows are picked in the database: per equity
 * (and period type) an index probe for its newest row in the window, the rows the pickers
 * below would choose among, instead of every row of the window. `text` is one SELECT whose
 * only inputs are dates checked here. null on Supabase (no SQL over REST): the caller
 * reads the window.
 */
async function latestInDatabase<Row>(db: Store, text: string): Promise<Row[] | null> {
  if (db.dialect === "supabase") return null;
  return (await db.readOnlyQuery(text)) as Row[];
}

/** A date as a SQL literal; only `YYYY-MM-DD` gets through. */
function dateLiteral(day: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`not a date: ${day}`);
  return `'${day}'::date`;
}

async function valuationsOn(
  db: Store,
  day: string,
  ranges: readonly TickerRange[],
): Promise<Map<string, ValuationInput>> {
  // The newest row valued and filed by D within the window, per equity (latestValuations'
  // pick: valuation dates are unique per ticker).
  const picked = await latestInDatabase<ValuationInput>(
    db,
    `SELECT v.${VALUATION_COLUMNS.join(", v.")}
       FROM ${universeTable.name} u
       CROSS JOIN LATERAL (
         SELECT ${VALUATION_COLUMNS.join(", ")} FROM ${ttmValuationTable.name} t
          WHERE t.ticker = u.ticker
            AND t.valuation_date >= ${dateLiteral(daysBefore(day, VALUATION_STALE_DAYS))}
            AND t.valuation_date <= ${dateLiteral(day)}
            AND t.filing_date <= ${dateLiteral(day)}
          ORDER BY t.valuation_date DESC LIMIT 1) v
      WHERE u.instrument_type = 'EQUITY'
      ORDER BY u.ticker`,
  );
  if (picked) return latestValuations(picked, day);
  const rows = await readInRanges(db, ttmValuationTable, ranges, {
    where: {
      valuation_date: { gte: daysBefore(day, VALUATION_STALE_DAYS), lte: day },
      filing_date: { lte: day },
    },
    columns: [...VALUATION_COLUMNS],
  });
  return latestValuations(rows, day);
}

async function financialsOn(
  db: Store,
  day: string,
  ranges: readonly TickerRange[],
): Promise<Map<string, FinancialInput>> {
  const where: Where<FinancialsRow> = {
    period_type: { in: ["TTM", "FY"] },
    period_end_date: { gte: daysBefore(day, FINANCIALS_STALE_DAYS), lte: day },
    filing_date: { lte: day },
  };
  // Per equity and period type, its newest row ended (within the window) and filed by D,
  // the first by label among equal end dates: the rows pickFgosFinancialRow decides between
  // (the newest end wins, TTM on a tie, else the first in key order).
  const picked = await latestInDatabase<FinancialInput>(
    db,
    `SELECT f.${FINANCIAL_READ_COLUMNS.join(", f.")}
       FROM ${universeTable.name} u
       CROSS JOIN (VALUES ('FY'), ('TTM')) AS p(period_type)
       CROSS JOIN LATERAL (
         SELECT ${FINANCIAL_READ_COLUMNS.join(", ")} FROM ${financialsTable.name} r
          WHERE r.ticker = u.ticker AND r.period_type = p.period_type
            AND r.period_end_date >= ${dateLiteral(daysBefore(day, FINANCIALS_STALE_DAYS))}
            AND r.period_end_date <= ${dateLiteral(day)}
            AND r.filing_date <= ${dateLiteral(day)}
          ORDER BY r.period_end_date DESC, r.period_label LIMIT 1) f
      WHERE u.instrument_type = 'EQUITY'
      ORDER BY u.ticker, f.period_type, f.period_label`,
  );
  if (picked) return latestFinancials(picked, day);
  const rows = await readInRanges(db, financialsTable, ranges, {
    where,
    columns: [...FINANCIAL_READ_COLUMNS],
  });
  return latestFinancials(rows, day);
}

/**
 * Every constituent of day D with its sector, industry and metric values. `financials:
 * false` skips the financial read (the P/E aggregates need valuations only).
 */
export async function loadCompanyInputs(
  db: Store,
  day: string,
  options: { financials: boolean },
): Promise<{ companies: CompanyInputs[]; counts: InputCounts }> {
  const { active: equities, ranges } = await equitiesActiveOn(db, day);
  const [members, valuations, financials] = await Promise.all([
    membershipsOn(db, day),
    valuationsOn(db, day, ranges),
    options.financials
      ? financialsOn(db, day, ranges)
      : Promise.resolve(new Map<string, FinancialInput>()),
  ]);
  const companies: CompanyInputs[] = [];
  const counts: InputCounts = {
    equities: equities.length,
    constituents: 0,
    withoutIndustry: 0,
    withFinancials: 0,
    withValuation: 0,
  };
  for (const ticker of [...equities].sort()) {
    const membership = members.get(ticker);
    if (!membership) {
      counts.withoutIndustry++;
      continue;
    }
    const fin = financials.get(ticker);
    const val = valuations.get(ticker);
    if (fin) counts.withFinancials++;
    if (val) counts.withValuation++;
    companies.push({
      ticker,
      ...membership,
      values: companyValues(fin, val),
      hasFinancials: fin !== undefined,
      hasValuation: val !== undefined,
    });
  }
  counts.constituents = companies.length;
  return { companies, counts };
}

/**
 * Makes the stored rows of one partition exactly `rows` in one transaction (staged, then
 * published: `replaceSlice`): readers see the old partition or the new one, never a mix,
 * and a run that fails on the way leaves the old one (a group that fell under 3 values on a
 * rerun is removed with the rest). Returns the rows written and removed.
 */
export async function replacePartition<Row extends object>(
  ctx: StagingContext,
  table: TableSpec<Row>,
  partition: Where<Row>,
  rows: readonly Row[],
): Promise<{ written: number; removed: number }> {
  return replaceSlice(ctx, table, partition, rows);
}

/**
 * An error check over every stored row of the run's partition: `invalid` names what is
 * wrong with a row, or null. A scoped run wrote nothing, but the partition is checked all
 * the same (it is what downstream reads).
 */
export function partitionRowsCheck<Row extends object>(options: {
  name: string;
  description: string;
  table: TableSpec<Row>;
  partition: (day: string) => Where<Row>;
  columns: (keyof Row & string)[];
  invalid: (row: Row) => string | null;
}): AssetCheck {
  return {
    name: options.name,
    severity: "error",
    description: options.description,
    async run({ db, partition, runDate }) {
      const day = partition ?? runDate;
      const rows = await db.readAll(options.table, {
        where: options.partition(day),
        columns: options.columns,
      });
      const bad: string[] = [];
      for (const row of rows) {
        const problem = options.invalid(row);
        if (problem) bad.push(problem);
      }
      return {
        passed: bad.length === 0,
        value: bad.length,
        message:
          bad.length === 0
            ? `${rows.length} rows of ${day}, all valid`
            : `${bad.length} of ${rows.length} rows of ${day} invalid, e.g. ${bad.slice(0, 3).join("; ")}`,
      };
    },
  };
}
