/**
 * What fintra_snapshots reads for day D: who gets a row, how the run is cut into chunks
 * (whole industries, so IQS peers are read once per industry), and one chunk's inputs.
 * Each is a few paged Store reads on indexed columns, bounded by D and by the chunk's
 * tickers (the day's group aggregates aside), so no chunk reads the whole market.
 */
import { getYear, parseISO } from "date-fns";
import type { Scope, Store } from "../../db/index.ts";
import type { SectorBenchmarkRow } from "../../engines/benchmarks.ts";
import { daysBefore, yearsBefore } from "../../engines/dates.ts";
import { sectorBenchmarksTable } from "../aggregates/sector_benchmarks.ts";
import { sectorPeTable } from "../aggregates/sector_pe.ts";
import { assetIndustryMapTable } from "../asset_industry_map.ts";
import { companyProfilesTable } from "../company_profiles.ts";
import { datosEodTable } from "../datos_eod.ts";
import { ttmValuationTable } from "../datos_valuacion_ttm.ts";
import { financialScoresTable } from "../financial_scores.ts";
import { MARKET_BENCHMARK, universeTable, universeTickers } from "../fintra_universe.ts";
import { industryClassificationTable } from "../industry_classification.ts";
import { datosPerformanceTable } from "../performance/datos_performance.ts";
import { industryPerformanceTable } from "../performance/industry_performance.ts";
import { type Membership, membershipsOn } from "../performance/membership.ts";
import { sectorPerformanceTable } from "../performance/sector_performance.ts";
import { CONTEXT_STALE_DAYS, SECTOR_PE_STALE_DAYS, VALUATION_STALE_DAYS } from "../staleness.ts";
import { dividendsTable } from "../statements/datos_dividendos.ts";
import { financialsTable } from "../statements/datos_financieros.ts";
import type { DayContext, FinancialInput, TickerInputs } from "./types.ts";

/**
 * Tickers per chunk (a step) at the full market's scale: about 1,000, rounded to whole
 * industries (45,000 tickers: about 45 steps). fintra_snapshots passes
 * `perStep(ctx, SNAPSHOT_CHUNK_TICKERS)` to `planSnapshotChunks`, which
 * `Resources.stepScale` shrinks.
 */
export const SNAPSHOT_CHUNK_TICKERS = 1_000;

/** Rows per page on the large reads (prices, financials). */
const PAGE = 50_000;

/** FY history read for moat, competitive advantage, dividends, IQS and maturity. */
const HISTORY_YEARS = 12;

/**
 * The equities that get a row on D: instrument_type EQUITY, active now or last seen by the
 * universe on or after D (so a backfill of last month keeps a ticker delisted since, like
 * the benchmarks' constituents), minus those whose profile says they listed after D.
 * Sorted. This is also what the coverage check counts against.
 */
export async function activeEquitiesOn(db: Store, day: string): Promise<string[]> {
  const [universe, profiles] = await Promise.all([
    db.readAll(universeTable, {
      where: { instrument_type: "EQUITY" },
      columns: ["ticker", "is_active", "last_seen"],
    }),
    db.readAll(companyProfilesTable, {
      where: { ipo_date: { gt: day } },
      columns: ["ticker"],
    }),
  ]);
  const notYetListed = new Set(profiles.map((p) => p.ticker));
  return universe
    .filter((u) => (u.is_active || u.last_seen >= day) && !notYetListed.has(u.ticker))
    .map((u) => u.ticker)
    .sort();
}

/** The run's tickers: a scope's list, the first N active equities, or every equity active on D. */
async function snapshotUniverse(db: Store, day: string, scope: Scope | null): Promise<string[]> {
  if (scope) return [...(await universeTickers({ db, scope }, { equitiesOnly: true }))].sort();
  return activeEquitiesOn(db, day);
}

/** One step's work: its tickers (whole industries) and the other members of those industries. */
export interface SnapshotChunk {
  industries: string[];
  tickers: string[];
  /** Industry members outside the chunk whose FY rows IQS compares with (scoped runs). */
  peers: string[];
}

