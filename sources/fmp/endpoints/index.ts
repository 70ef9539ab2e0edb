/**
 * The catalogue: every FMP endpoint the pipeline reads, by FMP's own name.
 */
import {
  adjustedPricesBySymbol,
  balanceSheetStatementBySymbol,
  cashFlowStatementBySymbol,
  incomeStatementBySymbol,
  keyMetricsTtmBySymbol,
  peersBySymbol,
  pricesBySymbol,
  profileBySymbol,
  ratiosTtmBySymbol,
} from "./by-symbol.ts";
import { eodBulk } from "./eod.ts";
import { peersBulk } from "./peers.ts";
import { profileBulk } from "./profile.ts";
import { scoresBulk } from "./scores.ts";
import { secFilingsByFormType } from "./sec-filings.ts";
import {
  balanceSheetStatementBulk,
  cashFlowStatementBulk,
  incomeStatementBulk,
} from "./statements.ts";
import { keyMetricsTtmBulk, ratiosTtmBulk } from "./ttm.ts";

export {
  type AdjustedBarRow,
  adjustedPricesBySymbol,
  balanceSheetStatementBySymbol,
  cashFlowStatementBySymbol,
  type DailyBarRow,
  eodRowsOf,
  incomeStatementBySymbol,
  keyMetricsTtmBySymbol,
  type PeerRow,
  peersBySymbol,
  peersRowOf,
  pricesBySymbol,
  profileBySymbol,
  ratiosTtmBySymbol,
  STATEMENTS_BY_SYMBOL,
  SYMBOL_STATEMENT_YEARS,
  type SymbolRequest,
  statementLimit,
  symbolRequests,
} from "./by-symbol.ts";
export { type EodRow, eodBulk } from "./eod.ts";
export type {
  DateParams,
  SecFilingsParams,
  StatementParams,
  StatementSpan,
  SymbolParams,
  SymbolRangeParams,
  SymbolStatementParams,
} from "./params.ts";
export { PERIODS, type Period, STATEMENT_SPANS } from "./params.ts";
export { type PeersRow, peersBulk } from "./peers.ts";
export { type ProfileRow, profileBulk } from "./profile.ts";
export { type ScoresRow, scoresBulk } from "./scores.ts";
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

/** All endpoints, keyed by FMP's name. */
export const fmpEndpoints = {
  "profile-bulk": profileBulk,
  "eod-bulk": eodBulk,
  "income-statement-bulk": incomeStatementBulk,
  "balance-sheet-statement-bulk": balanceSheetStatementBulk,
  "cash-flow-statement-bulk": cashFlowStatementBulk,
  "ratios-ttm-bulk": ratiosTtmBulk,
  "key-metrics-ttm-bulk": keyMetricsTtmBulk,
  "scores-bulk": scoresBulk,
  "peers-bulk": peersBulk,
  "sec-filings-search/form-type": secFilingsByFormType,
  profile: profileBySymbol,
  "income-statement": incomeStatementBySymbol,
  "balance-sheet-statement": balanceSheetStatementBySymbol,
  "cash-flow-statement": cashFlowStatementBySymbol,
  "ratios-ttm": ratiosTtmBySymbol,
  "key-metrics-ttm": keyMetricsTtmBySymbol,
  "historical-price-eod/full": pricesBySymbol,
  "historical-price-eod/dividend-adjusted": adjustedPricesBySymbol,
  "stock-peers": peersBySymbol,
} as const;
