/**
 * A PostgREST stand-in for tests (no PostgREST server installs here): a
 * fetch-compatible handler, given to supabase-js as `global.fetch`, that
 * carries out the requests it sends with real SQL on a PGlite database, so
 * the Supabase adapter is checked against real rows, constraints and types.
 *
 * It covers what supabase-js and the adapter send, the way PostgREST does
 * it: GET/HEAD with select, column filters (eq, neq, gt, gte, lt, lte, like,
 * ilike, is, in, `not.`), or/and trees with quoted values, order, limit and
 * offset or a Range header, Prefer count=exact; POST through
 * json_populate_recordset with on_conflict and resolution=merge-duplicates /
 * ignore-duplicates; PATCH and DELETE (refused without a filter, as
 * Supabase's pg-safeupdate does); return=representation; error bodies
 * {code, message, details, hint} with PostgREST's statuses (409 for unique
 * violations); RPC (`POST /rest/v1/rpc/<fn>` with named arguments in a JSON object, read
 * with json_to_record as PostgREST does, one statement, the result as JSON). Responses are capped at `maxRows` (1,000, PostgREST's
 * max-rows on Supabase) so paging is really exercised. Faults (HTTP statuses
 * with headers, network errors) can be injected for the next requests.
 */
import { ident, type SqlExecutor } from "../../db/adapters/sql.ts";

export interface RecordedRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string;
}

export interface Fault {
  /** The status to answer with (ignored for network faults). */
  status?: number;
  headers?: Record<string, string>;
  /** A JSON error body; PostgREST's shape by default. */
  body?: unknown;
  /** Fail like an unreachable server: fetch throws TypeError("fetch failed"). */
  network?: boolean;
  /** Only requests this accepts get the fault. */
  match?: (request: RecordedRequest) => boolean;
}

export interface PostgrestEmulator {
  fetch: typeof fetch;
  /** Every request received, faults included, in order. */
  requests: RecordedRequest[];
  /** The next `times` matching requests get `fault` instead of an answer. */
  inject(fault: Fault, times?: number): void;
}

export interface EmulatorOptions {
  /** When set, requests without this `apikey` header get 401. */
  apiKey?: string;
  maxRows?: number;
}

interface TableInfo {
  name: string;
  types: Map<string, string>;
  primaryKey: string[];
}

/** A PostgREST-made error (parse errors, unknown tables): already an HTTP answer. */
class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: string | null = null;

  constructor(status: number, code: string, message: string, details: string | null = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

const RESERVED = new Set(["select", "order", "limit", "offset", "on_conflict", "columns"]);
const COMPARISONS: Record<string, string> = {
  eq: "=",
  neq: "<>",
  gt: ">",
  gte: ">=",
  lt: "<",
  lte: "<=",
};

/** Splits on commas outside quotes and parentheses. */
function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      current += ch;
      if (ch === "\\") current += text[++i] ?? "";
      else if (ch === '"') quoted = false;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === "(") depth++;
    else if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

/** A list or tree value: `"..."` with backslash escapes, or the bare text. */
function unquote(text: string): string {
  if (!(text.length >= 2 && text.startsWith('"') && text.endsWith('"'))) return text;
  return text.slice(1, -1).replace(/\\(.)/g, "$1");
}

function parenthesised(text: string, what: string): string {
  if (!text.startsWith("(") || !text.endsWith(")")) {
    throw new ApiError(400, "PGRST100", `failed to parse ${what} (${text})`);
  }
  return text.slice(1, -1);
}

class QueryBuilder {
  readonly params: unknown[] = [];

  private readonly table: TableInfo;

  constructor(table: TableInfo, initialParams: unknown[] = []) {
    this.table = table;
    this.params.push(...initialParams);
  }

  private param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  column(name: string): { sql: string; type: string } {
    const type = this.table.types.get(name);
    if (!type) {
      throw new ApiError(400, "42703", `column ${this.table.name}.${name} does not exist`);
    }
    return { sql: `_t.${ident(name)}`, type };
  }

