/**
 * Table declarations: the columns an asset writes and the key its upserts
 * conflict on. The migration creates the table; the declaration is what the
 * Store needs to write it (column casts for unnest arrays, the conflict key)
 * and what a reader of the asset file needs to know what a row means.
 */

/** Postgres column types the Store knows how to cast from text arrays. */
export type ColumnType =
  | "text"
  | "date"
  | "timestamptz"
  | "numeric"
  | "double precision"
  | "integer"
  | "bigint"
  | "boolean"
  | "jsonb"
  | "text[]";

export interface TableSpec<Row extends object = Record<string, unknown>> {
  /** The table name in the database. */
  readonly name: string;
  /** The conflict key of every upsert (the table's primary key). */
  readonly key: readonly (keyof Row & string)[];
  /** Every column the pipeline writes, with its Postgres type. */
  readonly columns: { readonly [K in keyof Row & string]: ColumnType };
}

/** Declares a table; `key` must name declared columns. */
export function defineTable<Row extends object>(spec: TableSpec<Row>): TableSpec<Row> {
  for (const column of spec.key) {
    if (!(column in spec.columns)) {
      throw new Error(`table ${spec.name}: key column "${column}" is not a declared column`);
    }
  }
  if (spec.key.length === 0) throw new Error(`table ${spec.name}: a key is required`);
  return spec;
}
