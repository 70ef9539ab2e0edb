/**
 * Client settings from the environment.
 *
 * - SEC_USER_AGENT: the SEC refuses automated requests that do not say who is asking; it
 *   asks for a company name and a contact address, e.g. "Fintra data ops@fintra.example".
 *   The default works against the sandbox and names this variable, so a refusal from the
 *   SEC points straight at the fix.
 * - SEC_RATE_PER_SEC: requests per second, at most 10 (the SEC's fair-access limit);
 *   default 8, which leaves room for retries and for other tools behind the same address.
 */
import { SecDocumentError } from "./errors.ts";

export const DEFAULT_USER_AGENT = "fintra-pipeline (set SEC_USER_AGENT)";
export const DEFAULT_RATE_PER_SECOND = 8;
/** The SEC's published fair-access limit per requester. */
const SEC_MAX_RATE_PER_SECOND = 10;

interface SecConfig {
  userAgent: string;
  ratePerSecond: number;
}

export function secConfigFromEnv(env: Record<string, string | undefined> = process.env): SecConfig {
  const userAgent = env.SEC_USER_AGENT?.trim() || DEFAULT_USER_AGENT;
  if (/[\r\n]/.test(userAgent)) throw configError("SEC_USER_AGENT must be one line");
  const rateText = env.SEC_RATE_PER_SEC?.trim() || String(DEFAULT_RATE_PER_SECOND);
  const ratePerSecond = Number(rateText);
  if (
    !Number.isFinite(ratePerSecond) ||
    ratePerSecond <= 0 ||
    ratePerSecond > SEC_MAX_RATE_PER_SECOND
  ) {
    throw configError(
      `SEC_RATE_PER_SEC must be a number in (0, ${SEC_MAX_RATE_PER_SECOND}], got ${JSON.stringify(rateText.slice(0, 20))}`,
      "the SEC allows at most 10 requests per second",
    );
  }
  return { userAgent, ratePerSecond };
}

function configError(what: string, hint?: string): SecDocumentError {
  return new SecDocumentError({ kind: "config", document: "config", what, hint });
}