  /** `op.value` on a column; values are literal at top level, maybe quoted inside trees. */
  condition(column: string, expression: string, inTree: boolean): string {
    let expr = expression;
    let negate = false;
    if (expr.startsWith("not.")) {
      negate = true;
      expr = expr.slice(4);
    }
    const dot = expr.indexOf(".");
    if (dot < 0) throw new ApiError(400, "PGRST100", `failed to parse filter (${expression})`);
    const op = expr.slice(0, dot);
    const raw = expr.slice(dot + 1);
    const value = inTree ? unquote(raw) : raw;
    const { sql: col, type } = this.column(column);
    let sql: string;
    if (op in COMPARISONS) {
      sql = `${col} ${COMPARISONS[op]} ${this.param(value)}::text::${type}`;
    } else if (op === "like" || op === "ilike") {
      sql = `${col}::text ${op.toUpperCase()} ${this.param(value.replaceAll("*", "%"))}`;
    } else if (op === "is") {
      const known: Record<string, string> = {
        null: "NULL",
        not_null: "NOT NULL",
        true: "TRUE",
        false: "FALSE",
        unknown: "UNKNOWN",
      };
      const target = known[value.toLowerCase()];
      if (!target) throw new ApiError(400, "PGRST100", `failed to parse filter (${expression})`);
      sql = `${col} IS ${target}`;
    } else if (op === "in") {
      const items = splitTop(parenthesised(raw, "filter")).filter((s) => s !== "");
      sql = `${col} = ANY(${this.param(items.map(unquote))}::text[]::${type}[])`;
    } else {
      throw new ApiError(400, "PGRST100", `unknown operator in filter (${expression})`);
    }
    return negate ? `NOT (${sql})` : sql;
  }

  /** An `or=(...)` / `and=(...)` tree. */
  tree(kind: "or" | "and", body: string): string {
    const items = splitTop(parenthesised(body, "logic tree")).map((item) => {
      const nested = /^(not\.)?(and|or)\((.*)\)$/s.exec(item);
      if (nested) {
        const sql = this.tree(nested[2] as "and" | "or", `(${nested[3]})`);
        return nested[1] ? `NOT ${sql}` : sql;
      }
      const dot = item.indexOf(".");
      if (dot < 0) throw new ApiError(400, "PGRST100", `failed to parse logic tree (${item})`);
      return this.condition(item.slice(0, dot), item.slice(dot + 1), true);
    });
    return `(${items.join(kind === "or" ? " OR " : " AND ")})`;
  }

  /** Every filter of the query string, as a WHERE clause ('' for none). */
  where(search: URLSearchParams): string {
    const clauses: string[] = [];
    for (const [name, value] of search) {
      if (RESERVED.has(name)) continue;
      if (name === "or" || name === "and") clauses.push(this.tree(name, value));
      else if (name === "not.or" || name === "not.and") {
        clauses.push(`NOT ${this.tree(name.slice(4) as "or" | "and", value)}`);
      } else clauses.push(this.condition(name, value, false));
    }
    return clauses.length ? `WHERE ${clauses.join(" AND ")}` : "";
  }

  order(spec: string | null): string {
    if (!spec) return "";
    const terms = spec.split(",").map((term) => {
      const [name, ...mods] = term.split(".");
      const parts = [this.column(name as string).sql];
      for (const mod of mods) {
        const sql = {
          asc: "ASC",
          desc: "DESC",
          nullsfirst: "NULLS FIRST",
          nullslast: "NULLS LAST",
        }[mod];
        if (!sql) throw new ApiError(400, "PGRST100", `failed to parse order (${spec})`);
        parts.push(sql);
      }
      return parts.join(" ");
    });
    return `ORDER BY ${terms.join(", ")}`;
  }

  /** The select list over `source` (plain columns or `*`: no embedding, renames or casts). */
  select(spec: string | null, source: string): string {
    if (!spec || spec === "*") return `${source}.*`;
    return spec
      .split(",")
      .map((item) => {
        const name = unquote(item.trim());
        if (/[():]/.test(name)) {
          throw new ApiError(400, "PGRST100", `the emulator does not support select "${item}"`);
        }
        this.column(name);
        return `${source}.${ident(name)}`;
      })
      .join(", ");
  }
}

