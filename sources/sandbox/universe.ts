/**
 * The sandbox's instruments: stocks and ETFs with symbols, names, classification, listing
 * and delisting dates, fiscal calendars and identifiers.
 *
 * Instrument i is drawn from its own generator seeded by (seed, i), so a market of 500
 * tickers is the first 500 instruments of a market of 5,000 with the same seed. Nothing
 * here depends on the market's `asOf`: dates only decide what is visible when.
 */
import { addDays, differenceInCalendarDays } from "date-fns";
import { isNyseTradingDay, toDate, toIso } from "./calendar.ts";
import { hash2, hashString, Rng } from "./random.ts";
import {
  EXCHANGES,
  type Exchange,
  exchangeByCode,
  INDUSTRIES_BY_SECTOR,
  SECTOR_WEIGHTS,
  SECTORS,
  type Sector,
} from "./taxonomy.ts";

export const BENCHMARK_SYMBOL = "SPY";

export type InstrumentType = "stock" | "etf";

/** One instrument as generated; `asOf`-dependent views (active, listed) are the market's. */
export interface Instrument {
  /** Position in the universe, which is sorted by symbol. */
  index: number;
  /** Hash key of this instrument: every random quantity about it derives from it. */
  key: number;
  symbol: string;
  name: string;
  type: InstrumentType;
  sector: Sector;
  industry: string;
  /** For ETFs: the sector it tracks, or null for a broad-market fund. */
  trackedSector: Sector | null;
  exchange: Exchange;
  country: string;
  currency: string;
  isAdr: boolean;
  ipoDate: string;
  /** Last trading day before delisting, or null for instruments that stay listed. */
  delistedDate: string | null;
  /** Month (1-12) in which the fiscal year ends. */
  fiscalYearEndMonth: number;
  /** True for 52/53-week fiscal calendars: periods end on the last Saturday of the month. */
  weekBasedFiscalYear: boolean;
  /** Ten-digit SEC CIK for US filers, null otherwise. */
  cik: string | null;
  isin: string;
  cusip: string;
  ceo: string;
  city: string;
  state: string;
  zip: string;
  address: string;
  phone: string;
  website: string;
}

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

const NAME_HEADS = [
  "Ar",
  "Bel",
  "Cor",
  "Dal",
  "Ev",
  "Fen",
  "Gal",
  "Hal",
  "Ir",
  "Jun",
  "Kel",
  "Lum",
  "Mar",
  "Nor",
  "Or",
  "Pel",
  "Quan",
  "Ros",
  "Sol",
  "Tal",
  "Ul",
  "Ver",
  "Wex",
  "Xan",
  "Yor",
  "Zen",
  "Aster",
  "Brio",
  "Cal",
  "Dun",
  "Ember",
  "Flint",
  "Gran",
  "Helio",
  "Ion",
  "Kestr",
];
const NAME_TAILS = [
  "ada",
  "ant",
  "ex",
  "ia",
  "ion",
  "is",
  "ix",
  "on",
  "ora",
  "um",
  "us",
  "yn",
  "ell",
  "ar",
  "ico",
  "eon",
  "ford",
  "wick",
  "vale",
  "ton",
];

const SECTOR_NOUNS: Record<Sector, readonly string[]> = {
  "Basic Materials": ["Materials", "Mining", "Chemical", "Resources", "Metals"],
  "Communication Services": ["Media", "Communications", "Networks", "Interactive"],
  "Consumer Cyclical": ["Brands", "Motors", "Retail", "Leisure", "Apparel", "Homes"],
  "Consumer Defensive": ["Foods", "Beverage", "Consumer Products", "Farms", "Markets"],
  Energy: ["Energy", "Petroleum", "Oil & Gas", "Midstream", "Power"],
  "Financial Services": ["Financial", "Bancorp", "Capital", "Insurance", "Trust"],
  Healthcare: ["Therapeutics", "Pharmaceuticals", "Medical", "Health", "Biosciences"],
  Industrials: ["Industries", "Aerospace", "Logistics", "Machinery", "Engineering"],
  "Real Estate": ["Realty", "Properties", "REIT", "Land", "Residential"],
  Technology: ["Systems", "Software", "Semiconductor", "Technologies", "Data", "Digital"],
  Utilities: ["Utilities", "Electric", "Water", "Gas & Electric", "Power"],
};

