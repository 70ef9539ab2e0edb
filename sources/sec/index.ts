/**
 * The SEC source: filing documents from the SEC (HTML under /Archives/edgar/data), and the
 * FMP listing that says which filings to read. Everything that reads a filing document
 * goes through here, as everything that reads FMP goes through sources/fmp.
 *
 *   import { listSecFilings, secDocuments } from "../sources/sec/index.ts";
 *
 *   const listing = await listSecFilings(ctx.fmp(), { formType: "8-K", window });
 *   const { text } = await secDocuments().fetchDocument(url);
 */
import { createSecDocumentClient, type SecDocumentClient } from "./client.ts";
import { secConfigFromEnv } from "./config.ts";

export {
  createSecDocumentClient,
  parseRetryAfter,
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

/*
 * The process's client. Why here and not on the asset context: Resources (assets/
 * resources.ts) is the lead's to extend, and the pace must be shared by every run in the
 * process (the SEC counts requests per requester, not per run), so one lazily built
 * client per process is the closest equivalent until it moves into Resources. Built on
 * first use, so processes that never read a filing need no SEC settings.
 */
let shared: SecDocumentClient | null = null;

/** The process's SEC document client, from SEC_USER_AGENT and SEC_RATE_PER_SEC. */
export function secDocuments(): SecDocumentClient {
  shared ??= createSecDocumentClient(secConfigFromEnv(process.env));
  return shared;
}

/**
 * Replaces the process's client (tests, or a host with its own settings and logger);
 * null goes back to building one from the environment on next use.
 */
export function setSecDocuments(client: SecDocumentClient | null): void {
  shared = client;
}
