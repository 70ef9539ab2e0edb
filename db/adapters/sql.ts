/**
 * The narrow SQL surface both Postgres adapters (PGlite and postgres.js)
 * provide. Everything else in the Store is written once on top of it.
 */
export interface SqlExecutor {
  readonly dialect: "pglite" | "postgres";
  /** Runs one parameterised statement and returns its rows. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Runs a script of several statements (no parameters). */
  exec(text: string): Promise<void>;
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
