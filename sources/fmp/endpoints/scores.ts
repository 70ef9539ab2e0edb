/**
 * scores-bulk: Altman Z-score, Piotroski score and the inputs FMP computed them from.
 */
import { int, num, requiredText, text } from "../cells.ts";
import { defineCsvEndpoint, noParams } from "../endpoint.ts";

export const scoresBulk = defineCsvEndpoint({
  name: "scores-bulk",
  params: noParams,
  plan: "scores-bulk needs an FMP plan that includes bulk endpoints",
  columns: {
    symbol: requiredText,
    reportedCurrency: text,
    altmanZScore: num,
    piotroskiScore: int,
    workingCapital: num,
    totalAssets: num,
    retainedEarnings: num,
    ebit: num,
    marketCap: num,
    totalLiabilities: num,
    revenue: num,
  },
  required: ["symbol", "altmanZScore", "piotroskiScore"],
});
