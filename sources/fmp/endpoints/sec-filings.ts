/**
 * sec-filings-search/form-type (JSON): SEC filings of one form type ("10-K", "8-K") filed
 * in a date range, paged with `page` (0-based) and `limit`.
 *
 * This is FMP's stable replacement for the v3 `sec_filings` endpoint the old SEC jobs
 * (J23, J24) called with a broken path: `/stable/sec-filings-search/form-type?formType=8-K
 * &from=2024-01-01&to=2024-03-01&page=0&limit=100`. FMP documents `limit` up to 1000 and
 * `page` up to 100; callers page until a page comes back with fewer rows than `limit`.
 */
import { z } from "zod";
import { defineJsonEndpoint, type RowOf } from "../endpoint.ts";
import { secFilingsParams } from "./params.ts";

/** FMP writes filing timestamps as "2024-02-29 16:05:12" (sometimes a bare date). */
const timestamp = z.string().regex(/^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?/);

export const secFilingsByFormType = defineJsonEndpoint({
  name: "sec-filings-search/form-type",
  params: secFilingsParams,
  plan: "SEC filings search needs an FMP plan that includes SEC filings",
  schema: z.object({
    symbol: z.string().min(1),
    cik: z
      .string()
      .nullish()
      .transform((s) => s || null),
    filingDate: timestamp,
    acceptedDate: timestamp.nullish().transform((s) => s ?? null),
    formType: z.string().min(1),
    link: z
      .string()
      .nullish()
      .transform((s) => s || null),
    finalLink: z
      .string()
      .nullish()
      .transform((s) => s || null),
  }),
});

export type SecFilingRow = RowOf<typeof secFilingsByFormType>;
