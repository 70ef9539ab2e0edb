/**
 * Postgres adapter on postgres.js: a local server or Supabase's connection string.
 * Every connection gets the statement and lock timeouts; a statement outside a
 * transaction, or a whole transaction, is tried again when the connection drops;
 * and no error leaves this module carrying the connection string's password.
 */
import { once } from "node:events";
import { finished } from "node:stream/promises";
import postgres from "postgres";
import {
  type DatabaseTimeouts,
  DEFAULT_RECONNECT,
  DEFAULT_TIMEOUTS,
  explainTimeout,
  ident,
  isConnectionLoss,
  OID,
  parseDate,
  parseNumber,
  parseTimestamp,
  parseTimestamptz,
  type ReconnectPolicy,
  retryOnConnectionLoss,
  type SqlExecutor,
} from "./sql.ts";

type Sql = postgres.Sql | postgres.TransactionSql;

/**
 * What an error must never show: the password (raw and decoded), the userinfo
 * holding it and the whole URL. A URL without a password hides nothing.
 */
function secretsOf(url: string): string[] {
  const start = url.indexOf("://") + 3;
  // The last "@" ends the userinfo, even when a password holds unencoded "@", "/" or "#".
  const at = url.lastIndexOf("@");
  if (start < 3 || at <= start) return [];
  const userinfo = url.slice(start, at);
  const colon = userinfo.indexOf(":");
  if (colon < 0 || colon === userinfo.length - 1) return [];
  const password = userinfo.slice(colon + 1);
  const secrets = [url, userinfo, password];
  try {
    secrets.push(decodeURIComponent(password));
  } catch {
    // not valid percent-encoding: the raw form is already listed
  }
  // Longest first, so a password inside the userinfo does not break the userinfo's match.
  return [...new Set(secrets)].sort((a, b) => b.length - a.length);
}

function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.replaceAll(secret, "***");
  return out;
}

/**
 * Sets an error's stack. postgres.js defines `stack` read-only on its errors under newer Node
 * (24 throws on assignment; 20 accepted it), so a read-only one is redefined instead.
 */
function replaceStack(error: Error, stack: string): void {
  const own = Object.getOwnPropertyDescriptor(error, "stack");
  if (!own || own.writable || own.set) {
    error.stack = stack;
    return;
  }
  Object.defineProperty(error, "stack", { value: stack, writable: true, configurable: true });
}

/**
 * Scrubs an error in place (keeping its class and SQLSTATE `code`, which callers
 * test): message, stack, and every string or object field a logger would print.
 */
function scrubError(error: unknown, secrets: readonly string[]): unknown {
  if (!(error instanceof Error)) {
    return typeof error === "string" ? new Error(scrubText(error, secrets)) : error;
  }
  error.message = scrubText(error.message, secrets);
  if (error.stack) replaceStack(error, scrubText(error.stack, secrets));
  const fields = error as unknown as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (typeof value === "string") fields[key] = scrubText(value, secrets);
    else if (value && typeof value === "object" && key !== "cause") {
      // e.g. postgres.js's `parameters` or `options`: stringify-check rather than walk
      if (secrets.some((s) => JSON.stringify(value)?.includes(s))) fields[key] = "[scrubbed]";
    }
  }
  if (error.cause !== undefined) scrubError(error.cause, secrets);
  return error;
}

interface Guard {
  secrets: readonly string[];
  timeouts: DatabaseTimeouts;
  reconnect: ReconnectPolicy;
}

/** Runs one database call, turning its failure into a scrubbed, explained error. */
async function guarded<T>(guard: Guard, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw scrubError(explainTimeout(error, guard.timeouts), guard.secrets);
  }
}

/**
 * postgres.js uses the simple protocol for a query without parameters, which runs
 * any number of statements; `simple: false` (untyped, read by postgres.js) forces
 * the extended protocol, where the server refuses a second statement.
 */
const EXTENDED_PROTOCOL = { simple: false } as unknown as postgres.UnsafeQueryOptions;

