/**
 * Parameter schemas shared by several endpoints. Each validates what a caller passes and
 * outputs the query values FMP expects, so a typo fails before any request is made.
 */
import { z } from "zod";
import type { Query } from "../endpoint.ts";

export const PERIODS = ["FY", "Q1", "Q2", "Q3", "Q4"] as const;
export type Period = (typeof PERIODS)[number];

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD")
  // Date.parse accepts 2026-02-30 (as March 2); a round trip does not.
  .refine((s) => {
    const time = Date.parse(`${s}T00:00:00Z`);
    return !Number.isNaN(time) && new Date(time).toISOString().startsWith(s);
  }, "not a calendar date");

export interface StatementParams {
  /** FMP's fiscal year (`fiscalYear`), not the calendar year of the period end. */
  year: number;
  period: Period;
}

export const statementParams: z.ZodType<Query, StatementParams> = z
  .strictObject({
    year: z.number().int().min(1900).max(2200),
    period: z.enum(PERIODS),
  })
  .transform((p): Query => ({ year: p.year, period: p.period }));

interface DateParams {
  /** Trading date YYYY-MM-DD. */
  date: string;
}

export const dateParams: z.ZodType<Query, DateParams> = z
  .strictObject({ date: isoDate })
  .transform((p): Query => ({ date: p.date }));

interface SecFilingsParams {
  /** SEC form type, e.g. "10-K" or "8-K". */
  formType: string;
  /** First filing date, YYYY-MM-DD. */
  from: string;
  /** Last filing date, YYYY-MM-DD. */
  to: string;
  /** 0-based page (FMP documents at most page 100). */
  page?: number;
  /** Rows per page (FMP documents at most 1000). */
  limit?: number;
}

export const secFilingsParams: z.ZodType<Query, SecFilingsParams> = z
  .strictObject({
    formType: z.string().min(1),
    from: isoDate,
    to: isoDate,
    page: z.number().int().min(0).max(100).optional(),
    limit: z.number().int().min(1).max(1000).optional(),
  })
  .refine((p) => p.from <= p.to, "`from` must not be after `to`")
  .transform((p): Query => {
    const query: Query = { formType: p.formType, from: p.from, to: p.to };
    if (p.page !== undefined) query.page = p.page;
    if (p.limit !== undefined) query.limit = p.limit;
    return query;
  });

/** A ticker as FMP spells it in a query (AAPL, BRK-B, RY.TO, ^GSPC). */
const symbol = z.string().regex(/^\S{1,20}$/, "not a ticker");

export interface SymbolParams {
  symbol: string;
}

export const symbolParams: z.ZodType<Query, SymbolParams> = z
  .strictObject({ symbol })
  .transform((p): Query => ({ symbol: p.symbol }));

/** The two views of a company's statements: FY rows, or Q1..Q4 rows. */
export const STATEMENT_SPANS = ["annual", "quarter"] as const;
export type StatementSpan = (typeof STATEMENT_SPANS)[number];

export interface SymbolStatementParams {
  symbol: string;
  /** "annual" (FY rows) or "quarter" (Q1..Q4 rows). */
  period: StatementSpan;
  /** The newest `limit` periods FMP has (FMP documents at most 1000). */
  limit: number;
}

export const symbolStatementParams: z.ZodType<Query, SymbolStatementParams> = z
  .strictObject({
    symbol,
    period: z.enum(STATEMENT_SPANS),
    limit: z.number().int().min(1).max(1000),
  })
  .transform((p): Query => ({ symbol: p.symbol, period: p.period, limit: p.limit }));

export interface SymbolRangeParams {
  symbol: string;
  /** First date, YYYY-MM-DD. */
  from: string;
  /** Last date, YYYY-MM-DD. */
  to: string;
}

export const symbolRangeParams: z.ZodType<Query, SymbolRangeParams> = z
  .strictObject({ symbol, from: isoDate, to: isoDate })
  .refine((p) => p.from <= p.to, "`from` must not be after `to`")
  .transform((p): Query => ({ symbol: p.symbol, from: p.from, to: p.to }));
