/**
 * createSecDocumentClient: the project's one door to SEC filing documents (the HTML the
 * SEC serves under /Archives/edgar/data). FMP lists the filings; this client fetches what
 * the listing links to.
 *
 *   const sec = createSecDocumentClient(secConfigFromEnv());
 *   const { text, bytes, attempts } = await sec.fetchDocument(filing.finalLink);
 *
 * It paces requests (default 8/s; the SEC allows 10/s per requester), sends the declared
 * User-Agent the SEC requires, retries 429, 408, 5xx, timeouts and network failures with
 * exponential backoff (honouring Retry-After), refuses documents over `maxBytes`, and
 * fails with one-line SecDocumentErrors that name the document. Create one per process:
 * the pace is counted per client.
 */
import pRetry from "p-retry";
import { pacedLimiter, parseRetryAfter, type RateLimiter } from "../rate-limit.ts";
import { DEFAULT_RATE_PER_SECOND, DEFAULT_USER_AGENT } from "./config.ts";
import { describeUrl, isSecDocumentError, oneLine, SecDocumentError } from "./errors.ts";

interface SecLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface SecDocumentClientOptions {
  /** Who is asking, as the SEC requires ("Company contact@example.com"). */
  userAgent?: string;
  /** Request starts per second, retries included. Default 8. */
  ratePerSecond?: number;
  /** Injectable for tests; default the global fetch. */
  fetch?: typeof globalThis.fetch;
  /** Longest wait for the response headers, and between two body chunks. Default 30 s. */
  timeoutMs?: number;
  /** Retries after a failed attempt (429, 408, 5xx, timeout, network). Default 5. */
  retries?: number;
  /** Exponential backoff between attempts, with jitter. Default 1 s doubling up to 30 s. */
  backoff?: { minMs?: number; maxMs?: number };
  /** Cap on a server's Retry-After. Default 120 s. */
  maxRetryAfterMs?: number;
  /** Largest document accepted, in bytes as received. Default 25 MiB. */
  maxBytes?: number;
  /** Where retries go; default silent. */
  logger?: SecLogger;
}

interface SecDocument {
  /** The URL asked for. */
  url: string;
  /** The body, decoded with the charset the server declared (UTF-8 by default). */
  text: string;
  bytes: number;
  /** Requests it took, 1 when nothing was retried. */
  attempts: number;
}

export interface SecDocumentClient {
  readonly userAgent: string;
  readonly ratePerSecond: number;
  fetchDocument(url: string, options?: { signal?: AbortSignal }): Promise<SecDocument>;
}

const silent: SecLogger = { info: () => {}, warn: () => {} };
const MiB = 1024 * 1024;

interface Settings {
  userAgent: string;
  fetch: typeof globalThis.fetch;
  timeoutMs: number;
  maxBytes: number;
  maxRetryAfterMs: number;
  pacer: RateLimiter;
}

export function createSecDocumentClient(options: SecDocumentClientOptions = {}): SecDocumentClient {
  const userAgent = options.userAgent?.trim() || DEFAULT_USER_AGENT;
  const ratePerSecond = positive(options.ratePerSecond, DEFAULT_RATE_PER_SECOND, "ratePerSecond");
  const settings: Settings = {
    userAgent,
    fetch: options.fetch ?? globalThis.fetch,
    timeoutMs: positive(options.timeoutMs, 30_000, "timeoutMs"),
    maxBytes: positive(options.maxBytes, 25 * MiB, "maxBytes"),
    maxRetryAfterMs: positive(options.maxRetryAfterMs, 120_000, "maxRetryAfterMs"),
    pacer: pacedLimiter(ratePerSecond),
  };
  const retries = options.retries ?? 5;
  const minTimeout = options.backoff?.minMs ?? 1_000;
  const maxTimeout = options.backoff?.maxMs ?? 30_000;
  const logger = options.logger ?? silent;
  let warnedAboutAgent = false;

  return {
    userAgent,
    ratePerSecond,
    async fetchDocument(url, fetchOptions = {}) {
      const document = describeUrl(url);
      checkUrl(url, document);
      if (userAgent === DEFAULT_USER_AGENT && !warnedAboutAgent) {
        warnedAboutAgent = true;
        logger.warn(
          "SEC_USER_AGENT is not set: sec.gov refuses undeclared tools (set it to 'Company contact@example.com')",
        );
      }
      const signal = fetchOptions.signal ?? new AbortController().signal;
      let attempts = 0;
      try {
        const body = await pRetry(
          () => {
            attempts++;
            return attempt(settings, url, document, signal);
          },
          {
            retries,
            factor: 2,
            minTimeout,
            maxTimeout,
            randomize: true,
            signal,
            shouldRetry: ({ error }) => isSecDocumentError(error) && error.retryable,
            onFailedAttempt: ({ error, retriesLeft }) => {
              if (!isSecDocumentError(error) || !error.retryable || retriesLeft <= 0) return;
              if (error.retryAfterMs !== undefined) settings.pacer.pause(error.retryAfterMs);
              logger.warn(`${error.message}; retrying (${retriesLeft} retries left)`);
            },
          },
        );
        return { url, ...body, attempts };
      } catch (error) {
        if (isSecDocumentError(error) && error.retryable && attempts > 1) {
          throw new SecDocumentError({
            kind: error.kind,
            document,
            what: `${error.what}; gave up after ${attempts} attempts`,
            hint: error.hint,
            status: error.status,
            retryable: true,
          });
        }
        throw error;
      }
    },
  };
}

function checkUrl(url: string, document: string): void {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new SecDocumentError({ kind: "url", document, what: "not a URL" });
  }
  if (protocol !== "http:" && protocol !== "https:") {
    throw new SecDocumentError({ kind: "url", document, what: `not http(s) but ${protocol}` });
  }
}