/**
 * Packs tickers into chunks of about `size`, whole industries at a time (in name order; an
 * industry larger than `size` is a chunk of its own), then the unclassified tickers.
 */
export function packChunks(
  tickers: readonly string[],
  industryOf: ReadonlyMap<string, string>,
  size: number,
): SnapshotChunk[] {
  const byIndustry = new Map<string, string[]>();
  const unclassified: string[] = [];
  for (const t of tickers) {
    const industry = industryOf.get(t);
    if (industry === undefined) unclassified.push(t);
    else {
      const members = byIndustry.get(industry) ?? [];
      members.push(t);
      byIndustry.set(industry, members);
    }
  }
  const chunks: SnapshotChunk[] = [];
  let current: SnapshotChunk = { industries: [], tickers: [], peers: [] };
  for (const industry of [...byIndustry.keys()].sort()) {
    const members = byIndustry.get(industry) as string[];
    if (current.tickers.length > 0 && current.tickers.length + members.length > size) {
      chunks.push(current);
      current = { industries: [], tickers: [], peers: [] };
    }
    current.industries.push(industry);
    current.tickers.push(...members);
  }
  if (current.tickers.length > 0) chunks.push(current);
  for (let i = 0; i < unclassified.length; i += size) {
    chunks.push({ industries: [], tickers: unclassified.slice(i, i + size), peers: [] });
  }
  return chunks;
}

interface SnapshotPlan {
  chunks: SnapshotChunk[];
  tickers: number;
  unclassified: number;
}

/**
 * The run's chunks, of about `size` tickers each. Peers are the members, active on D, of each
 * chunk's industries that the chunk does not hold: none on a full run (chunks hold whole
 * industries), the rest of the industry on a scoped one, so a one-ticker run scores IQS
 * against the same peers. A scoped run reads only its tickers' industries: their map rows
 * and those members' universe and profile rows, never the whole market's.
 */
export async function planSnapshotChunks(
  db: Store,
  day: string,
  scope: Scope | null,
  size = SNAPSHOT_CHUNK_TICKERS,
): Promise<SnapshotPlan> {
  const [tickers, everyone] = await Promise.all([
    snapshotUniverse(db, day, scope),
    scope ? null : membershipsOn(db, day),
  ]);
  const members = everyone ?? (await membershipsOn(db, day, { in: tickers }));
  const industryOf = new Map<string, string>();
  for (const [ticker, m] of members) industryOf.set(ticker, m.industry);
  const chunks = packChunks(tickers, industryOf, size);
  if (scope) {
    // Everyone active on D in the scope's industries, with their industry on D.
    const industries = new Set(chunks.flatMap((c) => c.industries));
    const candidates = await industryMembersOn(db, day, industries);
    for (const [ticker, m] of candidates) industryOf.set(ticker, m.industry);
    const peers = await activeEquitiesAmong(db, day, [...candidates.keys()]);
    setPeers(chunks, peers, industryOf);
  } else {
    setPeers(chunks, tickers, industryOf);
  }
  return {
    chunks,
    tickers: tickers.length,
    unclassified: tickers.filter((t) => !industryOf.has(t)).length,
  };
}

/** Each chunk's peers: the `universe` members of its industries it does not hold (sorted). */
function setPeers(
  chunks: SnapshotChunk[],
  universe: readonly string[],
  industryOf: ReadonlyMap<string, string>,
): void {
  const byIndustry = new Map<string, string[]>();
  for (const t of universe) {
    const industry = industryOf.get(t);
    if (industry === undefined) continue;
    const list = byIndustry.get(industry);
    if (list) list.push(t);
    else byIndustry.set(industry, [t]);
  }
  for (const chunk of chunks) {
    const inChunk = new Set(chunk.tickers);
    chunk.peers = chunk.industries
      .flatMap((industry) => byIndustry.get(industry) ?? [])
      .filter((t) => !inChunk.has(t))
      .sort();
  }
}

