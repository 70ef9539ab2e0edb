/**
 * fintra_universe: every symbol in FMP's profile bulk with its classification, and the root
 * of the daily graph. Downstream assets choose their tickers through `universeTickers`, so a
 * scope means the same thing everywhere.
 *
 * - Latest state, not partitioned: a run for D marks what it sees as seen on D, and only a
 *   full run deactivates the symbols it did not see; a scoped run touches its tickers only.
 * - The bulk is read one durable step per part, each returning counts, never rows.
 * - A `tickers` scope of up to SYMBOL_SCOPE_MAX reads FMP's per-symbol endpoints and writes the
 *   rows a bulk read would; a larger one reads the bulk and keeps its rows, and a `limit` ("the
 *   first N, sorted") must read every part to know its N. Every ingest asset reads scopes this
 *   way (`symbolScope`, `bySymbol`).
 */
import pLimit from "p-limit";
import { defineTable } from "../db/index.ts";
import { atLeast, skippedRowsWithin } from "../runtime/checks.ts";
import { type AssetContext, defineAsset } from "../runtime/define.ts";
import {
  type FetchReport,
  MAX_SAMPLES,
  type ProfileRow,
  profileBulk,
  profileBySymbol,
  type RowSample,
} from "../sources/fmp/index.ts";
import { guideChecks } from "./monitoring.ts";

export interface UniverseRow {
  ticker: string;
  name: string | null;
  exchange: string | null;
  exchange_short: string | null;
  currency: string | null;
  is_active: boolean;
  first_seen: string;
  last_seen: string;
  source: string;
  sector: string | null;
  industry: string | null;
  instrument_type: InstrumentType;
  is_etf: boolean | null;
  is_adr: boolean | null;
  is_fund: boolean | null;
  country: string | null;
  profile_confidence: number;
  last_profile_update: string;
}

type InstrumentType = "EQUITY" | "ETF" | "ADR" | "FUND" | "CRYPTO";

export const universeTable = defineTable<UniverseRow>({
  name: "fintra_universe",
  key: ["ticker"],
  columns: {
    ticker: "text",
    name: "text",
    exchange: "text",
    exchange_short: "text",
    currency: "text",
    is_active: "boolean",
    first_seen: "date",
    last_seen: "date",
    source: "text",
    sector: "text",
    industry: "text",
    instrument_type: "text",
    is_etf: "boolean",
    is_adr: "boolean",
    is_fund: "boolean",
    country: "text",
    profile_confidence: "numeric",
    last_profile_update: "date",
  },
});

/** The market benchmark: an ETF, but every daily asset needs its prices. */
export const MARKET_BENCHMARK = "SPY";

export function instrumentType(
  p: Pick<ProfileRow, "isEtf" | "isAdr" | "isFund" | "exchange">,
): InstrumentType {
  if (p.isEtf) return "ETF";
  if (p.isAdr) return "ADR";
  if (p.isFund) return "FUND";
  if (p.exchange === "CRYPTO" || p.exchange === "CCC") return "CRYPTO";
  return "EQUITY";
}

function profileConfidence(p: Pick<ProfileRow, "companyName" | "sector" | "industry">): number {
  if (p.companyName && p.sector && p.industry) return 1;
  return p.companyName ? 0.5 : 0;
}

function universeRow(p: ProfileRow, day: string): UniverseRow {
  return {
    ticker: p.symbol.toUpperCase(),
    name: p.companyName,
    exchange: p.exchangeFullName,
    exchange_short: p.exchange,
    currency: p.currency,
    is_active: true,
    first_seen: day,
    last_seen: day,
    source: "FMP",
    sector: p.sector,
    industry: p.industry,
    instrument_type: instrumentType(p),
    is_etf: p.isEtf,
    is_adr: p.isAdr,
    is_fund: p.isFund,
    country: p.country,
    profile_confidence: profileConfidence(p),
    last_profile_update: day,
  };
}

/** Which tickers a run covers: the active universe (optionally equities only), narrowed by the scope. */
export async function universeTickers(
  ctx: Pick<AssetContext, "db" | "scope">,
  options: { equitiesOnly: boolean; withBenchmark?: boolean },
): Promise<string[]> {
  if (ctx.scope?.tickers) return ctx.scope.tickers;
  const rows = await ctx.db.readAll(universeTable, {
    where: { is_active: true, ...(options.equitiesOnly ? { instrument_type: "EQUITY" } : {}) },
    columns: ["ticker"],
  });
  const tickers = rows.map((r) => r.ticker);
  const scoped = ctx.scope?.limit ? tickers.slice(0, ctx.scope.limit) : tickers;
  if (options.withBenchmark && !scoped.includes(MARKET_BENCHMARK)) scoped.push(MARKET_BENCHMARK);
  return scoped;
}