const LEGAL_FORMS: Record<string, readonly string[]> = {
  US: ["Inc.", "Corp.", "Holdings, Inc.", "Co.", "Group, Inc.", "Ltd."],
  GB: ["plc", "Group plc", "Holdings plc"],
  CA: ["Inc.", "Corp.", "Ltd."],
  DE: ["AG", "SE", "Group AG"],
  IN: ["Limited", "Industries Limited"],
  JP: ["Co., Ltd.", "Corporation", "Holdings Inc."],
};

const FIRST_NAMES = [
  "Alex",
  "Maria",
  "James",
  "Priya",
  "Chen",
  "Sofia",
  "David",
  "Amara",
  "Lukas",
  "Yuki",
  "Fatima",
  "Robert",
  "Elena",
  "Kwame",
  "Hannah",
  "Diego",
  "Ingrid",
  "Omar",
  "Grace",
  "Ravi",
];
const LAST_NAMES = [
  "Carter",
  "Okafor",
  "Lindqvist",
  "Tanaka",
  "Moreau",
  "Haddad",
  "Brennan",
  "Iyer",
  "Novak",
  "Schmidt",
  "Alvarez",
  "Nakamura",
  "O'Neill",
  "Kowalski",
  "Mensah",
  "Fischer",
  "Rossi",
  "Park",
];

const CITIES: Record<string, readonly (readonly [string, string, string])[]> = {
  US: [
    ["New York", "NY", "10"],
    ["San Jose", "CA", "95"],
    ["Austin", "TX", "78"],
    ["Chicago", "IL", "60"],
    ["Boston", "MA", "02"],
    ["Denver", "CO", "80"],
    ["Atlanta", "GA", "30"],
    ["Seattle", "WA", "98"],
  ],
  GB: [
    ["London", "", ""],
    ["Manchester", "", ""],
  ],
  CA: [
    ["Toronto", "ON", ""],
    ["Calgary", "AB", ""],
  ],
  DE: [
    ["Frankfurt", "", ""],
    ["Munich", "", ""],
  ],
  IN: [
    ["Mumbai", "MH", ""],
    ["Bengaluru", "KA", ""],
  ],
  JP: [
    ["Tokyo", "", ""],
    ["Osaka", "", ""],
  ],
};

const ADR_COUNTRIES = ["GB", "DE", "JP", "CN", "IL", "NL", "CH", "BR", "IN"];

const STREETS = ["Market Street", "Harbor Drive", "Commerce Way", "Innovation Park", "Main Street"];

/**
 * Industries are not equally common (regional banks, biotech and application software are
 * crowded; uranium is not): weights fall with a fixed, name-hashed rank, so even a small
 * universe has industries with enough members to compare.
 */
const INDUSTRY_WEIGHTS: Record<string, readonly (readonly [string, number])[]> = Object.fromEntries(
  SECTORS.map((sector) => {
    const ranked = [...INDUSTRIES_BY_SECTOR[sector]].sort((a, b) => hashString(a) - hashString(b));
    return [sector, ranked.map((name, rank) => [name, 1 / (1 + rank)] as const)];
  }),
);

/** Share of instruments that are ETFs, and of stocks that get delisted. */
const ETF_SHARE = 0.06;
const DELISTED_SHARE = 0.04;

function letters(rng: Rng, length: number): string {
  let text = "";
  for (let i = 0; i < length; i++) text += LETTERS[rng.int(0, 25)];
  return text;
}

function symbolFor(rng: Rng, exchange: Exchange, type: InstrumentType): string {
  switch (exchange.code) {
    case "JPX":
      return `${rng.int(1300, 9999)}${exchange.suffix}`;
    case "NSE":
      return `${letters(rng, rng.int(4, 8))}${exchange.suffix}`;
    case "LSE":
    case "TSX":
    case "XETRA":
      return `${letters(rng, rng.int(2, 4))}${exchange.suffix}`;
    default: {
      const length =
        type === "etf"
          ? rng.int(3, 4)
          : rng.weighted<number>([
              [1, 1],
              [2, 6],
              [3, 38],
              [4, 55],
            ]);
      return letters(rng, length);
    }
  }
}

function randomDate(rng: Rng, from: string, to: string): string {
  const start = toDate(from);
  const span = differenceInCalendarDays(toDate(to), start);
  return toIso(addDays(start, rng.int(0, span)));
}

