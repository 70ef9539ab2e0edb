/** The database layer's public surface. */
export type { SqlExecutor } from "./adapters/sql.ts";
export type * from "./ledger.ts";
export { describeStore, openStore, type StoreConfig, storeConfigFromEnv } from "./open.ts";
export { normalizeScope, type Scope, scopeKey } from "./scope.ts";
export type { Condition, Store, UpsertOptions, Where } from "./store.ts";
export { defineTable, type TableSpec } from "./table.ts";
