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
  type SecDocument,
  type SecDocumentClient,
  type SecDocumentClientOptions,
  type SecLogger,
} from "./client.ts";
export {
  DEFAULT_RATE_PER_SECOND,
  DEFAULT_USER_AGENT,
  SEC_MAX_RATE_PER_SECOND,
  type SecConfig,
  secConfigFromEnv,
} from "./config.ts";
export {
  describeUrl,
  isSecDocumentError,
  SecDocumentError,
  type SecDocumentErrorKind,
} from "./errors.ts";
export {
  chunk,
  documentPlan,
  documentUrl,
  edgarInstant,
  endOfEdgarDay,
  type FilingListing,
  type FilingRef,
  type FilingSelection,
  type FilingWindow,
  filingWindow,
  LISTING_MAX_PAGES,
  LISTING_PAGE_SIZE,
  listSecFilings,
  selectFilings,
} from "./filings.ts";
export { decodeEntities, htmlToText } from "./html.ts";
