/**
 * ratios-ttm-bulk and key-metrics-ttm-bulk: trailing-twelve-month ratios and metrics per
 * symbol.
 *
 * spec/pipeline.md marks these column names [VERIFY]: the old code read v3 names
 * (`priceEarningsRatioTTM`, `roicTTM`, ...) that the stable API renamed. Our choice: every
 * value is returned under its stable name (the `priceToEarnings...` / `...RatioTTM` /
 * `returnOnInvestedCapitalTTM` family, as FMP's stable docs and clients spell them), and a
 * header that still uses a legacy name is read into the stable key through `aliases`. So
 * `row.priceToEarningsRatioTTM` is filled whichever spelling the file uses. Two meanings
 * moved between files in the stable API: ROE and EV/EBITDA live in key-metrics
 * (`returnOnEquityTTM`, `evToEBITDATTM`); ratios keeps `enterpriseValueMultipleTTM`
 * (EV/EBITDA as well), which also reads the old ratios column `evToEbitdaTTM`.
 * Only the symbol and one headline column per file are required in the header, so a
 * renamed secondary column reads as null instead of stopping the run.
 */
import { num, requiredText } from "../cells.ts";
import { defineCsvEndpoint, noParams, type RowOf } from "../endpoint.ts";

const PLAN = "TTM bulks need an FMP plan that includes bulk endpoints";

export const ratiosTtmBulk = defineCsvEndpoint({
  name: "ratios-ttm-bulk",
  params: noParams,
  plan: PLAN,
  columns: {
    symbol: requiredText,
    grossProfitMarginTTM: num,
    ebitdaMarginTTM: num,
    operatingProfitMarginTTM: num,
    netProfitMarginTTM: num,
    currentRatioTTM: num,
    quickRatioTTM: num,
    priceToEarningsRatioTTM: num,
    priceToEarningsGrowthRatioTTM: num,
    priceToBookRatioTTM: num,
    priceToSalesRatioTTM: num,
    priceToFreeCashFlowRatioTTM: num,
    priceToOperatingCashFlowRatioTTM: num,
    debtToAssetsRatioTTM: num,
    debtToEquityRatioTTM: num,
    interestCoverageRatioTTM: num,
    dividendPayoutRatioTTM: num,
    dividendYieldTTM: num,
    dividendPerShareTTM: num,
    enterpriseValueTTM: num,
    enterpriseValueMultipleTTM: num,
    revenuePerShareTTM: num,
    netIncomePerShareTTM: num,
    bookValuePerShareTTM: num,
    freeCashFlowPerShareTTM: num,
    effectiveTaxRateTTM: num,
  },
  required: ["symbol", "priceToEarningsRatioTTM"],
  aliases: {
    priceToEarningsRatioTTM: ["priceEarningsRatioTTM", "peRatioTTM"],
    priceToEarningsGrowthRatioTTM: ["priceEarningsToGrowthRatioTTM", "pegRatioTTM"],
    priceToBookRatioTTM: ["priceBookValueRatioTTM", "pbRatioTTM"],
    priceToSalesRatioTTM: ["priceSalesRatioTTM"],
    priceToFreeCashFlowRatioTTM: ["priceToFreeCashFlowsRatioTTM"],
    priceToOperatingCashFlowRatioTTM: ["priceToOperatingCashFlowsRatioTTM"],
    debtToEquityRatioTTM: ["debtEquityRatioTTM"],
    debtToAssetsRatioTTM: ["debtRatioTTM"],
    interestCoverageRatioTTM: ["interestCoverageTTM"],
    dividendPayoutRatioTTM: ["payoutRatioTTM"],
    dividendYieldTTM: ["dividendYielTTM"],
    enterpriseValueMultipleTTM: ["evToEbitdaTTM"],
  },
});

export const keyMetricsTtmBulk = defineCsvEndpoint({
  name: "key-metrics-ttm-bulk",
  params: noParams,
  plan: PLAN,
  columns: {
    symbol: requiredText,
    marketCap: num,
    enterpriseValueTTM: num,
    evToSalesTTM: num,
    evToOperatingCashFlowTTM: num,
    evToFreeCashFlowTTM: num,
    evToEBITDATTM: num,
    netDebtToEBITDATTM: num,
    currentRatioTTM: num,
    workingCapitalTTM: num,
    investedCapitalTTM: num,
    returnOnAssetsTTM: num,
    returnOnEquityTTM: num,
    returnOnInvestedCapitalTTM: num,
    returnOnCapitalEmployedTTM: num,
    earningsYieldTTM: num,
    freeCashFlowYieldTTM: num,
    capexToRevenueTTM: num,
    /** Legacy only: no stable column carries it; null unless an old header has it. */
    freeCashFlowMarginTTM: num,
  },
  required: ["symbol", "evToEBITDATTM"],
  legacy: ["freeCashFlowMarginTTM"],
  aliases: {
    marketCap: ["marketCapTTM"],
    enterpriseValueTTM: ["enterpriseValue"],
    evToEBITDATTM: ["enterpriseValueOverEBITDATTM", "evToEbitdaTTM"],
    returnOnInvestedCapitalTTM: ["roicTTM"],
    returnOnEquityTTM: ["roeTTM"],
  },
});

export type RatiosTtmRow = RowOf<typeof ratiosTtmBulk>;
export type KeyMetricsTtmRow = RowOf<typeof keyMetricsTtmBulk>;