/**
 * Up to this many tickers, a scoped run reads per symbol. A ticker costs ~17 requests, so
 * 20 tickers are ~340 (about a minute at FMP's default 300 a minute), about what reading the
 * ~60 bulk files costs; a bigger scope reads the bulk files and keeps its tickers' rows.
 */
export const SYMBOL_SCOPE_MAX = 20;

/**
 * The tickers a run reads one by one from FMP's per-symbol endpoints: a `tickers` scope's
 * (canonical: upper-case, sorted) when it names at most SYMBOL_SCOPE_MAX, or null when the
 * run reads the bulk files (a full run, a `limit` scope, a larger `tickers` scope). A
 * per-symbol read writes exactly the rows a bulk read would write for those tickers: a
 * one-ticker run then costs a few small requests instead of every bulk file.
 */
export function symbolScope(ctx: Pick<AssetContext, "scope">): string[] | null {
  const tickers = ctx.scope?.tickers;
  return tickers && tickers.length > 0 && tickers.length <= SYMBOL_SCOPE_MAX ? [...tickers] : null;
}

/** Per-symbol requests in flight at once (a scope names at most 100 tickers). */
const SYMBOL_REQUESTS_AT_ONCE = 8;

/** What the per-symbol reads of a run add up to, for its metadata. */
interface SymbolFetchTotals {
  requests: number;
  retries: number;
  /** Valid rows the answers held. */
  rows: number;
  skipped: number;
  samples: RowSample[];
  /** Optional fields the answers lacked, "endpoint: field". */
  missingColumns: string[];
}

export function noSymbolFetches(): SymbolFetchTotals {
  return { requests: 0, retries: 0, rows: 0, skipped: 0, samples: [], missingColumns: [] };
}

/** Adds one answer's report to the totals (samples capped, symbols kept). */
export function addSymbolReport(totals: SymbolFetchTotals, report: FetchReport): void {
  totals.requests += report.requests;
  totals.retries += report.retries;
  totals.rows += report.rows;
  totals.skipped += report.skipped;
  for (const sample of report.samples) {
    if (totals.samples.length < MAX_SAMPLES) totals.samples.push(sample);
  }
  for (const column of report.missingColumns) {
    const named = `${report.endpoint}: ${column}`;
    if (!totals.missingColumns.includes(named)) totals.missingColumns.push(named);
  }
}

/**
 * Runs `read` for each ticker (or per-ticker request), SYMBOL_REQUESTS_AT_ONCE at a time;
 * results in input order. The client's rate limit and retries apply to every request as to
 * a bulk read.
 */
export async function bySymbol<Item, T>(
  items: readonly Item[],
  read: (item: Item) => Promise<T>,
): Promise<T[]> {
  const limit = pLimit(SYMBOL_REQUESTS_AT_ONCE);
  return Promise.all(items.map((item) => limit(() => read(item))));
}

/** The profiles of `tickers` from FMP's per-symbol `profile` (a ticker FMP does not know has none). */
export async function profilesBySymbol(
  ctx: Pick<AssetContext, "fmp">,
  tickers: readonly string[],
): Promise<{ profiles: ProfileRow[]; fetched: SymbolFetchTotals }> {
  const fetched = noSymbolFetches();
  const answers = await bySymbol(tickers, (symbol) => ctx.fmp().json(profileBySymbol, { symbol }));
  const profiles: ProfileRow[] = [];
  for (const { rows, report } of answers) {
    addSymbolReport(fetched, report);
    profiles.push(...rows);
  }
  return { profiles, fetched };
}

/** A per-symbol profile read as the totals a bulk read reports (no parts). */
export function profileTotals(
  fetched: SymbolFetchTotals,
  written: number,
  wanted: number | null,
): ProfilePartsTotal {
  return {
    parts: 0,
    profiles: fetched.rows,
    written,
    skipped: fetched.skipped,
    samples: fetched.samples,
    requests: fetched.requests,
    retries: fetched.retries,
    wanted,
  };
}

