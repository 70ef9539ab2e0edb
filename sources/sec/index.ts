/**
 * The SEC source: filing documents from the SEC (HTML under /Archives/edgar/data), and the
 * FMP listing that says which filings to read. Everything that reads a filing document
 * goes through here, as everything that reads FMP goes through sources/fmp.
 *
 *   import { listSecFilings } from "../sources/sec/index.ts";
 *
 *   const listing = await listSecFilings(ctx.fmp(), { formType: "8-K", window });
 *   const { text } = await ctx.sec().fetchDocument(url);   // the Resources' client
 */

export {
  createSecDocumentClient,
  type SecDocumentClient,
  type SecDocumentClientOptions,
} from "./client.ts";
export { DEFAULT_USER_AGENT, secConfigFromEnv } from "./config.ts";
export { isSecDocumentError, SecDocumentError } from "./errors.ts";
export {
  chunk,
  documentPlan,
  documentUrl,
  edgarInstant,
  endOfEdgarDay,
  type FilingRef,
  type FilingWindow,
  filingWindow,
  LISTING_PAGE_SIZE,
  listSecFilings,
  selectFilings,
} from "./filings.ts";
export { decodeEntities, htmlToText } from "./html.ts";
