/**
 * Units used on every engine input and output.
 *
 * These are aliases, not brands: callers pass plain numbers read from our tables, and the
 * alias on each field says which scale the number is on. Mixing scales is the classic bug
 * here (a margin of 15 read as 1500 %), so every field names its unit through one of these.
 */

/** Decimal fraction: 0.15 = 15 %. Margins, ROIC, ROE, CAGRs, growth rates. */
export type Ratio = number;

/** A plain multiple: P/E 18, EV/EBITDA 12, debt/equity 0.5, interest coverage 8. */
export type Multiple = number;

/** Percent number: 15 = +15 %. Market returns, payout ratios, drawdowns. */
export type Percent = number;

/** Difference of two percents in percentage points: alpha, relative_vs_* columns. */
export type PercentagePoints = number;

/** Score on 0..100. */
export type Score = number;

/** Percentile rank on 0..100 within a peer distribution. */
export type Percentile = number;

/** Confidence on 0..100. */
export type ConfidencePercent = number;

/** Currency amount as reported in the statements (revenue, debt, market cap). */
export type Money = number;

/** Share count (units of shares). */
export type Shares = number;

/** Price of one share in the reporting currency. */
export type Price = number;

/** Money per share: EPS, dividend per share. */
export type PerShare = number;

/** A span of years (may be fractional). */
export type Years = number;

/** A calendar or fiscal year, e.g. 2023. */
export type Year = number;

/** A plain count. */
export type Count = number;

/** Calendar date as ISO text, `YYYY-MM-DD`. Engines never read the clock: as-of dates come in. */
export type IsoDate = string;

/** A weight between 0 and 1. */
export type Weight = number;
