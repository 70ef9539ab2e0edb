/**
 * From CSV fields to typed rows with a column plan compiled once per header: the header is
 * matched against the endpoint's columns (required ones must be there; optional ones the
 * header lacks, and header columns nothing reads, are named for the report), then every
 * endpoint column gets its header position and its cell converter, and each row is a loop
 * over that plan into a scratch array, turned into the row object by a constructor
 * generated for the endpoint's keys. Extra columns are never read. No zod runs per row.
 *
 * A row with a bad cell is skipped; its reason is worded by the endpoint's zod schema,
 * run on that row only, so skipped rows read exactly as they always have (the converters
 * follow the same rules as the schemas: tests/sources/fmp/row-plan.test.ts holds them to it).
 */
import { BAD_CELL, type CellConverter, tallyingNonFinite } from "./cells.ts";
import type { CsvEndpoint } from "./endpoint.ts";
import { FmpError } from "./errors.ts";

export type RowResult<Row> = { ok: true; row: Row } | { ok: false; reason: string };

/** Builds the row object from the plan's values, in the endpoint's column order. */
type RowBuilder = (values: readonly unknown[]) => unknown;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * A constructor with the keys written out (`{symbol: v[0], date: v[1], ...}`), so every
 * row gets the same shape in one allocation; column names are the catalogue's, checked to
 * be plain identifiers. Without code generation (or with an odd name), a keyed loop.
 */
function rowBuilder(names: readonly string[]): RowBuilder {
  if (names.every((name) => IDENTIFIER.test(name) && name !== "__proto__")) {
    try {
      const fields = names.map((name, i) => `${name}: v[${i}]`).join(", ");
      return new Function("v", `"use strict"; return { ${fields} };`) as RowBuilder;
    } catch {
      // Code generation disallowed (e.g. --disallow-code-generation-from-strings).
    }
  }
  return (values) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) {
      Object.defineProperty(row, names[i] as string, {
        value: values[i],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return row;
  };
}

export class RowValidator<Row> {
  readonly #endpoint: CsvEndpoint<Row, unknown>;
  readonly #width: number;
  /** Output column name and its index in the header (-1: absent, reads as null). */
  readonly #mapping: [string, number][];
  readonly #nonFinite: Record<string, number>;
  /** The plan: per endpoint column, its header position (-1: absent) and converter. */
  readonly #positions: Int32Array;
  readonly #converters: readonly CellConverter<unknown>[] | null;
  readonly #names: readonly string[];
  readonly #build: RowBuilder;
  /** Scratch values of the row being converted (the builder copies them out). */
  readonly #values: unknown[];
  /** Columns of the current row that held Infinity/NaN (counted only if it is kept). */
  readonly #nonFiniteAt: number[] = [];
  readonly #symbolAt: number;
  /** Optional columns absent from the header: every row reads them as null. */
  readonly missingOptional: readonly string[];
  /** Header columns no declared column (or alias) reads. */
  readonly unread: readonly string[];

  /**
   * Throws an FmpError ("header") when a required column is missing; `label` names the
   * endpoint and parameters in that message.
   */
  constructor(
    endpoint: CsvEndpoint<Row, unknown>,
    header: readonly string[],
    label: string,
    nonFinite: Record<string, number>,
  ) {
    this.#endpoint = endpoint;
    this.#width = header.length;
    this.#nonFinite = nonFinite;
    const position = new Map<string, number>();
    header.forEach((name, index) => {
      const key = name.trim();
      if (!position.has(key)) position.set(key, index);
    });
    const missing: string[] = [];
    const missingOptional: string[] = [];
    const read = new Set<number>();
    this.#mapping = endpoint.columns.map((column) => {
      const index = [column.name, ...column.aliases]
        .map((name) => position.get(name))
        .find((found) => found !== undefined);
      if (index !== undefined) read.add(index);
      else if (column.required) missing.push(column.name);
      else if (!column.legacy) missingOptional.push(column.name);
      return [column.name, index ?? -1];
    });
    this.missingOptional = missingOptional;
    this.unread = header
      .map((name, index) => (read.has(index) ? "" : name.trim()))
      .filter((name) => name !== "");
    if (missing.length > 0) {
      const seen = header.slice(0, 6).join(",");
      throw new FmpError({
        kind: "header",
        endpoint: label,
        what: `unexpected CSV header, missing ${missing.slice(0, 8).join(", ")}${
          missing.length > 8 ? ` and ${missing.length - 8} more` : ""
        } (got ${header.length} columns: ${seen.slice(0, 120)}${header.length > 6 ? ",..." : ""})`,
        hint: "FMP changed the file format, or the response is not this endpoint's CSV",
      });
    }
    this.#positions = Int32Array.from(this.#mapping, ([, index]) => index);
    const converters = endpoint.columns.map((column) => column.convert);
    this.#converters = converters.every((convert) => convert !== undefined) ? converters : null;
    this.#names = this.#mapping.map(([name]) => name);
    this.#build = rowBuilder(this.#names);
    this.#values = new Array<unknown>(this.#names.length).fill(null);
    this.#symbolAt = this.#mapping.find(([name]) => name === "symbol")?.[1] ?? -1;
  }

  validate(fields: readonly string[]): RowResult<Row> {
    if (fields.length !== this.#width) {
      return { ok: false, reason: `expected ${this.#width} fields, got ${fields.length}` };
    }
    const converters = this.#converters;
    if (converters === null) return this.#viaSchema(fields);
    const positions = this.#positions;
    const values = this.#values;
    const nonFiniteAt = this.#nonFiniteAt;
    nonFiniteAt.length = 0;
    for (let i = 0; i < positions.length; i++) {
      const at = positions[i] as number;
      const value = (converters[i] as CellConverter<unknown>)(at >= 0 ? fields[at] : undefined);
      if (typeof value === "symbol") {
        if (value === BAD_CELL) return this.#viaSchema(fields);
        values[i] = null; // NON_FINITE_CELL
        nonFiniteAt.push(i);
      } else values[i] = value;
    }
    for (const i of nonFiniteAt) {
      const column = this.#names[i] as string;
      this.#nonFinite[column] = (this.#nonFinite[column] ?? 0) + 1;
    }
    return { ok: true, row: this.#build(values) as Row };
  }

  /**
   * The row through the endpoint's zod schema: for a row the plan rejects (the schema words
   * the reason), and for endpoints whose columns carry no converters.
   */
  #viaSchema(fields: readonly string[]): RowResult<Row> {
    const record: Record<string, string | undefined> = {};
    for (const [name, index] of this.#mapping) {
      record[name] = index >= 0 ? fields[index] : undefined;
    }
    // Non-finite values count only for rows that are kept.
    const nonFinite: Record<string, number> = {};
    const result = tallyingNonFinite(nonFinite, () => this.#endpoint.schema.safeParse(record));
    if (result.success) {
      for (const column in nonFinite) {
        this.#nonFinite[column] = (this.#nonFinite[column] ?? 0) + (nonFinite[column] ?? 0);
      }
      return { ok: true, row: result.data };
    }
    const reason = result.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join(".") || "row"}: ${issue.message}`)
      .join("; ");
    return { ok: false, reason };
  }

  /** The row's symbol cell, for samples (rows without a valid symbol still have one). */
  symbolOf(fields: readonly string[]): string | undefined {
    const value = this.#symbolAt >= 0 ? fields[this.#symbolAt] : undefined;
    return value ? value.slice(0, 24) : undefined;
  }
}
