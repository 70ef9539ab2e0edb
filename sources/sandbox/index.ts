/**
 * The sandbox market: a seeded synthetic market served over HTTP in FMP's formats, with
 * fault injection. See market.ts for what the market holds, feeds.ts for the endpoints and
 * faults.ts for the fault options.
 */
export {
  CALENDAR_END,
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
  type CsvEndpoint,
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
export type {
  FaultCounts,
  FaultOptions,
  FaultRule,
  MalformedRowsFault,
  RateLimitFault,
  ServerErrorFault,
  SlowFault,
  TruncateFault,
} from "./faults.ts";
export {
  ENDPOINTS,
  type Endpoint,
  renderEndpoint,
  type SymbolRequest,
  symbolRequests,
} from "./feeds.ts";
export type { FormType, SecFiling } from "./filings.ts";
export type { Period } from "./fiscal.ts";
export {
  createSandboxMarket,
  DEFAULT_HISTORY_YEARS,
  DEFAULT_PROFILE_PART_SIZE,
  DEFAULT_SEED,
  DEFAULT_TICKERS,
  type EodRow,
  MAX_TICKERS,
  SandboxMarket,
  type SandboxMarketOptions,
  type SandboxTicker,
} from "./market.ts";
export {
  type SandboxServer,
  type SandboxServerOptions,
  type SandboxStats,
  startSandboxServer,
} from "./server.ts";
export { SANDBOX_API_KEY, type StandaloneOptions, serveSandboxStandalone } from "./standalone.ts";
export type { StatementKind } from "./statements.ts";
export { INDUSTRIES, type Industry, SECTORS, type Sector } from "./taxonomy.ts";
export { BENCHMARK_SYMBOL, type InstrumentType } from "./universe.ts";
