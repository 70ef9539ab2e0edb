/**
 * Cell kinds: how one CSV cell (a string, or undefined when an optional column is absent
 * from the header) becomes a typed value. Each kind comes twice, with one meaning: as a zod
 * schema for a named column (an endpoint's row schema, which also words the reason a row
 * is skipped) and as a plain converter (`kind.convert`) that the client's compiled column
 * plan calls per cell, because zod per row is the slowest part of reading a wide file.
 *
 * FMP writes every value as text; an empty cell means "no value" and becomes null. Numbers
 * must look like numbers: a cell such as "abc" in a numeric column fails validation and
 * the row is skipped and sampled, never coerced. The one exception is FMP's own spelling
 * of undefined ratios ("Infinity", "-Infinity", "NaN", e.g. eps of a company with zero
 * shares): those become null and are tallied per column in the fetch report, so the rest
 * of the row (revenue, net income, ...) is kept and the substitution stays visible.
 */
import { z } from "zod";

type Cell = string | undefined;

/** A converter's answer for a cell its column cannot hold: the row is skipped. */
export const BAD_CELL: unique symbol = Symbol("bad cell");
/** A number column's Infinity/NaN: the value is null, and the cell is counted in the report. */
export const NON_FINITE_CELL: unique symbol = Symbol("non-finite cell");

type Converted<Out> = Out | typeof BAD_CELL | typeof NON_FINITE_CELL;

/** One cell to its value, with exactly the schema's rules, without zod. */
export type CellConverter<Out> = (cell: Cell) => Converted<Out>;

/**
 * A cell kind builds the schema for one named column. `convert` is the same conversion as
 * a plain function; a kind without one still works (the plan then runs its schema per cell).
 */
export interface CellKind<Out> {
  (column: string): z.ZodType<Out, string | undefined>;
  readonly convert?: CellConverter<Out>;
}

function cellKind<Out>(
  schema: (column: string) => z.ZodType<Out, string | undefined>,
  convert: CellConverter<Out>,
): CellKind<Out> {
  return Object.assign(schema, { convert });
}

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const NON_FINITE = new Set(["Infinity", "+Infinity", "-Infinity", "NaN", "inf", "-inf", "nan"]);
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** "2025-10-29 16:10:48" (statements, SEC filings) or a bare date. */
const DATETIME = /^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/;
const BOOLEAN = new Map<string, boolean>([
  ["true", true],
  ["false", false],
  ["True", true],
  ["False", false],
  ["TRUE", true],
  ["FALSE", false],
]);

/** Per-column counts of non-finite values read as null, for the current validation. */
let nonFiniteTally: Record<string, number> | null = null;

/**
 * Runs a (synchronous) validation with non-finite cells counted into `sink`. Zod gives a
 * transform no caller context, so the tally is a module slot set only for the duration of
 * one synchronous parse.
 */
export function tallyingNonFinite<T>(sink: Record<string, number>, validate: () => T): T {
  nonFiniteTally = sink;
  try {
    return validate();
  } finally {
    nonFiniteTally = null;
  }
}

function show(value: string): string {
  return JSON.stringify(value.length > 24 ? `${value.slice(0, 24)}...` : value);
}

/** Marks a cell that failed; the issue is already recorded on the context. */
const INVALID = Symbol("invalid");

/** The number rule both forms share: empty -> null, FMP's Infinity/NaN -> counted null. */
function convertNumber(s: Cell): Converted<number | null> {
  if (s === undefined || s === "") return null;
  if (NUMBER.test(s)) {
    const n = Number(s);
    return Number.isFinite(n) ? n : NON_FINITE_CELL; // e.g. 1e999
  }
  return NON_FINITE.has(s) ? NON_FINITE_CELL : BAD_CELL;
}

function parseNumber(
  column: string,
  s: Cell,
  ctx: z.RefinementCtx,
): number | null | typeof INVALID {
  const n = convertNumber(s);
  if (n === BAD_CELL) {
    ctx.addIssue({ code: "custom", message: `not a number: ${show(s ?? "")}` });
    return INVALID;
  }
  if (n !== NON_FINITE_CELL) return n;
  if (nonFiniteTally) nonFiniteTally[column] = (nonFiniteTally[column] ?? 0) + 1;
  return null;
}

/** A number, or null when empty or non-finite. */
export const num: CellKind<number | null> = cellKind(
  (column) =>
    z
      .string()
      .optional()
      .transform((s, ctx) => {
        const n = parseNumber(column, s, ctx);
        return n === INVALID ? z.NEVER : n;
      }),
  convertNumber,
);

