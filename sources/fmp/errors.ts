/**
 * FmpError: the one error type the FMP client throws.
 *
 * Every failure names the endpoint (and its parameters, never the API key), says what went
 * wrong in one line, carries a hint for the operator, and says whether retrying can help.
 * The client retries the retryable kinds itself; a caller sees an FmpError only once the
 * retries are spent or the failure is one that retrying cannot fix.
 */

type FmpErrorKind =
  | "config" // bad client options or environment
  | "params" // the caller passed parameters the endpoint does not accept
  | "auth" // 401: the key was rejected
  | "plan" // 402/403: the key works but the plan does not include the endpoint
  | "rate-limit" // 429
  | "server" // 5xx
  | "http" // any other unexpected status
  | "timeout" // no response, or no bytes, within timeoutMs
  | "network" // connection refused, reset, DNS, ...
  | "truncated" // the body ended before it was complete
  | "html" // an HTML page where data was expected
  | "format" // a body that is neither the expected CSV nor JSON (e.g. an FMP JSON error)
  | "header" // a CSV header without a required column
  | "empty" // no rows where the endpoint must return some
  | "changed"; // a retried body differs from the part already read

interface FmpErrorInit {
  kind: FmpErrorKind;
  /** Endpoint name plus parameters, e.g. "eod-bulk date=2026-01-09". Never a URL. */
  endpoint: string;
  /** What happened, one line. */
  what: string;
  /** What the operator can do about it. */
  hint?: string;
  status?: number | null;
  retryable?: boolean;
  /** Server-requested wait before the next request (Retry-After), when one was given. */
  retryAfterMs?: number;
}

export class FmpError extends Error {
  override readonly name = "FmpError";
  readonly kind: FmpErrorKind;
  readonly endpoint: string;
  /** The message's middle part, without the endpoint and the hint. */
  readonly what: string;
  readonly status: number | null;
  readonly hint: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(init: FmpErrorInit) {
    const hint = redactSecrets(init.hint ?? "");
    const what = redactSecrets(init.what);
    const endpoint = redactSecrets(init.endpoint);
    super(oneLine(`FMP ${endpoint}: ${what}${hint ? ` (${hint})` : ""}`));
    this.kind = init.kind;
    this.endpoint = endpoint;
    this.what = what;
    this.status = init.status ?? null;
    this.hint = hint;
    this.retryable = init.retryable ?? false;
    this.retryAfterMs = init.retryAfterMs;
  }
}

export function isFmpError(error: unknown): error is FmpError {
  return error instanceof FmpError;
}

/** Collapses whitespace so a message (or a body snippet inside it) stays on one line. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/**
 * API keys of the clients in this process. Error texts come from many places (response
 * bodies, exception causes, CSV headers), so FmpError scrubs every registered key itself
 * instead of trusting each caller to have done it.
 */
const secrets = new Set<string>();

export function registerSecret(secret: string): void {
  if (secret.length >= 4) secrets.add(secret);
}

function redactSecrets(text: string): string {
  let out = text.replace(/(apikey=)[\w.~%*-]*/gi, "$1***");
  for (const secret of secrets) out = out.split(secret).join("***");
  return out;
}

/**
 * Removes an API key from any text: `apikey=...` query values and any literal occurrence of
 * the key itself (FMP error bodies sometimes echo the request URL).
 */
export function redact(text: string, apiKey: string): string {
  let out = text.replace(/(apikey=)[\w.~%*-]*/gi, "$1***");
  if (apiKey.length >= 4) out = out.split(apiKey).join("***");
  return out;
}