/**
 * Tickers whose industry on D is one of `industries`, with their membership: the map rows
 * of those industries' codes, then each candidate's membership on D (its newer row wins).
 */
async function industryMembersOn(
  db: Store,
  day: string,
  industries: ReadonlySet<string>,
): Promise<Map<string, Membership>> {
  if (industries.size === 0) return new Map();
  const codes = (
    await db.readAll(industryClassificationTable, {
      columns: ["industry_code", "industry_name"],
    })
  )
    .filter((i) => industries.has(i.industry_name))
    .map((i) => i.industry_code);
  if (codes.length === 0) return new Map();
  const rows = await db.readAll(assetIndustryMapTable, {
    where: { industry_code: { in: codes }, effective_from: { lte: day } },
    columns: ["ticker"],
  });
  const candidates = [...new Set(rows.map((r) => r.ticker))];
  const members = await membershipsOn(db, day, { in: candidates });
  return new Map([...members].filter(([, m]) => industries.has(m.industry)));
}

/** `activeEquitiesOn`'s rule over a few tickers: the ones active on D, sorted. */
async function activeEquitiesAmong(
  db: Store,
  day: string,
  tickers: readonly string[],
): Promise<string[]> {
  if (tickers.length === 0) return [];
  const [universe, profiles] = await Promise.all([
    db.readAll(universeTable, {
      where: { ticker: { in: tickers }, instrument_type: "EQUITY" },
      columns: ["ticker", "is_active", "last_seen"],
    }),
    db.readAll(companyProfilesTable, {
      where: { ticker: { in: tickers }, ipo_date: { gt: day } },
      columns: ["ticker"],
    }),
  ]);
  const notYetListed = new Set(profiles.map((p) => p.ticker));
  return universe
    .filter((u) => (u.is_active || u.last_seen >= day) && !notYetListed.has(u.ticker))
    .map((u) => u.ticker)
    .sort();
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}

/** datos_financieros columns the engines read. */
const FINANCIAL_COLUMNS = [
  "ticker",
  "period_type",
  "period_label",
  "period_end_date",
  "filing_date",
  "revenue",
  "net_income",
  "free_cash_flow",
  "ebitda",
  "capex",
  "invested_capital",
  "total_debt",
  "total_equity",
  "cash_and_equivalents",
  "weighted_shares_out",
  "roic",
  "roe",
  "gross_margin",
  "operating_margin",
  "net_margin",
  "fcf_margin",
  "revenue_cagr",
  "debt_to_equity",
  "interest_coverage",
  "current_ratio",
] as const;

/** FY/TTM datos_financieros rows of some tickers ended and filed by D, HISTORY_YEARS back. */
async function readFinancials(
  db: Store,
  day: string,
  tickers: readonly string[],
  periodTypes: string[],
) {
  if (tickers.length === 0) return [];
  return db.readAll(financialsTable, {
    where: {
      ticker: { in: tickers },
      period_type: { in: periodTypes },
      period_end_date: { gte: yearsBefore(day, HISTORY_YEARS), lte: day },
      filing_date: { lte: day },
    },
    columns: [...FINANCIAL_COLUMNS],
    pageSize: PAGE,
  });
}

/** A chunk's inputs: the day's shared context and each ticker's own rows, in ticker order. */
interface ChunkInputs {
  context: DayContext;
  inputs: TickerInputs[];
}

/**
 * Reads one chunk for day D. Every read is bounded by D (dated and filed on or before it)
 * and by the chunk's tickers, except the day's group aggregates (a few hundred rows).
 */
export async function readChunkInputs(
  db: Store,
  day: string,
  chunk: Pick<SnapshotChunk, "tickers" | "peers">,
): Promise<ChunkInputs> {
  const [rows, groups] = await Promise.all([
    readTickerRows(db, day, chunk),
    readGroupRows(db, day),
  ]);
  const industryPerformance = await readIndustryPerformance(db, day, chunk.tickers, rows);
  return chunkInputs(day, chunk.tickers, rows, { ...groups, industryPerformance });
}

