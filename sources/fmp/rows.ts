/**
 * From CSV fields to validated rows: the header is matched against the endpoint's columns
 * once, then each row becomes a record of the known columns only (extra columns never
 * reach the schema) and goes through the endpoint's zod schema. An optional column the
 * header lacks reads as null; the validator names such columns (and the header columns it
 * does not read, where a renamed one shows up) so the fetch can report them, not hide them.
 */
import { tallyingNonFinite } from "./cells.ts";
import type { CsvEndpoint } from "./endpoint.ts";
import { FmpError } from "./errors.ts";

export type RowResult<Row> = { ok: true; row: Row } | { ok: false; reason: string };

export class RowValidator<Row> {
  readonly #endpoint: CsvEndpoint<Row, unknown>;
  readonly #width: number;
  /** Output column name and its index in the header (-1: absent, reads as null). */
  readonly #mapping: [string, number][];
  readonly #nonFinite: Record<string, number>;
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
  }

  validate(fields: readonly string[]): RowResult<Row> {
    if (fields.length !== this.#width) {
      return { ok: false, reason: `expected ${this.#width} fields, got ${fields.length}` };
    }
    const record: Record<string, string | undefined> = {};
    for (const [name, index] of this.#mapping)
      record[name] = index >= 0 ? fields[index] : undefined;
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
    const entry = this.#mapping.find(([name]) => name === "symbol");
    const value = entry && entry[1] >= 0 ? fields[entry[1]] : undefined;
    return value ? value.slice(0, 24) : undefined;
  }
}
