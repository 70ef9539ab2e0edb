/**
 * The catalogue: every FMP endpoint the pipeline reads, by FMP's own name.
 */
export {
  adjustedPricesBySymbol,
  balanceSheetStatementBySymbol,
  cashFlowStatementBySymbol,
  eodRowsOf,
  incomeStatementBySymbol,
  keyMetricsTtmBySymbol,
  peersBySymbol,
  peersRowOf,
  pricesBySymbol,
  profileBySymbol,
  ratiosTtmBySymbol,
  STATEMENTS_BY_SYMBOL,
  statementLimit,
  symbolRequests,
} from "./by-symbol.ts";
export { type EodRow, eodBulk } from "./eod.ts";
export type { StatementParams, StatementSpan, SymbolStatementParams } from "./params.ts";
export { PERIODS, type Period } from "./params.ts";
export { type PeersRow, peersBulk } from "./peers.ts";
export { type ProfileRow, profileBulk } from "./profile.ts";
export { scoresBulk } from "./scores.ts";
export { type SecFilingRow, secFilingsByFormType } from "./sec-filings.ts";
export {
  type BalanceSheetRow,
  balanceSheetStatementBulk,
  type CashFlowRow,
  cashFlowStatementBulk,
  type IncomeStatementRow,
  incomeStatementBulk,
} from "./statements.ts";
export {
  type KeyMetricsTtmRow,
  keyMetricsTtmBulk,
  type RatiosTtmRow,
  ratiosTtmBulk,
} from "./ttm.ts";
