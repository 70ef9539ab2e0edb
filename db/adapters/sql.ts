/**
 * The narrow SQL surface both Postgres adapters (PGlite and postgres.js)
 * provide. Everything else in the Store is written once on top of it.
 * Also what both adapters share about faults: the statement and lock
 * timeouts they apply, and which errors mean "the connection was lost".
 */
import pRetry from "p-retry";

export interface SqlExecutor {
  readonly dialect: "pglite" | "postgres";
  /**
   * Runs ONE parameterised statement (the extended protocol on both backends, so
   * a text holding two statements is refused by the server) and returns its rows.
   */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Runs a script of several statements (no parameters). */
  exec(text: string): Promise<void>;
  /**
   * Loads rows into `columns` of `table` (SQL text, already quoted) with one COPY statement:
   * `data` is COPY's text format (a line per row, tab-separated cells, `\N` for NULL, UTF-8; see
   * encode.ts `copyLines`), cut in chunks. FROM STDIN on Postgres, from a Blob through the
   * /dev/blob device on PGlite.
   */
  copyFrom(table: string, columns: readonly string[], data: readonly Uint8Array[]): Promise<void>;
  /** Runs `fn` in one transaction; a throw rolls it back. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Quotes an identifier for SQL text (table and column names come from code, not users). */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Type OIDs whose default JS parsing we override so both drivers agree. */
export const OID = {
  int8: 20,
  numeric: 1700,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
} as const;

/** numeric and bigint become JS numbers (the values we store fit a double). */
export const parseNumber = (value: string): number => Number(value);
/** dates stay `YYYY-MM-DD` strings: a calendar date has no time zone. */
export const parseDate = (value: string): string => value;
/** timestamptz values become ISO-8601 strings in UTC (`+00` offsets gain their minutes). */
export const parseTimestamptz = (value: string): string =>
  new Date(value.replace(" ", "T").replace(/([+-]\d{2})$/, "$1:00")).toISOString();
/** timestamps without a zone are read as UTC. */
export const parseTimestamp = (value: string): string =>
  new Date(`${value.replace(" ", "T")}Z`).toISOString();

/** Server-side limits every connection gets (0 turns one off). */
export interface DatabaseTimeouts {
  /** FINTRA_STATEMENT_TIMEOUT_MS: the longest any one statement may run. */
  statementTimeoutMs: number;
  /** FINTRA_LOCK_TIMEOUT_MS: the longest a statement waits for a lock another session holds. */
  lockTimeoutMs: number;
}

/** 15 minutes covers the largest upsert batch; a minute of waiting on a lock means a stuck peer. */
export const DEFAULT_TIMEOUTS: DatabaseTimeouts = {
  statementTimeoutMs: 15 * 60_000,
  lockTimeoutMs: 60_000,
};

/**
 * Makes a timeout error say which limit hit and how to change it, on one line.
 * Postgres reports both as "canceling statement due to ... timeout".
 */
export function explainTimeout(error: unknown, timeouts: DatabaseTimeouts): unknown {
  if (!(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  const hint =
    code === "55P03" && /lock timeout/.test(error.message)
      ? `FINTRA_LOCK_TIMEOUT_MS=${timeouts.lockTimeoutMs}`
      : code === "57014" && /statement timeout/.test(error.message)
        ? `FINTRA_STATEMENT_TIMEOUT_MS=${timeouts.statementTimeoutMs}`
        : null;
  if (hint && !error.message.includes(hint)) error.message = `${error.message} (${hint})`;
  return error;
}

/** SQLSTATEs and driver codes that mean the session died, not that the statement was wrong. */
const CONNECTION_LOST = new Set([
  "57P01", // admin_shutdown: pg_terminate_backend, a fast shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: the server is starting up
  "08000",
  "08003",
  "08006",
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
]);

export function isConnectionLoss(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && CONNECTION_LOST.has(code);
}

/** How often a statement or transaction is tried again after the connection dropped. */
export interface ReconnectPolicy {
  retries: number;
  minDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = {
  retries: 4,
  minDelayMs: 250,
  maxDelayMs: 4_000,
};

/**
 * Runs `attempt` again when the connection was lost. Only for work that is safe
 * to repeat: one statement outside a transaction, or a whole transaction (a lost
 * connection rolls it back; our writes are upserts on the table's key).
 */
export function retryOnConnectionLoss<T>(
  attempt: () => Promise<T>,
  policy: ReconnectPolicy = DEFAULT_RECONNECT,
): Promise<T> {
  if (policy.retries <= 0) return attempt();
  return pRetry(attempt, {
    retries: policy.retries,
    minTimeout: policy.minDelayMs,
    maxTimeout: policy.maxDelayMs,
    factor: 2,
    shouldRetry: ({ error }) => isConnectionLoss(error),
  });
}