function parsePrefer(header: string | null): Map<string, string> {
  const prefer = new Map<string, string>();
  for (const part of (header ?? "").split(",")) {
    const [name, value] = part.trim().split("=");
    if (name) prefer.set(name, value ?? "");
  }
  return prefer;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

/** PostgREST's status for a Postgres SQLSTATE. */
function statusFor(code: string): number {
  if (code === "23505" || code === "23503") return 409;
  if (code === "42P01" || code === "42883") return 404;
  if (code === "42501") return 403;
  if (code === "25006") return 405;
  if (/^(08|53|57)/.test(code)) return 503;
  if (code.startsWith("XX")) return 500;
  return 400;
}

function errorResponse(error: unknown): Response {
  if (error instanceof ApiError) {
    return json(error.status, {
      code: error.code,
      details: error.details,
      hint: null,
      message: error.message,
    });
  }
  const e = error as { code?: string; message?: string; detail?: string; hint?: string };
  if (typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code)) {
    return json(statusFor(e.code), {
      code: e.code,
      details: e.detail ?? null,
      hint: e.hint ?? null,
      message: e.message ?? "",
    });
  }
  return json(500, { code: "", details: null, hint: null, message: String(e.message ?? error) });
}

function contentRange(offset: number, n: number, total: number | null): string {
  return `${n > 0 ? `${offset}-${offset + n - 1}` : "*"}/${total ?? "*"}`;
}

function nonNegative(text: string | null, what: string): number | null {
  if (text === null) return null;
  if (!/^\d+$/.test(text)) throw new ApiError(400, "PGRST100", `invalid ${what} (${text})`);
  return Number(text);
}

