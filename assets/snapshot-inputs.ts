/**
 * What fintra_snapshots reads for day D: who gets a row (`snapshotUniverse`), how the run is
 * cut into chunks (`planSnapshotChunks`, whole industries per chunk so IQS peers are read
 * once), and one chunk's inputs (`readChunkInputs`), each a few paged Store reads filtered
 * on indexed columns. Building the rows is snapshot-build.ts; the asset's story is in
 * fintra_snapshots.ts.
 */
import { getYear, parseISO } from "date-fns";
import type { Scope, Store } from "../db/index.ts";
import type { SectorBenchmarkRow } from "../engines/benchmarks.ts";
import { assetIndustryMapTable } from "./asset_industry_map.ts";
import { VALUATION_STALE_DAYS } from "./benchmark-inputs.ts";
import { companyProfilesTable } from "./company_profiles.ts";
import { dividendsTable } from "./datos_dividendos.ts";
import { datosEodTable } from "./datos_eod.ts";
import { financialsTable } from "./datos_financieros.ts";
import { datosPerformanceTable } from "./datos_performance.ts";
import { ttmValuationTable } from "./datos_valuacion_ttm.ts";
import { financialScoresTable } from "./financial_scores.ts";
import { MARKET_BENCHMARK, universeTable, universeTickers } from "./fintra_universe.ts";
import { industryClassificationTable } from "./industry_classification.ts";
import { industryPerformanceTable } from "./industry_performance.ts";
import { type Membership, membershipsOn } from "./membership.ts";
import { sectorBenchmarksTable } from "./sector_benchmarks.ts";
import { sectorPeTable } from "./sector_pe.ts";
import { sectorPerformanceTable } from "./sector_performance.ts";
import {
  CONTEXT_STALE_DAYS,
  type DayContext,
  daysBefore,
  type FinancialInput,
  HISTORY_YEARS,
  SECTOR_PE_STALE_DAYS,
  type TickerInputs,
  yearsBefore,
} from "./snapshot-build.ts";

/**
 * Tickers per chunk (a step) at the full market's scale: about 1,000, rounded to whole
 * industries (45,000 tickers: about 45 steps). fintra_snapshots passes
 * `perStep(ctx, SNAPSHOT_CHUNK_TICKERS)` to `planSnapshotChunks`, which
 * `Resources.stepScale` shrinks.
 */
export const SNAPSHOT_CHUNK_TICKERS = 1_000;

/** Rows per page on the large reads (prices, financials). */
const PAGE = 50_000;

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
export async function snapshotUniverse(
  db: Store,
  day: string,
  scope: Scope | null,
): Promise<string[]> {
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

export interface SnapshotPlan {
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
export interface ChunkInputs {
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
    sectorPerformance,
    sectorPe,
    benchmarks,
  ] = await Promise.all([
    db.readAll(universeTable, {
      where: { ticker: own },
      columns: [
        "ticker",
        "name",
        "exchange",
        "exchange_short",
        "currency",
        "country",
        "is_etf",
        "is_adr",
      ],
    }),
    db.readAll(companyProfilesTable, {
      where: { ticker: own },
      columns: [
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
      ],
    }),
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
    db.readAll(ttmValuationTable, {
      where: {
        ticker: own,
        valuation_date: { gte: daysBefore(yearsBefore(day, 5), VALUATION_STALE_DAYS), lte: day },
        filing_date: { lte: day },
      },
      columns: [
        "ticker",
        "valuation_date",
        "filing_date",
        "price",
        "market_cap",
        "pe_ratio",
        "ev_ebitda",
        "price_to_fcf",
        "price_to_sales",
      ],
    }),
    db.readAll(financialScoresTable, { where: { ticker: own, score_date: day } }),
    db.readAll(dividendsTable, {
      where: {
        ticker: own,
        filing_date: { lte: day },
        year: { gte: getYear(parseISO(day)) - HISTORY_YEARS },
      },
    }),
    db.readAll(datosPerformanceTable, {
      where: { performance_date: day, ticker: withMarket },
      columns: ["ticker", "performance_date", "window_code", "return_percent", "max_drawdown"],
    }),
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

  // Industries the chunk's tickers sit in on D, or name in their profile (the fallback).
  const industries = new Set<string>();
  for (const t of tickers) {
    const industry = members.get(t)?.industry;
    if (industry) industries.add(industry);
  }
  for (const p of profiles) if (!members.has(p.ticker) && p.industry) industries.add(p.industry);
  const industryPerformance = await db.readAll(industryPerformanceTable, {
    where: {
      industry: { in: [...industries] },
      performance_date: { gte: daysBefore(day, CONTEXT_STALE_DAYS), lte: day },
    },
  });

  const financialRows = financials as FinancialInput[];
  const peersByIndustry = groupBy(
    financialRows.filter((r) => r.period_type === "FY" && members.has(r.ticker)),
    (r) => (members.get(r.ticker) as Membership).industry,
  );
  const pricesOf = groupBy(prices, (p) => p.ticker);
  const performanceOf = groupBy(performance, (r) => r.ticker);
  const universeOf = new Map(universe.map((u) => [u.ticker, u]));
  const profileOf = new Map(profiles.map((p) => [p.ticker, p]));
  const financialsOf = groupBy(financialRows, (r) => r.ticker);
  const valuationsOf = groupBy(valuations, (r) => r.ticker);
  const scoresOf = groupBy(scores, (r) => r.ticker);
  const dividendsOf = groupBy(dividends, (r) => r.ticker);

  const context: DayContext = {
    day,
    marketPrices: pricesOf.get(MARKET_BENCHMARK) ?? [],
    marketPerformance: performanceOf.get(MARKET_BENCHMARK) ?? [],
    sectorPerformance: groupBy(sectorPerformance, (r) => r.sector),
    industryPerformance: groupBy(industryPerformance, (r) => r.industry),
    sectorPe: groupBy(sectorPe, (r) => r.sector),
    benchmarks: groupBy(benchmarks as SectorBenchmarkRow[], (r) => r.sector),
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