/** Moves a date forward to the first NYSE trading day (listing and delisting happen on one). */
function tradingDayOnOrAfter(iso: string): string {
  let date = toDate(iso);
  while (!isNyseTradingDay(toIso(date))) date = addDays(date, 1);
  return toIso(date);
}

function fiscalYearEndMonth(rng: Rng, country: string): number {
  if (country === "IN" || country === "JP") return rng.chance(0.82) ? 3 : 12;
  if (country === "GB")
    return rng.weighted<number>([
      [12, 60],
      [3, 25],
      [6, 15],
    ]);
  if (country !== "US") return rng.chance(0.85) ? 12 : 6;
  return rng.weighted<number>([
    [12, 72],
    [9, 8],
    [6, 7],
    [3, 4],
    [1, 5],
    [rng.pick([2, 4, 5, 7, 8, 10, 11]), 4],
  ]);
}

/** ISO 6166 check digit (Luhn over the letters-as-numbers expansion). */
function isinCheckDigit(body: string): string {
  let digits = "";
  for (const ch of body) digits += Number.parseInt(ch, 36).toString();
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

function alphanumeric(rng: Rng, length: number): string {
  let text = "";
  for (let i = 0; i < length; i++) text += ALPHANUMERIC[rng.int(0, 35)];
  return text;
}

function slug(name: string): string {
  return name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .slice(0, 2)
    .join("");
}

interface Draft extends Omit<Instrument, "index" | "key"> {
  ordinal: number;
}

function draftBenchmark(): Draft {
  const exchange = exchangeByCode("AMEX");
  return {
    ordinal: 0,
    symbol: BENCHMARK_SYMBOL,
    name: "SPDR S&P 500 ETF Trust",
    type: "etf",
    sector: "Financial Services",
    industry: "Asset Management",
    trackedSector: null,
    exchange,
    country: "US",
    currency: "USD",
    isAdr: false,
    ipoDate: "1993-01-29",
    delistedDate: null,
    fiscalYearEndMonth: 12,
    weekBasedFiscalYear: false,
    cik: "0000884394",
    isin: "US78462F1030",
    cusip: "78462F103",
    ceo: "",
    city: "Boston",
    state: "MA",
    zip: "02111",
    address: "1 Lincoln Street",
    phone: "(617) 555-0100",
    website: "https://www.spdrs.example",
  };
}

function draftInstrument(seed: number, ordinal: number, taken: Set<string>): Draft {
  const rng = new Rng(hash2(seed, ordinal));
  const type: InstrumentType = rng.chance(ETF_SHARE) ? "etf" : "stock";
  const exchange =
    type === "etf"
      ? exchangeByCode(rng.chance(0.8) ? "AMEX" : "NASDAQ")
      : rng.weighted(EXCHANGES.map((e) => [e, e.weight] as const));
  let symbol = symbolFor(rng, exchange, type);
  // Collisions are resolved by drawing again from the same stream, so they stay deterministic.
  while (taken.has(symbol)) symbol = symbolFor(rng, exchange, type);
  taken.add(symbol);

  const sector = rng.weighted(SECTORS.map((s) => [s, SECTOR_WEIGHTS[s]] as const));
  const trackedSector = type === "etf" && rng.chance(0.6) ? sector : null;
  const isAdr = type === "stock" && exchange.country === "US" && rng.chance(0.04);
  const country = isAdr ? rng.pick(ADR_COUNTRIES) : exchange.country;
  const legalCountry = LEGAL_FORMS[exchange.country] ? exchange.country : "US";

  const root = `${rng.pick(NAME_HEADS)}${rng.pick(NAME_TAILS)}`;
  const name =
    type === "etf"
      ? `${root} ${trackedSector ?? "Total Market"} ${rng.pick(["ETF", "Index ETF", "Select ETF"])}`
      : `${root} ${rng.pick(SECTOR_NOUNS[sector])} ${rng.pick(LEGAL_FORMS[legalCountry] ?? ["Inc."])}`;

  const ipoDraw = rng.chance(0.8)
    ? randomDate(rng, "1980-01-02", "2009-12-31")
    : randomDate(rng, "2010-01-04", "2025-06-30");
  const ipoDate = ipoDraw >= "2000-01-03" ? tradingDayOnOrAfter(ipoDraw) : ipoDraw;
  let delistedDate: string | null = null;
  if (type === "stock" && rng.chance(DELISTED_SHARE)) {
    const candidate = tradingDayOnOrAfter(randomDate(rng, "2021-01-04", "2025-10-31"));
    if (differenceInCalendarDays(toDate(candidate), toDate(ipoDate)) > 400)
      delistedDate = candidate;
  }

  const cityChoices = CITIES[exchange.country] ?? CITIES.US ?? [];
  const [city, state, zipPrefix] = rng.pick(cityChoices);
  const usListed = exchange.country === "US";
  const cusip = usListed ? `${alphanumeric(rng, 8)}${rng.int(0, 9)}` : "";
  const isinBody = usListed ? `US${cusip}` : `${exchange.country}${alphanumeric(rng, 9)}`;
  const ceo = type === "etf" ? "" : `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;

  return {
    ordinal,
    symbol,
    name,
    type,
    sector: type === "etf" ? "Financial Services" : sector,
    industry: type === "etf" ? "Asset Management" : rng.weighted(INDUSTRY_WEIGHTS[sector] ?? []),
    trackedSector,
    exchange,
    country,
    currency: exchange.currency,
    isAdr,
    ipoDate,
    delistedDate,
    fiscalYearEndMonth: fiscalYearEndMonth(rng, country),
    weekBasedFiscalYear: usListed && rng.chance(0.1),
    cik: usListed ? String(rng.int(1_000_000, 1_999_999)).padStart(10, "0") : null,
    isin: `${isinBody}${isinCheckDigit(isinBody)}`,
    cusip,
    ceo,
    city,
    state,
    zip: zipPrefix ? `${zipPrefix}${String(rng.int(100, 999))}` : "",
    address: `${rng.int(1, 999)} ${rng.pick(STREETS)}`,
    phone: usListed
      ? `(${rng.int(201, 989)}) 555-${String(rng.int(0, 9999)).padStart(4, "0")}`
      : "",
    website: `https://www.${slug(root)}.example`,
  };
}

