/**
 * Errors out of the Supabase adapter: one line, bounded, and scrubbed of the
 * service-role key. supabase-js error bodies and network failures can echo
 * headers or URLs, and these messages end up in logs, events and the ledger.
 */

const REDACTED = "[redacted]";

// Shapes of credentials worth hiding even when they are not this process's key.
const CREDENTIAL_PATTERNS: RegExp[] = [
  /\bBearer\s+[^\s,;"']+/gi,
  /\bapikey["']?\s*[:=]\s*["']?[^\s,;"'&]+/gi,
  /\beyJ[\w-]{6,}\.[\w-]{6,}\.[\w-]{6,}/g, // JWTs (legacy service_role keys are JWTs)
  /\bsb_(secret|publishable)_[\w-]+/g, // Supabase's newer API keys
];

/** Replaces every occurrence of `secrets` and anything credential-shaped. */
function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    // Short strings would redact ordinary words; real keys are long.
    if (secret.length >= 8) out = out.split(secret).join(REDACTED);
  }
  for (const pattern of CREDENTIAL_PATTERNS) out = out.replace(pattern, REDACTED);
  return out;
}

/** What supabase-js reports for a failed request (PostgREST's error body). */
export interface PostgrestFailure {
  message?: string;
  code?: string;
  details?: string | null;
  hint?: string | null;
}

/** A failed REST call, carrying PostgREST's code and the HTTP status for callers that branch on them. */
export class SupabaseRestError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(message: string, code: string, status: number) {
    super(message);
    this.code = code;
    this.status = status;
    this.name = "SupabaseRestError";
  }
}

const MAX_MESSAGE = 600;

/** `<what> failed: message (details) [code, HTTP status]` on one scrubbed line. */
export function restError(
  what: string,
  failure: PostgrestFailure,
  status: number,
  secrets: readonly string[],
): SupabaseRestError {
  const parts = [failure.message || "request failed"];
  if (status > 0) {
    if (failure.details) parts.push(`(${failure.details})`);
    if (failure.hint) parts.push(`hint: ${failure.hint}`);
  } else {
    // No response: supabase-js puts a stack trace in details; keep only its cause.
    const cause = /Caused by: ([^\n]+)/.exec(failure.details ?? "")?.[1];
    if (cause) parts.push(`(${cause})`);
  }
  const tag = [failure.code, status ? `HTTP ${status}` : "no response"].filter(Boolean).join(", ");
  let line = scrubSecrets(`${what} failed: ${parts.join(" ")} [${tag}]`, secrets)
    .replace(/\s+/g, " ")
    .trim();
  if (line.length > MAX_MESSAGE) line = `${line.slice(0, MAX_MESSAGE - 1)}…`;
  return new SupabaseRestError(line, failure.code ?? "", status);
}
