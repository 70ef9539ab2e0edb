/**
 * What an FMP endpoint is, as data: its path, the parameters it takes, the zod schema of
 * one row, and (for CSV) the header columns it must have, each with the converter the
 * client compiles its column plan from. The catalogue in ./endpoints/ is built with the two
 * definers here; the client reads nothing else about an endpoint.
 */
import { z } from "zod";
import {
  BAD_CELL,
  type CellConverter,
  type CellKind,
  NON_FINITE_CELL,
  tallyingNonFinite,
} from "./cells.ts";

/** Query parameters after validation, ready for a URL. */
export type Query = Record<string, string | number>;

interface EndpointBase<Params> {
  /** FMP's name for it, which is also its path under the base URL ("eod-bulk"). */
  readonly name: string;
  /** Validates what the caller passes; the output becomes the query string. */
  readonly params: z.ZodType<Query, Params>;
  /** What a 402/403 most likely means for this endpoint, for the error message. */
  readonly plan: string;
}

export interface CsvColumn {
  /** FMP's camelCase name, also the key in the row the client returns. */
  readonly name: string;
  /** Other header names FMP has used for the same value (legacy v3 names). */
  readonly aliases: readonly string[];
  /** A header without this column (or an alias) is an error, not a row problem. */
  readonly required: boolean;
  /** Only old headers carry it: its absence is expected, never reported as a renamed column. */
  readonly legacy: boolean;
  /**
   * The cell to its value with the same rules as `schema` (set by defineCsvEndpoint). An
   * endpoint whose columns lack it is read through `schema`, row by row.
   */
  readonly convert?: CellConverter<unknown>;
}

export interface CsvEndpoint<Row, Params = Record<string, never>> extends EndpointBase<Params> {
  readonly format: "csv";
  /**
   * One row: cells in, typed values out. Unknown columns never reach it. The client reads
   * rows with the columns' converters and uses this to word why a row is skipped.
   */
  readonly schema: z.ZodType<Row, Record<string, string | undefined>>;
  readonly columns: readonly CsvColumn[];
  /** "part": the body comes in parts (part=0,1,...) and an empty part ends it. */
  readonly paging: "none" | "part";
  /**
   * What a body without rows means: "ok" (a statement period nobody has filed yet) or
   * "error" (an EOD file for a date that should have trading).
   */
  readonly whenEmpty: "ok" | "error";
  /** Why a body may be empty, for the "empty" error's hint. */
  readonly emptyHint?: string;
}

export interface JsonEndpoint<Row, Params = Record<string, never>> extends EndpointBase<Params> {
  readonly format: "json";
  /** One element of the JSON array FMP returns. */
  readonly schema: z.ZodType<Row>;
}

export type RowOf<E> =
  E extends CsvEndpoint<infer Row, infer _P>
    ? Row
    : E extends JsonEndpoint<infer Row, infer _P>
      ? Row
      : never;

type Cells = Record<string, CellKind<unknown>>;
type RowFromCells<C extends Cells> = { [K in keyof C]: C[K] extends CellKind<infer O> ? O : never };

interface CsvEndpointSpec<C extends Cells, Params> {
  name: string;
  params: z.ZodType<Query, Params>;
  plan: string;
  columns: C;
  /** Columns the header must have; the others read as null when absent. */
  required: readonly (keyof C & string)[];
  aliases?: Partial<Record<keyof C & string, readonly string[]>>;
  /** Columns only old headers carry; read when present, absent without a warning. */
  legacy?: readonly (keyof C & string)[];
  paging?: "none" | "part";
  whenEmpty?: "ok" | "error";
  emptyHint?: string;
}

export function defineCsvEndpoint<C extends Cells, Params = Record<string, never>>(
  spec: CsvEndpointSpec<C, Params>,
): CsvEndpoint<RowFromCells<C>, Params> {
  const shape: Record<string, z.ZodType<unknown, string | undefined>> = {};
  for (const [column, cell] of Object.entries(spec.columns)) shape[column] = cell(column);
  const required = new Set<string>(spec.required);
  const legacy = new Set<string>(spec.legacy ?? []);
  const aliases: Partial<Record<string, readonly string[]>> = spec.aliases ?? {};
  return {
    format: "csv",
    name: spec.name,
    params: spec.params,
    plan: spec.plan,
    schema: z.object(shape) as unknown as z.ZodType<
      RowFromCells<C>,
      Record<string, string | undefined>
    >,
    columns: Object.entries(spec.columns).map(([name, cell]) => ({
      name,
      aliases: aliases[name] ?? [],
      required: required.has(name),
      legacy: legacy.has(name),
      convert:
        cell.convert ?? viaSchema(name, shape[name] as z.ZodType<unknown, string | undefined>),
    })),
    paging: spec.paging ?? "none",
    whenEmpty: spec.whenEmpty ?? "ok",
    ...(spec.emptyHint ? { emptyHint: spec.emptyHint } : {}),
  };
}

/** A converter for a cell kind that has only its schema: zod for that one cell. */
function viaSchema(
  column: string,
  schema: z.ZodType<unknown, string | undefined>,
): CellConverter<unknown> {
  return (cell) => {
    const counted: Record<string, number> = {};
    const result = tallyingNonFinite(counted, () => schema.safeParse(cell));
    if (!result.success) return BAD_CELL;
    return counted[column] ? NON_FINITE_CELL : result.data;
  };
}

export function defineJsonEndpoint<Row, Params>(spec: {
  name: string;
  params: z.ZodType<Query, Params>;
  plan: string;
  schema: z.ZodType<Row>;
}): JsonEndpoint<Row, Params> {
  return { format: "json", ...spec };
}

/** Parameters for endpoints that take none: only an empty object is accepted. */
export const noParams: z.ZodType<Query, Record<string, never>> = z
  .strictObject({})
  .transform((): Query => ({}));
