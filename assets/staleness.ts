/**
 * How old an input may be and still count for day D: the one list every reader of
 * upstream tables shares (financial_scores, the benchmarks' inputs, the snapshot), so an
 * upstream asset never imports a rule from a downstream builder.
 */

/** A close older than this many days before D is not "the price on D". */
export const PRICE_STALE_DAYS = 10;
/** Sector benchmarks, performance and P/E context older than this are not read. */
export const CONTEXT_STALE_DAYS = 7;
/** Sector P/E context: a row older than this is missing, not partial. */
export const SECTOR_PE_STALE_DAYS = 30;
/** A valuation row older than this (days before D) is stale. */
export const VALUATION_STALE_DAYS = 200;
/** A TTM or FY row ending more than this many days before D is stale. */
export const FINANCIALS_STALE_DAYS = 550;