/**
 * The state of one transaction's connection. postgres.js 3.4.9 crashes the process
 * when a query is written to a transaction whose connection has closed (an
 * uncatchable TypeError in `nextWrite`, porsager/postgres#1208), and its own
 * ROLLBACK after a failed statement is such a write. So once the connection is
 * lost, the transaction's callback is left pending instead of failing: begin()
 * already rejects with CONNECTION_CLOSED when the socket closes, and the retry
 * runs the whole transaction again on a fresh connection.
 */
interface TransactionState {
  lost: boolean;
}

const pending = <T>(): Promise<T> => new Promise<T>(() => {});

/** The part of postgres.js's query object a COPY needs (its settle functions are instance fields). */
interface CopyQuery {
  writable(): Promise<import("node:stream").Writable>;
  reject(error: unknown): void;
}

/**
 * COPY ... FROM STDIN through postgres.js, with backpressure. postgres.js 3.4.9 settles a
 * COPY's query with its stream, so an error the server reports once the data is sent (a value
 * the column refuses) goes to a promise nobody awaits and the stream never finishes: the
 * error is taken where the driver reports it (the query's `reject`) instead.
 */
async function copyIn(sql: Sql, text: string, data: readonly Uint8Array[]): Promise<void> {
  const query = sql.unsafe(text) as unknown as CopyQuery;
  let fail: (error: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  failed.catch(() => {});
  const reject = query.reject;
  query.reject = (error: unknown) => {
    fail(error);
    reject(error);
  };
  const stream = await query.writable();
  const done = finished(stream);
  done.catch(() => {});
  for (const chunk of data) {
    if (!stream.write(chunk)) await Promise.race([once(stream, "drain"), done, failed]);
  }
  stream.end();
  await Promise.race([done, failed]);
}

/** One statement on `sql`, unless the transaction it belongs to lost its connection. */
async function statement<T>(state: TransactionState | null, run: () => Promise<T>): Promise<T> {
  if (state?.lost) return pending();
  try {
    return await run();
  } catch (error) {
    if (state && isConnectionLoss(error)) {
      state.lost = true;
      return pending();
    }
    throw error;
  }
}

function executor(
  sql: Sql,
  root: postgres.Sql | null,
  guard: Guard,
  state: TransactionState | null = null,
): SqlExecutor {
  // Inside a transaction a lost connection loses the transaction: only its owner retries.
  const retry = <T>(attempt: () => Promise<T>) =>
    root ? retryOnConnectionLoss(attempt, guard.reconnect) : attempt();
  return {
    dialect: "postgres",
    query<T>(text: string, params: unknown[] = []) {
      return guarded(guard, () =>
        retry(() =>
          statement(state, async () => {
            const rows = await sql.unsafe(
              text,
              params as postgres.ParameterOrJSON<never>[],
              EXTENDED_PROTOCOL,
            );
            return rows as unknown as T[];
          }),
        ),
      );
    },
    exec(text: string) {
      // A script outside BEGIN/COMMIT runs as one implicit transaction, so it too may be repeated.
      return guarded(guard, () =>
        retry(() =>
          statement(state, async () => {
            await sql.unsafe(text);
          }),
        ),
      );
    },
    copyFrom(table: string, columns: readonly string[], data: readonly Uint8Array[]) {
      const text = `COPY ${table} (${columns.map(ident).join(", ")}) FROM STDIN`;
      // postgres.js pipelines pool queries: one sent behind a COPY on the same connection
      // reaches the server in copy-in mode and kills the session ("protocol synchronization
      // was lost"). Outside a transaction the COPY therefore takes a connection of its own.
      const run = root
        ? async () => {
            const reserved = await root.reserve();
            try {
              await copyIn(reserved, text, data);
            } finally {
              reserved.release();
            }
          }
        : () => copyIn(sql, text, data);
      // One statement: outside a transaction it may be repeated after a lost connection.
      return guarded(guard, () => retry(() => statement(state, run)));
    },
    transaction<T>(fn: (tx: SqlExecutor) => Promise<T>) {
      if (!root) return fn(executor(sql, null, guard, state));
      return guarded(guard, () =>
        retry(async () => {
          const tx: TransactionState = { lost: false };
          const run = root.begin((txSql) => fn(executor(txSql, null, guard, tx)));
          try {
            return (await run) as T;
          } catch (error) {
            tx.lost = true;
            throw error;
          }
        }),
      );
    },
    async close() {
      if (root) await guarded(guard, () => root.end({ timeout: 5 }));
    },
  };
}

interface PostgresOptions {
  max?: number;
  schema?: string;
  timeouts?: DatabaseTimeouts;
  reconnect?: ReconnectPolicy;
}

function connect(url: string, options: PostgresOptions, timeouts: DatabaseTimeouts): postgres.Sql {
  const custom = (oid: number, parse: (value: string) => unknown) => ({
    to: oid,
    from: [oid],
    serialize: (value: unknown) => String(value),
    parse,
  });
  try {
    return postgres(url, {
      max: options.max ?? 4,
      onnotice: () => {},
      connection: {
        application_name: "fintra",
        // Session parameters sent at connect, so a reconnected session has them too.
        statement_timeout: timeouts.statementTimeoutMs,
        lock_timeout: timeouts.lockTimeoutMs,
        // postgres.js prepares every statement; after five runs Postgres may keep a generic
        // plan, blind to the arrays a read passes. For `ticker = ANY($1) AND price_date =
        // ANY($2) AND (ticker, price_date) > ($3, $4)` that plan took 5 s where a planned
        // one takes 35 ms (45,000 tickers, 5 years of prices): plan each run instead.
        plan_cache_mode: "force_custom_plan",
        // JIT compiles queries the planner costs high, and costs are high without statistics
        // (a fresh backfill): 45 ms of a 155 ms price read went to compiling it.
        jit: "off",
        ...(options.schema ? { search_path: options.schema } : {}),
      },
      types: {
        int8: custom(OID.int8, parseNumber),
        numeric: custom(OID.numeric, parseNumber),
        date: custom(OID.date, parseDate),
        timestamp: custom(OID.timestamp, parseTimestamp),
        timestamptz: custom(OID.timestamptz, parseTimestamptz),
      },
    });
  } catch {
    // postgres.js throws the URL parser's TypeError, whose `input` is the whole URL.
    throw new Error("DATABASE_URL is not a valid postgres:// connection string");
  }
}

/** Connects to `url` (a postgres:// connection string) and checks that it answers. */
export async function openPostgres(
  url: string,
  options: PostgresOptions = {},
): Promise<SqlExecutor> {
  const timeouts = options.timeouts ?? DEFAULT_TIMEOUTS;
  const guard: Guard = {
    secrets: secretsOf(url),
    timeouts,
    reconnect: options.reconnect ?? DEFAULT_RECONNECT,
  };
  const sql = connect(url, options, timeouts);
  try {
    await sql`select 1`;
    if (options.schema)
      await sql.unsafe(`CREATE SCHEMA IF NOT EXISTS "${options.schema.replaceAll('"', '""')}"`);
  } catch (error) {
    await sql.end({ timeout: 1 }).catch(() => {});
    const reason = scrubText((error as Error).message ?? String(error), guard.secrets);
    throw new Error(`cannot connect to DATABASE_URL (${redactUrl(url)}): ${reason.split("\n")[0]}`);
  }
  return executor(sql, sql, guard);
}

/** The connection string without its userinfo (user and password), safe to print. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    // A password with an unencoded "#" or "/" moves the host into the fragment or path:
    // refuse to print what we may have parsed wrongly.
    if (url.lastIndexOf("@") > url.indexOf("@") || parsed.hash) return "<redacted url>";
    parsed.username = "";
    parsed.password = "";
    return parsed.toString();
  } catch {
    return "<unparseable url>";
  }
}
