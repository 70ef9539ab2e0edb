/**
 * eod-bulk: one trading date's end-of-day prices for every symbol FMP covers.
 *
 * A date without trading (weekend, holiday) returns crypto pairs only, or nothing; a body
 * without rows is an error, because the pipeline asks only for trading dates and an empty
 * file then means the data is not there (not published yet, or not in the plan).
 */
import { num, requiredDate, requiredText } from "../cells.ts";
import { defineCsvEndpoint, type RowOf } from "../endpoint.ts";
import { dateParams } from "./params.ts";

export const eodBulk = defineCsvEndpoint({
  name: "eod-bulk",
  params: dateParams,
  plan: "eod-bulk needs an FMP plan that includes bulk endpoints",
  whenEmpty: "error",
  emptyHint:
    "no prices for that date: not a trading day, not published yet (FMP publishes after the close), or not in the plan",
  columns: {
    symbol: requiredText,
    date: requiredDate,
    open: num,
    low: num,
    high: num,
    close: num,
    adjClose: num,
    volume: num,
  },
  required: ["symbol", "date", "open", "low", "high", "close", "volume"],
});

export type EodRow = RowOf<typeof eodBulk>;