/**
 * A `tickers`-scoped run: each ticker's profile from FMP's per-symbol endpoint, written as
 * a bulk read would write it (with a `limit` as well: the N smallest of those tickers).
 */
async function tickersBySymbol(
  ctx: Pick<AssetContext, "fmp" | "db">,
  day: string,
  tickers: readonly string[],
  limit: number | undefined,
): Promise<ProfilePartsTotal> {
  const { profiles, fetched } = await profilesBySymbol(ctx, tickers);
  const wanted = new Set(tickers);
  const kept = new Map<string, UniverseRow>();
  for (const profile of profiles) {
    const row = universeRow(profile, day);
    if (wanted.has(row.ticker)) kept.set(row.ticker, row);
  }
  const ordered = [...kept.keys()].sort(byText).slice(0, limit ?? kept.size);
  const written = await ctx.db.upsert(
    universeTable,
    ordered.map((ticker) => kept.get(ticker) as UniverseRow),
    { keepOnConflict: ["first_seen"] },
  );
  return profileTotals(fetched, written, null);
}

/** Rows per upsert. */
const BATCH = 5_000;

/** Safety stop: profile-bulk comes in parts of a few thousand rows; 100 is far past 45K. */
export const MAX_PROFILE_PARTS = 100;

/** Skipped-row samples one part step keeps: a step returns counts, never the data. */
const PART_SAMPLES = 3;

/** What one `profiles-part-N` step returns: counts only, a few hundred bytes. */
interface ProfilePartCounts {
  /** false: the part does not exist (past the last one), so the walk ends here. */
  found: boolean;
  /** Valid profiles in the part. */
  profiles: number;
  /** Rows the step wrote. */
  written: number;
  skipped: number;
  samples: RowSample[];
  requests: number;
  retries: number;
  /** The part's first-row fingerprint (kept from part 0 to spot FMP ignoring `part=`). */
  fingerprint: string | null;
  /** The number of tickers the writer keeps (company_profiles' equities), when it says. */
  wanted: number | null;
}

/** The parts summed, for the run's metadata. */
export interface ProfilePartsTotal {
  /** Parts that had rows. */
  parts: number;
  profiles: number;
  written: number;
  skipped: number;
  /** The first skipped rows met, at most MAX_SAMPLES. */
  samples: RowSample[];
  requests: number;
  retries: number;
  /** The last part's `wanted`. */
  wanted: number | null;
}

/** Made inside each part step: where the part's rows go. */
interface ProfileWriter {
  /** Writes a batch of profiles; returns rows written. */
  write(batch: ProfileRow[]): Promise<number>;
  /** How many tickers the writer keeps, reported in the counts. */
  wanted?: number;
}

/**
 * Reads profile-bulk one durable step per part (`profiles-part-0`, `profiles-part-1`, ...)
 * until a part comes back empty (that last step reads nothing and says so). Each step
 * streams its part into `open()`'s writer and returns counts only; the totals add them up.
 * More than MAX_PROFILE_PARTS parts is an error rather than an endless run.
 */
export async function stepThroughProfileParts(
  ctx: Pick<AssetContext, "asset" | "fmp" | "step">,
  open: () => Promise<ProfileWriter>,
): Promise<ProfilePartsTotal> {
  const total: ProfilePartsTotal = {
    parts: 0,
    profiles: 0,
    written: 0,
    skipped: 0,
    samples: [],
    requests: 0,
    retries: 0,
    wanted: null,
  };
  let part0Fingerprint: string | undefined;
  for (let part = 0; ; part++) {
    if (part >= MAX_PROFILE_PARTS) {
      throw new Error(
        `${ctx.asset}: profile-bulk has more than ${MAX_PROFILE_PARTS} parts without an empty one; stopped (raise MAX_PROFILE_PARTS if FMP really serves that many)`,
      );
    }
    const counts = await ctx.step(`profiles-part-${part}`, async (): Promise<ProfilePartCounts> => {
      const writer = await open();
      const stream = ctx
        .fmp()
        .csv(
          profileBulk,
          {},
          { part, batchSize: BATCH, ...(part0Fingerprint ? { part0Fingerprint } : {}) },
        );
      let written = 0;
      for await (const batch of stream) written += await writer.write(batch);
      const report = stream.report;
      return {
        found: report.parts !== 0,
        profiles: report.rows,
        written,
        skipped: report.skipped,
        samples: report.samples
          .slice(0, PART_SAMPLES)
          .map((sample) => ({ ...sample, reason: sample.reason.slice(0, 200) })),
        requests: report.requests,
        retries: report.retries,
        fingerprint: report.fingerprint ?? null,
        wanted: writer.wanted ?? null,
      };
    });
    if (part === 0) part0Fingerprint = counts.fingerprint ?? undefined;
    total.requests += counts.requests;
    total.retries += counts.retries;
    if (!counts.found) break;
    total.parts++;
    total.profiles += counts.profiles;
    total.written += counts.written;
    total.skipped += counts.skipped;
    total.samples.push(...counts.samples.slice(0, MAX_SAMPLES - total.samples.length));
    total.wanted = counts.wanted;
  }
  return total;
}

