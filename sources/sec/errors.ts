/**
 * SecDocumentError: the one error the SEC document client throws. Its message is one line
 * that names the document (its URL without query or fragment), says what went wrong, and
 * carries a hint when the operator can do something about it. `retryable` tells the
 * client's retry loop whether another attempt can help.
 */

type SecDocumentErrorKind =
  | "config" // bad client options or environment
  | "url" // not an http(s) URL
  | "forbidden" // 403: the SEC refuses undeclared tools and rate abusers this way
  | "not-found" // 404/410
  | "rate-limit" // 429
  | "server" // 5xx
  | "http" // any other unexpected status
  | "timeout" // no response, or no bytes, within timeoutMs
  | "network" // connection refused, reset, DNS, a body cut short
  | "too-large"; // the document is bigger than maxBytes

interface SecDocumentErrorInit {
  kind: SecDocumentErrorKind;
  /** The document, as `describeUrl` shows it. */
  document: string;
  what: string;
  hint?: string;
  status?: number | null;
  retryable?: boolean;
  /** The server's Retry-After, when it sent one. */
  retryAfterMs?: number;
}

export class SecDocumentError extends Error {
  override readonly name = "SecDocumentError";
  readonly kind: SecDocumentErrorKind;
  readonly document: string;
  readonly what: string;
  readonly hint: string;
  readonly status: number | null;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(init: SecDocumentErrorInit) {
    const hint = init.hint ?? "";
    super(oneLine(`SEC document ${init.document}: ${init.what}${hint ? ` (${hint})` : ""}`));
    this.kind = init.kind;
    this.document = init.document;
    this.what = init.what;
    this.hint = hint;
    this.status = init.status ?? null;
    this.retryable = init.retryable ?? false;
    this.retryAfterMs = init.retryAfterMs;
  }
}

export function isSecDocumentError(error: unknown): error is SecDocumentError {
  return error instanceof SecDocumentError;
}

/** Collapses whitespace so a message stays on one line. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

const MAX_URL = 200;

/**
 * A URL as messages show it: no query string or fragment (EDGAR links carry none, so
 * anything there is not ours to log), no credentials, and cut to a sane length.
 */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const shown = `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
    return shown.length > MAX_URL ? `${shown.slice(0, MAX_URL)}...` : shown;
  } catch {
    const raw = oneLine(url).split(/[?#]/)[0] ?? "";
    return JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}...` : raw);
  }
}
