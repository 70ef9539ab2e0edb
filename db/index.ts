/** The database layer's public surface. */
export type { SqlExecutor } from "./adapters/sql.ts";
export type * from "./ledger.ts";
export { describeStore, openStore, type StoreConfig, storeConfigFromEnv } from "./open.ts";
export { normalizeScope, type Scope, scopeKey } from "./scope.ts";
export type {
  Condition,
  MigrationStatus,
  ReadQuery,
  Store,
  UpsertOptions,
  Where,
} from "./store.ts";
export { type ColumnType, defineTable, type TableSpec } from "./table.ts";
