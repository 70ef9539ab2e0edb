/**
 * Turning what went wrong on the wire into FmpErrors: HTTP statuses, error bodies (FMP's
 * JSON `{"Error Message": ...}`, HTML pages from FMP or a proxy), network failures and
 * Retry-After headers. Every text taken from a response or an exception is redacted and
 * cut to one short line before it reaches a message.
 */
import { FmpError, oneLine, redact } from "./errors.ts";

export interface FailureContext {
  /** "eod-bulk date=2026-01-09" */
  label: string;
  /** Plan hint of the endpoint, for 402/403. */
  plan: string;
  apiKey: string;
}

const MAX_SNIPPET = 160;

/** A short, safe description of an error body: FMP's message, an HTML title, or the start. */
export function describeBody(body: string, apiKey: string): string {
  const text = body.trim();
  if (text === "") return "";
  let described: string;
  if (looksLikeHtml(text)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
    described = title ? `an HTML page "${title}"` : "an HTML page";
  } else {
    described = fmpJsonMessage(text) ?? text;
  }
  const line = oneLine(redact(described, apiKey));
  return line.length > MAX_SNIPPET ? `${line.slice(0, MAX_SNIPPET)}...` : line;
}

export function looksLikeHtml(text: string): boolean {
  return /^<(!doctype|html|head|body|\?xml|[a-z]+[\s>])/i.test(text.trimStart());
}

/** FMP's JSON error shape, `{"Error Message": "..."}` (or `message` / `error`). */
export function fmpJsonMessage(text: string): string | undefined {
  if (!text.startsWith("{")) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object") {
      const record = parsed as Record<string, unknown>;
      for (const key of ["Error Message", "message", "error", "Error"]) {
        const value = record[key];
        if (typeof value === "string" && value) return value;
      }
    }
  } catch {
    // Not JSON after all: the caller shows the raw start instead.
  }
  return undefined;
}

export function statusError(
  status: number,
  body: string,
  retryAfterMs: number | undefined,
  context: FailureContext,
): FmpError {
  const detail = describeBody(body, context.apiKey);
  const said = detail ? `: ${detail}` : "";
  const base = { endpoint: context.label, status };
  if (status === 401) {
    return new FmpError({
      ...base,
      kind: "auth",
      what: `HTTP 401, the API key was rejected${said}`,
      hint: "check FMP_API_KEY",
    });
  }
  if (status === 402 || status === 403) {
    return new FmpError({
      ...base,
      kind: "plan",
      what: `HTTP ${status}, not available with this API key${said}`,
      hint: `${context.plan}; check the FMP subscription`,
    });
  }
  if (status === 404) {
    return new FmpError({
      ...base,
      kind: "http",
      what: `HTTP 404, no such endpoint${said}`,
      hint: "check FMP_BASE_URL: it includes the /stable prefix, e.g. https://financialmodelingprep.com/stable",
    });
  }
  if (status === 429) {
    return new FmpError({
      ...base,
      kind: "rate-limit",
      what: `HTTP 429, rate limit reached${said}`,
      hint: "set FMP_RATE_PER_MIN to the plan's limit",
      retryable: true,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  if (status === 408 || status === 425) {
    return new FmpError({
      ...base,
      kind: "timeout",
      what: `HTTP ${status}${said}`,
      retryable: true,
    });
  }
  if (status >= 500) {
    return new FmpError({
      ...base,
      kind: "server",
      what: `HTTP ${status}${said}`,
      hint: "FMP or a proxy in front of it failed",
      retryable: true,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  return new FmpError({ ...base, kind: "http", what: `HTTP ${status}${said}` });
}

/** "fetch failed (ECONNREFUSED 127.0.0.1:9)" from an exception and its causes. */
export function describeCause(error: unknown, apiKey: string): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      parts.push(
        typeof code === "string" && !current.message.includes(code)
          ? `${code} ${current.message}`
          : current.message,
      );
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  const [first, ...rest] = parts.filter((part) => part.length > 0);
  const text = rest.length > 0 ? `${first} (${rest.join("; ")})` : (first ?? "unknown error");
  return oneLine(redact(text, apiKey)).slice(0, 200);
}