const UNIVERSE_COLUMNS = [
  "ticker",
  "name",
  "exchange",
  "exchange_short",
  "currency",
  "country",
  "is_etf",
  "is_adr",
] as const;

const PROFILE_COLUMNS = [
  "ticker",
  "company_name",
  "sector",
  "industry",
  "country",
  "currency",
  "exchange",
  "website",
  "ceo",
  "employees",
  "ipo_date",
] as const;

const VALUATION_COLUMNS = [
  "ticker",
  "valuation_date",
  "filing_date",
  "price",
  "market_cap",
  "pe_ratio",
  "ev_ebitda",
  "price_to_fcf",
  "price_to_sales",
] as const;

type TickerRows = Awaited<ReturnType<typeof readTickerRows>>;

/** The chunk's own rows (with SPY's prices and performance), and its members on D. */
async function readTickerRows(
  db: Store,
  day: string,
  chunk: Pick<SnapshotChunk, "tickers" | "peers">,
) {
  const tickers = chunk.tickers;
  const own = { in: tickers };
  const withMarket = { in: [...tickers, MARKET_BENCHMARK] };
  const withPeers = { in: [...tickers, ...chunk.peers] };
  const [
    universe,
    profiles,
    members,
    prices,
    financials,
    valuations,
    scores,
    dividends,
    performance,
  ] = await Promise.all([
    db.readAll(universeTable, { where: { ticker: own }, columns: [...UNIVERSE_COLUMNS] }),
    db.readAll(companyProfilesTable, { where: { ticker: own }, columns: [...PROFILE_COLUMNS] }),
    membershipsOn(db, day, withPeers),
    db.readAll(datosEodTable, {
      where: {
        ticker: withMarket,
        price_date: { gte: daysBefore(yearsBefore(day, 1), CONTEXT_STALE_DAYS), lte: day },
      },
      columns: ["ticker", "price_date", "close", "high", "low", "volume"],
      pageSize: PAGE,
    }),
    // The chunk's FY and TTM rows, and its peers' FY rows (all IQS reads of them).
    Promise.all([
      readFinancials(db, day, tickers, ["FY", "TTM"]),
      readFinancials(db, day, chunk.peers, ["FY"]),
    ]).then(([mine, theirs]) => (theirs.length > 0 ? [...mine, ...theirs] : mine)),
    readValuations(db, day, tickers),
    db.readAll(financialScoresTable, { where: { ticker: own, score_date: day } }),
    readDividends(db, day, tickers),
    db.readAll(datosPerformanceTable, {
      where: { performance_date: day, ticker: withMarket },
      columns: ["ticker", "performance_date", "window_code", "return_percent", "max_drawdown"],
    }),
  ]);
  return {
    universe,
    profiles,
    members,
    prices,
    financials,
    valuations,
    scores,
    dividends,
    performance,
  };
}

/** Quarter-end valuations valued and filed by D, five years and a staleness window back. */
function readValuations(db: Store, day: string, tickers: readonly string[]) {
  return db.readAll(ttmValuationTable, {
    where: {
      ticker: { in: tickers },
      valuation_date: { gte: daysBefore(yearsBefore(day, 5), VALUATION_STALE_DAYS), lte: day },
      filing_date: { lte: day },
    },
    columns: [...VALUATION_COLUMNS],
  });
}

/** datos_dividendos rows filed by D, HISTORY_YEARS back. */
function readDividends(db: Store, day: string, tickers: readonly string[]) {
  return db.readAll(dividendsTable, {
    where: {
      ticker: { in: tickers },
      filing_date: { lte: day },
      year: { gte: getYear(parseISO(day)) - HISTORY_YEARS },
    },
  });
}

