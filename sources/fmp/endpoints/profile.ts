/**
 * profile-bulk: company profiles for every symbol, served in parts (part=0,1,...). The
 * client requests parts in order and stops at the first empty one.
 *
 * `marketCap` is the stable name; the legacy `mktCap` is read into it when present.
 * `fullTimeEmployees` can carry thousands separators ("164,000") and is read as a count.
 */
import { bool, date, looseCount, num, requiredText, text } from "../cells.ts";
import { defineCsvEndpoint, noParams, type RowOf } from "../endpoint.ts";

export const profileBulk = defineCsvEndpoint({
  name: "profile-bulk",
  params: noParams,
  plan: "profile-bulk needs an FMP plan that includes bulk endpoints",
  paging: "part",
  // An empty part ends the pages; an empty part 0 means no profiles at all.
  whenEmpty: "error",
  emptyHint: "no profiles at all: the plan may not include profile-bulk",
  columns: {
    symbol: requiredText,
    price: num,
    marketCap: num,
    beta: num,
    lastDividend: num,
    range: text,
    change: num,
    changePercentage: num,
    volume: num,
    averageVolume: num,
    companyName: text,
    currency: text,
    cik: text,
    isin: text,
    cusip: text,
    exchangeFullName: text,
    exchange: text,
    industry: text,
    website: text,
    description: text,
    ceo: text,
    sector: text,
    country: text,
    fullTimeEmployees: looseCount,
    phone: text,
    address: text,
    city: text,
    state: text,
    zip: text,
    image: text,
    ipoDate: date,
    defaultImage: bool,
    isEtf: bool,
    isActivelyTrading: bool,
    isAdr: bool,
    isFund: bool,
  },
  required: [
    "symbol",
    "companyName",
    "sector",
    "industry",
    "country",
    "currency",
    "exchange",
    "exchangeFullName",
    "price",
    "marketCap",
    "isEtf",
    "isAdr",
    "isFund",
    "isActivelyTrading",
  ],
  aliases: { marketCap: ["mktCap"], changePercentage: ["changesPercentage"] },
});

export type ProfileRow = RowOf<typeof profileBulk>;