/** One request: a paced slot, the headers within timeoutMs, the body chunk by chunk. */
async function attempt(
  settings: Settings,
  url: string,
  document: string,
  signal: AbortSignal,
): Promise<{ text: string; bytes: number }> {
  await settings.pacer.acquire(signal);
  const request = new AbortController();
  const linked = AbortSignal.any([signal, request.signal]);
  let stalled = false;
  let received = 0;

  // Raced rather than trusted to the signal alone: an injected fetch may ignore it.
  const withinTimeout = async <T>(work: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const stall = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        stalled = true;
        request.abort();
        reject(new Error("stalled"));
      }, settings.timeoutMs);
    });
    try {
      return await Promise.race([work, stall]);
    } finally {
      clearTimeout(timer);
    }
  };
  const fail = (error: unknown, phase: "response" | "body"): never => {
    if (signal.aborted) throw signal.reason;
    if (isSecDocumentError(error)) throw error;
    if (stalled) {
      throw new SecDocumentError({
        kind: "timeout",
        document,
        what:
          phase === "response"
            ? `no response within ${settings.timeoutMs} ms`
            : `no data for ${settings.timeoutMs} ms after ${received} bytes`,
        retryable: true,
      });
    }
    throw new SecDocumentError({
      kind: "network",
      document,
      what:
        phase === "response"
          ? `network error: ${describeCause(error)}`
          : `connection broke after ${received} bytes: ${describeCause(error)}`,
      retryable: true,
    });
  };

  let response: Response;
  try {
    response = await withinTimeout(
      settings.fetch(url, {
        signal: linked,
        redirect: "follow",
        headers: {
          "user-agent": settings.userAgent,
          accept: "text/html, application/xhtml+xml, text/plain;q=0.9, */*;q=0.5",
        },
      }),
    );
  } catch (error) {
    return fail(error, "response");
  }

  const reader = response.body?.getReader();
  try {
    if (!response.ok) {
      const head = reader ? await readSome(reader, 4096).catch(() => "") : "";
      throw statusError(response, head, document, settings.maxRetryAfterMs);
    }
    const declared = Number(response.headers.get("content-length") ?? Number.NaN);
    const encoding = response.headers.get("content-encoding");
    if ((!encoding || encoding === "identity") && declared > settings.maxBytes) {
      throw tooLarge(document, declared, settings.maxBytes);
    }
    const chunks: Uint8Array[] = [];
    while (reader) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await withinTimeout(reader.read());
      } catch (error) {
        return fail(error, "body");
      }
      if (chunk.done) break;
      received += chunk.value.byteLength;
      if (received > settings.maxBytes) throw tooLarge(document, received, settings.maxBytes);
      chunks.push(chunk.value);
    }
    return { text: decode(chunks, response.headers.get("content-type")), bytes: received };
  } finally {
    reader?.cancel().catch(() => {});
    request.abort();
  }
}

async function readSome(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  maxBytes: number,
): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  let taken = 0;
  while (taken < maxBytes) {
    const chunk = await reader.read();
    if (chunk.done) break;
    taken += chunk.value.byteLength;
    text += decoder.decode(chunk.value, { stream: true });
  }
  return text + decoder.decode();
}

/** The charset the server declared (EDGAR serves some old filings as windows-1252), else UTF-8. */
function decode(chunks: Uint8Array[], contentType: string | null): string {
  const charset = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType ?? "")?.[1] ?? "utf-8";
  let decoder = new TextDecoder("utf-8");
  try {
    decoder = new TextDecoder(charset);
  } catch {
    // An unknown label: UTF-8 reads the ASCII that detection looks at either way.
  }
  let text = "";
  for (const chunk of chunks) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

function statusError(
  response: Response,
  body: string,
  document: string,
  maxRetryAfterMs: number,
): SecDocumentError {
  const status = response.status;
  const title = /<title[^>]*>([^<]{1,120})<\/title>/i.exec(body)?.[1]?.trim();
  const what = `HTTP ${status}${title ? ` "${oneLine(title)}"` : ""}`;
  const base = { document, status, what };
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), maxRetryAfterMs);
    return new SecDocumentError({
      ...base,
      kind: "rate-limit",
      retryable: true,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      hint: "lower SEC_RATE_PER_SEC",
    });
  }
  if (status === 408 || status >= 500) {
    return new SecDocumentError({ ...base, kind: "server", retryable: true });
  }
  if (status === 403) {
    return new SecDocumentError({
      ...base,
      kind: "forbidden",
      hint: "the SEC refuses tools without a declared User-Agent (set SEC_USER_AGENT to 'Company contact@example.com') and blocks requesters over 10 requests/s for a while",
    });
  }
  if (status === 404 || status === 410) {
    return new SecDocumentError({ ...base, kind: "not-found" });
  }
  return new SecDocumentError({ ...base, kind: "http" });
}

function tooLarge(document: string, bytes: number, maxBytes: number): SecDocumentError {
  return new SecDocumentError({
    kind: "too-large",
    document,
    what: `document over the ${maxBytes}-byte cap (${bytes} bytes so far)`,
    hint: "raise maxBytes if such documents must be read",
  });
}

function describeCause(error: unknown): string {
  const cause = (error as { cause?: unknown })?.cause;
  const parts = [error instanceof Error ? error.message : String(error)];
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    parts.push(typeof code === "string" ? code : cause.message);
  }
  return oneLine(parts.join(": ")).slice(0, 160);
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new SecDocumentError({
      kind: "config",
      document: "config",
      what: `${name} must be a positive number, got ${value}`,
    });
  }
  return value;
}
