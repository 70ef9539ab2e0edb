/**
 * The supabase-js client as the Supabase Store and ledger use it: created
 * once (Node 20 needs `ws` for realtime even though nothing subscribes),
 * every request through the retrying fetch, every failure turned into one
 * scrubbed line, and key-ordered reads paged by keyset.
 *
 * Paging: each page asks for `key > last key seen` ordered by the key,
 * rather than growing offsets. Offsets make PostgREST skip every earlier row
 * again (quadratic over a large table) and can skip or repeat rows when the
 * table changes between pages; keyset pages cost the same at any depth and
 * match SqlStore's. Page size is capped at `maxRows` (PostgREST's max-rows,
 * 1,000 on Supabase by default) and a short page ends the read.
 */
import {
  createClient,
  type SupabaseClient,
  type SupabaseClientOptions,
} from "@supabase/supabase-js";
import ws from "ws";
import type { ReadQuery } from "../store.ts";
import type { TableSpec } from "../table.ts";
import { decodeRow } from "./supabase-codec.ts";
import { type PostgrestFailure, restError } from "./supabase-errors.ts";
import {
  DEFAULT_RETRY,
  type RetryListener,
  type RetryPolicy,
  retryingFetch,
} from "./supabase-fetch.ts";
import { afterKey, type RestFilter, whereFilters } from "./supabase-filters.ts";

export interface SupabaseConnection {
  /** The project URL, e.g. https://abcd.supabase.co. */
  url: string;
  serviceRoleKey: string;
  /** The transport under the retries (tests pass an emulator); the global fetch by default. */
  fetch?: typeof fetch;
  retry?: RetryPolicy;
  onRetry?: RetryListener;
  /**
   * The project's max-rows (API settings, 1,000 by default). A page shorter
   * than asked ends a read, so this must not exceed the server's cap.
   */
  maxRows?: number;
}

const DEFAULT_MAX_ROWS = 1_000;

type Transport = NonNullable<NonNullable<SupabaseClientOptions<"public">["realtime"]>["transport"]>;

interface RestResponse<T> {
  data: T | null;
  error: PostgrestFailure | null;
  count: number | null;
  status: number;
}

/** Any supabase-js request builder: awaitable, with postgrest-js's own retry switch. */
type RestRequest<T> = PromiseLike<RestResponse<T>> & { retry(enabled: boolean): unknown };

interface Filterable<B> {
  filter(column: string, operator: string, value: unknown): B;
  or(filters: string): B;
}

export function applyFilters<B extends Filterable<B>>(
  builder: B,
  filters: readonly RestFilter[],
): B {
  let out = builder;
  for (const f of filters) out = "or" in f ? out.or(f.or) : out.filter(f.column, f.op, f.value);
  return out;
}

export class Rest {
  // Private fields stay out of JSON.stringify and util.inspect: the client holds the key.
  readonly #client: SupabaseClient;
  readonly #secrets: readonly string[];
  readonly maxRows: number;

  constructor(connection: SupabaseConnection) {
    if (!connection.url) throw new Error("SUPABASE_URL is empty");
    if (!connection.serviceRoleKey) throw new Error("SUPABASE_SERVICE_ROLE_KEY is empty");
    this.#secrets = [connection.serviceRoleKey];
    this.maxRows = connection.maxRows ?? DEFAULT_MAX_ROWS;
    if (!Number.isInteger(this.maxRows) || this.maxRows < 1) {
      throw new Error("SUPABASE_MAX_ROWS must be a positive integer (the project's max rows)");
    }
    if (!URL.canParse(connection.url)) {
      throw new Error("SUPABASE_URL is not a URL (expected https://<project>.supabase.co)");
    }
    this.#client = createClient(connection.url, connection.serviceRoleKey, {
      // ws's constructor types are wider than realtime-js's WebSocketLike; it works at runtime.
      realtime: { transport: ws as unknown as Transport },
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      global: {
        fetch: retryingFetch(
          connection.fetch ?? fetch,
          connection.retry ?? DEFAULT_RETRY,
          connection.onRetry,
        ),
      },
    });
  }

  from(table: string) {
    return this.#client.from(table);
  }

  /** A call of a SQL function (`POST /rest/v1/rpc/<fn>`): one statement, one transaction. */
  rpc(fn: string, args: Record<string, unknown>) {
    return this.#client.rpc(fn, args);
  }

  /** Awaits a request; throws one scrubbed line on failure. */
  async run<T>(
    what: string,
    request: RestRequest<T>,
  ): Promise<{ data: T | null; count: number | null }> {
    // Retries live in our fetch; postgrest-js's own GET retries would multiply them.
    request.retry(false);
    let response: RestResponse<T>;
    try {
      response = await request;
    } catch (error) {
      throw restError(what, { message: (error as Error).message }, 0, this.#secrets);
    }
    if (response.error) throw restError(what, response.error, response.status, this.#secrets);
    return { data: response.data, count: response.count };
  }

  /** Every matching row in key order, a page (at most maxRows) at a time. */
  async *pages<Row extends object>(
    table: TableSpec<Row>,
    query: ReadQuery<Row> = {},
  ): AsyncIterable<Row[]> {
    const key = table.key as readonly string[];
    const wanted = (query.columns as string[] | undefined) ?? Object.keys(table.columns);
    const select = [...new Set([...wanted, ...key])].join(",");
    const filters = whereFilters(table, query.where);
    if (!filters) return;
    const size = Math.max(1, Math.min(query.pageSize ?? this.maxRows, this.maxRows));
    let after: Record<string, unknown> | null = null;
    for (;;) {
      let request = this.from(table.name).select(select);
      request = applyFilters(request, after ? [...filters, afterKey(key, after)] : filters);
      for (const column of key) request = request.order(column, { ascending: true });
      const { data } = await this.run(`read ${table.name}`, request.limit(size));
      const rows = (data ?? []) as unknown as Record<string, unknown>[];
      const last = rows[rows.length - 1];
      if (!last) return;
      after = last;
      yield rows.map((row) => decodeRow<Row>(table, row));
      if (rows.length < size) return;
    }
  }

  /** Up to `limit` rows of a newest-first listing, paged by offset (short lists, fixed order). */
  async list<T>(
    what: string,
    build: (from: number, to: number) => RestRequest<T[]>,
    limit: number,
  ): Promise<T[]> {
    const out: T[] = [];
    while (out.length < limit) {
      const size = Math.min(this.maxRows, limit - out.length);
      const { data } = await this.run(what, build(out.length, out.length + size - 1));
      const rows = data ?? [];
      out.push(...rows);
      if (rows.length < size) break;
    }
    return out;
  }
}