function convertInt(s: Cell): Converted<number | null> {
  const n = convertNumber(s);
  return typeof n === "number" && !Number.isInteger(n) ? BAD_CELL : n;
}

/** A whole number, or null when empty (fiscalYear when optional, counts). */
export const int: CellKind<number | null> = cellKind(
  (column) =>
    z
      .string()
      .optional()
      .transform((s, ctx) => {
        const n = parseNumber(column, s, ctx);
        if (n === INVALID) return z.NEVER;
        if (n !== null && !Number.isInteger(n)) {
          ctx.addIssue({ code: "custom", message: `not a whole number: ${show(s ?? "")}` });
          return z.NEVER;
        }
        return n;
      }),
  convertInt,
);

/** A whole number that must be present (e.g. a statement's fiscalYear). */
export const requiredInt: CellKind<number> = cellKind(
  (column) => int(column).pipe(z.number({ message: "missing" })),
  // Empty, or a non-finite value (null as an int), is "missing": the row is skipped.
  (s) => {
    const n = convertInt(s);
    return typeof n === "number" ? n : BAD_CELL;
  },
);

function convertLooseCount(s: Cell): number | null {
  const digits = s?.replace(/[,\s]/g, "") ?? "";
  return /^\d+$/.test(digits) ? Number(digits) : null;
}

/**
 * A count written for people, e.g. fullTimeEmployees "164,000": thousands separators are
 * dropped; anything else that is not a whole number becomes null rather than failing the
 * row, because a profile is worth keeping without its head count.
 */
export const looseCount: CellKind<number | null> = cellKind(
  () => z.string().optional().transform(convertLooseCount),
  convertLooseCount,
);

const convertText = (s: Cell): string | null => (s ? s : null);

/** Free text, or null when empty. */
export const text: CellKind<string | null> = cellKind(
  () => z.string().optional().transform(convertText),
  convertText,
);

/** Text that identifies the row and must be present (symbol), trimmed. */
export const requiredText: CellKind<string> = cellKind(
  () => z.string().trim().min(1, "missing"),
  (s) => {
    const trimmed = s?.trim();
    return trimmed ? trimmed : BAD_CELL;
  },
);

/** A calendar date YYYY-MM-DD, or null when empty. */
export const date: CellKind<string | null> = cellKind(
  () =>
    z
      .string()
      .optional()
      .transform((s, ctx) => {
        if (!s) return null;
        if (DATE.test(s)) return s;
        ctx.addIssue({ code: "custom", message: `not a date: ${show(s)}` });
        return z.NEVER;
      }),
  (s) => (!s ? null : DATE.test(s) ? s : BAD_CELL),
);

/** A calendar date that must be present (a statement's period end, an EOD row's date). */
export const requiredDate: CellKind<string> = cellKind(
  () => z.string().regex(DATE, "not a date YYYY-MM-DD"),
  (s) => (s !== undefined && DATE.test(s) ? s : BAD_CELL),
);

/** A timestamp as FMP writes it ("2025-10-29 16:10:48"), kept as text, or null. */
export const dateTime: CellKind<string | null> = cellKind(
  () =>
    z
      .string()
      .optional()
      .transform((s, ctx) => {
        if (!s) return null;
        if (DATETIME.test(s)) return s;
        ctx.addIssue({ code: "custom", message: `not a timestamp: ${show(s)}` });
        return z.NEVER;
      }),
  (s) => (!s ? null : DATETIME.test(s) ? s : BAD_CELL),
);

/** "true"/"false" as a boolean, or null when empty. */
export const bool: CellKind<boolean | null> = cellKind(
  () =>
    z
      .string()
      .optional()
      .transform((s, ctx) => {
        if (!s) return null;
        const b = BOOLEAN.get(s);
        if (b !== undefined) return b;
        ctx.addIssue({ code: "custom", message: `not a boolean: ${show(s)}` });
        return z.NEVER;
      }),
  (s) => (!s ? null : (BOOLEAN.get(s) ?? BAD_CELL)),
);

function convertList(s: Cell): string[] {
  return s
    ? s
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item.length > 0)
    : [];
}

/** A comma-separated list ("MSFT,GOOGL"), trimmed, without empty entries. */
export const list: CellKind<string[]> = cellKind(
  () => z.string().optional().transform(convertList),
  convertList,
);

/** One of a fixed set of values (a statement's period). */
export function oneOf<const T extends readonly [string, ...string[]]>(
  values: T,
): CellKind<T[number]> {
  const allowed = new Set<string>(values);
  return cellKind(
    () => z.enum(values),
    (s) => (s !== undefined && allowed.has(s) ? (s as T[number]) : BAD_CELL),
  );
}