/**
 * A few real symbols, so the operations guide's queries that name one (AAPL)
 * find it. Only the symbol, listing, classification and fiscal year end are
 * real; every figure behind them is as synthetic as the rest of the market.
 */
const WELL_KNOWN: Record<
  number,
  { symbol: string; name: string; industry: string; fiscalYearEndMonth: number; cik: string }
> = {
  1: {
    symbol: "AAPL",
    name: "Apple Inc.",
    industry: "Consumer Electronics",
    fiscalYearEndMonth: 9,
    cik: "0000320193",
  },
  2: {
    symbol: "MSFT",
    name: "Microsoft Corporation",
    industry: "Software - Infrastructure",
    fiscalYearEndMonth: 6,
    cik: "0000789019",
  },
};

function wellKnown(draft: Draft): Draft {
  const real = WELL_KNOWN[draft.ordinal];
  if (!real) return draft;
  return {
    ...draft,
    symbol: real.symbol,
    name: real.name,
    type: "stock",
    sector: "Technology",
    industry: real.industry,
    trackedSector: null,
    exchange: exchangeByCode("NASDAQ"),
    country: "US",
    currency: "USD",
    isAdr: false,
    delistedDate: null,
    fiscalYearEndMonth: real.fiscalYearEndMonth,
    cik: real.cik,
  };
}

/** Builds `count` instruments (SPY always among them), sorted by symbol. */
export function buildUniverse(seed: number, count: number): Instrument[] {
  if (!Number.isInteger(count) || count < 1) throw new Error(`tickers must be a positive integer`);
  const taken = new Set<string>([
    BENCHMARK_SYMBOL,
    ...Object.values(WELL_KNOWN).map((w) => w.symbol),
  ]);
  const drafts: Draft[] = [draftBenchmark()];
  for (let ordinal = 1; ordinal < count; ordinal++)
    drafts.push(wellKnown(draftInstrument(seed, ordinal, taken)));

  // CIKs identify filers; a duplicate would make a filing link ambiguous, so bump it.
  const ciks = new Set<string>();
  for (const draft of drafts) {
    if (draft.cik === null) continue;
    let cik = draft.cik;
    while (ciks.has(cik)) cik = String(Number(cik) + 1).padStart(10, "0");
    ciks.add(cik);
    draft.cik = cik;
  }

  drafts.sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  return drafts.map(({ ordinal, ...draft }, index) => ({
    ...draft,
    index,
    key: hash2(seed ^ 0x5eed, hashString(draft.symbol) ^ ordinal),
  }));
}
