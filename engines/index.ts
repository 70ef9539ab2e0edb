/**
 * Fintra's scoring engines: pure functions from our tables' rows to snapshot columns. No
 * database, network, clock or unseeded randomness; as-of dates are always inputs. See
 * README.md for the map of modules and the decisions that differ from the original system.
 */
export * from "./benchmarks.ts";
export * from "./competitive-advantage.ts";
export * from "./coverage.ts";
export * from "./dividend-quality.ts";
export * from "./fgos.ts";
export * from "./fgos-confidence.ts";
export * from "./fgos-pillars.ts";
export * from "./fgos-state.ts";
export * from "./financial-rows.ts";
export * from "./fundamentals-growth.ts";
export * from "./ifs.ts";
export * from "./iqs.ts";
export * from "./market-position.ts";
export * from "./maturity.ts";
export * from "./moat.ts";
export * from "./percentiles.ts";
export * from "./quality-brakes.ts";
export * from "./relative-performance.ts";
export * from "./relative-return.ts";
export * from "./sentiment.ts";
export * from "./ttm.ts";
export type * from "./units.ts";
export * from "./valuation.ts";
export * from "./verdict.ts";
