/**
 * Cell kinds: zod schemas that turn one CSV cell (a string, or undefined when an optional
 * column is absent from the header) into a typed value.
 *
 * FMP writes every value as text; an empty cell means "no value" and becomes null. Numbers
 * must look like numbers: a cell such as "abc" in a numeric column fails validation and
 * the row is skipped and sampled, never coerced. The one exception is FMP's own spelling
 * of undefined ratios ("Infinity", "-Infinity", "NaN", e.g. eps of a company with zero
 * shares): those become null and are tallied per column in the fetch report, so the rest
 * of the row (revenue, net income, ...) is kept and the substitution stays visible.
 */
import { z } from "zod";

/** A cell kind builds the schema for one named column. */
export type CellKind<Out> = (column: string) => z.ZodType<Out, string | undefined>;

type Cell = string | undefined;

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const NON_FINITE = new Set(["Infinity", "+Infinity", "-Infinity", "NaN", "inf", "-inf", "nan"]);
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** "2025-10-29 16:10:48" (statements, SEC filings) or a bare date. */
const DATETIME = /^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/;
const BOOLEAN: Record<string, boolean> = {
  true: true,
  false: false,
  True: true,
  False: false,
  TRUE: true,
  FALSE: false,
};

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

function parseNumber(
  column: string,
  s: Cell,
  ctx: z.RefinementCtx,
): number | null | typeof INVALID {
  if (s === undefined || s === "") return null;
  if (NUMBER.test(s)) {
    const n = Number(s);
    if (Number.isFinite(n)) return n;
  } else if (!NON_FINITE.has(s)) {
    ctx.addIssue({ code: "custom", message: `not a number: ${show(s)}` });
    return INVALID;
  }
  if (nonFiniteTally) nonFiniteTally[column] = (nonFiniteTally[column] ?? 0) + 1;
  return null;
}

/** A number, or null when empty or non-finite. */
export const num: CellKind<number | null> = (column) =>
  z
    .string()
    .optional()
    .transform((s, ctx) => {
      const n = parseNumber(column, s, ctx);
      return n === INVALID ? z.NEVER : n;
    });

/** A whole number, or null when empty (fiscalYear when optional, counts). */
export const int: CellKind<number | null> = (column) =>
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
    });

/** A whole number that must be present (e.g. a statement's fiscalYear). */
export const requiredInt: CellKind<number> = (column) =>
  int(column).pipe(z.number({ message: "missing" }));

/**
 * A count written for people, e.g. fullTimeEmployees "164,000": thousands separators are
 * dropped; anything else that is not a whole number becomes null rather than failing the
 * row, because a profile is worth keeping without its head count.
 */
export const looseCount: CellKind<number | null> = () =>
  z
    .string()
    .optional()
    .transform((s) => {
      const digits = s?.replace(/[,\s]/g, "") ?? "";
      return /^\d+$/.test(digits) ? Number(digits) : null;
    });

/** Free text, or null when empty. */
export const text: CellKind<string | null> = () =>
  z
    .string()
    .optional()
    .transform((s) => (s ? s : null));

/** Text that identifies the row and must be present (symbol). */
export const requiredText: CellKind<string> = () => z.string().trim().min(1, "missing");

/** A calendar date YYYY-MM-DD, or null when empty. */
export const date: CellKind<string | null> = () =>
  z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (!s) return null;
      if (DATE.test(s)) return s;
      ctx.addIssue({ code: "custom", message: `not a date: ${show(s)}` });
      return z.NEVER;
    });

/** A calendar date that must be present (a statement's period end, an EOD row's date). */
export const requiredDate: CellKind<string> = () => z.string().regex(DATE, "not a date YYYY-MM-DD");

/** A timestamp as FMP writes it ("2025-10-29 16:10:48"), kept as text, or null. */
export const dateTime: CellKind<string | null> = () =>
  z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (!s) return null;
      if (DATETIME.test(s)) return s;
      ctx.addIssue({ code: "custom", message: `not a timestamp: ${show(s)}` });
      return z.NEVER;
    });

/** "true"/"false" as a boolean, or null when empty. */
export const bool: CellKind<boolean | null> = () =>
  z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (!s) return null;
      const b = BOOLEAN[s];
      if (b !== undefined) return b;
      ctx.addIssue({ code: "custom", message: `not a boolean: ${show(s)}` });
      return z.NEVER;
    });

/** A comma-separated list ("MSFT,GOOGL"), trimmed, without empty entries. */
export const list: CellKind<string[]> = () =>
  z
    .string()
    .optional()
    .transform((s) =>
      s
        ? s
            .split(",")
            .map((item) => item.trim())
            .filter((item) => item.length > 0)
        : [],
    );

/** One of a fixed set of values (a statement's period). */
export function oneOf<const T extends readonly [string, ...string[]]>(
  values: T,
): CellKind<T[number]> {
  return () => z.enum(values);
}
