/** Postgres adapter on postgres.js: a local server or Supabase's connection string. */
import postgres from "postgres";
import {
  OID,
  parseDate,
  parseNumber,
  parseTimestamp,
  parseTimestamptz,
  type SqlExecutor,
} from "./sql.ts";

type Sql = postgres.Sql | postgres.TransactionSql;

function executor(sql: Sql, root: postgres.Sql | null): SqlExecutor {
  return {
    dialect: "postgres",
    async query<T>(text: string, params: unknown[] = []) {
      const rows = await sql.unsafe(text, params as postgres.ParameterOrJSON<never>[]);
      return rows as unknown as T[];
    },
    async exec(text: string) {
      await sql.unsafe(text);
    },
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>) {
      if (!root) return fn(executor(sql, null));
      return (await root.begin((tx) => fn(executor(tx, null)))) as T;
    },
    async close() {
      if (root) await root.end({ timeout: 5 });
    },
  };
}

/** Connects to `url` (a postgres:// connection string) and checks that it answers. */
export async function openPostgres(
  url: string,
  options: { max?: number; schema?: string } = {},
): Promise<SqlExecutor> {
  const custom = (oid: number, parse: (value: string) => unknown) => ({
    to: oid,
    from: [oid],
    serialize: (value: unknown) => String(value),
    parse,
  });
  const sql = postgres(url, {
    max: options.max ?? 4,
    onnotice: () => {},
    connection: {
      application_name: "fintra",
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
  try {
    await sql`select 1`;
    if (options.schema)
      await sql.unsafe(`CREATE SCHEMA IF NOT EXISTS "${options.schema.replaceAll('"', '""')}"`);
  } catch (error) {
    await sql.end({ timeout: 1 });
    throw new Error(
      `cannot connect to DATABASE_URL (${redactUrl(url)}): ${(error as Error).message}`,
    );
  }
  return executor(sql, sql);
}

/** Hides the password of a connection string so it can appear in an error. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "<unparseable url>";
  }
}
