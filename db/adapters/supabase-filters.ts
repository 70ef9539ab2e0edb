/**
 * The Store's `where` conditions as PostgREST filters, plus the two composite
 * filters the adapter builds itself: the keyset "after this key" condition for
 * paging, and "one of these keys" for the keepOnConflict existence check.
 *
 * PostgREST takes a simple operator's value literally (`eq.a,b` means "a,b"),
 * but inside `in.(...)` lists and `or=(...)` trees `,.:()` are syntax, so
 * values there are always double-quoted with `\` escapes.
 */
import type { Condition, Where } from "../store.ts";
import type { TableSpec } from "../table.ts";

/** One query-string filter: `column=op.value`, or a whole `or=(...)` tree. */
export type RestFilter = { column: string; op: string; value: string } | { or: string };

/** A value as a quoted PostgREST token, safe inside lists and logic trees. */
function quote(value: unknown): string {
  return `"${String(value).replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

export function inList(values: readonly unknown[]): string {
  return `(${values.map(quote).join(",")})`;
}

const RANGE_OPS = ["gte", "gt", "lte", "lt"] as const;

/**
 * Filters for `where`, or null when it can match no row (an empty `in`, a
 * range bound of null): the caller then skips the request, as `= ANY('{}')`
 * would return nothing in SQL.
 */
export function whereFilters<Row extends object>(
  table: TableSpec<Row>,
  where: Where<Row> | undefined,
): RestFilter[] | null {
  const filters: RestFilter[] = [];
  let matchesNothing = false;
  for (const [column, condition] of Object.entries(where ?? {}) as [string, Condition][]) {
    if (!(column in table.columns))
      throw new Error(`table ${table.name} has no column "${column}"`);
    if (condition === undefined) continue;
    if (condition === null) {
      filters.push({ column, op: "is", value: "null" });
    } else if (typeof condition !== "object") {
      filters.push({ column, op: "eq", value: String(condition) });
    } else if ("in" in condition) {
      // `x = ANY(array)` never matches a NULL element; PostgREST would read "null" as text.
      const values = condition.in.filter((v) => v !== null);
      if (values.length === 0) matchesNothing = true;
      else filters.push({ column, op: "in", value: inList(values) });
    } else if ("isNull" in condition) {
      filters.push({ column, op: condition.isNull ? "is" : "not.is", value: "null" });
    } else {
      for (const op of RANGE_OPS) {
        const bound = condition[op];
        if (bound === undefined) continue;
        if (bound === null) matchesNothing = true;
        else filters.push({ column, op, value: String(bound) });
      }
    }
  }
  return matchesNothing ? null : filters;
}

/**
 * Rows strictly after `last` in key order: `(k1, k2) > (v1, v2)` spelled as
 * PostgREST can say it, `k1 > v1 OR (k1 = v1 AND k2 > v2)`.
 */
export function afterKey(key: readonly string[], last: Record<string, unknown>): RestFilter {
  if (key.length === 1) {
    const column = key[0] as string;
    return { column, op: "gt", value: String(last[column]) };
  }
  const terms = key.map((column, i) => {
    const equal = key.slice(0, i).map((k) => `${k}.eq.${quote(last[k])}`);
    const step = `${column}.gt.${quote(last[column])}`;
    return equal.length ? `and(${[...equal, step].join(",")})` : step;
  });
  return { or: terms.join(",") };
}

/** Bounds on one existence-check request. */
interface KeyBatchLimits {
  /** Percent-encoded characters of filter per request (proxies refuse URLs over ~8 KB). */
  maxChars: number;
  /** Keys per request: never more than the server returns in one response. */
  maxKeys: number;
}

/** Length in the URL: quotes, commas and parentheses are percent-encoded to three characters. */
const urlLength = (text: string) => encodeURIComponent(text).length;

/**
 * Filters matching exactly the given keys, split into requests within
 * `limits`. Rows sharing every key column but the last are grouped into one
 * `in` list, so a chunk of one day's tickers costs a few short requests.
 */
export function keyBatches(
  key: readonly string[],
  keys: readonly Record<string, unknown>[],
  limits: KeyBatchLimits,
): RestFilter[] {
  const last = key[key.length - 1] as string;
  const prefix = key.slice(0, -1);
  const groups = new Map<string, { head: string[]; values: unknown[] }>();
  for (const row of keys) {
    const head = prefix.map((k) => `${k}.eq.${quote(row[k])}`);
    const id = head.join(",");
    const group = groups.get(id) ?? { head, values: [] };
    group.values.push(row[last]);
    groups.set(id, group);
  }
  const batches: RestFilter[] = [];
  let terms: string[] = [];
  let chars = 0;
  let count = 0;
  const flush = () => {
    if (terms.length === 0) return;
    // A single-column key has one group, so its request is one plain `in` filter.
    batches.push(
      prefix.length
        ? { or: terms.join(",") }
        : { column: last, op: "in", value: terms[0] as string },
    );
    terms = [];
    chars = 0;
    count = 0;
  };
  for (const { head, values } of groups.values()) {
    // `and(<head>,<last>.in.(` ... `)),` around each group's list.
    const headChars = urlLength(`and(${head.join(",")},${last}.in.()),`);
    let pending: string[] = [];
    const close = () => {
      if (pending.length === 0) return;
      const list = `(${pending.join(",")})`;
      terms.push(prefix.length ? `and(${[...head, `${last}.in.${list}`].join(",")})` : list);
      pending = [];
    };
    for (const value of values) {
      const token = quote(value);
      const cost = () => urlLength(`${token},`) + (pending.length === 0 ? headChars : 0);
      if (count > 0 && (count >= limits.maxKeys || chars + cost() > limits.maxChars)) {
        close();
        flush();
      }
      chars += cost();
      pending.push(token);
      count++;
    }
    close();
  }
  flush();
  return batches;
}