/**
 * A limit-scoped run ("the first N tickers", sorted, as downstream reads them): one step
 * reads every part in one stream, keeping only the N smallest tickers, then writes them.
 */
async function firstTickers(
  ctx: Pick<AssetContext, "fmp" | "db">,
  day: string,
  limit: number,
  wanted: ReadonlySet<string> | null,
): Promise<ProfilePartsTotal> {
  const stream = ctx.fmp().csv(profileBulk, {}, { batchSize: BATCH });
  let kept = new Map<string, UniverseRow>();
  const trim = () => {
    const tickers = [...kept.keys()].sort(byText).slice(0, limit);
    kept = new Map(tickers.map((ticker) => [ticker, kept.get(ticker) as UniverseRow]));
  };
  for await (const batch of stream) {
    for (const profile of batch) {
      const row = universeRow(profile, day);
      if (!wanted || wanted.has(row.ticker)) kept.set(row.ticker, row);
    }
    if (kept.size > 2 * limit) trim();
  }
  trim();
  const written = await ctx.db.upsert(universeTable, [...kept.values()], {
    keepOnConflict: ["first_seen"],
  });
  const { rows, skipped, samples, requests, retries, parts } = stream.report;
  return {
    parts: parts ?? 0,
    profiles: rows,
    written,
    skipped,
    samples,
    requests,
    retries,
    wanted: null,
  };
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export default defineAsset({
  key: "fintra_universe",
  description:
    "Every FMP symbol with sector, industry and instrument type; inactive when gone from FMP",
  deps: [],
  partitioned: false,
  cron: "TZ=America/New_York 30 18 * * 1-5",
  sources: ["fmp"],
  tables: [universeTable],
  checks: [
    atLeast("rows", 1),
    skippedRowsWithin({ figures: { read: "profiles" } }),
    ...guideChecks("fintra_universe"),
  ],
  async materialize(ctx) {
    const day = ctx.runDate;
    const limit = ctx.scope?.limit;
    const wanted = ctx.scope?.tickers ? new Set(ctx.scope.tickers) : null;
    const symbols = symbolScope(ctx);
    const seen = symbols
      ? await ctx.step("profiles-by-symbol", () => tickersBySymbol(ctx, day, symbols, limit))
      : limit
        ? await ctx.step("profiles-limit", () => firstTickers(ctx, day, limit, wanted))
        : await stepThroughProfileParts(ctx, async () => ({
            write: (batch) =>
              ctx.db.upsert(
                universeTable,
                batch
                  .map((p) => universeRow(p, day))
                  .filter((r) => !wanted || wanted.has(r.ticker)),
                { keepOnConflict: ["first_seen"] },
              ),
          }));

    // After every part: only then is a symbol missing from all of them really gone.
    const deactivated = ctx.scope
      ? 0
      : await ctx.step("deactivate-missing", () =>
          ctx.db.update(
            universeTable,
            { is_active: true, last_seen: { lt: day } },
            { is_active: false },
          ),
        );

    // The day's size, for the guide's figures (assets/monitoring.ts) to be judged at.
    const active = ctx.scope
      ? null
      : await ctx.step("count-active", async () => {
          const rows = await ctx.db.readAll(universeTable, {
            where: { is_active: true },
            columns: ["instrument_type"],
          });
          return {
            active: rows.length,
            activeEquities: rows.filter((r) => r.instrument_type === "EQUITY").length,
          };
        });

    return {
      rows: seen.written,
      metadata: {
        ...(active ?? {}),
        profiles: seen.profiles,
        deactivated,
        skipped: seen.skipped,
        skippedSamples: seen.samples,
        requests: seen.requests,
        retries: seen.retries,
        parts: seen.parts,
      },
    };
  },
});