/** A fetch handler answering PostgREST requests from `db`. */
export function postgrestEmulator(
  db: SqlExecutor,
  options: EmulatorOptions = {},
): PostgrestEmulator {
  const maxRows = options.maxRows ?? 1_000;
  const requests: RecordedRequest[] = [];
  const faults: (Fault & { remaining: number })[] = [];
  const tables = new Map<string, TableInfo>();

  async function tableInfo(name: string): Promise<TableInfo> {
    const cached = tables.get(name);
    if (cached) return cached;
    const columns = await db.query<{ name: string; type: string }>(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
         FROM pg_attribute a
        WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum`,
      [ident(name)],
    );
    if (columns.length === 0) {
      throw new ApiError(
        404,
        "PGRST205",
        `Could not find the table 'public.${name}' in the schema cache`,
      );
    }
    const primaryKey = await db.query<{ name: string }>(
      `SELECT a.attname AS name
         FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
        WHERE i.indrelid = to_regclass($1) AND i.indisprimary
        ORDER BY array_position(i.indkey::int2[], a.attnum)`,
      [ident(name)],
    );
    const info = {
      name,
      types: new Map(columns.map((c) => [c.name, c.type])),
      primaryKey: primaryKey.map((c) => c.name),
    };
    tables.set(name, info);
    return info;
  }

  /** Runs `WITH w AS (<mutation> RETURNING _t.*)` and returns its rows as JSON text and a count. */
  async function mutate(
    statement: string,
    params: unknown[],
    q: QueryBuilder,
    selectSpec: string | null,
  ) {
    const rows = await db.query<{ body: string; n: number }>(
      `WITH w AS (${statement} RETURNING _t.*)
       SELECT (SELECT coalesce(json_agg(_r), '[]') FROM (SELECT ${q.select(selectSpec, "w")} FROM w) _r)::text AS body,
              (SELECT count(*) FROM w)::int AS n`,
      params,
    );
    return rows[0] ?? { body: "[]", n: 0 };
  }

  async function get(req: Request, url: URL, table: TableInfo, head: boolean) {
    const q = new QueryBuilder(table);
    const where = q.where(url.searchParams);
    const prefer = parsePrefer(req.headers.get("prefer"));
    let offset = nonNegative(url.searchParams.get("offset"), "offset") ?? 0;
    let limit = nonNegative(url.searchParams.get("limit"), "limit");
    const range = /^(\d+)-(\d*)$/.exec(req.headers.get("range") ?? "");
    if (range && limit === null) {
      offset = Number(range[1]);
      if (range[2]) limit = Number(range[2]) - offset + 1;
    }
    // PostgREST's max-rows: no response carries more, whatever was asked.
    const take = Math.min(limit ?? maxRows, maxRows);
    const from = `FROM ${ident(table.name)} AS _t ${where}`;
    const [page] = await db.query<{ body: string; n: number }>(
      `SELECT coalesce(json_agg(_r), '[]')::text AS body, count(*)::int AS n FROM (
         SELECT ${q.select(url.searchParams.get("select"), "_t")} ${from}
         ${q.order(url.searchParams.get("order"))} LIMIT ${take} OFFSET ${offset}) _r`,
      q.params,
    );
    let total: number | null = null;
    if (prefer.get("count") === "exact") {
      const [counted] = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n ${from}`,
        q.params,
      );
      total = counted?.n ?? 0;
    }
    const n = page?.n ?? 0;
    return new Response(head ? null : (page?.body ?? "[]"), {
      status: 200,
      headers: {
        "content-type": "application/json; charset=utf-8",
        "content-range": contentRange(offset, n, total),
      },
    });
  }

  async function post(req: Request, url: URL, table: TableInfo) {
    const prefer = parsePrefer(req.headers.get("prefer"));
    if (prefer.get("missing") === "default") {
      throw new ApiError(400, "PGRST100", "the emulator does not support Prefer: missing=default");
    }
    const parsed = JSON.parse((await req.text()) || "[]") as unknown;
    const rows = (Array.isArray(parsed) ? parsed : [parsed]) as Record<string, unknown>[];
    const listed = url.searchParams.get("columns");
    const columns = listed
      ? splitTop(listed).map((c) => unquote(c.trim()))
      : Object.keys(rows[0] ?? {});
    for (const column of columns) {
      if (!table.types.has(column)) {
        throw new ApiError(
          400,
          "PGRST204",
          `Could not find the '${column}' column of '${table.name}' in the schema cache`,
        );
      }
    }
    const representation = prefer.get("return") === "representation";
    if (rows.length === 0 || columns.length === 0) {
      return json(201, representation ? [] : null, { "content-range": "*/0" });
    }
    const resolution = prefer.get("resolution");
    const conflict = url.searchParams.get("on_conflict")?.split(",") ?? table.primaryKey;
    const updatable = columns.filter((c) => !conflict.includes(c));
    let onConflict = "";
    if (resolution === "merge-duplicates" || resolution === "ignore-duplicates") {
      const action =
        resolution === "ignore-duplicates" || updatable.length === 0
          ? "DO NOTHING"
          : `DO UPDATE SET ${updatable.map((c) => `${ident(c)} = EXCLUDED.${ident(c)}`).join(", ")}`;
      onConflict = `ON CONFLICT (${conflict.map(ident).join(", ")}) ${action}`;
    }
    const list = columns.map(ident).join(", ");
    const target = ident(table.name);
    const q = new QueryBuilder(table);
    const result = await mutate(
      `INSERT INTO ${target} AS _t (${list})
       SELECT ${list} FROM json_populate_recordset(NULL::${target}, $1::json) ${onConflict}`,
      [JSON.stringify(rows)],
      q,
      url.searchParams.get("select"),
    );
    const total = prefer.get("count") === "exact" ? result.n : null;
    return new Response(representation ? result.body : null, {
      status: 201,
      headers: {
        "content-type": "application/json; charset=utf-8",
        "content-range": `*/${total ?? "*"}`,
      },
    });
  }

  async function patchOrDelete(req: Request, url: URL, table: TableInfo) {
    const prefer = parsePrefer(req.headers.get("prefer"));
    const isPatch = req.method === "PATCH";
    const values = isPatch
      ? (JSON.parse((await req.text()) || "{}") as Record<string, unknown>)
      : {};
    const q = new QueryBuilder(table, isPatch ? [JSON.stringify(values)] : []);
    const where = q.where(url.searchParams);
    if (!where) {
      // Supabase runs pg-safeupdate for API roles: no unfiltered UPDATE or DELETE.
      throw new ApiError(400, "21000", `${isPatch ? "UPDATE" : "DELETE"} requires a WHERE clause`);
    }
    const target = ident(table.name);
    let statement: string;
    if (isPatch) {
      const columns = Object.keys(values);
      if (columns.length === 0) return new Response(null, { status: 204 });
      for (const column of columns) q.column(column);
      const sets = columns.map((c) => `${ident(c)} = _v.${ident(c)}`).join(", ");
      statement = `UPDATE ${target} AS _t SET ${sets}
        FROM json_populate_record(NULL::${target}, $1::json) AS _v ${where}`;
    } else {
      statement = `DELETE FROM ${target} AS _t ${where}`;
    }
    const result = await mutate(statement, q.params, q, url.searchParams.get("select"));
    const total = prefer.get("count") === "exact" ? result.n : null;
    const headers = {
      "content-type": "application/json; charset=utf-8",
      "content-range": contentRange(0, result.n, total),
    };
    return prefer.get("return") === "representation"
      ? new Response(result.body, { status: 200, headers })
      : new Response(null, { status: 204, headers });
  }

  /** A function call: named arguments from the JSON body, one statement, its result as JSON. */
  async function rpc(req: Request, name: string): Promise<Response> {
    if (req.method !== "POST") {
      return json(405, { code: "PGRST117", message: `Unsupported HTTP method: ${req.method}` });
    }
    const args = JSON.parse((await req.text()) || "{}") as Record<string, unknown>;
    const declared = await db.query<{ name: string; type: string }>(
      `SELECT a.name, format_type(a.type, NULL) AS type
         FROM pg_proc p, unnest(p.proargnames, p.proargtypes::oid[]) AS a(name, type)
        WHERE p.proname = $1 AND pg_function_is_visible(p.oid)`,
      [name],
    );
    const types = new Map(declared.map((a) => [a.name, a.type]));
    const given = Object.keys(args);
    if (declared.length === 0 || given.some((a) => !types.has(a))) {
      throw new ApiError(
        404,
        "PGRST202",
        `Could not find the function public.${name}(${given.join(", ")}) in the schema cache`,
      );
    }
    const call = given.map((a) => `${ident(a)} => _.${ident(a)}`).join(", ");
    const record = given.map((a) => `${ident(a)} ${types.get(a)}`).join(", ");
    const [row] = await db.query<{ body: string }>(
      `SELECT to_json(${ident(name)}(${call}))::text AS body
         FROM json_to_record($1::json) AS _(${record || "_none int"})`,
      [JSON.stringify(args)],
    );
    return new Response(row?.body ?? "null", {
      status: 200,
      headers: { "content-type": "application/json; charset=utf-8" },
    });
  }

  async function answer(req: Request, url: URL): Promise<Response> {
    if (options.apiKey && req.headers.get("apikey") !== options.apiKey) {
      return json(401, {
        message: "Invalid API key",
        hint: "Double check your Supabase `anon` or `service_role` API key.",
      });
    }
    const fn = /^\/rest\/v1\/rpc\/([^/]+)$/.exec(url.pathname);
    if (fn) {
      try {
        return await rpc(req, decodeURIComponent(fn[1] as string));
      } catch (error) {
        return errorResponse(error);
      }
    }
    const match = /^\/rest\/v1\/([^/]+)$/.exec(url.pathname);
    if (!match) return json(404, { code: "PGRST125", message: `Invalid path ${url.pathname}` });
    try {
      const table = await tableInfo(decodeURIComponent(match[1] as string));
      switch (req.method) {
        case "GET":
        case "HEAD":
          return await get(req, url, table, req.method === "HEAD");
        case "POST":
          return await post(req, url, table);
        case "PATCH":
        case "DELETE":
          return await patchOrDelete(req, url, table);
        default:
          return json(405, { code: "PGRST117", message: `Unsupported HTTP method: ${req.method}` });
      }
    } catch (error) {
      return errorResponse(error);
    }
  }

  const handler = async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    const recorded: RecordedRequest = {
      method: req.method,
      url,
      headers: Object.fromEntries(req.headers),
      body: await req.clone().text(),
    };
    requests.push(recorded);
    const fault = faults.find((f) => f.remaining > 0 && (!f.match || f.match(recorded)));
    if (fault) {
      fault.remaining--;
      if (fault.network) throw new TypeError("fetch failed");
      const status = fault.status ?? 503;
      return json(
        status,
        fault.body ?? { code: "", details: null, hint: null, message: `injected ${status}` },
        fault.headers,
      );
    }
    return answer(req, url);
  };

  return {
    fetch: handler as typeof fetch,
    requests,
    inject(fault, times = 1) {
      faults.push({ ...fault, remaining: times });
    },
  };
}
