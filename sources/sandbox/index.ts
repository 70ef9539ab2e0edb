/**
 * The sandbox market: a seeded synthetic market served over HTTP in FMP's formats, with
 * fault injection. See market.ts for what the market holds, feeds.ts for the endpoints and
 * faults.ts for the fault options.
 */
export {
  CALENDAR_START,
  isNyseTradingDay,
  nyseHolidays,
  TradingCalendar,
  tradingCalendar,
} from "./calendar.ts";
export {
  BALANCE_COLUMNS,
  CASH_FLOW_COLUMNS,
  CASH_FLOW_NON_ADDITIVE,
  CSV_ENDPOINT_COLUMNS,
  EOD_COLUMNS,
  INCOME_COLUMNS,
  INCOME_NON_ADDITIVE,
  KEY_METRICS_TTM_COLUMNS,
  PEERS_COLUMNS,
  PROFILE_COLUMNS,
  RATIOS_TTM_COLUMNS,
  SCORES_COLUMNS,
} from "./columns.ts";
export type { MalformedKind } from "./csv.ts";
export type { FaultCounts, FaultOptions } from "./faults.ts";
export { type Endpoint, renderEndpoint, symbolRequests } from "./feeds.ts";
export type { FormType, SecFiling } from "./filings.ts";
export type { Period } from "./fiscal.ts";
export { createSandboxMarket, MAX_TICKERS, SandboxMarket } from "./market.ts";
export { type SandboxServer, startSandboxServer } from "./server.ts";
export { SANDBOX_API_KEY, serveSandboxStandalone } from "./standalone.ts";
export type { StatementKind } from "./statements.ts";
export { INDUSTRIES, type Industry, SECTORS, type Sector } from "./taxonomy.ts";
export { BENCHMARK_SYMBOL, type InstrumentType } from "./universe.ts";