/** The day's sector aggregates, every sector's (a few hundred rows). */
async function readGroupRows(db: Store, day: string) {
  const [sectorPerformance, sectorPe, benchmarks] = await Promise.all([
    db.readAll(sectorPerformanceTable, {
      where: { performance_date: { gte: daysBefore(day, CONTEXT_STALE_DAYS), lte: day } },
    }),
    db.readAll(sectorPeTable, {
      where: { pe_date: { gte: daysBefore(day, SECTOR_PE_STALE_DAYS), lte: day } },
    }),
    db.readAll(sectorBenchmarksTable, {
      where: {
        group_type: "sector",
        snapshot_date: { gte: daysBefore(day, CONTEXT_STALE_DAYS), lte: day },
      },
    }),
  ]);
  return { sectorPerformance, sectorPe, benchmarks };
}

/** industry_performance of the industries the chunk sits in on D, or names in its profiles. */
async function readIndustryPerformance(
  db: Store,
  day: string,
  tickers: readonly string[],
  { members, profiles }: Pick<TickerRows, "members" | "profiles">,
) {
  const industries = new Set<string>();
  for (const t of tickers) {
    const industry = members.get(t)?.industry;
    if (industry) industries.add(industry);
  }
  for (const p of profiles) if (!members.has(p.ticker) && p.industry) industries.add(p.industry);
  return db.readAll(industryPerformanceTable, {
    where: {
      industry: { in: [...industries] },
      performance_date: { gte: daysBefore(day, CONTEXT_STALE_DAYS), lte: day },
    },
  });
}

/** The rows read, grouped into the day's context and each ticker's inputs. */
function chunkInputs(
  day: string,
  tickers: readonly string[],
  rows: TickerRows,
  groups: Awaited<ReturnType<typeof readGroupRows>> & {
    industryPerformance: Awaited<ReturnType<typeof readIndustryPerformance>>;
  },
): ChunkInputs {
  const { members } = rows;
  const financialRows = rows.financials as FinancialInput[];
  const peersByIndustry = groupBy(
    financialRows.filter((r) => r.period_type === "FY" && members.has(r.ticker)),
    (r) => (members.get(r.ticker) as Membership).industry,
  );
  const pricesOf = groupBy(rows.prices, (p) => p.ticker);
  const performanceOf = groupBy(rows.performance, (r) => r.ticker);
  const universeOf = new Map(rows.universe.map((u) => [u.ticker, u]));
  const profileOf = new Map(rows.profiles.map((p) => [p.ticker, p]));
  const financialsOf = groupBy(financialRows, (r) => r.ticker);
  const valuationsOf = groupBy(rows.valuations, (r) => r.ticker);
  const scoresOf = groupBy(rows.scores, (r) => r.ticker);
  const dividendsOf = groupBy(rows.dividends, (r) => r.ticker);

  const context: DayContext = {
    day,
    marketPrices: pricesOf.get(MARKET_BENCHMARK) ?? [],
    marketPerformance: performanceOf.get(MARKET_BENCHMARK) ?? [],
    sectorPerformance: groupBy(groups.sectorPerformance, (r) => r.sector),
    industryPerformance: groupBy(groups.industryPerformance, (r) => r.industry),
    sectorPe: groupBy(groups.sectorPe, (r) => r.sector),
    benchmarks: groupBy(groups.benchmarks as SectorBenchmarkRow[], (r) => r.sector),
    industryPeers: peersByIndustry,
  };
  const inputs = tickers.map(
    (ticker): TickerInputs => ({
      ticker,
      universe: universeOf.get(ticker) ?? null,
      profile: profileOf.get(ticker) ?? null,
      membership: members.get(ticker) ?? null,
      prices: pricesOf.get(ticker) ?? [],
      financials: financialsOf.get(ticker) ?? [],
      valuations: valuationsOf.get(ticker) ?? [],
      scores: scoresOf.get(ticker) ?? [],
      dividends: dividendsOf.get(ticker) ?? [],
      performance: performanceOf.get(ticker) ?? [],
    }),
  );
  return { context, inputs };
}
