/**
 * The reference for row conversion: each row as a record of the endpoint's columns, parsed
 * by the endpoint's zod schema, the way the client read every row before it compiled a
 * column plan. Tests hold the plan to it, row by row.
 */
import { tallyingNonFinite } from "../../../../sources/fmp/cells.ts";
import type { CsvEndpoint } from "../../../../sources/fmp/endpoint.ts";
import type { RowResult } from "../../../../sources/fmp/rows.ts";

export class ZodRows {
  readonly #endpoint: CsvEndpoint<unknown, unknown>;
  readonly #width: number;
  readonly #mapping: [string, number][];
  readonly nonFinite: Record<string, number> = {};

  constructor(endpoint: CsvEndpoint<unknown, unknown>, header: readonly string[]) {
    this.#endpoint = endpoint;
    this.#width = header.length;
    const trimmed = header.map((name) => name.trim());
    this.#mapping = endpoint.columns.map((column) => {
      const index = [column.name, ...column.aliases]
        .map((name) => trimmed.indexOf(name))
        .find((found) => found >= 0);
      return [column.name, index ?? -1];
    });
  }

  validate(fields: readonly string[]): RowResult<unknown> {
    if (fields.length !== this.#width) {
      return { ok: false, reason: `expected ${this.#width} fields, got ${fields.length}` };
    }
    const record: Record<string, string | undefined> = {};
    for (const [name, index] of this.#mapping) {
      record[name] = index >= 0 ? fields[index] : undefined;
    }
    const counted: Record<string, number> = {};
    const result = tallyingNonFinite(counted, () => this.#endpoint.schema.safeParse(record));
    if (!result.success) {
      const reason = result.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join(".") || "row"}: ${issue.message}`)
        .join("; ");
      return { ok: false, reason };
    }
    for (const [column, count] of Object.entries(counted)) {
      this.nonFinite[column] = (this.nonFinite[column] ?? 0) + count;
    }
    return { ok: true, row: result.data };
  }
}
