/**
 * The FMP source: a client for Financial Modeling Prep's stable API (bulk CSVs streamed
 * and validated row by row, JSON endpoints), and the catalogue of endpoints the pipeline
 * reads. Everything that talks to FMP goes through here.
 *
 *   import { createFmpClient, fmpConfigFromEnv, incomeStatementBulk } from "../sources/fmp/index.ts";
 *
 *   const fmp = createFmpClient({ ...fmpConfigFromEnv(), logger });
 *   const income = fmp.csv(incomeStatementBulk, { year: 2026, period: "Q1" });
 *   for await (const rows of income) await upsert(rows);
 *   const { rows, skipped, samples } = income.report;
 */
export { createFmpClient, type FmpClient, type FmpClientOptions } from "./client.ts";
export { DEFAULT_BASE_URL, fmpConfigFromEnv } from "./config.ts";
export type { CsvEndpoint, JsonEndpoint } from "./endpoint.ts";
export * from "./endpoints/index.ts";
export { FmpError, isFmpError } from "./errors.ts";
export { type FetchReport, MAX_SAMPLES, type RowSample } from "./report.ts";
export type { FmpLogger } from "./retry.ts";
